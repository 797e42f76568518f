// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: a connector's state in debugfs.
 *
 * xen_state, one "name: value" line each: whether the pipe is on, the link
 * status, the framebuffer shown, the flip whose frame-done is awaited (0:
 * none) and the counters of struct xdf_pipe_stats. Tests and people
 * debugging a backend read it; its lines are kept stable.
 */

#include <linux/debugfs.h>
#include <linux/seq_file.h>

#include <drm/drm_modeset_lock.h>

#include "xen_drm_front.h"

/*
 * The CRTC's and the plane's states are read under their locks, as a
 * commit swaps them: one acquire context takes both, backing off when a
 * commit holds them in the other order.
 */
static void xdf_debugfs_pipe_state(struct xdf_pipe *xp, bool *active,
				   u64 *fb_cookie)
{
	struct drm_simple_display_pipe *pipe = &xp->pipe;
	struct drm_modeset_acquire_ctx ctx;
	struct drm_plane_state *plane_state;
	int ret;

	drm_modeset_acquire_init(&ctx, 0);
retry:
	ret = drm_modeset_lock(&pipe->crtc.mutex, &ctx);
	if (!ret)
		ret = drm_modeset_lock(&pipe->plane.mutex, &ctx);
	if (ret == -EDEADLK) {
		drm_modeset_backoff(&ctx);
		goto retry;
	}
	*active = pipe->crtc.state && pipe->crtc.state->active;
	plane_state = pipe->plane.state;
	*fb_cookie = plane_state && plane_state->fb ?
		     to_xdf_fb(plane_state->fb)->cookie : 0;
	drm_modeset_drop_locks(&ctx);
	drm_modeset_acquire_fini(&ctx);
}

static int xdf_pipe_state_show(struct seq_file *m, void *unused)
{
	struct xdf_pipe *xp = m->private;
	struct drm_device *drm = &xp->xdrm->drm;
	struct xdf_pipe_stats stats;
	u64 fb_cookie, pending = 0;
	s64 period;
	bool active;

	xdf_debugfs_pipe_state(xp, &active, &fb_cookie);

	spin_lock_irq(&drm->event_lock);
	if (xp->pending)
		pending = xp->pending_cookie;
	stats = xp->stats;
	spin_unlock_irq(&drm->event_lock);
	spin_lock_irq(&xp->vblank_lock);
	period = xp->fd_period;
	spin_unlock_irq(&xp->vblank_lock);

	seq_printf(m, "pipe: %s\n", active ? "on" : "off");
	seq_printf(m, "link: %s\n", READ_ONCE(xp->link_bad) ? "bad" : "good");
	seq_printf(m, "fb_cookie: %llu\n", fb_cookie);
	seq_printf(m, "pending_flip: %llu\n", pending);
	seq_printf(m, "flips: %llu\n", stats.flips);
	seq_printf(m, "frame_done: %llu\n", stats.frame_done);
	seq_printf(m, "stray_frame_done: %llu\n", stats.stray_frame_done);
	seq_printf(m, "late_frame_done: %llu\n", stats.late_frame_done);
	seq_printf(m, "timeouts: %llu\n", stats.timeouts);
	seq_printf(m, "errors: %llu\n", stats.errors);
	seq_printf(m, "vblank_ticks: %llu\n", stats.vblank_ticks);
	seq_printf(m, "display_period_ns: %lld\n", period);
	return 0;
}
DEFINE_SHOW_ATTRIBUTE(xdf_pipe_state);

/**
 * xdf_debugfs_connector_init() - add xen_state to a connector's directory:
 *				  the connector's debugfs_init
 * @connector: the connector of a pipe
 * @root: its debugfs directory
 */
void xdf_debugfs_connector_init(struct drm_connector *connector,
				struct dentry *root)
{
	debugfs_create_file("xen_state", 0444, root,
			    container_of(connector, struct xdf_pipe, connector),
			    &xdf_pipe_state_fops);
}
