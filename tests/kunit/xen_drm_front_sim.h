/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Simulated Xen for the frontend's KUnit suites.
 *
 * xen_drm_front_sim.c implements every primitive of xen_drm_front_xen.h
 * for one frontend domain (XDF_SIM_FRONT_DOMID) talking to a backend in
 * XDF_SIM_BACK_DOMID, and a scriptable displif backend. This header is the
 * test-facing side: XenStore access and fault injection, vdispl devices on
 * a simulated xenbus, the backend's state, requests and events, and the
 * counters every suite checks at exit with xdf_sim_expect_clean().
 */

#ifndef __XEN_DRM_FRONT_SIM_H_
#define __XEN_DRM_FRONT_SIM_H_

#include <linux/types.h>
#include <linux/string.h>

#include <xen/xenbus.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/io/displif.h>

struct kunit;

#define XDF_SIM_FRONT_DOMID	1
#define XDF_SIM_BACK_DOMID	0

/* Connectors a test may configure in XenStore (more than the driver uses). */
#define XDF_SIM_MAX_CONNECTORS	12
/* Misbehaviour rules per backend connector. */
#define XDF_SIM_MAX_RULES	8

#ifndef INVALID_GRANT_REF
#define INVALID_GRANT_REF	((grant_ref_t)-1)
#endif
#ifndef INVALID_GRANT_HANDLE
#define INVALID_GRANT_HANDLE	((grant_handle_t)-1)
#endif

/* XenStore */

int xdf_sim_xs_write(const char *path, const char *value);
char *xdf_sim_xs_read(const char *path);
bool xdf_sim_xs_exists(const char *path);
void xdf_sim_xs_rm(const char *path);
int xdf_sim_xs_list(const char *dir, bool values, char *buf, size_t size);

/**
 * struct xdf_sim_xs_faults - XenStore faults to inject into the driver's
 *			      xdf_xen_xs_*() calls
 * @fail_reads: fail this many next reads with @err
 * @fail_writes: fail this many next writes with @err
 * @fail_starts: fail this many next transaction starts with @err
 * @eagain_commits: make this many next commits fail with -EAGAIN (the
 *		    transaction's writes are discarded)
 * @err: negative errno for the failures above, -EIO if 0
 */
struct xdf_sim_xs_faults {
	unsigned int fail_reads;
	unsigned int fail_writes;
	unsigned int fail_starts;
	unsigned int eagain_commits;
	int err;
};

void xdf_sim_xs_inject(const struct xdf_sim_xs_faults *faults);

/**
 * struct xdf_sim_xs_stats - what the driver asked of XenStore
 * @starts: transactions started
 * @commits: transactions committed successfully
 * @eagains: commits answered with -EAGAIN
 * @aborts: transactions ended with abort
 * @reads: read requests: values and directory listings
 */
struct xdf_sim_xs_stats {
	unsigned int starts;
	unsigned int commits;
	unsigned int eagains;
	unsigned int aborts;
	unsigned int reads;
};

void xdf_sim_xs_get_stats(struct xdf_sim_xs_stats *stats);

/* Devices on the simulated xenbus */

/**
 * struct xdf_sim_connector - one connector's toolstack configuration
 * @resolution: value of N/resolution, or NULL to leave the node out
 * @unique_id: value of N/unique-id, or NULL to leave the node out
 */
struct xdf_sim_connector {
	const char *resolution;
	const char *unique_id;
};

/**
 * struct xdf_sim_config - a vdispl device as the toolstack creates it
 * @id: device id: frontend dir device/vdispl/<id>
 * @be_alloc: value of be-alloc, or NULL to leave the node out
 * @versions: backend's "versions" node, or NULL to leave it out
 * @num_connectors: entries of @connectors written to XenStore
 * @connectors: per-connector nodes
 * @backend_state: backend state when the device appears; 0 means
 *		   XenbusStateInitWait, as a backend that is already up
 * @hold: the backend maps the rings but does not switch to Connected until
 *	  the test calls xdf_sim_backend_set_state(..., XenbusStateConnected)
 * @devicetype: xenbus device type, NULL for "vdispl"; another type gets
 *		no driver, for tests of the simulation itself
 * @no_fb_viewport: the backend does not write feature-fb-viewport and, as
 *		    displ_be, shows only framebuffers of the mode's size:
 *		    SET_CONFIG or PG_FLIP of another, or at x, y other than
 *		    0, 0, is a violation (&xdf_sim_kms_stats.oversize_shown)
 */
struct xdf_sim_config {
	unsigned int id;
	const char *be_alloc;
	const char *versions;
	unsigned int num_connectors;
	struct xdf_sim_connector connectors[XDF_SIM_MAX_CONNECTORS];
	enum xenbus_state backend_state;
	bool hold;
	const char *devicetype;
	bool no_fb_viewport;
};

struct xdf_sim_dev;

struct xdf_sim_dev *xdf_sim_dev_add(const struct xdf_sim_config *cfg);
void xdf_sim_dev_remove(struct xdf_sim_dev *sdev);
int xdf_sim_dev_unbind_driver(struct xdf_sim_dev *sdev);
int xdf_sim_dev_bind_driver(struct xdf_sim_dev *sdev);
struct xenbus_device *xdf_sim_dev_xb(struct xdf_sim_dev *sdev);
const char *xdf_sim_dev_frontend_dir(struct xdf_sim_dev *sdev);
const char *xdf_sim_dev_backend_dir(struct xdf_sim_dev *sdev);
enum xenbus_state xdf_sim_frontend_state(struct xdf_sim_dev *sdev);
bool xdf_sim_wait_frontend_state(struct xdf_sim_dev *sdev,
				 enum xenbus_state state,
				 unsigned int timeout_ms);
unsigned int xdf_sim_dev_fatal_count(struct xdf_sim_dev *sdev);
int xdf_sim_dev_fatal_err(struct xdf_sim_dev *sdev, char *what, size_t size);
void xdf_sim_settle(void);

/* The simulated displif backend */

/**
 * enum xdf_sim_action - how the backend treats a request
 * @XDF_SIM_REPLY: answer with status 0 (the default)
 * @XDF_SIM_DELAY: answer with status 0 after @param milliseconds
 * @XDF_SIM_SILENT: never answer
 * @XDF_SIM_STATUS: answer with status @param (negative, positive, garbage)
 * @XDF_SIM_WRONG_ID: answer with an id that is not the request's
 * @XDF_SIM_WRONG_OP: answer with another operation than the request's
 * @XDF_SIM_RSP_OVERFLOW: answer, then make the response producer claim
 *			  @param more responses (0: more than the ring holds)
 */
enum xdf_sim_action {
	XDF_SIM_REPLY,
	XDF_SIM_DELAY,
	XDF_SIM_SILENT,
	XDF_SIM_STATUS,
	XDF_SIM_WRONG_ID,
	XDF_SIM_WRONG_OP,
	XDF_SIM_RSP_OVERFLOW,
};

#define XDF_SIM_ANY_OP		(-1)
#define XDF_SIM_FOREVER		(-1)

int xdf_sim_backend_script(struct xdf_sim_dev *sdev, unsigned int conn,
			   int op, int count, enum xdf_sim_action action,
			   int param);
void xdf_sim_backend_clear_script(struct xdf_sim_dev *sdev, unsigned int conn);
void xdf_sim_backend_set_edid_size(struct xdf_sim_dev *sdev,
				   unsigned int conn, u32 size);
void xdf_sim_backend_set_state(struct xdf_sim_dev *sdev,
			       enum xenbus_state state);
enum xenbus_state xdf_sim_backend_state(struct xdf_sim_dev *sdev);
void xdf_sim_backend_restart(struct xdf_sim_dev *sdev);
void xdf_sim_backend_freeze(struct xdf_sim_dev *sdev, bool frozen);
int xdf_sim_backend_answer_late(struct xdf_sim_dev *sdev, unsigned int conn,
				const unsigned int *order, unsigned int count);
bool xdf_sim_backend_connected(struct xdf_sim_dev *sdev);
unsigned int xdf_sim_backend_num_connected(struct xdf_sim_dev *sdev);
int xdf_sim_backend_connect_error(struct xdf_sim_dev *sdev);
unsigned int xdf_sim_backend_front_errors(struct xdf_sim_dev *sdev);
unsigned int xdf_sim_backend_fe_version(struct xdf_sim_dev *sdev);
unsigned int xdf_sim_backend_num_requests(struct xdf_sim_dev *sdev,
					  unsigned int conn);
bool xdf_sim_backend_request(struct xdf_sim_dev *sdev, unsigned int conn,
			     unsigned int idx, struct xendispl_req *req);
bool xdf_sim_backend_wait_requests(struct xdf_sim_dev *sdev,
				   unsigned int conn, unsigned int count,
				   unsigned int timeout_ms);
void xdf_sim_backend_clear_requests(struct xdf_sim_dev *sdev);
int xdf_sim_backend_send_frame_done(struct xdf_sim_dev *sdev,
				    unsigned int conn, u64 fb_cookie);
int xdf_sim_backend_send_event(struct xdf_sim_dev *sdev, unsigned int conn,
			       u8 type, u64 fb_cookie);
int xdf_sim_backend_send_raw_event(struct xdf_sim_dev *sdev, unsigned int conn,
				   const struct xendispl_evt *evt);
int xdf_sim_backend_flood(struct xdf_sim_dev *sdev, unsigned int conn,
			  unsigned int count, u64 first_cookie);
int xdf_sim_backend_corrupt_evt_prod(struct xdf_sim_dev *sdev,
				     unsigned int conn);
int xdf_sim_backend_notify(struct xdf_sim_dev *sdev, unsigned int conn,
			   bool evt);
unsigned int xdf_sim_evtchn_spurious_eois(void);
u32 xdf_sim_backend_evt_cons(struct xdf_sim_dev *sdev, unsigned int conn);

/**
 * enum xdf_sim_index - a ring index xdf_sim_backend_set_index() writes
 * @XDF_SIM_RSP_PROD: the request ring's response producer
 * @XDF_SIM_REQ_CONS: the backend's request consumer: it reads requests
 *		      again
 * @XDF_SIM_EVT_IN_PROD: the event page's producer
 * @XDF_SIM_EVT_IN_CONS: the event page's consumer (the frontend's to write)
 */
enum xdf_sim_index {
	XDF_SIM_RSP_PROD,
	XDF_SIM_REQ_CONS,
	XDF_SIM_EVT_IN_PROD,
	XDF_SIM_EVT_IN_CONS,
};

int xdf_sim_backend_set_index(struct xdf_sim_dev *sdev, unsigned int conn,
			      enum xdf_sim_index index, u32 delta);

/**
 * struct xdf_sim_hooks - a test's rewrites of what the backend writes
 * @response: called with every response before it is published, may
 *	      rewrite any of its fields; false drops it (never published)
 * @dbuf_dir: called with the references a backend-allocated DBUF_CREATE
 *	      is about to write into the page directory, may rewrite them
 * @priv: passed to the hooks
 */
struct xdf_sim_hooks {
	bool (*response)(void *priv, unsigned int conn,
			 struct xendispl_resp *resp);
	void (*dbuf_dir)(void *priv, grant_ref_t *refs, unsigned int count);
	void *priv;
};

void xdf_sim_backend_set_hooks(struct xdf_sim_dev *sdev,
			       const struct xdf_sim_hooks *hooks);

/* Display buffers as the backend knows them */

/**
 * enum xdf_sim_dbuf_fault - how the backend misbehaves on a backend-allocated
 *			     DBUF_CREATE
 * @XDF_SIM_DBUF_OK: allocate, grant and list every page (the default)
 * @XDF_SIM_DBUF_BAD_REFS: allocate and grant the pages but list references
 *			   that are not grants of the backend
 * @XDF_SIM_DBUF_TOO_FEW: grant and list only the first half of the pages,
 *			  leave the other entries 0
 */
enum xdf_sim_dbuf_fault {
	XDF_SIM_DBUF_OK,
	XDF_SIM_DBUF_BAD_REFS,
	XDF_SIM_DBUF_TOO_FEW,
};

/**
 * struct xdf_sim_dbuf_info - a display buffer the backend created
 * @cookie: dbuf_cookie of the DBUF_CREATE request
 * @width: width from the request
 * @height: height from the request
 * @bpp: bpp from the request
 * @buffer_sz: buffer_sz from the request
 * @flags: flags from the request
 * @data_ofs: data_ofs from the request
 * @num_pages: buffer pages, ceil(@buffer_sz / XENDISPL_PAGE_SIZE)
 * @num_dir_pages: directory pages the backend walked
 */
struct xdf_sim_dbuf_info {
	u64 cookie;
	u32 width;
	u32 height;
	u32 bpp;
	u32 buffer_sz;
	u32 flags;
	u32 data_ofs;
	unsigned int num_pages;
	unsigned int num_dir_pages;
};

/**
 * struct xdf_sim_dbuf_stats - what the backend saw of display buffers
 * @created: buffers it created
 * @destroyed: buffers it destroyed on DBUF_DESTROY
 * @refused: DBUF_CREATE requests it refused as invalid (fields, directory)
 * @unknown_destroys: DBUF_DESTROY for a cookie it does not know: a
 *		      protocol violation of the frontend
 * @revoked_early: pages of a buffer whose grant the frontend had already
 *		   revoked when DBUF_DESTROY arrived (must stay 0)
 * @still_mapped: pages of a backend-allocated buffer the frontend still
 *		  mapped when DBUF_DESTROY arrived (must stay 0)
 * @wrong_ring: buffer requests not on connector 0's ring
 */
struct xdf_sim_dbuf_stats {
	unsigned int created;
	unsigned int destroyed;
	unsigned int refused;
	unsigned int unknown_destroys;
	unsigned int revoked_early;
	unsigned int still_mapped;
	unsigned int wrong_ring;
};

unsigned int xdf_sim_backend_num_dbufs(struct xdf_sim_dev *sdev);
bool xdf_sim_backend_dbuf(struct xdf_sim_dev *sdev, u64 cookie,
			  struct xdf_sim_dbuf_info *info);
unsigned int xdf_sim_backend_dbuf_refs(struct xdf_sim_dev *sdev, u64 cookie,
				       grant_ref_t *refs, unsigned int max);
unsigned int xdf_sim_backend_dbuf_dir_refs(struct xdf_sim_dev *sdev,
					   u64 cookie, grant_ref_t *refs,
					   unsigned int max);
int xdf_sim_backend_dbuf_read(struct xdf_sim_dev *sdev, u64 cookie,
			      size_t offset, void *buf, size_t len);
int xdf_sim_backend_dbuf_write(struct xdf_sim_dev *sdev, u64 cookie,
			       size_t offset, const void *buf, size_t len);
void xdf_sim_backend_set_dbuf_fault(struct xdf_sim_dev *sdev,
				    enum xdf_sim_dbuf_fault fault);
void xdf_sim_backend_keep_dbufs(struct xdf_sim_dev *sdev, bool keep);
int xdf_sim_backend_revoke_dbuf(struct xdf_sim_dev *sdev, u64 cookie);
int xdf_sim_backend_dbuf_rewrite_dir(struct xdf_sim_dev *sdev, u64 cookie,
				     const grant_ref_t *refs,
				     unsigned int count);
void xdf_sim_backend_drop_dbufs(struct xdf_sim_dev *sdev);
void xdf_sim_backend_dbuf_stats(struct xdf_sim_dev *sdev,
				struct xdf_sim_dbuf_stats *stats);

/* Framebuffers, configurations, flips and EDID as the backend knows them */

/**
 * enum xdf_sim_frame_done - when the backend sends a PG_FLIP's frame-done
 * @XDF_SIM_FD_AFTER: right after the response (the default)
 * @XDF_SIM_FD_BEFORE: before the response is written
 * @XDF_SIM_FD_NEVER: never
 * @XDF_SIM_FD_TWICE: twice, after the response
 * @XDF_SIM_FD_WRONG_COOKIE: after the response, naming another framebuffer
 */
enum xdf_sim_frame_done {
	XDF_SIM_FD_AFTER,
	XDF_SIM_FD_BEFORE,
	XDF_SIM_FD_NEVER,
	XDF_SIM_FD_TWICE,
	XDF_SIM_FD_WRONG_COOKIE,
};

/* The cookie XDF_SIM_FD_WRONG_COOKIE names instead of the flip's. */
#define XDF_SIM_WRONG_COOKIE(cookie)	((cookie) ^ 0x5a5a0000ull)

/**
 * struct xdf_sim_fb_info - a framebuffer the backend attached
 * @fb_cookie: fb_cookie of the FB_ATTACH request
 * @dbuf_cookie: its display buffer
 * @width: width from the request
 * @height: height from the request
 * @pixel_format: fourcc from the request
 */
struct xdf_sim_fb_info {
	u64 fb_cookie;
	u64 dbuf_cookie;
	u32 width;
	u32 height;
	u32 pixel_format;
};

/**
 * struct xdf_sim_kms_stats - what the backend saw of framebuffers and
 *			      display pipes; the violations must stay 0
 * @attached: framebuffers attached
 * @detached: framebuffers detached
 * @set_configs: SET_CONFIG requests answered with success
 * @flips: PG_FLIP requests answered with success
 * @edid_reqs: GET_EDID requests
 * @bad_attach: FB_ATTACH with cookie 0, a cookie already attached, an
 *		unknown display buffer, or a framebuffer whose lines (the
 *		buffer's stride, or its own for a buffer of width 0) do not
 *		fit in the display buffer (violation)
 * @unknown_detach: FB_DETACH of a framebuffer not attached (violation)
 * @unattached_use: SET_CONFIG or PG_FLIP of a framebuffer not attached,
 *		    or PG_FLIP on a disabled connector (violation)
 * @dbuf_in_use: DBUF_DESTROY of a buffer an attached framebuffer shows
 *		 (violation)
 * @wrong_ring: FB_ATTACH or FB_DETACH not on connector 0's ring (violation)
 * @oversize_shown: with &xdf_sim_config.no_fb_viewport, SET_CONFIG or
 *		    PG_FLIP of a framebuffer whose size is not the mode's, or
 *		    at an x, y other than 0, 0 (violation)
 */
struct xdf_sim_kms_stats {
	unsigned int attached;
	unsigned int detached;
	unsigned int set_configs;
	unsigned int flips;
	unsigned int edid_reqs;
	unsigned int bad_attach;
	unsigned int unknown_detach;
	unsigned int unattached_use;
	unsigned int dbuf_in_use;
	unsigned int wrong_ring;
	unsigned int oversize_shown;
};

void xdf_sim_backend_set_frame_done(struct xdf_sim_dev *sdev,
				    unsigned int conn,
				    enum xdf_sim_frame_done mode);
unsigned int xdf_sim_backend_num_fbs(struct xdf_sim_dev *sdev);
bool xdf_sim_backend_fb(struct xdf_sim_dev *sdev, u64 fb_cookie,
			struct xdf_sim_fb_info *info);
bool xdf_sim_backend_config(struct xdf_sim_dev *sdev, unsigned int conn,
			    struct xendispl_set_config_req *config);
int xdf_sim_backend_fb_read(struct xdf_sim_dev *sdev, u64 fb_cookie, u32 x,
			    u32 y, void *buf, size_t len);
void xdf_sim_backend_kms_stats(struct xdf_sim_dev *sdev,
			       struct xdf_sim_kms_stats *stats);
int xdf_sim_backend_set_edid(struct xdf_sim_dev *sdev, unsigned int conn,
			     const void *edid, u32 size);
void xdf_sim_backend_keep_edid(struct xdf_sim_dev *sdev, unsigned int conn,
			       bool keep);
int xdf_sim_backend_rewrite_edid(struct xdf_sim_dev *sdev, unsigned int conn,
				 const void *bytes, size_t len);
int xdf_sim_backend_rewrite_edid_at_once(struct xdf_sim_dev *sdev,
					 unsigned int conn, const void *bytes,
					 size_t len);

/**
 * struct xdf_sim_timing - a detailed timing for xdf_sim_edid_build()
 * @width: horizontal active pixels, < 4096
 * @height: vertical active lines, < 4096
 * @refresh: refresh rate in Hz
 */
struct xdf_sim_timing {
	u16 width;
	u16 height;
	u16 refresh;
};

/* Blanking of the timings xdf_sim_edid_build() writes. */
#define XDF_SIM_EDID_HBLANK	160
#define XDF_SIM_EDID_VBLANK	34

int xdf_sim_edid_build(u8 *edid, const struct xdf_sim_timing *timings,
		       unsigned int count);

/* Pages the backend grants to the frontend (backend-allocated buffers) */

int xdf_sim_backend_grant_pages(unsigned int count, grant_ref_t *refs);
int xdf_sim_backend_end_grants(unsigned int count, const grant_ref_t *refs);
void *xdf_sim_backend_grant_vaddr(grant_ref_t ref);

/* Grant table and event channels */

/**
 * struct xdf_sim_grant_info - one grant made by the frontend
 * @page: the granted page
 * @domid: the domain granted access
 * @readonly: read-only grant
 * @maps: how many times the backend currently maps it
 * @ended: the frontend revoked it and revocation waits for the backend
 */
struct xdf_sim_grant_info {
	struct page *page;
	domid_t domid;
	bool readonly;
	unsigned int maps;
	bool ended;
};

bool xdf_sim_grant_info(grant_ref_t ref, struct xdf_sim_grant_info *info);
int xdf_sim_backend_map(grant_ref_t ref, void **vaddr);
void xdf_sim_backend_unmap(grant_ref_t ref);
void xdf_sim_gnttab_fail_after(int count);
void xdf_sim_gnttab_no_runs(bool fragmented);
void xdf_sim_evtchn_fail_after(int count);
void xdf_sim_foreign_map_fail_after(int count);
void xdf_sim_foreign_pages_fail_after(int count);
void xdf_sim_set_pv(bool pv);
bool xdf_sim_evtchn_backend_bound(evtchn_port_t port);

/**
 * struct xdf_sim_counters - resources alive in the simulated Xen
 * @grants: grants made by the frontend and not yet released (includes
 *	    @deferred)
 * @deferred: grants revoked while the backend still mapped them
 * @ring_pages: pages from xdf_xen_ring_alloc() not yet freed
 * @channels: event channels bound by the frontend
 * @backend_maps: frontend grants currently mapped by the backend
 * @backend_binds: frontend channels the backend is bound to
 * @foreign_pages: pages from xdf_xen_foreign_pages_alloc() not yet freed
 * @foreign_maps: backend pages mapped by the frontend
 * @user_maps: backend pages mapped at user page table entries
 *	       (xdf_xen_pte_map() with XDF_XEN_PTE_USER)
 * @kernel_maps: backend pages mapped at kernel page table entries
 * @pte_leaks: grants mapped at page table entries that the kernel cleared
 *	       or changed without unmapping through Xen: real Xen keeps them
 *	       mapped for good (must stay 0)
 * @backend_grants: pages the backend granted to the frontend (includes
 *		    @backend_deferred)
 * @backend_deferred: pages the backend revoked while the frontend still
 *		      maps them: Xen keeps them until the frontend unmaps,
 *		      for good if it never does
 * @backend_dbufs: display buffers the backend holds, all devices
 * @transactions: open XenStore transactions
 * @misuse: contract violations by the frontend (unknown grant, irq or
 *	    handle, page mismatch...), each also logged
 * @devices: xenbus devices not yet released; the frontend's DRM device
 *	     holds its parent until its own release ends
 */
struct xdf_sim_counters {
	unsigned int grants;
	unsigned int deferred;
	unsigned int ring_pages;
	unsigned int channels;
	unsigned int backend_maps;
	unsigned int backend_binds;
	unsigned int foreign_pages;
	unsigned int foreign_maps;
	unsigned int user_maps;
	unsigned int kernel_maps;
	unsigned int pte_leaks;
	unsigned int backend_grants;
	unsigned int backend_deferred;
	unsigned int backend_dbufs;
	unsigned int transactions;
	unsigned int misuse;
	unsigned int devices;
};

void xdf_sim_get_counters(struct xdf_sim_counters *c);
void xdf_sim_reset(void);
void xdf_sim_expect_clean(struct kunit *test);

#endif /* __XEN_DRM_FRONT_SIM_H_ */
