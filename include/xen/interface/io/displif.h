/* SPDX-License-Identifier: MIT */
/*
 * displif.h - Xen para-virtual display protocol ("vdispl"), version 2
 *
 * This header is a specification of the wire protocol spoken between a Xen
 * para-virtual display frontend (running in a guest) and its backend (running
 * in a driver domain, usually Dom0). It is written so that either side can be
 * implemented from it alone. Every identifier, constant, structure layout and
 * XenStore node name below is identical to the Xen public "displif" protocol,
 * so a frontend built on this header interoperates with existing backends.
 */

#ifndef __XEN_PUBLIC_IO_DISPLIF_H__
#define __XEN_PUBLIC_IO_DISPLIF_H__

/*
 * Included by full path (as blkif.h does) rather than as "ring.h" and
 * "../grant_table.h": this header is also used from an overlay include
 * directory that holds no ring.h or grant_table.h of its own.
 */
#include <xen/interface/io/ring.h>
#include <xen/interface/grant_table.h>

/*
 * 1. Overview
 * ===========
 *
 * A virtual display device ("vdispl") has one or more connectors. Each
 * connector is one virtual monitor with a fixed visible area, its
 * resolution, set by the toolstack. For each connector the frontend shares
 * two pages with the backend:
 *
 *  - a request ring: the frontend puts requests in, the backend answers each
 *    one with a response in the same ring (standard Xen ring, "ring.h");
 *  - an event page: the backend puts asynchronous events in, the frontend
 *    takes them out (a simple ring defined at the end of this file).
 *
 * Each page has its own event channel for notifications.
 *
 * Pixels live in display buffers. A display buffer is a set of pages
 * shared through grant references, listed in a page directory (section 6).
 * Either the frontend allocates the pages and grants them to the backend, or,
 * if the toolstack allows it, the backend allocates them and grants them to
 * the frontend. A framebuffer is a view of a display buffer with a size and
 * a pixel format. A connector shows one framebuffer at a time: SET_CONFIG
 * chooses it and the mode, PG_FLIP replaces it, and the backend reports with
 * a frame-done event when a flip has reached the screen.
 *
 * Sizes of display buffers and framebuffers are independent of the
 * connector's resolution: they may be smaller, equal or larger, for example
 * when the backend composes several guests' outputs.
 *
 * This protocol can be used next to the older framebuffer protocol (fbif)
 * in the same guest.
 */

/*
 * 2. Protocol version
 * ===================
 *
 * Version 2 added XENDISPL_OP_GET_EDID; everything else is as in version 1.
 */
#define XENDISPL_PROTOCOL_VERSION	"2"
#define XENDISPL_PROTOCOL_VERSION_INT	2

/*
 * 3. XenStore layout
 * ==================
 *
 * All values are strings; numbers are written in decimal. <domid> is the
 * frontend's domain, <devid> the device index, <conn> a connector index.
 *
 * Frontend directory: /local/domain/<domid>/device/vdispl/<devid>/
 *
 *   be-alloc            written by the toolstack, optional.
 *                       "1": the frontend may ask the backend to allocate
 *                       display buffers (XENDISPL_DBUF_FLG_REQ_ALLOC).
 *                       Absent or any other value: the frontend allocates
 *                       all buffers itself.
 *   version             written by the frontend, optional: the protocol
 *                       version it chose from the backend's "versions" list.
 *                       Written in the same transaction as the ring nodes.
 *   <conn>/resolution   written by the toolstack: visible area of the
 *                       connector, "<width>x<height>" in pixels (both fit
 *                       uint32_t; the separator is
 *                       XENDISPL_RESOLUTION_SEPARATOR). If the backend
 *                       supplies an EDID (XENDISPL_OP_GET_EDID), the EDID
 *                       takes precedence over this value.
 *   <conn>/unique-id    written by the toolstack: a string naming the
 *                       connector to the backend (a name, a UUID, ...).
 *                       The frontend does not interpret it.
 *   <conn>/req-ring-ref       written by the frontend: grant reference of the
 *                             connector's request ring page.
 *   <conn>/req-event-channel  written by the frontend: event channel port
 *                             for the request ring.
 *   <conn>/evt-ring-ref       written by the frontend: grant reference of the
 *                             connector's event page.
 *   <conn>/evt-event-channel  written by the frontend: event channel port
 *                             for the event page.
 *
 * Connectors are numbered 0, 1, ..., N-1 without gaps; the frontend finds N
 * from the directory's entries, or by probing <conn>/resolution from 0
 * upwards. Connector 0 always exists.
 *
 * Backend directory: /local/domain/<backend-domid>/backend/vdispl/<domid>/<devid>/
 *
 *   versions            written by the backend, optional: the protocol
 *                       versions it supports, separated by
 *                       XENDISPL_LIST_SEPARATOR, e.g. "1,2".
 *
 *   feature-fb-viewport written by the backend, optional (an extension of
 *                       this header; backends that predate it write nothing
 *                       and frontends that predate it never read it).
 *                       "1": the backend shows, for SET_CONFIG and every
 *                       PG_FLIP after it, the rectangle x, y, width, height
 *                       of a framebuffer of any size that holds it (a
 *                       framebuffer larger than the mode: panning, one
 *                       framebuffer across connectors of different sizes).
 *                       Absent or any other value: the backend may size
 *                       what it shows from FB_ATTACH, so the frontend
 *                       shows only framebuffers whose width and height are
 *                       SET_CONFIG's width and height, with x and y 0; it
 *                       can still show part of a larger one by attaching
 *                       a framebuffer of the mode's size to a display
 *                       buffer whose data_ofs and width (its stride) put
 *                       that part's first pixel and lines where the
 *                       backend reads them.
 *
 * The known backend and the xl toolstack do not write "versions". A frontend
 * must not require it, and a backend must not require "version". Without a
 * version list, a frontend may still send XENDISPL_OP_GET_EDID and treat an
 * error response as "no EDID available".
 *
 * Besides these, both directories hold the usual xenbus nodes ("state",
 * "backend"/"backend-id", "frontend"/"frontend-id", "online").
 *
 * Example: domain 1, device 0, two connectors, frontend-allocated buffers,
 * backend in domain 0, both sides connected:
 *
 *   /local/domain/0/backend/vdispl/1/0/
 *       frontend          = "/local/domain/1/device/vdispl/0"
 *       frontend-id       = "1"
 *       online            = "1"
 *       state             = "4"
 *
 *   /local/domain/1/device/vdispl/0/
 *       backend           = "/local/domain/0/backend/vdispl/1/0"
 *       backend-id        = "0"
 *       state             = "4"
 *       be-alloc          = "0"
 *       0/resolution        = "1920x1080"
 *       0/unique-id         = "monitor0"
 *       0/req-ring-ref      = "8"
 *       0/req-event-channel = "17"
 *       0/evt-ring-ref      = "9"
 *       0/evt-event-channel = "18"
 *       1/resolution        = "1024x768"
 *       1/unique-id         = "monitor1"
 *       1/req-ring-ref      = "10"
 *       1/req-event-channel = "19"
 *       1/evt-ring-ref      = "11"
 *       1/evt-event-channel = "20"
 */
#define XENDISPL_DRIVER_NAME		"vdispl"

#define XENDISPL_LIST_SEPARATOR		","
#define XENDISPL_RESOLUTION_SEPARATOR	"x"

#define XENDISPL_FIELD_BE_VERSIONS	"versions"
#define XENDISPL_FIELD_BE_FB_VIEWPORT	"feature-fb-viewport"
#define XENDISPL_FIELD_FE_VERSION	"version"
#define XENDISPL_FIELD_REQ_RING_REF	"req-ring-ref"
#define XENDISPL_FIELD_REQ_CHANNEL	"req-event-channel"
#define XENDISPL_FIELD_EVT_RING_REF	"evt-ring-ref"
#define XENDISPL_FIELD_EVT_CHANNEL	"evt-event-channel"
#define XENDISPL_FIELD_RESOLUTION	"resolution"
#define XENDISPL_FIELD_BE_ALLOC		"be-alloc"
#define XENDISPL_FIELD_UNIQUE_ID	"unique-id"

/*
 * 4. Connection states
 * ====================
 *
 * The toolstack creates both directories with state Initialising (1). The
 * frontend then follows the backend:
 *
 *   backend state          frontend action                  frontend state
 *   -------------          ---------------                  --------------
 *   Initialising (1)       wait                             Initialising (1)
 *        |
 *   InitWait (2)   ----->  read be-alloc, connectors and
 *                          (if present) versions; allocate
 *                          a request ring, an event page and
 *                          two event channels per connector;
 *                          write all ring/channel nodes and
 *                          "version" in ONE transaction ---> Initialised (3)
 *        |
 *   Connected (4)  ----->  create the display device and
 *                          start sending requests ---------> Connected (4)
 *        |
 *   Closing (5),   ----->  stop using the rings, release the
 *   Closed (6),            display device, revoke grants
 *   Unknown (0),           once the backend no longer maps
 *   or InitWait (2)        them, free event channels ------> Initialising (1)
 *   again (restart)        (or Closed (6) when the device
 *                          is being removed)
 *        |
 *   InitWait (2)   ----->  connect again, as above
 *
 * The frontend publishes its rings only in reaction to InitWait, and never
 * sends a request before the backend is Connected. If the frontend fails or
 * goes to Closed, the backend drops the connection and releases everything
 * it mapped. While guest clients still use the old display device, the
 * frontend may report the device as disconnected, or stay in Reconfiguring
 * (7) until they are gone; either way, requests are not sent to a backend
 * that is not Connected.
 */

/*
 * 5. Transport and common rules
 * =============================
 *
 * Byte order and alignment are the natural ones of the guest architecture
 * (little-endian on x86 and Arm). Every request, response and event
 * slot is 64 bytes. Reserved fields are written as zero and ignored on
 * receipt.
 *
 * Request ring: one XENDISPL_PAGE_SIZE page per connector, laid out by
 * DEFINE_RING_TYPES(xen_displif, ...) below, which gives 32 slots. The
 * frontend produces requests and the backend produces responses, each
 * notifying the other through req-event-channel when the ring macros say a
 * notification is needed (RING_PUSH_*_AND_CHECK_NOTIFY and
 * RING_FINAL_CHECK_FOR_*).
 *
 * Which ring: DBUF_CREATE, DBUF_DESTROY, FB_ATTACH and FB_DETACH concern the
 * device as a whole and are sent on connector 0's ring. SET_CONFIG, PG_FLIP
 * and GET_EDID are sent on the ring of the connector they concern.
 *
 * Request ids: the frontend puts any 16-bit value in a request's id; the
 * backend copies it, and the request's operation, into the response. The
 * frontend matches responses to requests by id. A response whose id
 * matches no outstanding request, or whose operation is not that request's,
 * is a protocol error.
 *
 * Status: every response carries a status, 0 on success or a negative Xen
 * error number (-XEN_EINVAL, -XEN_ENOMEM, ...; the common ones equal the
 * Linux errno values). A positive status is a protocol error.
 *
 * Cookies: display buffers and framebuffers are named by 64-bit cookies
 * chosen by the frontend. The backend never interprets them; it only uses
 * them as keys. Each live cookie is unique among the frontend's display
 * buffers (dbuf_cookie) or framebuffers (fb_cookie); 0 is never a valid
 * cookie. A cookie may be reused once its object has been destroyed or
 * detached.
 *
 * Grant reference 0 is never given to a PV driver (it is reserved for the
 * console), so this protocol uses 0 to mean "no reference".
 *
 * All page sizes in this protocol are XENDISPL_PAGE_SIZE (4 KiB Xen pages),
 * independent of the guest kernel's page size.
 */
#define XENDISPL_PAGE_SIZE		4096UL

/*
 * 6. Page directory
 * =================
 *
 * A shared buffer (display buffer or EDID buffer) is described by a chain of
 * directory pages. A request carries the grant reference of the first
 * directory page (gref_directory). Each directory page holds, in order:
 *
 *   - the grant reference of the next directory page, or 0 in the last one;
 *   - the grant references of consecutive buffer pages, up to
 *     XENDISPL_PAGE_DIR_GREFS_PER_PAGE (1023) per directory page.
 *
 * The number of buffer pages is not sent; both sides compute it from the
 * request's buffer_sz as (buffer_sz + XENDISPL_PAGE_SIZE - 1) /
 * XENDISPL_PAGE_SIZE. Only the last directory page may be partly used, and
 * its unused entries are ignored.
 *
 * Normally the frontend allocates the buffer pages, grants each one to the
 * backend, fills in the references, and grants the directory pages to the
 * backend. With XENDISPL_DBUF_FLG_REQ_ALLOC the frontend still provides and
 * chains the directory pages (granted writable, references left empty), and
 * the backend allocates the buffer, grants its pages to the frontend and
 * writes their references into the directory before answering. For
 * XENDISPL_OP_GET_EDID the backend writes into the buffer pages, so the
 * frontend grants them writable.
 */

/**
 * struct xendispl_page_directory - one page of a page directory
 * @gref_dir_next_page: grant reference of the next directory page, 0 if this
 *	is the last one
 * @gref: grant references of buffer pages; the array continues to the end of
 *	the page (XENDISPL_PAGE_DIR_GREFS_PER_PAGE entries)
 *
 * The array is declared with one element for compatibility with the Xen
 * public header; index it up to XENDISPL_PAGE_DIR_GREFS_PER_PAGE - 1.
 */
struct xendispl_page_directory {
	grant_ref_t gref_dir_next_page;
	grant_ref_t gref[1]; /* Variable length */
};

/* Buffer page references that fit in one directory page: 1023. */
#define XENDISPL_PAGE_DIR_GREFS_PER_PAGE \
	((XENDISPL_PAGE_SIZE - sizeof(grant_ref_t)) / sizeof(grant_ref_t))

/*
 * 7. Operations
 * =============
 *
 * Request codes 0x00 to 0x0f are reserved. Each operation's payload sits in
 * the op union of struct xendispl_req at byte offset 8 of the slot; offsets
 * given below are from the start of the 64-byte slot.
 */
#define XENDISPL_OP_DBUF_CREATE		0x10
#define XENDISPL_OP_DBUF_DESTROY	0x11
#define XENDISPL_OP_FB_ATTACH		0x12
#define XENDISPL_OP_FB_DETACH		0x13
#define XENDISPL_OP_SET_CONFIG		0x14
#define XENDISPL_OP_PG_FLIP		0x15
/* Protocol version 2 and later only. */
#define XENDISPL_OP_GET_EDID		0x16

/* Event codes (type field of struct xendispl_evt). */
#define XENDISPL_EVT_PG_FLIP		0x00

/*
 * XENDISPL_OP_DBUF_CREATE (connector 0's ring): create a display buffer.
 *
 *   offset  size  field
 *        8     8  dbuf_cookie
 *       16     4  width
 *       20     4  height
 *       24     4  bpp
 *       28     4  buffer_sz
 *       32     4  flags
 *       36     4  gref_directory
 *       40     4  data_ofs
 *       44    20  reserved
 *
 * There is no pitch field. The backend assumes each line of the buffer
 * takes XENDISPL_PITCH(width, bpp) bytes, i.e. lines padded to a multiple
 * of 4 bytes, so the frontend lays out its pixels that way. width is thus
 * the buffer's stride in pixels: a frontend whose lines are longer than
 * its framebuffers' (a pitch aligned to 64 or 256 bytes) describes the
 * buffer with the width that gives that pitch, and attaches framebuffers
 * of their own, smaller width to it. A pitch that is no multiple of 4
 * bytes cannot be described.
 *
 * The shared pages must cover data_ofs + XENDISPL_PITCH(width, bpp) * height
 * bytes, so buffer_sz is at least that.
 *
 * width, height and bpp are all 0 when the frontend knows only the size of
 * the buffer (one it imported from another driver). The lines of each
 * framebuffer attached to it then take XENDISPL_PITCH(fb width, fb bpp)
 * bytes, and data_ofs + that * fb height must fit in buffer_sz.
 *
 * data_ofs is below XENDISPL_PAGE_SIZE: a buffer whose first pixel lies
 * further in starts its page directory at that pixel's page. The same
 * pages may be listed by several display buffers (for framebuffers of
 * different pitches or first pixels on one guest buffer).
 *
 * Creating a buffer with a dbuf_cookie that is already in use fails. The
 * frontend may set XENDISPL_DBUF_FLG_REQ_ALLOC only if "be-alloc" is "1";
 * all other flag bits are zero.
 */

/* flags: the backend allocates the buffer and fills the page directory. */
#define XENDISPL_DBUF_FLG_REQ_ALLOC	0x00000001

/* Line length in bytes the backend expects: 4 * ceil(width * bpp / 32). */
#define XENDISPL_PITCH(width, bpp)	((((width) * (bpp) + 31) / 32) * 4)

/**
 * struct xendispl_dbuf_create_req - payload of XENDISPL_OP_DBUF_CREATE
 * @dbuf_cookie: frontend's name for the new display buffer, not 0
 * @width: width of the buffer in pixels
 * @height: height of the buffer in pixels
 * @bpp: bits per pixel
 * @buffer_sz: size of the shared buffer in bytes; determines the number of
 *	page references in the page directory
 * @flags: 0 or XENDISPL_DBUF_FLG_REQ_ALLOC
 * @gref_directory: grant reference of the first page directory page
 * @data_ofs: offset in bytes of the first pixel within the buffer's first
 *	page, for buffers that do not start at a page boundary (such as an
 *	imported buffer); usually 0
 */
struct xendispl_dbuf_create_req {
	uint64_t dbuf_cookie;
	uint32_t width;
	uint32_t height;
	uint32_t bpp;
	uint32_t buffer_sz;
	uint32_t flags;
	grant_ref_t gref_directory;
	uint32_t data_ofs;
};

/*
 * XENDISPL_OP_DBUF_DESTROY (connector 0's ring): destroy a display buffer.
 *
 *   offset  size  field
 *        8     8  dbuf_cookie
 *       16    48  reserved
 *
 * The frontend detaches the buffer's framebuffers first. A backend-allocated
 * buffer is unmapped by the frontend before it sends this request. When the
 * response arrives the backend no longer uses the pages, and the frontend
 * may revoke the grants of the buffer and its directory.
 */

/**
 * struct xendispl_dbuf_destroy_req - payload of XENDISPL_OP_DBUF_DESTROY
 * @dbuf_cookie: display buffer to destroy
 */
struct xendispl_dbuf_destroy_req {
	uint64_t dbuf_cookie;
};

/*
 * XENDISPL_OP_FB_ATTACH (connector 0's ring): create a framebuffer on an
 * existing display buffer.
 *
 *   offset  size  field
 *        8     8  dbuf_cookie
 *       16     8  fb_cookie
 *       24     4  width
 *       28     4  height
 *       32     4  pixel_format
 *       36    28  reserved
 *
 * Attaching with an fb_cookie that is already in use fails.
 */

/**
 * struct xendispl_fb_attach_req - payload of XENDISPL_OP_FB_ATTACH
 * @dbuf_cookie: display buffer holding the pixels
 * @fb_cookie: frontend's name for the new framebuffer, not 0
 * @width: width of the framebuffer in pixels
 * @height: height of the framebuffer in pixels
 * @pixel_format: pixel format as a FOURCC code (the DRM_FORMAT_* values of
 *	drm_fourcc.h)
 */
struct xendispl_fb_attach_req {
	uint64_t dbuf_cookie;
	uint64_t fb_cookie;
	uint32_t width;
	uint32_t height;
	uint32_t pixel_format;
};

/*
 * XENDISPL_OP_FB_DETACH (connector 0's ring): remove a framebuffer. Its
 * display buffer stays.
 *
 *   offset  size  field
 *        8     8  fb_cookie
 *       16    48  reserved
 */

/**
 * struct xendispl_fb_detach_req - payload of XENDISPL_OP_FB_DETACH
 * @fb_cookie: framebuffer to remove
 */
struct xendispl_fb_detach_req {
	uint64_t fb_cookie;
};

/*
 * XENDISPL_OP_SET_CONFIG (the connector's own ring): enable the connector
 * showing a framebuffer, change its mode, or disable it.
 *
 *   offset  size  field
 *        8     8  fb_cookie
 *       16     4  x
 *       20     4  y
 *       24     4  width
 *       28     4  height
 *       32     4  bpp
 *       36    28  reserved
 *
 * A request whose payload is all zero (fb_cookie, x, y, width, height and
 * bpp) disables the connector. Otherwise fb_cookie names the framebuffer
 * to show, width and height (the mode) fit the connector's resolution, and
 * the rectangle x, y, width, height lies within the framebuffer: it is the
 * part shown, from the connector's top left corner (as a CRTC scans out
 * from an offset into its framebuffer; several connectors may show parts
 * of one framebuffer). A page flip keeps x, y, width and height.
 */

/**
 * struct xendispl_set_config_req - payload of XENDISPL_OP_SET_CONFIG
 * @fb_cookie: framebuffer to show, 0 to disable
 * @x: first column of the framebuffer shown, at the connector's left edge
 *      (a CRTC's scanout offset), in pixels
 * @y: first line of the framebuffer shown, at the connector's top edge,
 *      in pixels
 * @width: width of the shown area in pixels
 * @height: height of the shown area in pixels
 * @bpp: bits per pixel of the framebuffer
 */
struct xendispl_set_config_req {
	uint64_t fb_cookie;
	uint32_t x;
	uint32_t y;
	uint32_t width;
	uint32_t height;
	uint32_t bpp;
};

/*
 * XENDISPL_OP_PG_FLIP (the connector's own ring): show another framebuffer
 * on an enabled connector.
 *
 *   offset  size  field
 *        8     8  fb_cookie
 *       16    48  reserved
 *
 * The response only says the request was accepted. When the frame is
 * shown, the backend sends XENDISPL_EVT_PG_FLIP with the same fb_cookie on
 * that connector's event page. A frontend must not wait for that event
 * without a timeout.
 */

/**
 * struct xendispl_page_flip_req - payload of XENDISPL_OP_PG_FLIP
 * @fb_cookie: framebuffer to show
 */
struct xendispl_page_flip_req {
	uint64_t fb_cookie;
};

/*
 * XENDISPL_OP_GET_EDID (the connector's own ring; version 2 and later):
 * ask the backend for the connector's EDID.
 *
 *   offset  size  field
 *        8     4  buffer_sz
 *       12     4  gref_directory
 *       16    48  reserved
 *
 * The frontend provides a shared buffer of at least XENDISPL_EDID_MAX_SIZE
 * bytes through a page directory (section 6), granted writable. The backend
 * writes the EDID at offset 0 and returns its length in
 * struct xendispl_get_edid_resp. An error status means no EDID is
 * available: the connector's "resolution" node then defines its mode. A
 * version 1 backend does not support this request.
 */
#define XENDISPL_EDID_BLOCK_SIZE	128
#define XENDISPL_EDID_BLOCK_COUNT	256
#define XENDISPL_EDID_MAX_SIZE		(XENDISPL_EDID_BLOCK_SIZE * XENDISPL_EDID_BLOCK_COUNT)

/**
 * struct xendispl_get_edid_req - payload of XENDISPL_OP_GET_EDID
 * @buffer_sz: size of the shared EDID buffer in bytes
 * @gref_directory: grant reference of the first page directory page
 */
struct xendispl_get_edid_req {
	uint32_t buffer_sz;
	grant_ref_t gref_directory;
};

/**
 * struct xendispl_get_edid_resp - response payload of XENDISPL_OP_GET_EDID
 * @edid_sz: number of EDID bytes written into the buffer (whole
 *	XENDISPL_EDID_BLOCK_SIZE blocks); never more than the request's
 *	buffer_sz, which the frontend checks
 */
struct xendispl_get_edid_resp {
	uint32_t edid_sz;
};

/*
 * 8. Events
 * =========
 *
 * XENDISPL_EVT_PG_FLIP (frame done), on the connector's event page:
 *
 *   offset  size  field
 *        8     8  fb_cookie
 *       16    48  reserved
 *
 * The frame requested by XENDISPL_OP_PG_FLIP with this fb_cookie has been
 * shown. The backend sends one such event per accepted flip.
 */

/**
 * struct xendispl_pg_flip_evt - payload of XENDISPL_EVT_PG_FLIP
 * @fb_cookie: framebuffer whose flip has completed
 */
struct xendispl_pg_flip_evt {
	uint64_t fb_cookie;
};

/*
 * 9. Slots
 * ========
 *
 * Request slot                       Response slot
 *   offset  size  field                offset  size  field
 *        0     2  id                        0     2  id
 *        2     1  operation                 2     1  operation
 *        3     5  reserved                  3     1  reserved
 *        8    56  op                        4     4  status
 *                                           8    56  op
 * Event slot
 *   offset  size  field
 *        0     2  id
 *        2     1  type
 *        3     5  reserved
 *        8    56  op
 */

/**
 * struct xendispl_req - request slot (64 bytes), frontend to backend
 * @id: frontend's request id, copied into the response
 * @operation: XENDISPL_OP_* code
 * @reserved: zero
 * @op: payload selected by @operation
 * @op.dbuf_create: payload of XENDISPL_OP_DBUF_CREATE
 * @op.dbuf_destroy: payload of XENDISPL_OP_DBUF_DESTROY
 * @op.fb_attach: payload of XENDISPL_OP_FB_ATTACH
 * @op.fb_detach: payload of XENDISPL_OP_FB_DETACH
 * @op.set_config: payload of XENDISPL_OP_SET_CONFIG
 * @op.pg_flip: payload of XENDISPL_OP_PG_FLIP
 * @op.get_edid: payload of XENDISPL_OP_GET_EDID
 * @op.reserved: fixes the payload size at 56 bytes; unused bytes are zero
 */
struct xendispl_req {
	uint16_t id;
	uint8_t operation;
	uint8_t reserved[5];
	union {
		struct xendispl_dbuf_create_req dbuf_create;
		struct xendispl_dbuf_destroy_req dbuf_destroy;
		struct xendispl_fb_attach_req fb_attach;
		struct xendispl_fb_detach_req fb_detach;
		struct xendispl_set_config_req set_config;
		struct xendispl_page_flip_req pg_flip;
		struct xendispl_get_edid_req get_edid;
		uint8_t reserved[56];
	} op;
};

/**
 * struct xendispl_resp - response slot (64 bytes), backend to frontend
 * @id: id of the request being answered
 * @operation: the request's XENDISPL_OP_* code, copied by the backend;
 *	a response whose @id or @operation differs from the request's is a
 *	protocol error
 * @reserved: zero
 * @status: 0 on success, a negative Xen error number on failure
 * @op: payload for operations that return data
 * @op.get_edid: payload for XENDISPL_OP_GET_EDID
 * @op.reserved1: fixes the payload size at 56 bytes; unused bytes are zero
 */
struct xendispl_resp {
	uint16_t id;
	uint8_t operation;
	uint8_t reserved;
	int32_t status;
	union {
		struct xendispl_get_edid_resp get_edid;
		uint8_t reserved1[56];
	} op;
};

/**
 * struct xendispl_evt - event slot (64 bytes), backend to frontend
 * @id: backend's event sequence number; the frontend may ignore it
 * @type: XENDISPL_EVT_* code
 * @reserved: zero
 * @op: payload selected by @type
 * @op.pg_flip: payload of XENDISPL_EVT_PG_FLIP
 * @op.reserved: fixes the payload size at 56 bytes; unused bytes are zero
 */
struct xendispl_evt {
	uint16_t id;
	uint8_t type;
	uint8_t reserved[5];
	union {
		struct xendispl_pg_flip_evt pg_flip;
		uint8_t reserved[56];
	} op;
};

DEFINE_RING_TYPES(xen_displif, struct xendispl_req, struct xendispl_resp);

/*
 * 10. Event page
 * ==============
 *
 * The frontend allocates one XENDISPL_PAGE_SIZE page per connector and
 * publishes its grant reference and event channel as evt-ring-ref and
 * evt-event-channel. The page starts with struct xendispl_event_page; the
 * rest holds XENDISPL_IN_RING_LEN (63) event slots.
 *
 * in_prod and in_cons are free-running counters. The backend writes an
 * event into XENDISPL_IN_RING_REF(page, in_prod), then advances in_prod (with
 * a write barrier in between) and notifies the event channel. It writes only
 * when in_prod - in_cons < XENDISPL_IN_RING_LEN. The frontend reads in_prod,
 * issues a read barrier, consumes the slots from in_cons up to in_prod,
 * then stores the new in_cons; it may do so after each event or after a
 * batch. A frontend treats in_prod - in_cons > XENDISPL_IN_RING_LEN as a
 * protocol error.
 *
 * Slots are selected by the counter modulo XENDISPL_IN_RING_LEN. As 63 does
 * not divide 2^32, the slot sequence jumps when the counters wrap; at one
 * event per frame at 60 Hz that is more than two years away.
 */

/**
 * struct xendispl_event_page - header of the event page
 * @in_cons: index of the next event the frontend will consume; written by
 *	the frontend only
 * @in_prod: index of the next event the backend will produce; written by
 *	the backend only
 * @reserved: zero; pads the header to one 64-byte slot
 */
struct xendispl_event_page {
	uint32_t in_cons;
	uint32_t in_prod;
	uint8_t reserved[56];
};

#define XENDISPL_EVENT_PAGE_SIZE	XENDISPL_PAGE_SIZE
#define XENDISPL_IN_RING_OFFS		(sizeof(struct xendispl_event_page))
#define XENDISPL_IN_RING_SIZE		(XENDISPL_EVENT_PAGE_SIZE - XENDISPL_IN_RING_OFFS)
#define XENDISPL_IN_RING_LEN		(XENDISPL_IN_RING_SIZE / sizeof(struct xendispl_evt))
#define XENDISPL_IN_RING(page) \
	((struct xendispl_evt *)((char *)(page) + XENDISPL_IN_RING_OFFS))
#define XENDISPL_IN_RING_REF(page, idx) \
	(XENDISPL_IN_RING((page))[(idx) % XENDISPL_IN_RING_LEN])

/*
 * 11. Layout checks
 * =================
 *
 * The wire layout must not change; let the compiler enforce it.
 */
#ifdef __KERNEL__
#include <linux/build_bug.h>
#include <linux/stddef.h>

static_assert(sizeof(struct xendispl_req) == 64);
static_assert(sizeof(struct xendispl_resp) == 64);
static_assert(sizeof(struct xendispl_evt) == 64);
static_assert(sizeof(struct xendispl_event_page) == 64);
static_assert(sizeof(struct xendispl_page_directory) == 8);
static_assert(XENDISPL_PAGE_DIR_GREFS_PER_PAGE == 1023);
static_assert(XENDISPL_IN_RING_LEN == 63);

static_assert(offsetof(struct xendispl_req, operation) == 2);
static_assert(offsetof(struct xendispl_req, op) == 8);
static_assert(offsetof(struct xendispl_req, op.dbuf_create.dbuf_cookie) == 8);
static_assert(offsetof(struct xendispl_req, op.dbuf_create.width) == 16);
static_assert(offsetof(struct xendispl_req, op.dbuf_create.bpp) == 24);
static_assert(offsetof(struct xendispl_req, op.dbuf_create.buffer_sz) == 28);
static_assert(offsetof(struct xendispl_req, op.dbuf_create.flags) == 32);
static_assert(offsetof(struct xendispl_req, op.dbuf_create.gref_directory) == 36);
static_assert(offsetof(struct xendispl_req, op.dbuf_create.data_ofs) == 40);
static_assert(offsetof(struct xendispl_req, op.fb_attach.fb_cookie) == 16);
static_assert(offsetof(struct xendispl_req, op.fb_attach.pixel_format) == 32);
static_assert(offsetof(struct xendispl_req, op.set_config.x) == 16);
static_assert(offsetof(struct xendispl_req, op.set_config.bpp) == 32);
static_assert(offsetof(struct xendispl_req, op.pg_flip.fb_cookie) == 8);
static_assert(offsetof(struct xendispl_req, op.get_edid.buffer_sz) == 8);
static_assert(offsetof(struct xendispl_req, op.get_edid.gref_directory) == 12);

static_assert(offsetof(struct xendispl_resp, operation) == 2);
static_assert(offsetof(struct xendispl_resp, status) == 4);
static_assert(offsetof(struct xendispl_resp, op) == 8);
static_assert(offsetof(struct xendispl_resp, op.get_edid.edid_sz) == 8);

static_assert(offsetof(struct xendispl_evt, type) == 2);
static_assert(offsetof(struct xendispl_evt, op) == 8);
static_assert(offsetof(struct xendispl_evt, op.pg_flip.fb_cookie) == 8);

static_assert(offsetof(struct xendispl_event_page, in_prod) == 4);
static_assert(offsetof(struct xendispl_page_directory, gref) == 4);
#endif /* __KERNEL__ */

#endif /* __XEN_PUBLIC_IO_DISPLIF_H__ */
