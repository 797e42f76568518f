// SPDX-License-Identifier: GPL-2.0 OR MIT
#include <stddef.h>
#include <string.h>

#include <drm_fourcc.h>

#include "format.h"

static const struct be_format formats[] = {
	{ DRM_FORMAT_XRGB8888, 32, "XRGB8888" },
	{ DRM_FORMAT_ARGB8888, 32, "ARGB8888" },
	{ DRM_FORMAT_XBGR8888, 32, "XBGR8888" },
	{ DRM_FORMAT_ABGR8888, 32, "ABGR8888" },
	{ DRM_FORMAT_RGBX8888, 32, "RGBX8888" },
	{ DRM_FORMAT_RGBA8888, 32, "RGBA8888" },
	{ DRM_FORMAT_BGRX8888, 32, "BGRX8888" },
	{ DRM_FORMAT_BGRA8888, 32, "BGRA8888" },
	{ DRM_FORMAT_RGB888, 24, "RGB888" },
	{ DRM_FORMAT_BGR888, 24, "BGR888" },
	{ DRM_FORMAT_RGB565, 16, "RGB565" },
	{ DRM_FORMAT_XRGB1555, 16, "XRGB1555" },
	{ DRM_FORMAT_ARGB1555, 16, "ARGB1555" },
};

const struct be_format *be_format_find(uint32_t fourcc)
{
	size_t i;

	for (i = 0; i < sizeof(formats) / sizeof(formats[0]); i++)
		if (formats[i].fourcc == fourcc)
			return &formats[i];
	return NULL;
}

static uint32_t le32(const uint8_t *p)
{
	return p[0] | p[1] << 8 | p[2] << 16 | (uint32_t)p[3] << 24;
}

/* Scales an n-bit channel to 8 bits. */
static uint8_t expand(uint32_t v, unsigned int bits)
{
	return (uint8_t)((v * 255 + ((1u << bits) - 1) / 2) / ((1u << bits) - 1));
}

void be_format_to_rgb(uint32_t fourcc, const uint8_t *src, uint32_t width,
		      uint8_t *rgb)
{
	const struct be_format *f;
	uint32_t i, v, cpp;
	/* Shift of red, green and blue in a 32-bit little-endian pixel. */
	int rs = -1, gs = 8, bs = -1;

	switch (fourcc) {
	case DRM_FORMAT_XRGB8888:
	case DRM_FORMAT_ARGB8888:
		rs = 16; bs = 0;
		break;
	case DRM_FORMAT_XBGR8888:
	case DRM_FORMAT_ABGR8888:
		rs = 0; bs = 16;
		break;
	case DRM_FORMAT_RGBX8888:
	case DRM_FORMAT_RGBA8888:
		rs = 24; gs = 16; bs = 8;
		break;
	case DRM_FORMAT_BGRX8888:
	case DRM_FORMAT_BGRA8888:
		rs = 8; gs = 16; bs = 24;
		break;
	}
	if (rs >= 0) {
		for (i = 0; i < width; i++) {
			v = le32(src + 4 * i);
			rgb[3 * i] = v >> rs;
			rgb[3 * i + 1] = v >> gs;
			rgb[3 * i + 2] = v >> bs;
		}
		return;
	}

	f = be_format_find(fourcc);
	cpp = f ? f->bpp / 8 : 0;
	for (i = 0; i < width; i++) {
		const uint8_t *p = src + i * cpp;
		uint8_t *o = rgb + 3 * i;

		switch (fourcc) {
		case DRM_FORMAT_RGB888:	/* little-endian B, G, R */
			o[0] = p[2]; o[1] = p[1]; o[2] = p[0];
			break;
		case DRM_FORMAT_BGR888:
			o[0] = p[0]; o[1] = p[1]; o[2] = p[2];
			break;
		case DRM_FORMAT_RGB565:
			v = p[0] | p[1] << 8;
			o[0] = expand(v >> 11, 5);
			o[1] = expand((v >> 5) & 0x3f, 6);
			o[2] = expand(v & 0x1f, 5);
			break;
		case DRM_FORMAT_XRGB1555:
		case DRM_FORMAT_ARGB1555:
			v = p[0] | p[1] << 8;
			o[0] = expand((v >> 10) & 0x1f, 5);
			o[1] = expand((v >> 5) & 0x1f, 5);
			o[2] = expand(v & 0x1f, 5);
			break;
		default:
			memset(o, 0, 3);
			break;
		}
	}
}
