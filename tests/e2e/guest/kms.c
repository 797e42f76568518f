// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * e2e-kms: what the system test needs to know of a card's KMS state and
 * no packaged tool prints in a form a shell can check.
 *
 * Usage: e2e-kms link-status CARD
 *   prints "<connector id> GOOD|BAD" for each connector, in the order of
 *   the card's resources (the connectors' "link-status" property)
 * Usage: e2e-kms crtcs CARD
 *   prints "<crtc id> <fb id> <mode name or ->" for each CRTC: whether a
 *   client's modeset is done (modetest prints it only at exit when its
 *   stdout is a file)
 */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "util.h"

#define PROG "e2e-kms"
#define MAX_PROPS 64

/* The value of property name on a connector; -1 if it has none. */
static long long conn_prop(int fd, uint32_t conn_id, const char *name)
{
	uint32_t ids[MAX_PROPS];
	uint64_t values[MAX_PROPS];
	struct drm_mode_obj_get_properties props = {
		.obj_id = conn_id,
		.obj_type = DRM_MODE_OBJECT_CONNECTOR,
		.props_ptr = (uintptr_t)ids,
		.prop_values_ptr = (uintptr_t)values,
		.count_props = MAX_PROPS,
	};
	uint32_t i;

	if (ioctl(fd, DRM_IOCTL_MODE_OBJ_GETPROPERTIES, &props) ||
	    props.count_props > MAX_PROPS)
		return -1;
	for (i = 0; i < props.count_props; i++) {
		struct drm_mode_get_property prop = { .prop_id = ids[i] };

		if (ioctl(fd, DRM_IOCTL_MODE_GETPROPERTY, &prop))
			return -1;
		if (!strcmp(prop.name, name))
			return (long long)values[i];
	}
	return -1;
}

static int link_status(int fd)
{
	struct e2e_res r;
	uint32_t i;

	if (e2e_get_res(fd, &r))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_GETRESOURCES");
	for (i = 0; i < r.num_conns; i++) {
		long long v = conn_prop(fd, r.conns[i], "link-status");

		if (v < 0) {
			fprintf(stderr, PROG ": connector %u has no link-status\n", r.conns[i]);
			return 1;
		}
		printf("%u %s\n", r.conns[i], v == DRM_MODE_LINK_STATUS_GOOD ? "GOOD" : "BAD");
	}
	return 0;
}

static int crtcs(int fd)
{
	struct e2e_res r;
	uint32_t i;

	if (e2e_get_res(fd, &r))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_GETRESOURCES");
	for (i = 0; i < r.num_crtcs; i++) {
		struct drm_mode_crtc c = { .crtc_id = r.crtcs[i] };

		if (ioctl(fd, DRM_IOCTL_MODE_GETCRTC, &c))
			return e2e_fail(PROG, "DRM_IOCTL_MODE_GETCRTC");
		printf("%u %u %s\n", c.crtc_id, c.fb_id, c.mode_valid ? c.mode.name : "-");
	}
	return 0;
}

int main(int argc, char **argv)
{
	int fd;

	if (argc != 3 || (strcmp(argv[1], "link-status") && strcmp(argv[1], "crtcs"))) {
		fprintf(stderr, "usage: " PROG " link-status|crtcs CARD\n");
		return 2;
	}
	fd = open(argv[2], O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return e2e_fail(PROG, argv[2]);
	return strcmp(argv[1], "crtcs") ? link_status(fd) : crtcs(fd);
}
