// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: vblank.
 *
 * The backend has no vblank interrupt. While someone needs vblanks, a
 * timer at the mode's refresh stands in for it, kept in phase with the
 * frame-done events of a backend that shows frames at its display's
 * refresh; while nobody does, no timer runs, and the timestamp hook tells
 * the DRM core how many vblanks passed meanwhile.
 */

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>

#include <drm/drm_vblank.h>

#include "xen_drm_front.h"

/*
 * The vblank timer takes the phase of frame-dones more than 1/8 of a
 * period away from its own, at most once in 60 periods: a backend that
 * answers at once sends frame-dones when clients flip, and clients pace
 * their flips by our vblanks. Following those every frame would feed back
 * into the refresh rate.
 */
#define XDF_VBLANK_PHASE_SLACK		8
#define XDF_VBLANK_REPHASE_TICKS	60

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

/**
 * xdf_vblank_enable() - start the vblank timer: the simple pipe's
 *			 enable_vblank
 * @pipe: the pipe
 *
 * Return: 0.
 */
int xdf_vblank_enable(struct drm_simple_display_pipe *pipe)
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

/**
 * xdf_vblank_disable() - stop the vblank timer: the simple pipe's
 *			  disable_vblank
 * @pipe: the pipe
 */
void xdf_vblank_disable(struct drm_simple_display_pipe *pipe)
{
	/* Called under the vblank lock: must not wait for the handler. */
	hrtimer_try_to_cancel(&to_xdf_pipe(pipe)->vblank_timer);
}

/**
 * xdf_vblank_frame_done() - note that the backend has just shown a frame
 * @xp: the pipe
 *
 * The vblank timer takes its phase from that time at its next expiry.
 */
void xdf_vblank_frame_done(struct xdf_pipe *xp)
{
	atomic64_set(&xp->frame_done_time, ktime_get());
}

/**
 * xdf_vblank_start() - turn vblank on for a pipe being enabled
 * @xp: the pipe
 *
 * The CRTC is on for DRM whatever the backend says. Its vblanks start now,
 * at the mode's refresh, which the atomic helpers have computed before
 * enabling.
 */
void xdf_vblank_start(struct xdf_pipe *xp)
{
	struct drm_crtc *crtc = &xp->pipe.crtc;
	int framedur_ns = xp->xdrm->drm.vblank[drm_crtc_index(crtc)].framedur_ns;

	xp->vblank_period = ns_to_ktime(framedur_ns > 0 ? framedur_ns :
					NSEC_PER_SEC / XDF_REFRESH_HZ);
	atomic64_set(&xp->vblank_last, ktime_get());
	atomic64_set(&xp->vblank_next, atomic64_read(&xp->vblank_last));
	drm_crtc_vblank_on(crtc);
}

/**
 * xdf_vblank_stop() - turn vblank off for a pipe being disabled
 * @xp: the pipe
 */
void xdf_vblank_stop(struct xdf_pipe *xp)
{
	drm_crtc_vblank_off(&xp->pipe.crtc);
}

/**
 * xdf_vblank_init() - set up a pipe's vblank timer and timestamps
 * @xp: the pipe, whose simple display pipe is initialized
 */
void xdf_vblank_init(struct xdf_pipe *xp)
{
	hrtimer_init(&xp->vblank_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	xp->vblank_timer.function = xdf_vblank_timer;
	spin_lock_init(&xp->vblank_timer_lock);
	/* Set from the mode at each enable; never 0 for the timestamp hook. */
	xp->vblank_period = ns_to_ktime(NSEC_PER_SEC / XDF_REFRESH_HZ);

	/* The simple pipe of 6.1 passes no vblank timestamp hook on. */
	xp->crtc_funcs = *xp->pipe.crtc.funcs;
	xp->crtc_funcs.get_vblank_timestamp = xdf_crtc_get_vblank_timestamp;
	xp->pipe.crtc.funcs = &xp->crtc_funcs;
}

/**
 * xdf_vblank_fini() - wait for a pipe's vblank timer to be done
 * @xp: the pipe, disabled
 */
void xdf_vblank_fini(struct xdf_pipe *xp)
{
	hrtimer_cancel(&xp->vblank_timer);
}
