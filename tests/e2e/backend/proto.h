/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The displif protocol as the backend sees it: the project's own
 * include/xen/interface/io/displif.h (the specification), compiled in user
 * space, with its wire layout checked again here (the header only checks it
 * in the kernel), plus a few helpers.
 */
#ifndef VDISPL_BE_PROTO_H
#define VDISPL_BE_PROTO_H

#include <stddef.h>
#include <stdint.h>

#include <xen/interface/io/displif.h>
#include <xen/io/xenbus.h>

_Static_assert(sizeof(struct xendispl_req) == 64, "request slot");
_Static_assert(sizeof(struct xendispl_resp) == 64, "response slot");
_Static_assert(sizeof(struct xendispl_evt) == 64, "event slot");
_Static_assert(sizeof(struct xendispl_event_page) == 64, "event page header");
_Static_assert(sizeof(struct xendispl_page_directory) == 8, "directory header");
_Static_assert(XENDISPL_PAGE_DIR_GREFS_PER_PAGE == 1023, "refs per directory page");
_Static_assert(XENDISPL_IN_RING_LEN == 63, "event slots");
_Static_assert(offsetof(struct xendispl_req, op) == 8, "request payload");
_Static_assert(offsetof(struct xendispl_req, op.dbuf_create.data_ofs) == 40, "data_ofs");
_Static_assert(offsetof(struct xendispl_req, op.fb_attach.pixel_format) == 32, "pixel_format");
_Static_assert(offsetof(struct xendispl_req, op.set_config.bpp) == 32, "bpp");
_Static_assert(offsetof(struct xendispl_req, op.get_edid.gref_directory) == 12, "edid dir");
_Static_assert(offsetof(struct xendispl_resp, status) == 4, "status");
_Static_assert(offsetof(struct xendispl_resp, op.get_edid.edid_sz) == 8, "edid_sz");
_Static_assert(offsetof(struct xendispl_evt, op.pg_flip.fb_cookie) == 8, "event cookie");

/* Versions this backend speaks, written to the backend's "versions" node. */
#define BE_VERSIONS		"1,2"

/* Name of a XENDISPL_OP_* code, or NULL. */
static inline const char *be_op_name(unsigned int op)
{
	switch (op) {
	case XENDISPL_OP_DBUF_CREATE: return "DBUF_CREATE";
	case XENDISPL_OP_DBUF_DESTROY: return "DBUF_DESTROY";
	case XENDISPL_OP_FB_ATTACH: return "FB_ATTACH";
	case XENDISPL_OP_FB_DETACH: return "FB_DETACH";
	case XENDISPL_OP_SET_CONFIG: return "SET_CONFIG";
	case XENDISPL_OP_PG_FLIP: return "PG_FLIP";
	case XENDISPL_OP_GET_EDID: return "GET_EDID";
	default: return NULL;
	}
}

static inline const char *be_state_name(int state)
{
	static const char *const names[] = {
		"Unknown", "Initialising", "InitWait", "Initialised",
		"Connected", "Closing", "Closed", "Reconfiguring",
		"Reconfigured",
	};

	if (state >= 0 && state < (int)(sizeof(names) / sizeof(names[0])))
		return names[state];
	return "none";
}

#endif
