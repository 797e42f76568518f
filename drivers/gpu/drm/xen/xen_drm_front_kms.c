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

#include <linux/jiffies.h>
#include <linux/workqueue.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_gem_atomic_helper.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_simple_kms_helper.h>
#include <drm/drm_vblank.h>

#include "xen_drm_front.h"

/* A frame-done later than a request's timeout is not coming. */
#define XDF_FRAME_DONE_SLACK_MS	500

static unsigned long xdf_flip_timeout_jiffies(void)
{
	return msecs_to_jiffies(xdf_req_timeout_ms + XDF_FRAME_DONE_SLACK_MS);
}

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

/**
 * xdf_kms_link_lost() - mark every connector's link BAD, for good
 * @xdrm: the device, about to be unplugged
 *
 * Returns once user space was sent the hotplug event.
 */
void xdf_kms_link_lost(struct xdf_drm *xdrm)
{
	unsigned int i;

	for (i = 0; i < xdrm->cfg.num_connectors; i++) {
		xdf_pipe_set_link(&xdrm->pipes[i], true);
		flush_work(&xdrm->pipes[i].link_work);
	}
}

/*
 * Sends @event with the count and time of the last vblank: the DRM core's
 * copy is brought up to date from the counter, which a frame-done may have
 * moved since the last vblank interrupt, or while vblank interrupts were
 * off. The counter counts whether they are on or not, so no vblank
 * reference is taken: one would turn them on, and keep the timer running
 * for the off-delay after each event, for a client that only flips. Not
 * for the events the atomic helpers make for commits without one
 * (DIRTYFB, fbdev): nobody reads those. Called with event_lock held.
 */
static void xdf_pipe_send_event(struct xdf_pipe *xp,
				struct drm_pending_vblank_event *event)
{
	struct drm_crtc *crtc = &xp->pipe.crtc;

	if (event->base.file_priv)
		drm_crtc_accurate_vblank_count(crtc);
	drm_crtc_send_vblank_event(crtc, event);
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

/*
 * The backend sends one frame-done per flip it accepted, in order, naming
 * only the framebuffer. So a frame-done is for the oldest flip of that
 * framebuffer still awaiting one; flips before it will have none. Only the
 * newest flip has an event pending: a late frame-done for a flip that
 * timed out does not complete a later flip of the same framebuffer.
 * Called with event_lock held.
 */
static void xdf_flips_push(struct xdf_pipe *xp, u64 cookie)
{
	if (xp->flips_count == XDF_FLIPS_MAX) {
		xp->flips_first = (xp->flips_first + 1) % XDF_FLIPS_MAX;
		xp->flips_count--;
		if (xp->flips_late)
			xp->flips_late--;
	}
	xp->flips[(xp->flips_first + xp->flips_count) % XDF_FLIPS_MAX] = cookie;
	xp->flips_count++;
}

/*
 * Takes the oldest flip of @cookie and those before it off the list: true
 * if it was the newest, the one a pending event waits for.
 */
static bool xdf_flips_take(struct xdf_pipe *xp, u64 cookie, bool *found)
{
	unsigned int i;

	for (i = 0; i < xp->flips_count; i++)
		if (xp->flips[(xp->flips_first + i) % XDF_FLIPS_MAX] == cookie)
			break;
	*found = i < xp->flips_count;
	if (!*found)
		return false;
	xp->flips_first = (xp->flips_first + i + 1) % XDF_FLIPS_MAX;
	xp->flips_count -= i + 1;
	xp->flips_late -= min(xp->flips_late, i + 1);
	return !xp->flips_count;
}

/*
 * Completes the pending flip event and forgets the flips sent: the pipe is
 * being disabled or the backend is gone, no frame-done is awaited.
 */
static void xdf_pipe_complete(struct xdf_pipe *xp)
{
	unsigned long flags;

	spin_lock_irqsave(&xp->xdrm->drm.event_lock, flags);
	xdf_pipe_complete_locked(xp);
	xp->flips_count = 0;
	xp->flips_late = 0;
	xdf_vblank_release(xp);
	spin_unlock_irqrestore(&xp->xdrm->drm.event_lock, flags);
}

/*
 * The backend refused the newest flip, or the ring broke under it: it gets
 * no frame-done. Its event goes out at the next vblank, as a display shows
 * a frame no sooner: a client must not flip again at once, over and over.
 * At once if vblank is off.
 */
static void xdf_pipe_refused(struct xdf_pipe *xp)
{
	struct drm_crtc *crtc = &xp->pipe.crtc;
	unsigned long flags;

	spin_lock_irqsave(&xp->xdrm->drm.event_lock, flags);
	xp->stats.errors++;
	if (xp->flips_count) {
		xp->flips_count--;
		xp->flips_late = min(xp->flips_late, xp->flips_count);
		if (xp->flips_late == xp->flips_count)
			xdf_vblank_release(xp);
	}
	if (xp->pending && !drm_crtc_vblank_get(crtc)) {
		/* The vblank reference goes with the event. */
		drm_crtc_arm_vblank_event(crtc, xp->pending);
		xp->pending = NULL;
	}
	xdf_pipe_complete_locked(xp);
	spin_unlock_irqrestore(&xp->xdrm->drm.event_lock, flags);
}

/*
 * A flip failed: @ret as xdf_request_nowait() or &xdf_answer_fn have it.
 * Called in any context.
 */
static void xdf_pipe_flip_failed(struct xdf_pipe *xp, int ret)
{
	unsigned long flags;

	/* The backend is leaving, the device goes with it. */
	if (ret == -ENODEV) {
		xdf_pipe_complete(xp);
		return;
	}
	/*
	 * No answer in time: its frame-done may still come, until the flip
	 * timeout gives up on it; the event waits for either. A later flip
	 * may be pending already: this one's answer was waited for only
	 * when the ring was needed again.
	 */
	if (ret == -ETIMEDOUT) {
		spin_lock_irqsave(&xp->xdrm->drm.event_lock, flags);
		xp->stats.errors++;
		spin_unlock_irqrestore(&xp->xdrm->drm.event_lock, flags);
	} else {
		xdf_pipe_refused(xp);
	}
	drm_err_ratelimited(&xp->xdrm->drm, "connector %u: flip failed: %d\n",
			    xp->idx, ret);
	xdf_pipe_set_link(xp, true);
}

/**
 * xdf_kms_answer() - handle the outcome of a flip its commit did not wait for
 * @data: the device
 * @conn_idx: connector whose ring carried the flip
 * @op: the request's operation
 * @result: its outcome (see &xdf_answer_fn)
 *
 * A refused flip's event goes out with its refusal, or at the flip's
 * timeout, and the pipe's next flip waits for that event: a refusal is
 * for the newest flip, unless it comes after that timeout (the ring was
 * slow with the answer before it) or after the flip's frame-done (a
 * backend breaking the protocol). Then the next flip's event comes at the
 * next vblank instead of its frame-done: no event is lost. Called in any
 * context by the request ring code.
 */
void xdf_kms_answer(void *data, unsigned int conn_idx, u8 op, int result)
{
	struct xdf_drm *xdrm = data;

	if (!result || op != XENDISPL_OP_PG_FLIP ||
	    conn_idx >= xdrm->cfg.num_connectors)
		return;
	xdf_pipe_flip_failed(&xdrm->pipes[conn_idx], result);
}

/*
 * Takes the commit's event from the CRTC state. With @cookie, a flip of
 * that framebuffer is on its way: the event waits for its frame-done, the
 * next vblank, or the timeout; without, it is sent at once.
 */
static void xdf_pipe_take_event(struct xdf_pipe *xp, u64 cookie)
{
	struct drm_crtc *crtc = &xp->pipe.crtc;
	struct drm_pending_vblank_event *event;
	struct drm_device *drm = crtc->dev;

	spin_lock_irq(&drm->event_lock);
	event = crtc->state->event;
	crtc->state->event = NULL;
	if (cookie) {
		unsigned long timeout = xdf_flip_timeout_jiffies();

		xdf_flips_push(xp, cookie);
		xdf_vblank_hold(xp);
		xp->flip_deadline = jiffies + timeout;
		/*
		 * Not re-armed at each flip: a timer's removal and insertion
		 * per flip is CPU a flipping client pays. The worker waits
		 * again for a deadline that moved later; one that moved
		 * earlier (a shorter req_timeout_ms) re-arms it.
		 */
		if (!delayed_work_pending(&xp->flip_timeout) ||
		    time_after(xp->flip_due, xp->flip_deadline)) {
			mod_delayed_work(system_wq, &xp->flip_timeout, timeout);
			xp->flip_due = xp->flip_deadline;
		}
	}
	if (event && cookie) {
		/* Never lost: an event still pending goes out first. */
		xdf_pipe_complete_locked(xp);
		xp->pending = event;
		xp->pending_cookie = cookie;
	} else if (event) {
		xdf_pipe_send_event(xp, event);
	}
	spin_unlock_irq(&drm->event_lock);
}

static void xdf_pipe_flip_timeout(struct work_struct *work)
{
	struct xdf_pipe *xp = container_of(to_delayed_work(work),
					   struct xdf_pipe, flip_timeout);
	bool given_up, late;
	u64 cookie = 0;
	long left;

	spin_lock_irq(&xp->xdrm->drm.event_lock);
	given_up = xp->flips_late < xp->flips_count;
	/* A flip sent since the work was queued moved the deadline. */
	left = (long)(xp->flip_deadline - jiffies);
	if (given_up && left > 0) {
		queue_delayed_work(system_wq, &xp->flip_timeout, left);
		xp->flip_due = xp->flip_deadline;
		spin_unlock_irq(&xp->xdrm->drm.event_lock);
		return;
	}
	/* Frame-dones still coming are late from now on. */
	if (given_up) {
		xp->flips_late = xp->flips_count;
		/* Its event goes out now, with a vblank not before the flip. */
		xdf_vblank_frame_done(xp, false);
	}
	late = xdf_pipe_complete_locked(xp);
	if (given_up)
		xdf_vblank_release(xp);
	if (late) {
		xp->stats.timeouts++;
		cookie = xp->pending_cookie;
	}
	spin_unlock_irq(&xp->xdrm->drm.event_lock);

	if (given_up)
		drm_crtc_handle_vblank(&xp->pipe.crtc);
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
 * A frame-done for a flip sent is a vblank; it completes the pending flip
 * if it is for that one. Called in interrupt context by the event channel
 * code.
 */
void xdf_kms_frame_done(void *data, unsigned int conn_idx, u64 fb_cookie)
{
	struct xdf_drm *xdrm = data;
	bool newest, found, on = false;
	struct xdf_pipe *xp;

	if (conn_idx >= xdrm->cfg.num_connectors)
		return;
	xp = &xdrm->pipes[conn_idx];

	spin_lock(&xdrm->drm.event_lock);
	xp->stats.frame_done++;
	newest = xdf_flips_take(xp, fb_cookie, &found);
	if (found)
		on = xdf_vblank_frame_done(xp, true);
	if (!newest || !xdf_pipe_complete_locked(xp)) {
		xp->stats.stray_frame_done++;
		if (found)
			xp->stats.late_frame_done++;
	}
	/* After the event, which then took its count without a clock read. */
	if (found && xp->flips_late == xp->flips_count)
		xdf_vblank_release(xp);
	spin_unlock(&xdrm->drm.event_lock);
	/*
	 * Vblank waits end at this vblank too. With vblank off there are
	 * none: a wait takes a vblank reference, which turns it on first.
	 */
	if (on)
		drm_crtc_handle_vblank(&xp->pipe.crtc);
}

/* As a failed SET_CONFIG: the pipe shows nothing new, the link is BAD. */
static void xdf_pipe_no_view(struct xdf_pipe *xp, struct drm_framebuffer *fb,
			     u32 width, u32 height)
{
	xp->stats.errors++;
	drm_err_ratelimited(&xp->xdrm->drm,
			    "connector %u: no %ux%u view of framebuffer %llu to show\n",
			    xp->idx, width, height, to_xdf_fb(fb)->cookie);
	xdf_pipe_set_link(xp, true);
}

/*
 * Fences of imported buffers, as the helpers' default; then the view a
 * backend without feature-fb-viewport is to be shown, made while the
 * state is still the commit's own.
 */
static int xdf_pipe_prepare_fb(struct drm_simple_display_pipe *pipe,
			       struct drm_plane_state *state)
{
	int ret;

	ret = drm_gem_simple_display_pipe_prepare_fb(pipe, state);
	if (!ret)
		xdf_fb_plane_prepare(state);
	return ret;
}

static void xdf_pipe_destroy_plane_state(struct drm_simple_display_pipe *pipe,
					 struct drm_plane_state *state)
{
	xdf_fb_plane_destroy_state(state);
}

static void xdf_pipe_reset_plane(struct drm_simple_display_pipe *pipe)
{
	xdf_fb_plane_reset(&pipe->plane);
}

static struct drm_plane_state *
xdf_pipe_duplicate_plane_state(struct drm_simple_display_pipe *pipe)
{
	return xdf_fb_plane_duplicate_state(&pipe->plane);
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
			.width = crtc_state->mode.hdisplay,
			.height = crtc_state->mode.vdisplay,
			.bpp = fb->format->cpp[0] * 8,
		},
	};
	struct xendispl_set_config_req *cfg = &req.op.set_config;
	int ret;

	xdf_vblank_start(xp);
	cfg->fb_cookie = xdf_fb_shown(plane_state, &crtc_state->mode, &cfg->x,
				      &cfg->y);
	if (!cfg->fb_cookie) {
		xdf_pipe_take_event(xp, 0);
		xdf_pipe_no_view(xp, fb, cfg->width, cfg->height);
		return;
	}
	ret = xdf_dev_request(xp->xdrm, xp->idx, &req, NULL);
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
	ret = xdf_dev_request(xp->xdrm, xp->idx, &req, NULL);
	if (ret && ret != -ENODEV)
		drm_err(&xp->xdrm->drm, "connector %u: backend did not disable: %d\n",
			xp->idx, ret);
	xdf_fb_hold(&xp->kept, NULL);
	xdf_vblank_stop(xp);
	/* No frame-done follows; a modeset's enable takes the event. */
	if (!pipe->crtc.state->active)
		xdf_pipe_take_event(xp, 0);
}

static void xdf_pipe_update(struct drm_simple_display_pipe *pipe,
			    struct drm_plane_state *old_state)
{
	struct xdf_pipe *xp = to_xdf_pipe(pipe);
	struct drm_plane_state *state = pipe->plane.state;
	const struct drm_display_mode *mode = &pipe->crtc.state->mode;
	struct xendispl_req req = {
		.operation = XENDISPL_OP_PG_FLIP,
	};
	int idx, ret;
	u32 x, y;
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

	cookie = xdf_fb_shown(state, mode, &x, &y);
	if (!cookie) {
		xdf_pipe_take_event(xp, 0);
		xdf_pipe_no_view(xp, state->fb, mode->hdisplay, mode->vdisplay);
		drm_dev_exit(idx);
		return;
	}
	req.op.pg_flip.fb_cookie = cookie;
	/* Armed before the request: the frame-done may beat the response. */
	xdf_pipe_take_event(xp, cookie);
	xp->stats.flips++;

	/*
	 * The answer is not waited for: a refusal comes to xdf_kms_answer(),
	 * the frame-done completes the flip's event.
	 */
	ret = xdf_request_nowait(xp->xdrm->chs, xp->idx, &req);
	if (ret)
		xdf_pipe_flip_failed(xp, ret);
	/*
	 * The backend shows what the flip replaces until the flip's
	 * frame-done: kept until the pipe's next flip or its disable, by when
	 * that frame-done has come (a commit waits for the previous one's
	 * event), so this commit need not wait for it. After the flip: what
	 * the hold lets go of may take a request.
	 */
	xdf_fb_hold(&xp->kept, old_state);
	drm_dev_exit(idx);
}

static enum drm_mode_status xdf_pipe_mode_valid(struct drm_simple_display_pipe *pipe,
						const struct drm_display_mode *mode)
{
	return xdf_conn_mode_valid(to_xdf_pipe(pipe), mode);
}

static const struct drm_simple_display_pipe_funcs xdf_pipe_funcs = {
	.mode_valid = xdf_pipe_mode_valid,
	.enable = xdf_pipe_enable,
	.disable = xdf_pipe_disable,
	.update = xdf_pipe_update,
	.enable_vblank = xdf_vblank_enable,
	.disable_vblank = xdf_vblank_disable,
	.prepare_fb = xdf_pipe_prepare_fb,
	.reset_plane = xdf_pipe_reset_plane,
	.duplicate_plane_state = xdf_pipe_duplicate_plane_state,
	.destroy_plane_state = xdf_pipe_destroy_plane_state,
};

/*
 * A blocking commit returns once its flips are shown (frame-done or its
 * timeout), as a display latches them: its caller may then draw into the
 * framebuffers they replaced. A nonblocking one's event tells its client
 * that; the pipe keeps a framebuffer the backend may still show
 * (xdf_pipe_update()), and the commit worker does not wait: that would put
 * its clean-up between each frame-done and the client's next flip.
 */
static void xdf_commit_tail(struct drm_atomic_state *state)
{
	struct drm_device *drm = state->dev;
	struct drm_crtc_state *crtc_state;
	struct drm_crtc *crtc;
	bool modeset = false;
	unsigned int i;

	for_each_new_crtc_in_state(state, crtc, crtc_state, i)
		modeset |= drm_atomic_crtc_needs_modeset(crtc_state);
	/*
	 * The disables would recompute every active CRTC's timestamping
	 * constants at each flip; only a modeset changes them. The legacy
	 * state is kept up to date either way.
	 */
	if (modeset) {
		drm_atomic_helper_commit_modeset_disables(drm, state);
		drm_atomic_helper_commit_modeset_enables(drm, state);
	} else {
		drm_atomic_helper_update_legacy_modeset_state(drm, state);
	}
	drm_atomic_helper_commit_planes(drm, state, DRM_PLANE_COMMIT_ACTIVE_ONLY);

	/* A commit that touched neither pipe nor plane still gets its event. */
	for_each_new_crtc_in_state(state, crtc, crtc_state, i)
		xdf_pipe_take_event(crtc_to_xdf_pipe(crtc), 0);

	drm_atomic_helper_commit_hw_done(state);
	/* The helpers run a nonblocking commit in its commit_work. */
	if (current_work() != &state->commit_work)
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

/*
 * A CRTC may stay enabled (mode and connector kept) but inactive without
 * a plane, as clients leave it when they turn a display off; the simple
 * pipe's check wants a plane for every enabled CRTC. One that is to be
 * active needs it.
 */
static int xdf_crtc_check(struct drm_crtc *crtc, struct drm_atomic_state *state)
{
	struct drm_crtc_state *crtc_state =
		drm_atomic_get_new_crtc_state(state, crtc);
	int ret;

	ret = drm_atomic_helper_check_crtc_state(crtc_state, !crtc_state->active);
	if (ret)
		return ret;
	return drm_atomic_add_affected_planes(state, crtc);
}

static int xdf_pipe_init(struct xdf_drm *xdrm, unsigned int idx)
{
	struct xdf_pipe *xp = &xdrm->pipes[idx];
	int ret;

	xp->xdrm = xdrm;
	xp->idx = idx;
	INIT_DELAYED_WORK(&xp->flip_timeout, xdf_pipe_flip_timeout);
	INIT_WORK(&xp->link_work, xdf_pipe_link_work);

	ret = xdf_conn_init(xp);
	if (ret)
		return ret;

	ret = drm_simple_display_pipe_init(&xdrm->drm, &xp->pipe, &xdf_pipe_funcs,
					   xdf_fb_formats, xdf_fb_num_formats,
					   xdf_fb_modifiers, &xp->connector);
	if (ret)
		return ret;
	xdf_vblank_init(xp);
	xp->crtc_helper_funcs = *xp->pipe.crtc.helper_private;
	xp->crtc_helper_funcs.atomic_check = xdf_crtc_check;
	drm_crtc_helper_add(&xp->pipe.crtc, &xp->crtc_helper_funcs);

	drm_plane_enable_fb_damage_clips(&xp->pipe.plane);
	return 0;
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
	/*
	 * The pipes' vblank counters are the DRM core's hardware counters,
	 * exact whenever read: vblank goes off at the vblank after its last
	 * user lets go, not 5 s later. A compositor asks for the last
	 * vblank's time as its repaint loop starts, and the core's delay kept
	 * the timers of all its outputs running at the refresh rate, nearly
	 * six interrupts a frame for Weston with four outputs.
	 */
	drm->max_vblank_count = U32_MAX;
	drm->vblank_disable_immediate = true;

	for (i = 0; i < xdrm->cfg.num_connectors; i++) {
		ret = xdf_pipe_init(xdrm, i);
		if (ret)
			return ret;
	}

	ret = drm_vblank_init(drm, xdrm->cfg.num_connectors);
	if (ret)
		return ret;

	drm_mode_config_reset(drm);
	return 0;
}

/**
 * xdf_kms_unplugged() - complete the flips the backend will never show
 * @xdrm: the device, whose channels are disconnected
 *
 * A flip armed from now on fails at once, so shutting the pipes down next
 * does not wait for frame-done timeouts.
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
		/*
		 * A flip armed its timeout after xdf_kms_unplugged() ran and
		 * before the unplug: it failed at once, its timeout stays.
		 */
		cancel_delayed_work_sync(&xdrm->pipes[i].flip_timeout);
		xdf_vblank_fini(&xdrm->pipes[i]);
		cancel_work_sync(&xdrm->pipes[i].link_work);
		/* Disabled by the shutdown, unless its commit failed. */
		xdf_fb_hold(&xdrm->pipes[i].kept, NULL);
	}
}
