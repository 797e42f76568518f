/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Xen para-virtual display frontend: the driver's one private header.
 *
 * Layers, each using only those below it:
 *   xen_drm_front_cfg.c     XenStore configuration, strictly parsed
 *   xen_drm_front_evtchnl.c request rings and event pages, one pair per
 *                           connector; knows nothing of DRM
 *   xen_drm_front_dbuf.c    display buffers shared with the backend
 *   xen_drm_front_gem.c     GEM objects on display buffers
 *   xen_drm_front_kms.c     display pipes, framebuffers, flips
 *   xen_drm_front_drm.c     the DRM device
 *   xen_drm_front_drv.c     module, xenbus driver and state machine
 * Xen itself is reached only through xen_drm_front_xen.h.
 */

#ifndef __XEN_DRM_FRONT_H_
#define __XEN_DRM_FRONT_H_

#include <linux/atomic.h>
#include <linux/completion.h>
#include <linux/hrtimer.h>
#include <linux/kref.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>
#include <linux/workqueue.h>
#include <linux/idr.h>

#include <drm/drm_connector.h>
#include <drm/drm_device.h>
#include <drm/drm_simple_kms_helper.h>
#include <drm/drm_vblank.h>

#include <xen/xenbus.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/io/displif.h>

#define XDF_DRIVER_NAME		"xen_drm_front"

/* Connectors beyond this are ignored, with a warning (see xen-front.rst). */
#define XDF_MAX_CONNECTORS	8
/* Largest resolution accepted from XenStore, per dimension. */
#define XDF_MAX_DIMENSION	8192
/* Longest unique-id accepted from XenStore, without the NUL. */
#define XDF_UNIQUE_ID_MAX	63
/* Protocol versions this frontend speaks. */
#define XDF_PROTOCOL_MIN	1
#define XDF_PROTOCOL_MAX	XENDISPL_PROTOCOL_VERSION_INT

/* xen_drm_front_cfg.c */

/**
 * struct xdf_connector_cfg - one connector's XenStore configuration
 * @width: visible width in pixels, 1..XDF_MAX_DIMENSION
 * @height: visible height in pixels, 1..XDF_MAX_DIMENSION
 * @unique_id: the connector's unique-id, printable ASCII
 */
struct xdf_connector_cfg {
	u32 width;
	u32 height;
	char unique_id[XDF_UNIQUE_ID_MAX + 1];
};

/**
 * struct xdf_cfg - a vdispl device's XenStore configuration
 * @be_alloc: the backend may allocate display buffers for us
 * @version: protocol version chosen from the backend's "versions", or 0
 *	     when the backend published none (then version 2 is assumed and
 *	     nothing is written)
 * @num_connectors: number of valid entries in @connectors, >= 1
 * @connectors: per-connector configuration
 */
struct xdf_cfg {
	bool be_alloc;
	unsigned int version;
	unsigned int num_connectors;
	struct xdf_connector_cfg connectors[XDF_MAX_CONNECTORS];
};

int xdf_cfg_read(struct xenbus_device *xb_dev, struct xdf_cfg *cfg);
int xdf_cfg_parse_resolution(const char *value, u32 *width, u32 *height);
int xdf_cfg_parse_versions(const char *value, unsigned int *version);

/* xen_drm_front_evtchnl.c */

/**
 * typedef xdf_frame_done_fn - frame-done event callback
 * @data: the callback's data
 * @conn_idx: connector whose event page carried the event
 * @fb_cookie: framebuffer cookie from the event, not yet checked
 *
 * Called in interrupt context with the event lock held.
 */
typedef void (*xdf_frame_done_fn)(void *data, unsigned int conn_idx,
				  u64 fb_cookie);

struct xdf_channels;

extern unsigned int xdf_req_timeout_ms;

struct xdf_channels *xdf_channels_create(struct xenbus_device *xb_dev,
					 unsigned int count);
void xdf_channels_destroy(struct xdf_channels *chs);
int xdf_channels_publish(struct xdf_channels *chs,
			 struct xenbus_transaction xbt);
void xdf_channels_connect(struct xdf_channels *chs);
void xdf_channels_disconnect(struct xdf_channels *chs);
void xdf_channels_set_frame_done(struct xdf_channels *chs,
				 xdf_frame_done_fn fn, void *data);
int xdf_request(struct xdf_channels *chs, unsigned int conn_idx,
		struct xendispl_req *req, struct xendispl_resp *resp);

/* The device: shared by the layers below, created by xen_drm_front_drm.c */

/**
 * struct xdf_pipe_stats - a connector's counters
 * @flips: PG_FLIP requests sent
 * @frame_done: frame-done events received
 * @stray_frame_done: frame-done events that matched no pending flip
 * @timeouts: flips whose frame-done never came
 * @errors: SET_CONFIG and PG_FLIP requests that failed
 * @rephases: frame-done events that moved the vblank timer's phase
 * @vblank_ticks: expiries of the vblank timer
 */
struct xdf_pipe_stats {
	u64 flips;
	u64 frame_done;
	u64 stray_frame_done;
	u64 timeouts;
	u64 errors;
	u64 rephases;
	u64 vblank_ticks;
};

/**
 * struct xdf_mode - a mode the backend offers
 * @width: horizontal size
 * @height: vertical size
 * @refresh: refresh rate in Hz
 */
struct xdf_mode {
	u16 width;
	u16 height;
	u16 refresh;
};

/**
 * struct xdf_pipe - one connector's display pipe
 * @xdrm: the device
 * @idx: connector index
 * @pipe: CRTC, primary plane and encoder
 * @connector: the connector
 * @enabled: the backend accepted SET_CONFIG; used by commit tails only
 * @link_bad: the link status the link worker is to apply
 * @link_work: applies @link_bad, which needs the connection lock
 * @pending: flip event waiting for its frame-done, under the event lock
 * @pending_cookie: the framebuffer that frame-done must name
 * @flip_timeout: completes @pending when the frame-done is late
 * @stats: counters, under the event lock where the interrupt updates them
 * @crtc_funcs: the simple pipe's CRTC functions with our vblank timestamp
 * @vblank_timer: stands in for the vblank interrupt while vblank is on
 * @vblank_timer_lock: orders the timer's re-arming by itself and by
 *		       enable_vblank
 * @vblank_period: the timer's period, the mode's frame duration
 * @vblank_last: the timer's last expiry (or when the pipe was enabled)
 * @vblank_next: the timer's next expiry: vblanks follow each
 *		 @vblank_period from it, counted by the timer or not
 * @frame_done_time: when the last frame-done completing a flip came, for
 *		     the timer to take its phase; 0 once the timer took it
 * @vblank_since_rephase: timer expiries since it last took a frame-done's
 *			  phase; the timer's own
 * @edid: the backend's EDID, or NULL
 * @edid_read: the backend answered the request for @edid (asked until
 *	       then, once per device after)
 * @modes_lock: protects @modes and @num_modes
 * @modes: the modes the backend offers, for mode_valid
 * @num_modes: number of valid entries in @modes
 */
struct xdf_pipe {
	struct xdf_drm *xdrm;
	unsigned int idx;
	struct drm_simple_display_pipe pipe;
	struct drm_connector connector;
	bool enabled;
	bool link_bad;
	struct work_struct link_work;
	struct drm_pending_vblank_event *pending;
	u64 pending_cookie;
	struct delayed_work flip_timeout;
	struct xdf_pipe_stats stats;
	struct drm_crtc_funcs crtc_funcs;
	struct hrtimer vblank_timer;
	spinlock_t vblank_timer_lock;	/* see above */
	ktime_t vblank_period;
	atomic64_t vblank_last;
	atomic64_t vblank_next;
	atomic64_t frame_done_time;
	unsigned int vblank_since_rephase;
	const struct drm_edid *edid;
	bool edid_read;
	struct mutex modes_lock;	/* mode_valid vs. probing */
	struct xdf_mode modes[16];
	unsigned int num_modes;
};

/**
 * struct xdf_drm - the DRM device of one backend connection
 * @drm: the DRM device; its last reference frees this structure
 * @devres_group: devres group holding our reference to @drm
 * @cfg: configuration the device was created with
 * @chs: the backend's channels; dereferenced only inside
 *	 drm_dev_enter()/drm_dev_exit(), as they are freed after
 *	 drm_dev_unplug()
 * @cookies: allocator of display buffer and framebuffer cookies
 * @be_alloc_lock: protects @be_alloc_count and @be_alloc_bytes
 * @be_alloc_count: buffers the backend allocated for this device
 * @be_alloc_bytes: their total size
 * @pipes: the display pipes, one per configured connector
 */
struct xdf_drm {
	struct drm_device drm;
	void *devres_group;
	struct xdf_cfg cfg;
	struct xdf_channels *chs;
	struct ida cookies;
	struct mutex be_alloc_lock;	/* the backend's allocation budget */
	unsigned int be_alloc_count;
	u64 be_alloc_bytes;
	struct xdf_pipe pipes[XDF_MAX_CONNECTORS];
};

static inline struct xdf_drm *to_xdf_drm(struct drm_device *drm)
{
	return container_of(drm, struct xdf_drm, drm);
}

/* xen_drm_front_dbuf.c */

extern unsigned int xdf_be_alloc_max_buffers;
extern unsigned int xdf_be_alloc_max_mib;

/**
 * struct xdf_dbuf_desc - a display buffer as DBUF_CREATE describes it
 * @width: width in pixels; 0 when unknown (imported buffers)
 * @height: height in pixels; 0 when unknown
 * @bpp: bits per pixel; 0 when unknown
 * @size: bytes shared with the backend, from the start of the first page
 * @data_ofs: offset of the first pixel in the first page
 */
struct xdf_dbuf_desc {
	u32 width;
	u32 height;
	u32 bpp;
	u32 size;
	u32 data_ofs;
};

/**
 * struct xdf_dbuf - a display buffer shared with the backend
 * @ref: one reference per user: the GEM object, each framebuffer on it
 * @xdrm: the device, of which a reference is held
 * @cookie: the buffer's name for the backend, from @xdrm's cookies; 0 for
 *	    pages shared for another purpose (GET_EDID)
 * @be_alloc: the backend allocated the pages
 * @created: the backend accepted the buffer and must be told to destroy it
 * @num_pages: number of buffer pages
 * @pages: the buffer pages; each holds a reference of ours
 * @grefs: our grants of @pages, or with @be_alloc the backend's grants
 * @handles: with @be_alloc, the mappings of the backend's grants
 * @num_dir_pages: number of page directory pages
 * @dir_pages: the page directory
 * @dir_grefs: our grants of @dir_pages
 */
struct xdf_dbuf {
	struct kref ref;
	struct xdf_drm *xdrm;
	u64 cookie;
	bool be_alloc;
	bool created;
	unsigned int num_pages;
	struct page **pages;
	grant_ref_t *grefs;
	grant_handle_t *handles;
	unsigned int num_dir_pages;
	struct page **dir_pages;
	grant_ref_t *dir_grefs;
};

struct xdf_dbuf *xdf_dbuf_share(struct xdf_drm *xdrm, struct page **pages,
				unsigned int num_pages);
struct xdf_dbuf *xdf_dbuf_create(struct xdf_drm *xdrm, struct page **pages,
				 unsigned int num_pages,
				 const struct xdf_dbuf_desc *desc);
struct xdf_dbuf *xdf_dbuf_create_be_alloc(struct xdf_drm *xdrm,
					  const struct xdf_dbuf_desc *desc);
void xdf_dbuf_put(struct xdf_dbuf *dbuf);
domid_t xdf_dbuf_backend_domid(struct xdf_dbuf *dbuf);

static inline void xdf_dbuf_get(struct xdf_dbuf *dbuf)
{
	kref_get(&dbuf->ref);
}

/* xen_drm_front_gem.c */

struct dma_buf_attachment;
struct drm_file;
struct drm_gem_object;
struct drm_mode_create_dumb;
struct sg_table;

struct drm_gem_object *xdf_gem_create_object(struct drm_device *drm,
					     size_t size);
int xdf_gem_dumb_create(struct drm_file *file, struct drm_device *drm,
			struct drm_mode_create_dumb *args);
struct drm_gem_object *xdf_gem_import_sg_table(struct drm_device *drm,
					       struct dma_buf_attachment *attach,
					       struct sg_table *sgt);
int xdf_gem_prime_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma);
struct xdf_dbuf *xdf_gem_to_dbuf(struct drm_gem_object *obj);

/* xen_drm_front_kms.c */

int xdf_kms_init(struct xdf_drm *xdrm);
void xdf_kms_unplugged(struct xdf_drm *xdrm);
void xdf_kms_fini(struct xdf_drm *xdrm);
void xdf_kms_frame_done(void *data, unsigned int conn_idx, u64 fb_cookie);
ktime_t xdf_vblank_next(ktime_t expires, ktime_t now, ktime_t frame_done,
			ktime_t period, unsigned int *since_rephase);

/* xen_drm_front_drm.c */

extern bool xdf_fbdev;

int xdf_cookie_alloc(struct xdf_drm *xdrm, u64 *cookie);
void xdf_cookie_free(struct xdf_drm *xdrm, u64 cookie);
struct xdf_drm *xdf_drm_create(struct device *parent,
			       const struct xdf_cfg *cfg,
			       struct xdf_channels *chs);
void xdf_drm_unplug(struct xdf_drm *xdrm);

/* xen_drm_front_drv.c */

/**
 * struct xdf_front - per xenbus device state, owned by the xenbus side
 * @xb_dev: the xenbus device
 * @lock: serializes state transitions (backend changes, removal)
 * @cfg: configuration read when the backend reached InitWait
 * @chs: channels, from InitWait until teardown; NULL otherwise
 * @xdrm: DRM device, from backend Connected until teardown; NULL otherwise
 * @failed: a fatal error closed the device until it is bound again
 */
struct xdf_front {
	struct xenbus_device *xb_dev;
	struct mutex lock;	/* state transitions */
	struct xdf_cfg cfg;
	struct xdf_channels *chs;
	struct xdf_drm *xdrm;
	bool failed;
};

#endif /* __XEN_DRM_FRONT_H_ */
