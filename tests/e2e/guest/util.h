/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Shared by the guest test programs: the pixel pattern and hash the host
 * and the backend check against, and small DRM ioctl wrappers. The guest
 * image has no libdrm: only its uapi headers are used.
 */
#ifndef E2E_GUEST_UTIL_H
#define E2E_GUEST_UTIL_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/ioctl.h>

#include <drm.h>
#include <drm_fourcc.h>
#include <drm_mode.h>

/* XRGB8888 pattern; tests/e2e/pngcheck.py has the same. */
static inline uint32_t e2e_pattern(uint32_t x, uint32_t y, uint32_t seed)
{
	return 0xff000000u | ((x * 3 + seed) & 0xff) << 16 |
	       ((y * 5 + seed * 7) & 0xff) << 8 | ((x ^ y) & 0xff);
}

static inline void e2e_fill(uint8_t *mem, uint32_t pitch, uint32_t w,
			    uint32_t h, uint32_t seed)
{
	uint32_t x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++)
			memcpy(mem + (size_t)y * pitch + 4 * x,
			       &(uint32_t){ e2e_pattern(x, y, seed) }, 4);
}

/* Pixels that differ from the pattern. */
static inline uint32_t e2e_check(const uint8_t *mem, uint32_t pitch,
				 uint32_t w, uint32_t h, uint32_t seed)
{
	uint32_t x, y, v, bad = 0;

	for (y = 0; y < h; y++)
		for (x = 0; x < w; x++) {
			memcpy(&v, mem + (size_t)y * pitch + 4 * x, 4);
			bad += v != e2e_pattern(x, y, seed);
		}
	return bad;
}

/* FNV-1a over width * 4 bytes of each line, as the backend hashes. */
static inline uint32_t e2e_hash(const uint8_t *p, uint32_t pitch, uint32_t w,
				uint32_t h)
{
	uint32_t v = 2166136261u, x, y;

	for (y = 0; y < h; y++)
		for (x = 0; x < w * 4; x++) {
			v ^= p[(size_t)y * pitch + x];
			v *= 16777619u;
		}
	return v;
}

/* Logs "<prog>: <what>: <errno text>"; returns 1, the failure status. */
static inline int e2e_fail(const char *prog, const char *what)
{
	fprintf(stderr, "%s: %s: %s\n", prog, what, strerror(errno));
	return 1;
}

/* The driver name of an open DRM device, in name[len]. */
static inline int e2e_driver_name(int fd, char *name, size_t len)
{
	struct drm_version v = { .name = name, .name_len = len - 1 };

	memset(name, 0, len);
	return ioctl(fd, DRM_IOCTL_VERSION, &v);
}

#endif
