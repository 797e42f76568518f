// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Benchmark, not a test: time to create and destroy a dumb buffer through
 * the driver and the simulated backend (shmem pages, grants, directory,
 * DBUF_CREATE and DBUF_DESTROY round trips), next to the time to only
 * allocate and free the same shmem pages, in the same run.
 *
 * And the cost of a page flip, from the PAGE_FLIP ioctl to its event read
 * back, with the backend answering at once: on one connector, then on four
 * flipping at once, each from its own worker and client. UML runs on one
 * CPU, so four connectors can only gain by overlapping waits; a ratio well
 * below 1 means they serialise on something, or contend for it.
 *
 * Built only when the kernel is made with XDF_KUNIT_BENCH=1 (see
 * tests/kunit/Kbuild), so the normal KUnit runs do not time anything.
 * Results are printed with kunit_info().
 */

#include <kunit/test.h>
#include <linux/device.h>
#include <linux/file.h>
#include <linux/ktime.h>
#include <linux/math64.h>
#include <linux/slab.h>
#include <linux/wait.h>
#include <linux/workqueue.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_modeset_lock.h>

#include "../../drm_crtc_internal.h"
#include "../../drm_internal.h"
#include "../xen_drm_front.h"
#include "xen_drm_front_sim.h"
#include "xen_drm_front_test.h"

#define BENCH_WAIT_MS	3000
#define BENCH_PIPES	4
#define BENCH_FLIPS	500
#define BENCH_ROUNDS	3
#define BENCH_WARMUP	20

/**
 * struct bench_pipe - a client flipping on one connector
 * @work: makes @flips page flips, each waiting for its event
 * @drm: the device
 * @file: the client; owns @fb_ids
 * @crtc_id: the connector's CRTC
 * @fb_ids: the two framebuffers the flips alternate between
 * @flips: how many flips @work makes
 * @ret: 0 or the error that stopped @work
 * @ns: the time @work took
 */
struct bench_pipe {
	struct work_struct work;
	struct drm_device *drm;
	struct drm_file *file;
	u32 crtc_id;
	u32 fb_ids[2];
	unsigned int flips;
	int ret;
	u64 ns;
};

/**
 * struct bench_ctx - the device and clients of a benchmark
 * @sdev: the simulated device
 * @xdrm: its driver state
 * @drm: its DRM device, with a reference of ours
 * @file: a client of @drm
 * @pipes: a flipping client per connector, for the flip benchmark
 */
struct bench_ctx {
	struct xdf_sim_dev *sdev;
	struct xdf_drm *xdrm;
	struct drm_device *drm;
	struct drm_file *file;
	struct bench_pipe pipes[BENCH_PIPES];
};

/* Connects a device with @n connectors of @res; opens a client on it. */
static void bench_connect(struct kunit *test, struct bench_ctx *ctx,
			  unsigned int n, const char *res)
{
	static const char * const ids[BENCH_PIPES] = { "0", "1", "2", "3" };
	struct xdf_sim_config cfg = { .num_connectors = n };
	unsigned int i;

	KUNIT_ASSERT_LE(test, n, BENCH_PIPES);
	for (i = 0; i < n; i++)
		cfg.connectors[i] = (struct xdf_sim_connector) {
			.resolution = res, .unique_id = ids[i],
		};
	ctx->xdrm = xdf_test_connect(test, &cfg, &ctx->sdev);
	ctx->drm = &ctx->xdrm->drm;
	ctx->file = xdf_test_open(test, ctx->xdrm);
}

/* Creates and destroys a dumb buffer through the driver; its size. */
static u64 bench_driver_once(struct kunit *test, struct bench_ctx *ctx,
			     u32 width, u32 height)
{
	struct drm_mode_create_dumb args = {
		.width = width,
		.height = height,
		.bpp = 32,
	};

	KUNIT_ASSERT_EQ(test, drm_mode_create_dumb(ctx->drm, &args, ctx->file), 0);
	KUNIT_ASSERT_EQ(test, drm_mode_destroy_dumb(ctx->drm, args.handle,
						    ctx->file), 0);
	/* The shmem file, and so its pages, go with the delayed fput. */
	flush_delayed_fput();
	return args.size;
}

/* Allocates and frees @size bytes of shmem pages. */
static void bench_shmem_once(struct kunit *test, struct bench_ctx *ctx,
			     u64 size)
{
	struct drm_gem_shmem_object *shmem;

	shmem = drm_gem_shmem_create(ctx->drm, size);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_get_pages(shmem), 0);
	/* drm_gem_shmem_free() puts the pages, the delayed fput frees them. */
	drm_gem_object_put(&shmem->base);
	flush_delayed_fput();
}

/*
 * The two alternate, so that neither profits from running first or
 * suffers from the memory the other left behind.
 */
static void bench_case(struct kunit *test, u32 width, u32 height,
		       unsigned int iters)
{
	struct bench_ctx *ctx = test->priv;
	u64 size, drv_ns = 0, shmem_ns = 0, ratio;
	unsigned int i;
	ktime_t t0, t1, t2;

	bench_connect(test, ctx, 1, "3840x2160");
	/* One of each first: slabs and page cache warm. */
	size = bench_driver_once(test, ctx, width, height);
	bench_shmem_once(test, ctx, size);

	for (i = 0; i < iters; i++) {
		t0 = ktime_get();
		bench_driver_once(test, ctx, width, height);
		t1 = ktime_get();
		bench_shmem_once(test, ctx, size);
		t2 = ktime_get();
		drv_ns += ktime_to_ns(ktime_sub(t1, t0));
		shmem_ns += ktime_to_ns(ktime_sub(t2, t1));
	}
	drv_ns = div_u64(drv_ns, iters);
	shmem_ns = div_u64(shmem_ns, iters);
	ratio = shmem_ns ? div64_u64(drv_ns * 100, shmem_ns) : 0;
	kunit_info(test,
		   "%ux%u 32 bpp, %llu pages, %u iterations: driver create+destroy %llu us, shmem alloc+free %llu us, ratio %llu.%02llu\n",
		   width, height, size >> PAGE_SHIFT, iters,
		   div_u64(drv_ns, NSEC_PER_USEC),
		   div_u64(shmem_ns, NSEC_PER_USEC), div_u64(ratio, 100),
		   ratio % 100);
}

static void bench_1080p(struct kunit *test)
{
	bench_case(test, 1920, 1080, 50);
}

static void bench_4k(struct kunit *test)
{
	bench_case(test, 3840, 2160, 20);
}

/* A framebuffer on a new dumb buffer of @file. */
static int bench_fb_add(struct drm_device *drm, struct drm_file *file,
			u32 width, u32 height, u32 *fb_id)
{
	struct drm_mode_create_dumb dumb = {
		.width = width, .height = height, .bpp = 32,
	};
	struct drm_mode_fb_cmd2 cmd = {
		.width = width, .height = height,
		.pixel_format = DRM_FORMAT_XRGB8888,
	};
	int ret;

	ret = drm_mode_create_dumb(drm, &dumb, file);
	if (ret)
		return ret;
	cmd.handles[0] = dumb.handle;
	cmd.pitches[0] = dumb.pitch;
	ret = drm_mode_addfb2(drm, &cmd, file);
	*fb_id = cmd.fb_id;
	return ret;
}

/* Probes @connector as GETCONNECTOR does; copies its preferred mode. */
static bool bench_mode(struct drm_connector *connector,
		       struct drm_display_mode *out)
{
	struct drm_mode_config *config = &connector->dev->mode_config;
	struct drm_display_mode *mode;
	bool found = false;

	mutex_lock(&config->mutex);
	connector->funcs->fill_modes(connector, config->max_width,
				     config->max_height);
	list_for_each_entry(mode, &connector->modes, head) {
		if (mode->type & DRM_MODE_TYPE_PREFERRED) {
			drm_mode_copy(out, mode);
			found = true;
			break;
		}
	}
	mutex_unlock(&config->mutex);
	return found;
}

/* One flip with an event; waits for the event and reads it as drm_read(). */
static int bench_flip(struct bench_pipe *bp, u32 fb_id)
{
	struct drm_mode_crtc_page_flip_target flip = {
		.crtc_id = bp->crtc_id,
		.fb_id = fb_id,
		.flags = DRM_MODE_PAGE_FLIP_EVENT,
	};
	struct drm_file *file = bp->file;
	struct drm_pending_event *e;
	long left;
	int ret;

	ret = drm_mode_page_flip_ioctl(bp->drm, &flip, file);
	if (ret)
		return ret;
	/* DRM wakes only interruptible waiters of a file's events. */
	left = wait_event_interruptible_timeout(file->event_wait,
						!list_empty(&file->event_list),
						msecs_to_jiffies(BENCH_WAIT_MS));
	if (left <= 0)
		return left ?: -ETIMEDOUT;
	spin_lock_irq(&bp->drm->event_lock);
	e = list_first_entry(&file->event_list, struct drm_pending_event, link);
	file->event_space += e->event->length;
	list_del(&e->link);
	spin_unlock_irq(&bp->drm->event_lock);
	ret = e->event->type == DRM_EVENT_FLIP_COMPLETE ? 0 : -EPROTO;
	kfree(e);
	return ret;
}

static void bench_pipe_work(struct work_struct *work)
{
	struct bench_pipe *bp = container_of(work, struct bench_pipe, work);
	ktime_t t0 = ktime_get();
	unsigned int i;

	bp->ret = 0;
	for (i = 0; i < bp->flips && !bp->ret; i++)
		bp->ret = bench_flip(bp, bp->fb_ids[(i + 1) % 2]);
	bp->ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
}

/* Opens a client for connector @i, enables its pipe with a framebuffer. */
static void bench_pipe_setup(struct kunit *test, struct bench_ctx *ctx,
			     unsigned int i)
{
	struct xdf_pipe *xp = &ctx->xdrm->pipes[i];
	struct bench_pipe *bp = &ctx->pipes[i];
	struct drm_connector *connector = &xp->connector;
	struct drm_display_mode mode = {};
	struct drm_mode_set set = {
		.crtc = &xp->pipe.crtc,
		.mode = &mode,
		.connectors = &connector,
		.num_connectors = 1,
	};
	struct drm_modeset_acquire_ctx actx;
	struct drm_file *file;
	int ret;

	file = xdf_test_open(test, ctx->xdrm);
	bp->file = file;
	bp->drm = ctx->drm;
	bp->crtc_id = xp->pipe.crtc.base.id;
	INIT_WORK(&bp->work, bench_pipe_work);

	KUNIT_ASSERT_TRUE(test, bench_mode(connector, &mode));
	KUNIT_ASSERT_EQ(test, bench_fb_add(ctx->drm, file, mode.hdisplay,
					   mode.vdisplay, &bp->fb_ids[0]), 0);
	KUNIT_ASSERT_EQ(test, bench_fb_add(ctx->drm, file, mode.hdisplay,
					   mode.vdisplay, &bp->fb_ids[1]), 0);
	set.fb = drm_framebuffer_lookup(ctx->drm, file, bp->fb_ids[0]);
	KUNIT_ASSERT_NOT_NULL(test, set.fb);
	DRM_MODESET_LOCK_ALL_BEGIN(ctx->drm, actx, 0, ret);
	ret = drm_atomic_helper_set_config(&set, &actx);
	DRM_MODESET_LOCK_ALL_END(ctx->drm, actx, ret);
	drm_framebuffer_put(set.fb);
	KUNIT_ASSERT_EQ(test, ret, 0);
}

/* Connectors 0..@n-1 make @flips flips each, at once: the wall time. */
static u64 bench_flip_run(struct kunit *test, struct bench_ctx *ctx,
			  unsigned int n, unsigned int flips)
{
	ktime_t t0 = ktime_get();
	unsigned int i;
	u64 ns;

	for (i = 0; i < n; i++) {
		ctx->pipes[i].flips = flips;
		queue_work(system_unbound_wq, &ctx->pipes[i].work);
	}
	for (i = 0; i < n; i++)
		flush_work(&ctx->pipes[i].work);
	ns = ktime_to_ns(ktime_sub(ktime_get(), t0));
	for (i = 0; i < n; i++)
		KUNIT_ASSERT_EQ_MSG(test, ctx->pipes[i].ret, 0, "connector %u", i);
	return ns;
}

/* Connector @i sent @flips PG_FLIPs and got as many frame-done events. */
static void bench_check_flips(struct kunit *test, struct bench_ctx *ctx,
			      unsigned int i, u64 flips)
{
	struct xdf_pipe_stats st;

	spin_lock_irq(&ctx->drm->event_lock);
	st = ctx->xdrm->pipes[i].stats;
	spin_unlock_irq(&ctx->drm->event_lock);
	KUNIT_EXPECT_EQ_MSG(test, st.flips, flips, "connector %u", i);
	KUNIT_EXPECT_EQ_MSG(test, st.frame_done, flips, "connector %u", i);
	KUNIT_EXPECT_EQ_MSG(test, st.timeouts, 0ull, "connector %u", i);
}

/* Flips per second of @flips flips in @ns. */
static u64 bench_rate(u64 flips, u64 ns)
{
	return ns ? div64_u64(flips * NSEC_PER_SEC, ns) : 0;
}

/*
 * One connector, then all of them, in alternating rounds; the other
 * connectors stay enabled while one flips.
 */
static void bench_flips(struct kunit *test)
{
	const u64 flips = (u64)BENCH_ROUNDS * BENCH_FLIPS;
	struct bench_ctx *ctx = test->priv;
	u64 wall1 = 0, wall4 = 0, one = 0, each = 0, ratio;
	unsigned int i, r;

	bench_connect(test, ctx, BENCH_PIPES, "1024x768");
	for (i = 0; i < BENCH_PIPES; i++)
		bench_pipe_setup(test, ctx, i);
	/* Warm up: slabs, workers, the backend's request records. */
	bench_flip_run(test, ctx, BENCH_PIPES, BENCH_WARMUP);

	for (r = 0; r < BENCH_ROUNDS; r++) {
		wall1 += bench_flip_run(test, ctx, 1, BENCH_FLIPS);
		one += ctx->pipes[0].ns;
		wall4 += bench_flip_run(test, ctx, BENCH_PIPES, BENCH_FLIPS);
		for (i = 0; i < BENCH_PIPES; i++)
			each += ctx->pipes[i].ns;
	}
	for (i = 0; i < BENCH_PIPES; i++)
		bench_check_flips(test, ctx, i,
				  BENCH_WARMUP + (i ? flips : 2 * flips));
	one = div64_u64(one, flips);
	each = div64_u64(each, flips * BENCH_PIPES);
	ratio = wall4 ? div64_u64(wall1 * BENCH_PIPES * 100, wall4) : 0;
	kunit_info(test,
		   "1024x768, 1 connector, %llu flips: %llu.%llu us per flip (commit to event), %llu flips/s\n",
		   flips, div_u64(one, NSEC_PER_USEC),
		   div_u64(one, 100) % 10, bench_rate(flips, wall1));
	kunit_info(test,
		   "%u connectors at once, %llu flips each: %llu.%llu us per flip on each, %llu flips/s aggregate\n",
		   BENCH_PIPES, flips, div_u64(each, NSEC_PER_USEC),
		   div_u64(each, 100) % 10,
		   bench_rate(flips * BENCH_PIPES, wall4));
	kunit_info(test,
		   "throughput %u connectors / 1 connector: %llu.%02llu\n",
		   BENCH_PIPES, div_u64(ratio, 100), ratio % 100);
}

static int bench_init(struct kunit *test)
{
	xdf_sim_reset();
	test->priv = kunit_kzalloc(test, sizeof(struct bench_ctx), GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static void bench_exit(struct kunit *test)
{
	struct bench_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < BENCH_PIPES; i++)
		if (ctx->pipes[i].file)
			xdf_test_close(ctx->xdrm, ctx->pipes[i].file);
	if (ctx->file)
		xdf_test_close(ctx->xdrm, ctx->file);
	if (ctx->sdev && !IS_ERR(ctx->sdev))
		xdf_sim_dev_remove(ctx->sdev);
	xdf_sim_expect_clean(test);
}

static struct kunit_case bench_cases[] = {
	KUNIT_CASE(bench_1080p),
	KUNIT_CASE(bench_4k),
	KUNIT_CASE(bench_flips),
	{}
};

static struct kunit_suite bench_suite = {
	.name = "xen_drm_front_bench",
	.init = bench_init,
	.exit = bench_exit,
	.test_cases = bench_cases,
};

kunit_test_suite(bench_suite);
