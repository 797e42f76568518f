/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Shown frames as PNG files. */
#ifndef VDISPL_BE_CAPTURE_H
#define VDISPL_BE_CAPTURE_H

#include <stdbool.h>
#include <stdint.h>

#include "core.h"

/*
 * Writes what the connector shows as an RGB PNG of the screen's size: the
 * framebuffer at its place, black around it. The file appears under its
 * name only once complete. Returns 0 or a negative errno.
 */
int be_png_write(const char *path, const struct be_frame *frame);

/* Rate limit: a frame at now_ms is written if interval_ms have passed since
 * *last_ms (0: never written), which is then updated. */
bool be_capture_due(uint64_t now_ms, uint64_t *last_ms, unsigned int interval_ms);

#endif
