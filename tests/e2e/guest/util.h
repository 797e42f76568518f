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

#define E2E_MAX_OBJS	64

/* A card's connector and CRTC ids. */
struct e2e_res {
	uint32_t conns[E2E_MAX_OBJS];
	uint32_t crtcs[E2E_MAX_OBJS];
	uint32_t num_conns;
	uint32_t num_crtcs;
};

/* 0, or -1 with errno set (EOVERFLOW: more than E2E_MAX_OBJS of either). */
static inline int e2e_get_res(int fd, struct e2e_res *r)
{
	struct drm_mode_card_res res = { 0 };

	if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res))
		return -1;
	if (res.count_connectors > E2E_MAX_OBJS || res.count_crtcs > E2E_MAX_OBJS) {
		errno = EOVERFLOW;
		return -1;
	}
	res = (struct drm_mode_card_res){
		.connector_id_ptr = (uintptr_t)r->conns,
		.count_connectors = res.count_connectors,
		.crtc_id_ptr = (uintptr_t)r->crtcs,
		.count_crtcs = res.count_crtcs,
	};
	if (ioctl(fd, DRM_IOCTL_MODE_GETRESOURCES, &res))
		return -1;
	r->num_conns = res.count_connectors;
	r->num_crtcs = res.count_crtcs;
	return 0;
}

/* A connector that can show something: a CRTC for it, its mode. */
struct e2e_output {
	uint32_t conn;
	uint32_t crtc;
	uint32_t crtc_idx;
	struct drm_mode_modeinfo mode;	/* the preferred one, or the first */
};

/*
 * The first max connected connectors of r with a mode, each with a CRTC of
 * its own. Returns how many (maybe fewer than max), or -1 with errno set.
 */
static inline int e2e_find_outputs(int fd, const struct e2e_res *r,
				   struct e2e_output *out, unsigned int max)
{
	struct drm_mode_modeinfo modes[E2E_MAX_OBJS];
	uint32_t i, j, encs[E2E_MAX_OBJS], used = 0;
	unsigned int n = 0;

	for (i = 0; i < r->num_conns && n < max; i++) {
		struct drm_mode_get_connector c = { .connector_id = r->conns[i] };
		struct drm_mode_get_encoder e = { 0 };

		if (ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &c))
			return -1;
		if (c.connection != 1 || !c.count_modes || !c.count_encoders ||
		    c.count_modes > E2E_MAX_OBJS || c.count_encoders > E2E_MAX_OBJS)
			continue;
		c = (struct drm_mode_get_connector){
			.connector_id = r->conns[i],
			.modes_ptr = (uintptr_t)modes,
			.count_modes = c.count_modes,
			.encoders_ptr = (uintptr_t)encs,
			.count_encoders = c.count_encoders,
		};
		if (ioctl(fd, DRM_IOCTL_MODE_GETCONNECTOR, &c))
			return -1;
		e.encoder_id = encs[0];
		if (ioctl(fd, DRM_IOCTL_MODE_GETENCODER, &e))
			return -1;
		for (j = 0; j < r->num_crtcs; j++)
			if ((e.possible_crtcs & (1u << j)) && !(used & (1u << j)))
				break;
		if (j == r->num_crtcs)
			continue;
		used |= 1u << j;
		out[n] = (struct e2e_output){
			.conn = r->conns[i], .crtc = r->crtcs[j], .crtc_idx = j,
			.mode = modes[0],
		};
		for (j = 0; j < c.count_modes; j++)
			if (modes[j].type & DRM_MODE_TYPE_PREFERRED) {
				out[n].mode = modes[j];
				break;
			}
		n++;
	}
	return (int)n;
}

/* The driver name of an open DRM device, in name[len]. */
static inline int e2e_driver_name(int fd, char *name, size_t len)
{
	struct drm_version v = { .name = name, .name_len = len - 1 };

	memset(name, 0, len);
	return ioctl(fd, DRM_IOCTL_VERSION, &v);
}

#endif
