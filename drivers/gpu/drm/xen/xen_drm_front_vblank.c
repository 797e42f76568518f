// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: vblank.
 *
 * The backend has no vblank interrupt, but it tells when it has shown a
 * flip (frame-done). So a pipe's vblank counter works as a display's:
 * while a flip is on its way, the next vblank is its frame-done, which
 * a backend showing frames at its display's refresh sends at that
 * display's vblank; while none is, vblanks come one period of the mode
 * apart from the last frame-done, and a timer stands in for their
 * interrupt while someone waits for them. The counter is the DRM core's
 * hardware counter: each vblank counts once, whoever counts it, and the
 * count stays continuous while the timer is off.
 *
 * A frame-done reaches the guest later than the display's vblank, by the
 * backend's wake-up and the event channel, which vary from frame to frame.
 * The timestamps go on the display's grid rather than at each arrival, so
 * that a compositor scheduling its repaint from them sees the display's
 * pace, not the delays.
 */

#include <linux/hrtimer.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/sort.h>

#include <drm/drm_vblank.h>

#include "xen_drm_front.h"

/*
 * The last vblank at or before @now: its count, and its time in @time.
 * While a flip is on its way, the last one counted; else one every period
 * since then. Called with vblank_lock held.
 */
static u32 xdf_vblank_at(struct xdf_pipe *xp, ktime_t now, ktime_t *time)
{
	s64 period = ktime_to_ns(xp->vblank_period), n = 0;

	if (!xp->vblank_held && ktime_after(now, xp->vblank_time))
		n = div64_s64(ktime_to_ns(ktime_sub(now, xp->vblank_time)),
			      period);
	*time = ktime_add_ns(xp->vblank_time, n * period);
	return xp->vblank_count + (u32)n;
}

/*
 * The last vblank now. While a flip is on its way the count stands still,
 * and the clock is not read: a PVH or HVM guest's clock read may trap to
 * Xen, and the flip path would pay for it at each event. Called with
 * vblank_lock held.
 */
static u32 xdf_vblank_now(struct xdf_pipe *xp, ktime_t *time)
{
	return xdf_vblank_at(xp, xp->vblank_held ? xp->vblank_time : ktime_get(),
			     time);
}

/*
 * Arms the timer for the next vblank if it is to run: the DRM core wants
 * vblank interrupts and no flip is on its way. Called with vblank_lock
 * held.
 */
static void xdf_vblank_arm(struct xdf_pipe *xp)
{
	ktime_t last;

	if (!xp->vblank_on || xp->vblank_held)
		return;
	xdf_vblank_now(xp, &last);
	hrtimer_start(&xp->vblank_timer, ktime_add(last, xp->vblank_period),
		      HRTIMER_MODE_ABS);
}

/* Stands in for the vblank interrupt while no flip is on its way. */
static enum hrtimer_restart xdf_vblank_timer(struct hrtimer *timer)
{
	struct xdf_pipe *xp = container_of(timer, struct xdf_pipe, vblank_timer);
	unsigned long flags;
	bool restart;
	ktime_t last;

	spin_lock_irqsave(&xp->vblank_lock, flags);
	/* A flip's frame-done is the next vblank: the timer waits for it. */
	restart = xp->vblank_on && !xp->vblank_held;
	spin_unlock_irqrestore(&xp->vblank_lock, flags);
	/* Stops by itself once vblank was disabled under it. */
	if (!restart || !drm_crtc_handle_vblank(&xp->pipe.crtc))
		return HRTIMER_NORESTART;

	spin_lock_irqsave(&xp->vblank_lock, flags);
	/* Not if re-armed meanwhile (vblank back on, a frame-done). */
	restart = xp->vblank_on && !xp->vblank_held && !hrtimer_is_queued(timer);
	if (restart) {
		xdf_vblank_at(xp, hrtimer_cb_get_time(timer), &last);
		hrtimer_set_expires(timer, ktime_add(last, xp->vblank_period));
	}
	spin_unlock_irqrestore(&xp->vblank_lock, flags);

	spin_lock_irqsave(&xp->xdrm->drm.event_lock, flags);
	xp->stats.vblank_ticks++;
	spin_unlock_irqrestore(&xp->xdrm->drm.event_lock, flags);
	return restart ? HRTIMER_RESTART : HRTIMER_NORESTART;
}

/* The DRM core's hardware vblank counter. */
static u32 xdf_crtc_get_vblank_counter(struct drm_crtc *crtc)
{
	struct xdf_pipe *xp = crtc_to_xdf_pipe(crtc);
	unsigned long flags;
	ktime_t time;
	u32 count;

	spin_lock_irqsave(&xp->vblank_lock, flags);
	count = xdf_vblank_now(xp, &time);
	spin_unlock_irqrestore(&xp->vblank_lock, flags);
	return count;
}

/* The time of the vblank the counter counted last. */
static bool xdf_crtc_get_vblank_timestamp(struct drm_crtc *crtc,
					  int *max_error, ktime_t *vblank_time,
					  bool in_vblank_irq)
{
	struct xdf_pipe *xp = crtc_to_xdf_pipe(crtc);
	unsigned long flags;

	spin_lock_irqsave(&xp->vblank_lock, flags);
	xdf_vblank_now(xp, vblank_time);
	spin_unlock_irqrestore(&xp->vblank_lock, flags);
	return true;
}

/* Frame-dones further apart than this many periods set no grid. */
#define XDF_FD_GRID_MAX		4

/*
 * The time of the display's vblank whose frame-done, of a flip shown,
 * arrived at @now; @last is the vblank before. The display's vblanks are
 * one period apart, in the phase of the earliest arrivals, and a frame
 * shows at a vblank before its frame-done arrives: the grid's latest
 * before the arrival, however late. An arrival earlier than the grid (up
 * to an eighth of a period, else it is the next vblank's) moves the grid
 * to it; a later one moves it by a sixteenth of its delay, enough to
 * follow a display clock that drifts from ours, not each delay. A delay
 * of more than an eighth of a period counts as an eighth: no drift gets
 * that far in a frame, and a frame-done held up for milliseconds (the
 * backend or the guest not scheduled) would otherwise put this and the
 * next timestamps that much off the display's vblanks, a sixteenth of
 * it, until an earlier arrival takes the grid back. Never before the
 * flip was sent nor after the arrival; the arrival with no grid yet (the
 * first frame-done since the pipe was enabled), within a period of the
 * last (a backend not paced by a display) or too far to trust the grid.
 * Called with vblank_lock held.
 */
static ktime_t xdf_vblank_shown_at(struct xdf_pipe *xp, ktime_t last,
				   ktime_t now)
{
	s64 p = xp->fd_period, since, late, k;
	ktime_t grid;

	if (!xp->fd_arrival)
		return now;
	since = ktime_to_ns(ktime_sub(now, last));
	k = div64_s64(since + p / 8, p);
	late = since - k * p;
	if (k < 1 || k > XDF_FD_GRID_MAX || late <= 0)
		return now;
	grid = ktime_add_ns(last, k * p + min(late, p / 8) / 16);
	return ktime_after(grid, xp->flip_time) ? grid : xp->flip_time;
}

static int xdf_vblank_cmp(const void *a, const void *b)
{
	u32 x = *(const u32 *)a, y = *(const u32 *)b;

	return x < y ? -1 : x > y;
}

/*
 * XDF_FD_MISSES_MAX intervals in a row did not fit the measure: it starts
 * again from their median, or from the mode's period (@mode, ns) if that
 * median is not a display's.
 */
static void xdf_vblank_restart(struct xdf_pipe *xp, s64 mode)
{
	unsigned int i, below = 0, above = 0;

	xp->fd_misses = 0;
	xp->fd_period = mode;
	xp->fd_samples = 0;
	/*
	 * The median is the (XDF_FD_MISSES_MAX / 2 + 1)th smallest. Counted
	 * before sorting: a backend not paced by a display, or a client
	 * that flips seldom, gets here every XDF_FD_MISSES_MAX frame-dones.
	 */
	for (i = 0; i < XDF_FD_MISSES_MAX; i++) {
		below += xp->fd_missed[i] < mode / 2;
		above += xp->fd_missed[i] > mode * 2;
	}
	if (below > XDF_FD_MISSES_MAX / 2 || above >= XDF_FD_MISSES_MAX / 2)
		return;
	sort(xp->fd_missed, XDF_FD_MISSES_MAX, sizeof(u32), xdf_vblank_cmp,
	     NULL);
	xp->fd_period = xp->fd_missed[XDF_FD_MISSES_MAX / 2];
	xp->fd_samples = 1;
}

/*
 * Measures the backend's display period from the frame-dones' arrivals,
 * as the mode's refresh is only what the frontend assumed: the mean of
 * the intervals (in whole periods) since the pipe was enabled, then a
 * running one over about 32. A delay adds to one interval what it takes
 * from the next, so the measure is steadier than the delays by about
 * that much. A delay too long to trust leaves out both intervals it is
 * in, not only the longer one, which would pull the measure short. A
 * measure that XDF_FD_MISSES_MAX intervals in a row could not be taken
 * into is wrong (set by a first interval that was off, or a display far
 * from the mode's rate, 120 Hz or 40): it starts again from the median
 * of those intervals, or from the mode's period if that median is not a
 * display's (half the mode's period to twice it; a client that flips
 * seldom). Called with vblank_lock held.
 */
static void xdf_vblank_measure(struct xdf_pipe *xp, ktime_t now)
{
	s64 p = xp->fd_period, mode = ktime_to_ns(xp->vblank_period);
	s64 since, k;
	bool near;

	if (xp->fd_arrival) {
		since = ktime_to_ns(ktime_sub(now, xp->fd_arrival));
		k = div64_s64(since + p / 2, p);
		near = k >= 1 && k <= XDF_FD_GRID_MAX &&
		       abs(since - k * p) < p / 4;
		if (near && !xp->fd_skip) {
			xp->fd_samples = min(xp->fd_samples + 1, 32u);
			xp->fd_period = clamp(p + div64_s64(since - k * p,
							    k * xp->fd_samples),
					      mode / 2, mode * 2);
			xp->fd_misses = 0;
		} else {
			xp->fd_missed[xp->fd_misses++] = min_t(s64, since, U32_MAX);
			if (xp->fd_misses == XDF_FD_MISSES_MAX)
				xdf_vblank_restart(xp, mode);
		}
		xp->fd_skip = !near;
	}
	xp->fd_arrival = now;
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
	unsigned long flags;

	spin_lock_irqsave(&xp->vblank_lock, flags);
	xp->vblank_on = true;
	xdf_vblank_arm(xp);
	spin_unlock_irqrestore(&xp->vblank_lock, flags);
	return 0;
}

/**
 * xdf_vblank_disable() - stop the vblank timer: the simple pipe's
 *			  disable_vblank
 * @pipe: the pipe
 */
void xdf_vblank_disable(struct drm_simple_display_pipe *pipe)
{
	struct xdf_pipe *xp = to_xdf_pipe(pipe);
	unsigned long flags;

	spin_lock_irqsave(&xp->vblank_lock, flags);
	xp->vblank_on = false;
	spin_unlock_irqrestore(&xp->vblank_lock, flags);
	/* Called under the vblank lock: must not wait for the handler. */
	hrtimer_try_to_cancel(&xp->vblank_timer);
}

/**
 * xdf_vblank_hold() - a flip is on its way to the backend
 * @xp: the pipe
 *
 * Until xdf_vblank_release(), vblanks are counted only by
 * xdf_vblank_frame_done(): the frame that shows the flip is the next one,
 * however late, so a client that waits for each flip's event sees
 * consecutive sequence numbers.
 */
void xdf_vblank_hold(struct xdf_pipe *xp)
{
	ktime_t now = ktime_get();
	unsigned long flags;

	spin_lock_irqsave(&xp->vblank_lock, flags);
	xp->flip_time = now;
	/* Counted up to now: from here on, frame-dones count. */
	if (!xp->vblank_held)
		xp->vblank_count = xdf_vblank_at(xp, now, &xp->vblank_time);
	xp->vblank_held = true;
	spin_unlock_irqrestore(&xp->vblank_lock, flags);
	/*
	 * Flipping, a flip follows each frame-done well within a period:
	 * the timer armed by the last frame-done would fire for nothing.
	 * Not waited for: a handler running sees the hold and stops.
	 */
	hrtimer_try_to_cancel(&xp->vblank_timer);
}

/**
 * xdf_vblank_frame_done() - the backend has shown a frame: a vblank
 * @xp: the pipe
 * @shown: a frame-done for a flip sent; false when one is given up on
 *
 * The vblank is on the grid of the backend's display (see
 * xdf_vblank_shown_at()). One given up on is a vblank now: its event goes
 * out now and must not carry a time before the flip; the next frame-done
 * sets the grid afresh. The flips still hold the count: once no flip is
 * on its way, xdf_vblank_release() follows, after the flip's event is
 * sent, so that the event's count takes no clock read.
 *
 * Return: whether the DRM core has vblank interrupts on: if not, nobody
 * waits for this vblank, and drm_crtc_handle_vblank() need not be called.
 */
bool xdf_vblank_frame_done(struct xdf_pipe *xp, bool shown)
{
	unsigned long flags;
	ktime_t now, last;
	bool on;

	now = ktime_get();
	spin_lock_irqsave(&xp->vblank_lock, flags);
	xp->vblank_count = xdf_vblank_at(xp, now, &last) + 1;
	if (shown) {
		xp->vblank_time = xdf_vblank_shown_at(xp, last, now);
		xdf_vblank_measure(xp, now);
	} else {
		xp->vblank_time = now;
		xp->fd_arrival = 0;
	}
	xdf_vblank_arm(xp);
	on = xp->vblank_on;
	spin_unlock_irqrestore(&xp->vblank_lock, flags);
	return on;
}

/**
 * xdf_vblank_release() - no flip is on its way any more
 * @xp: the pipe
 *
 * The backend showed the last one, refused them, or the pipe goes off:
 * vblanks come one period apart again, counted from the last one.
 */
void xdf_vblank_release(struct xdf_pipe *xp)
{
	unsigned long flags;

	spin_lock_irqsave(&xp->vblank_lock, flags);
	xp->vblank_held = false;
	xdf_vblank_arm(xp);
	spin_unlock_irqrestore(&xp->vblank_lock, flags);
}

/**
 * xdf_vblank_start() - turn vblank on for a pipe being enabled
 * @xp: the pipe
 *
 * The CRTC is on for DRM whatever the backend says. Its vblanks start now,
 * at the mode's refresh, which the atomic helpers have computed before
 * enabling; the count goes on from where it was.
 */
void xdf_vblank_start(struct xdf_pipe *xp)
{
	struct drm_crtc *crtc = &xp->pipe.crtc;
	int framedur_ns = xp->xdrm->drm.vblank[drm_crtc_index(crtc)].framedur_ns;
	unsigned long flags;

	spin_lock_irqsave(&xp->vblank_lock, flags);
	xp->vblank_period = ns_to_ktime(framedur_ns > 0 ? framedur_ns :
					NSEC_PER_SEC / XDF_REFRESH_HZ);
	xp->vblank_time = ktime_get();
	xp->vblank_held = false;
	/* The display may be another: its period is measured afresh. */
	xp->fd_period = ktime_to_ns(xp->vblank_period);
	xp->fd_arrival = 0;
	xp->fd_skip = false;
	xp->fd_samples = 0;
	xp->fd_misses = 0;
	spin_unlock_irqrestore(&xp->vblank_lock, flags);
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
 * xdf_vblank_init() - set up a pipe's vblank counter and timer
 * @xp: the pipe, whose simple display pipe is initialized
 *
 * The device's max_vblank_count must be set: the counter is the CRTC's
 * hardware counter.
 */
void xdf_vblank_init(struct xdf_pipe *xp)
{
	hrtimer_init(&xp->vblank_timer, CLOCK_MONOTONIC, HRTIMER_MODE_ABS);
	xp->vblank_timer.function = xdf_vblank_timer;
	spin_lock_init(&xp->vblank_lock);
	/* Set from the mode at each enable; never 0 for the counter. */
	xp->vblank_period = ns_to_ktime(NSEC_PER_SEC / XDF_REFRESH_HZ);
	xp->vblank_time = ktime_get();
	xp->fd_period = ktime_to_ns(xp->vblank_period);

	/* The simple pipe of 6.1 passes no vblank counter hooks on. */
	xp->crtc_funcs = *xp->pipe.crtc.funcs;
	xp->crtc_funcs.get_vblank_counter = xdf_crtc_get_vblank_counter;
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
