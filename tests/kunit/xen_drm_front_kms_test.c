// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit: display pipes as a compositor and the backend observe them.
 *
 * The device is driven through DRM's own entry points: dumb buffers and
 * framebuffers through the ADDFB2/RMFB/GETFB2/DIRTYFB ioctl handlers on a
 * drm_file, modesets as atomic commits, page flips through the legacy
 * PAGE_FLIP ioctl handler with DRM_MODE_PAGE_FLIP_EVENT (a nonblocking
 * atomic commit carrying an event), whose events are read from the file
 * as drm_read() does. The simulated backend records what reaches each
 * connector's ring and answers frame-done as each test scripts it.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/cred.h>
#include <linux/debugfs.h>
#include <linux/delay.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/kthread.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/mount.h>
#include <linux/path.h>
#include <linux/seq_file.h>
#include <linux/slab.h>
#include <linux/uio.h>
#include <linux/wait.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_uapi.h>
#include <drm/drm_client.h>
#include <drm/drm_connector.h>
#include <drm/drm_drv.h>
#include <drm/drm_edid.h>
#include <drm/drm_file.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>
#include <drm/drm_modes.h>
#include <drm/drm_modeset_lock.h>
#include <drm/drm_probe_helper.h>
#include <drm/drm_vblank.h>

#include "../../drm_crtc_internal.h"
#include "../../drm_internal.h"
#include "../xen_drm_front.h"
#include "xen_drm_front_sim.h"
#include "xen_drm_front_test.h"

#define KT_WAIT_MS	3000
/* Request timeout for tests whose frame-done never comes. */
#define KT_SHORT_TIMEOUT_MS	200
/* Then a flip is given up on this long after: the driver's 500 ms slack. */
#define KT_FD_TIMEOUT_MS	(KT_SHORT_TIMEOUT_MS + 500)
#define KT_MAX_EVENTS	32

/**
 * struct kt_ctx - one test's device and client
 * @sdev: the simulated vdispl device
 * @xdrm: its DRM device, with a reference of ours while @file exists
 * @file: a client of @xdrm, as an open of the card would make
 * @saved_timeout: xdf_req_timeout_ms before the test
 * @violations_expected: the test makes protocol violations on purpose
 * @src_x: the framebuffer column the next commits show from
 * @keep_mode: the next commits keep the CRTC's mode and connector, and
 *	       turn it on or off (ACTIVE) with the plane
 */
struct kt_ctx {
	struct xdf_sim_dev *sdev;
	struct xdf_drm *xdrm;
	struct drm_file *file;
	unsigned int saved_timeout;
	bool violations_expected;
	u32 src_x;
	bool keep_mode;
};

/**
 * struct kt_fb - a framebuffer made by a test, on a dumb buffer
 * @handle: the dumb buffer's handle
 * @fb_id: the framebuffer's id
 * @fb: the framebuffer, valid while @fb_id exists
 * @cookie: the fb cookie the backend was told by FB_ATTACH
 * @dbuf_cookie: the display buffer's cookie
 */
struct kt_fb {
	u32 handle;
	u32 fb_id;
	struct drm_framebuffer *fb;
	u64 cookie;
	u64 dbuf_cookie;
};

/* Connect a device with @n connectors of @res, open a client on it. */
static struct kt_ctx *kt_connect_cfg(struct kunit *test, unsigned int n,
				     const char *res, const char *versions)
{
	static const char * const ids[] = { "0", "1", "2", "3", "4", "5",
					    "6", "7" };
	struct kt_ctx *ctx = test->priv;
	struct xdf_sim_config cfg = {
		.versions = versions,
		.num_connectors = n,
	};
	unsigned int i;

	for (i = 0; i < n; i++)
		cfg.connectors[i] = (struct xdf_sim_connector) {
			.resolution = res, .unique_id = ids[i],
		};
	ctx->xdrm = xdf_test_connect(test, &cfg, &ctx->sdev);
	ctx->file = xdf_test_open(test, ctx->xdrm);
	return ctx;
}

static struct kt_ctx *kt_connect(struct kunit *test, unsigned int n)
{
	return kt_connect_cfg(test, n, "1024x768", NULL);
}

/* Close the client: its framebuffers and handles go, then its reference. */
static void kt_close(struct kt_ctx *ctx)
{
	if (!ctx->file)
		return;
	xdf_test_close(ctx->xdrm, ctx->file);
	ctx->file = NULL;
}

static struct xdf_pipe *kt_pipe(struct kt_ctx *ctx, unsigned int i)
{
	return &ctx->xdrm->pipes[i];
}

/* Requests of operation @op the backend received on @conn. */
static unsigned int kt_count(struct kt_ctx *ctx, unsigned int conn, u8 op)
{
	unsigned int i, n = 0;
	struct xendispl_req req;

	for (i = 0; xdf_sim_backend_request(ctx->sdev, conn, i, &req); i++)
		if (req.operation == op)
			n++;
	return n;
}

/* The @nth (from 0) request of operation @op on @conn. */
static bool kt_nth(struct kt_ctx *ctx, unsigned int conn, u8 op,
		   unsigned int nth, struct xendispl_req *out)
{
	struct xendispl_req req;
	unsigned int i;

	for (i = 0; xdf_sim_backend_request(ctx->sdev, conn, i, &req); i++) {
		if (req.operation != op)
			continue;
		if (!nth--) {
			*out = req;
			return true;
		}
	}
	return false;
}

/* The last request of operation @op on @conn. */
static bool kt_last(struct kt_ctx *ctx, unsigned int conn, u8 op,
		    struct xendispl_req *out)
{
	unsigned int n = kt_count(ctx, conn, op);

	return n && kt_nth(ctx, conn, op, n - 1, out);
}

/* A SET_CONFIG as the backend received it: every field. */
static void kt_expect_config(struct kunit *test,
			     const struct xendispl_set_config_req *c,
			     u64 fb_cookie, u32 x, u32 y, u32 width,
			     u32 height, u32 bpp)
{
	KUNIT_EXPECT_EQ(test, c->fb_cookie, fb_cookie);
	KUNIT_EXPECT_EQ(test, c->x, x);
	KUNIT_EXPECT_EQ(test, c->y, y);
	KUNIT_EXPECT_EQ(test, c->width, width);
	KUNIT_EXPECT_EQ(test, c->height, height);
	KUNIT_EXPECT_EQ(test, c->bpp, bpp);
}

/* Make a framebuffer of @format on a dumb buffer of @bpp bits per pixel. */
static int kt_fb_add_bpp(struct kunit *test, struct kt_ctx *ctx, u32 width,
			 u32 height, u32 format, u32 bpp, struct kt_fb *kfb)
{
	const struct drm_format_info *info = drm_format_info(format);
	struct drm_mode_create_dumb dumb = {
		.width = width, .height = height, .bpp = bpp,
	};
	struct drm_mode_fb_cmd2 cmd = {
		.width = width,
		.height = height,
		.pixel_format = format,
	};
	struct xendispl_req req;
	struct drm_gem_object *obj;
	int ret;

	memset(kfb, 0, sizeof(*kfb));
	KUNIT_ASSERT_NOT_NULL(test, info);
	KUNIT_ASSERT_EQ(test, drm_mode_create_dumb(&ctx->xdrm->drm, &dumb,
						   ctx->file), 0);
	kfb->handle = dumb.handle;
	obj = drm_gem_object_lookup(ctx->file, dumb.handle);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	kfb->dbuf_cookie = xdf_gem_to_dbuf(obj)->cookie;
	drm_gem_object_put(obj);

	cmd.handles[0] = dumb.handle;
	cmd.pitches[0] = XENDISPL_PITCH(width, info->cpp[0] * 8);
	ret = drm_mode_addfb2(&ctx->xdrm->drm, &cmd, ctx->file);
	if (ret)
		return ret;
	kfb->fb_id = cmd.fb_id;
	kfb->fb = drm_framebuffer_lookup(&ctx->xdrm->drm, ctx->file, cmd.fb_id);
	KUNIT_ASSERT_NOT_NULL(test, kfb->fb);
	/* The client's list keeps it. */
	drm_framebuffer_put(kfb->fb);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_FB_ATTACH, &req));
	kfb->cookie = req.op.fb_attach.fb_cookie;
	return 0;
}

static int kt_fb_add(struct kunit *test, struct kt_ctx *ctx, u32 width,
		     u32 height, struct kt_fb *kfb)
{
	return kt_fb_add_bpp(test, ctx, width, height, DRM_FORMAT_XRGB8888,
			     32, kfb);
}

/* A connector's probed mode of that size and refresh rate, copied. */
static bool kt_find_mode(struct kt_ctx *ctx, unsigned int conn, u16 width,
			 u16 height, int refresh, struct drm_display_mode *out)
{
	struct drm_device *drm = &ctx->xdrm->drm;
	struct drm_display_mode *mode;
	bool found = false;

	mutex_lock(&drm->mode_config.mutex);
	list_for_each_entry(mode, &kt_pipe(ctx, conn)->connector.modes, head) {
		if (mode->hdisplay == width && mode->vdisplay == height &&
		    (refresh < 0 || drm_mode_vrefresh(mode) == refresh)) {
			memset(out, 0, sizeof(*out));
			drm_mode_copy(out, mode);
			found = true;
			break;
		}
	}
	mutex_unlock(&drm->mode_config.mutex);
	return found;
}

/* Probe a connector as GETCONNECTOR does: the number of modes. */
static int kt_probe(struct kt_ctx *ctx, unsigned int conn)
{
	struct drm_device *drm = &ctx->xdrm->drm;
	int n;

	mutex_lock(&drm->mode_config.mutex);
	n = drm_helper_probe_single_connector_modes(&kt_pipe(ctx, conn)->connector,
						    XDF_MAX_DIMENSION,
						    XDF_MAX_DIMENSION);
	mutex_unlock(&drm->mode_config.mutex);
	return n;
}

/* The connector's preferred mode after a probe. */
static void kt_mode(struct kunit *test, struct kt_ctx *ctx, unsigned int conn,
		    struct drm_display_mode *mode)
{
	struct xdf_connector_cfg *cfg = &ctx->xdrm->cfg.connectors[conn];

	KUNIT_ASSERT_GT(test, kt_probe(ctx, conn), 0);
	KUNIT_ASSERT_TRUE(test, kt_find_mode(ctx, conn, cfg->width,
					     cfg->height, 60, mode));
}

/* An event on the client for a commit, as the ATOMIC ioctl makes it. */
static struct drm_pending_vblank_event *kt_event(struct kt_ctx *ctx,
						 u64 user_data)
{
	struct drm_pending_vblank_event *e = kzalloc(sizeof(*e), GFP_KERNEL);

	if (!e)
		return NULL;
	e->event.base.type = DRM_EVENT_FLIP_COMPLETE;
	e->event.base.length = sizeof(e->event);
	e->event.vbl.user_data = user_data;
	if (drm_event_reserve_init(&ctx->xdrm->drm, ctx->file, &e->base,
				   &e->event.base)) {
		kfree(e);
		return NULL;
	}
	return e;
}

/* Sets @mode on the CRTC and routes the connector to it; off if NULL. */
static int kt_route(struct drm_atomic_state *state, struct xdf_pipe *xp,
		    struct drm_crtc_state *crtc_state,
		    const struct drm_display_mode *mode)
{
	struct drm_connector_state *conn_state;
	int ret;

	ret = drm_atomic_set_mode_for_crtc(crtc_state, mode);
	if (ret)
		return ret;
	conn_state = drm_atomic_get_connector_state(state, &xp->connector);
	ret = PTR_ERR_OR_ZERO(conn_state);
	if (ret)
		return ret;
	return drm_atomic_set_crtc_for_connector(conn_state,
						 mode ? &xp->pipe.crtc : NULL);
}

/*
 * An atomic commit of pipe @conn: @fb with @mode, or off when @fb is NULL;
 * with DRM_MODE_PAGE_FLIP_EVENT (@event_data) if @event is set.
 * @check_only: check without committing. With ctx->keep_mode, @mode is
 * NULL: the CRTC's is kept, and so is its connector.
 */
static int kt_commit_ev(struct kt_ctx *ctx, unsigned int conn,
			struct drm_framebuffer *fb,
			const struct drm_display_mode *mode, bool check_only,
			bool event, u64 event_data)
{
	struct xdf_pipe *xp = kt_pipe(ctx, conn);
	struct drm_crtc *crtc = &xp->pipe.crtc;
	struct drm_modeset_acquire_ctx actx;
	struct drm_plane_state *plane_state;
	struct drm_crtc_state *crtc_state;
	struct drm_atomic_state *state;
	int ret;

	drm_modeset_acquire_init(&actx, 0);
	state = drm_atomic_state_alloc(&ctx->xdrm->drm);
	if (!state) {
		ret = -ENOMEM;
		goto out;
	}
	state->acquire_ctx = &actx;
retry:
	crtc_state = drm_atomic_get_crtc_state(state, crtc);
	ret = PTR_ERR_OR_ZERO(crtc_state);
	if (ret)
		goto fail;
	crtc_state->active = fb;
	if (ctx->keep_mode)
		mode = &crtc_state->mode;
	else
		ret = kt_route(state, xp, crtc_state, fb ? mode : NULL);
	if (ret)
		goto fail;
	plane_state = drm_atomic_get_plane_state(state, &xp->pipe.plane);
	ret = PTR_ERR_OR_ZERO(plane_state);
	if (ret)
		goto fail;
	ret = drm_atomic_set_crtc_for_plane(plane_state, fb ? crtc : NULL);
	if (ret)
		goto fail;
	drm_atomic_set_fb_for_plane(plane_state, fb);
	if (fb) {
		plane_state->crtc_x = 0;
		plane_state->crtc_y = 0;
		plane_state->crtc_w = mode->hdisplay;
		plane_state->crtc_h = mode->vdisplay;
		plane_state->src_x = ctx->src_x << 16;
		plane_state->src_y = 0;
		plane_state->src_w = mode->hdisplay << 16;
		plane_state->src_h = mode->vdisplay << 16;
	}
	if (event && !crtc_state->event) {
		crtc_state->event = kt_event(ctx, event_data);
		if (!crtc_state->event) {
			ret = -ENOMEM;
			goto fail;
		}
		/* The core takes it over once the commit starts. */
	}
	ret = check_only ? drm_atomic_check_only(state) :
			   drm_atomic_commit(state);
	if (ret && crtc_state->event && ret != -EDEADLK) {
		drm_event_cancel_free(&ctx->xdrm->drm, &crtc_state->event->base);
		crtc_state->event = NULL;
	}
fail:
	if (ret == -EDEADLK) {
		drm_atomic_state_clear(state);
		ret = drm_modeset_backoff(&actx);
		if (!ret)
			goto retry;
	}
	drm_atomic_state_put(state);
out:
	drm_modeset_drop_locks(&actx);
	drm_modeset_acquire_fini(&actx);
	return ret;
}

static int kt_commit_ex(struct kt_ctx *ctx, unsigned int conn,
			struct drm_framebuffer *fb,
			const struct drm_display_mode *mode, bool check_only)
{
	return kt_commit_ev(ctx, conn, fb, mode, check_only, false, 0);
}

static int kt_commit(struct kt_ctx *ctx, unsigned int conn,
		     struct kt_fb *kfb, const struct drm_display_mode *mode)
{
	return kt_commit_ex(ctx, conn, kfb ? kfb->fb : NULL, mode, false);
}

/* PAGE_FLIP with DRM_MODE_PAGE_FLIP_EVENT, as a compositor flips. */
static int kt_flip(struct kt_ctx *ctx, unsigned int conn, struct kt_fb *kfb,
		   u64 user_data)
{
	struct drm_mode_crtc_page_flip_target flip = {
		.crtc_id = kt_pipe(ctx, conn)->pipe.crtc.base.id,
		.fb_id = kfb->fb_id,
		.flags = DRM_MODE_PAGE_FLIP_EVENT,
		.user_data = user_data,
	};

	return drm_mode_page_flip_ioctl(&ctx->xdrm->drm, &flip, ctx->file);
}

/* Events waiting on the client. */
static unsigned int kt_num_events(struct kt_ctx *ctx)
{
	return xdf_test_num_events(ctx->file);
}

/* Poll: DRM wakes only interruptible waiters of a file's events. */
static bool kt_wait_events(struct kt_ctx *ctx, unsigned int n,
			   unsigned int ms)
{
	unsigned long end = jiffies + msecs_to_jiffies(ms);

	while (kt_num_events(ctx) < n) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(1000, 2000);
	}
	return true;
}

/* Read the next event as drm_read() does; false if there is none. */
static bool kt_read_event(struct kt_ctx *ctx, struct drm_event_vblank *out)
{
	struct drm_device *drm = &ctx->xdrm->drm;
	struct drm_pending_event *e = NULL;

	spin_lock_irq(&drm->event_lock);
	if (!list_empty(&ctx->file->event_list)) {
		e = list_first_entry(&ctx->file->event_list,
				     struct drm_pending_event, link);
		ctx->file->event_space += e->event->length;
		list_del(&e->link);
	}
	spin_unlock_irq(&drm->event_lock);
	if (!e)
		return false;
	memset(out, 0, sizeof(*out));
	memcpy(out, e->event, min_t(u32, e->event->length, sizeof(*out)));
	kfree(e);
	return true;
}

/* Flip and expect exactly one flip-complete event for it. */
static void kt_flip_and_read(struct kunit *test, struct kt_ctx *ctx,
			     unsigned int conn, struct kt_fb *kfb,
			     u64 user_data, struct drm_event_vblank *ev)
{
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, conn, kfb, user_data), 0);
	KUNIT_ASSERT_TRUE_MSG(test, kt_wait_events(ctx, 1, KT_WAIT_MS),
			      "no event for flip %llu", user_data);
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, ev));
	KUNIT_EXPECT_EQ(test, ev->base.type, (u32)DRM_EVENT_FLIP_COMPLETE);
	KUNIT_EXPECT_EQ(test, ev->user_data, user_data);
	KUNIT_EXPECT_EQ(test, ev->crtc_id, kt_pipe(ctx, conn)->pipe.crtc.base.id);
}

/* Wait until @n PG_FLIP requests reached connector @conn's ring. */
static bool kt_wait_flips(struct kt_ctx *ctx, unsigned int conn,
			  unsigned int n)
{
	unsigned long end = jiffies + msecs_to_jiffies(KT_WAIT_MS);

	while (kt_count(ctx, conn, XENDISPL_OP_PG_FLIP) < n) {
		if (time_after(jiffies, end))
			return false;
		usleep_range(2000, 5000);
	}
	return true;
}

/* Let every work the test may have caused run. */
static void kt_settle(struct kt_ctx *ctx)
{
	unsigned int i;

	xdf_sim_settle();
	for (i = 0; i < ctx->xdrm->cfg.num_connectors; i++)
		flush_work(&kt_pipe(ctx, i)->link_work);
}

static enum drm_link_status kt_link(struct kt_ctx *ctx, unsigned int conn)
{
	struct drm_connector *connector = &kt_pipe(ctx, conn)->connector;
	enum drm_link_status status;

	kt_settle(ctx);
	drm_modeset_lock(&ctx->xdrm->drm.mode_config.connection_mutex, NULL);
	status = connector->state->link_status;
	drm_modeset_unlock(&ctx->xdrm->drm.mode_config.connection_mutex);
	return status;
}

static struct xdf_pipe_stats kt_stats(struct kt_ctx *ctx, unsigned int conn)
{
	struct xdf_pipe_stats stats;

	spin_lock_irq(&ctx->xdrm->drm.event_lock);
	stats = kt_pipe(ctx, conn)->stats;
	spin_unlock_irq(&ctx->xdrm->drm.event_lock);
	return stats;
}

/**
 * struct kt_client - an in-kernel DRM client counting hotplug events
 * @client: the client, on the device's client list
 * @hotplugs: hotplug events it got; drm_kms_helper_hotplug_event() sends
 *	      the uevent and calls the clients' hotplug together
 * @unregistered: the device was unregistered, which released the client
 */
struct kt_client {
	struct drm_client_dev client;
	atomic_t hotplugs;
	atomic_t unregistered;
};

static int kt_client_hotplug(struct drm_client_dev *client)
{
	atomic_inc(&container_of(client, struct kt_client, client)->hotplugs);
	return 0;
}

/* Without it, the unregister would kfree() the test's allocation. */
static void kt_client_unregister(struct drm_client_dev *client)
{
	drm_client_release(client);
	atomic_set(&container_of(client, struct kt_client, client)->unregistered, 1);
}

static const struct drm_client_funcs kt_client_funcs = {
	.owner = THIS_MODULE,
	.hotplug = kt_client_hotplug,
	.unregister = kt_client_unregister,
};

/* Listen for hotplug events; the device's unregister releases it. */
static struct kt_client *kt_client_add(struct kunit *test, struct kt_ctx *ctx)
{
	struct kt_client *c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	KUNIT_ASSERT_EQ(test, drm_client_init(&ctx->xdrm->drm, &c->client,
					      "kt", &kt_client_funcs), 0);
	drm_client_register(&c->client);
	kt_settle(ctx);
	atomic_set(&c->hotplugs, 0);
	return c;
}

/* Unregister and release the client, as drm_client_dev_unregister() does. */
static void kt_client_del(struct kt_client *c)
{
	struct drm_device *drm = c->client.dev;

	mutex_lock(&drm->clientlist_mutex);
	list_del(&c->client.list);
	mutex_unlock(&drm->clientlist_mutex);
	drm_client_release(&c->client);
}

/* Enable pipe @conn with a new framebuffer of its configured size. */
static void kt_enable(struct kunit *test, struct kt_ctx *ctx,
		      unsigned int conn, struct kt_fb *kfb,
		      struct drm_display_mode *mode)
{
	kt_mode(test, ctx, conn, mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, mode->hdisplay,
					mode->vdisplay, kfb), 0);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, conn, kfb, mode), 0);
}

/* ------------------------------------------------------------------ */

/* Enable: FB_ATTACH and SET_CONFIG fields; disable; rmfb: FB_DETACH. */
static void kt_enable_disable(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct xendispl_set_config_req cfg;
	struct xdf_sim_fb_info info;
	struct drm_display_mode mode;
	struct xendispl_req req;
	struct kt_fb fb;

	kt_mode(test, ctx, 0, &mode);
	KUNIT_EXPECT_EQ(test, mode.hdisplay, 1024);
	KUNIT_EXPECT_EQ(test, mode.vdisplay, 768);
	KUNIT_EXPECT_EQ(test, drm_mode_vrefresh(&mode), 60);
	KUNIT_EXPECT_TRUE(test, mode.type & DRM_MODE_TYPE_PREFERRED);

	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb), 0);
	KUNIT_ASSERT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_FB_ATTACH), 1u);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_FB_ATTACH, &req));
	KUNIT_EXPECT_NE(test, req.op.fb_attach.fb_cookie, 0ull);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.dbuf_cookie, fb.dbuf_cookie);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.width, 1024u);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.height, 768u);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.pixel_format,
			(u32)DRM_FORMAT_XRGB8888);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_fb(ctx->sdev, fb.cookie, &info));
	KUNIT_EXPECT_EQ(test, info.dbuf_cookie, fb.dbuf_cookie);
	/* No cookie is both a buffer's and a framebuffer's. */
	KUNIT_EXPECT_NE(test, fb.cookie, fb.dbuf_cookie);
	KUNIT_EXPECT_FALSE(test, xdf_sim_backend_config(ctx->sdev, 0, &cfg));

	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb, &mode), 0);
	KUNIT_ASSERT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_SET_CONFIG), 1u);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_SET_CONFIG, &req));
	kt_expect_config(test, &req.op.set_config, fb.cookie, 0, 0, 1024, 768,
			 32);
	/* Enabling is not a flip. */
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_PG_FLIP), 0u);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);

	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, NULL, NULL), 0);
	KUNIT_ASSERT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_SET_CONFIG), 2u);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_config(ctx->sdev, 0, &cfg));
	kt_expect_config(test, &cfg, 0, 0, 0, 0, 0, 0);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_FB_DETACH), 0u);

	KUNIT_ASSERT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb.fb_id,
					    ctx->file), 0);
	xdf_sim_settle();
	KUNIT_ASSERT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_FB_DETACH), 1u);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_FB_DETACH, &req));
	KUNIT_EXPECT_EQ(test, req.op.fb_detach.fb_cookie, fb.cookie);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 0u);
	/* The dumb buffer is still there: only the framebuffer went. */
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 1u);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
}

/*
 * Another part of the framebuffer shown (one buffer across connectors, a
 * panning client): PG_FLIP has no position, so a SET_CONFIG with the new
 * offset; the same part again is a flip.
 */
static void kt_pan(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct xendispl_set_config_req cfg;
	struct drm_display_mode mode;
	struct xendispl_req req;
	struct kt_fb fb;

	kt_mode(test, ctx, 0, &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 2048, 768, &fb), 0);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb, &mode), 0);
	KUNIT_ASSERT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_SET_CONFIG), 1u);

	ctx->src_x = 1024;
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb, &mode), 0);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_PG_FLIP), 0u);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_SET_CONFIG, &req));
	kt_expect_config(test, &req.op.set_config, fb.cookie, 1024, 0, 1024,
			 768, 32);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_config(ctx->sdev, 0, &cfg));
	kt_expect_config(test, &cfg, fb.cookie, 1024, 0, 1024, 768, 32);

	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb, &mode), 0);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_PG_FLIP), 1u);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_config(ctx->sdev, 0, &cfg));
	KUNIT_EXPECT_EQ(test, cfg.x, 1024u);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
}

/* Two connectors of different sizes; with or without feature-fb-viewport. */
static struct kt_ctx *kt_connect_two(struct kunit *test, bool viewport)
{
	struct kt_ctx *ctx = test->priv;
	struct xdf_sim_config cfg = {
		.num_connectors = 2,
		.connectors = {
			{ .resolution = "1024x768", .unique_id = "0" },
			{ .resolution = "800x600", .unique_id = "1" },
		},
		.no_fb_viewport = !viewport,
	};

	ctx->xdrm = xdf_test_connect(test, &cfg, &ctx->sdev);
	ctx->file = xdf_test_open(test, ctx->xdrm);
	return ctx;
}

/*
 * A backend that announced feature-fb-viewport is shown one framebuffer
 * across connectors of different sizes (fbcon, Xorg) itself: no other
 * FB_ATTACH, SET_CONFIG with its cookie on both.
 */
static void kt_fb_larger_viewport(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect_two(test, true);
	struct drm_display_mode m0, m1;
	struct xendispl_req req;
	struct kt_fb fb;

	KUNIT_EXPECT_TRUE(test, ctx->xdrm->cfg.fb_viewport);
	kt_mode(test, ctx, 0, &m0);
	kt_mode(test, ctx, 1, &m1);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb), 0);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb, &m0), 0);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 1, &fb, &m1), 0);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_FB_ATTACH), 1u);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 1, XENDISPL_OP_SET_CONFIG, &req));
	kt_expect_config(test, &req.op.set_config, fb.cookie, 0, 0, 800, 600,
			 32);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 1), DRM_MODE_LINK_STATUS_GOOD);
}

/*
 * A backend without feature-fb-viewport (displ_be) is only shown
 * framebuffers of the mode's size at 0, 0. A framebuffer larger than the
 * mode is shown through a view: a framebuffer of the mode's size attached
 * to the same display buffer (from its top left corner: fbcon on the
 * smaller connector) or to one whose data_ofs and stride put the part
 * shown first (panning). Flips and frame-dones name the view; the views
 * go with their framebuffer. The sim counts anything else as a violation
 * (kt_exit()).
 */
static void kt_fb_larger_no_viewport(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect_two(test, false);
	struct xdf_sim_dbuf_info info;
	struct drm_display_mode m0, m1;
	struct drm_event_vblank ev;
	struct drm_gem_object *obj;
	struct xendispl_req req;
	struct iosys_map map;
	struct kt_fb fb, big;
	u64 view, pan;
	u32 px[16], i, bad = 0;

	KUNIT_EXPECT_FALSE(test, ctx->xdrm->cfg.fb_viewport);
	kt_mode(test, ctx, 0, &m0);
	kt_mode(test, ctx, 1, &m1);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb), 0);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb, &m0), 0);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_SET_CONFIG, &req));
	kt_expect_config(test, &req.op.set_config, fb.cookie, 0, 0, 1024, 768,
			 32);

	/* The smaller connector: an 800x600 view on the same buffer. */
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 1, &fb, &m1), 0);
	KUNIT_ASSERT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_FB_ATTACH), 2u);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_DBUF_CREATE), 1u);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_FB_ATTACH, &req));
	view = req.op.fb_attach.fb_cookie;
	KUNIT_EXPECT_NE(test, view, fb.cookie);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.dbuf_cookie, fb.dbuf_cookie);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.width, 800u);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.height, 600u);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 1, XENDISPL_OP_SET_CONFIG, &req));
	kt_expect_config(test, &req.op.set_config, view, 0, 0, 800, 600, 32);

	/* fbcon's damage: flips of the view, completed by its frame-done. */
	kt_flip_and_read(test, ctx, 1, &fb, 11, &ev);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 1, XENDISPL_OP_PG_FLIP, &req));
	KUNIT_EXPECT_EQ(test, req.op.pg_flip.fb_cookie, view);
	kt_flip_and_read(test, ctx, 1, &fb, 12, &ev);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_FB_ATTACH), 2u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 1).timeouts, 0ull);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 1), DRM_MODE_LINK_STATUS_GOOD);

	/*
	 * Panning a 2048x768 framebuffer on connector 0 to column 100, as
	 * Xorg spans two connectors: a view's display buffer holds whole
	 * lines of the stride from byte 400, which a dumb buffer made for
	 * such a backend has room for.
	 */
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 2048, 768, &big), 0);
	obj = drm_gem_object_lookup(ctx->file, big.handle);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	KUNIT_ASSERT_EQ(test, drm_gem_vmap(obj, &map), 0);
	for (i = 0; i < 2048 * 768; i++)
		((u32 *)map.vaddr)[i] = i;
	drm_gem_vunmap(obj, &map);
	drm_gem_object_put(obj);
	ctx->src_x = 100;
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &big, &m0), 0);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_DBUF_CREATE), 3u);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_DBUF_CREATE, &req));
	KUNIT_EXPECT_EQ(test, req.op.dbuf_create.width, 2048u);
	KUNIT_EXPECT_EQ(test, req.op.dbuf_create.data_ofs, 400u);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_FB_ATTACH, &req));
	pan = req.op.fb_attach.fb_cookie;
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.width, 1024u);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.height, 768u);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_dbuf(ctx->sdev,
						     req.op.fb_attach.dbuf_cookie,
						     &info));
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_SET_CONFIG, &req));
	kt_expect_config(test, &req.op.set_config, pan, 0, 0, 1024, 768, 32);
	/* The backend's line 5 of the view is the framebuffer's from 100. */
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_fb_read(ctx->sdev, pan, 0, 5, px,
						      sizeof(px)), 0);
	for (i = 0; i < ARRAY_SIZE(px); i++)
		if (px[i] != 5 * 2048 + 100 + i)
			bad++;
	KUNIT_EXPECT_EQ_MSG(test, bad, 0u, "view shows other pixels");

	/* A view the backend refuses: the commit works, the link goes BAD. */
	ctx->src_x = 200;
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_FB_ATTACH, 1,
						     XDF_SIM_STATUS, -EINVAL), 0);
	KUNIT_EXPECT_EQ(test, kt_commit(ctx, 0, &big, &m0), 0);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_BAD);
	ctx->src_x = 0;
	KUNIT_EXPECT_EQ(test, kt_commit(ctx, 0, &fb, &m0), 0);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);

	/* Off, then the framebuffers go: their views are detached too. */
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, NULL, NULL), 0);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 1, NULL, NULL), 0);
	kt_close(ctx);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 0u);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_FB_DETACH),
			kt_count(ctx, 0, XENDISPL_OP_FB_ATTACH) - 1);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 0u);
}

/* rmfb of the framebuffer shown: the pipe goes off, then FB_DETACH. */
static void kt_rmfb_shown(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct xendispl_set_config_req cfg;
	struct drm_display_mode mode;
	struct kt_fb fb;

	kt_enable(test, ctx, 0, &fb, &mode);
	KUNIT_ASSERT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb.fb_id,
					    ctx->file), 0);
	xdf_sim_settle();
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_config(ctx->sdev, 0, &cfg));
	KUNIT_EXPECT_EQ(test, cfg.fb_cookie, 0ull);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_FB_DETACH), 1u);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 0u);
}

/* Whether the backend has a framebuffer (or a view) attached. */
static bool kt_attached(struct kt_ctx *ctx, u64 cookie)
{
	struct xdf_sim_fb_info info;

	xdf_sim_settle();
	return xdf_sim_backend_fb(ctx->sdev, cookie, &info);
}

/* Whether the last commit on @conn was cleaned up within @ms. */
static bool kt_cleaned_up(struct kt_ctx *ctx, unsigned int conn,
			  unsigned int ms)
{
	struct drm_crtc *crtc = &kt_pipe(ctx, conn)->pipe.crtc;
	struct drm_crtc_commit *commit;
	unsigned long left;

	drm_modeset_lock(&crtc->mutex, NULL);
	commit = drm_crtc_commit_get(crtc->state->commit);
	drm_modeset_unlock(&crtc->mutex);
	left = wait_for_completion_timeout(&commit->cleanup_done,
					   msecs_to_jiffies(ms));
	drm_crtc_commit_put(commit);
	return left;
}

/*
 * A nonblocking flip's commit is done once its flip is sent, before the
 * frame-done: its clean-up stays out of the way between the
 * frame-done and the client's next flip. The framebuffer it replaced,
 * which the backend shows until the frame-done, stays attached although
 * user space removed it, until the pipe's next flip or its disable. A
 * blocking commit still returns once its flip was shown or given up on.
 */
static void kt_flip_keeps_replaced(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[3];
	ktime_t start;

	WRITE_ONCE(xdf_req_timeout_ms, KT_SHORT_TIMEOUT_MS);
	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[2]), 0);
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_NEVER);

	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[1], 1), 0);
	KUNIT_EXPECT_TRUE_MSG(test, kt_cleaned_up(ctx, 0, KT_SHORT_TIMEOUT_MS),
			      "the flip's commit waited for the frame-done");
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);

	/* Removed while the backend still shows it: kept. */
	KUNIT_ASSERT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb[0].fb_id,
					    ctx->file), 0);
	KUNIT_EXPECT_TRUE(test, kt_attached(ctx, fb[0].cookie));
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 0,
							      fb[1].cookie), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 1ull);

	/* Blocking: back once the frame-done was given up on. */
	start = ktime_get();
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb[2], &mode), 0);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), start),
			(s64)KT_FD_TIMEOUT_MS - 20);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_PG_FLIP), 2u);
	/* That flip let fb[0] go and keeps fb[1]. */
	KUNIT_EXPECT_FALSE(test, kt_attached(ctx, fb[0].cookie));
	KUNIT_ASSERT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb[1].fb_id,
					    ctx->file), 0);
	KUNIT_EXPECT_TRUE(test, kt_attached(ctx, fb[1].cookie));

	/* Off: nothing shown, nothing kept; fb[2] is the client's. */
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, NULL, NULL), 0);
	KUNIT_EXPECT_FALSE(test, kt_attached(ctx, fb[1].cookie));
	KUNIT_EXPECT_TRUE(test, kt_attached(ctx, fb[2].cookie));
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 1u);
}

/*
 * The same for a view, on a backend without feature-fb-viewport: the view
 * a flip replaced stays attached while a blocking commit of a panning
 * client makes views of the same framebuffer, which detach the unused
 * ones beyond XDF_FB_VIEWS_MAX. That commit's views are made before it
 * waits for the flip's frame-done. (Each pan is a modeset: kt_pan.)
 */
static void kt_flip_keeps_replaced_view(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect_two(test, false);
	struct drm_display_mode mode;
	struct xendispl_req req;
	struct kt_fb big, other;
	u64 shown = 0, first = 0;
	unsigned int i;

	WRITE_ONCE(xdf_req_timeout_ms, KT_SHORT_TIMEOUT_MS);
	kt_mode(test, ctx, 0, &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 2048, 768, &big), 0);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 2048, 768, &other), 0);
	/* Views at columns 0, 100, 200, 300, in that order; 0 shown. */
	for (i = 0; i <= XDF_FB_VIEWS_MAX; i++) {
		ctx->src_x = 100 * (i % XDF_FB_VIEWS_MAX);
		KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &big, &mode), 0);
		if (!i) {
			KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0,
							XENDISPL_OP_FB_ATTACH,
							&req));
			shown = req.op.fb_attach.fb_cookie;
		} else if (i == 1) {
			KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0,
							XENDISPL_OP_FB_ATTACH,
							&req));
			first = req.op.fb_attach.fb_cookie;
		}
	}
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_SET_CONFIG, &req));
	KUNIT_ASSERT_EQ(test, req.op.set_config.fb_cookie, shown);

	/* Replaced by a flip whose frame-done does not come. */
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_NEVER);
	i = kt_count(ctx, 0, XENDISPL_OP_PG_FLIP);
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &other, 1), 0);
	KUNIT_ASSERT_TRUE(test, kt_cleaned_up(ctx, 0, KT_SHORT_TIMEOUT_MS));
	/* The commit did not wait for the backend to take the flip. */
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(ctx, 0, i + 1));
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_PG_FLIP, &req));
	KUNIT_ASSERT_NE(test, req.op.pg_flip.fb_cookie, shown);

	/* A fifth view: the unused view at 100 goes, not the one shown. */
	ctx->src_x = 400;
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &big, &mode), 0);
	KUNIT_ASSERT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_FB_DETACH), 1u);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_FB_DETACH, &req));
	KUNIT_EXPECT_NE_MSG(test, req.op.fb_detach.fb_cookie, shown,
			    "the view shown until the frame-done was detached");
	KUNIT_EXPECT_EQ(test, req.op.fb_detach.fb_cookie, first);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 1u);
}

/* N flips: N PG_FLIPs of the right framebuffers, N events in order. */
static void kt_flips_in_order(struct kunit *test)
{
	const unsigned int n = 8;
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct xendispl_req req;
	struct kt_fb fb[2];
	unsigned int i, last_seq = 0;

	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);

	for (i = 0; i < n; i++) {
		kt_flip_and_read(test, ctx, 0, &fb[(i + 1) % 2], 100 + i, &ev);
		if (i)
			KUNIT_EXPECT_GE(test, ev.sequence, last_seq);
		last_seq = ev.sequence;
	}
	KUNIT_ASSERT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_PG_FLIP), n);
	for (i = 0; i < n; i++) {
		KUNIT_ASSERT_TRUE(test, kt_nth(ctx, 0, XENDISPL_OP_PG_FLIP, i,
					       &req));
		KUNIT_EXPECT_EQ(test, req.op.pg_flip.fb_cookie,
				fb[(i + 1) % 2].cookie);
	}
	/* Nothing more comes. */
	msleep(50);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).flips, (u64)n);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).frame_done, (u64)n);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).stray_frame_done, 0ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).timeouts, 0ull);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);
}

/* Four connectors at once: each pipe's requests on its own ring. */
static void kt_four_connectors(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 4);
	struct drm_display_mode mode[4];
	struct drm_event_vblank ev;
	struct xendispl_req req;
	struct kt_fb fb[4];
	unsigned int i, j, seen;
	u32 crtc_ids = 0;

	for (i = 0; i < 4; i++)
		kt_enable(test, ctx, i, &fb[i], &mode[i]);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_FB_ATTACH), 4u);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, kt_count(ctx, i, XENDISPL_OP_SET_CONFIG), 1u);
		KUNIT_ASSERT_TRUE(test, kt_last(ctx, i, XENDISPL_OP_SET_CONFIG,
						&req));
		KUNIT_EXPECT_EQ(test, req.op.set_config.fb_cookie, fb[i].cookie);
		if (i) {
			KUNIT_EXPECT_EQ(test, kt_count(ctx, i, XENDISPL_OP_FB_ATTACH), 0u);
			KUNIT_EXPECT_EQ(test, kt_count(ctx, i, XENDISPL_OP_DBUF_CREATE), 0u);
		}
	}

	/* All four flip at once; each event names its CRTC. */
	for (i = 0; i < 4; i++)
		KUNIT_ASSERT_EQ(test, kt_flip(ctx, i, &fb[i], i), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 4, KT_WAIT_MS));
	for (seen = 0; kt_read_event(ctx, &ev); seen++) {
		KUNIT_ASSERT_LT(test, ev.user_data, 4ull);
		KUNIT_EXPECT_EQ(test, ev.crtc_id,
				kt_pipe(ctx, ev.user_data)->pipe.crtc.base.id);
		crtc_ids |= BIT(ev.user_data);
	}
	KUNIT_EXPECT_EQ(test, seen, 4u);
	KUNIT_EXPECT_EQ(test, crtc_ids, 0xfu);
	for (i = 0; i < 4; i++) {
		KUNIT_EXPECT_EQ(test, kt_count(ctx, i, XENDISPL_OP_PG_FLIP), 1u);
		KUNIT_ASSERT_TRUE(test, kt_last(ctx, i, XENDISPL_OP_PG_FLIP,
						&req));
		KUNIT_EXPECT_EQ(test, req.op.pg_flip.fb_cookie, fb[i].cookie);
		KUNIT_EXPECT_EQ(test, kt_stats(ctx, i).frame_done, 1ull);
	}

	/* Disabling one leaves the others alone. */
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 2, NULL, NULL), 0);
	for (i = 0; i < 4; i++) {
		j = kt_count(ctx, i, XENDISPL_OP_SET_CONFIG);
		KUNIT_EXPECT_EQ(test, j, i == 2 ? 2u : 1u);
	}
	kt_flip_and_read(test, ctx, 3, &fb[3], 33, &ev);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 3, XENDISPL_OP_PG_FLIP), 2u);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 2, XENDISPL_OP_PG_FLIP), 1u);
}

/* The frame-done arrives before the PG_FLIP response. */
static void kt_frame_done_before(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];
	unsigned int i;

	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_BEFORE);
	for (i = 0; i < 4; i++)
		kt_flip_and_read(test, ctx, 0, &fb[(i + 1) % 2], i, &ev);
	msleep(50);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).frame_done, 4ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).stray_frame_done, 0ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).timeouts, 0ull);
}

/*
 * Connector 0 on, showing @fb[0], with @fb[1] to flip to; the short
 * request timeout, and the backend's frame-dones as @fd says.
 */
static void kt_enable_flip_pair(struct kunit *test, struct kt_ctx *ctx,
				struct kt_fb *fb, struct drm_display_mode *mode,
				enum xdf_sim_frame_done fd)
{
	WRITE_ONCE(xdf_req_timeout_ms, KT_SHORT_TIMEOUT_MS);
	kt_enable(test, ctx, 0, &fb[0], mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, fd);
}

/*
 * Connector 0's flip sent at @start with @user_data is given up on: its
 * event comes KT_FD_TIMEOUT_MS after @start, not before nor a second
 * later, and it is the connector's @timeouts'th timeout.
 */
static void kt_expect_timed_out(struct kunit *test, struct kt_ctx *ctx,
				ktime_t start, u64 user_data, u64 timeouts)
{
	struct drm_event_vblank ev;
	s64 ms;

	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1,
					       KT_FD_TIMEOUT_MS + KT_WAIT_MS));
	ms = ktime_ms_delta(ktime_get(), start);
	KUNIT_EXPECT_GE(test, ms, (s64)KT_FD_TIMEOUT_MS - 20);
	KUNIT_EXPECT_LT(test, ms, (s64)KT_FD_TIMEOUT_MS + 1000);
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, user_data);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).timeouts, timeouts);
}

/*
 * The frame-done never comes: the event goes out after the request
 * timeout plus 500 ms, not before; the link turns BAD; a new modeset
 * makes it GOOD and flips work again.
 */
static void kt_frame_done_never(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct kt_client *client;
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];
	ktime_t start;

	kt_enable_flip_pair(test, ctx, fb, &mode, XDF_SIM_FD_NEVER);
	client = kt_client_add(test, ctx);

	start = ktime_get();
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[1], 7), 0);
	KUNIT_EXPECT_FALSE_MSG(test, kt_wait_events(ctx, 1,
						    KT_FD_TIMEOUT_MS - 200),
			       "event sent before the frame-done timeout");
	kt_expect_timed_out(test, ctx, start, 7, 1);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_BAD);
	KUNIT_EXPECT_GE_MSG(test, atomic_read(&client->hotplugs), 1,
			    "no hotplug event for the BAD link");
	/* The pipe stays usable and the connector connected. */
	KUNIT_EXPECT_EQ(test, kt_pipe(ctx, 0)->connector.status,
			connector_status_connected);

	/* A late frame-done is a stray one: no second event. */
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 0,
							      fb[1].cookie), 0);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).stray_frame_done, 1ull);

	/* The compositor's answer to BAD: a modeset. */
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_AFTER);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, NULL, NULL), 0);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb[0], &mode), 0);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);
	kt_flip_and_read(test, ctx, 0, &fb[1], 8, &ev);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).timeouts, 1ull);
	kt_client_del(client);
}

/* Every frame-done comes twice: one event per flip all the same. */
static void kt_frame_done_twice(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];
	unsigned int i;

	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_TWICE);
	for (i = 0; i < 4; i++) {
		kt_flip_and_read(test, ctx, 0, &fb[(i + 1) % 2], i, &ev);
		kt_settle(ctx);
		KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	}
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).frame_done, 8ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).stray_frame_done, 4ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).timeouts, 0ull);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);
}

/* A frame-done naming another framebuffer completes nothing. */
static void kt_frame_done_wrong_cookie(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];

	kt_enable_flip_pair(test, ctx, fb, &mode, XDF_SIM_FD_WRONG_COOKIE);
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[1], 1), 0);
	KUNIT_EXPECT_FALSE(test, kt_wait_events(ctx, 1, 100));
	/* The other framebuffer's cookie does not do either. */
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 0,
							      fb[0].cookie), 0);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).stray_frame_done, 2ull);
	/* The timeout releases it, once. */
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 1ull);
	msleep(50);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).timeouts, 1ull);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_BAD);
}

/*
 * A frame-done on another connector's event page, or with no flip
 * pending, completes nothing; the right one on the right page does.
 */
static void kt_frame_done_other_connector(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 2);
	struct drm_display_mode mode[2];
	struct drm_event_vblank ev;
	struct kt_fb fb[3];

	kt_enable(test, ctx, 0, &fb[0], &mode[0]);
	kt_enable(test, ctx, 1, &fb[1], &mode[1]);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[2]), 0);

	/* Nothing pending: stray. */
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 0,
							      fb[0].cookie), 0);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).stray_frame_done, 1ull);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);

	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_NEVER);
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[2], 5), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(ctx, 0, 1));
	kt_settle(ctx);
	KUNIT_ASSERT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_PG_FLIP), 1u);
	/* Connector 0's framebuffer, on connector 1's page. */
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 1,
							      fb[2].cookie), 0);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 1).stray_frame_done, 1ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).frame_done, 1ull);

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 0,
							      fb[2].cookie), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 5ull);
	KUNIT_EXPECT_EQ(test, ev.crtc_id, kt_pipe(ctx, 0)->pipe.crtc.base.id);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).timeouts, 0ull);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 1), DRM_MODE_LINK_STATUS_GOOD);
}

/*
 * A flip of @kfb whose frame-done does not come: its event at the timeout,
 * the connector's @timeouts'th.
 */
static void kt_flip_timed_out(struct kunit *test, struct kt_ctx *ctx,
			      struct kt_fb *kfb, u64 user_data, u64 timeouts)
{
	ktime_t start = ktime_get();

	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, kfb, user_data), 0);
	kt_expect_timed_out(test, ctx, start, user_data, timeouts);
}

/* The backend's frame-done for @kfb, handled before this returns. */
static void kt_send_frame_done(struct kunit *test, struct kt_ctx *ctx,
			       struct kt_fb *kfb)
{
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 0,
							      kfb->cookie), 0);
	kt_settle(ctx);
}

/*
 * The frame-done timeout counts from the newest flip: a flip sent when
 * an earlier one's timeout was near is not given up on then (the timeout
 * is not re-armed at each flip), but at its own; the one before, shown
 * in time, never timed out.
 */
static void kt_frame_done_timeout_moves(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];
	ktime_t start;

	kt_enable_flip_pair(test, ctx, fb, &mode, XDF_SIM_FD_NEVER);

	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[1], 1), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(ctx, 0, 1));
	msleep(KT_FD_TIMEOUT_MS * 2 / 3);
	kt_send_frame_done(test, ctx, &fb[1]);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 1ull);

	/* Past the first flip's timeout, short of the second's. */
	start = ktime_get();
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[0], 2), 0);
	KUNIT_EXPECT_FALSE_MSG(test, kt_wait_events(ctx, 1,
						    KT_FD_TIMEOUT_MS / 2),
			       "flip given up on at the timeout of the one before");
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).timeouts, 0ull);

	/* Its own timeout comes. */
	kt_expect_timed_out(test, ctx, start, 2, 1);
}

/*
 * req_timeout_ms shortened while a flip's timeout is queued: the next
 * flip times out after the new timeout, not the old one.
 */
static void kt_frame_done_timeout_shortened(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];
	ktime_t start;

	kt_enable_flip_pair(test, ctx, fb, &mode, XDF_SIM_FD_AFTER);
	WRITE_ONCE(xdf_req_timeout_ms, 8000);
	kt_flip_and_read(test, ctx, 0, &fb[1], 1, &ev);

	WRITE_ONCE(xdf_req_timeout_ms, KT_SHORT_TIMEOUT_MS);
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_NEVER);
	start = ktime_get();
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[0], 2), 0);
	kt_expect_timed_out(test, ctx, start, 2, 1);
}

/*
 * Two flips of one framebuffer time out, a third waits: the backend's
 * late frame-dones for the first two, in order, complete nothing; the
 * third's completes its flip. Matching by framebuffer alone took the
 * first late one for the third flip's.
 */
static void kt_frame_done_late_same_fb(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];

	kt_enable_flip_pair(test, ctx, fb, &mode, XDF_SIM_FD_NEVER);
	kt_flip_timed_out(test, ctx, &fb[1], 1, 1);
	kt_flip_timed_out(test, ctx, &fb[1], 2, 2);
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[1], 3), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(ctx, 0, 3));

	kt_send_frame_done(test, ctx, &fb[1]);
	kt_send_frame_done(test, ctx, &fb[1]);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).late_frame_done, 2ull);

	kt_send_frame_done(test, ctx, &fb[1]);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 3ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).timeouts, 2ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).stray_frame_done, 2ull);

	/* Nothing awaits a frame-done any more. */
	kt_send_frame_done(test, ctx, &fb[1]);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).stray_frame_done, 3ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).late_frame_done, 2ull);
}

/*
 * A -> B -> A: A times out, B waits; A's late frame-done completes
 * nothing, B's completes B; A again gets its own. A frame-done for B
 * without A's means A's is lost: a later A is not confused with it.
 */
static void kt_frame_done_late_a_b_a(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[3];

	WRITE_ONCE(xdf_req_timeout_ms, KT_SHORT_TIMEOUT_MS);
	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[2]), 0);
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_NEVER);

	kt_flip_timed_out(test, ctx, &fb[1], 1, 1);
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[2], 2), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(ctx, 0, 2));
	kt_send_frame_done(test, ctx, &fb[1]);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	kt_send_frame_done(test, ctx, &fb[2]);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 2ull);

	kt_flip_timed_out(test, ctx, &fb[1], 3, 2);
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[2], 4), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(ctx, 0, 4));
	/* B's frame-done first: A's never comes. */
	kt_send_frame_done(test, ctx, &fb[2]);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 4ull);
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[1], 5), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(ctx, 0, 5));
	kt_send_frame_done(test, ctx, &fb[1]);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 5ull);

	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).timeouts, 2ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).late_frame_done, 1ull);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
}

/*
 * A flip the backend refused gets no frame-done: the next flip of the
 * same framebuffer is completed by the next frame-done.
 */
static void kt_frame_done_after_refused(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];

	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_NEVER);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_PG_FLIP, 1,
						     XDF_SIM_STATUS, -EIO), 0);
	kt_flip_and_read(test, ctx, 0, &fb[1], 1, &ev);
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[1], 2), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(ctx, 0, 2));
	kt_send_frame_done(test, ctx, &fb[1]);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 2ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).stray_frame_done, 0ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).timeouts, 0ull);
}

/*
 * An event of a type this frontend does not know (a newer protocol's)
 * naming the pending flip's framebuffer is read and skipped: it completes
 * nothing, and the frame-done after it on the page is still handled.
 */
static void kt_unknown_event(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];

	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_NEVER);
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[1], 9), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(ctx, 0, 1));

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_event(ctx->sdev, 0, 0x7f,
							 fb[1].cookie), 0);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).frame_done, 0ull);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_evt_cons(ctx->sdev, 0), 1u);

	kt_send_frame_done(test, ctx, &fb[1]);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 9ull);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_evt_cons(ctx->sdev, 0), 2u);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);
}

struct kt_commit_once {
	struct kt_ctx *ctx;
	struct kt_fb *fb;
	struct drm_display_mode *mode;
	int ret;
	struct completion done;
};

static int kt_commit_once_fn(void *data)
{
	struct kt_commit_once *c = data;

	c->ret = kt_commit(c->ctx, 0, c->fb, c->mode);
	complete(&c->done);
	return 0;
}

/*
 * The backend shows a flip (frame-done) but answers its PG_FLIP 4 s
 * later: a blocking commit returns at the frame-done, as a display
 * latches a flip, without waiting for the answer. The pipe's next flip
 * reaches the backend only after that answer.
 */
static void kt_flip_answer_not_awaited(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct kt_commit_once *c;
	struct task_struct *thread;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];
	bool returned;

	WRITE_ONCE(xdf_req_timeout_ms, 8000);
	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_PG_FLIP, 1,
						     XDF_SIM_DELAY, 4000), 0);
	c = kunit_kzalloc(test, sizeof(*c), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, c);
	*c = (struct kt_commit_once) {
		.ctx = ctx,
		.fb = &fb[1],
		.mode = &mode,
	};
	init_completion(&c->done);
	thread = kthread_run(kt_commit_once_fn, c, "kt-commit");
	KUNIT_ASSERT_FALSE(test, IS_ERR(thread));
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(ctx, 0, 1));
	kt_send_frame_done(test, ctx, &fb[1]);
	returned = wait_for_completion_timeout(&c->done, msecs_to_jiffies(2000));
	/* It ends within its request timeout whatever it waits for. */
	if (!returned)
		wait_for_completion(&c->done);
	KUNIT_EXPECT_TRUE_MSG(test, returned,
			      "the commit waited for the backend's answer");
	KUNIT_EXPECT_EQ(test, c->ret, 0);

	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[0], 5), 0);
	msleep(300);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_PG_FLIP), 1u);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, 2 * KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 5ull);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_PG_FLIP), 2u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).errors, 0ull);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);
}

/*
 * A failed PG_FLIP: the commit succeeds, its event comes at the next
 * vblank, the link turns BAD; the next modeset makes it GOOD and flips
 * work.
 */
static void kt_flip_error(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct kt_client *client;
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];
	u64 seq;

	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_PG_FLIP, 1,
						     XDF_SIM_STATUS, -EIO), 0);
	client = kt_client_add(test, ctx);
	seq = drm_crtc_vblank_count(&kt_pipe(ctx, 0)->pipe.crtc);
	kt_flip_and_read(test, ctx, 0, &fb[1], 1, &ev);
	/* Not at once: at the next vblank, so clients keep the pace. */
	KUNIT_EXPECT_GT(test, ev.sequence, (u32)seq);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_BAD);
	KUNIT_EXPECT_GE_MSG(test, atomic_read(&client->hotplugs), 1,
			    "no hotplug event for the BAD link");
	kt_client_del(client);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).errors, 1ull);
	KUNIT_EXPECT_EQ(test, kt_pipe(ctx, 0)->connector.status,
			connector_status_connected);
	msleep(50);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);

	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, NULL, NULL), 0);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb[1], &mode), 0);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);
	kt_flip_and_read(test, ctx, 0, &fb[0], 2, &ev);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_PG_FLIP), 2u);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).frame_done, 1ull);
}

/* A refused SET_CONFIG: the commit succeeds all the same, link BAD. */
static void kt_set_config_error(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct kt_fb fb;

	kt_mode(test, ctx, 0, &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb), 0);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_SET_CONFIG, 1,
						     XDF_SIM_STATUS, -EINVAL), 0);
	KUNIT_EXPECT_EQ(test, kt_commit(ctx, 0, &fb, &mode), 0);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_BAD);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).errors, 1ull);

	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, NULL, NULL), 0);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb, &mode), 0);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);
}

/*
 * Every atomic commit carrying an event gets exactly one: enable, a plane
 * update, the same framebuffer again, a refused SET_CONFIG, disable.
 */
static void kt_commit_events(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];
	unsigned int i;

	kt_mode(test, ctx, 0, &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[0]), 0);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);

	KUNIT_ASSERT_EQ(test, kt_commit_ev(ctx, 0, fb[0].fb, &mode, false,
					   true, 1), 0);
	KUNIT_ASSERT_EQ(test, kt_commit_ev(ctx, 0, fb[1].fb, &mode, false,
					   true, 2), 0);
	KUNIT_ASSERT_EQ(test, kt_commit_ev(ctx, 0, fb[1].fb, &mode, false,
					   true, 3), 0);
	KUNIT_ASSERT_EQ(test, kt_commit_ev(ctx, 0, NULL, NULL, false, true, 4),
			0);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_SET_CONFIG, 1,
						     XDF_SIM_STATUS, -EIO), 0);
	KUNIT_ASSERT_EQ(test, kt_commit_ev(ctx, 0, fb[0].fb, &mode, false,
					   true, 5), 0);
	KUNIT_ASSERT_EQ(test, kt_commit_ev(ctx, 0, NULL, NULL, false, true, 6),
			0);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 6, KT_WAIT_MS));
	for (i = 1; i <= 6; i++) {
		KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
		KUNIT_EXPECT_EQ(test, ev.user_data, (u64)i);
	}
	msleep(50);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	/* Both plane updates flipped, the one of the same framebuffer too. */
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_PG_FLIP), 2u);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_SET_CONFIG), 4u);
}

/*
 * The backend answers a PG_FLIP too late: the event is delivered at the
 * frame-done timeout, the link turns BAD; the late answer is dropped.
 */
static void kt_flip_request_timeout(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];

	WRITE_ONCE(xdf_req_timeout_ms, KT_SHORT_TIMEOUT_MS);
	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_PG_FLIP, 1,
						     XDF_SIM_DELAY,
						     3 * KT_SHORT_TIMEOUT_MS), 0);
	kt_flip_and_read(test, ctx, 0, &fb[1], 1, &ev);
	/*
	 * The late answer comes and goes, an error: the commit did not wait
	 * for it, the interrupt handler found it past its time.
	 */
	msleep(3 * KT_SHORT_TIMEOUT_MS);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_BAD);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).errors, 1ull);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);

	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, NULL, NULL), 0);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb[0], &mode), 0);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);
	kt_flip_and_read(test, ctx, 0, &fb[1], 2, &ev);
}

/* DIRTYFB on the framebuffer shown: a PG_FLIP of it; on another: none. */
static void kt_dirtyfb(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_mode_fb_dirty_cmd dirty = {};
	struct drm_display_mode mode;
	struct xendispl_req req;
	struct kt_fb fb[2];

	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);

	dirty.fb_id = fb[1].fb_id;
	KUNIT_EXPECT_EQ(test, drm_mode_dirtyfb_ioctl(&ctx->xdrm->drm, &dirty,
						     ctx->file), 0);
	kt_settle(ctx);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_PG_FLIP), 0u);

	dirty.fb_id = fb[0].fb_id;
	KUNIT_ASSERT_EQ(test, drm_mode_dirtyfb_ioctl(&ctx->xdrm->drm, &dirty,
						     ctx->file), 0);
	kt_settle(ctx);
	KUNIT_ASSERT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_PG_FLIP), 1u);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_PG_FLIP, &req));
	KUNIT_EXPECT_EQ(test, req.op.pg_flip.fb_cookie, fb[0].cookie);
	/* Its frame-done completed the flip: no timeout later. */
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).frame_done, 1ull);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).stray_frame_done, 0ull);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
}

/* Every supported format: accepted with the backend's pitch. */
static void kt_formats(struct kunit *test)
{
	static const u32 formats[] = {
		DRM_FORMAT_XRGB8888, DRM_FORMAT_ARGB8888, DRM_FORMAT_RGB888,
		DRM_FORMAT_RGB565, DRM_FORMAT_XRGB1555, DRM_FORMAT_ARGB1555,
		DRM_FORMAT_XRGB4444, DRM_FORMAT_ARGB4444,
	};
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct xdf_sim_fb_info info;
	struct drm_display_mode mode;
	struct kt_fb fb, shown;
	unsigned int i;

	kt_enable(test, ctx, 0, &shown, &mode);
	for (i = 0; i < ARRAY_SIZE(formats); i++) {
		const struct drm_format_info *fi = drm_format_info(formats[i]);

		/* An odd width: the pitch is rounded up to 4 bytes. */
		KUNIT_ASSERT_EQ_MSG(test, kt_fb_add_bpp(test, ctx, 101, 64,
							formats[i], 32, &fb),
				    0, "format %p4cc", &formats[i]);
		KUNIT_EXPECT_EQ(test, fb.fb->pitches[0],
				4 * DIV_ROUND_UP(101 * fi->cpp[0] * 8, 32));
		KUNIT_ASSERT_TRUE(test, xdf_sim_backend_fb(ctx->sdev, fb.cookie,
							   &info));
		KUNIT_EXPECT_EQ(test, info.pixel_format, formats[i]);
		KUNIT_EXPECT_EQ(test, info.width, 101u);
		KUNIT_EXPECT_EQ(test, info.height, 64u);
		KUNIT_EXPECT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb.fb_id,
						    ctx->file), 0);
		KUNIT_EXPECT_FALSE(test, kt_attached(ctx, fb.cookie));
	}
	/* The format list the plane advertises is the same. */
	KUNIT_EXPECT_EQ(test, kt_pipe(ctx, 0)->pipe.plane.format_count,
			(unsigned int)ARRAY_SIZE(formats));
	for (i = 0; i < ARRAY_SIZE(formats); i++)
		KUNIT_EXPECT_EQ(test, kt_pipe(ctx, 0)->pipe.plane.format_types[i],
				formats[i]);
}

/* ADDFB2 of what the backend cannot show: -EINVAL, nothing sent. */
static void kt_addfb_refused(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	/* Room for any pitch tried: only the pitch check refuses those. */
	struct drm_mode_create_dumb dumb = { .width = 64, .height = 128, .bpp = 32 };
	struct drm_mode_create_dumb small = { .width = 64, .height = 32, .bpp = 32 };
	struct drm_mode_fb_cmd2 good = {
		.width = 64, .height = 64,
		.pixel_format = DRM_FORMAT_XRGB8888,
		.pitches[0] = 256,
	};
	struct drm_mode_fb_cmd2 cmd;
	unsigned int before;

	KUNIT_ASSERT_EQ(test, drm_mode_create_dumb(&ctx->xdrm->drm, &dumb,
						   ctx->file), 0);
	KUNIT_ASSERT_EQ(test, drm_mode_create_dumb(&ctx->xdrm->drm, &small,
						   ctx->file), 0);
	good.handles[0] = dumb.handle;
	xdf_sim_settle();
	before = xdf_sim_backend_num_requests(ctx->sdev, 0);

	/* displif lines are a multiple of 4 bytes long. */
	cmd = good;
	cmd.pitches[0] = 258;
	KUNIT_EXPECT_EQ_MSG(test, drm_mode_addfb2(&ctx->xdrm->drm, &cmd,
						  ctx->file), -EINVAL, "pitch");
	cmd = good;
	cmd.offsets[0] = 256 * 64 + 4;
	KUNIT_EXPECT_EQ_MSG(test, drm_mode_addfb2(&ctx->xdrm->drm, &cmd,
						  ctx->file), -EINVAL,
			    "offset past the buffer's end");
	cmd = good;
	cmd.flags = DRM_MODE_FB_MODIFIERS;
	cmd.modifier[0] = I915_FORMAT_MOD_X_TILED;
	KUNIT_EXPECT_EQ_MSG(test, drm_mode_addfb2(&ctx->xdrm->drm, &cmd,
						  ctx->file), -EINVAL, "modifier");
	cmd = good;
	cmd.handles[0] = small.handle;
	KUNIT_EXPECT_EQ_MSG(test, drm_mode_addfb2(&ctx->xdrm->drm, &cmd,
						  ctx->file), -EINVAL, "too small");
	cmd = good;
	cmd.pixel_format = DRM_FORMAT_XBGR8888;
	KUNIT_EXPECT_EQ_MSG(test, drm_mode_addfb2(&ctx->xdrm->drm, &cmd,
						  ctx->file), -EINVAL, "format");
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_requests(ctx->sdev, 0), before);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 0u);

	/* The explicit linear modifier is fine. */
	cmd = good;
	cmd.flags = DRM_MODE_FB_MODIFIERS;
	cmd.modifier[0] = DRM_FORMAT_MOD_LINEAR;
	KUNIT_EXPECT_EQ(test, drm_mode_addfb2(&ctx->xdrm->drm, &cmd, ctx->file), 0);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 1u);
}

/*
 * The backend refuses FB_ATTACH: ADDFB2 fails with its error, nothing is
 * left attached, and the next framebuffer is attached all the same.
 */
static void kt_fb_attach_refused(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct kt_fb fb;

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_FB_ATTACH, 1,
						     XDF_SIM_STATUS, -EIO), 0);
	KUNIT_EXPECT_EQ(test, kt_fb_add(test, ctx, 64, 64, &fb), -EIO);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 0u);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_FB_DETACH), 0u);
	KUNIT_EXPECT_EQ(test, kt_fb_add(test, ctx, 64, 64, &fb), 0);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 1u);
}

/*
 * FB_ATTACH is answered after the request timed out: the backend attached
 * a framebuffer ADDFB2 gave up on, so it is detached again; it would stay
 * with the backend for good otherwise.
 */
static void kt_fb_attach_late(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct xendispl_req attach, detach;
	struct kt_fb fb;

	WRITE_ONCE(xdf_req_timeout_ms, KT_SHORT_TIMEOUT_MS);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_FB_ATTACH, 1,
						     XDF_SIM_DELAY,
						     2 * KT_SHORT_TIMEOUT_MS), 0);
	KUNIT_EXPECT_EQ(test, kt_fb_add(test, ctx, 64, 64, &fb), -ETIMEDOUT);
	/* The late answer comes and goes. */
	msleep(3 * KT_SHORT_TIMEOUT_MS);
	xdf_sim_settle();
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_FB_ATTACH, &attach));
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_FB_DETACH, &detach));
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_FB_DETACH), 1u);
	KUNIT_EXPECT_EQ(test, detach.op.fb_detach.fb_cookie,
			attach.op.fb_attach.fb_cookie);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 0u);
}

/* GETFB2 and GETFB give a handle of the framebuffer's buffer. */
static void kt_getfb(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_mode_fb_cmd2 get2 = {};
	struct drm_mode_fb_cmd get = {};
	struct drm_gem_object *obj, *orig;
	struct kt_fb fb;

	KUNIT_ASSERT_EQ(test, kt_fb_add_bpp(test, ctx, 320, 200,
					    DRM_FORMAT_RGB565, 32, &fb), 0);
	orig = drm_gem_object_lookup(ctx->file, fb.handle);
	KUNIT_ASSERT_NOT_NULL(test, orig);

	get2.fb_id = fb.fb_id;
	KUNIT_ASSERT_EQ(test, drm_mode_getfb2_ioctl(&ctx->xdrm->drm, &get2,
						    ctx->file), 0);
	KUNIT_EXPECT_EQ(test, get2.width, 320u);
	KUNIT_EXPECT_EQ(test, get2.height, 200u);
	KUNIT_EXPECT_EQ(test, get2.pixel_format, (u32)DRM_FORMAT_RGB565);
	KUNIT_EXPECT_EQ(test, get2.pitches[0], 640u);
	KUNIT_EXPECT_EQ(test, get2.offsets[0], 0u);
	KUNIT_EXPECT_NE(test, get2.handles[0], 0u);
	obj = drm_gem_object_lookup(ctx->file, get2.handles[0]);
	KUNIT_EXPECT_PTR_EQ(test, obj, orig);
	if (obj)
		drm_gem_object_put(obj);

	get.fb_id = fb.fb_id;
	KUNIT_ASSERT_EQ(test, drm_mode_getfb(&ctx->xdrm->drm, &get, ctx->file), 0);
	KUNIT_EXPECT_EQ(test, get.width, 320u);
	KUNIT_EXPECT_EQ(test, get.height, 200u);
	KUNIT_EXPECT_EQ(test, get.pitch, 640u);
	KUNIT_EXPECT_EQ(test, get.bpp, 16u);
	KUNIT_EXPECT_NE(test, get.handle, 0u);
	obj = drm_gem_object_lookup(ctx->file, get.handle);
	KUNIT_EXPECT_PTR_EQ(test, obj, orig);
	if (obj)
		drm_gem_object_put(obj);
	drm_gem_object_put(orig);
}

/* The vblank counter runs at the mode's refresh while the pipe is on. */
static void kt_vblank(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_crtc *crtc;
	union drm_wait_vblank vbl;
	struct drm_display_mode mode;
	ktime_t t0, t1, start;
	s64 last_us = 0, us;
	u32 last_seq = 0;
	struct kt_fb fb;
	u64 c0, c1;
	unsigned int i;

	kt_enable(test, ctx, 0, &fb, &mode);
	crtc = &kt_pipe(ctx, 0)->pipe.crtc;

	KUNIT_ASSERT_EQ(test, drm_crtc_vblank_get(crtc), 0);
	/* No timestamp before the first vblank after enabling it. */
	msleep(50);
	c0 = drm_crtc_vblank_count_and_time(crtc, &t0);
	msleep(200);
	c1 = drm_crtc_vblank_count_and_time(crtc, &t1);
	drm_crtc_vblank_put(crtc);
	/* About 12 at 60 Hz; UML timing is loose. */
	KUNIT_EXPECT_GE(test, c1 - c0, 4ull);
	KUNIT_EXPECT_LE(test, c1 - c0, 40ull);
	KUNIT_EXPECT_GT(test, ktime_to_ns(t1), ktime_to_ns(t0));
	if (c1 > c0) {
		us = ktime_us_delta(t1, t0) / (s64)(c1 - c0);
		KUNIT_EXPECT_GE(test, us, 8000ll);
		KUNIT_EXPECT_LE(test, us, 40000ll);
	}

	for (i = 0; i < 4; i++) {
		memset(&vbl, 0, sizeof(vbl));
		vbl.request.type = _DRM_VBLANK_RELATIVE;
		vbl.request.sequence = 1;
		KUNIT_ASSERT_EQ(test, drm_wait_vblank_ioctl(&ctx->xdrm->drm, &vbl,
							    ctx->file), 0);
		us = vbl.reply.tval_sec * 1000000ll + vbl.reply.tval_usec;
		if (i) {
			KUNIT_EXPECT_GT(test, vbl.reply.sequence, last_seq);
			KUNIT_EXPECT_GT(test, us, last_us);
			/* One refresh apart (~16.7 ms), loosely. */
			KUNIT_EXPECT_LE(test, us - last_us, 100000ll);
			KUNIT_EXPECT_GE(test, us - last_us, 5000ll);
		}
		last_seq = vbl.reply.sequence;
		last_us = us;
	}

	/* Off: waiting fails at once. */
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, NULL, NULL), 0);
	memset(&vbl, 0, sizeof(vbl));
	vbl.request.type = _DRM_VBLANK_RELATIVE;
	vbl.request.sequence = 1;
	start = ktime_get();
	KUNIT_EXPECT_EQ(test, drm_wait_vblank_ioctl(&ctx->xdrm->drm, &vbl,
						    ctx->file), -EINVAL);
	KUNIT_EXPECT_LT(test, ktime_ms_delta(ktime_get(), start), 1000ll);
}

/* Wait for the vblank counter to move; its count and timestamp then. */
static u64 kt_next_vblank(struct kunit *test, struct drm_crtc *crtc,
			  ktime_t *t)
{
	unsigned long end = jiffies + msecs_to_jiffies(KT_WAIT_MS);
	u64 c0, c;

	/* Vblank is on only while someone holds a reference. */
	KUNIT_ASSERT_EQ(test, drm_crtc_vblank_get(crtc), 0);
	c0 = drm_crtc_vblank_count(crtc);
	do {
		usleep_range(100, 200);
		c = drm_crtc_vblank_count_and_time(crtc, t);
	} while (c == c0 && time_before(jiffies, end));
	drm_crtc_vblank_put(crtc);
	KUNIT_ASSERT_NE_MSG(test, c, c0, "the vblank counter stopped");
	return c;
}

/*
 * Nobody needs vblanks: the timer stops, and the counter still counts the
 * vblanks of the time it was off, from their timestamps, which stay one
 * period apart.
 */
static void kt_vblank_idle(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct xdf_pipe *xp = kt_pipe(ctx, 0);
	struct drm_mode_fb_dirty_cmd dirty = {};
	struct drm_crtc *crtc = &xp->pipe.crtc;
	struct drm_display_mode mode;
	struct kt_fb fb;
	u64 c0, c1, ticks;
	unsigned int i;
	ktime_t t0, t1;
	s64 p, gap;

	kt_enable(test, ctx, 0, &fb, &mode);
	p = ktime_to_ns(xp->vblank_period);

	KUNIT_ASSERT_EQ(test, drm_crtc_vblank_get(crtc), 0);
	msleep(50);
	drm_crtc_vblank_put(crtc);
	KUNIT_EXPECT_GT(test, kt_stats(ctx, 0).vblank_ticks, 0ull);

	msleep(100);
	KUNIT_EXPECT_FALSE(test, hrtimer_active(&xp->vblank_timer));
	ticks = kt_stats(ctx, 0).vblank_ticks;
	/* Flips nobody waits for (DIRTYFB, fbcon's cursor) need no vblank. */
	dirty.fb_id = fb.fb_id;
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, drm_mode_dirtyfb_ioctl(&ctx->xdrm->drm,
							     &dirty, ctx->file), 0);
		kt_settle(ctx);
		msleep(100);
	}
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).flips, 3ull);
	KUNIT_EXPECT_EQ_MSG(test, kt_stats(ctx, 0).vblank_ticks, ticks,
			    "the vblank timer ran with nobody waiting");

	/* Counted while off: one per period since the last frame-done. */
	KUNIT_ASSERT_EQ(test, drm_crtc_vblank_get(crtc), 0);
	c0 = drm_crtc_vblank_count_and_time(crtc, &t0);
	drm_crtc_vblank_put(crtc);
	msleep(400);
	KUNIT_ASSERT_EQ(test, drm_crtc_vblank_get(crtc), 0);
	c1 = drm_crtc_vblank_count_and_time(crtc, &t1);
	drm_crtc_vblank_put(crtc);
	gap = ktime_to_ns(ktime_sub(t1, t0));
	/* About 24 periods went by; UML sleeps long, not short. */
	KUNIT_EXPECT_GE(test, c1 - c0, 20ull);
	KUNIT_EXPECT_LE(test, c1 - c0, 200ull);
	KUNIT_EXPECT_EQ(test, gap % p, 0ll);
	KUNIT_EXPECT_EQ(test, c1 - c0, (u64)(gap / p));

	/* And it runs again for whoever waits. */
	c0 = kt_next_vblank(test, crtc, &t0);
	c1 = kt_next_vblank(test, crtc, &t1);
	KUNIT_EXPECT_GT(test, c1, c0);
	KUNIT_EXPECT_GT(test, ktime_to_ns(t1), ktime_to_ns(t0));
}

/*
 * A compositor asks for the last vblank as its repaint loop starts on an
 * output (Weston: DRM_IOCTL_WAIT_VBLANK, relative 0): it gets a time
 * within a period of now, and the vblank timer, which the query turned
 * on, stops at the next vblank, not after the DRM core's 5 s off-delay:
 * Weston's four idle outputs kept four timers running at the refresh.
 */
static void kt_vblank_query_off(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct xdf_pipe *xp = kt_pipe(ctx, 0);
	union drm_wait_vblank vbl = {};
	struct drm_display_mode mode;
	struct kt_fb fb;
	ktime_t now, stamp;
	u64 ticks0, ticks;

	kt_enable(test, ctx, 0, &fb, &mode);
	kt_settle(ctx);
	msleep(100);
	ticks0 = kt_stats(ctx, 0).vblank_ticks;

	vbl.request.type = _DRM_VBLANK_RELATIVE;
	KUNIT_ASSERT_EQ(test, drm_wait_vblank_ioctl(&ctx->xdrm->drm, &vbl,
						    ctx->file), 0);
	now = ktime_get();
	stamp = ktime_set(vbl.reply.tval_sec, vbl.reply.tval_usec * 1000);
	KUNIT_EXPECT_FALSE(test, ktime_after(stamp, now));
	KUNIT_EXPECT_LT(test, ktime_to_ns(ktime_sub(now, stamp)),
			ktime_to_ns(xp->vblank_period) + 1000000);

	/* Six periods: off after the first. */
	msleep(100);
	KUNIT_EXPECT_FALSE_MSG(test, hrtimer_active(&xp->vblank_timer),
			       "the vblank timer runs with nobody waiting");
	ticks = kt_stats(ctx, 0).vblank_ticks;
	KUNIT_EXPECT_LE(test, ticks - ticks0, 2ull);
	msleep(100);
	KUNIT_EXPECT_EQ(test, kt_stats(ctx, 0).vblank_ticks, ticks);
}

/*
 * Flip events carry the vblank sequence and timestamp of the frame they
 * were shown in, as a compositor paces by them: flips some frames apart
 * get increasing sequences and timestamps about that far apart.
 */
static void kt_flip_event_times(struct kunit *test)
{
	const unsigned int n = 4;
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_event_vblank ev[4];
	struct drm_display_mode mode;
	struct kt_fb fb[2];
	unsigned int i, zero = 0;
	s64 us[4];

	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	for (i = 0; i < n; i++) {
		kt_flip_and_read(test, ctx, 0, &fb[(i + 1) % 2], i, &ev[i]);
		us[i] = ev[i].tv_sec * 1000000ll + ev[i].tv_usec;
		zero += !us[i];
		/* About 3 frames at 60 Hz. */
		msleep(50);
	}
	KUNIT_EXPECT_EQ_MSG(test, zero, 0u,
			    "%u of %u flip events have a zero timestamp (sequence %u..%u)",
			    zero, n, ev[0].sequence, ev[n - 1].sequence);
	for (i = 1; i < n; i++) {
		KUNIT_EXPECT_GT(test, ev[i].sequence, ev[i - 1].sequence);
		KUNIT_EXPECT_GT(test, us[i], us[i - 1]);
		KUNIT_EXPECT_GE(test, us[i] - us[i - 1], 30000ll);
		KUNIT_EXPECT_LE(test, us[i] - us[i - 1], 1000000ll);
	}
}

/* ------------------------------------------------------------------ */
/* Frame-done as the vblank */

/* An event's timestamp in ns, as userspace reads it (microseconds). */
static s64 kt_ev_ns(const struct drm_event_vblank *ev)
{
	return (ev->tv_sec * 1000000ll + ev->tv_usec) * 1000;
}

/* ktime in ns as an event would carry it: whole microseconds. */
static s64 kt_us_ns(ktime_t t)
{
	return div_s64(ktime_to_ns(t), 1000) * 1000;
}

/* Whole periods from @from to @to; 0 if @to is not later. */
static u32 kt_periods(s64 from, s64 to, s64 p)
{
	return to > from ? (u32)div64_s64(to - from, p) : 0;
}

/**
 * struct kt_display - the test as a backend showing frames at 60 Hz
 * @ctx: the device
 * @fb: two framebuffers to flip between
 * @p: the mode's frame duration, ns
 * @display_p: the display's, ns: the mode's unless a test sets it
 * @prev: the previous flip's event
 * @prev_ns: its timestamp, ns (as userspace reads it)
 * @fd_ns: when its frame-done was sent, ns
 * @stall_ns: how late UML sent it, after the time it was due, ns
 * @flips: flips done
 */
struct kt_display {
	struct kt_ctx *ctx;
	struct kt_fb fb[2];
	s64 p;
	s64 display_p;
	struct drm_event_vblank prev;
	s64 prev_ns;
	s64 fd_ns;
	s64 stall_ns;
	unsigned int flips;
};

static void kt_display_init(struct kunit *test, struct kt_display *d)
{
	struct drm_display_mode mode;

	d->ctx = kt_connect(test, 1);
	kt_enable(test, d->ctx, 0, &d->fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, d->ctx, 1024, 768, &d->fb[1]), 0);
	d->p = ktime_to_ns(kt_pipe(d->ctx, 0)->vblank_period);
	KUNIT_ASSERT_GT(test, d->p, 16000000ll);
	KUNIT_ASSERT_LT(test, d->p, 17000000ll);
	d->display_p = d->p;
	xdf_sim_backend_set_frame_done(d->ctx->sdev, 0, XDF_SIM_FD_NEVER);
}

/*
 * One flip, shown at @due (after it reached the backend, at the earliest):
 * its event carries the time of the display's vblank that its frame-done
 * tells of, never before the flip was issued nor after the frame-done,
 * within the display's period before it (the last vblank of the display's
 * grid), and the next sequence number after the vblanks that went by
 * before the flip, however late the frame-done.
 */
static void kt_display_flip(struct kunit *test, struct kt_display *d,
			    ktime_t due)
{
	struct kt_fb *to = &d->fb[(d->flips + 1) % 2];
	struct drm_event_vblank ev;
	ktime_t submit, arrived, fd_start, fd_end;
	u32 min_seq, max_seq;

	submit = ktime_get();
	KUNIT_ASSERT_EQ(test, kt_flip(d->ctx, 0, to, d->flips), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(d->ctx, 0, d->flips + 1));
	arrived = ktime_get();
	/* Its frame-done is the next vblank: no timer interrupt before. */
	KUNIT_EXPECT_FALSE_MSG(test,
			       hrtimer_is_queued(&kt_pipe(d->ctx, 0)->vblank_timer),
			       "flip %u: vblank timer armed while it is on its way",
			       d->flips);
	while (ktime_before(ktime_get(), due))
		usleep_range(50, 100);
	fd_start = ktime_get();
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(d->ctx->sdev, 0,
							      to->cookie), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(d->ctx, 1, KT_WAIT_MS));
	fd_end = ktime_get();
	KUNIT_ASSERT_TRUE(test, kt_read_event(d->ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, (u64)d->flips);

	KUNIT_EXPECT_GE_MSG(test, kt_ev_ns(&ev), kt_us_ns(submit),
			    "flip %u: event time before the flip was issued",
			    d->flips);
	KUNIT_EXPECT_GE_MSG(test, kt_ev_ns(&ev),
			    kt_us_ns(ktime_sub_ns(fd_start, d->display_p)),
			    "flip %u: event time a period before its frame-done",
			    d->flips);
	KUNIT_EXPECT_LE_MSG(test, kt_ev_ns(&ev), ktime_to_ns(fd_end),
			    "flip %u: event time after its frame-done", d->flips);
	if (d->flips) {
		/* The vblanks between the last event and the flip, then it. */
		min_seq = d->prev.sequence + 1 +
			  kt_periods(d->prev_ns, ktime_to_ns(submit), d->p);
		max_seq = d->prev.sequence + 1 +
			  kt_periods(d->prev_ns, ktime_to_ns(arrived) + 1000, d->p);
		KUNIT_EXPECT_GE_MSG(test, ev.sequence, min_seq, "flip %u",
				    d->flips);
		KUNIT_EXPECT_LE_MSG(test, ev.sequence, max_seq, "flip %u",
				    d->flips);
		KUNIT_EXPECT_GT(test, kt_ev_ns(&ev), d->prev_ns);
	}
	d->prev = ev;
	d->prev_ns = kt_ev_ns(&ev);
	d->fd_ns = ktime_to_ns(fd_start);
	d->stall_ns = ktime_to_ns(ktime_sub(fd_start, due));
	d->flips++;
}

/*
 * A backend showing frames at 60 Hz, with jitter, late and early: each
 * flip waited for has the next sequence number and the frame-done's time;
 * frames one period apart give events one period apart.
 */
static void kt_vblank_paced(struct kunit *test)
{
	/* Where in its frame each flip is shown, percent of a period. */
	static const s32 phase[] = { 100, 100, 90, 110, 100, 5, 100, 250,
				     100, 300, 100, 100, 95, 105, 100, 100 };
	struct kt_display d = {};
	unsigned int i, one_period = 0;
	s64 shown;

	kt_display_init(test, &d);
	for (i = 0; i < ARRAY_SIZE(phase); i++) {
		s64 last = d.prev_ns;

		shown = (d.flips ? d.prev_ns : ktime_to_ns(ktime_get())) +
			d.p * phase[i] / 100;
		kt_display_flip(test, &d, ns_to_ktime(shown));
		/* Unless UML came late: one period between the events. */
		if (i && phase[i] == 100 && abs(d.prev_ns - last - d.p) < d.p / 10)
			one_period++;
	}
	KUNIT_EXPECT_GE_MSG(test, one_period, 4u,
			    "events not one period apart at 60 Hz");
}

/* Variance of @n intervals, ns squared. */
static s64 kt_variance(const s64 *iv, unsigned int n)
{
	s64 mean = 0, var = 0;
	unsigned int i;

	for (i = 0; i < n; i++)
		mean += iv[i];
	mean = div_s64(mean, n);
	for (i = 0; i < n; i++)
		var += (iv[i] - mean) * (iv[i] - mean);
	return div_s64(var, n);
}

#define KT_STEADY_FRAMES	32
#define KT_STEADY_TRIES		4

/* Frame-done delays: 0 to 2 ms, now and then 6 or 9. */
static const u16 kt_delays_us[] = { 0, 1500, 300, 6000, 800, 100, 1200,
				    600, 1700, 400, 1000, 9000, 1400, 700,
				    1800, 900 };
/* Delays within 0.6 ms: little to gain over the arrivals under UML. */
static const u16 kt_narrow_us[] = { 0, 500, 200, 600, 100, 400, 300, 550 };

/*
 * A display at @hz whose frame-dones come late by each of @delay_us in
 * turn (@first_us for the first), a different delay at each frame (the
 * backend's wake-up and the event channel, as under emulation): after
 * @settle frames, the events' timestamps are one display period apart on
 * average, whatever the mode's refresh, and the period is measured
 * right, and the timestamps are steadier than the arrivals: with
 * @steadier (delays spread wide enough to stand out of UML's own noise)
 * at least twice as steady. Frames UML stalled (by more than a
 * millisecond: a delay not chosen) are left out, with the next one,
 * which the stall's event is the start of.
 *
 * A stall also weighs in the driver's period measure, a running mean
 * over about KT_STEADY_FRAMES, for as long: a window that fails is
 * followed by another (the display goes on and settles again), up to
 * KT_STEADY_TRIES, and the last is judged. A driver that measures or
 * stamps wrong fails every window.
 */
static void kt_vblank_steady_case(struct kunit *test, unsigned int hz,
				  unsigned int settle, u16 first_us,
				  const u16 *delay_us, unsigned int delays,
				  bool steadier)
{
	s64 ev_iv[KT_STEADY_FRAMES], fd_iv[KT_STEADY_FRAMES];
	s64 period = NSEC_PER_SEC / hz, tol = period / 100, t0, sum = 0;
	s64 ev_var = 0, fd_var = 0, mean_err = 0, measure_err = 0;
	unsigned int i = 0, start, end = 0, n = 0, try, calm = steadier ? 4 : 1;
	unsigned int stalls = 0;
	struct kt_display d = {};
	bool stalled = false, done = false;

	kt_display_init(test, &d);
	d.display_p = period;
	t0 = ktime_to_ns(ktime_get()) + period;
	for (try = 0; try < KT_STEADY_TRIES && !done; try++) {
		start = end + settle;
		end = start + KT_STEADY_FRAMES;
		n = 0;
		sum = 0;
		stalls = 0;
		/*
		 * A stalled frame-done weighs in the period measure until the
		 * next one takes it back: after the window's last frame, up to
		 * four more until one comes on time, so the measure is read
		 * as the display left it, not as UML did.
		 */
		for (; i <= end || (stalled && i <= end + 4); i++) {
			s64 prev_ev = d.prev_ns, prev_fd = d.fd_ns;

			kt_display_flip(test, &d,
					ns_to_ktime(t0 + i * period +
						    (i ? delay_us[i % delays] :
							 first_us) *
						    NSEC_PER_USEC));
			if (i > start && i <= end && !stalled &&
			    d.stall_ns <= NSEC_PER_MSEC) {
				ev_iv[n] = d.prev_ns - prev_ev;
				fd_iv[n] = d.fd_ns - prev_fd;
				sum += ev_iv[n++];
			}
			stalled = d.stall_ns > NSEC_PER_MSEC;
			stalls += stalled && i > start - settle;
		}
		if (n < KT_STEADY_FRAMES / 2)
			continue;
		ev_var = kt_variance(ev_iv, n);
		fd_var = kt_variance(fd_iv, n);
		mean_err = abs(div_s64(sum, n) - period);
		/* What debugfs shows as display_period_ns. */
		measure_err = abs(kt_pipe(d.ctx, 0)->fd_period - period);
		done = mean_err < tol && measure_err < tol &&
		       calm * ev_var < fd_var;
		if (!done)
			kunit_info(test, "%u Hz: window %u failed (UML stalled %u frames; mean %lld ns off, measure %lld ns off, sd %u us stamped, %u us arrived)",
				   hz, try + 1, stalls, mean_err, measure_err,
				   int_sqrt64(ev_var) / 1000,
				   int_sqrt64(fd_var) / 1000);
	}
	if (n < KT_STEADY_FRAMES / 2)
		kunit_skip(test, "%u Hz: UML stalled %u of %u frames", hz,
			   KT_STEADY_FRAMES - n, KT_STEADY_FRAMES);
	kunit_info(test, "%u Hz: sd of %u intervals %u us stamped, %u us arrived",
		   hz, n, int_sqrt64(ev_var) / 1000, int_sqrt64(fd_var) / 1000);
	KUNIT_EXPECT_LT_MSG(test, mean_err, tol,
			    "%u Hz: events not a display period apart", hz);
	KUNIT_EXPECT_LT_MSG(test, measure_err, tol,
			    "%u Hz: display period measured wrong", hz);
	/* Never less steady than the arrivals, which upstream stamps. */
	KUNIT_EXPECT_LT_MSG(test, calm * ev_var, fd_var,
			    "%u Hz: timestamps as unsteady as the arrivals", hz);
}

static void kt_vblank_steady(struct kunit *test)
{
	kt_vblank_steady_case(test, 60, 8, 0, kt_delays_us,
			      ARRAY_SIZE(kt_delays_us), true);
}

/* A 50 Hz display behind the 60 Hz mode: its period is measured first. */
static void kt_vblank_steady_50hz(struct kunit *test)
{
	kt_vblank_steady_case(test, 50, 16, 0, kt_delays_us,
			      ARRAY_SIZE(kt_delays_us), true);
}

/*
 * Displays far from the 60 Hz mode, whose intervals, within 0.6 ms of
 * each other, are never near a whole number of the mode's periods:
 * measured from the intervals all the same. (Wider delays would make
 * some intervals near one by chance, and step the measure over.)
 */
static void kt_vblank_steady_40hz(struct kunit *test)
{
	kt_vblank_steady_case(test, 40, 24, 0, kt_narrow_us,
			      ARRAY_SIZE(kt_narrow_us), false);
}

static void kt_vblank_steady_120hz(struct kunit *test)
{
	kt_vblank_steady_case(test, 120, 24, 0, kt_narrow_us,
			      ARRAY_SIZE(kt_narrow_us), false);
}

/*
 * The first frame-done 4.1 ms late, so the first interval, the first
 * measure of the period, is 4.1 ms short, and the next ones all come
 * within 0.6 ms of the display's: too far from that measure to correct
 * it. It does not stay wrong. (Delays that small leave the timestamps
 * little to gain over the arrivals under UML's own noise: the period,
 * the mean interval, and timestamps no less steady than the arrivals.)
 */
static void kt_vblank_steady_late_start(struct kunit *test)
{
	kt_vblank_steady_case(test, 60, 24, 4100, kt_narrow_us,
			      ARRAY_SIZE(kt_narrow_us), false);
}

#define KT_HELD_UP_US	11000
#define KT_HELD_UP_TOL	(400 * NSEC_PER_USEC)

/*
 * A 60 Hz display whose frame-dones come on time but one, held up for
 * 11 ms (two thirds of a period: the backend or the guest not scheduled):
 * the event of that frame and those after it keep the timestamps' phase,
 * within 0.4 ms, as the display's vblanks do; the grid does not move by
 * a sixteenth of the delay (0.69 ms). The client, its event that late,
 * flips for the vblank after the next. Frames UML stalled (by more than
 * a millisecond), or a try past the tolerance (a stall UML hid from the
 * measure: a CI run had one at 14.6 ms), make another try, after frames
 * on time again: a driver that moves the grid fails every try.
 */
static void kt_vblank_held_up(struct kunit *test)
{
	unsigned int i = 0, held = 0, try;
	struct kt_display d = {};
	s64 t0, phase = 0, off, worst = 0;
	bool stalled = true, moved = false;

	kt_display_init(test, &d);
	t0 = ktime_to_ns(ktime_get()) + d.p;
	for (try = 0; try < KT_STEADY_TRIES && (stalled || moved); try++) {
		stalled = false;
		worst = 0;
		/* Enough frames on time for the period measure and grid. */
		held = i + 16;
		for (; i <= held + 4; i++) {
			/* Its event came too late for a flip at the next. */
			if (i == held + 1)
				continue;
			kt_display_flip(test, &d,
					ns_to_ktime(t0 + i * d.p +
						    (i == held ? KT_HELD_UP_US : 0) *
						    NSEC_PER_USEC));
			stalled |= i + 4 >= held && d.stall_ns > NSEC_PER_MSEC;
			off = d.prev_ns - i * d.p;
			if (i == held - 1)
				phase = off;
			else if (i >= held && abs(off - phase) > abs(worst))
				worst = off - phase;
		}
		moved = abs(worst) >= KT_HELD_UP_TOL;
		if (stalled)
			kunit_info(test, "UML stalled a frame-done, try %u",
				   try + 1);
		else if (moved)
			kunit_info(test, "timestamps moved %lld us, try %u",
				   div_s64(worst, NSEC_PER_USEC), try + 1);
	}
	if (stalled)
		kunit_skip(test, "UML stalled a frame-done in each of %u tries",
			   KT_STEADY_TRIES);
	off = abs(worst);
	KUNIT_EXPECT_LT_MSG(test, off, KT_HELD_UP_TOL,
			    "a frame-done held up %u us moved the timestamps %lld us",
			    KT_HELD_UP_US, div_s64(worst, NSEC_PER_USEC));
}

/*
 * Flipping as fast as a backend answers at once: every flip is a frame,
 * its event at its frame-done: sequence numbers one apart and timestamps
 * never before the flip was issued. A client that only flips needs no
 * vblank interrupt: the timer never runs, during or after its flips.
 */
static void kt_vblank_fast_flips(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct xdf_pipe *xp = kt_pipe(ctx, 0);
	struct drm_crtc *crtc = &xp->pipe.crtc;
	unsigned int flips = 0, before = 0, gaps = 0;
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	s64 last_ns = 0, p;
	u32 last_seq = 0;
	struct kt_fb fb[2];
	ktime_t start, submit, t0;
	u64 c0, c1;

	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	p = ktime_to_ns(xp->vblank_period);
	/* No reference, as the driver's events: one would turn vblank on. */
	c0 = drm_crtc_accurate_vblank_count(crtc);
	start = ktime_get();
	while (ktime_ms_delta(ktime_get(), start) < 500) {
		submit = ktime_get();
		kt_flip_and_read(test, ctx, 0, &fb[(flips + 1) % 2], flips, &ev);
		before += kt_ev_ns(&ev) < kt_us_ns(submit);
		if (flips) {
			KUNIT_ASSERT_GT(test, ev.sequence, last_seq);
			KUNIT_ASSERT_GE(test, kt_ev_ns(&ev), last_ns);
			/* More only if a period went by between two flips. */
			gaps += ev.sequence != last_seq + 1 &&
				ev.sequence != last_seq + 1 +
				kt_periods(last_ns, ktime_to_ns(submit), p);
		}
		last_seq = ev.sequence;
		last_ns = kt_ev_ns(&ev);
		flips++;
	}
	/* Past the next period a timer armed by the last frame-done. */
	msleep(100);
	KUNIT_EXPECT_EQ_MSG(test, kt_stats(ctx, 0).vblank_ticks, 0ull,
			    "the vblank timer ran for a client that only flips");
	KUNIT_EXPECT_FALSE(test, hrtimer_active(&xp->vblank_timer));
	KUNIT_ASSERT_EQ(test, drm_crtc_vblank_get(crtc), 0);
	c1 = drm_crtc_vblank_count_and_time(crtc, &t0);
	drm_crtc_vblank_put(crtc);
	KUNIT_EXPECT_GE_MSG(test, flips, 60u, "%u flips in 500 ms: not fast",
			    flips);
	KUNIT_EXPECT_EQ_MSG(test, before, 0u,
			    "%u of %u events older than their flip", before, flips);
	KUNIT_EXPECT_EQ(test, gaps, 0u);
	/* Each flip counted one vblank. */
	KUNIT_EXPECT_GE(test, c1 - c0, (u64)flips);
	KUNIT_EXPECT_GE(test, c1, (u64)last_seq);
}

/*
 * A backend answering at once, and a client that pauses between flips:
 * each event counts the vblanks of the pause, whether or not anybody
 * read the count meanwhile, and never fewer than a reader was told just
 * before the flip, however close after a vblank; its time is not before
 * the flip nor after its frame-done.
 */
static void kt_vblank_pauses(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct xdf_pipe *xp = kt_pipe(ctx, 0);
	struct drm_crtc *crtc = &xp->pipe.crtc;
	struct drm_event_vblank ev, prev;
	struct drm_display_mode mode;
	unsigned int i, flips = 0;
	ktime_t submit, done, t;
	struct kt_fb fb[2];
	s64 p, next;
	bool read;
	u64 told = 0;

	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	p = ktime_to_ns(xp->vblank_period);
	for (; flips < 3; flips++)
		kt_flip_and_read(test, ctx, 0, &fb[(flips + 1) % 2], flips,
				 &prev);

	for (i = 0; i < 8; i++, flips++) {
		/*
		 * Half a millisecond after a vblank, where a count going by
		 * a clock that lags (the coarse clock) would miss it.
		 */
		drm_crtc_accurate_vblank_count(crtc);
		drm_crtc_vblank_count_and_time(crtc, &t);
		next = ktime_to_ns(t) + p * (2 + i % 3) + 500000;
		while (ktime_to_ns(ktime_get()) < next)
			usleep_range(50, 100);
		/* Every other pause, nobody reads the count at its end. */
		read = !(i % 2);
		if (read)
			told = drm_crtc_accurate_vblank_count(crtc);
		submit = ktime_get();
		kt_flip_and_read(test, ctx, 0, &fb[(flips + 1) % 2], flips,
				 &ev);
		done = ktime_get();
		if (read)
			KUNIT_EXPECT_GT_MSG(test, (u64)ev.sequence, told,
					    "pause %u: event sequence not after the count read before the flip",
					    i);
		KUNIT_EXPECT_GE_MSG(test, ev.sequence,
				    prev.sequence + 1 +
				    kt_periods(kt_ev_ns(&prev),
					       ktime_to_ns(submit), p),
				    "pause %u: the pause's vblanks not counted", i);
		KUNIT_EXPECT_LE(test, ev.sequence,
				prev.sequence + 1 +
				kt_periods(kt_ev_ns(&prev), ktime_to_ns(done), p));
		KUNIT_EXPECT_GE_MSG(test, kt_ev_ns(&ev), kt_us_ns(submit),
				    "pause %u: event time before the flip", i);
		KUNIT_EXPECT_LE(test, kt_ev_ns(&ev), ktime_to_ns(done));
		prev = ev;
	}
}

/*
 * Nothing on its way: vblanks come one period apart from the last
 * frame-done, exactly, whether the timer counts them or not.
 */
static void kt_vblank_phase(struct kunit *test)
{
	struct kt_display d = {};
	struct drm_crtc *crtc;
	ktime_t t0, t1;
	u64 c0, c1;
	s64 fd_ns;
	s32 r;

	kt_display_init(test, &d);
	crtc = &kt_pipe(d.ctx, 0)->pipe.crtc;
	kt_display_flip(test, &d, ktime_add_ns(ktime_get(), d.p / 3));
	fd_ns = d.prev_ns;

	c0 = kt_next_vblank(test, crtc, &t0);
	msleep(100);
	c1 = kt_next_vblank(test, crtc, &t1);
	KUNIT_EXPECT_GT(test, c1, c0);
	KUNIT_EXPECT_EQ(test, ktime_to_ns(ktime_sub(t1, t0)),
			(s64)(c1 - c0) * d.p);
	/* The frame-done's phase, to the microsecond it carried. */
	div_s64_rem(ktime_to_ns(t1) - fd_ns, d.p, &r);
	KUNIT_EXPECT_LT_MSG(test, r, 1000, "%d ns out of phase", r);
	KUNIT_EXPECT_GE(test, c0, (u64)d.prev.sequence + 1);
}

/*
 * A vblank wait during a flip ends at the flip's frame-done, with the
 * flip event's sequence and time, however late the frame-done: the timer
 * adds no vblank of its own meanwhile.
 */
static void kt_vblank_wait_during_flip(struct kunit *test)
{
	struct kt_display d = {};
	struct drm_event_vblank ev, wait_ev;
	union drm_wait_vblank vbl = {};
	struct kt_fb *to;
	unsigned int i;

	kt_display_init(test, &d);
	kt_display_flip(test, &d, ktime_add_ns(ktime_get(), d.p / 3));

	to = &d.fb[(d.flips + 1) % 2];
	KUNIT_ASSERT_EQ(test, kt_flip(d.ctx, 0, to, 100), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(d.ctx, 0, d.flips + 1));
	vbl.request.type = _DRM_VBLANK_RELATIVE | _DRM_VBLANK_EVENT;
	vbl.request.sequence = 1;
	vbl.request.signal = 200;
	KUNIT_ASSERT_EQ(test, drm_wait_vblank_ioctl(&d.ctx->xdrm->drm, &vbl,
						    d.ctx->file), 0);
	/* Three periods late. */
	msleep(3 * d.p / NSEC_PER_MSEC);
	KUNIT_EXPECT_EQ_MSG(test, kt_num_events(d.ctx), 0u,
			    "a vblank before the flip's frame-done");
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(d.ctx->sdev, 0,
							      to->cookie), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(d.ctx, 2, KT_WAIT_MS));
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_TRUE(test, kt_read_event(d.ctx, &ev));
		if (ev.base.type == DRM_EVENT_VBLANK)
			wait_ev = ev;
		else
			d.prev = ev;
	}
	KUNIT_EXPECT_EQ(test, wait_ev.user_data, 200ull);
	KUNIT_EXPECT_EQ(test, d.prev.user_data, 100ull);
	KUNIT_EXPECT_EQ(test, wait_ev.sequence, d.prev.sequence);
	KUNIT_EXPECT_EQ(test, kt_ev_ns(&wait_ev), kt_ev_ns(&d.prev));
}

/*
 * Turning a display off as compositors do, keeping its mode and connector
 * (ACTIVE off, plane without framebuffer), while vblank is in use; its
 * event comes. Then on again: vblank counts go on from where they were.
 */
static int kt_commit_active(struct kt_ctx *ctx, unsigned int conn,
			    struct drm_framebuffer *fb, bool event)
{
	int ret;

	ctx->keep_mode = true;
	ret = kt_commit_ev(ctx, conn, fb, NULL, false, event, 7);
	ctx->keep_mode = false;
	return ret;
}

static void kt_vblank_off_keeping_mode(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_crtc *crtc = &kt_pipe(ctx, 0)->pipe.crtc;
	struct xendispl_req req;
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	union drm_wait_vblank vbl;
	struct kt_fb fb;
	ktime_t t0, t1;
	u64 c0, c1;

	kt_enable(test, ctx, 0, &fb, &mode);
	c0 = kt_next_vblank(test, crtc, &t0);
	KUNIT_ASSERT_EQ(test, drm_crtc_vblank_get(crtc), 0);

	KUNIT_ASSERT_EQ(test, kt_commit_active(ctx, 0, NULL, true), 0);
	drm_crtc_vblank_put(crtc);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 7ull);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_SET_CONFIG, &req));
	KUNIT_EXPECT_EQ(test, req.op.set_config.fb_cookie, 0ull);
	memset(&vbl, 0, sizeof(vbl));
	vbl.request.type = _DRM_VBLANK_RELATIVE;
	vbl.request.sequence = 1;
	KUNIT_EXPECT_EQ(test, drm_wait_vblank_ioctl(&ctx->xdrm->drm, &vbl,
						    ctx->file), -EINVAL);

	msleep(50);
	KUNIT_ASSERT_EQ(test, kt_commit_active(ctx, 0, fb.fb, false), 0);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_SET_CONFIG, &req));
	KUNIT_EXPECT_EQ(test, req.op.set_config.fb_cookie, fb.cookie);
	c1 = kt_next_vblank(test, crtc, &t1);
	KUNIT_EXPECT_GT(test, c1, c0);
	KUNIT_EXPECT_GT(test, ktime_to_ns(t1), ktime_to_ns(t0));
}

/* ------------------------------------------------------------------ */
/* debugfs */

/*
 * Read connector @conn's xen_state as a reader of the debugfs file does:
 * open it through debugfs and read its seq_file.
 */
static void kt_read_state(struct kunit *test, struct kt_ctx *ctx,
			  unsigned int conn, char *buf, size_t size)
{
	struct dentry *dir = kt_pipe(ctx, conn)->connector.debugfs_entry;
	struct file_system_type *type;
	struct kvec kvec = { .iov_base = buf, .iov_len = size - 1 };
	struct iov_iter iter;
	struct kiocb kiocb;
	struct path path;
	struct file *file;
	ssize_t n = -EINVAL;

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dir);
	path.dentry = debugfs_lookup("xen_state", dir);
	KUNIT_ASSERT_NOT_NULL(test, path.dentry);
	KUNIT_EXPECT_PTR_EQ(test, d_inode(path.dentry)->i_private,
			    (void *)kt_pipe(ctx, conn));
	KUNIT_EXPECT_EQ(test, d_inode(path.dentry)->i_mode & 0777, 0444);

	/* debugfs has one superblock: this mount shows the same files. */
	type = get_fs_type("debugfs");
	KUNIT_ASSERT_NOT_NULL(test, type);
	path.mnt = vfs_kern_mount(type, 0, "debugfs", NULL);
	put_filesystem(type);
	if (IS_ERR(path.mnt)) {
		dput(path.dentry);
		KUNIT_ASSERT_NOT_ERR_OR_NULL(test, path.mnt);
	}
	file = dentry_open(&path, O_RDONLY, current_cred());
	if (!IS_ERR(file)) {
		/* seq_read_iter() as read(2) would, into our buffer. */
		init_sync_kiocb(&kiocb, file);
		iov_iter_kvec(&iter, ITER_DEST, &kvec, 1, size - 1);
		n = seq_read_iter(&kiocb, &iter);
		fput(file);
		flush_delayed_fput();
	}
	mntput(path.mnt);
	dput(path.dentry);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	KUNIT_ASSERT_GT(test, n, (ssize_t)0);
	buf[n] = '\0';
}

/* The value of line "@name: value" of xen_state text @buf, or NULL. */
static const char *kt_state_find(const char *buf, const char *name)
{
	size_t len = strlen(name);
	const char *p = buf;

	while (p && *p) {
		if (!strncmp(p, name, len) && p[len] == ':' && p[len + 1] == ' ')
			return p + len + 2;
		p = strchr(p, '\n');
		if (p)
			p++;
	}
	return NULL;
}

static u64 kt_state_num(struct kunit *test, const char *buf, const char *name)
{
	const char *p = kt_state_find(buf, name);
	char val[24];
	size_t len;
	u64 v = 0;

	KUNIT_ASSERT_NOT_NULL_MSG(test, p, "no %s in xen_state", name);
	len = strcspn(p, "\n");
	KUNIT_ASSERT_LT(test, len, sizeof(val));
	memcpy(val, p, len);
	val[len] = '\0';
	KUNIT_ASSERT_EQ_MSG(test, kstrtoull(val, 10, &v), 0, "%s: %s", name, val);
	return v;
}

static bool kt_state_is(const char *buf, const char *name, const char *text)
{
	const char *p = kt_state_find(buf, name);

	return p && !strncmp(p, text, strlen(text)) && p[strlen(text)] == '\n';
}

/*
 * xen_state after known actions: off; on showing a framebuffer; after
 * flips, a stray frame-done, a flip waiting for its frame-done, its
 * timeout, a failed flip; off again.
 */
static void kt_debugfs_state(struct kunit *test)
{
	static const char * const counters[] = {
		"flips", "frame_done", "stray_frame_done", "late_frame_done",
		"timeouts", "errors",
	};
	struct kt_ctx *ctx = kt_connect(test, 2);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];
	unsigned int i;
	char *buf;

	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	WRITE_ONCE(xdf_req_timeout_ms, KT_SHORT_TIMEOUT_MS);

	kt_read_state(test, ctx, 0, buf, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, kt_state_is(buf, "pipe", "off"));
	KUNIT_EXPECT_TRUE(test, kt_state_is(buf, "link", "good"));
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "fb_cookie"), 0ull);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "pending_flip"), 0ull);
	for (i = 0; i < ARRAY_SIZE(counters); i++)
		KUNIT_EXPECT_EQ_MSG(test, kt_state_num(test, buf, counters[i]),
				    0ull, "%s", counters[i]);

	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	kt_read_state(test, ctx, 0, buf, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, kt_state_is(buf, "pipe", "on"));
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "fb_cookie"), fb[0].cookie);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "flips"), 0ull);

	/* Three flips, each completed by its frame-done; then a stray one. */
	for (i = 0; i < 3; i++)
		kt_flip_and_read(test, ctx, 0, &fb[(i + 1) % 2], i, &ev);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 0,
							      fb[0].cookie), 0);
	kt_settle(ctx);
	kt_read_state(test, ctx, 0, buf, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "fb_cookie"), fb[1].cookie);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "pending_flip"), 0ull);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "flips"), 3ull);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "frame_done"), 4ull);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "stray_frame_done"), 1ull);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "timeouts"), 0ull);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "errors"), 0ull);
	/* The other connector's file is its own. */
	kt_read_state(test, ctx, 1, buf, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, kt_state_is(buf, "pipe", "off"));
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "frame_done"), 0ull);

	/* A flip whose frame-done does not come: pending, then timed out. */
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_NEVER);
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[0], 10), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(ctx, 0, 4));
	kt_settle(ctx);
	kt_read_state(test, ctx, 0, buf, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "pending_flip"), fb[0].cookie);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "flips"), 4ull);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1, KT_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_BAD);
	kt_read_state(test, ctx, 0, buf, PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "pending_flip"), 0ull);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "timeouts"), 1ull);
	KUNIT_EXPECT_TRUE(test, kt_state_is(buf, "link", "bad"));

	/* A modeset makes the link good; then a flip the backend refuses. */
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_AFTER);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, NULL, NULL), 0);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb[1], &mode), 0);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_PG_FLIP, 1,
						     XDF_SIM_STATUS, -EIO), 0);
	kt_flip_and_read(test, ctx, 0, &fb[0], 11, &ev);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_BAD);
	kt_read_state(test, ctx, 0, buf, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, kt_state_is(buf, "pipe", "on"));
	KUNIT_EXPECT_TRUE(test, kt_state_is(buf, "link", "bad"));
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "fb_cookie"), fb[0].cookie);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "pending_flip"), 0ull);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "flips"), 5ull);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "frame_done"), 4ull);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "timeouts"), 1ull);
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "errors"), 1ull);

	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, NULL, NULL), 0);
	kt_read_state(test, ctx, 0, buf, PAGE_SIZE);
	KUNIT_EXPECT_TRUE(test, kt_state_is(buf, "pipe", "off"));
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "fb_cookie"), 0ull);
	/* Counters count on. */
	KUNIT_EXPECT_EQ(test, kt_state_num(test, buf, "flips"), 5ull);
}

/**
 * struct kt_commit_loop - commits made by a thread of their own
 * @ctx: the test's device
 * @fb: the framebuffers to flip between
 * @mode: the mode to show them with
 * @commits: commits that succeeded
 */
struct kt_commit_loop {
	struct kt_ctx *ctx;
	struct kt_fb *fb;
	struct drm_display_mode mode;
	unsigned int commits;
};

static int kt_commit_loop_fn(void *data)
{
	struct kt_commit_loop *loop = data;
	unsigned int i = 0;

	while (!kthread_should_stop()) {
		if (!kt_commit(loop->ctx, 0, &loop->fb[++i % 2], &loop->mode))
			WRITE_ONCE(loop->commits, loop->commits + 1);
		cond_resched();
	}
	return 0;
}

/*
 * xen_state read while another thread commits: the CRTC and plane states
 * are read under their locks (lockdep and KASAN watch), and each read
 * shows the pipe on with one of the two framebuffers.
 */
static void kt_debugfs_during_commits(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct kt_commit_loop loop = { .ctx = ctx };
	unsigned long end = jiffies + msecs_to_jiffies(10 * KT_WAIT_MS);
	unsigned int reads = 0, bad = 0, first;
	struct task_struct *thread;
	struct kt_fb fb[2];
	u64 cookie;
	char *buf;

	buf = kunit_kzalloc(test, PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, buf);
	kt_enable(test, ctx, 0, &fb[0], &loop.mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	loop.fb = fb;

	thread = kthread_run(kt_commit_loop_fn, &loop, "kt-commits");
	KUNIT_ASSERT_FALSE(test, IS_ERR(thread));
	/* A thread stopped before it ran never runs: let it start. */
	while (!READ_ONCE(loop.commits) && time_before(jiffies, end))
		usleep_range(1000, 2000);
	first = READ_ONCE(loop.commits);
	while ((reads < 200 || READ_ONCE(loop.commits) < first + 20) &&
	       time_before(jiffies, end)) {
		kt_read_state(test, ctx, 0, buf, PAGE_SIZE);
		cookie = kt_state_num(test, buf, "fb_cookie");
		if (!kt_state_is(buf, "pipe", "on") ||
		    (cookie != fb[0].cookie && cookie != fb[1].cookie))
			bad++;
		reads++;
		usleep_range(100, 200);
	}
	kthread_stop(thread);
	KUNIT_EXPECT_EQ(test, bad, 0u);
	KUNIT_EXPECT_GE(test, reads, 200u);
	KUNIT_EXPECT_GE(test, loop.commits, first + 20);
}

/* ------------------------------------------------------------------ */
/* EDID and modes */

/* A valid EDID with several modes: those are the connector's modes. */
static void kt_edid_modes(struct kunit *test)
{
	static const struct xdf_sim_timing timings[] = {
		{ 1920, 1080, 60 }, { 1280, 720, 60 }, { 1024, 768, 75 },
	};
	struct kt_ctx *ctx = kt_connect_cfg(test, 1, "800x600", NULL);
	struct drm_display_mode mode, other;
	struct xendispl_req req;
	u8 edid[128];
	struct kt_fb fb;
	unsigned int i;

	KUNIT_ASSERT_EQ(test, xdf_sim_edid_build(edid, timings,
						 ARRAY_SIZE(timings)), 128);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_set_edid(ctx->sdev, 0, edid,
						       sizeof(edid)), 0);
	KUNIT_EXPECT_EQ(test, kt_probe(ctx, 0), (int)ARRAY_SIZE(timings));
	KUNIT_ASSERT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_GET_EDID), 1u);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_GET_EDID, &req));
	KUNIT_EXPECT_EQ(test, req.op.get_edid.buffer_sz,
			(u32)XENDISPL_EDID_MAX_SIZE);
	for (i = 0; i < ARRAY_SIZE(timings); i++)
		KUNIT_EXPECT_TRUE_MSG(test, kt_find_mode(ctx, 0, timings[i].width,
							 timings[i].height,
							 timings[i].refresh,
							 &mode),
				      "mode %ux%u@%u missing", timings[i].width,
				      timings[i].height, timings[i].refresh);
	KUNIT_EXPECT_FALSE(test, kt_find_mode(ctx, 0, 800, 600, -1, &mode));
	KUNIT_ASSERT_TRUE(test, kt_find_mode(ctx, 0, 1920, 1080, 60, &mode));
	KUNIT_EXPECT_TRUE(test, mode.type & DRM_MODE_TYPE_PREFERRED);

	/* Probing again does not ask again. */
	KUNIT_EXPECT_EQ(test, kt_probe(ctx, 0), (int)ARRAY_SIZE(timings));
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_GET_EDID), 1u);

	/* An EDID mode is set as it is. */
	KUNIT_ASSERT_TRUE(test, kt_find_mode(ctx, 0, 1024, 768, 75, &mode));
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb), 0);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, &fb, &mode), 0);
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_SET_CONFIG, &req));
	kt_expect_config(test, &req.op.set_config, fb.cookie, 0, 0, 1024, 768,
			 32);

	/* The same size at 60 Hz is not offered. */
	KUNIT_ASSERT_TRUE(test, kt_find_mode(ctx, 0, 1280, 720, 60, &other));
	other.hdisplay = 1024;
	other.vdisplay = 768;
	drm_mode_set_name(&other);
	KUNIT_EXPECT_NE(test, drm_mode_vrefresh(&other), 75);
	KUNIT_EXPECT_EQ(test, kt_commit_ex(ctx, 0, fb.fb, &other, true), -EINVAL);
}

/*
 * A GET_EDID that got no answer is asked again at the next probe, with
 * the XenStore resolution meanwhile; one the backend refused is not.
 */
static void kt_edid_retry(struct kunit *test)
{
	static const struct xdf_sim_timing timings[] = {
		{ 1280, 720, 60 }, { 1024, 768, 60 },
	};
	struct kt_ctx *ctx = kt_connect_cfg(test, 2, "800x600", NULL);
	struct drm_display_mode mode;
	u8 edid[128];

	WRITE_ONCE(xdf_req_timeout_ms, KT_SHORT_TIMEOUT_MS);
	KUNIT_ASSERT_EQ(test, xdf_sim_edid_build(edid, timings,
						 ARRAY_SIZE(timings)), 128);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_set_edid(ctx->sdev, 0, edid,
						       sizeof(edid)), 0);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_GET_EDID, 1,
						     XDF_SIM_SILENT, 0), 0);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 1,
						     XENDISPL_OP_GET_EDID, 1,
						     XDF_SIM_STATUS, -EINVAL), 0);

	KUNIT_EXPECT_EQ(test, kt_probe(ctx, 0), 1);
	KUNIT_EXPECT_TRUE(test, kt_find_mode(ctx, 0, 800, 600, 60, &mode));
	KUNIT_EXPECT_EQ(test, kt_probe(ctx, 0), (int)ARRAY_SIZE(timings));
	KUNIT_EXPECT_TRUE(test, kt_find_mode(ctx, 0, 1280, 720, 60, &mode));
	KUNIT_EXPECT_FALSE(test, kt_find_mode(ctx, 0, 800, 600, -1, &mode));
	KUNIT_EXPECT_EQ(test, kt_probe(ctx, 0), (int)ARRAY_SIZE(timings));
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_GET_EDID), 2u);

	KUNIT_EXPECT_EQ(test, kt_probe(ctx, 1), 1);
	KUNIT_EXPECT_EQ(test, kt_probe(ctx, 1), 1);
	KUNIT_EXPECT_TRUE(test, kt_find_mode(ctx, 1, 800, 600, 60, &mode));
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 1, XENDISPL_OP_GET_EDID), 1u);
}

/*
 * The backend's EDID is the connector's EDID property, as clients read
 * it (monitor name, physical size).
 *
 * Known driver bug (reported): a DRM_MODE_CONNECTOR_VIRTUAL connector
 * gets no EDID property from drm_connector_init(), so the update fails
 * silently. Skipped while so.
 */
static void kt_edid_property(struct kunit *test)
{
	static const struct xdf_sim_timing timings[] = {
		{ 1280, 720, 60 }, { 1024, 768, 60 },
	};
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_connector *connector = &kt_pipe(ctx, 0)->connector;
	struct drm_property_blob *blob;
	bool attached = false;
	unsigned int i;
	u8 edid[128];

	KUNIT_ASSERT_EQ(test, xdf_sim_edid_build(edid, timings,
						 ARRAY_SIZE(timings)), 128);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_set_edid(ctx->sdev, 0, edid,
						       sizeof(edid)), 0);
	KUNIT_ASSERT_EQ(test, kt_probe(ctx, 0), 2);
	for (i = 0; i < connector->base.properties->count; i++)
		attached |= connector->base.properties->properties[i] ==
			    ctx->xdrm->drm.mode_config.edid_property;
	KUNIT_ASSERT_TRUE_MSG(test, attached,
			      "no EDID property on the virtual connector");
	blob = connector->edid_blob_ptr;
	KUNIT_ASSERT_NOT_NULL(test, blob);
	KUNIT_EXPECT_EQ(test, blob->length, sizeof(edid));
	KUNIT_EXPECT_EQ(test, memcmp(blob->data, edid, sizeof(edid)), 0);
}

/*
 * The backend keeps the guest's EDID pages mapped after its answer and
 * rewrites them with another valid EDID: the connector keeps the modes of
 * the EDID answered, which the guest copied, checked and let go of at
 * once; a later probe neither asks again nor reads the pages.
 */
static void kt_edid_rewritten(struct kunit *test)
{
	static const struct xdf_sim_timing timings[] = {
		{ 1280, 720, 60 }, { 1024, 768, 60 },
	};
	static const struct xdf_sim_timing others[] = {
		{ 1920, 1080, 60 }, { 640, 480, 60 }, { 1600, 900, 60 },
	};
	struct kt_ctx *ctx = kt_connect_cfg(test, 1, "800x600", NULL);
	struct drm_display_mode mode;
	struct xdf_sim_counters c;
	u8 edid[128], other[128];
	unsigned int i, grants, maps;

	KUNIT_ASSERT_EQ(test, xdf_sim_edid_build(edid, timings,
						 ARRAY_SIZE(timings)), 128);
	KUNIT_ASSERT_EQ(test, xdf_sim_edid_build(other, others,
						 ARRAY_SIZE(others)), 128);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_set_edid(ctx->sdev, 0, edid,
						       sizeof(edid)), 0);
	xdf_sim_backend_keep_edid(ctx->sdev, 0, true);
	/* The rings' pages, which the backend maps too. */
	xdf_sim_get_counters(&c);
	maps = c.backend_maps;
	grants = c.grants;

	KUNIT_EXPECT_EQ(test, kt_probe(ctx, 0), (int)ARRAY_SIZE(timings));
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_GET_EDID), 1u);
	/*
	 * The guest is done with the page the backend still maps: its grant
	 * waits in the driver's revoker, not ended under the mapping, until
	 * the backend lets go.
	 */
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.backend_maps, maps + 1);
	KUNIT_EXPECT_EQ(test, c.grants, grants + 1);
	KUNIT_EXPECT_EQ(test, c.deferred, 0u);

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_rewrite_edid(ctx->sdev, 0, other,
							   sizeof(other)), 0);
	xdf_dbuf_revoke_flush();
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.backend_maps, maps);
	KUNIT_EXPECT_EQ(test, c.deferred, 0u);
	KUNIT_EXPECT_EQ(test, c.grants, grants);
	KUNIT_EXPECT_EQ(test, c.misuse, 0u);

	for (i = 0; i < 2; i++) {
		if (i)
			KUNIT_EXPECT_EQ(test, kt_probe(ctx, 0),
					(int)ARRAY_SIZE(timings));
		KUNIT_EXPECT_TRUE(test, kt_find_mode(ctx, 0, 1280, 720, 60,
						     &mode));
		KUNIT_EXPECT_TRUE(test, kt_find_mode(ctx, 0, 1024, 768, 60,
						     &mode));
		KUNIT_EXPECT_FALSE_MSG(test, kt_find_mode(ctx, 0, 1920, 1080,
							  -1, &mode),
				       "a mode of the rewritten EDID");
		KUNIT_EXPECT_FALSE(test, kt_find_mode(ctx, 0, 640, 480, -1,
						      &mode));
		KUNIT_EXPECT_FALSE(test, kt_find_mode(ctx, 0, 800, 600, -1,
						      &mode));
	}
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_GET_EDID), 1u);
}

/*
 * The backend garbles the EDID in the guest's pages right after its
 * answer, while the guest copies it: the guest gets either the EDID
 * answered or, the copy failing its checks, the configured mode; never
 * anything else, and it does not ask again.
 */
static void kt_edid_rewritten_at_once(struct kunit *test)
{
	static const struct xdf_sim_timing timings[] = {
		{ 1280, 720, 60 }, { 1024, 768, 60 },
	};
	struct kt_ctx *ctx = kt_connect_cfg(test, 1, "800x600", NULL);
	struct drm_display_mode mode;
	u8 edid[128], garbage[128];
	unsigned int i, round;
	int n;

	KUNIT_ASSERT_EQ(test, xdf_sim_edid_build(edid, timings,
						 ARRAY_SIZE(timings)), 128);
	for (i = 0; i < sizeof(garbage); i++)
		garbage[i] = i * 37 + 11;
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_set_edid(ctx->sdev, 0, edid,
						       sizeof(edid)), 0);
	KUNIT_ASSERT_EQ(test,
			xdf_sim_backend_rewrite_edid_at_once(ctx->sdev, 0,
							     garbage,
							     sizeof(garbage)),
			0);

	n = kt_probe(ctx, 0);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_GET_EDID), 1u);
	kunit_info(test, "%s\n", n == 1 ? "the guest copied the garbled EDID" :
					 "the guest copied the EDID answered");
	for (round = 0; round < 2; round++) {
		if (round)
			KUNIT_EXPECT_EQ(test, kt_probe(ctx, 0), n);
		if (n == 1) {
			KUNIT_EXPECT_TRUE(test, kt_find_mode(ctx, 0, 800, 600,
							     60, &mode));
		} else {
			KUNIT_EXPECT_EQ(test, n, (int)ARRAY_SIZE(timings));
			KUNIT_EXPECT_TRUE(test, kt_find_mode(ctx, 0, 1280, 720,
							     60, &mode));
			KUNIT_EXPECT_TRUE(test, kt_find_mode(ctx, 0, 1024, 768,
							     60, &mode));
		}
	}
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_GET_EDID), 1u);
}

/* The ways an EDID can be unusable: fall back to the configured mode. */
enum kt_edid_fault {
	KT_EDID_OVERSIZED,
	KT_EDID_UNALIGNED,
	KT_EDID_GARBAGE,
	KT_EDID_BAD_CHECKSUM,
	KT_EDID_EXTENSIONS,
	KT_EDID_ERROR,
	KT_EDID_NONE,
	KT_EDID_VERSION_1,
};

static const char * const kt_edid_fault_names[] = {
	"oversized", "unaligned size", "garbage", "bad checksum",
	"missing extension", "error status", "size 0", "protocol version 1",
};

static const enum kt_edid_fault kt_edid_faults[] = {
	KT_EDID_OVERSIZED, KT_EDID_UNALIGNED, KT_EDID_GARBAGE,
	KT_EDID_BAD_CHECKSUM, KT_EDID_EXTENSIONS, KT_EDID_ERROR,
	KT_EDID_NONE, KT_EDID_VERSION_1,
};

static void kt_edid_fault_desc(const enum kt_edid_fault *f, char *desc)
{
	strscpy(desc, kt_edid_fault_names[*f], KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(kt_edid_fault, kt_edid_faults, kt_edid_fault_desc);

static void kt_edid_fallback(struct kunit *test)
{
	static const struct xdf_sim_timing timings[] = {
		{ 1920, 1080, 60 }, { 1280, 720, 60 },
	};
	enum kt_edid_fault fault = *(const enum kt_edid_fault *)test->param_value;
	struct kt_ctx *ctx;
	struct drm_display_mode mode, other;
	u8 edid[256];
	struct kt_fb fb;
	unsigned int i;

	ctx = kt_connect_cfg(test, 1, "800x600",
			     fault == KT_EDID_VERSION_1 ? "1" : NULL);
	KUNIT_ASSERT_EQ(test, xdf_sim_edid_build(edid, timings,
						 ARRAY_SIZE(timings)), 128);
	memcpy(edid + 128, edid, 128);
	switch (fault) {
	case KT_EDID_OVERSIZED:
		xdf_sim_backend_set_edid(ctx->sdev, 0, edid, 128);
		xdf_sim_backend_set_edid_size(ctx->sdev, 0,
					      XENDISPL_EDID_MAX_SIZE + 128);
		break;
	case KT_EDID_UNALIGNED:
		xdf_sim_backend_set_edid(ctx->sdev, 0, edid, 128);
		xdf_sim_backend_set_edid_size(ctx->sdev, 0, 200);
		break;
	case KT_EDID_GARBAGE:
		for (i = 0; i < sizeof(edid); i++)
			edid[i] = i * 37 + 11;
		xdf_sim_backend_set_edid(ctx->sdev, 0, edid, 256);
		break;
	case KT_EDID_BAD_CHECKSUM:
		edid[127]++;
		xdf_sim_backend_set_edid(ctx->sdev, 0, edid, 128);
		break;
	case KT_EDID_EXTENSIONS:
		/* Claims 3 extension blocks; 2 blocks sent. */
		edid[126] = 3;
		edid[127] -= 3;
		xdf_sim_backend_set_edid(ctx->sdev, 0, edid, 256);
		break;
	case KT_EDID_ERROR:
		xdf_sim_backend_set_edid(ctx->sdev, 0, edid, 128);
		KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
							     XENDISPL_OP_GET_EDID,
							     1, XDF_SIM_STATUS,
							     -EIO), 0);
		break;
	case KT_EDID_NONE:
		break;
	case KT_EDID_VERSION_1:
		xdf_sim_backend_set_edid(ctx->sdev, 0, edid, 128);
		break;
	}

	KUNIT_EXPECT_EQ(test, kt_probe(ctx, 0), 1);
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_GET_EDID),
			fault == KT_EDID_VERSION_1 ? 0u : 1u);
	KUNIT_ASSERT_TRUE(test, kt_find_mode(ctx, 0, 800, 600, 60, &mode));
	KUNIT_EXPECT_TRUE(test, mode.type & DRM_MODE_TYPE_PREFERRED);
	KUNIT_EXPECT_FALSE(test, kt_find_mode(ctx, 0, 1920, 1080, -1, &other));
	KUNIT_EXPECT_FALSE(test, kt_find_mode(ctx, 0, 1280, 720, -1, &other));
	KUNIT_EXPECT_EQ(test, kt_pipe(ctx, 0)->connector.status,
			connector_status_connected);

	/* The fallback mode works; nothing else passes mode_valid. */
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1920, 1080, &fb), 0);
	KUNIT_EXPECT_EQ(test, kt_commit_ex(ctx, 0, fb.fb, &mode, true), 0);
	other = mode;
	other.hdisplay = 1920;
	other.hsync_start = 1920 + 48;
	other.hsync_end = other.hsync_start + 32;
	other.htotal = other.hsync_end + 80;
	other.vdisplay = 1080;
	other.vsync_start = 1083;
	other.vsync_end = 1089;
	other.vtotal = 1114;
	other.clock = other.htotal * other.vtotal * 60 / 1000;
	drm_mode_set_name(&other);
	KUNIT_EXPECT_EQ(test, kt_commit_ex(ctx, 0, fb.fb, &other, true), -EINVAL);
	KUNIT_EXPECT_EQ(test, kt_commit(ctx, 0, &fb, &mode), 0);
}

/* mode_valid checks the refresh rate, so the clock, not only the size. */
static void kt_mode_valid_clock(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode, other;
	struct kt_fb fb;

	kt_mode(test, ctx, 0, &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb), 0);
	KUNIT_EXPECT_EQ(test, kt_commit_ex(ctx, 0, fb.fb, &mode, true), 0);

	/* The configured size at 50 and 75 Hz. */
	other = mode;
	other.clock = mode.clock * 50 / 60;
	KUNIT_EXPECT_EQ(test, kt_commit_ex(ctx, 0, fb.fb, &other, true), -EINVAL);
	other.clock = mode.clock * 75 / 60;
	KUNIT_EXPECT_EQ(test, kt_commit_ex(ctx, 0, fb.fb, &other, true), -EINVAL);
	/* Another size at 60 Hz. */
	other = mode;
	other.hdisplay = 800;
	other.vdisplay = 600;
	other.clock = mode.clock * 800 / 1024;
	KUNIT_EXPECT_EQ(test, kt_commit_ex(ctx, 0, fb.fb, &other, true), -EINVAL);
	/* Interlaced. */
	other = mode;
	other.flags |= DRM_MODE_FLAG_INTERLACE;
	KUNIT_EXPECT_EQ(test, kt_commit_ex(ctx, 0, fb.fb, &other, true), -EINVAL);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, XENDISPL_OP_SET_CONFIG), 0u);
}

/*
 * Every resolution the configuration accepts, 1..XDF_MAX_DIMENSION in each
 * dimension, gives a preferred 60 Hz mode, which a modeset takes where a
 * framebuffer of that size can be shared: the largest ones once had a
 * clock that overflowed int and no refresh rate, so no mode at all.
 */
/* The largest 32-bpp framebuffer the simulated grant table can share. */
#define KT_MAX_SHARED_BYTES	(32400ull * PAGE_SIZE)

static const char * const kt_resolutions[] = {
	"1x1", "1x8192", "8192x1", "641x479", "1920x1080", "3840x2160",
	"4096x4096", "5120x2880", "7680x4320", "8192x4320", "8191x8191",
	"8192x8192",
};

static void kt_resolution_desc(const char * const *res, char *desc)
{
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "%s", *res);
}

KUNIT_ARRAY_PARAM(kt_resolution, kt_resolutions, kt_resolution_desc);

static void kt_resolution_modeset(struct kunit *test)
{
	const char * const *res = test->param_value;
	struct kt_ctx *ctx = kt_connect_cfg(test, 1, *res, NULL);
	struct xdf_connector_cfg *cfg = &ctx->xdrm->cfg.connectors[0];
	struct drm_display_mode mode;
	struct xendispl_req req;
	struct kt_fb fb;

	kt_mode(test, ctx, 0, &mode);
	KUNIT_EXPECT_TRUE(test, mode.type & DRM_MODE_TYPE_PREFERRED);
	KUNIT_EXPECT_GT(test, mode.clock, 0);
	KUNIT_EXPECT_EQ(test, drm_mode_vrefresh(&mode), 60);

	/*
	 * Xen's default grant table has 32768 entries: a buffer the guest
	 * allocates for the larger sizes cannot be shared (they need
	 * be-alloc), but their mode is there all the same.
	 */
	if ((u64)cfg->width * cfg->height * 4 > KT_MAX_SHARED_BYTES)
		return;
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, cfg->width, cfg->height,
					&fb), 0);
	KUNIT_EXPECT_EQ(test, kt_commit(ctx, 0, &fb, &mode), 0);
	xdf_sim_settle();
	KUNIT_ASSERT_TRUE(test, kt_last(ctx, 0, XENDISPL_OP_SET_CONFIG, &req));
	KUNIT_EXPECT_EQ(test, req.op.set_config.fb_cookie, fb.cookie);
	KUNIT_EXPECT_EQ(test, req.op.set_config.width, cfg->width);
	KUNIT_EXPECT_EQ(test, req.op.set_config.height, cfg->height);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_GOOD);

	KUNIT_EXPECT_EQ(test, kt_commit(ctx, 0, NULL, NULL), 0);
}

/* ------------------------------------------------------------------ */
/* Lifecycle */

/*
 * The backend goes away while a flip waits for its frame-done: the event
 * is delivered at once, not when the frame-done timeout expires.
 */
static void kt_disconnect_pending(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct kt_fb fb[2];
	ktime_t start;
	s64 ms;

	kt_enable(test, ctx, 0, &fb[0], &mode);
	KUNIT_ASSERT_EQ(test, kt_fb_add(test, ctx, 1024, 768, &fb[1]), 0);
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_NEVER);
	KUNIT_ASSERT_EQ(test, kt_flip(ctx, 0, &fb[1], 9), 0);
	KUNIT_ASSERT_TRUE(test, kt_wait_flips(ctx, 0, 1));
	kt_settle(ctx);
	KUNIT_ASSERT_EQ(test, kt_num_events(ctx), 0u);

	start = ktime_get();
	xdf_sim_backend_set_state(ctx->sdev, XenbusStateClosing);
	KUNIT_ASSERT_TRUE(test, kt_wait_events(ctx, 1,
					       xdf_req_timeout_ms + KT_WAIT_MS));
	ms = ktime_ms_delta(ktime_get(), start);
	KUNIT_EXPECT_LT_MSG(test, ms, 1000ll,
			    "pending event held until the frame-done timeout");
	KUNIT_ASSERT_TRUE(test, kt_read_event(ctx, &ev));
	KUNIT_EXPECT_EQ(test, ev.user_data, 9ull);
	KUNIT_ASSERT_TRUE(test, xdf_sim_wait_frontend_state(ctx->sdev,
							    XenbusStateClosed,
							    KT_WAIT_MS * 2));
	xdf_sim_settle();
	KUNIT_EXPECT_TRUE(test, drm_dev_is_unplugged(&ctx->xdrm->drm));
	msleep(50);
	KUNIT_EXPECT_EQ(test, kt_num_events(ctx), 0u);
	kt_close(ctx);
	xdf_sim_backend_set_state(ctx->sdev, XenbusStateClosed);
	xdf_sim_settle();
}

/* Unbind and bind again, with and without a client still open. */
static void kt_rebind(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct xdf_front *front;
	struct kt_fb fb;
	unsigned int i;

	kt_connect(test, 2);
	for (i = 0; i < 3; i++) {
		if (i) {
			/* As the toolstack does for a new connection. */
			xdf_sim_backend_set_state(ctx->sdev, XenbusStateInitWait);
			KUNIT_ASSERT_EQ(test, xdf_sim_dev_bind_driver(ctx->sdev), 0);
			KUNIT_ASSERT_TRUE(test,
					  xdf_sim_wait_frontend_state(ctx->sdev,
								      XenbusStateConnected,
								      KT_WAIT_MS));
			xdf_sim_settle();
			front = dev_get_drvdata(&xdf_sim_dev_xb(ctx->sdev)->dev);
			KUNIT_ASSERT_NOT_NULL(test, front);
			KUNIT_ASSERT_NOT_NULL(test, front->xdrm);
			ctx->xdrm = front->xdrm;
			drm_dev_get(&ctx->xdrm->drm);
			ctx->file = drm_file_alloc(ctx->xdrm->drm.primary);
			KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->file);
		}
		kt_enable(test, ctx, 0, &fb, &mode);
		kt_flip_and_read(test, ctx, 0, &fb, i, &ev);
		/* Odd rounds: the client is closed after the unbind. */
		if (!(i & 1))
			kt_close(ctx);
		KUNIT_ASSERT_EQ(test, xdf_sim_dev_unbind_driver(ctx->sdev), 0);
		xdf_sim_settle();
		KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 0u);
		kt_close(ctx);
		xdf_sim_settle();
		KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 0u);
	}
	xdf_sim_backend_set_state(ctx->sdev, XenbusStateInitWait);
	KUNIT_ASSERT_EQ(test, xdf_sim_dev_bind_driver(ctx->sdev), 0);
	KUNIT_ASSERT_TRUE(test, xdf_sim_wait_frontend_state(ctx->sdev,
							    XenbusStateConnected,
							    KT_WAIT_MS));
	xdf_sim_settle();
}

/* The frontend reset the connection: go on with a client of the new device. */
static void kt_reconnected(struct kunit *test, struct kt_ctx *ctx)
{
	struct xdf_drm *xdrm = xdf_test_wait_reset(test, ctx->sdev,
						   &ctx->xdrm->drm);

	kt_close(ctx);
	ctx->xdrm = xdrm;
	ctx->file = xdf_test_open(test, xdrm);
}

/*
 * A backend silent for 100 requests, then answering again. The frontend
 * resets the connection after a few timeouts: links BAD, a hotplug event,
 * the device unplugged, later requests failing at once. Once the backend
 * thaws and follows the reset, a new device has its links GOOD, makes
 * buffers and flips, and the backend holds nothing of the old connection.
 */
static void kt_silent_backend_recovers(struct kunit *test)
{
	struct kt_ctx *ctx = kt_connect(test, 2);
	struct drm_mode_create_dumb dumb;
	struct drm_display_mode mode;
	struct drm_event_vblank ev;
	struct xdf_sim_counters c;
	unsigned int i, timeouts = 0, fast = 0;
	struct kt_client *client;
	struct kt_fb fb, fb2;
	int ret;

	kt_enable(test, ctx, 0, &fb, &mode);
	kt_enable(test, ctx, 1, &fb2, &mode);
	client = kt_client_add(test, ctx);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 2u);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 2u);

	WRITE_ONCE(xdf_req_timeout_ms, 20);
	xdf_sim_backend_freeze(ctx->sdev, true);
	for (i = 0; i < 100; i++) {
		dumb = (struct drm_mode_create_dumb) {
			.width = 64, .height = 64, .bpp = 32,
		};
		ret = drm_mode_create_dumb(&ctx->xdrm->drm, &dumb, ctx->file);
		if (ret == -ETIMEDOUT)
			timeouts++;
		else if (ret == -EIO || ret == -ENODEV)
			fast++;
		else
			KUNIT_FAIL(test, "dumb buffer %u: %d", i, ret);
	}
	/* A DBUF_CREATE and its DBUF_DESTROY timed out: enough. */
	KUNIT_EXPECT_EQ(test, timeouts, 1u);
	KUNIT_EXPECT_EQ(test, fast, 99u);
	KUNIT_EXPECT_TRUE(test, xdf_test_wait_unplugged(&ctx->xdrm->drm));
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 0), DRM_MODE_LINK_STATUS_BAD);
	KUNIT_EXPECT_EQ(test, kt_link(ctx, 1), DRM_MODE_LINK_STATUS_BAD);
	/* The hotplug event came before the device went. */
	KUNIT_EXPECT_TRUE(test, atomic_read(&client->unregistered));
	KUNIT_EXPECT_GE(test, atomic_read(&client->hotplugs), 1);
	/*
	 * The reset unplugs the device before it writes Closing: wait for
	 * it, or the backend, thawed, would serve the old ring first.
	 */
	KUNIT_EXPECT_TRUE(test, xdf_sim_wait_frontend_state(ctx->sdev,
							    XenbusStateClosing,
							    KT_WAIT_MS));
	/* Hung, the backend still holds the old connection's objects. */
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 2u);

	WRITE_ONCE(xdf_req_timeout_ms, ctx->saved_timeout);
	xdf_sim_backend_freeze(ctx->sdev, false);
	kt_reconnected(test, ctx);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 0u);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 0u);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.deferred, 0u);
	KUNIT_EXPECT_EQ(test, c.backend_dbufs, 0u);

	for (i = 0; i < 2; i++) {
		kt_enable(test, ctx, i, &fb, &mode);
		KUNIT_EXPECT_EQ(test, kt_link(ctx, i), DRM_MODE_LINK_STATUS_GOOD);
		kt_flip_and_read(test, ctx, i, &fb, 100 + i, &ev);
	}
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 2u);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 2u);
}

/*
 * An FB_DETACH or DBUF_DESTROY that timed out: the backend may still hold
 * the object. The connection is reset, and the backend, closing, drops
 * it: nothing is left on either side.
 */
static void kt_destroy_timeout_case(struct kunit *test, u8 op)
{
	struct kt_ctx *ctx = kt_connect(test, 1);
	struct drm_display_mode mode;
	struct kt_fb fb;

	kt_enable(test, ctx, 0, &fb, &mode);
	KUNIT_ASSERT_EQ(test, kt_commit(ctx, 0, NULL, NULL), 0);
	WRITE_ONCE(xdf_req_timeout_ms, KT_SHORT_TIMEOUT_MS);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0, op, 1,
						     XDF_SIM_SILENT, 0), 0);
	KUNIT_ASSERT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb.fb_id,
					    ctx->file), 0);
	KUNIT_ASSERT_EQ(test, drm_mode_destroy_dumb(&ctx->xdrm->drm, fb.handle,
						    ctx->file), 0);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, kt_count(ctx, 0, op), 1u);

	/* The old device is unplugged, and freed with our client. */
	kt_reconnected(test, ctx);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 0u);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 0u);
	kt_enable(test, ctx, 0, &fb, &mode);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 1u);
}

static void kt_detach_timeout(struct kunit *test)
{
	kt_destroy_timeout_case(test, XENDISPL_OP_FB_DETACH);
}

static void kt_dbuf_destroy_timeout(struct kunit *test)
{
	kt_destroy_timeout_case(test, XENDISPL_OP_DBUF_DESTROY);
}

/* ------------------------------------------------------------------ */

static int kt_init(struct kunit *test)
{
	struct kt_ctx *ctx;

	xdf_sim_reset();
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->saved_timeout = xdf_req_timeout_ms;
	test->priv = ctx;
	return 0;
}

static void kt_exit(struct kunit *test)
{
	struct kt_ctx *ctx = test->priv;
	struct xdf_sim_kms_stats ks;
	struct xdf_sim_dbuf_stats st;

	if (ctx->sdev && !IS_ERR(ctx->sdev) && !ctx->violations_expected) {
		xdf_sim_settle();
		xdf_sim_backend_kms_stats(ctx->sdev, &ks);
		KUNIT_EXPECT_EQ_MSG(test, ks.bad_attach, 0u, "bad FB_ATTACH");
		KUNIT_EXPECT_EQ_MSG(test, ks.unknown_detach, 0u,
				    "FB_DETACH of unknown framebuffers");
		KUNIT_EXPECT_EQ_MSG(test, ks.unattached_use, 0u,
				    "SET_CONFIG/PG_FLIP of unknown framebuffers");
		KUNIT_EXPECT_EQ_MSG(test, ks.dbuf_in_use, 0u,
				    "DBUF_DESTROY of buffers of attached framebuffers");
		KUNIT_EXPECT_EQ_MSG(test, ks.wrong_ring, 0u,
				    "framebuffer requests on another ring");
		KUNIT_EXPECT_EQ_MSG(test, ks.oversize_shown, 0u,
				    "framebuffers not of the mode's size shown without feature-fb-viewport");
		xdf_sim_backend_dbuf_stats(ctx->sdev, &st);
		KUNIT_EXPECT_EQ_MSG(test, st.unknown_destroys, 0u,
				    "DBUF_DESTROY of unknown buffers");
		KUNIT_EXPECT_EQ_MSG(test, st.revoked_early, 0u,
				    "grants revoked before DBUF_DESTROY");
		KUNIT_EXPECT_EQ_MSG(test, st.still_mapped, 0u,
				    "backend pages mapped at DBUF_DESTROY");
		KUNIT_EXPECT_EQ_MSG(test, st.wrong_ring, 0u,
				    "buffer requests on another ring");
	}
	kt_close(ctx);
	if (ctx->sdev && !IS_ERR(ctx->sdev)) {
		/* The client's framebuffers went: each detached exactly once. */
		if (!ctx->violations_expected) {
			xdf_sim_settle();
			xdf_sim_backend_kms_stats(ctx->sdev, &ks);
			KUNIT_EXPECT_EQ(test, ks.unknown_detach, 0u);
			KUNIT_EXPECT_EQ(test, ks.dbuf_in_use, 0u);
		}
		xdf_sim_dev_remove(ctx->sdev);
	}
	WRITE_ONCE(xdf_req_timeout_ms, ctx->saved_timeout);
	xdf_sim_expect_clean(test);
}

static struct kunit_case kt_cases[] = {
	KUNIT_CASE(kt_enable_disable),
	KUNIT_CASE(kt_rmfb_shown),
	KUNIT_CASE(kt_flip_keeps_replaced),
	KUNIT_CASE(kt_flip_keeps_replaced_view),
	KUNIT_CASE(kt_pan),
	KUNIT_CASE(kt_fb_larger_viewport),
	KUNIT_CASE(kt_fb_larger_no_viewport),
	KUNIT_CASE(kt_flips_in_order),
	KUNIT_CASE(kt_four_connectors),
	KUNIT_CASE(kt_frame_done_before),
	KUNIT_CASE(kt_frame_done_never),
	KUNIT_CASE(kt_frame_done_timeout_moves),
	KUNIT_CASE(kt_frame_done_timeout_shortened),
	KUNIT_CASE(kt_frame_done_twice),
	KUNIT_CASE(kt_frame_done_wrong_cookie),
	KUNIT_CASE(kt_frame_done_other_connector),
	KUNIT_CASE(kt_frame_done_late_same_fb),
	KUNIT_CASE(kt_frame_done_late_a_b_a),
	KUNIT_CASE(kt_frame_done_after_refused),
	KUNIT_CASE(kt_unknown_event),
	KUNIT_CASE(kt_flip_answer_not_awaited),
	KUNIT_CASE(kt_flip_error),
	KUNIT_CASE(kt_set_config_error),
	KUNIT_CASE(kt_commit_events),
	KUNIT_CASE(kt_flip_request_timeout),
	KUNIT_CASE(kt_dirtyfb),
	KUNIT_CASE(kt_formats),
	KUNIT_CASE(kt_addfb_refused),
	KUNIT_CASE(kt_fb_attach_refused),
	KUNIT_CASE(kt_fb_attach_late),
	KUNIT_CASE(kt_getfb),
	KUNIT_CASE(kt_vblank),
	KUNIT_CASE(kt_vblank_idle),
	KUNIT_CASE(kt_vblank_query_off),
	KUNIT_CASE(kt_flip_event_times),
	KUNIT_CASE(kt_vblank_paced),
	KUNIT_CASE(kt_vblank_steady),
	KUNIT_CASE(kt_vblank_steady_50hz),
	KUNIT_CASE(kt_vblank_steady_40hz),
	KUNIT_CASE(kt_vblank_steady_120hz),
	KUNIT_CASE(kt_vblank_steady_late_start),
	KUNIT_CASE(kt_vblank_held_up),
	KUNIT_CASE(kt_vblank_fast_flips),
	KUNIT_CASE(kt_vblank_pauses),
	KUNIT_CASE(kt_vblank_phase),
	KUNIT_CASE(kt_vblank_wait_during_flip),
	KUNIT_CASE(kt_vblank_off_keeping_mode),
	KUNIT_CASE(kt_debugfs_state),
	KUNIT_CASE(kt_debugfs_during_commits),
	KUNIT_CASE(kt_edid_modes),
	KUNIT_CASE(kt_edid_property),
	KUNIT_CASE(kt_edid_retry),
	KUNIT_CASE(kt_edid_rewritten),
	KUNIT_CASE(kt_edid_rewritten_at_once),
	KUNIT_CASE_PARAM(kt_edid_fallback, kt_edid_fault_gen_params),
	KUNIT_CASE(kt_mode_valid_clock),
	KUNIT_CASE_PARAM(kt_resolution_modeset, kt_resolution_gen_params),
	KUNIT_CASE(kt_disconnect_pending),
	KUNIT_CASE(kt_rebind),
	KUNIT_CASE(kt_silent_backend_recovers),
	KUNIT_CASE(kt_detach_timeout),
	KUNIT_CASE(kt_dbuf_destroy_timeout),
	{}
};

static struct kunit_suite kt_suite = {
	.name = "xen_drm_front_kms",
	.init = kt_init,
	.exit = kt_exit,
	.test_cases = kt_cases,
};

kunit_test_suite(kt_suite);
