/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The protocol core of the backend: the state of one connection with one
 * frontend device (display buffers by cookie with their pages,
 * framebuffers by cookie, each connector's configuration) and the answer to
 * every request, with strict checks of what the frontend sends.
 *
 * The core never talks to Xen itself: grant mapping and sharing, and what
 * happens to accepted flips and shown frames, go through struct be_host,
 * which the Xen layer (xen.c) or the unit test's simulated grant table
 * (test_core.c) provides.
 *
 * A protocol violation is anything the specification (displif.h) forbids
 * the frontend to do. Each one is logged with "VIOLATION" and counted; the
 * request gets an error status. Errors that are not the frontend's fault
 * (no memory, an unsupported pixel format) only get an error status.
 */
#ifndef VDISPL_BE_CORE_H
#define VDISPL_BE_CORE_H

#include <stdbool.h>
#include <stdint.h>

#include "proto.h"

#define BE_MAX_CONNECTORS	16
/* Largest display buffer the backend accepts (an error, not a violation). */
#define BE_MAX_DBUF_BYTES	(512u << 20)

struct be_connector_cfg {
	uint32_t width;
	uint32_t height;
	char unique_id[64];
};

/* A device's configuration, from the frontend's XenStore directory. */
struct be_cfg {
	unsigned int num_connectors;
	struct be_connector_cfg conn[BE_MAX_CONNECTORS];
	bool be_alloc;		/* "be-alloc" is "1" */
};

/* A frame as a connector shows it: a framebuffer placed on the screen. */
struct be_frame {
	const uint8_t *pixels;	/* first pixel of the framebuffer */
	uint32_t pitch;		/* bytes per line */
	uint32_t format;	/* DRM fourcc */
	uint32_t width;		/* visible part of the framebuffer */
	uint32_t height;
	uint32_t x;		/* its place on the connector */
	uint32_t y;
	uint32_t screen_width;	/* the connector's resolution */
	uint32_t screen_height;
};

/* What the core needs from the layer below it. ctx is passed back. */
struct be_host {
	void *ctx;
	/* Map count pages granted by the frontend, contiguously. NULL and
	 * errno set on failure. */
	void *(*map)(void *ctx, uint32_t count, const uint32_t *refs,
		     bool writable);
	void (*unmap)(void *ctx, void *addr, uint32_t count);
	/* Allocate count zeroed pages and grant them to the frontend,
	 * writable; their references go to refs. NULL on failure. */
	void *(*share)(void *ctx, uint32_t count, uint32_t *refs);
	void (*unshare)(void *ctx, void *addr, uint32_t count);
	/* A flip was accepted: one frame-done event is due. */
	void (*flipped)(void *ctx, unsigned int conn, uint64_t fb_cookie);
	/* What a connector shows changed; frame is valid until the next
	 * request is handled. */
	void (*shown)(void *ctx, unsigned int conn,
		      const struct be_frame *frame);
};

/* Behaviour chosen on the command line, shared by all connections. */
struct be_opts {
	/* Answer these operations with fail_status, doing nothing: bit
	 * (op - XENDISPL_OP_DBUF_CREATE). Only while misbehave is set. */
	uint32_t fail_ops;
	int32_t fail_status;
	bool misbehave;
	/* Log a hash of each display buffer's pixels when it is destroyed. */
	bool hash;
};

#define BE_OP_BIT(op)	(1u << ((op) - XENDISPL_OP_DBUF_CREATE))

/* Adds the operations of a comma-separated list of names (be_op_name())
 * to mask. -EINVAL, logged, for an unknown name. */
int be_parse_ops(const char *list, uint32_t *mask);

struct be_stats {
	uint64_t requests;
	uint64_t errors;	/* responses with an error status */
	uint64_t violations;
	uint64_t dbufs;		/* created */
	uint64_t fbs;		/* attached */
	uint64_t flips;		/* accepted */
	uint64_t edids;		/* EDIDs sent */
};

struct be_core;

/* name prefixes the log lines, e.g. "dom1/0". NULL if out of memory. */
struct be_core *be_core_new(const char *name, const struct be_cfg *cfg,
			    const struct be_host *host,
			    const struct be_opts *opts);
/* Releases everything the frontend left (a disconnect, not a violation). */
void be_core_free(struct be_core *core);

/* Answers one request that came on connector conn's ring. req is a
 * private copy: the frontend cannot change it under us. */
void be_core_handle(struct be_core *core, unsigned int conn,
		    const struct xendispl_req *req, struct xendispl_resp *rsp);

/* Logs and counts a violation found outside be_core_handle(). */
void be_core_violation(struct be_core *core, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

const struct be_stats *be_core_stats(const struct be_core *core);

/* Live objects, for tests and the disconnect log. */
unsigned int be_core_num_dbufs(const struct be_core *core);
unsigned int be_core_num_fbs(const struct be_core *core);
/* The fb a connector shows, 0 if disabled. */
uint64_t be_core_shown_fb(const struct be_core *core, unsigned int conn);
/* What a connector shows, valid until the next request; false if
 * disabled. */
bool be_core_frame(const struct be_core *core, unsigned int conn,
		   struct be_frame *frame);

/*
 * Page directories (displif.h section 6), exposed for the unit test.
 * be_pgdir_read() fills refs[num_pages] from the directory starting at
 * gref_dir; be_pgdir_write() stores refs into it (backend allocation).
 * Both return 0, or -EINVAL after logging a violation.
 */
int be_pgdir_read(struct be_core *core, uint32_t gref_dir,
		  uint32_t num_pages, uint32_t *refs);
int be_pgdir_write(struct be_core *core, uint32_t gref_dir,
		   uint32_t num_pages, const uint32_t *refs);

/* FNV-1a of the visible bytes of width x height pixels. */
uint32_t be_hash_pixels(const uint8_t *pixels, uint32_t pitch,
			uint32_t width, uint32_t height, uint32_t bpp);

#endif
