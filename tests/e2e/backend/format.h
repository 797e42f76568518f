/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/* Pixel formats the backend can show: DRM fourcc codes. */
#ifndef VDISPL_BE_FORMAT_H
#define VDISPL_BE_FORMAT_H

#include <stdint.h>

struct be_format {
	uint32_t fourcc;
	unsigned int bpp;
	const char *name;
};

/* NULL if the backend does not know the format. */
const struct be_format *be_format_find(uint32_t fourcc);

/* Converts one line of width pixels to 8-bit RGB (3 bytes a pixel). */
void be_format_to_rgb(uint32_t fourcc, const uint8_t *src, uint32_t width,
		      uint8_t *rgb);

#endif
