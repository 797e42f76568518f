// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: KMS.
 *
 * One simple display pipe per configured connector. Enabling a pipe sends
 * SET_CONFIG, disabling it an all-zero SET_CONFIG, and a plane update on
 * an enabled pipe PG_FLIP. A flip's event is armed before the request
 * leaves and completed by the backend's frame-done event for that
 * framebuffer, or by a worker once the backend is late. Backend failures
 * never fail a commit: they mark the connector's link BAD and send a
 * hotplug event, and the next successful modeset marks it GOOD again.
 */

#include <linux/debugfs.h>
#include <linux/dma-buf.h>
#include <linux/jiffies.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_connector.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_edid.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_modeset_helper.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_simple_kms_helper.h>
#include <drm/drm_vblank.h>

#include "xen_drm_front.h"

/* A frame-done later than a request's timeout is not coming. */
#define XDF_FRAME_DONE_SLACK_MS	500

#define XDF_REFRESH_HZ		60

/*
 * The vblank timer takes the phase of frame-dones more than 1/8 of a
 * period away from its own, at most once in 60 periods: a backend that
 * answers at once sends frame-dones when clients flip, and clients pace
 * their flips by our vblanks. Following those every frame would feed back
 * into the refresh rate.
 */
#define XDF_VBLANK_PHASE_SLACK		8
#define XDF_VBLANK_REPHASE_TICKS	60

static const u32 xdf_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
	DRM_FORMAT_RGB888,
	DRM_FORMAT_RGB565,
	DRM_FORMAT_XRGB1555,
	DRM_FORMAT_ARGB1555,
	DRM_FORMAT_XRGB4444,
	DRM_FORMAT_ARGB4444,
};

static const u64 xdf_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID,
};

/**
 * struct xdf_fb - a framebuffer the backend knows
 * @base: the DRM framebuffer; first, as drm_gem_fb_destroy() frees it
 * @dbuf: the display buffer it shows, of which it holds a reference
 * @cookie: the framebuffer's name for the backend
 */
struct xdf_fb {
	struct drm_framebuffer base;
	struct xdf_dbuf *dbuf;
	u64 cookie;
};

static_assert(offsetof(struct xdf_fb, base) == 0);

static struct xdf_fb *to_xdf_fb(struct drm_framebuffer *fb)
{
	return container_of(fb, struct xdf_fb, base);
}

static struct xdf_pipe *to_xdf_pipe(struct drm_simple_display_pipe *pipe)
{
	return container_of(pipe, struct xdf_pipe, pipe);
}

static struct xdf_pipe *crtc_to_xdf_pipe(struct drm_crtc *crtc)
{
	return to_xdf_pipe(container_of(crtc, struct drm_simple_display_pipe, crtc));
}

/* Requests go on the connector's own ring, only while the device lives. */
static int xdf_pipe_request(struct xdf_pipe *xp, struct xendispl_req *req,
			    struct xendispl_resp *resp)
{
	struct xdf_drm *xdrm = xp->xdrm;
	int idx, ret;

	if (!drm_dev_enter(&xdrm->drm, &idx))
		return -ENODEV;
	ret = xdf_request(xdrm->chs, xp->idx, req, resp);
	drm_dev_exit(idx);
	return ret;
}

static void xdf_fb_detach(struct xdf_drm *xdrm, struct xdf_fb *xfb)
{
	struct xendispl_req req = {
		.operation = XENDISPL_OP_FB_DETACH,
		.op.fb_detach.fb_cookie = xfb->cookie,
	};
	int idx, ret;

	if (!drm_dev_enter(&xdrm->drm, &idx))
		return;
	ret = xdf_request(xdrm->chs, 0, &req, NULL);
	drm_dev_exit(idx);
	if (ret && ret != -ENODEV)
		drm_err(&xdrm->drm, "backend did not detach framebuffer %llu: %d\n",
			xfb->cookie, ret);
}

static void xdf_fb_destroy(struct drm_framebuffer *fb)
{
	struct xdf_drm *xdrm = to_xdf_drm(fb->dev);
	struct xdf_fb *xfb = to_xdf_fb(fb);

	xdf_fb_detach(xdrm, xfb);
	xdf_cookie_free(xdrm, xfb->cookie);
	xdf_dbuf_put(xfb->dbuf);
	drm_gem_fb_destroy(fb);
}

static const struct drm_framebuffer_funcs xdf_fb_funcs = {
	.destroy = xdf_fb_destroy,
	.create_handle = drm_gem_fb_create_handle,
	.dirty = drm_atomic_helper_dirtyfb,
};

static bool xdf_format_supported(u32 format)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xdf_formats); i++)
		if (xdf_formats[i] == format)
			return true;
	return false;
}

/* What the backend can show: it assumes the pitch and has no offset. */
static int xdf_fb_check(struct drm_device *drm,
			const struct drm_mode_fb_cmd2 *cmd,
			const struct drm_format_info *info)
{
	u32 pitch;

	if (!xdf_format_supported(cmd->pixel_format)) {
		drm_dbg_kms(drm, "format %p4cc not supported\n", &cmd->pixel_format);
		return -EINVAL;
	}
	if ((cmd->flags & DRM_MODE_FB_MODIFIERS) &&
	    cmd->modifier[0] != DRM_FORMAT_MOD_LINEAR) {
		drm_dbg_kms(drm, "modifier %#llx not supported\n", cmd->modifier[0]);
		return -EINVAL;
	}
	if (cmd->width > XDF_MAX_DIMENSION || cmd->height > XDF_MAX_DIMENSION)
		return -EINVAL;

	pitch = XENDISPL_PITCH(cmd->width, info->cpp[0] * 8);
	if (cmd->pitches[0] != pitch || cmd->offsets[0]) {
		drm_dbg_kms(drm, "pitch %u offset %u: the backend needs pitch %u, offset 0\n",
			    cmd->pitches[0], cmd->offsets[0], pitch);
		return -EINVAL;
	}
	return 0;
}

static int xdf_fb_attach(struct xdf_drm *xdrm, struct xdf_fb *xfb,
			 const struct drm_mode_fb_cmd2 *cmd)
{
	struct xendispl_req req = {
		.operation = XENDISPL_OP_FB_ATTACH,
		.op.fb_attach = {
			.dbuf_cookie = xfb->dbuf->cookie,
			.fb_cookie = xfb->cookie,
			.width = cmd->width,
			.height = cmd->height,
			.pixel_format = cmd->pixel_format,
		},
	};
	int idx, ret;

	if (!drm_dev_enter(&xdrm->drm, &idx))
		return -ENODEV;
	/* Framebuffers concern the whole device: first connector's ring. */
	ret = xdf_request(xdrm->chs, 0, &req, NULL);
	drm_dev_exit(idx);
	if (ret && ret != -ENODEV)
		drm_err(&xdrm->drm, "backend did not attach framebuffer %llu (%ux%u %p4cc): %d\n",
			xfb->cookie, cmd->width, cmd->height, &cmd->pixel_format, ret);
	return ret;
}

static struct drm_framebuffer *xdf_fb_create(struct drm_device *drm,
					     struct drm_file *file,
					     const struct drm_mode_fb_cmd2 *cmd)
{
	const struct drm_format_info *info = drm_get_format_info(drm, cmd);
	struct xdf_drm *xdrm = to_xdf_drm(drm);
	struct drm_gem_object *obj;
	struct xdf_fb *xfb;
	size_t size;
	int ret;

	ret = xdf_fb_check(drm, cmd, info);
	if (ret)
		return ERR_PTR(ret);

	obj = drm_gem_object_lookup(file, cmd->handles[0]);
	if (!obj)
		return ERR_PTR(-ENOENT);

	/* An imported buffer has the exporter's size, not page-rounded. */
	size = obj->import_attach ? obj->import_attach->dmabuf->size : obj->size;
	if (size < (u64)cmd->pitches[0] * cmd->height) {
		drm_dbg_kms(drm, "buffer of %zu bytes too small for %ux%u, pitch %u\n",
			    size, cmd->width, cmd->height, cmd->pitches[0]);
		ret = -EINVAL;
		goto err_put_obj;
	}

	xfb = kzalloc(sizeof(*xfb), GFP_KERNEL);
	if (!xfb) {
		ret = -ENOMEM;
		goto err_put_obj;
	}

	ret = xdf_cookie_alloc(xdrm, &xfb->cookie);
	if (ret)
		goto err_free;
	xfb->dbuf = xdf_gem_to_dbuf(obj);
	xdf_dbuf_get(xfb->dbuf);

	/* The backend knows the framebuffer before user space can name it. */
	ret = xdf_fb_attach(xdrm, xfb, cmd);
	if (ret)
		goto err_release;

	drm_helper_mode_fill_fb_struct(drm, &xfb->base, cmd);
	xfb->base.obj[0] = obj;
	ret = drm_framebuffer_init(drm, &xfb->base, &xdf_fb_funcs);
	if (ret) {
		xdf_fb_detach(xdrm, xfb);
		goto err_release;
	}
	return &xfb->base;

err_release:
	xdf_dbuf_put(xfb->dbuf);
	xdf_cookie_free(xdrm, xfb->cookie);
err_free:
	kfree(xfb);
err_put_obj:
	drm_gem_object_put(obj);
	return ERR_PTR(ret);
}

/* Link status changes need the connection lock: a worker takes it. */
static void xdf_pipe_link_work(struct work_struct *work)
{
	struct xdf_pipe *xp = container_of(work, struct xdf_pipe, link_work);
	struct drm_device *drm = &xp->xdrm->drm;
	bool bad = READ_ONCE(xp->link_bad);
	int idx;

	if (!drm_dev_enter(drm, &idx))
		return;
	drm_connector_set_link_status_property(&xp->connector,
					       bad ? DRM_MODE_LINK_STATUS_BAD :
						     DRM_MODE_LINK_STATUS_GOOD);
	if (bad)
		drm_kms_helper_hotplug_event(drm);
	drm_dev_exit(idx);
}

static void xdf_pipe_set_link(struct xdf_pipe *xp, bool bad)
{
	if (READ_ONCE(xp->link_bad) == bad)
		return;
	WRITE_ONCE(xp->link_bad, bad);
	schedule_work(&xp->link_work);
}

/*
 * Sends @event with the vblank count and time of now: vblank interrupts
 * may be off, and taking a reference brings the count up to date (the
 * timestamp hook knows every vblank since). Not for the events the atomic
 * helpers make for commits without one (DIRTYFB, fbdev): nobody reads
 * those, and fbcon's cursor would keep vblank on for good. Called with
 * event_lock held.
 */
static void xdf_pipe_send_event(struct xdf_pipe *xp,
				struct drm_pending_vblank_event *event)
{
	struct drm_crtc *crtc = &xp->pipe.crtc;
	bool ref = event->base.file_priv && !drm_crtc_vblank_get(crtc);

	drm_crtc_send_vblank_event(crtc, event);
	if (ref)
		drm_crtc_vblank_put(crtc);
}

/* Completes the pending flip event, if any: called with event_lock held. */
static bool xdf_pipe_complete_locked(struct xdf_pipe *xp)
{
	if (!xp->pending)
		return false;
	xdf_pipe_send_event(xp, xp->pending);
	xp->pending = NULL;
	return true;
}

static void xdf_pipe_complete(struct xdf_pipe *xp)
{
	spin_lock_irq(&xp->xdrm->drm.event_lock);
	xdf_pipe_complete_locked(xp);
	spin_unlock_irq(&xp->xdrm->drm.event_lock);
}

/*
 * Completes the pending flip event at the next vblank, as a display shows
 * a frame no sooner: a flip the backend refused must not let a client
 * flip again at once, over and over. At once if vblank is off.
 */
static void xdf_pipe_complete_at_vblank(struct xdf_pipe *xp)
{
	struct drm_crtc *crtc = &xp->pipe.crtc;

	spin_lock_irq(&xp->xdrm->drm.event_lock);
	if (xp->pending && !drm_crtc_vblank_get(crtc)) {
		/* The vblank reference goes with the event. */
		drm_crtc_arm_vblank_event(crtc, xp->pending);
		xp->pending = NULL;
	}
	xdf_pipe_complete_locked(xp);
	spin_unlock_irq(&xp->xdrm->drm.event_lock);
}

/*
 * Takes the commit's event from the CRTC state. With @cookie the event
 * waits for that framebuffer's frame-done (or the timeout); without, it is
 * sent at once.
 */
static void xdf_pipe_take_event(struct xdf_pipe *xp, u64 cookie)
{
	struct drm_crtc *crtc = &xp->pipe.crtc;
	struct drm_pending_vblank_event *event;
	struct drm_device *drm = crtc->dev;

	spin_lock_irq(&drm->event_lock);
	event = crtc->state->event;
	crtc->state->event = NULL;
	if (event && cookie) {
		/* Never lost: an event still pending goes out first. */
		xdf_pipe_complete_locked(xp);
		xp->pending = event;
		xp->pending_cookie = cookie;
		mod_delayed_work(system_wq, &xp->flip_timeout,
				 msecs_to_jiffies(xdf_req_timeout_ms +
						  XDF_FRAME_DONE_SLACK_MS));
	} else if (event) {
		xdf_pipe_send_event(xp, event);
	}
	spin_unlock_irq(&drm->event_lock);
}

static void xdf_pipe_flip_timeout(struct work_struct *work)
{
	struct xdf_pipe *xp = container_of(to_delayed_work(work),
					   struct xdf_pipe, flip_timeout);
	u64 cookie = 0;
	bool late;

	spin_lock_irq(&xp->xdrm->drm.event_lock);
	late = xdf_pipe_complete_locked(xp);
	if (late) {
		xp->stats.timeouts++;
		cookie = xp->pending_cookie;
	}
	spin_unlock_irq(&xp->xdrm->drm.event_lock);

	if (late) {
		drm_err_ratelimited(&xp->xdrm->drm,
				    "connector %u: no frame-done for framebuffer %llu\n",
				    xp->idx, cookie);
		xdf_pipe_set_link(xp, true);
	}
}

/**
 * xdf_kms_frame_done() - handle the backend's frame-done event
 * @data: the device
 * @conn_idx: connector whose event page carried it
 * @fb_cookie: the framebuffer the backend has shown
 *
 * Completes the pending flip of that framebuffer. Called in interrupt
 * context by the event channel code.
 */
void xdf_kms_frame_done(void *data, unsigned int conn_idx, u64 fb_cookie)
{
	struct xdf_drm *xdrm = data;
	struct xdf_pipe *xp;

	if (conn_idx >= xdrm->cfg.num_connectors)
		return;
	xp = &xdrm->pipes[conn_idx];

	spin_lock(&xdrm->drm.event_lock);
	xp->stats.frame_done++;
	if (xp->pending && xp->pending_cookie == fb_cookie) {
		xdf_pipe_complete_locked(xp);
		/* The backend showed a frame now: the vblank timer's phase. */
		atomic64_set(&xp->frame_done_time, ktime_get());
	} else {
		xp->stats.stray_frame_done++;
	}
	spin_unlock(&xdrm->drm.event_lock);
}

static void xdf_pipe_enable(struct drm_simple_display_pipe *pipe,
			    struct drm_crtc_state *crtc_state,
			    struct drm_plane_state *plane_state)
{
	struct xdf_pipe *xp = to_xdf_pipe(pipe);
	struct drm_framebuffer *fb = plane_state->fb;
	struct xendispl_req req = {
		.operation = XENDISPL_OP_SET_CONFIG,
		.op.set_config = {
			.fb_cookie = to_xdf_fb(fb)->cookie,
			.x = plane_state->src_x >> 16,
			.y = plane_state->src_y >> 16,
			.width = crtc_state->mode.hdisplay,
			.height = crtc_state->mode.vdisplay,
			.bpp = fb->format->cpp[0] * 8,
		},
	};
	int framedur_ns, ret;

	/*
	 * The CRTC is on for DRM whatever the backend says. Its vblanks
	 * start now, at the mode's refresh, which the atomic helpers have
	 * computed before enabling.
	 */
	framedur_ns = xp->xdrm->drm.vblank[drm_crtc_index(&pipe->crtc)].framedur_ns;
	xp->vblank_period = ns_to_ktime(framedur_ns > 0 ? framedur_ns :
					NSEC_PER_SEC / XDF_REFRESH_HZ);
	atomic64_set(&xp->vblank_last, ktime_get());
	atomic64_set(&xp->vblank_next, atomic64_read(&xp->vblank_last));
	drm_crtc_vblank_on(&pipe->crtc);
	ret = xdf_pipe_request(xp, &req, NULL);
	/* The mode is set or not: either way this commit is done. */
	xdf_pipe_take_event(xp, 0);
	if (ret == -ENODEV)
		return;
	if (ret) {
		xp->stats.errors++;
		drm_err(&xp->xdrm->drm, "connector %u: backend refused mode %ux%u: %d\n",
			xp->idx, req.op.set_config.width,
			req.op.set_config.height, ret);
		xdf_pipe_set_link(xp, true);
		return;
	}
	xp->enabled = true;
	xdf_pipe_set_link(xp, false);
}

static void xdf_pipe_disable(struct drm_simple_display_pipe *pipe)
{
	struct xdf_pipe *xp = to_xdf_pipe(pipe);
	struct xendispl_req req = {
		.operation = XENDISPL_OP_SET_CONFIG,
	};
	int ret;

	xp->enabled = false;
	/* No frame-done comes for a flip still pending. */
	xdf_pipe_complete(xp);
	ret = xdf_pipe_request(xp, &req, NULL);
	if (ret && ret != -ENODEV)
		drm_err(&xp->xdrm->drm, "connector %u: backend did not disable: %d\n",
			xp->idx, ret);
	drm_crtc_vblank_off(&pipe->crtc);
	/* No frame-done follows; a modeset's enable takes the event. */
	if (!pipe->crtc.state->active)
		xdf_pipe_take_event(xp, 0);
}

/**
 * xdf_vblank_next() - the vblank timer's next expiry
 * @expires: when the timer was due this time
 * @now: the time now, not before @expires
 * @frame_done: when the last frame-done since the previous expiry came,
 *		or 0
 * @period: the frame duration, more than 0 and less than 2 s
 * @since_rephase: expiries since a frame-done last moved the phase;
 *		   counted here, and set to 0 when this one moves it
 *
 * The timer keeps its phase, one @period after @expires, unless a
 * frame-done came more than an eighth of a period out of phase and the
 * phase has not moved for XDF_VBLANK_REPHASE_TICKS expiries. Then the timer
 * takes the frame-done's phase: of the frame-done's time plus whole
 * periods, the one within half a period of the expiry it replaces. An
 * expiry is moved, never added or dropped, so expiries stay half a period
 * to one and a half apart, one per frame, however many frame-dones come.
 * Periods already past are skipped, as hrtimer_forward_now() does.
 *
 * Return: the next expiry, after @now.
 */
ktime_t xdf_vblank_next(ktime_t expires, ktime_t now, ktime_t frame_done,
			ktime_t period, unsigned int *since_rephase)
{
	s32 p = ktime_to_ns(period), slack = p / XDF_VBLANK_PHASE_SLACK, r;
	s64 next = ktime_to_ns(expires) + p;

	if (*since_rephase < XDF_VBLANK_REPHASE_TICKS) {
		++*since_rephase;
		frame_done = 0;
	}
	if (frame_done && frame_done <= now) {
		/* The frame-done's phase lies r ns before next. */
		div_s64_rem(next - ktime_to_ns(frame_done), p, &r);
		if (r < 0)
			r += p;
		if (r > slack && r < p - slack) {
			next += r <= p / 2 ? -r : p - r;
			*since_rephase = 0;
		}
	}
	if (next <= ktime_to_ns(now))
		next += (div_s64(ktime_to_ns(now) - next, p) + 1) * p;
	return ns_to_ktime(next);
}

/*
 * The backend has no vblank: while vblank is on, a timer at the mode's
 * refresh stands in for it, so vblank waits and event sequence numbers
 * behave as on real hardware. Frame-dones keep it in phase with a backend
 * that shows frames at its display's refresh.
 */
static enum hrtimer_restart xdf_vblank_timer(struct hrtimer *timer)
{
	struct xdf_pipe *xp = container_of(timer, struct xdf_pipe, vblank_timer);
	ktime_t frame_done = atomic64_xchg(&xp->frame_done_time, 0);
	ktime_t expires = hrtimer_get_expires(timer), next;
	bool restart;

	atomic64_set(&xp->vblank_last, expires);
	/* Stops by itself once vblank was disabled under it. */
	if (!drm_crtc_handle_vblank(&xp->pipe.crtc))
		return HRTIMER_NORESTART;

	spin_lock(&xp->vblank_timer_lock);
	/* Not if vblank went off and on again meanwhile: then it is queued. */
	restart = !hrtimer_is_queued(timer);
	if (restart) {
		next = xdf_vblank_next(expires, hrtimer_cb_get_time(timer),
				       frame_done, xp->vblank_period,
				       &xp->vblank_since_rephase);
		atomic64_set(&xp->vblank_next, next);
		hrtimer_set_expires(timer, next);
	}
	spin_unlock(&xp->vblank_timer_lock);

	spin_lock(&xp->xdrm->drm.event_lock);
	xp->stats.vblank_ticks++;
	if (restart && !xp->vblank_since_rephase)
		xp->stats.rephases++;
	spin_unlock(&xp->xdrm->drm.event_lock);
	return restart ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

/*
 * The last vblank at or before @now: the timer's last expiry until its
 * next is due (a frame-done may have moved that one), then one every
 * period from the next, whether the timer runs or not.
 */
static ktime_t xdf_vblank_last(struct xdf_pipe *xp, ktime_t now)
{
	s64 next = atomic64_read(&xp->vblank_next);
	s64 period = ktime_to_ns(xp->vblank_period);

	if (now < next)
		return atomic64_read(&xp->vblank_last);
	return ns_to_ktime(next + div64_s64(now - next, period) * period);
}

/*
 * The time of the last vblank, so the DRM core counts the vblanks that
 * passed while the timer was off: it runs only while someone needs
 * vblanks, not for as long as the pipe is on.
 */
static bool xdf_crtc_get_vblank_timestamp(struct drm_crtc *crtc,
					  int *max_error, ktime_t *vblank_time,
					  bool in_vblank_irq)
{
	struct xdf_pipe *xp = crtc_to_xdf_pipe(crtc);

	/* From the timer, the vblank is its expiry, set just before. */
	if (in_vblank_irq)
		*vblank_time = atomic64_read(&xp->vblank_last);
	else
		*vblank_time = xdf_vblank_last(xp, ktime_get());
	return true;
}

static int xdf_pipe_enable_vblank(struct drm_simple_display_pipe *pipe)
{
	struct xdf_pipe *xp = to_xdf_pipe(pipe);
	ktime_t last, next;

	/* A frame-done from before says nothing of the phase now. */
	atomic64_set(&xp->frame_done_time, 0);
	spin_lock(&xp->vblank_timer_lock);
	xp->vblank_since_rephase = XDF_VBLANK_REPHASE_TICKS;
	/* The DRM core asks for the last vblank next: the one before now. */
	last = xdf_vblank_last(xp, ktime_get());
	next = ktime_add(last, xp->vblank_period);
	atomic64_set(&xp->vblank_last, last);
	atomic64_set(&xp->vblank_next, next);
	hrtimer_start(&xp->vblank_timer, next, HRTIMER_MODE_ABS);
	spin_unlock(&xp->vblank_timer_lock);
	return 0;
}

static void xdf_pipe_disable_vblank(struct drm_simple_display_pipe *pipe)
{
	/* Called under the vblank lock: must not wait for the handler. */
	hrtimer_try_to_cancel(&to_xdf_pipe(pipe)->vblank_timer);
}

static void xdf_pipe_update(struct drm_simple_display_pipe *pipe,
			    struct drm_plane_state *old_state)
{
	struct xdf_pipe *xp = to_xdf_pipe(pipe);
	struct drm_plane_state *state = pipe->plane.state;
	struct xendispl_req req = {
		.operation = XENDISPL_OP_PG_FLIP,
	};
	int idx, ret;
	u64 cookie;

	/*
	 * Off, or just enabled with this framebuffer: nothing to flip.
	 * Otherwise a new framebuffer or damage to this one (DIRTYFB, fbdev)
	 * is shown by a flip.
	 */
	if (!xp->enabled || !state->fb ||
	    drm_atomic_crtc_needs_modeset(pipe->crtc.state)) {
		xdf_pipe_take_event(xp, 0);
		return;
	}

	/* Gone: nothing will show the flip, complete it now. */
	if (!drm_dev_enter(pipe->crtc.dev, &idx)) {
		xdf_pipe_take_event(xp, 0);
		return;
	}

	cookie = to_xdf_fb(state->fb)->cookie;
	req.op.pg_flip.fb_cookie = cookie;
	/* Armed before the request: the frame-done may beat the response. */
	xdf_pipe_take_event(xp, cookie);
	xp->stats.flips++;

	ret = xdf_request(xp->xdrm->chs, xp->idx, &req, NULL);
	if (ret == -ENODEV) {
		/* The backend is leaving, the device goes with it. */
		xdf_pipe_complete(xp);
	} else if (ret) {
		xdf_pipe_complete_at_vblank(xp);
		xp->stats.errors++;
		drm_err_ratelimited(&xp->xdrm->drm,
				    "connector %u: flip to framebuffer %llu failed: %d\n",
				    xp->idx, cookie, ret);
		xdf_pipe_set_link(xp, true);
	}
	drm_dev_exit(idx);
}

static bool xdf_refresh_matches(int refresh, int wanted)
{
	return refresh >= wanted - 1 && refresh <= wanted + 1;
}

/*
 * Only what the backend offers: the configured resolution at 60 Hz, or a
 * mode of its EDID; size, refresh and so clock are all checked.
 */
static enum drm_mode_status xdf_mode_check(struct xdf_pipe *xp,
					   const struct drm_display_mode *mode)
{
	const struct xdf_connector_cfg *cfg = &xp->xdrm->cfg.connectors[xp->idx];
	int refresh = drm_mode_vrefresh(mode);
	enum drm_mode_status status = MODE_BAD;
	unsigned int i;

	if (mode->flags & (DRM_MODE_FLAG_INTERLACE | DRM_MODE_FLAG_DBLSCAN))
		return MODE_NO_INTERLACE;

	if (mode->hdisplay == cfg->width && mode->vdisplay == cfg->height)
		status = xdf_refresh_matches(refresh, XDF_REFRESH_HZ) ?
			 MODE_OK : MODE_BAD_VVALUE;

	mutex_lock(&xp->modes_lock);
	for (i = 0; i < xp->num_modes && status != MODE_OK; i++) {
		if (mode->hdisplay != xp->modes[i].width ||
		    mode->vdisplay != xp->modes[i].height)
			continue;
		status = xdf_refresh_matches(refresh, xp->modes[i].refresh) ?
			 MODE_OK : MODE_BAD_VVALUE;
	}
	mutex_unlock(&xp->modes_lock);
	return status;
}

static enum drm_mode_status xdf_pipe_mode_valid(struct drm_simple_display_pipe *pipe,
						const struct drm_display_mode *mode)
{
	return xdf_mode_check(to_xdf_pipe(pipe), mode);
}

static const struct drm_simple_display_pipe_funcs xdf_pipe_funcs = {
	.mode_valid = xdf_pipe_mode_valid,
	.enable = xdf_pipe_enable,
	.disable = xdf_pipe_disable,
	.update = xdf_pipe_update,
	.enable_vblank = xdf_pipe_enable_vblank,
	.disable_vblank = xdf_pipe_disable_vblank,
};

/*
 * The backend shows the configured resolution only; the mode around it is
 * a reduced-blanking 60 Hz timing, so its clock is what a client expects.
 */
static struct drm_display_mode *xdf_mode_create(struct drm_device *drm,
						u32 width, u32 height)
{
	struct drm_display_mode *mode = drm_mode_create(drm);

	if (!mode)
		return NULL;

	mode->hdisplay = width;
	mode->hsync_start = width + 48;
	mode->hsync_end = mode->hsync_start + 32;
	mode->htotal = mode->hsync_end + 80;
	mode->vdisplay = height;
	mode->vsync_start = height + 3;
	mode->vsync_end = mode->vsync_start + 6;
	mode->vtotal = mode->vsync_end + 25;
	mode->clock = DIV_ROUND_UP(mode->htotal * mode->vtotal * XDF_REFRESH_HZ,
				   1000);
	mode->flags = DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_NVSYNC;
	mode->type = DRM_MODE_TYPE_DRIVER | DRM_MODE_TYPE_PREFERRED;
	drm_mode_set_name(mode);
	return mode;
}

/* Copies an EDID of @size bytes out of the shared pages, if it is one. */
static const struct drm_edid *xdf_edid_copy(struct xdf_pipe *xp,
					    struct page **pages, u32 size)
{
	const struct drm_edid *drm_edid = NULL;
	unsigned int i, len;
	u8 *buf;

	if (size < EDID_LENGTH || size > XENDISPL_EDID_MAX_SIZE ||
	    size % EDID_LENGTH) {
		drm_err(&xp->xdrm->drm, "connector %u: backend's EDID size %u is invalid\n",
			xp->idx, size);
		return NULL;
	}

	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return NULL;
	for (i = 0; i * PAGE_SIZE < size; i++) {
		len = min_t(u32, size - i * PAGE_SIZE, PAGE_SIZE);
		memcpy(buf + i * PAGE_SIZE, page_address(pages[i]), len);
	}

	/* The extension count must fit in what was sent before it is used. */
	len = (buf[0x7e] + 1) * EDID_LENGTH;
	if (len <= size && drm_edid_is_valid((struct edid *)buf))
		drm_edid = drm_edid_alloc(buf, len);
	else
		drm_err(&xp->xdrm->drm, "connector %u: backend's EDID is not valid\n",
			xp->idx);
	kfree(buf);
	return drm_edid;
}

/*
 * Asks the backend for the connector's EDID (protocol version 2 on) and
 * sets @edid to it, or to NULL. False if the backend could not be asked or
 * did not answer: the next probe asks again.
 */
static bool xdf_edid_read(struct xdf_pipe *xp, const struct drm_edid **edid)
{
	struct page *pages[XENDISPL_EDID_MAX_SIZE / PAGE_SIZE] = {};
	struct xendispl_resp resp;
	struct xendispl_req req;
	struct xdf_dbuf *shared;
	bool answered = false;
	unsigned int i;
	int ret;

	*edid = NULL;
	if (xp->xdrm->cfg.version == 1)
		return true;

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!pages[i])
			goto out;
	}

	shared = xdf_dbuf_share(xp->xdrm, pages, ARRAY_SIZE(pages));
	if (IS_ERR(shared))
		goto out;

	req = (struct xendispl_req) {
		.operation = XENDISPL_OP_GET_EDID,
		.op.get_edid = {
			.buffer_sz = XENDISPL_EDID_MAX_SIZE,
			.gref_directory = shared->dir_grefs[0],
		},
	};
	ret = xdf_pipe_request(xp, &req, &resp);
	answered = ret != -ETIMEDOUT && ret != -ENODEV;
	if (!ret)
		*edid = xdf_edid_copy(xp, pages, resp.op.get_edid.edid_sz);
	else
		drm_dbg_kms(&xp->xdrm->drm, "connector %u: no EDID from the backend: %d\n",
			    xp->idx, ret);
	xdf_dbuf_put(shared);
out:
	for (i = 0; i < ARRAY_SIZE(pages) && pages[i]; i++)
		__free_page(pages[i]);
	return answered;
}

/* Remembers the modes the backend offers, for mode_valid. */
static void xdf_pipe_set_modes(struct xdf_pipe *xp)
{
	struct drm_display_mode *mode;
	unsigned int n = 0;

	mutex_lock(&xp->modes_lock);
	list_for_each_entry(mode, &xp->connector.probed_modes, head) {
		if (n == ARRAY_SIZE(xp->modes))
			break;
		xp->modes[n++] = (struct xdf_mode) {
			.width = mode->hdisplay,
			.height = mode->vdisplay,
			.refresh = drm_mode_vrefresh(mode),
		};
	}
	xp->num_modes = n;
	mutex_unlock(&xp->modes_lock);
}

static int xdf_connector_get_modes(struct drm_connector *connector)
{
	struct xdf_pipe *xp = container_of(connector, struct xdf_pipe, connector);
	const struct xdf_connector_cfg *cfg = &xp->xdrm->cfg.connectors[xp->idx];
	struct drm_display_mode *mode;
	int count = 0;

	/* The backend's EDID does not change: read it once it answers. */
	if (!xp->edid_read)
		xp->edid_read = xdf_edid_read(xp, &xp->edid);
	if (xp->edid)
		count = drm_edid_connector_update(connector, xp->edid);

	if (!count) {
		drm_edid_connector_update(connector, NULL);
		mode = xdf_mode_create(connector->dev, cfg->width, cfg->height);
		if (mode) {
			drm_mode_probed_add(connector, mode);
			count = 1;
		}
	}

	xdf_pipe_set_modes(xp);
	return count;
}

static enum drm_mode_status xdf_connector_mode_valid(struct drm_connector *connector,
						     struct drm_display_mode *mode)
{
	return xdf_mode_check(container_of(connector, struct xdf_pipe, connector),
			      mode);
}

static const struct drm_connector_helper_funcs xdf_connector_helper_funcs = {
	.get_modes = xdf_connector_get_modes,
	.mode_valid = xdf_connector_mode_valid,
};

/*
 * debugfs xen_state, one "name: value" line each: whether the pipe is on,
 * the link status, the framebuffer shown, the flip whose frame-done is
 * awaited (0: none) and the counters of struct xdf_pipe_stats.
 */
static int xdf_pipe_state_show(struct seq_file *m, void *unused)
{
	struct xdf_pipe *xp = m->private;
	struct drm_device *drm = &xp->xdrm->drm;
	struct drm_plane_state *plane_state;
	struct xdf_pipe_stats stats;
	u64 fb_cookie = 0, pending = 0;
	bool active;

	drm_modeset_lock(&xp->pipe.plane.mutex, NULL);
	plane_state = xp->pipe.plane.state;
	active = xp->pipe.crtc.state && xp->pipe.crtc.state->active;
	if (plane_state->fb)
		fb_cookie = to_xdf_fb(plane_state->fb)->cookie;
	drm_modeset_unlock(&xp->pipe.plane.mutex);

	spin_lock_irq(&drm->event_lock);
	if (xp->pending)
		pending = xp->pending_cookie;
	stats = xp->stats;
	spin_unlock_irq(&drm->event_lock);

	seq_printf(m, "pipe: %s\n", active ? "on" : "off");
	seq_printf(m, "link: %s\n", READ_ONCE(xp->link_bad) ? "bad" : "good");
	seq_printf(m, "fb_cookie: %llu\n", fb_cookie);
	seq_printf(m, "pending_flip: %llu\n", pending);
	seq_printf(m, "flips: %llu\n", stats.flips);
	seq_printf(m, "frame_done: %llu\n", stats.frame_done);
	seq_printf(m, "stray_frame_done: %llu\n", stats.stray_frame_done);
	seq_printf(m, "timeouts: %llu\n", stats.timeouts);
	seq_printf(m, "errors: %llu\n", stats.errors);
	seq_printf(m, "vblank_rephases: %llu\n", stats.rephases);
	seq_printf(m, "vblank_ticks: %llu\n", stats.vblank_ticks);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xdf_pipe_state);

static void xdf_connector_debugfs_init(struct drm_connector *connector,
				       struct dentry *root)
{
	debugfs_create_file("xen_state", 0444, root,
			    container_of(connector, struct xdf_pipe, connector),
			    &xdf_pipe_state_fops);
}

static const struct drm_connector_funcs xdf_connector_funcs = {
	.debugfs_init = xdf_connector_debugfs_init,
	.reset = drm_atomic_helper_connector_reset,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

/*
 * Waits for events (frame-done or its timeout), not for vblanks, before
 * framebuffers that may still be shown are released.
 */
static void xdf_commit_tail(struct drm_atomic_state *state)
{
	struct drm_device *drm = state->dev;
	struct drm_crtc_state *crtc_state;
	struct drm_crtc *crtc;
	unsigned int i;

	drm_atomic_helper_commit_modeset_disables(drm, state);
	drm_atomic_helper_commit_modeset_enables(drm, state);
	drm_atomic_helper_commit_planes(drm, state, DRM_PLANE_COMMIT_ACTIVE_ONLY);

	/* A commit that touched neither pipe nor plane still gets its event. */
	for_each_new_crtc_in_state(state, crtc, crtc_state, i)
		xdf_pipe_take_event(crtc_to_xdf_pipe(crtc), 0);

	drm_atomic_helper_commit_hw_done(state);
	drm_atomic_helper_wait_for_flip_done(drm, state);
	drm_atomic_helper_cleanup_planes(drm, state);
}

static const struct drm_mode_config_helper_funcs xdf_mode_config_helpers = {
	.atomic_commit_tail = xdf_commit_tail,
};

/*
 * PG_FLIP carries no position: showing another part of a framebuffer
 * (modetest's one buffer across several connectors, a panning client)
 * takes a SET_CONFIG, so a modeset. Decided before the helpers' modeset
 * checks so they add what a modeset needs.
 */
static int xdf_atomic_check(struct drm_device *drm, struct drm_atomic_state *state)
{
	struct drm_plane_state *old_state, *new_state;
	struct drm_crtc_state *crtc_state;
	struct drm_plane *plane;
	int i;

	for_each_oldnew_plane_in_state(state, plane, old_state, new_state, i) {
		if (!old_state->fb || !new_state->fb || !new_state->crtc ||
		    (old_state->src_x == new_state->src_x &&
		     old_state->src_y == new_state->src_y))
			continue;
		crtc_state = drm_atomic_get_crtc_state(state, new_state->crtc);
		if (IS_ERR(crtc_state))
			return PTR_ERR(crtc_state);
		crtc_state->mode_changed = true;
	}
	return drm_atomic_helper_check(drm, state);
}

static const struct drm_mode_config_funcs xdf_mode_config_funcs = {
	.fb_create = xdf_fb_create,
	.atomic_check = xdf_atomic_check,
	.atomic_commit = drm_atomic_helper_commit,
};

static int xdf_pipe_init(struct xdf_drm *xdrm, unsigned int idx)
{
	struct xdf_pipe *xp = &xdrm->pipes[idx];
	struct drm_device *drm = &xdrm->drm;
	int ret;

	xp->xdrm = xdrm;
	xp->idx = idx;
	INIT_DELAYED_WORK(&xp->flip_timeout, xdf_pipe_flip_timeout);
	INIT_WORK(&xp->link_work, xdf_pipe_link_work);
	hrtimer_init(&xp->vblank_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	xp->vblank_timer.function = xdf_vblank_timer;
	spin_lock_init(&xp->vblank_timer_lock);
	/* Set from the mode at each enable; never 0 for the timestamp hook. */
	xp->vblank_period = ns_to_ktime(NSEC_PER_SEC / XDF_REFRESH_HZ);
	ret = drmm_mutex_init(drm, &xp->modes_lock);
	if (ret)
		return ret;

	drm_connector_helper_add(&xp->connector, &xdf_connector_helper_funcs);
	ret = drm_connector_init(drm, &xp->connector, &xdf_connector_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;

	drm_connector_attach_edid_property(&xp->connector);

	ret = drm_simple_display_pipe_init(drm, &xp->pipe, &xdf_pipe_funcs,
					   xdf_formats, ARRAY_SIZE(xdf_formats),
					   xdf_modifiers, &xp->connector);
	if (ret)
		return ret;
	/* The simple pipe of 6.1 passes no vblank timestamp hook on. */
	xp->crtc_funcs = *xp->pipe.crtc.funcs;
	xp->crtc_funcs.get_vblank_timestamp = xdf_crtc_get_vblank_timestamp;
	xp->pipe.crtc.funcs = &xp->crtc_funcs;

	drm_plane_enable_fb_damage_clips(&xp->pipe.plane);
	return 0;
}

static void xdf_kms_release(struct drm_device *drm, void *unused)
{
	struct xdf_drm *xdrm = to_xdf_drm(drm);
	unsigned int i;

	for (i = 0; i < xdrm->cfg.num_connectors; i++)
		drm_edid_free(xdrm->pipes[i].edid);
}

/**
 * xdf_kms_init() - create the display pipes and set up mode configuration
 * @xdrm: the device, not registered yet, with drmm_mode_config_init() done
 *
 * Return: 0 or a negative errno.
 */
int xdf_kms_init(struct xdf_drm *xdrm)
{
	struct drm_device *drm = &xdrm->drm;
	unsigned int i;
	int ret;

	drm->mode_config.min_width = 1;
	drm->mode_config.min_height = 1;
	drm->mode_config.max_width = XDF_MAX_DIMENSION;
	drm->mode_config.max_height = XDF_MAX_DIMENSION;
	drm->mode_config.preferred_depth = 24;
	drm->mode_config.funcs = &xdf_mode_config_funcs;
	drm->mode_config.helper_private = &xdf_mode_config_helpers;

	for (i = 0; i < xdrm->cfg.num_connectors; i++) {
		ret = xdf_pipe_init(xdrm, i);
		if (ret)
			return ret;
	}

	ret = drmm_add_action_or_reset(drm, xdf_kms_release, NULL);
	if (ret)
		return ret;

	ret = drm_vblank_init(drm, xdrm->cfg.num_connectors);
	if (ret)
		return ret;

	drm_mode_config_reset(drm);
	return 0;
}

/**
 * xdf_kms_unplugged() - complete the flips the backend will never show
 * @xdrm: the device, just unplugged
 *
 * No flip can be armed any more, so shutting the pipes down next does not
 * wait for frame-done timeouts.
 */
void xdf_kms_unplugged(struct xdf_drm *xdrm)
{
	unsigned int i;

	for (i = 0; i < xdrm->cfg.num_connectors; i++) {
		cancel_delayed_work_sync(&xdrm->pipes[i].flip_timeout);
		xdf_pipe_complete(&xdrm->pipes[i]);
	}
}

/**
 * xdf_kms_fini() - stop the pipes' timers and workers once the unplugged
 *		    device was shut down
 * @xdrm: the device
 */
void xdf_kms_fini(struct xdf_drm *xdrm)
{
	unsigned int i;

	for (i = 0; i < xdrm->cfg.num_connectors; i++) {
		hrtimer_cancel(&xdrm->pipes[i].vblank_timer);
		cancel_work_sync(&xdrm->pipes[i].link_work);
	}
}
