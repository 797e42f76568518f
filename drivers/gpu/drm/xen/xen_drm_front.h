/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Xen para-virtual display frontend: the driver's one private header.
 *
 * Layers, lowest first, each using only those below it:
 *   xen_drm_front_cfg.c     XenStore configuration, strictly parsed
 *   xen_drm_front_req.c     request rings: a request and its response
 *   xen_drm_front_evtchnl.c a request ring and an event page per
 *                           connector, their event channels
 *   xen_drm_front_dev.c     what the device's objects share: their names
 *                           for the backend (cookies) and requests sent
 *                           while the device lives
 *   xen_drm_front_dbuf.c    display buffers shared with the backend
 *   xen_drm_front_pvmap.c   backend pages mapped at page table entries
 *                           that Xen writes (PV guests)
 *   xen_drm_front_gem.c     GEM objects on display buffers
 *   xen_drm_front_fb.c      framebuffers the backend knows
 *   xen_drm_front_vblank.c  vblank: the timer standing in for the display
 *   xen_drm_front_debugfs.c a connector's xen_state in debugfs
 *   xen_drm_front_conn.c    connectors: EDID and modes
 *   xen_drm_front_kms.c     display pipes, commits, flips and their events
 *   xen_drm_front_drm.c     the DRM device
 *   xen_drm_front_drv.c     module, xenbus driver and state machine
 * The three lowest know nothing of DRM: their declarations are in
 * xen_drm_front_proto.h. Xen itself is reached only through
 * xen_drm_front_xen.h.
 */

#ifndef __XEN_DRM_FRONT_H_
#define __XEN_DRM_FRONT_H_

#include <linux/atomic.h>
#include <linux/hrtimer.h>
#include <linux/idr.h>
#include <linux/kref.h>
#include <linux/list.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/stringify.h>
#include <linux/types.h>
#include <linux/workqueue.h>

#include <drm/drm_connector.h>
#include <drm/drm_device.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_modeset_helper_vtables.h>
#include <drm/drm_simple_kms_helper.h>
#include <drm/drm_vblank.h>

#include <xen/interface/grant_table.h>

#include "xen_drm_front_proto.h"

/* The refresh rate of the configured resolution's mode. */
#define XDF_REFRESH_HZ		60
/* Flips whose frame-done may still come, per connector; older are lost. */
#define XDF_FLIPS_MAX		16
/* Intervals in a row the display period could not be measured from. */
#define XDF_FD_MISSES_MAX	8

/*
 * The driver's version: the DRM driver's major.minor and date, and the
 * module's "version" (modinfo), which the DKMS package's version follows
 * (scripts/deb.sh reads these three lines).
 */
#define XDF_VERSION_MAJOR	2
#define XDF_VERSION_MINOR	0
#define XDF_VERSION_DATE	"20261121"
#define XDF_VERSION		__stringify(XDF_VERSION_MAJOR) "." \
				__stringify(XDF_VERSION_MINOR) "." XDF_VERSION_DATE

/* The device: shared by the layers below, created by xen_drm_front_drm.c */

/**
 * struct xdf_pipe_stats - a connector's counters
 * @flips: PG_FLIP requests sent
 * @frame_done: frame-done events received
 * @stray_frame_done: frame-done events that completed no flip event
 * @late_frame_done: of those, the ones for a flip sent before (its event
 *		     went out at its timeout, or the flip was not the newest)
 * @timeouts: flips whose frame-done never came
 * @errors: SET_CONFIG and PG_FLIP requests that failed
 * @vblank_ticks: expiries of the vblank timer
 */
struct xdf_pipe_stats {
	u64 flips;
	u64 frame_done;
	u64 stray_frame_done;
	u64 late_frame_done;
	u64 timeouts;
	u64 errors;
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
 * struct xdf_fb_hold - what a plane state showed, kept while the backend
 *			may still show it
 * @fb: the framebuffer, of which a reference is held, or NULL
 * @view_fb: the framebuffer of @view, of which a reference is held
 * @view: the view of it the backend was shown, with a user, or NULL
 */
struct xdf_fb_hold {
	struct drm_framebuffer *fb;
	struct drm_framebuffer *view_fb;
	struct xdf_fb_view *view;
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
 * @flips: the framebuffers of the flips sent whose frame-done has not come,
 *	   oldest first from @flips_first, @flips_count of them, under the
 *	   event lock; the newest is the flip of @pending, if any
 * @flips_first: index of the oldest in @flips
 * @flips_count: number of flips in @flips
 * @flips_late: how many of the oldest in @flips were given up on (their
 *		frame-done may still come, late)
 * @flip_timeout: gives up on the flips on their way, and completes
 *		  @pending, when the newest flip's frame-done is late
 * @flip_deadline: when that is, in jiffies, under the event lock
 * @flip_due: when @flip_timeout was queued to run, in jiffies, under the
 *	      event lock
 * @kept: what the last flip replaced, which the backend showed until that
 *	  flip's frame-done; used by commit tails only
 * @stats: counters, under the event lock where the interrupt updates them
 * @crtc_funcs: the simple pipe's CRTC functions with our vblank counter
 * @crtc_helper_funcs: its CRTC helper functions with our atomic check
 * @vblank_timer: stands in for the vblank interrupt while vblank is on and
 *		  no flip is on its way
 * @vblank_lock: protects the vblank fields below; taken by the timer, the
 *		 frame-done interrupt and the DRM core's counter hooks
 * @vblank_period: the mode's frame duration
 * @vblank_time: time of the last vblank counted in @vblank_count
 * @vblank_count: the vblank counter, the DRM core's hardware counter;
 *		  vblanks after @vblank_time are counted when read
 * @vblank_held: a flip is on its way: its frame-done is the next vblank
 * @vblank_on: the DRM core has vblank interrupts on
 * @flip_time: when the newest flip was sent; its vblank is not earlier
 * @fd_arrival: when the last frame-done of a flip shown arrived, 0 if none
 *		came since the pipe was enabled
 * @fd_period: the backend's display period, ns, measured from the
 *	       frame-dones' arrivals
 * @fd_skip: @fd_arrival came too late or early to measure from
 * @fd_samples: the intervals @fd_period is the mean of, up to 32
 * @fd_missed: the intervals in a row @fd_period was not measured from,
 *	       ns, @fd_misses of them
 * @fd_misses: number of entries in @fd_missed
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
	u64 flips[XDF_FLIPS_MAX];
	unsigned int flips_first;
	unsigned int flips_count;
	unsigned int flips_late;
	struct delayed_work flip_timeout;
	unsigned long flip_deadline;
	unsigned long flip_due;
	struct xdf_fb_hold kept;
	struct xdf_pipe_stats stats;
	struct drm_crtc_funcs crtc_funcs;
	struct drm_crtc_helper_funcs crtc_helper_funcs;
	struct hrtimer vblank_timer;
	spinlock_t vblank_lock;	/* see above */
	ktime_t vblank_period;
	ktime_t vblank_time;
	u32 vblank_count;
	bool vblank_held;
	bool vblank_on;
	ktime_t flip_time;
	ktime_t fd_arrival;
	s64 fd_period;
	bool fd_skip;
	unsigned int fd_samples;
	u32 fd_missed[XDF_FD_MISSES_MAX];
	unsigned int fd_misses;
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
 * @fbdev_work: sets up fbdev emulation once the device is registered
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
	struct work_struct fbdev_work;
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

static inline struct xdf_pipe *to_xdf_pipe(struct drm_simple_display_pipe *pipe)
{
	return container_of(pipe, struct xdf_pipe, pipe);
}

static inline struct xdf_pipe *crtc_to_xdf_pipe(struct drm_crtc *crtc)
{
	return to_xdf_pipe(container_of(crtc, struct drm_simple_display_pipe, crtc));
}

/* xen_drm_front_dev.c */

int xdf_cookie_alloc(struct xdf_drm *xdrm, u64 *cookie);
void xdf_cookie_free(struct xdf_drm *xdrm, u64 cookie);
int xdf_dev_request(struct xdf_drm *xdrm, unsigned int conn_idx,
		    struct xendispl_req *req, struct xendispl_resp *resp);

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
 * @desc: how DBUF_CREATE described it (zero for shared pages only)
 * @num_pages: number of buffer pages
 * @pages: the buffer pages, each with a reference of ours; the array is
 *	   the creator's (the GEM object's, which drops its display buffers
 *	   before it frees the array), or with @be_alloc ours
 * @grefs: our grants of @pages, or with @be_alloc the backend's grants;
 *	   kept apart from the directory, which the backend can rewrite;
 *	   NULL when ours are the run from @gref_first
 * @gref_first: without @grefs, the grant of the first page, the others'
 *		following in page order; 0 if none was made
 * @handles: with @be_alloc, the mappings of the backend's grants
 * @num_dir_pages: number of page directory pages
 * @dir: the page directory, @num_dir_pages pages of one allocation
 * @dir_grefs: our grants of the pages of @dir
 */
struct xdf_dbuf {
	struct kref ref;
	struct xdf_drm *xdrm;
	u64 cookie;
	bool be_alloc;
	bool created;
	struct xdf_dbuf_desc desc;
	unsigned int num_pages;
	struct page **pages;
	grant_ref_t *grefs;
	grant_ref_t gref_first;
	grant_handle_t *handles;
	unsigned int num_dir_pages;
	void *dir;
	grant_ref_t dir_grefs[];
};

struct xdf_dbuf *xdf_dbuf_share(struct xdf_drm *xdrm, struct page **pages,
				unsigned int num_pages);
struct xdf_dbuf *xdf_dbuf_create(struct xdf_drm *xdrm, struct page **pages,
				 unsigned int num_pages,
				 const struct xdf_dbuf_desc *desc);
struct xdf_dbuf *xdf_dbuf_create_be_alloc(struct xdf_drm *xdrm,
					  const struct xdf_dbuf_desc *desc);
void xdf_dbuf_put(struct xdf_dbuf *dbuf);
void xdf_dbuf_revoke_flush(void);
void xdf_dbuf_module_exit(void);
domid_t xdf_dbuf_backend_domid(struct xdf_dbuf *dbuf);

static inline void xdf_dbuf_get(struct xdf_dbuf *dbuf)
{
	kref_get(&dbuf->ref);
}

/* xen_drm_front_pvmap.c */

struct drm_gem_object;
struct vm_area_struct;
struct xdf_pvmap_kernel;

int xdf_pvmap_mmap(struct drm_gem_object *obj, struct xdf_dbuf *dbuf,
		   struct vm_area_struct *vma);
struct xdf_pvmap_kernel *xdf_pvmap_vmap(struct xdf_dbuf *dbuf, void **vaddr);
void xdf_pvmap_vunmap(struct xdf_pvmap_kernel *km);

/* xen_drm_front_gem.c */

struct dma_buf_attachment;
struct drm_file;
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

/**
 * struct xdf_dbuf_layout - where a framebuffer's pixels lie in its buffer
 * @offset: the first pixel's offset from the buffer's start, in bytes
 * @pitch: bytes from one line to the next
 * @bpp: bits per pixel
 * @height: number of lines
 */
struct xdf_dbuf_layout {
	u32 offset;
	u32 pitch;
	u32 bpp;
	u32 height;
};

struct xdf_dbuf *xdf_gem_get_dbuf(struct drm_gem_object *obj,
				  const struct xdf_dbuf_layout *l);

/* xen_drm_front_fb.c */

/* Unused views of a framebuffer kept for reuse; more are made if needed. */
#define XDF_FB_VIEWS_MAX	4

/**
 * struct xdf_fb_view - a part of a framebuffer attached to the backend as
 *			a framebuffer of its own, for a backend that shows
 *			only framebuffers of the mode's size
 * @link: in the framebuffer's @views
 * @users: plane states showing it, under the framebuffer's @views_lock
 * @dbuf: the display buffer whose first pixel is the part's, of which the
 *	  view holds a reference
 * @cookie: the view's name for the backend
 * @x: the part's first column in the framebuffer
 * @y: its first line
 * @width: its width, the mode's
 * @height: its height, the mode's
 */
struct xdf_fb_view {
	struct list_head link;
	unsigned int users;
	struct xdf_dbuf *dbuf;
	u64 cookie;
	u32 x;
	u32 y;
	u32 width;
	u32 height;
};

/**
 * struct xdf_fb - a framebuffer the backend knows
 * @base: the DRM framebuffer; first, as drm_gem_fb_destroy() frees it
 * @dbuf: the display buffer it shows, of which it holds a reference
 * @cookie: the framebuffer's name for the backend
 * @views_lock: protects @views, @num_views and the views' users
 * @views: its &struct xdf_fb_view, attached while the framebuffer lives
 *	   unless evicted unused
 * @num_views: the number of @views
 */
struct xdf_fb {
	struct drm_framebuffer base;
	struct xdf_dbuf *dbuf;
	u64 cookie;
	struct mutex views_lock;	/* see above */
	struct list_head views;
	unsigned int num_views;
};

static inline struct xdf_fb *to_xdf_fb(struct drm_framebuffer *fb)
{
	return container_of(fb, struct xdf_fb, base);
}

struct drm_mode_fb_cmd2;

extern const u32 xdf_fb_formats[];
extern const unsigned int xdf_fb_num_formats;
extern const u64 xdf_fb_modifiers[];

struct drm_framebuffer *xdf_fb_create(struct drm_device *drm,
				      struct drm_file *file,
				      const struct drm_mode_fb_cmd2 *cmd);
struct xdf_fb_view *xdf_fb_view_get(struct drm_framebuffer *fb, u32 x, u32 y,
				    u32 width, u32 height);
void xdf_fb_view_ref(struct drm_framebuffer *fb, struct xdf_fb_view *view);
void xdf_fb_view_put(struct drm_framebuffer *fb, struct xdf_fb_view *view);

struct drm_display_mode;
struct drm_plane;
struct drm_plane_state;

u64 xdf_fb_shown(struct drm_plane_state *state,
		 const struct drm_display_mode *mode, u32 *x, u32 *y);
void xdf_fb_plane_prepare(struct drm_plane_state *state);
void xdf_fb_hold(struct xdf_fb_hold *hold, struct drm_plane_state *state);
void xdf_fb_plane_destroy_state(struct drm_plane_state *state);
void xdf_fb_plane_reset(struct drm_plane *plane);
struct drm_plane_state *xdf_fb_plane_duplicate_state(struct drm_plane *plane);

/* xen_drm_front_vblank.c */

void xdf_vblank_init(struct xdf_pipe *xp);
void xdf_vblank_start(struct xdf_pipe *xp);
void xdf_vblank_stop(struct xdf_pipe *xp);
void xdf_vblank_fini(struct xdf_pipe *xp);
void xdf_vblank_hold(struct xdf_pipe *xp);
bool xdf_vblank_frame_done(struct xdf_pipe *xp, bool shown);
void xdf_vblank_release(struct xdf_pipe *xp);
int xdf_vblank_enable(struct drm_simple_display_pipe *pipe);
void xdf_vblank_disable(struct drm_simple_display_pipe *pipe);

/* xen_drm_front_debugfs.c */

struct dentry;

void xdf_debugfs_connector_init(struct drm_connector *connector,
				struct dentry *root);

/* xen_drm_front_conn.c */

int xdf_conn_init(struct xdf_pipe *xp);
enum drm_mode_status xdf_conn_mode_valid(struct xdf_pipe *xp,
					 const struct drm_display_mode *mode);

/* xen_drm_front_kms.c */

int xdf_kms_init(struct xdf_drm *xdrm);
void xdf_kms_unplugged(struct xdf_drm *xdrm);
void xdf_kms_link_lost(struct xdf_drm *xdrm);
void xdf_kms_fini(struct xdf_drm *xdrm);
void xdf_kms_frame_done(void *data, unsigned int conn_idx, u64 fb_cookie);
void xdf_kms_answer(void *data, unsigned int conn_idx, u8 op, int result);

/* xen_drm_front_drm.c */

extern bool xdf_fbdev;

struct xdf_drm *xdf_drm_create(struct device *parent,
			       const struct xdf_cfg *cfg,
			       struct xdf_channels *chs);
int xdf_drm_register(struct xdf_drm *xdrm);
void xdf_drm_unplug(struct xdf_drm *xdrm);
int xdf_drm_module_init(void);
void xdf_drm_module_exit(void);

/* xen_drm_front_drv.c */

/**
 * struct xdf_front - per xenbus device state, owned by the xenbus side
 * @xb_dev: the xenbus device
 * @lock: serializes state transitions (backend changes, removal)
 * @cfg: configuration read when the backend reached InitWait
 * @chs: channels, from InitWait until teardown; NULL otherwise
 * @xdrm: DRM device, from backend Connected until teardown; NULL otherwise
 * @failed: a fatal error closed the device until it is bound again
 * @reset_work: resets the connection once a channel broke
 * @resets: connections reset so far, for the log
 */
struct xdf_front {
	struct xenbus_device *xb_dev;
	struct mutex lock;	/* state transitions */
	struct xdf_cfg cfg;
	struct xdf_channels *chs;
	struct xdf_drm *xdrm;
	bool failed;
	struct work_struct reset_work;
	unsigned int resets;
};

#endif /* __XEN_DRM_FRONT_H_ */
