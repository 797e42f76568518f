/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * A 128-byte EDID 1.4 for one connector: its resolution as the preferred
 * (and only) mode, 60 Hz with CVT reduced blanking timings.
 */
#ifndef VDISPL_BE_EDID_H
#define VDISPL_BE_EDID_H

#include <stdint.h>

#define BE_EDID_SIZE		128
/* A detailed timing holds 12-bit sizes and a 16-bit pixel clock. */
#define BE_EDID_MAX_DIMENSION	4095

struct be_edid_timing {
	uint32_t clock_khz;
	uint32_t hactive, hfront, hsync, hblank;
	uint32_t vactive, vfront, vsync, vblank;
};

/* CVT reduced-blanking (v1) timing at 60 Hz. */
void be_edid_cvt_rb(uint32_t width, uint32_t height,
		    struct be_edid_timing *t);

/*
 * Builds the EDID into edid. name (the connector's unique-id) becomes the
 * serial number string, cut to 13 printable ASCII characters. Returns 0, or
 * -EINVAL if the mode cannot be described by a detailed timing.
 */
int be_edid_build(uint8_t edid[BE_EDID_SIZE], uint32_t width,
		  uint32_t height, const char *name);

/* The sum of all 128 bytes is 0 modulo 256. */
int be_edid_checksum_ok(const uint8_t edid[BE_EDID_SIZE]);

#endif
