// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * EDID 1.4 (VESA E-EDID release A, revision 2) base block:
 *   0  header            54  detailed timing (preferred mode)
 *   8  vendor/product    72  display range limits
 *  18  version 1.4       90  display product name
 *  20  basic parameters 108  display product serial (the unique-id)
 *  25  chromaticity     126  extension count (0)
 *  35  timings (none)   127  checksum
 */
#include <errno.h>
#include <string.h>

#include "edid.h"

/* Reduced blanking v1 constants (VESA CVT 1.2). */
#define RB_HBLANK	160
#define RB_HSYNC	32
#define RB_HFRONT	48
#define RB_VFRONT	3
#define RB_MIN_VBACK	6
#define RB_MIN_VBLANK_US 460
#define REFRESH_HZ	60

/* Vertical sync width from the aspect ratio, as CVT encodes it. */
static uint32_t cvt_vsync(uint32_t w, uint32_t h)
{
	if (w * 3 == h * 4)
		return 4;
	if (w * 9 == h * 16)
		return 5;
	if (w * 10 == h * 16)
		return 6;
	if (w * 4 == h * 5 || w * 9 == h * 15)
		return 7;
	return 10;
}

void be_edid_cvt_rb(uint32_t width, uint32_t height, struct be_edid_timing *t)
{
	/* All in nanoseconds to stay in integers. */
	uint64_t frame_ns = 1000000000ull / REFRESH_HZ;
	uint64_t hperiod_ns, clock_hz;
	uint32_t vsync = cvt_vsync(width, height), vbi, min_vbi;

	hperiod_ns = (frame_ns - RB_MIN_VBLANK_US * 1000ull) / height;
	if (!hperiod_ns)
		hperiod_ns = 1;
	vbi = (uint32_t)(RB_MIN_VBLANK_US * 1000ull / hperiod_ns) + 1;
	min_vbi = RB_VFRONT + vsync + RB_MIN_VBACK;
	if (vbi < min_vbi)
		vbi = min_vbi;

	memset(t, 0, sizeof(*t));
	t->hactive = width;
	t->hblank = RB_HBLANK;
	t->hfront = RB_HFRONT;
	t->hsync = RB_HSYNC;
	t->vactive = height;
	t->vblank = vbi;
	t->vfront = RB_VFRONT;
	t->vsync = vsync;
	clock_hz = (uint64_t)REFRESH_HZ * (width + RB_HBLANK) * (height + vbi);
	/* To the EDID's 10 kHz unit rather than CVT's 250 kHz steps, which
	 * would take small modes far from 60 Hz. */
	t->clock_khz = (uint32_t)((clock_hz + 5000) / 10000 * 10);
	if (!t->clock_khz)
		t->clock_khz = 10;
}

static void put_detailed_timing(uint8_t *d, const struct be_edid_timing *t,
				uint32_t width_mm, uint32_t height_mm)
{
	uint32_t clock = t->clock_khz / 10;

	d[0] = clock & 0xff;
	d[1] = clock >> 8;
	d[2] = t->hactive & 0xff;
	d[3] = t->hblank & 0xff;
	d[4] = (t->hactive >> 8) << 4 | (t->hblank >> 8);
	d[5] = t->vactive & 0xff;
	d[6] = t->vblank & 0xff;
	d[7] = (t->vactive >> 8) << 4 | (t->vblank >> 8);
	d[8] = t->hfront & 0xff;
	d[9] = t->hsync & 0xff;
	d[10] = (t->vfront & 0xf) << 4 | (t->vsync & 0xf);
	d[11] = (t->hfront >> 8) << 6 | (t->hsync >> 8) << 4 |
		(t->vfront >> 4) << 2 | (t->vsync >> 4);
	d[12] = width_mm & 0xff;
	d[13] = height_mm & 0xff;
	d[14] = (width_mm >> 8) << 4 | (height_mm >> 8);
	d[15] = 0;
	d[16] = 0;
	/* Digital separate sync, hsync positive, vsync negative (CVT-RB). */
	d[17] = 0x18 | 0x02;
}

/* A display descriptor holding up to 13 characters of text. */
static void put_text(uint8_t *d, uint8_t tag, const char *text)
{
	size_t i, n = 0;

	memset(d, 0, 18);
	d[3] = tag;
	for (i = 0; text && text[i] && n < 13; i++)
		if (text[i] >= 0x20 && text[i] < 0x7f)
			d[5 + n++] = (uint8_t)text[i];
	if (n < 13)
		d[5 + n++] = 0x0a;
	while (n < 13)
		d[5 + n++] = 0x20;
}

static void put_range_limits(uint8_t *d, const struct be_edid_timing *t)
{
	uint32_t htotal = t->hactive + t->hblank;
	uint32_t hkhz = t->clock_khz / htotal;
	uint32_t max_clock = (t->clock_khz + 9999) / 10000;

	memset(d, 0, 18);
	d[3] = 0xfd;
	d[5] = 50;			/* vertical Hz, min and max */
	d[6] = 75;
	d[7] = hkhz > 1 ? hkhz - 1 : 1;	/* horizontal kHz, min and max */
	d[8] = hkhz + 2 > 255 ? 255 : hkhz + 2;
	d[9] = max_clock > 255 ? 255 : max_clock; /* 10 MHz units */
	d[10] = 0x01;			/* range limits only */
	d[11] = 0x0a;
	memset(d + 12, 0x20, 6);
}

int be_edid_checksum_ok(const uint8_t edid[BE_EDID_SIZE])
{
	unsigned int i, sum = 0;

	for (i = 0; i < BE_EDID_SIZE; i++)
		sum += edid[i];
	return (sum & 0xff) == 0;
}

int be_edid_build(uint8_t edid[BE_EDID_SIZE], uint32_t width,
		  uint32_t height, const char *name)
{
	static const uint8_t header[8] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	/* sRGB primaries and D65 white: Rx Ry Gx Gy Bx By Wx Wy, x 1024. */
	static const uint16_t chroma[8] = { 655, 338, 307, 614, 154, 61, 320, 337 };
	/* "XEN": three 5-bit letters, 'A' = 1. */
	const uint16_t vendor = ('X' - '@') << 10 | ('E' - '@') << 5 | ('N' - '@');
	struct be_edid_timing t;
	uint32_t width_mm, height_mm, i, sum = 0;

	if (!width || !height || width > BE_EDID_MAX_DIMENSION ||
	    height > BE_EDID_MAX_DIMENSION)
		return -EINVAL;
	be_edid_cvt_rb(width, height, &t);
	if (t.clock_khz / 10 > 0xffff || t.vblank > 0xfff || t.vsync > 0x3f)
		return -EINVAL;

	/* A 96 dpi screen. */
	width_mm = (width * 254 + 480) / 960;
	height_mm = (height * 254 + 480) / 960;
	if (!width_mm)
		width_mm = 1;
	if (!height_mm)
		height_mm = 1;

	memset(edid, 0, BE_EDID_SIZE);
	memcpy(edid, header, sizeof(header));
	edid[8] = vendor >> 8;
	edid[9] = vendor & 0xff;
	edid[10] = 0x01;		/* product code, little-endian */
	edid[11] = 0x00;
	edid[12] = width & 0xff;	/* serial number: the mode */
	edid[13] = width >> 8;
	edid[14] = height & 0xff;
	edid[15] = height >> 8;
	edid[16] = 0;			/* week: unspecified */
	edid[17] = 2026 - 1990;		/* year of manufacture */
	edid[18] = 1;
	edid[19] = 4;
	edid[20] = 0xa0;		/* digital, 8 bits a colour */
	edid[21] = (width_mm + 5) / 10 > 255 ? 255 : (width_mm + 5) / 10;
	edid[22] = (height_mm + 5) / 10 > 255 ? 255 : (height_mm + 5) / 10;
	if (!edid[21])
		edid[21] = 1;
	if (!edid[22])
		edid[22] = 1;
	edid[23] = 120;			/* gamma 2.2 */
	edid[24] = 0x06;		/* RGB 4:4:4, sRGB, preferred is native */
	edid[25] = (chroma[0] & 3) << 6 | (chroma[1] & 3) << 4 |
		   (chroma[2] & 3) << 2 | (chroma[3] & 3);
	edid[26] = (chroma[4] & 3) << 6 | (chroma[5] & 3) << 4 |
		   (chroma[6] & 3) << 2 | (chroma[7] & 3);
	for (i = 0; i < 8; i++)
		edid[27 + i] = chroma[i] >> 2;
	/* 35-37: no established timings; 38-53: standard timings unused. */
	for (i = 38; i < 54; i++)
		edid[i] = 0x01;
	put_detailed_timing(edid + 54, &t, width_mm, height_mm);
	put_range_limits(edid + 72, &t);
	put_text(edid + 90, 0xfc, "Xen vdispl");
	put_text(edid + 108, 0xff, name && *name ? name : "0");
	edid[126] = 0;
	for (i = 0; i < BE_EDID_SIZE - 1; i++)
		sum += edid[i];
	edid[127] = (uint8_t)(0x100 - (sum & 0xff));
	return 0;
}
