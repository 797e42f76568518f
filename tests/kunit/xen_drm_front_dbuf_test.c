// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit: display buffers as the backend and userspace observe them: the
 * page directory the backend walks, the pixels it reads through its grant
 * mappings, backend-allocated buffers, PRIME, bad input, failures at each
 * step and a backend that goes away.
 *
 * Buffers are made the way DRM_IOCTL_MODE_CREATE_DUMB makes them:
 * drm_mode_create_dumb() on a drm_file, which checks the arguments and
 * calls the driver's dumb_create, which publishes the handle.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/highmem.h>
#include <linux/iosys-map.h>
#include <linux/jiffies.h>
#include <linux/kernel.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/platform_device.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/swap.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_prime.h>

#include "../../drm_crtc_internal.h"
#include "../../drm_internal.h"
#include "../xen_drm_front.h"
#include "../xen_drm_front_xen.h"
#include "xen_drm_front_sim.h"
#include "xen_drm_front_test.h"

#define DBT_WAIT_MS	3000
#define DBT_MAX_BUFS	8

/**
 * struct dbt_ctx - one test's device, client and second DRM device
 * @sdev: the simulated vdispl device
 * @xdrm: its DRM device, with a reference of ours while @file exists
 * @file: a client of @xdrm, as an open of the card would make
 * @pdev: parent of @other, if the test made one
 * @other: a second DRM device (shmem GEM), for PRIME
 * @saved_timeout: xdf_req_timeout_ms before the test
 * @saved_max_buffers: xdf_be_alloc_max_buffers before the test
 * @saved_max_mib: xdf_be_alloc_max_mib before the test
 * @violations_expected: the test makes protocol violations on purpose
 * @commit_limited: the test set the overcommit sysctls below
 * @saved_overcommit_memory: sysctl_overcommit_memory before the test
 * @saved_overcommit_kbytes: sysctl_overcommit_kbytes before the test
 * @saved_admin_reserve_kbytes: sysctl_admin_reserve_kbytes before the test
 * @saved_user_reserve_kbytes: sysctl_user_reserve_kbytes before the test
 */
struct dbt_ctx {
	struct xdf_sim_dev *sdev;
	struct xdf_drm *xdrm;
	struct drm_file *file;
	struct platform_device *pdev;
	struct drm_device *other;
	unsigned int saved_timeout;
	unsigned int saved_max_buffers;
	unsigned int saved_max_mib;
	bool violations_expected;
	bool commit_limited;
	int saved_overcommit_memory;
	unsigned long saved_overcommit_kbytes;
	unsigned long saved_admin_reserve_kbytes;
	unsigned long saved_user_reserve_kbytes;
};

/**
 * struct dbt_buf - a dumb buffer made by a test
 * @handle: its handle in the test's client
 * @obj: the GEM object, valid while @handle exists
 * @dbuf: its display buffer
 * @cookie: the cookie the backend knows it by
 * @pitch: pitch returned by the create
 * @size: size returned by the create
 */
struct dbt_buf {
	u32 handle;
	struct drm_gem_object *obj;
	struct xdf_dbuf *dbuf;
	u64 cookie;
	u32 pitch;
	u64 size;
};

/* Connect a device, open a client on it. */
static struct dbt_ctx *dbt_connect(struct kunit *test, const char *be_alloc)
{
	struct dbt_ctx *ctx = test->priv;
	struct xdf_sim_config cfg = {
		.be_alloc = be_alloc,
		.num_connectors = 1,
		.connectors[0] = { .resolution = "1920x1080", .unique_id = "0" },
	};

	ctx->xdrm = xdf_test_connect(test, &cfg, &ctx->sdev);
	ctx->file = xdf_test_open(test, ctx->xdrm);
	return ctx;
}

/* Close the client: its handles go, then its device reference. */
static void dbt_close(struct dbt_ctx *ctx)
{
	if (!ctx->file)
		return;
	xdf_test_close(ctx->xdrm, ctx->file);
	ctx->file = NULL;
}

static unsigned int dbt_nreqs(struct dbt_ctx *ctx)
{
	return xdf_sim_backend_num_requests(ctx->sdev, 0);
}

static struct xendispl_req dbt_req(struct kunit *test, struct dbt_ctx *ctx,
				   unsigned int idx)
{
	struct xendispl_req req = {};

	KUNIT_EXPECT_TRUE_MSG(test, xdf_sim_backend_request(ctx->sdev, 0, idx,
							    &req),
			      "request %u missing", idx);
	return req;
}

static int dbt_create(struct kunit *test, struct dbt_ctx *ctx, u32 width,
		      u32 height, u32 bpp, struct dbt_buf *buf)
{
	struct drm_mode_create_dumb args = {
		.width = width,
		.height = height,
		.bpp = bpp,
	};
	struct drm_gem_object *obj;
	int ret;

	memset(buf, 0, sizeof(*buf));
	ret = drm_mode_create_dumb(&ctx->xdrm->drm, &args, ctx->file);
	if (ret)
		return ret;
	obj = drm_gem_object_lookup(ctx->file, args.handle);
	KUNIT_ASSERT_NOT_NULL(test, obj);
	/* The handle keeps it: no reference of ours. */
	drm_gem_object_put(obj);
	buf->handle = args.handle;
	buf->obj = obj;
	buf->dbuf = xdf_gem_to_dbuf(obj);
	KUNIT_ASSERT_NOT_NULL(test, buf->dbuf);
	buf->cookie = buf->dbuf->cookie;
	buf->pitch = args.pitch;
	buf->size = args.size;
	return 0;
}

static int dbt_destroy(struct dbt_ctx *ctx, struct dbt_buf *buf)
{
	return drm_mode_destroy_dumb(&ctx->xdrm->drm, buf->handle, ctx->file);
}

/* A byte pattern that differs from page to page and within a page. */
static u8 dbt_pattern(size_t i, u8 seed)
{
	return (i * 7 + (i >> 12) * 13 + seed) & 0xff;
}

static void dbt_fill(void *vaddr, size_t size, u8 seed)
{
	u8 *p = vaddr;
	size_t i;

	for (i = 0; i < size; i++)
		p[i] = dbt_pattern(i, seed);
}

/* Index of the first byte of @p that is not the pattern, or @size. */
static size_t dbt_mismatch(const void *p, size_t size, u8 seed)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		if (b[i] != dbt_pattern(i, seed))
			return i;
	return size;
}

/* As dbt_mismatch() for bytes @p that are the pattern's from @start on. */
static size_t dbt_mismatch_at(const void *p, size_t size, size_t start,
			      u8 seed)
{
	const u8 *b = p;
	size_t i;

	for (i = 0; i < size; i++)
		if (b[i] != dbt_pattern(start + i, seed))
			return i;
	return size;
}

/* The CPU writes the pattern through a kernel mapping of the object. */
static void dbt_cpu_write(struct kunit *test, struct drm_gem_object *obj,
			  u8 seed)
{
	struct iosys_map map;

	KUNIT_ASSERT_EQ(test, drm_gem_vmap(obj, &map), 0);
	KUNIT_ASSERT_FALSE(test, map.is_iomem);
	dbt_fill(map.vaddr, obj->size, seed);
	drm_gem_vunmap(obj, &map);
}

/* The backend reads exactly the pattern through its grant mappings. */
static void dbt_backend_sees(struct kunit *test, struct dbt_ctx *ctx,
			     u64 cookie, size_t size, u8 seed)
{
	u8 *data = vmalloc(size);

	KUNIT_ASSERT_NOT_NULL(test, data);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_dbuf_read(ctx->sdev, cookie, 0,
							data, size), 0);
	KUNIT_EXPECT_EQ_MSG(test, dbt_mismatch(data, size, seed), size,
			    "backend sees other bytes than the CPU wrote");
	vfree(data);
}

/* Live frontend grants beyond the device's two ring pages. */
static unsigned int dbt_buffer_grants(void)
{
	struct xdf_sim_counters c;

	xdf_sim_get_counters(&c);
	return c.grants - 2;
}

/*
 * Nothing of a buffer is left: no grant beyond the rings, nothing mapped
 * by the backend but the rings, no foreign page, no cookie, no backend
 * buffer, budget given back.
 */
static void dbt_expect_no_buffers(struct kunit *test, struct dbt_ctx *ctx)
{
	struct xdf_sim_counters c;

	xdf_sim_settle();
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ_MSG(test, c.grants, 2u, "grants beyond the rings");
	KUNIT_EXPECT_EQ(test, c.deferred, 0u);
	KUNIT_EXPECT_EQ_MSG(test, c.backend_maps, 2u, "backend maps beyond the rings");
	KUNIT_EXPECT_EQ(test, c.foreign_pages, 0u);
	KUNIT_EXPECT_EQ(test, c.foreign_maps, 0u);
	KUNIT_EXPECT_EQ(test, c.backend_grants, 0u);
	KUNIT_EXPECT_EQ(test, c.backend_dbufs, 0u);
	KUNIT_EXPECT_EQ(test, c.misuse, 0u);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 0u);
	KUNIT_EXPECT_TRUE_MSG(test, ida_is_empty(&ctx->xdrm->cookies), "cookies left");
	KUNIT_EXPECT_EQ(test, ctx->xdrm->be_alloc_count, 0u);
	KUNIT_EXPECT_EQ(test, ctx->xdrm->be_alloc_bytes, 0ull);
}

/* The request DBUF_CREATE for @buf carried, as the backend recorded it. */
static void dbt_expect_create(struct kunit *test, struct dbt_ctx *ctx,
			      const struct xendispl_req *req, u64 cookie,
			      u32 width, u32 height, u32 bpp, u32 size,
			      u32 flags)
{
	const struct xendispl_dbuf_create_req *r = &req->op.dbuf_create;
	struct xdf_sim_dbuf_info info;

	KUNIT_EXPECT_EQ(test, req->operation, XENDISPL_OP_DBUF_CREATE);
	KUNIT_EXPECT_EQ(test, r->dbuf_cookie, cookie);
	KUNIT_EXPECT_NE(test, r->dbuf_cookie, 0ull);
	KUNIT_EXPECT_EQ(test, r->width, width);
	KUNIT_EXPECT_EQ(test, r->height, height);
	KUNIT_EXPECT_EQ(test, r->bpp, bpp);
	KUNIT_EXPECT_EQ(test, r->buffer_sz, size);
	KUNIT_EXPECT_EQ(test, r->flags, flags);
	KUNIT_EXPECT_EQ(test, r->data_ofs, 0u);
	KUNIT_EXPECT_NE(test, r->gref_directory, 0u);

	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_dbuf(ctx->sdev, cookie, &info));
	KUNIT_EXPECT_EQ(test, info.buffer_sz, size);
	KUNIT_EXPECT_EQ(test, info.num_pages, DIV_ROUND_UP(size, PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, info.num_dir_pages,
			DIV_ROUND_UP(info.num_pages,
				     XENDISPL_PAGE_DIR_GREFS_PER_PAGE));
}

/*
 * What the backend found walking @buf's directory: every listed reference
 * is a live grant to the backend of the object's page of that index,
 * writable, mapped once by the backend; the directory pages are writable
 * grants of other pages, not mapped any more.
 */
static void dbt_check_layout(struct kunit *test, struct dbt_ctx *ctx,
			     struct dbt_buf *buf)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(buf->obj);
	unsigned int n = buf->obj->size >> PAGE_SHIFT;
	unsigned int i, ndir, bad_page = 0, bad_flags = 0, first_bad = n;
	struct xdf_sim_grant_info info;
	grant_ref_t *refs, dir[16];

	refs = kvcalloc(n, sizeof(*refs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, refs);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_dbuf_refs(ctx->sdev, buf->cookie,
							refs, n), n);
	for (i = 0; i < n; i++) {
		if (!xdf_sim_grant_info(refs[i], &info) ||
		    info.page != shmem->pages[i]) {
			bad_page++;
			first_bad = min(first_bad, i);
			continue;
		}
		if (info.domid != XDF_SIM_BACK_DOMID || info.readonly ||
		    info.maps != 1 || info.ended)
			bad_flags++;
	}
	KUNIT_EXPECT_EQ_MSG(test, bad_page, 0u,
			    "%u of %u listed refs are not the object's page (first %u)",
			    bad_page, n, first_bad);
	KUNIT_EXPECT_EQ_MSG(test, bad_flags, 0u,
			    "%u of %u buffer grants not writable/to the backend/mapped once",
			    bad_flags, n);
	kvfree(refs);

	ndir = xdf_sim_backend_dbuf_dir_refs(ctx->sdev, buf->cookie, dir,
					     ARRAY_SIZE(dir));
	KUNIT_EXPECT_EQ(test, ndir,
			DIV_ROUND_UP(n, XENDISPL_PAGE_DIR_GREFS_PER_PAGE));
	for (i = 0; i < min_t(unsigned int, ndir, ARRAY_SIZE(dir)); i++) {
		KUNIT_ASSERT_TRUE(test, xdf_sim_grant_info(dir[i], &info));
		KUNIT_EXPECT_EQ(test, info.domid, XDF_SIM_BACK_DOMID);
		KUNIT_EXPECT_FALSE_MSG(test, info.readonly,
				       "directory page %u granted read-only", i);
		KUNIT_EXPECT_EQ(test, info.maps, 0u);
	}
}

/*
 * Where the references the backend reads for @buf's pages break their
 * run: a buffer granted as one run needs no array of them in the guest.
 */
static unsigned int dbt_run_breaks(struct kunit *test, struct dbt_ctx *ctx,
				   struct dbt_buf *buf)
{
	unsigned int n = buf->obj->size >> PAGE_SHIFT, i, breaks = 0;
	grant_ref_t *refs;

	refs = kvcalloc(n, sizeof(*refs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, refs);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_dbuf_refs(ctx->sdev, buf->cookie,
							refs, n), n);
	for (i = 1; i < n; i++)
		breaks += refs[i] != refs[i - 1] + 1;
	kvfree(refs);
	return breaks;
}

/*
 * The backend's view of a buffer's grants: one run of consecutive
 * references, or, from a fragmented grant table, none consecutive.
 */
static void dbt_expect_runs(struct kunit *test, struct dbt_ctx *ctx,
			    struct dbt_buf *buf, bool fragmented)
{
	KUNIT_EXPECT_EQ(test, dbt_run_breaks(test, ctx, buf),
			fragmented ? (unsigned int)(buf->obj->size >> PAGE_SHIFT) - 1 : 0u);
}

/* Directory layout of buffers of 1, 1023, 1024 pages, 1080p and 4K. */
static void dbt_layout(struct kunit *test)
{
	static const struct {
		u32 width, height, bpp, pages;
	} sizes[] = {
		{ 32, 32, 32, 1 },		/* one page */
		{ 1024, 1023, 32, 1023 },	/* one full directory page */
		{ 1024, 1024, 32, 1024 },	/* one more: two */
		{ 1920, 1080, 32, 2025 },
		{ 3840, 2160, 32, 8100 },
	};
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	struct dbt_buf bufs[ARRAY_SIZE(sizes)];
	unsigned int i, j, nreq, grants = 0;
	struct xendispl_req req;
	struct xdf_sim_dbuf_stats st;

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		nreq = dbt_nreqs(ctx);
		KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, sizes[i].width,
						 sizes[i].height, sizes[i].bpp,
						 &bufs[i]), 0);
		KUNIT_EXPECT_EQ(test, bufs[i].pitch,
				XENDISPL_PITCH(sizes[i].width, sizes[i].bpp));
		KUNIT_EXPECT_EQ(test, bufs[i].size, (u64)sizes[i].pages * PAGE_SIZE);
		KUNIT_ASSERT_EQ(test, bufs[i].obj->size,
				(size_t)sizes[i].pages * PAGE_SIZE);
		/* Exactly one request: the create. */
		KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 1);
		req = dbt_req(test, ctx, nreq);
		dbt_expect_create(test, ctx, &req, bufs[i].cookie,
				  sizes[i].width, sizes[i].height,
				  sizes[i].bpp, bufs[i].size, 0);
		dbt_check_layout(test, ctx, &bufs[i]);
		KUNIT_EXPECT_EQ_MSG(test, dbt_run_breaks(test, ctx, &bufs[i]), 0u,
				    "%u pages: grants not one run", sizes[i].pages);
		grants += sizes[i].pages +
			  DIV_ROUND_UP(sizes[i].pages,
				       XENDISPL_PAGE_DIR_GREFS_PER_PAGE);
		/* Cookies: unique, never 0. */
		KUNIT_EXPECT_NE(test, bufs[i].cookie, 0ull);
		for (j = 0; j < i; j++)
			KUNIT_EXPECT_NE(test, bufs[i].cookie, bufs[j].cookie);
	}
	KUNIT_EXPECT_EQ(test, dbt_buffer_grants(), grants);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev),
			(unsigned int)ARRAY_SIZE(sizes));

	for (i = 0; i < ARRAY_SIZE(sizes); i++) {
		nreq = dbt_nreqs(ctx);
		KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &bufs[i]), 0);
		KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 1);
		req = dbt_req(test, ctx, nreq);
		KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_DBUF_DESTROY);
		KUNIT_EXPECT_EQ(test, req.op.dbuf_destroy.dbuf_cookie,
				bufs[i].cookie);
	}
	xdf_sim_backend_dbuf_stats(ctx->sdev, &st);
	KUNIT_EXPECT_EQ(test, st.created, (unsigned int)ARRAY_SIZE(sizes));
	KUNIT_EXPECT_EQ(test, st.destroyed, (unsigned int)ARRAY_SIZE(sizes));
	dbt_expect_no_buffers(test, ctx);
}

/*
 * A dumb buffer: pitch and size as the backend expects them; the backend
 * reads exactly what the CPU wrote; on destroy, DBUF_DESTROY comes before
 * any grant is revoked, then nothing is left.
 */
static void dbt_dumb_pixels_case(struct kunit *test, u32 width, u32 height,
				 u32 bpp, bool fragmented)
{
	struct dbt_ctx *ctx;
	u32 pitch = XENDISPL_PITCH(width, bpp);
	struct xdf_sim_dbuf_stats st;
	struct xendispl_req req;
	struct dbt_buf buf;
	unsigned int nreq;

	xdf_sim_gnttab_no_runs(fragmented);
	ctx = dbt_connect(test, NULL);
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, width, height, bpp, &buf), 0);
	KUNIT_EXPECT_EQ(test, buf.pitch, pitch);
	KUNIT_EXPECT_EQ(test, buf.size, (u64)PAGE_ALIGN(pitch * height));
	KUNIT_EXPECT_EQ(test, buf.obj->size, (size_t)buf.size);
	req = dbt_req(test, ctx, dbt_nreqs(ctx) - 1);
	dbt_expect_create(test, ctx, &req, buf.cookie, width, height, bpp,
			  buf.size, 0);
	dbt_expect_runs(test, ctx, &buf, fragmented);

	dbt_cpu_write(test, buf.obj, 0x5a);
	dbt_backend_sees(test, ctx, buf.cookie, buf.size, 0x5a);
	/* Written again: the backend sees the new pixels, no copy. */
	dbt_cpu_write(test, buf.obj, 0x33);
	dbt_backend_sees(test, ctx, buf.cookie, buf.size, 0x33);

	nreq = dbt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 1);
	req = dbt_req(test, ctx, nreq);
	KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_DBUF_DESTROY);
	KUNIT_EXPECT_EQ(test, req.op.dbuf_destroy.dbuf_cookie, buf.cookie);
	xdf_sim_backend_dbuf_stats(ctx->sdev, &st);
	KUNIT_EXPECT_EQ_MSG(test, st.revoked_early, 0u,
			    "grants revoked before DBUF_DESTROY");
	KUNIT_EXPECT_EQ(test, st.destroyed, 1u);
	dbt_expect_no_buffers(test, ctx);
}

static void dbt_dumb_pixels_32(struct kunit *test)
{
	dbt_dumb_pixels_case(test, 640, 480, 32, false);
}

/* 333 pixels of 3 bytes: lines padded to 1000 bytes. */
static void dbt_dumb_pixels_24(struct kunit *test)
{
	dbt_dumb_pixels_case(test, 333, 200, 24, false);
}

static void dbt_dumb_pixels_8(struct kunit *test)
{
	dbt_dumb_pixels_case(test, 1023, 77, 8, false);
}

/*
 * A grant table with no run of free references left, though enough of
 * them: the pages are granted one by one, the directory lists references
 * that are not consecutive, and the backend still reads what the CPU
 * wrote.
 */
static void dbt_dumb_pixels_fragmented(struct kunit *test)
{
	dbt_dumb_pixels_case(test, 1920, 1080, 32, true);
}

/* Refused userspace input: nothing allocated, nothing sent. */
static void dbt_bad_input(struct kunit *test)
{
	static const struct {
		u32 width, height, bpp;
	} bad[] = {
		{ 0, 480, 32 }, { 640, 0, 32 }, { 0, 0, 32 },
		{ 8193, 16, 32 }, { 16, 8193, 32 }, { 8193, 8193, 8 },
		{ 640, 480, 0 }, { 640, 480, 7 }, { 640, 480, 33 },
		{ 640, 480, 64 },
		{ U32_MAX, 1, 32 }, { 1, U32_MAX, 32 }, { 64, 64, U32_MAX },
	};
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	unsigned int i, nreq = dbt_nreqs(ctx);
	struct dbt_buf buf;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		KUNIT_EXPECT_EQ_MSG(test, dbt_create(test, ctx, bad[i].width,
						     bad[i].height, bad[i].bpp,
						     &buf), -EINVAL,
				    "%ux%u at %u bpp", bad[i].width,
				    bad[i].height, bad[i].bpp);
		KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
		KUNIT_EXPECT_EQ(test, dbt_buffer_grants(), 0u);
	}
	/* The largest accepted is fine (small bpp keeps it small). */
	KUNIT_EXPECT_EQ(test, dbt_create(test, ctx, 8192, 8, 8, &buf), 0);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	dbt_expect_no_buffers(test, ctx);
}

/*
 * be-alloc: the backend allocates; the object's pages are the backend's,
 * mapped; pixels go both ways; on destroy the frontend unmaps before
 * DBUF_DESTROY, then nothing is left.
 */
static void dbt_be_alloc(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, "1");
	struct xdf_sim_grant_info ginfo;
	struct xdf_sim_dbuf_stats st;
	struct xdf_sim_counters c;
	unsigned int i, n, nreq, bad = 0;
	struct xendispl_req req;
	grant_ref_t *refs, dir[4];
	struct iosys_map map;
	struct dbt_buf buf;
	u8 *data;

	nreq = dbt_nreqs(ctx);
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 640, 480, 32, &buf), 0);
	n = buf.size >> PAGE_SHIFT;
	KUNIT_EXPECT_EQ(test, buf.pitch, 2560u);
	KUNIT_EXPECT_EQ(test, buf.size, (u64)PAGE_ALIGN(2560 * 480));
	KUNIT_EXPECT_TRUE(test, buf.dbuf->be_alloc);
	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 1);
	req = dbt_req(test, ctx, nreq);
	dbt_expect_create(test, ctx, &req, buf.cookie, 640, 480, 32, buf.size,
			  XENDISPL_DBUF_FLG_REQ_ALLOC);

	/* The object shows the backend's own pages, in order. */
	refs = kunit_kcalloc(test, n, sizeof(*refs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, refs);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_dbuf_refs(ctx->sdev, buf.cookie,
							refs, n), n);
	for (i = 0; i < n; i++)
		if (page_address(buf.dbuf->pages[i]) !=
		    xdf_sim_backend_grant_vaddr(refs[i]))
			bad++;
	KUNIT_EXPECT_EQ_MSG(test, bad, 0u, "pages that are not the backend's");
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.backend_grants, n);
	KUNIT_EXPECT_EQ(test, c.foreign_maps, n);
	KUNIT_EXPECT_EQ(test, c.foreign_pages, n);
	/* Only the directory is granted by the frontend, writable. */
	KUNIT_EXPECT_EQ(test, dbt_buffer_grants(), 1u);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_dbuf_dir_refs(ctx->sdev, buf.cookie,
							    dir, ARRAY_SIZE(dir)),
			1u);
	KUNIT_ASSERT_TRUE(test, xdf_sim_grant_info(dir[0], &ginfo));
	KUNIT_EXPECT_FALSE(test, ginfo.readonly);
	KUNIT_EXPECT_EQ(test, ctx->xdrm->be_alloc_count, 1u);
	KUNIT_EXPECT_EQ(test, ctx->xdrm->be_alloc_bytes, buf.size);

	/* CPU -> backend. */
	dbt_cpu_write(test, buf.obj, 0x17);
	dbt_backend_sees(test, ctx, buf.cookie, buf.size, 0x17);
	/* Backend -> CPU. */
	data = vmalloc(buf.size);
	KUNIT_ASSERT_NOT_NULL(test, data);
	dbt_fill(data, buf.size, 0x99);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_dbuf_write(ctx->sdev, buf.cookie,
							 0, data, buf.size), 0);
	vfree(data);
	KUNIT_ASSERT_EQ(test, drm_gem_vmap(buf.obj, &map), 0);
	KUNIT_EXPECT_EQ(test, dbt_mismatch(map.vaddr, buf.size, 0x99),
			(size_t)buf.size);
	drm_gem_vunmap(buf.obj, &map);

	nreq = dbt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 1);
	req = dbt_req(test, ctx, nreq);
	KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_DBUF_DESTROY);
	KUNIT_EXPECT_EQ(test, req.op.dbuf_destroy.dbuf_cookie, buf.cookie);
	xdf_sim_backend_dbuf_stats(ctx->sdev, &st);
	KUNIT_EXPECT_EQ_MSG(test, st.still_mapped, 0u,
			    "backend pages still mapped at DBUF_DESTROY");
	KUNIT_EXPECT_EQ(test, st.destroyed, 1u);
	dbt_expect_no_buffers(test, ctx);
}

/*
 * A be-alloc creation that fails after the backend said yes: the error is
 * returned, DBUF_DESTROY follows for the cookie, nothing is left.
 */
static void dbt_be_alloc_fails_case(struct kunit *test,
				    enum xdf_sim_dbuf_fault fault,
				    int fmap_budget, int fpages_budget)
{
	struct dbt_ctx *ctx = dbt_connect(test, "1");
	struct xdf_sim_dbuf_stats st;
	struct xendispl_req req;
	unsigned int nreq;
	struct dbt_buf buf;
	u64 cookie;

	xdf_sim_backend_set_dbuf_fault(ctx->sdev, fault);
	xdf_sim_foreign_map_fail_after(fmap_budget);
	xdf_sim_foreign_pages_fail_after(fpages_budget);
	nreq = dbt_nreqs(ctx);
	KUNIT_EXPECT_LT(test, dbt_create(test, ctx, 640, 480, 32, &buf), 0);
	xdf_sim_foreign_map_fail_after(-1);
	xdf_sim_foreign_pages_fail_after(-1);

	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 2);
	req = dbt_req(test, ctx, nreq);
	KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_DBUF_CREATE);
	cookie = req.op.dbuf_create.dbuf_cookie;
	req = dbt_req(test, ctx, nreq + 1);
	KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_DBUF_DESTROY);
	KUNIT_EXPECT_EQ(test, req.op.dbuf_destroy.dbuf_cookie, cookie);
	xdf_sim_backend_dbuf_stats(ctx->sdev, &st);
	KUNIT_EXPECT_EQ(test, st.created, 1u);
	KUNIT_EXPECT_EQ(test, st.destroyed, 1u);
	KUNIT_EXPECT_EQ(test, st.still_mapped, 0u);
	dbt_expect_no_buffers(test, ctx);

	/* The device still works. */
	xdf_sim_backend_set_dbuf_fault(ctx->sdev, XDF_SIM_DBUF_OK);
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 64, 64, 32, &buf), 0);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	dbt_expect_no_buffers(test, ctx);
}

static void dbt_be_alloc_bad_refs(struct kunit *test)
{
	dbt_be_alloc_fails_case(test, XDF_SIM_DBUF_BAD_REFS, -1, -1);
}

static void dbt_be_alloc_too_few(struct kunit *test)
{
	dbt_be_alloc_fails_case(test, XDF_SIM_DBUF_TOO_FEW, -1, -1);
}

/* The 100th of 300 pages cannot be mapped. */
static void dbt_be_alloc_map_fails(struct kunit *test)
{
	dbt_be_alloc_fails_case(test, XDF_SIM_DBUF_OK, 99, -1);
}

/* No pages to map the backend's buffer into. */
static void dbt_be_alloc_pages_fail(struct kunit *test)
{
	dbt_be_alloc_fails_case(test, XDF_SIM_DBUF_OK, -1, 0);
}

/* The budget: over it, -ENOSPC and nothing sent; freeing makes room. */
static void dbt_be_alloc_budget(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, "1");
	struct dbt_buf a, b, c;
	unsigned int nreq;

	WRITE_ONCE(xdf_be_alloc_max_buffers, 2);
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 64, 64, 32, &a), 0);
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 64, 64, 32, &b), 0);
	nreq = dbt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, dbt_create(test, ctx, 64, 64, 32, &c), -ENOSPC);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 2u);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &a), 0);
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 64, 64, 32, &c), 0);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &b), 0);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &c), 0);
	dbt_expect_no_buffers(test, ctx);

	/* 2 MiB: one 640x480x32 (1.17 MiB) fits, not two. */
	WRITE_ONCE(xdf_be_alloc_max_buffers, 64);
	WRITE_ONCE(xdf_be_alloc_max_mib, 2);
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 640, 480, 32, &a), 0);
	nreq = dbt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, dbt_create(test, ctx, 640, 480, 32, &b), -ENOSPC);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
	/* What is left of the budget still serves. */
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 256, 256, 32, &b), 0);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &a), 0);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &b), 0);

	/* Too big for the whole budget. */
	WRITE_ONCE(xdf_be_alloc_max_mib, 1);
	nreq = dbt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, dbt_create(test, ctx, 640, 480, 32, &a), -ENOSPC);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
	dbt_expect_no_buffers(test, ctx);
}

/* A second DRM device with plain shmem GEM objects, for PRIME. */
DEFINE_DRM_GEM_FOPS(dbt_other_fops);

static const struct drm_driver dbt_other_driver = {
	.driver_features = DRIVER_GEM,
	.fops = &dbt_other_fops,
	DRM_GEM_SHMEM_DRIVER_OPS,
	.name = "xdf_dbuf_test",
	.desc = "PRIME peer of the Xen display frontend tests",
	.date = "20261121",
	.major = 1,
	.minor = 0,
};

struct dbt_other {
	struct drm_device drm;
};

static struct drm_device *dbt_other(struct kunit *test, struct dbt_ctx *ctx)
{
	struct dbt_other *other;

	ctx->pdev = platform_device_register_simple("xdf-dbuf-test",
						    PLATFORM_DEVID_AUTO, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->pdev);
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(&ctx->pdev->dev,
							   DMA_BIT_MASK(64)), 0);
	other = devm_drm_dev_alloc(&ctx->pdev->dev, &dbt_other_driver,
				   struct dbt_other, drm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, other);
	ctx->other = &other->drm;
	return ctx->other;
}

/* The importer's pages hold the pattern (read through its sg table). */
static void dbt_sgt_sees(struct kunit *test, struct sg_table *sgt,
			 size_t size, u8 seed)
{
	struct sg_page_iter iter;
	size_t i, off = 0, bad = 0;
	const u8 *va;

	for_each_sgtable_page(sgt, &iter, 0) {
		if (off >= size)
			break;
		va = kmap_local_page(sg_page_iter_page(&iter));
		for (i = 0; i < PAGE_SIZE; i++) {
			if (va[i] != dbt_pattern(off + i, seed)) {
				bad++;
				break;
			}
		}
		kunmap_local(va);
		off += PAGE_SIZE;
	}
	KUNIT_EXPECT_EQ(test, off, size);
	KUNIT_EXPECT_EQ_MSG(test, bad, (size_t)0, "importer pages differ");
}

/*
 * Export one of our buffers to another device: the importer sees the
 * pixels; the buffer stays with the backend while the importer holds it.
 */
static void dbt_prime_export_case(struct kunit *test, const char *be_alloc)
{
	struct dbt_ctx *ctx = dbt_connect(test, be_alloc);
	struct drm_device *other = dbt_other(test, ctx);
	struct drm_gem_shmem_object *imp_shmem;
	struct drm_gem_object *imported;
	struct dma_buf *dmabuf;
	struct iosys_map map;
	struct dbt_buf buf;
	unsigned int nreq;

	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 800, 600, 32, &buf), 0);
	dbt_cpu_write(test, buf.obj, 0x42);

	dmabuf = drm_gem_prime_export(buf.obj, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	KUNIT_EXPECT_EQ(test, dmabuf->size, buf.obj->size);
	imported = drm_gem_prime_import(other, dmabuf);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, imported);
	KUNIT_EXPECT_PTR_NE(test, imported, buf.obj);
	KUNIT_EXPECT_NOT_NULL(test, imported->import_attach);
	imp_shmem = to_drm_gem_shmem_obj(imported);
	KUNIT_ASSERT_NOT_NULL(test, imp_shmem->sgt);
	dbt_sgt_sees(test, imp_shmem->sgt, buf.size, 0x42);
	/*
	 * The importer's CPU view: through the dma-buf (vmapping the
	 * imported shmem object itself nests two shmem vmap_locks, which
	 * 6.1's lockdep reports as recursive locking).
	 */
	KUNIT_ASSERT_EQ(test, dma_buf_vmap(dmabuf, &map), 0);
	KUNIT_EXPECT_EQ(test, dbt_mismatch(map.vaddr, buf.size, 0x42),
			(size_t)buf.size);
	dma_buf_vunmap(dmabuf, &map);

	/* The handle goes, the dma-buf and the importer keep the buffer. */
	nreq = dbt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 1u);
	dbt_backend_sees(test, ctx, buf.cookie, buf.size, 0x42);

	drm_gem_object_put(imported);
	dma_buf_put(dmabuf);
	flush_delayed_fput();
	xdf_sim_settle();
	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 1);
	KUNIT_EXPECT_EQ(test, dbt_req(test, ctx, nreq).operation,
			XENDISPL_OP_DBUF_DESTROY);
	dbt_expect_no_buffers(test, ctx);
}

static void dbt_prime_export(struct kunit *test)
{
	dbt_prime_export_case(test, NULL);
}

static void dbt_prime_export_be_alloc(struct kunit *test)
{
	dbt_prime_export_case(test, "1");
}

/* The handle outlives the dma-buf: the buffer goes with the handle. */
static void dbt_prime_handle_outlives(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	struct drm_device *other = dbt_other(test, ctx);
	struct drm_gem_object *imported;
	struct dma_buf *dmabuf;
	struct dbt_buf buf;
	unsigned int nreq;

	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 320, 200, 32, &buf), 0);
	dmabuf = drm_gem_prime_export(buf.obj, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	imported = drm_gem_prime_import(other, dmabuf);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, imported);
	nreq = dbt_nreqs(ctx);
	drm_gem_object_put(imported);
	dma_buf_put(dmabuf);
	flush_delayed_fput();
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 1u);

	dbt_cpu_write(test, buf.obj, 0x01);
	dbt_backend_sees(test, ctx, buf.cookie, buf.size, 0x01);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 1);
	KUNIT_EXPECT_EQ(test, dbt_req(test, ctx, nreq).operation,
			XENDISPL_OP_DBUF_DESTROY);
	dbt_expect_no_buffers(test, ctx);
}

/* A buffer of @other's, @size bytes of the pattern for @seed, exported. */
static struct dma_buf *dbt_export_filled(struct kunit *test,
					 struct drm_device *other, size_t size,
					 u8 seed,
					 struct drm_gem_shmem_object **out)
{
	struct drm_gem_shmem_object *shmem;
	struct dma_buf *dmabuf;
	struct iosys_map map;

	shmem = drm_gem_shmem_create(other, size);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_vmap(shmem, &map), 0);
	dbt_fill(map.vaddr, size, seed);
	drm_gem_shmem_vunmap(shmem, &map);
	dmabuf = drm_gem_prime_export(&shmem->base, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	*out = shmem;
	return dmabuf;
}

/* @dmabuf imported into the test's device: a handle of its client. */
static u32 dbt_import(struct kunit *test, struct dbt_ctx *ctx,
		      struct dma_buf *dmabuf, struct drm_gem_object **out)
{
	struct drm_gem_object *obj;
	u32 handle;

	obj = drm_gem_prime_import(&ctx->xdrm->drm, dmabuf);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	KUNIT_EXPECT_NOT_NULL(test, obj->import_attach);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_create(ctx->file, obj, &handle), 0);
	/* The handle keeps it. */
	drm_gem_object_put(obj);
	*out = obj;
	return handle;
}

/* ADDFB2 of an XRGB8888 framebuffer on @handle: its id, or 0 on error. */
static u32 dbt_addfb(struct kunit *test, struct dbt_ctx *ctx, u32 handle,
		     u32 width, u32 height, u32 pitch, u32 offset, int *err)
{
	struct drm_mode_fb_cmd2 cmd = {
		.width = width,
		.height = height,
		.pixel_format = DRM_FORMAT_XRGB8888,
		.handles = { handle },
		.pitches = { pitch },
		.offsets = { offset },
	};

	*err = drm_mode_addfb2(&ctx->xdrm->drm, &cmd, ctx->file);
	return *err ? 0 : cmd.fb_id;
}

/*
 * Import another device's buffer: nothing reaches the backend until a
 * framebuffer gives the lines' length; then its pages are granted in
 * order, described with the framebuffer's stride and data_ofs 0, and the
 * backend sees what the exporter wrote.
 */
static void dbt_prime_import(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	struct drm_device *other = dbt_other(test, ctx);
	const size_t size = 37 * PAGE_SIZE;
	struct drm_gem_shmem_object *shmem;
	struct xdf_sim_grant_info ginfo;
	struct xdf_sim_dbuf_info info;
	struct drm_gem_object *obj;
	struct xendispl_req req;
	struct dma_buf *dmabuf;
	struct iosys_map map;
	grant_ref_t refs[37];
	unsigned int i, nreq, bad = 0;
	struct xdf_dbuf *dbuf;
	u32 handle, fb_id;
	int err;

	dmabuf = dbt_export_filled(test, other, size, 0x77, &shmem);
	nreq = dbt_nreqs(ctx);
	/* Userspace gets it as a handle. */
	handle = dbt_import(test, ctx, dmabuf, &obj);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
	KUNIT_EXPECT_NULL(test, xdf_gem_to_dbuf(obj));

	/* 37 lines of 1024 pixels. */
	fb_id = dbt_addfb(test, ctx, handle, 1024, 37, 4096, 0, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	dbuf = xdf_gem_to_dbuf(obj);
	KUNIT_ASSERT_NOT_NULL(test, dbuf);
	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 2);
	req = dbt_req(test, ctx, nreq);
	KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_DBUF_CREATE);
	KUNIT_EXPECT_EQ(test, req.op.dbuf_create.dbuf_cookie, dbuf->cookie);
	KUNIT_EXPECT_EQ(test, dbt_req(test, ctx, nreq + 1).operation,
			XENDISPL_OP_FB_ATTACH);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_dbuf(ctx->sdev, dbuf->cookie,
						     &info));
	KUNIT_EXPECT_EQ(test, info.data_ofs, 0u);
	KUNIT_EXPECT_EQ(test, info.buffer_sz, (u32)size);
	KUNIT_EXPECT_EQ(test, info.width, 1024u);
	KUNIT_EXPECT_EQ(test, info.height, 37u);
	KUNIT_EXPECT_EQ(test, info.bpp, 32u);
	KUNIT_EXPECT_EQ(test, info.flags, 0u);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_dbuf_refs(ctx->sdev, dbuf->cookie,
							refs, ARRAY_SIZE(refs)),
			(unsigned int)ARRAY_SIZE(refs));
	for (i = 0; i < ARRAY_SIZE(refs); i++)
		if (!xdf_sim_grant_info(refs[i], &ginfo) ||
		    ginfo.page != shmem->pages[i] || ginfo.readonly ||
		    ginfo.maps != 1)
			bad++;
	KUNIT_EXPECT_EQ_MSG(test, bad, 0u, "refs that are not the exporter's pages");
	dbt_backend_sees(test, ctx, dbuf->cookie, size, 0x77);

	/* The exporter draws again: the backend sees it. */
	KUNIT_ASSERT_EQ(test, drm_gem_shmem_vmap(shmem, &map), 0);
	dbt_fill(map.vaddr, size, 0x78);
	drm_gem_shmem_vunmap(shmem, &map);
	dbt_backend_sees(test, ctx, dbuf->cookie, size, 0x78);

	/* The dma-buf reference goes: the imported handle keeps it. */
	dma_buf_put(dmabuf);
	drm_gem_object_put(&shmem->base);
	flush_delayed_fput();
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 1u);
	dbt_backend_sees(test, ctx, dbuf->cookie, size, 0x78);

	KUNIT_EXPECT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb_id, ctx->file),
			0);
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(ctx->file, handle), 0);
	flush_delayed_fput();
	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 4);
	req = dbt_req(test, ctx, nreq + 3);
	KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_DBUF_DESTROY);
	dbt_expect_no_buffers(test, ctx);
}

/*
 * A framebuffer on an imported buffer: accepted, and attached to the
 * buffer's display buffer, when the buffer holds it; refused at addfb,
 * with nothing sent to the backend, when it does not.
 */
static void dbt_prime_import_addfb(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	struct drm_device *other = dbt_other(test, ctx);
	const u32 width = 256, height = 64, pitch = width * 4;
	struct drm_mode_fb_cmd2 cmd = {
		.width = width,
		.height = height + 1,
		.pixel_format = DRM_FORMAT_XRGB8888,
		.pitches = { pitch },
	};
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_object *obj;
	struct xendispl_req req;
	struct dma_buf *dmabuf;
	unsigned int nreq;
	u32 handle;

	shmem = drm_gem_shmem_create(other, pitch * height);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, shmem);
	dmabuf = drm_gem_prime_export(&shmem->base, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);
	obj = drm_gem_prime_import(&ctx->xdrm->drm, dmabuf);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_create(ctx->file, obj, &handle), 0);
	drm_gem_object_put(obj);
	cmd.handles[0] = handle;

	/* One line more than the buffer holds. */
	nreq = dbt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, drm_mode_addfb2(&ctx->xdrm->drm, &cmd, ctx->file),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);

	cmd.height = height;
	KUNIT_ASSERT_EQ(test, drm_mode_addfb2(&ctx->xdrm->drm, &cmd, ctx->file), 0);
	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 2);
	KUNIT_EXPECT_EQ(test, dbt_req(test, ctx, nreq).operation,
			XENDISPL_OP_DBUF_CREATE);
	req = dbt_req(test, ctx, nreq + 1);
	KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_FB_ATTACH);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.dbuf_cookie,
			xdf_gem_to_dbuf(obj)->cookie);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.height, height);
	KUNIT_EXPECT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, cmd.fb_id,
					    ctx->file), 0);

	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(ctx->file, handle), 0);
	dma_buf_put(dmabuf);
	drm_gem_object_put(&shmem->base);
	flush_delayed_fput();
	dbt_expect_no_buffers(test, ctx);
}

/*
 * Line @y of framebuffer @fb_cookie, @len bytes, as the backend reads it,
 * is the pattern of the object's bytes from @start on.
 */
static void dbt_fb_line_is(struct kunit *test, struct dbt_ctx *ctx,
			   u64 fb_cookie, u32 y, size_t start, size_t len,
			   u8 seed)
{
	u8 *px = kmalloc(len, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, px);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_fb_read(ctx->sdev, fb_cookie, 0,
						      y, px, len), 0);
	KUNIT_EXPECT_EQ_MSG(test, dbt_mismatch_at(px, len, start, seed), len,
			    "line %u of framebuffer %llu: not bytes %zu.. of the buffer",
			    y, fb_cookie, start);
	kfree(px);
}

/* The last FB_ATTACH, and the DBUF_CREATE before it if @created. */
static u64 dbt_attached(struct kunit *test, struct dbt_ctx *ctx,
			unsigned int nreq, bool created, u32 width, u32 height,
			struct xdf_sim_dbuf_info *info)
{
	struct xendispl_req req;

	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 1 + created);
	if (created) {
		req = dbt_req(test, ctx, nreq);
		KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_DBUF_CREATE);
	}
	req = dbt_req(test, ctx, nreq + created);
	KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_FB_ATTACH);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.width, width);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.height, height);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_dbuf(ctx->sdev,
						     req.op.fb_attach.dbuf_cookie,
						     info));
	return req.op.fb_attach.fb_cookie;
}

/*
 * Framebuffers with their own pitch and offset on a 1024x1024 dumb buffer
 * (the older driver takes these): 512x512 with the buffer's pitch 4096 is
 * attached to the buffer itself; one with pitch 2048 and one at column 64
 * of line 10 get display buffers of their own on the same pages, whose
 * width is their stride and whose first page and data_ofs are their first
 * pixel. The backend reads each line where the CPU wrote it.
 */
static void dbt_fb_pitch_offset(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	const size_t ofs = 10 * 4096 + 64 * 4;
	struct xdf_sim_dbuf_info info;
	u32 fb1, fb2, fb3, nreq;
	struct dbt_buf buf;
	u64 cookie;
	int err;

	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 1024, 1024, 32, &buf), 0);
	KUNIT_ASSERT_EQ(test, buf.pitch, 4096u);
	dbt_cpu_write(test, buf.obj, 0x33);

	nreq = dbt_nreqs(ctx);
	fb1 = dbt_addfb(test, ctx, buf.handle, 512, 512, 4096, 0, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	cookie = dbt_attached(test, ctx, nreq, false, 512, 512, &info);
	KUNIT_EXPECT_EQ(test, info.cookie, buf.cookie);
	KUNIT_EXPECT_EQ(test, info.width, 1024u);
	dbt_fb_line_is(test, ctx, cookie, 100, 100 * 4096, 2048, 0x33);
	dbt_fb_line_is(test, ctx, cookie, 511, 511 * 4096, 2048, 0x33);

	nreq = dbt_nreqs(ctx);
	fb2 = dbt_addfb(test, ctx, buf.handle, 512, 512, 2048, 0, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	cookie = dbt_attached(test, ctx, nreq, true, 512, 512, &info);
	KUNIT_EXPECT_NE(test, info.cookie, buf.cookie);
	KUNIT_EXPECT_EQ(test, info.width, 512u);
	KUNIT_EXPECT_EQ(test, info.bpp, 32u);
	KUNIT_EXPECT_EQ(test, info.height, 2048u);
	KUNIT_EXPECT_EQ(test, info.data_ofs, 0u);
	KUNIT_EXPECT_EQ(test, info.buffer_sz, (u32)buf.size);
	dbt_fb_line_is(test, ctx, cookie, 100, 100 * 2048, 2048, 0x33);

	nreq = dbt_nreqs(ctx);
	fb3 = dbt_addfb(test, ctx, buf.handle, 256, 256, 4096, ofs, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	cookie = dbt_attached(test, ctx, nreq, true, 256, 256, &info);
	KUNIT_EXPECT_EQ(test, info.width, 1024u);
	KUNIT_EXPECT_EQ(test, info.data_ofs, 256u);
	KUNIT_EXPECT_EQ(test, info.height, (u32)((buf.size - ofs) / 4096));
	KUNIT_EXPECT_EQ(test, info.num_pages, 1024u - 10);
	dbt_fb_line_is(test, ctx, cookie, 0, ofs, 1024, 0x33);
	dbt_fb_line_is(test, ctx, cookie, 255, ofs + 255 * 4096, 1024, 0x33);

	/* Each framebuffer's own display buffer goes with it. */
	nreq = dbt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb3, ctx->file), 0);
	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 2);
	KUNIT_EXPECT_EQ(test, dbt_req(test, ctx, nreq + 1).operation,
			XENDISPL_OP_DBUF_DESTROY);
	KUNIT_EXPECT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb2, ctx->file), 0);
	KUNIT_EXPECT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb1, ctx->file), 0);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 1u);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	dbt_expect_no_buffers(test, ctx);
}

/*
 * A display buffer grants the GEM object's pages through the object's own
 * page array, not a copy of it (16 KiB more for a 1080p buffer's 2025
 * pointers): the buffer's, and that of a framebuffer at line 10 of it,
 * which starts 18 pages in. The buffer that goes first leaves the array
 * as it was: the other still shows the same pixels.
 */
static void dbt_pages_shared(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	struct drm_gem_shmem_object *shmem;
	struct drm_framebuffer *fb;
	struct xdf_dbuf *fb_dbuf;
	struct dbt_buf buf;
	u32 fb_id, nreq;
	u64 cookie;
	int err;

	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 1920, 1080, 32, &buf), 0);
	shmem = to_drm_gem_shmem_obj(buf.obj);
	KUNIT_ASSERT_EQ(test, buf.dbuf->num_pages, 2025u);
	KUNIT_EXPECT_PTR_EQ_MSG(test, buf.dbuf->pages, shmem->pages,
				"the display buffer keeps a page array of its own");
	dbt_check_layout(test, ctx, &buf);
	dbt_cpu_write(test, buf.obj, 0x35);

	nreq = dbt_nreqs(ctx);
	fb_id = dbt_addfb(test, ctx, buf.handle, 1920, 1000, buf.pitch,
			  10 * buf.pitch, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	cookie = dbt_attached(test, ctx, nreq, true, 1920, 1000,
			      &(struct xdf_sim_dbuf_info){});
	fb = drm_framebuffer_lookup(&ctx->xdrm->drm, ctx->file, fb_id);
	KUNIT_ASSERT_NOT_NULL(test, fb);
	fb_dbuf = to_xdf_fb(fb)->dbuf;
	drm_framebuffer_put(fb);
	KUNIT_EXPECT_PTR_NE(test, fb_dbuf, buf.dbuf);
	/* 10 lines of 7680 bytes: it starts 768 bytes into page 18. */
	KUNIT_EXPECT_PTR_EQ_MSG(test, fb_dbuf->pages, shmem->pages + 18,
				"the framebuffer's display buffer keeps a page array of its own");

	/* The handle goes first: the framebuffer keeps the object. */
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	dbt_fb_line_is(test, ctx, cookie, 999, 1009 * buf.pitch, buf.pitch,
		       0x35);
	KUNIT_EXPECT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb_id, ctx->file), 0);
	dbt_expect_no_buffers(test, ctx);
}

/*
 * What the protocol cannot say is refused at ADDFB2 with nothing sent: a
 * pitch that is no multiple of 4 bytes; on a backend-allocated buffer
 * (whose pages cannot be shared again) another pitch or an offset.
 */
static void dbt_fb_pitch_refused(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, "1");
	struct drm_mode_fb_cmd2 cmd = {
		.width = 3,
		.height = 4,
		.pixel_format = DRM_FORMAT_RGB565,
		.pitches = { 6 },
	};
	struct dbt_buf buf;
	unsigned int nreq;
	int err;

	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 64, 64, 32, &buf), 0);
	nreq = dbt_nreqs(ctx);
	cmd.handles[0] = buf.handle;
	KUNIT_EXPECT_EQ(test, drm_mode_addfb2(&ctx->xdrm->drm, &cmd, ctx->file),
			-EINVAL);
	dbt_addfb(test, ctx, buf.handle, 32, 32, 128, 0, &err);
	KUNIT_EXPECT_EQ_MSG(test, err, -EINVAL, "be-alloc, other pitch");
	dbt_addfb(test, ctx, buf.handle, 32, 32, 256, 256, &err);
	KUNIT_EXPECT_EQ_MSG(test, err, -EINVAL, "be-alloc, offset");
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);

	/* Its own pitch, fewer columns and lines: its own buffer. */
	dbt_addfb(test, ctx, buf.handle, 32, 32, 256, 0, &err);
	KUNIT_EXPECT_EQ(test, err, 0);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq + 1);
	dbt_close(ctx);
	dbt_expect_no_buffers(test, ctx);
}

/*
 * Protocol version 1 (a backend offering only it) has no data_ofs: a
 * framebuffer whose first pixel is inside a page is refused with nothing
 * sent; one at a page boundary gets a display buffer from that page.
 */
static void dbt_fb_offset_v1(struct kunit *test)
{
	struct dbt_ctx *ctx = test->priv;
	struct xdf_sim_config cfg = {
		.versions = "1",
		.num_connectors = 1,
		.connectors[0] = { .resolution = "1024x768", .unique_id = "0" },
	};
	struct xdf_sim_dbuf_info info;
	struct dbt_buf buf;
	unsigned int nreq;
	int err;

	ctx->xdrm = xdf_test_connect(test, &cfg, &ctx->sdev);
	ctx->file = xdf_test_open(test, ctx->xdrm);
	KUNIT_ASSERT_EQ(test, ctx->xdrm->cfg.version, 1u);
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 256, 64, 32, &buf), 0);
	nreq = dbt_nreqs(ctx);
	dbt_addfb(test, ctx, buf.handle, 128, 16, 1024, 256, &err);
	KUNIT_EXPECT_EQ(test, err, -EINVAL);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
	dbt_addfb(test, ctx, buf.handle, 128, 16, 1024, 4096, &err);
	KUNIT_EXPECT_EQ(test, err, 0);
	dbt_attached(test, ctx, nreq, true, 128, 16, &info);
	KUNIT_EXPECT_EQ(test, info.data_ofs, 0u);
	KUNIT_EXPECT_EQ(test, info.num_pages, 15u);
	dbt_close(ctx);
	dbt_expect_no_buffers(test, ctx);
}

/*
 * An imported buffer of a 500-pixel-wide XRGB8888 picture whose exporter
 * aligned the pitch to 256 bytes (2048): described with width 512, the
 * stride; a second framebuffer of that pitch shares its display buffer,
 * one with the tight pitch gets its own.
 */
static void dbt_prime_import_pitch(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	struct drm_device *other = dbt_other(test, ctx);
	const size_t size = 2048 * 64;
	struct drm_gem_shmem_object *shmem;
	struct xdf_sim_dbuf_info info;
	struct drm_gem_object *obj;
	struct dma_buf *dmabuf;
	u32 handle, fb1, fb2, fb3, nreq;
	u64 cookie, dbuf_cookie;
	int err;

	dmabuf = dbt_export_filled(test, other, size, 0x5c, &shmem);
	handle = dbt_import(test, ctx, dmabuf, &obj);

	nreq = dbt_nreqs(ctx);
	fb1 = dbt_addfb(test, ctx, handle, 500, 64, 2048, 0, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	cookie = dbt_attached(test, ctx, nreq, true, 500, 64, &info);
	dbuf_cookie = info.cookie;
	KUNIT_EXPECT_EQ(test, info.width, 512u);
	KUNIT_EXPECT_EQ(test, info.height, 64u);
	KUNIT_EXPECT_EQ(test, info.bpp, 32u);
	KUNIT_EXPECT_EQ(test, info.data_ofs, 0u);
	KUNIT_EXPECT_EQ(test, info.buffer_sz, (u32)size);
	dbt_fb_line_is(test, ctx, cookie, 1, 2048, 2000, 0x5c);
	dbt_fb_line_is(test, ctx, cookie, 63, 63 * 2048, 2000, 0x5c);

	nreq = dbt_nreqs(ctx);
	fb2 = dbt_addfb(test, ctx, handle, 400, 32, 2048, 0, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	dbt_attached(test, ctx, nreq, false, 400, 32, &info);
	KUNIT_EXPECT_EQ(test, info.cookie, dbuf_cookie);

	nreq = dbt_nreqs(ctx);
	fb3 = dbt_addfb(test, ctx, handle, 500, 64, 2000, 0, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	cookie = dbt_attached(test, ctx, nreq, true, 500, 64, &info);
	KUNIT_EXPECT_EQ(test, info.width, 500u);
	dbt_fb_line_is(test, ctx, cookie, 7, 7 * 2000, 2000, 0x5c);

	KUNIT_EXPECT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb1, ctx->file), 0);
	KUNIT_EXPECT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb2, ctx->file), 0);
	KUNIT_EXPECT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb3, ctx->file), 0);
	/* The object keeps its display buffer until it goes. */
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 1u);
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(ctx->file, handle), 0);
	dma_buf_put(dmabuf);
	drm_gem_object_put(&shmem->base);
	flush_delayed_fput();
	dbt_expect_no_buffers(test, ctx);
}

/*
 * A dma-buf exporter whose buffer starts inside its first page, as a
 * sub-allocated buffer of another driver would.
 */
#define DBT_OFS_PAGES	4
#define DBT_OFS		256
#define DBT_OFS_SIZE	(3 * PAGE_SIZE)

/*
 * @block: if set, @pages are the pages of one allocation of that many
 * pages, not compound, as TTM makes them: only the first page has a
 * reference count.
 */
struct dbt_exporter {
	struct page *pages[DBT_OFS_PAGES];
	struct page *block;
};

static struct sg_table *dbt_exp_map(struct dma_buf_attachment *attach,
				    enum dma_data_direction dir)
{
	struct dbt_exporter *exp = attach->dmabuf->priv;
	struct scatterlist *sg;
	struct sg_table *sgt;
	size_t left = DBT_OFS_SIZE, len;
	unsigned int i;
	int ret;

	sgt = kzalloc(sizeof(*sgt), GFP_KERNEL);
	if (!sgt)
		return ERR_PTR(-ENOMEM);
	ret = sg_alloc_table(sgt, DBT_OFS_PAGES, GFP_KERNEL);
	if (ret)
		goto err_free;
	for_each_sgtable_sg(sgt, sg, i) {
		len = min_t(size_t, left, PAGE_SIZE - (i ? 0 : DBT_OFS));
		sg_set_page(sg, exp->pages[i], len, i ? 0 : DBT_OFS);
		left -= len;
	}
	ret = dma_map_sgtable(attach->dev, sgt, dir, 0);
	if (ret)
		goto err_table;
	return sgt;

err_table:
	sg_free_table(sgt);
err_free:
	kfree(sgt);
	return ERR_PTR(ret);
}

static void dbt_exp_unmap(struct dma_buf_attachment *attach,
			  struct sg_table *sgt, enum dma_data_direction dir)
{
	dma_unmap_sgtable(attach->dev, sgt, dir, 0);
	sg_free_table(sgt);
	kfree(sgt);
}

static void dbt_exporter_free(struct dbt_exporter *exp)
{
	unsigned int i;

	if (exp->block)
		__free_pages(exp->block, ilog2(DBT_OFS_PAGES));
	for (i = 0; i < DBT_OFS_PAGES && !exp->block; i++)
		if (exp->pages[i])
			__free_page(exp->pages[i]);
	kfree(exp);
}

static struct dbt_exporter *dbt_exporter_alloc(void)
{
	struct dbt_exporter *exp;
	unsigned int i;

	exp = kzalloc(sizeof(*exp), GFP_KERNEL);
	if (!exp)
		return NULL;
	for (i = 0; i < DBT_OFS_PAGES; i++) {
		exp->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!exp->pages[i]) {
			dbt_exporter_free(exp);
			return NULL;
		}
	}
	return exp;
}

static void dbt_exp_release(struct dma_buf *dmabuf)
{
	dbt_exporter_free(dmabuf->priv);
}

static const struct dma_buf_ops dbt_exp_ops = {
	.map_dma_buf = dbt_exp_map,
	.unmap_dma_buf = dbt_exp_unmap,
	.release = dbt_exp_release,
};

/*
 * Pages the exporter does not reference-count cannot be shared: their
 * grants would take page references. The import fails with nothing
 * granted or sent, and the pages stay the exporter's.
 */
static void dbt_prime_import_uncounted(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	struct dbt_exporter *exp;
	struct drm_gem_object *obj;
	struct dma_buf *dmabuf;
	unsigned int i, nreq;
	struct page *block;

	block = alloc_pages(GFP_KERNEL | __GFP_ZERO, ilog2(DBT_OFS_PAGES));
	KUNIT_ASSERT_NOT_NULL(test, block);
	exp = kzalloc(sizeof(*exp), GFP_KERNEL);
	if (!exp)
		__free_pages(block, ilog2(DBT_OFS_PAGES));
	KUNIT_ASSERT_NOT_NULL(test, exp);
	exp->block = block;
	for (i = 0; i < DBT_OFS_PAGES; i++)
		exp->pages[i] = exp->block + i;
	KUNIT_EXPECT_EQ(test, page_count(exp->pages[1]), 0);

	exp_info.ops = &dbt_exp_ops;
	exp_info.size = DBT_OFS_SIZE;
	exp_info.flags = O_RDWR;
	exp_info.priv = exp;
	dmabuf = dma_buf_export(&exp_info);
	if (IS_ERR(dmabuf))
		dbt_exporter_free(exp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);

	nreq = dbt_nreqs(ctx);
	obj = drm_gem_prime_import(&ctx->xdrm->drm, dmabuf);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(obj), -EINVAL);
	if (!IS_ERR(obj))
		drm_gem_object_put(obj);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
	dbt_expect_no_buffers(test, ctx);
	for (i = 1; i < DBT_OFS_PAGES; i++)
		KUNIT_EXPECT_EQ(test, page_count(exp->pages[i]), 0);
	dma_buf_put(dmabuf);
	flush_delayed_fput();
	dbt_expect_no_buffers(test, ctx);
}

/*
 * Import of a buffer at offset 256 of its first page: data_ofs 256 for its
 * framebuffer at offset 0; a framebuffer at offset 4000 into it starts at
 * byte 256 + 4000 - 4096 of its second page.
 */
static void dbt_prime_import_offset(struct kunit *test)
{
	DEFINE_DMA_BUF_EXPORT_INFO(exp_info);
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	struct xdf_sim_dbuf_info info;
	struct xdf_sim_grant_info ginfo;
	struct dbt_exporter *exp;
	struct drm_gem_object *obj;
	struct xendispl_req req;
	struct dma_buf *dmabuf;
	unsigned int nreq;
	grant_ref_t refs[DBT_OFS_PAGES];
	u32 handle, fb_id, fb2_id;
	u8 *data, px[64];
	int err;

	exp = dbt_exporter_alloc();
	KUNIT_ASSERT_NOT_NULL(test, exp);
	/* The exporter's bytes, from its first one at page 0 + 256. */
	data = vmap(exp->pages, DBT_OFS_PAGES, VM_MAP, PAGE_KERNEL);
	if (data) {
		dbt_fill(data + DBT_OFS, DBT_OFS_SIZE, 0x61);
		vunmap(data);
	}
	exp_info.ops = &dbt_exp_ops;
	exp_info.size = DBT_OFS_SIZE;
	exp_info.flags = O_RDWR;
	exp_info.priv = exp;
	dmabuf = data ? dma_buf_export(&exp_info) : ERR_PTR(-ENOMEM);
	if (IS_ERR(dmabuf))
		dbt_exporter_free(exp);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);

	nreq = dbt_nreqs(ctx);
	obj = drm_gem_prime_import(&ctx->xdrm->drm, dmabuf);
	dma_buf_put(dmabuf);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, obj);
	KUNIT_ASSERT_EQ(test, drm_gem_handle_create(ctx->file, obj, &handle), 0);
	drm_gem_object_put(obj);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);

	/* Lines of 1024 bytes, 12 of them: the whole buffer. */
	fb_id = dbt_addfb(test, ctx, handle, 256, 12, 1024, 0, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 2);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_dbuf(ctx->sdev,
						     xdf_gem_to_dbuf(obj)->cookie,
						     &info));
	KUNIT_EXPECT_EQ(test, info.data_ofs, (u32)DBT_OFS);
	KUNIT_EXPECT_EQ(test, info.buffer_sz, (u32)(DBT_OFS + DBT_OFS_SIZE));
	KUNIT_EXPECT_EQ(test, info.num_pages, (unsigned int)DBT_OFS_PAGES);
	KUNIT_EXPECT_EQ(test, info.width, 256u);
	KUNIT_EXPECT_EQ(test, info.height, 12u);
	dbt_backend_sees(test, ctx, info.cookie, DBT_OFS_SIZE, 0x61);

	/* 2 lines from byte 4000 of the buffer: page 1, data_ofs 160. */
	fb2_id = dbt_addfb(test, ctx, handle, 256, 2, 1024, 4000, &err);
	KUNIT_ASSERT_EQ(test, err, 0);
	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 4);
	req = dbt_req(test, ctx, nreq + 2);
	KUNIT_ASSERT_EQ(test, req.operation, XENDISPL_OP_DBUF_CREATE);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_dbuf(ctx->sdev,
						     req.op.dbuf_create.dbuf_cookie,
						     &info));
	KUNIT_EXPECT_EQ(test, info.data_ofs, (u32)(DBT_OFS + 4000 - PAGE_SIZE));
	KUNIT_EXPECT_EQ(test, info.width, 256u);
	/* Every whole line left: (3 pages - 4000 bytes) / 1024. */
	KUNIT_EXPECT_EQ(test, info.height, 8u);
	KUNIT_EXPECT_EQ(test, info.buffer_sz, info.data_ofs + 8 * 1024);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_dbuf_refs(ctx->sdev, info.cookie,
							refs, ARRAY_SIZE(refs)),
			DBT_OFS_PAGES - 1u);
	KUNIT_ASSERT_TRUE(test, xdf_sim_grant_info(refs[0], &ginfo));
	KUNIT_EXPECT_PTR_EQ(test, ginfo.page, exp->pages[1]);
	req = dbt_req(test, ctx, nreq + 3);
	KUNIT_EXPECT_EQ(test, req.op.fb_attach.dbuf_cookie, info.cookie);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_fb_read(ctx->sdev,
						      req.op.fb_attach.fb_cookie,
						      0, 1, px, sizeof(px)), 0);
	/* Line 1 of the framebuffer: byte 4000 + 1024 of the buffer. */
	KUNIT_EXPECT_EQ(test, dbt_mismatch_at(px, sizeof(px), 5024, 0x61),
			sizeof(px));

	KUNIT_EXPECT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb2_id, ctx->file),
			0);
	KUNIT_EXPECT_EQ(test, drm_mode_rmfb(&ctx->xdrm->drm, fb_id, ctx->file),
			0);
	KUNIT_EXPECT_EQ(test, drm_gem_handle_delete(ctx->file, handle), 0);
	flush_delayed_fput();
	dbt_expect_no_buffers(test, ctx);
}

/*
 * The simulated backend itself, driven with hand-made directories: it
 * accepts a good one and refuses, unmapping what it mapped, a directory
 * that starts at ref 0 or an unknown ref, lists too few references or an
 * unknown one, has too few pages, loops or goes on too long.
 */
struct dbt_raw {
	unsigned int npages;
	struct page **pages;
	grant_ref_t *refs;
};

static void dbt_raw_grant(struct kunit *test, struct dbt_raw *raw,
			  unsigned int n)
{
	unsigned int i;
	int ref;

	raw->pages = kunit_kcalloc(test, n, sizeof(*raw->pages), GFP_KERNEL);
	raw->refs = kunit_kcalloc(test, n, sizeof(*raw->refs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, raw->pages);
	KUNIT_ASSERT_NOT_NULL(test, raw->refs);
	for (i = 0; i < n; i++) {
		raw->pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, raw->pages[i]);
		ref = xdf_xen_grant_page(XDF_SIM_BACK_DOMID, raw->pages[i], false);
		if (ref < 0)
			__free_page(raw->pages[i]);
		KUNIT_ASSERT_GT(test, ref, 0);
		raw->refs[i] = ref;
		raw->npages++;
	}
}

static void dbt_raw_free(struct dbt_raw *raw)
{
	unsigned int i;

	for (i = 0; i < raw->npages; i++)
		xdf_xen_end_access(raw->refs[i], raw->pages[i]);
	raw->npages = 0;
}

static int dbt_raw_request(struct dbt_ctx *ctx, struct xendispl_req *req)
{
	int idx, ret;

	if (!drm_dev_enter(&ctx->xdrm->drm, &idx))
		return -ENODEV;
	ret = xdf_request(ctx->xdrm->chs, 0, req, NULL);
	drm_dev_exit(idx);
	return ret;
}

static int dbt_raw_create(struct dbt_ctx *ctx, u64 cookie, grant_ref_t dir,
			  u32 pages)
{
	struct xendispl_req req = {
		.operation = XENDISPL_OP_DBUF_CREATE,
		.op.dbuf_create = {
			.dbuf_cookie = cookie,
			.buffer_sz = pages * PAGE_SIZE,
			.gref_directory = dir,
		},
	};

	return dbt_raw_request(ctx, &req);
}

static int dbt_raw_destroy(struct dbt_ctx *ctx, u64 cookie)
{
	struct xendispl_req req = {
		.operation = XENDISPL_OP_DBUF_DESTROY,
		.op.dbuf_destroy.dbuf_cookie = cookie,
	};

	return dbt_raw_request(ctx, &req);
}

static struct xendispl_page_directory *dbt_raw_dir(struct dbt_raw *raw,
						   unsigned int i)
{
	return page_address(raw->pages[i]);
}

/* Refused, and nothing of it stays mapped or known. */
static void dbt_raw_expect_refused(struct kunit *test, struct dbt_ctx *ctx,
				   grant_ref_t dir, u32 pages)
{
	struct xdf_sim_counters c;

	KUNIT_EXPECT_EQ(test, dbt_raw_create(ctx, 77, dir, pages), -EINVAL);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.backend_maps, 2u);
	KUNIT_EXPECT_EQ(test, c.backend_dbufs, 0u);
}

static void dbt_sim_strict_backend(struct kunit *test)
{
	const unsigned int per_page = XENDISPL_PAGE_DIR_GREFS_PER_PAGE;
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	struct xdf_sim_dbuf_stats st;
	struct xdf_sim_counters c;
	struct dbt_raw dir = {}, buf = {};
	struct xendispl_page_directory *d0, *d1;
	unsigned int i;

	ctx->violations_expected = true;
	dbt_raw_grant(test, &dir, 2);
	dbt_raw_grant(test, &buf, 3);
	d0 = dbt_raw_dir(&dir, 0);
	d1 = dbt_raw_dir(&dir, 1);
	for (i = 0; i < 3; i++)
		d0->gref[i] = buf.refs[i];

	/* Good: 3 pages; the backend maps them while it holds the buffer. */
	KUNIT_EXPECT_EQ(test, dbt_raw_create(ctx, 77, dir.refs[0], 3), 0);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.backend_maps, 2u + 3);
	KUNIT_EXPECT_EQ(test, c.backend_dbufs, 1u);
	/* The same cookie again is refused. */
	KUNIT_EXPECT_EQ(test, dbt_raw_create(ctx, 77, dir.refs[0], 3), -EINVAL);
	KUNIT_EXPECT_EQ(test, dbt_raw_destroy(ctx, 77), 0);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.backend_maps, 2u);
	/* Destroying it twice is the frontend's protocol error. */
	KUNIT_EXPECT_EQ(test, dbt_raw_destroy(ctx, 77), -ENOENT);

	/* Cookie 0, ref 0, unknown ref. */
	KUNIT_EXPECT_EQ(test, dbt_raw_create(ctx, 0, dir.refs[0], 3), -EINVAL);
	dbt_raw_expect_refused(test, ctx, 0, 3);
	dbt_raw_expect_refused(test, ctx, 31000, 3);
	/* Too few references: the third is 0, then unknown. */
	d0->gref[2] = 0;
	dbt_raw_expect_refused(test, ctx, dir.refs[0], 3);
	d0->gref[2] = 31000;
	dbt_raw_expect_refused(test, ctx, dir.refs[0], 3);
	d0->gref[2] = buf.refs[2];
	/* The chain goes on past the last page it needs. */
	d0->gref_dir_next_page = dir.refs[1];
	dbt_raw_expect_refused(test, ctx, dir.refs[0], 3);
	/* Too few directory pages for 1024 pages. */
	d0->gref_dir_next_page = 0;
	dbt_raw_expect_refused(test, ctx, dir.refs[0], per_page + 1);
	/* A loop: to itself, and through the second page. */
	d0->gref_dir_next_page = dir.refs[0];
	dbt_raw_expect_refused(test, ctx, dir.refs[0], per_page + 1);
	d0->gref_dir_next_page = dir.refs[1];
	d1->gref_dir_next_page = dir.refs[0];
	dbt_raw_expect_refused(test, ctx, dir.refs[0], 2 * per_page + 1);

	xdf_sim_backend_dbuf_stats(ctx->sdev, &st);
	KUNIT_EXPECT_EQ(test, st.created, 1u);
	KUNIT_EXPECT_EQ(test, st.destroyed, 1u);
	KUNIT_EXPECT_EQ(test, st.unknown_destroys, 1u);
	KUNIT_EXPECT_EQ(test, st.refused, 10u);
	dbt_raw_free(&buf);
	dbt_raw_free(&dir);
	dbt_expect_no_buffers(test, ctx);
}

/* Grant exhaustion while granting the buffer pages or the directory. */
static void dbt_grant_fails_case(struct kunit *test, u32 height,
				 unsigned int budget)
{
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	unsigned int nreq = dbt_nreqs(ctx);
	struct dbt_buf buf;

	xdf_sim_gnttab_fail_after(budget);
	KUNIT_EXPECT_EQ(test, dbt_create(test, ctx, 1024, height, 32, &buf),
			-ENOSPC);
	xdf_sim_gnttab_fail_after(-1);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
	dbt_expect_no_buffers(test, ctx);
}

static void dbt_grant_fails_pages(struct kunit *test)
{
	dbt_grant_fails_case(test, 100, 50);
}

static void dbt_grant_fails_first_dir(struct kunit *test)
{
	dbt_grant_fails_case(test, 100, 100);
}

/* 1024 pages: the second directory page cannot be granted. */
static void dbt_grant_fails_second_dir(struct kunit *test)
{
	dbt_grant_fails_case(test, 1024, 1025);
}

/*
 * Shmem page allocation failing on a chosen page. GEM shmem objects are
 * VM_NORESERVE: each page is charged to the committed memory as it is
 * allocated, and fails with overcommit off once the commit limit is
 * reached. UML has one CPU, so the committed count is exact and the limit
 * can let precisely @allow more pages through (the reserves are set to 0
 * so that only the limit counts). Undone by dbt_commit_unlimit(), and by
 * the suite's exit if the test ends early.
 */
static void dbt_commit_limit(struct dbt_ctx *ctx, unsigned long allow)
{
	/* A charge fails when it makes committed pages reach the limit. */
	unsigned long limit = vm_memory_committed() + allow + 1 -
			      total_swap_pages;

	if (!ctx->commit_limited) {
		ctx->saved_overcommit_memory = sysctl_overcommit_memory;
		ctx->saved_overcommit_kbytes = sysctl_overcommit_kbytes;
		ctx->saved_admin_reserve_kbytes = sysctl_admin_reserve_kbytes;
		ctx->saved_user_reserve_kbytes = sysctl_user_reserve_kbytes;
		ctx->commit_limited = true;
	}
	sysctl_admin_reserve_kbytes = 0;
	sysctl_user_reserve_kbytes = 0;
	sysctl_overcommit_kbytes = limit << (PAGE_SHIFT - 10);
	sysctl_overcommit_memory = OVERCOMMIT_NEVER;
}

static void dbt_commit_unlimit(struct dbt_ctx *ctx)
{
	if (!ctx->commit_limited)
		return;
	sysctl_overcommit_memory = ctx->saved_overcommit_memory;
	sysctl_overcommit_kbytes = ctx->saved_overcommit_kbytes;
	sysctl_admin_reserve_kbytes = ctx->saved_admin_reserve_kbytes;
	sysctl_user_reserve_kbytes = ctx->saved_user_reserve_kbytes;
	ctx->commit_limited = false;
}

/*
 * Makes a 100-page dumb buffer (1024x100, 32 bpp) with room for @allow
 * more committed pages; @committed gets the committed count before.
 */
static int dbt_create_limited(struct kunit *test, struct dbt_ctx *ctx,
			      unsigned long allow, struct dbt_buf *buf,
			      unsigned long *committed)
{
	int ret;

	/* Nothing of an earlier test may be uncharged under this one. */
	xdf_sim_settle();
	flush_delayed_fput();
	*committed = vm_memory_committed();
	dbt_commit_limit(ctx, allow);
	ret = dbt_create(test, ctx, 1024, 100, 32, buf);
	dbt_commit_unlimit(ctx);
	return ret;
}

/*
 * A 100-page dumb buffer whose shmem page @allow cannot be allocated
 * (counting from 0): the create fails with shmem's error, nothing reaches
 * the backend, and nothing is left: no handle, grant, cookie or page (the
 * committed memory is back where it was).
 */
static void dbt_shmem_fails_case(struct kunit *test, unsigned long allow)
{
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	unsigned int nreq = dbt_nreqs(ctx);
	unsigned long committed;
	struct dbt_buf buf;
	int ret;

	ret = dbt_create_limited(test, ctx, allow, &buf, &committed);
	/* shmem's -ENOSPC for a page it may not charge is out of memory. */
	KUNIT_EXPECT_EQ(test, ret, -ENOMEM);
	KUNIT_EXPECT_TRUE(test, idr_is_empty(&ctx->file->object_idr));
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
	/* The object's shmem file goes by the delayed fput of a kthread. */
	flush_delayed_fput();
	KUNIT_EXPECT_EQ(test, vm_memory_committed(), committed);
	dbt_expect_no_buffers(test, ctx);

	/* The device still works. */
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 1024, 100, 32, &buf), 0);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	dbt_expect_no_buffers(test, ctx);
}

static void dbt_shmem_fails_first(struct kunit *test)
{
	dbt_shmem_fails_case(test, 0);
}

static void dbt_shmem_fails_middle(struct kunit *test)
{
	dbt_shmem_fails_case(test, 50);
}

static void dbt_shmem_fails_last(struct kunit *test)
{
	dbt_shmem_fails_case(test, 99);
}

/*
 * The limit is exact: with room for 100 pages a 100-page buffer is made,
 * each page charged once; so with room for 99 (dbt_shmem_fails_last) the
 * first 99 pages were allocated before the last one failed.
 */
static void dbt_shmem_limit_exact(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	unsigned long committed;
	struct dbt_buf buf;
	int ret;

	ret = dbt_create_limited(test, ctx, 100, &buf, &committed);
	KUNIT_ASSERT_EQ(test, ret, 0);
	KUNIT_EXPECT_EQ(test, buf.size, 100ull * PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, vm_memory_committed(), committed + 100);
	KUNIT_EXPECT_EQ(test, dbt_buffer_grants(), 101u);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	flush_delayed_fput();
	KUNIT_EXPECT_EQ(test, vm_memory_committed(), committed);
	dbt_expect_no_buffers(test, ctx);
}

/* The backend refuses the buffer: no DBUF_DESTROY, nothing left. */
static void dbt_create_refused(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	unsigned int nreq = dbt_nreqs(ctx);
	struct dbt_buf buf;

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_DBUF_CREATE, 1,
						     XDF_SIM_STATUS, -ENOMEM), 0);
	KUNIT_EXPECT_EQ(test, dbt_create(test, ctx, 640, 480, 32, &buf),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq + 1);
	dbt_expect_no_buffers(test, ctx);
}

static void dbt_create_refused_be_alloc(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, "1");
	unsigned int nreq = dbt_nreqs(ctx);
	struct dbt_buf buf;

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_DBUF_CREATE, 1,
						     XDF_SIM_STATUS, -ENOMEM), 0);
	KUNIT_EXPECT_EQ(test, dbt_create(test, ctx, 640, 480, 32, &buf),
			-ENOMEM);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq + 1);
	dbt_expect_no_buffers(test, ctx);
}

/*
 * The backend creates the buffer but does not answer in time: the
 * frontend gives up, tells it to destroy the buffer, then revokes.
 */
static void dbt_create_timeout_case(struct kunit *test, const char *be_alloc)
{
	struct dbt_ctx *ctx = dbt_connect(test, be_alloc);
	unsigned int nreq = dbt_nreqs(ctx);
	struct xdf_sim_dbuf_stats st;
	struct xendispl_req req;
	struct dbt_buf buf;
	u64 cookie;

	WRITE_ONCE(xdf_req_timeout_ms, 200);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0,
						     XENDISPL_OP_DBUF_CREATE, 1,
						     XDF_SIM_SILENT, 0), 0);
	KUNIT_EXPECT_EQ(test, dbt_create(test, ctx, 640, 480, 32, &buf),
			-ETIMEDOUT);
	KUNIT_ASSERT_EQ(test, dbt_nreqs(ctx), nreq + 2);
	req = dbt_req(test, ctx, nreq);
	KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_DBUF_CREATE);
	cookie = req.op.dbuf_create.dbuf_cookie;
	req = dbt_req(test, ctx, nreq + 1);
	KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_DBUF_DESTROY);
	KUNIT_EXPECT_EQ(test, req.op.dbuf_destroy.dbuf_cookie, cookie);
	xdf_sim_backend_dbuf_stats(ctx->sdev, &st);
	KUNIT_EXPECT_EQ(test, st.created, 1u);
	KUNIT_EXPECT_EQ(test, st.destroyed, 1u);
	KUNIT_EXPECT_EQ(test, st.revoked_early, 0u);
	KUNIT_EXPECT_EQ(test, st.still_mapped, 0u);
	dbt_expect_no_buffers(test, ctx);
}

static void dbt_create_timeout(struct kunit *test)
{
	dbt_create_timeout_case(test, NULL);
}

static void dbt_create_timeout_be_alloc(struct kunit *test)
{
	dbt_create_timeout_case(test, "1");
}

/*
 * Frontend-allocated buffers: the directory pages stay granted writable
 * (known backends map them so) and the backend rewrites them after
 * DBUF_CREATE, with another buffer's references or with garbage. The
 * guest never reads them back: the pixels still reach the pages the
 * backend mapped at creation, and each destroy revokes exactly the grants
 * of its own buffer.
 */
static void dbt_dir_rewritten(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	struct dbt_buf a, b;
	grant_ref_t *refs;
	unsigned int i, n;

	/* Two directory pages each. */
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 1920, 1080, 32, &a), 0);
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 1920, 1080, 32, &b), 0);
	n = a.size >> PAGE_SHIFT;
	KUNIT_ASSERT_GT(test, n, XENDISPL_PAGE_DIR_GREFS_PER_PAGE);
	refs = kunit_kcalloc(test, n, sizeof(*refs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, refs);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_dbuf_refs(ctx->sdev, b.cookie,
							refs, n), n);
	KUNIT_ASSERT_EQ(test,
			xdf_sim_backend_dbuf_rewrite_dir(ctx->sdev, a.cookie,
							 refs, n),
			0);

	dbt_cpu_write(test, a.obj, 0x41);
	dbt_cpu_write(test, b.obj, 0x42);
	dbt_backend_sees(test, ctx, a.cookie, a.size, 0x41);
	dbt_backend_sees(test, ctx, b.cookie, b.size, 0x42);

	/* a's directory lists b's grants: b's must survive a's end. */
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &a), 0);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, dbt_buffer_grants(), n + 2);
	dbt_cpu_write(test, b.obj, 0x43);
	dbt_backend_sees(test, ctx, b.cookie, b.size, 0x43);

	for (i = 0; i < n; i++)
		refs[i] = 0xdead0000 + i;
	KUNIT_ASSERT_EQ(test,
			xdf_sim_backend_dbuf_rewrite_dir(ctx->sdev, b.cookie,
							 refs, n),
			0);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &b), 0);
	dbt_expect_no_buffers(test, ctx);
}

/*
 * The backend goes away with a buffer alive: freeing it later sends
 * nothing and revokes every grant; with @keep the backend still maps the
 * pages then, so revocation waits for it, and the pages stay intact.
 * Once it unmaps them, the grants end at the revoker's next retry; with
 * @wait that retry is waited for (every 100 ms, by itself), else asked.
 * @fragmented: from a grant table with no run of free references.
 */
static void dbt_backend_gone_case(struct kunit *test, bool keep, bool wait,
				  bool fragmented)
{
	struct xdf_sim_counters c;
	unsigned long deadline;
	struct dbt_ctx *ctx;
	struct dbt_buf buf;
	unsigned int n, nreq;

	xdf_sim_gnttab_no_runs(fragmented);
	ctx = dbt_connect(test, NULL);
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 640, 480, 32, &buf), 0);
	dbt_expect_runs(test, ctx, &buf, fragmented);
	n = buf.size >> PAGE_SHIFT;
	dbt_cpu_write(test, buf.obj, 0x3c);
	xdf_sim_backend_keep_dbufs(ctx->sdev, keep);

	xdf_sim_backend_set_state(ctx->sdev, XenbusStateClosing);
	xdf_sim_settle();
	KUNIT_ASSERT_TRUE(test, xdf_sim_wait_frontend_state(ctx->sdev,
							    XenbusStateClosed,
							    DBT_WAIT_MS));
	xdf_sim_settle();
	KUNIT_EXPECT_TRUE(test, drm_dev_is_unplugged(&ctx->xdrm->drm));
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), keep ? 1u : 0u);

	nreq = dbt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
	KUNIT_EXPECT_TRUE(test, ida_is_empty(&ctx->xdrm->cookies));
	xdf_sim_get_counters(&c);
	if (keep) {
		/*
		 * Revoked, waiting for the backend's unmap with the driver,
		 * not in the kernel's queue, which frees 10 a second.
		 */
		KUNIT_EXPECT_EQ(test, c.grants, n);
		KUNIT_EXPECT_EQ(test, c.deferred, 0u);
		KUNIT_EXPECT_EQ(test, c.backend_maps, n);
		/* The pages were not given back while mapped. */
		dbt_backend_sees(test, ctx, buf.cookie, buf.size, 0x3c);
		xdf_sim_backend_drop_dbufs(ctx->sdev);
		/* Ended at the next retry, all at once. */
		if (!wait)
			xdf_dbuf_revoke_flush();
		deadline = jiffies + msecs_to_jiffies(2000);
		xdf_sim_get_counters(&c);
		while (wait && c.grants && time_before(jiffies, deadline)) {
			msleep(20);
			xdf_sim_get_counters(&c);
		}
	}
	KUNIT_EXPECT_EQ(test, c.grants, 0u);
	KUNIT_EXPECT_EQ(test, c.deferred, 0u);
	KUNIT_EXPECT_EQ(test, c.backend_maps, 0u);
	KUNIT_EXPECT_EQ(test, c.backend_dbufs, 0u);
	KUNIT_EXPECT_EQ(test, c.misuse, 0u);
}

static void dbt_backend_gone(struct kunit *test)
{
	dbt_backend_gone_case(test, false, false, false);
}

static void dbt_backend_gone_still_mapped(struct kunit *test)
{
	dbt_backend_gone_case(test, true, false, false);
}

/* The same, nobody asking the revoker to retry: it does by itself. */
static void dbt_revoke_retries(struct kunit *test)
{
	dbt_backend_gone_case(test, true, true, false);
}

/* As dbt_backend_gone_still_mapped(), the grants made one by one. */
static void dbt_backend_gone_still_mapped_fragmented(struct kunit *test)
{
	dbt_backend_gone_case(test, true, false, true);
}

/*
 * The backend still maps the page directory when the buffer goes: the
 * directory's grants wait for it and its memory stays as the backend
 * reads it, not handed to the next allocation of its size, until the
 * backend unmaps it; then everything ends.
 */
static void dbt_dir_still_mapped(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, NULL);
	struct xendispl_page_directory *dir[2];
	grant_ref_t dir_refs[4], first;
	struct xdf_sim_counters base, c;
	struct dbt_buf buf;
	unsigned int i, ndir;
	void *reuse;

	/* The rings' grants and mappings. */
	xdf_sim_get_counters(&base);
	/* 2025 pages: two directory pages. */
	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 1920, 1080, 32, &buf), 0);
	ndir = xdf_sim_backend_dbuf_dir_refs(ctx->sdev, buf.cookie, dir_refs,
					     ARRAY_SIZE(dir_refs));
	KUNIT_ASSERT_EQ(test, ndir, 2u);
	for (i = 0; i < ndir; i++)
		KUNIT_ASSERT_EQ(test, xdf_sim_backend_map(dir_refs[i],
							  (void **)&dir[i]), 0);
	first = READ_ONCE(dir[0]->gref[0]);
	KUNIT_EXPECT_EQ(test, READ_ONCE(dir[0]->gref_dir_next_page),
			dir_refs[1]);

	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	xdf_sim_settle();
	/* What a freed directory's memory would be given to next. */
	reuse = kmalloc(ndir * PAGE_SIZE, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, reuse);
	memset(reuse, 0xa5, ndir * PAGE_SIZE);

	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ_MSG(test, c.grants, base.grants + ndir,
			    "only the directory's grants are left");
	KUNIT_EXPECT_EQ(test, c.backend_maps, base.backend_maps + ndir);
	KUNIT_EXPECT_EQ(test, c.deferred, 0u);
	/* As the backend reads it, not another's memory. */
	KUNIT_EXPECT_EQ(test, dir[0]->gref[0], first);
	KUNIT_EXPECT_EQ(test, dir[0]->gref_dir_next_page, dir_refs[1]);
	KUNIT_EXPECT_EQ(test, dir[1]->gref_dir_next_page, 0u);
	kfree(reuse);

	for (i = 0; i < ndir; i++)
		xdf_sim_backend_unmap(dir_refs[i]);
	xdf_dbuf_revoke_flush();
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.grants, base.grants);
	KUNIT_EXPECT_EQ(test, c.backend_maps, base.backend_maps);
	KUNIT_EXPECT_EQ(test, c.deferred, 0u);
	KUNIT_EXPECT_EQ(test, c.misuse, 0u);
}

/* be-alloc: the backend goes; the frontend still unmaps before freeing. */
static void dbt_backend_gone_be_alloc(struct kunit *test)
{
	struct dbt_ctx *ctx = dbt_connect(test, "1");
	struct xdf_sim_counters c;
	struct dbt_buf buf;
	unsigned int n, nreq;

	KUNIT_ASSERT_EQ(test, dbt_create(test, ctx, 640, 480, 32, &buf), 0);
	n = buf.size >> PAGE_SHIFT;
	dbt_cpu_write(test, buf.obj, 0x3d);
	xdf_sim_backend_set_state(ctx->sdev, XenbusStateClosing);
	xdf_sim_settle();
	KUNIT_ASSERT_TRUE(test, xdf_sim_wait_frontend_state(ctx->sdev,
							    XenbusStateClosed,
							    DBT_WAIT_MS));
	xdf_sim_settle();
	/* The backend revoked its pages; they stay while we map them. */
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.backend_grants, n);
	KUNIT_EXPECT_EQ(test, c.foreign_maps, n);
	dbt_cpu_write(test, buf.obj, 0x3e);

	nreq = dbt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, dbt_destroy(ctx, &buf), 0);
	KUNIT_EXPECT_EQ(test, dbt_nreqs(ctx), nreq);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.grants, 0u);
	KUNIT_EXPECT_EQ(test, c.foreign_maps, 0u);
	KUNIT_EXPECT_EQ(test, c.foreign_pages, 0u);
	KUNIT_EXPECT_EQ(test, c.backend_grants, 0u);
	KUNIT_EXPECT_EQ(test, c.misuse, 0u);
	KUNIT_EXPECT_TRUE(test, ida_is_empty(&ctx->xdrm->cookies));
	KUNIT_EXPECT_EQ(test, ctx->xdrm->be_alloc_count, 0u);
}

static int dbt_init(struct kunit *test)
{
	struct dbt_ctx *ctx;

	xdf_sim_reset();
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->saved_timeout = xdf_req_timeout_ms;
	ctx->saved_max_buffers = xdf_be_alloc_max_buffers;
	ctx->saved_max_mib = xdf_be_alloc_max_mib;
	test->priv = ctx;
	return 0;
}

static void dbt_exit(struct kunit *test)
{
	struct dbt_ctx *ctx = test->priv;
	struct xdf_sim_dbuf_stats st;

	dbt_commit_unlimit(ctx);

	if (ctx->sdev && !IS_ERR(ctx->sdev) && !ctx->violations_expected) {
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
	dbt_close(ctx);
	/* dma-buf files of a kthread are released by the delayed fput. */
	flush_delayed_fput();
	if (ctx->pdev)
		platform_device_unregister(ctx->pdev);
	if (ctx->sdev && !IS_ERR(ctx->sdev))
		xdf_sim_dev_remove(ctx->sdev);
	WRITE_ONCE(xdf_req_timeout_ms, ctx->saved_timeout);
	WRITE_ONCE(xdf_be_alloc_max_buffers, ctx->saved_max_buffers);
	WRITE_ONCE(xdf_be_alloc_max_mib, ctx->saved_max_mib);
	xdf_sim_expect_clean(test);
}

static struct kunit_case dbt_cases[] = {
	KUNIT_CASE(dbt_layout),
	KUNIT_CASE(dbt_dumb_pixels_32),
	KUNIT_CASE(dbt_dumb_pixels_24),
	KUNIT_CASE(dbt_dumb_pixels_8),
	KUNIT_CASE(dbt_dumb_pixels_fragmented),
	KUNIT_CASE(dbt_bad_input),
	KUNIT_CASE(dbt_be_alloc),
	KUNIT_CASE(dbt_be_alloc_bad_refs),
	KUNIT_CASE(dbt_be_alloc_too_few),
	KUNIT_CASE(dbt_be_alloc_map_fails),
	KUNIT_CASE(dbt_be_alloc_pages_fail),
	KUNIT_CASE(dbt_be_alloc_budget),
	KUNIT_CASE(dbt_prime_export),
	KUNIT_CASE(dbt_prime_export_be_alloc),
	KUNIT_CASE(dbt_prime_handle_outlives),
	KUNIT_CASE(dbt_prime_import),
	KUNIT_CASE(dbt_prime_import_offset),
	KUNIT_CASE(dbt_prime_import_uncounted),
	KUNIT_CASE(dbt_prime_import_addfb),
	KUNIT_CASE(dbt_prime_import_pitch),
	KUNIT_CASE(dbt_fb_pitch_offset),
	KUNIT_CASE(dbt_pages_shared),
	KUNIT_CASE(dbt_fb_pitch_refused),
	KUNIT_CASE(dbt_fb_offset_v1),
	KUNIT_CASE(dbt_grant_fails_pages),
	KUNIT_CASE(dbt_grant_fails_first_dir),
	KUNIT_CASE(dbt_grant_fails_second_dir),
	KUNIT_CASE(dbt_shmem_fails_first),
	KUNIT_CASE(dbt_shmem_fails_middle),
	KUNIT_CASE(dbt_shmem_fails_last),
	KUNIT_CASE(dbt_shmem_limit_exact),
	KUNIT_CASE(dbt_create_refused),
	KUNIT_CASE(dbt_create_refused_be_alloc),
	KUNIT_CASE(dbt_create_timeout),
	KUNIT_CASE(dbt_create_timeout_be_alloc),
	KUNIT_CASE(dbt_dir_rewritten),
	KUNIT_CASE(dbt_backend_gone),
	KUNIT_CASE(dbt_backend_gone_still_mapped),
	KUNIT_CASE(dbt_backend_gone_still_mapped_fragmented),
	KUNIT_CASE(dbt_revoke_retries),
	KUNIT_CASE(dbt_dir_still_mapped),
	KUNIT_CASE(dbt_backend_gone_be_alloc),
	KUNIT_CASE(dbt_sim_strict_backend),
	{}
};

static struct kunit_suite dbt_suite = {
	.name = "xen_drm_front_dbuf",
	.init = dbt_init,
	.exit = dbt_exit,
	.test_cases = dbt_cases,
};

kunit_test_suite(dbt_suite);
