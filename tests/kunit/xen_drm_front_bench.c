// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Benchmark, not a test: time to create and destroy a dumb buffer through
 * the driver and the simulated backend (shmem pages, grants, directory,
 * DBUF_CREATE and DBUF_DESTROY round trips), next to the time to only
 * allocate and free the same shmem pages, in the same run.
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

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>

#include "../../drm_crtc_internal.h"
#include "../../drm_internal.h"
#include "../xen_drm_front.h"
#include "xen_drm_front_sim.h"

#define BENCH_WAIT_MS	3000

/**
 * struct bench_ctx - the device and client of a benchmark
 * @sdev: the simulated device
 * @drm: its DRM device, with a reference of ours
 * @file: a client of @drm
 */
struct bench_ctx {
	struct xdf_sim_dev *sdev;
	struct drm_device *drm;
	struct drm_file *file;
};

static void bench_connect(struct kunit *test, struct bench_ctx *ctx)
{
	struct xdf_sim_config cfg = {
		.num_connectors = 1,
		.connectors[0] = { .resolution = "3840x2160", .unique_id = "0" },
	};
	struct xdf_front *front;
	struct drm_file *file;

	ctx->sdev = xdf_sim_dev_add(&cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->sdev);
	xdf_sim_settle();
	KUNIT_ASSERT_TRUE(test, xdf_sim_wait_frontend_state(ctx->sdev,
							    XenbusStateConnected,
							    BENCH_WAIT_MS));
	xdf_sim_settle();
	front = dev_get_drvdata(&xdf_sim_dev_xb(ctx->sdev)->dev);
	KUNIT_ASSERT_NOT_NULL(test, front->xdrm);
	ctx->drm = &front->xdrm->drm;
	drm_dev_get(ctx->drm);
	file = drm_file_alloc(ctx->drm->primary);
	if (IS_ERR(file))
		drm_dev_put(ctx->drm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	ctx->file = file;
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

	bench_connect(test, ctx);
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

static int bench_init(struct kunit *test)
{
	xdf_sim_reset();
	test->priv = kunit_kzalloc(test, sizeof(struct bench_ctx), GFP_KERNEL);
	return test->priv ? 0 : -ENOMEM;
}

static void bench_exit(struct kunit *test)
{
	struct bench_ctx *ctx = test->priv;

	if (ctx->file) {
		drm_file_free(ctx->file);
		drm_dev_put(ctx->drm);
	}
	if (ctx->sdev && !IS_ERR(ctx->sdev))
		xdf_sim_dev_remove(ctx->sdev);
	xdf_sim_expect_clean(test);
}

static struct kunit_case bench_cases[] = {
	KUNIT_CASE(bench_1080p),
	KUNIT_CASE(bench_4k),
	{}
};

static struct kunit_suite bench_suite = {
	.name = "xen_drm_front_bench",
	.init = bench_init,
	.exit = bench_exit,
	.test_cases = bench_cases,
};

kunit_test_suite(bench_suite);
