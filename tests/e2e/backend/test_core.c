// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Unit test of the backend's protocol core, without Xen: a simulated grant
 * table stands in for the frontend's memory. Covers the page directory
 * walk, cookie bookkeeping and the protocol checks, the EDID, and PNG
 * output. Run under valgrind (make check): every mapping must be undone.
 *
 * Ends with "N passed, N failed"; exit status 1 if any test failed.
 * TEST_VERBOSE=1 shows the core's log.
 */
#include <errno.h>
#include <png.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <drm_fourcc.h>

#include "capture.h"
#include "core.h"
#include "edid.h"
#include "format.h"
#include "log.h"

#define PAGE	XENDISPL_PAGE_SIZE
#define MAX_GREFS 8192
#define MAX_MAPS 64

/* ---- a simulated grant table ---- */

struct grant {
	uint8_t *data;
	bool used;
	bool readonly;
	bool owned;		/* data is ours to free (frontend page) */
};

struct mapping {
	uint8_t *addr;
	uint32_t count;
	uint32_t *refs;
	bool writable;
	bool shared;		/* from share(), not map() */
};

struct fake {
	struct grant g[MAX_GREFS];
	uint32_t next_ref;
	struct mapping maps[MAX_MAPS];
	int fail_errno;		/* make a map() fail with this errno ... */
	int fail_after;		/* ... after letting this many through */
	/* what the core reported */
	unsigned int flips;
	uint64_t last_flip;
	unsigned int last_flip_conn;
	unsigned int shown;
	struct be_frame last_frame;
};

static struct mapping *slot(struct fake *f, void *addr)
{
	unsigned int i;

	for (i = 0; i < MAX_MAPS; i++)
		if (f->maps[i].addr == addr)
			return &f->maps[i];
	return NULL;
}

static unsigned int live_mappings(struct fake *f)
{
	unsigned int i, n = 0;

	for (i = 0; i < MAX_MAPS; i++)
		n += f->maps[i].addr != NULL;
	return n;
}

static void *fake_map(void *ctx, uint32_t count, const uint32_t *refs,
		      bool writable)
{
	struct fake *f = ctx;
	struct mapping *m;
	uint32_t i;

	if (f->fail_errno && f->fail_after-- == 0) {
		errno = f->fail_errno;
		f->fail_errno = 0;
		return NULL;
	}
	for (i = 0; i < count; i++) {
		if (refs[i] >= MAX_GREFS || !f->g[refs[i]].used) {
			errno = EINVAL;
			return NULL;
		}
		if (writable && f->g[refs[i]].readonly) {
			errno = EPERM;
			return NULL;
		}
	}
	m = slot(f, NULL);
	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	m->addr = malloc((size_t)count * PAGE);
	m->refs = malloc(count * sizeof(*refs));
	if (!m->addr || !m->refs)
		abort();
	m->count = count;
	m->writable = writable;
	m->shared = false;
	memcpy(m->refs, refs, count * sizeof(*refs));
	for (i = 0; i < count; i++)
		memcpy(m->addr + (size_t)i * PAGE, f->g[refs[i]].data, PAGE);
	return m->addr;
}

static int unexpected_unmaps;

static void fake_unmap(void *ctx, void *addr, uint32_t count)
{
	struct fake *f = ctx;
	struct mapping *m = slot(f, addr);
	uint32_t i;

	if (!addr || !m || m->shared || m->count != count) {
		unexpected_unmaps++;
		return;
	}
	/* Writes through a mapping reach the granted pages. */
	if (m->writable)
		for (i = 0; i < count; i++)
			memcpy(f->g[m->refs[i]].data, m->addr + (size_t)i * PAGE, PAGE);
	free(m->addr);
	free(m->refs);
	memset(m, 0, sizeof(*m));
}

static uint32_t new_ref(struct fake *f)
{
	if (f->next_ref == 0)
		f->next_ref = 8;	/* low references are the toolstack's */
	if (f->next_ref >= MAX_GREFS)
		abort();
	return f->next_ref++;
}

static void *fake_share(void *ctx, uint32_t count, uint32_t *refs)
{
	struct fake *f = ctx;
	struct mapping *m = slot(f, NULL);
	uint32_t i;

	if (!m) {
		errno = ENOMEM;
		return NULL;
	}
	m->addr = calloc(count, PAGE);
	m->refs = malloc(count * sizeof(*refs));
	if (!m->addr || !m->refs)
		abort();
	m->count = count;
	m->shared = true;
	for (i = 0; i < count; i++) {
		refs[i] = m->refs[i] = new_ref(f);
		f->g[refs[i]] = (struct grant){
			.data = m->addr + (size_t)i * PAGE, .used = true,
		};
	}
	return m->addr;
}

static void fake_unshare(void *ctx, void *addr, uint32_t count)
{
	struct fake *f = ctx;
	struct mapping *m = slot(f, addr);
	uint32_t i;

	if (!addr || !m || !m->shared || m->count != count) {
		unexpected_unmaps++;
		return;
	}
	for (i = 0; i < count; i++)
		memset(&f->g[m->refs[i]], 0, sizeof(f->g[0]));
	free(m->addr);
	free(m->refs);
	memset(m, 0, sizeof(*m));
}

static void fake_flipped(void *ctx, unsigned int conn, uint64_t cookie)
{
	struct fake *f = ctx;

	f->flips++;
	f->last_flip = cookie;
	f->last_flip_conn = conn;
}

static void fake_shown(void *ctx, unsigned int conn, const struct be_frame *fr)
{
	struct fake *f = ctx;

	(void)conn;
	f->shown++;
	f->last_frame = *fr;
}

/* A frontend page granted to the backend. */
static uint32_t fe_page(struct fake *f, bool readonly)
{
	uint32_t ref = new_ref(f);

	f->g[ref] = (struct grant){
		.data = calloc(1, PAGE), .used = true, .readonly = readonly,
		.owned = true,
	};
	if (!f->g[ref].data)
		abort();
	return ref;
}

static uint8_t *page_of(struct fake *f, uint32_t ref)
{
	return f->g[ref].data;
}

/*
 * A frontend buffer of num_pages pages and its directory, as displif.h
 * section 6 says. refs gets the buffer's references (may be NULL). With
 * empty, the directory is left unfilled (backend allocation).
 */
static uint32_t fe_buffer(struct fake *f, uint32_t num_pages, uint32_t *refs,
			  bool empty, bool readonly)
{
	uint32_t per = XENDISPL_PAGE_DIR_GREFS_PER_PAGE;
	uint32_t num_dir = (num_pages + per - 1) / per, i, first = 0, prev = 0;

	for (i = 0; i < num_dir; i++) {
		uint32_t dref = fe_page(f, !empty);

		if (prev)
			((struct xendispl_page_directory *)page_of(f, prev))->gref_dir_next_page = dref;
		else
			first = dref;
		prev = dref;
	}
	for (i = 0; i < num_pages && !empty; i++) {
		uint32_t ref = fe_page(f, readonly), d = first, j;

		for (j = 0; j < i / per; j++)
			d = ((struct xendispl_page_directory *)page_of(f, d))->gref_dir_next_page;
		((struct xendispl_page_directory *)page_of(f, d))->gref[i % per] = ref;
		if (refs)
			refs[i] = ref;
	}
	return first;
}

static void fake_free(struct fake *f)
{
	uint32_t i;

	for (i = 0; i < MAX_GREFS; i++)
		if (f->g[i].owned)
			free(f->g[i].data);
	free(f);
}

/* ---- test harness ---- */

static const char *current;
static int failed_checks;

#define CHECK(cond) do {						\
	if (!(cond)) {							\
		failed_checks++;					\
		fprintf(stderr, "%s:%d: %s: CHECK(%s) failed\n",	\
			__FILE__, __LINE__, current, #cond);		\
	}								\
} while (0)

struct t {
	struct fake *f;
	struct be_host host;
	struct be_opts opts;
	struct be_cfg cfg;
	struct be_core *core;
};

static void setup(struct t *t, bool be_alloc)
{
	memset(t, 0, sizeof(*t));
	t->f = calloc(1, sizeof(*t->f));
	if (!t->f)
		abort();
	t->host = (struct be_host){
		.ctx = t->f, .map = fake_map, .unmap = fake_unmap,
		.share = fake_share, .unshare = fake_unshare,
		.flipped = fake_flipped, .shown = fake_shown,
	};
	t->opts.fail_status = -EIO;
	t->cfg.num_connectors = 2;
	t->cfg.conn[0] = (struct be_connector_cfg){ 1024, 768, "mon0" };
	t->cfg.conn[1] = (struct be_connector_cfg){ 800, 600, "mon1" };
	t->cfg.be_alloc = be_alloc;
	t->core = be_core_new("test", &t->cfg, &t->host, &t->opts);
	if (!t->core)
		abort();
}

static void teardown(struct t *t)
{
	be_core_free(t->core);
	CHECK(live_mappings(t->f) == 0);
	CHECK(unexpected_unmaps == 0);
	unexpected_unmaps = 0;
	fake_free(t->f);
}

static uint64_t violations(struct t *t)
{
	return be_core_stats(t->core)->violations;
}

static int32_t request(struct t *t, unsigned int conn, struct xendispl_req *r)
{
	struct xendispl_resp rsp;

	r->id = 0x1234;
	be_core_handle(t->core, conn, r, &rsp);
	CHECK(rsp.id == 0x1234);
	CHECK(rsp.operation == r->operation);
	return rsp.status;
}

static int32_t dbuf_create(struct t *t, uint64_t cookie, uint32_t w,
			   uint32_t h, uint32_t bpp, uint32_t flags,
			   uint32_t *dir_out)
{
	uint32_t size = XENDISPL_PITCH(w, bpp) * h;
	uint32_t pages = (size + PAGE - 1) / PAGE;
	struct xendispl_req r = { .operation = XENDISPL_OP_DBUF_CREATE };
	uint32_t dir = fe_buffer(t->f, pages, NULL, flags != 0, true);

	r.op.dbuf_create = (struct xendispl_dbuf_create_req){
		.dbuf_cookie = cookie, .width = w, .height = h, .bpp = bpp,
		.buffer_sz = size, .flags = flags, .gref_directory = dir,
	};
	if (dir_out)
		*dir_out = dir;
	return request(t, 0, &r);
}

static int32_t simple(struct t *t, unsigned int conn, uint8_t op, uint64_t cookie)
{
	struct xendispl_req r = { .operation = op };

	r.op.dbuf_destroy.dbuf_cookie = cookie;	/* same place for all */
	return request(t, conn, &r);
}

static int32_t fb_attach(struct t *t, uint64_t dbuf, uint64_t fb, uint32_t w,
			 uint32_t h, uint32_t format)
{
	struct xendispl_req r = { .operation = XENDISPL_OP_FB_ATTACH };

	r.op.fb_attach = (struct xendispl_fb_attach_req){
		.dbuf_cookie = dbuf, .fb_cookie = fb, .width = w, .height = h,
		.pixel_format = format,
	};
	return request(t, 0, &r);
}

static int32_t set_config(struct t *t, unsigned int conn, uint64_t fb,
			  uint32_t x, uint32_t y, uint32_t w, uint32_t h,
			  uint32_t bpp)
{
	struct xendispl_req r = { .operation = XENDISPL_OP_SET_CONFIG };

	r.op.set_config = (struct xendispl_set_config_req){
		.fb_cookie = fb, .x = x, .y = y, .width = w, .height = h,
		.bpp = bpp,
	};
	return request(t, conn, &r);
}

/* ---- tests ---- */

static void test_pgdir_walk(void)
{
	static const uint32_t sizes[] = { 1, 2, 1022, 1023, 1024, 2046, 2047, 3000 };
	unsigned int i;

	for (i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct t t;
		uint32_t *want = calloc(sizes[i], sizeof(*want));
		uint32_t *got = calloc(sizes[i], sizeof(*got));
		uint32_t dir;

		setup(&t, false);
		dir = fe_buffer(t.f, sizes[i], want, false, true);
		CHECK(be_pgdir_read(t.core, dir, sizes[i], got) == 0);
		CHECK(memcmp(want, got, sizes[i] * sizeof(*got)) == 0);
		CHECK(violations(&t) == 0);
		free(want);
		free(got);
		teardown(&t);
	}
}

static void test_pgdir_bad(void)
{
	struct xendispl_page_directory *d;
	uint32_t refs[2048], dir;
	struct t t;

	setup(&t, false);
	/* No directory at all. */
	CHECK(be_pgdir_read(t.core, 0, 1, refs) == -EINVAL);
	CHECK(violations(&t) == 1);
	/* A reference the frontend never granted. */
	CHECK(be_pgdir_read(t.core, 4000, 1, refs) == -EINVAL);
	CHECK(violations(&t) == 2);
	/* Chain too short: 1024 pages need two directory pages. */
	dir = fe_buffer(t.f, 1023, NULL, false, true);
	CHECK(be_pgdir_read(t.core, dir, 1024, refs) == -EINVAL);
	CHECK(violations(&t) == 3);
	/* Chain too long: 10 pages need one directory page. */
	dir = fe_buffer(t.f, 1500, NULL, false, true);
	CHECK(be_pgdir_read(t.core, dir, 10, refs) == -EINVAL);
	CHECK(violations(&t) == 4);
	/* A hole in the list. */
	dir = fe_buffer(t.f, 5, NULL, false, true);
	d = (struct xendispl_page_directory *)page_of(t.f, dir);
	d->gref[3] = 0;
	CHECK(be_pgdir_read(t.core, dir, 5, refs) == -EINVAL);
	CHECK(violations(&t) == 5);
	/* Filling a directory granted read-only. */
	dir = fe_buffer(t.f, 5, NULL, false, true);
	CHECK(be_pgdir_write(t.core, dir, 5, refs) == -EINVAL);
	CHECK(violations(&t) == 6);
	teardown(&t);
}

static void test_dbuf_cookies(void)
{
	struct xendispl_req r = { .operation = XENDISPL_OP_DBUF_CREATE };
	struct t t;

	setup(&t, false);
	CHECK(dbuf_create(&t, 7, 64, 64, 32, 0, NULL) == 0);
	CHECK(be_core_num_dbufs(t.core) == 1);
	CHECK(violations(&t) == 0);
	/* Same cookie again. */
	CHECK(dbuf_create(&t, 7, 16, 16, 32, 0, NULL) == -EEXIST);
	CHECK(violations(&t) == 1);
	/* Cookie 0. */
	CHECK(dbuf_create(&t, 0, 16, 16, 32, 0, NULL) == -EINVAL);
	CHECK(violations(&t) == 2);
	/* Backend allocation without be-alloc. */
	CHECK(dbuf_create(&t, 8, 16, 16, 32, XENDISPL_DBUF_FLG_REQ_ALLOC, NULL) == -EINVAL);
	CHECK(violations(&t) == 3);
	/* Unknown flag. */
	CHECK(dbuf_create(&t, 8, 16, 16, 32, 0x100, NULL) == -EINVAL);
	CHECK(violations(&t) == 4);
	/* buffer_sz too small for pitch x height. */
	r.op.dbuf_create = (struct xendispl_dbuf_create_req){
		.dbuf_cookie = 9, .width = 100, .height = 100, .bpp = 32,
		.buffer_sz = 100 * 100 * 4 - 1,
		.gref_directory = fe_buffer(t.f, 10, NULL, false, true),
	};
	CHECK(request(&t, 0, &r) == -EINVAL);
	CHECK(violations(&t) == 5);
	/* data_ofs outside the first page. */
	r.op.dbuf_create.buffer_sz = 100 * 100 * 4 + PAGE;
	r.op.dbuf_create.data_ofs = PAGE;
	CHECK(request(&t, 0, &r) == -EINVAL);
	CHECK(violations(&t) == 6);
	/* A data_ofs within the first page is fine. */
	r.op.dbuf_create.data_ofs = 256;
	r.op.dbuf_create.buffer_sz = 100 * 100 * 4 + 256;
	CHECK(request(&t, 0, &r) == 0);
	CHECK(violations(&t) == 6);
	/* An odd depth is not supported, but not a violation. */
	CHECK(dbuf_create(&t, 10, 16, 16, 12, 0, NULL) == -EINVAL);
	CHECK(violations(&t) == 6);
	/* Destroy: unknown, then known twice. */
	CHECK(simple(&t, 0, XENDISPL_OP_DBUF_DESTROY, 99) == -ENOENT);
	CHECK(simple(&t, 0, XENDISPL_OP_DBUF_DESTROY, 7) == 0);
	CHECK(simple(&t, 0, XENDISPL_OP_DBUF_DESTROY, 7) == -ENOENT);
	CHECK(simple(&t, 0, XENDISPL_OP_DBUF_DESTROY, 9) == 0);
	CHECK(violations(&t) == 8);
	/* A destroyed cookie may be used again. */
	CHECK(dbuf_create(&t, 7, 8, 8, 32, 0, NULL) == 0);
	CHECK(violations(&t) == 8);
	/* Some geometry but not all, or none and no size. */
	CHECK(dbuf_create(&t, 11, 16, 0, 32, 0, NULL) == -EINVAL);
	CHECK(dbuf_create(&t, 11, 0, 0, 0, 0, NULL) == -EINVAL);
	CHECK(violations(&t) == 10);
	teardown(&t);
}

/* An imported buffer: its size only; the framebuffers give the pitch. */
static void test_dbuf_no_geometry(void)
{
	struct xendispl_req r = { .operation = XENDISPL_OP_DBUF_CREATE };
	const uint8_t *base;
	struct t t;

	setup(&t, false);
	r.op.dbuf_create = (struct xendispl_dbuf_create_req){
		.dbuf_cookie = 1, .buffer_sz = 64 * 64 * 4 + 128, .data_ofs = 128,
		.gref_directory = fe_buffer(t.f, 5, NULL, false, true),
	};
	CHECK(request(&t, 0, &r) == 0);
	/* 64x64 fits; 64x65 and 65x64 do not. */
	CHECK(fb_attach(&t, 1, 11, 64, 64, DRM_FORMAT_XRGB8888) == 0);
	CHECK(fb_attach(&t, 1, 12, 64, 65, DRM_FORMAT_XRGB8888) == -EINVAL);
	CHECK(fb_attach(&t, 1, 13, 65, 64, DRM_FORMAT_XRGB8888) == -EINVAL);
	/* 128x64 at 16 bpp is the same size. */
	CHECK(fb_attach(&t, 1, 14, 128, 64, DRM_FORMAT_RGB565) == 0);
	CHECK(violations(&t) == 2);
	CHECK(set_config(&t, 0, 11, 0, 0, 64, 64, 32) == 0);
	base = t.f->last_frame.pixels;
	CHECK(t.f->last_frame.pitch == 256);
	/* Wider than the fb. */
	CHECK(set_config(&t, 0, 14, 0, 0, 129, 64, 16) == -EINVAL);
	CHECK(violations(&t) == 3);
	CHECK(set_config(&t, 0, 0, 0, 0, 0, 0, 0) == 0);
	CHECK(set_config(&t, 1, 14, 0, 0, 128, 64, 16) == 0);
	CHECK(t.f->last_frame.pixels == base && t.f->last_frame.pitch == 256);
	CHECK(set_config(&t, 1, 0, 0, 0, 0, 0, 0) == 0);
	CHECK(simple(&t, 0, XENDISPL_OP_FB_DETACH, 11) == 0);
	CHECK(simple(&t, 0, XENDISPL_OP_FB_DETACH, 14) == 0);
	CHECK(simple(&t, 0, XENDISPL_OP_DBUF_DESTROY, 1) == 0);
	CHECK(live_mappings(t.f) == 0);
	teardown(&t);
}

static void test_dbuf_map_fails(void)
{
	struct t t;

	setup(&t, false);
	/* The buffer (second map, after the directory) cannot be mapped for
	 * lack of memory: not the frontend's fault. */
	t.f->fail_errno = ENOMEM;
	t.f->fail_after = 1;
	CHECK(dbuf_create(&t, 1, 64, 64, 32, 0, NULL) == -ENOMEM);
	CHECK(violations(&t) == 0);
	/* Refused by Xen (a bad grant): the frontend's. */
	t.f->fail_errno = EINVAL;
	t.f->fail_after = 1;
	CHECK(dbuf_create(&t, 1, 64, 64, 32, 0, NULL) == -EINVAL);
	CHECK(violations(&t) == 1);
	CHECK(be_core_num_dbufs(t.core) == 0);
	CHECK(live_mappings(t.f) == 0);
	teardown(&t);
}

static void test_be_alloc(void)
{
	struct xendispl_page_directory *d;
	uint32_t dir, i, w = 700, h = 10, pages;
	struct t t;

	setup(&t, true);
	pages = (XENDISPL_PITCH(w, 32) * h + PAGE - 1) / PAGE;
	CHECK(dbuf_create(&t, 5, w, h, 32, XENDISPL_DBUF_FLG_REQ_ALLOC, &dir) == 0);
	CHECK(violations(&t) == 0);
	CHECK(live_mappings(t.f) == 1);	/* the shared buffer */
	d = (struct xendispl_page_directory *)page_of(t.f, dir);
	CHECK(d->gref_dir_next_page == 0);
	for (i = 0; i < pages; i++) {
		uint32_t ref = d->gref[i];

		CHECK(ref != 0 && ref < MAX_GREFS && t.f->g[ref].used &&
		      !t.f->g[ref].owned);
	}
	CHECK(d->gref[pages] == 0);
	/* A frontend may still send frontend-allocated buffers. */
	CHECK(dbuf_create(&t, 6, 16, 16, 32, 0, NULL) == 0);
	CHECK(simple(&t, 0, XENDISPL_OP_DBUF_DESTROY, 5) == 0);
	CHECK(live_mappings(t.f) == 1);
	CHECK(violations(&t) == 0);
	/* Two directory pages filled. */
	CHECK(dbuf_create(&t, 8, 1024, 1100, 32, XENDISPL_DBUF_FLG_REQ_ALLOC, &dir) == 0);
	d = (struct xendispl_page_directory *)page_of(t.f, dir);
	CHECK(d->gref_dir_next_page != 0);
	d = (struct xendispl_page_directory *)page_of(t.f, d->gref_dir_next_page);
	/* 1100 pages: 1023 in the first directory page, 77 in the second. */
	CHECK(d->gref[76] != 0 && d->gref[77] == 0);
	CHECK(d->gref_dir_next_page == 0);
	CHECK(violations(&t) == 0);
	teardown(&t);
}

static void test_fb_flip(void)
{
	struct t t;

	setup(&t, false);
	CHECK(dbuf_create(&t, 1, 1024, 768, 32, 0, NULL) == 0);
	CHECK(dbuf_create(&t, 2, 1024, 768, 32, 0, NULL) == 0);
	CHECK(fb_attach(&t, 1, 11, 1024, 768, DRM_FORMAT_XRGB8888) == 0);
	CHECK(fb_attach(&t, 2, 12, 1024, 768, DRM_FORMAT_XRGB8888) == 0);
	CHECK(violations(&t) == 0);
	/* Duplicate fb cookie, unknown dbuf, too large, cookie 0. */
	CHECK(fb_attach(&t, 1, 11, 64, 64, DRM_FORMAT_XRGB8888) == -EEXIST);
	CHECK(fb_attach(&t, 3, 13, 64, 64, DRM_FORMAT_XRGB8888) == -ENOENT);
	CHECK(fb_attach(&t, 1, 13, 1025, 768, DRM_FORMAT_XRGB8888) == -EINVAL);
	CHECK(fb_attach(&t, 1, 0, 64, 64, DRM_FORMAT_XRGB8888) == -EINVAL);
	CHECK(violations(&t) == 4);
	/* An unsupported format is an error, not a violation. */
	CHECK(fb_attach(&t, 1, 13, 64, 64, DRM_FORMAT_NV12) == -EINVAL);
	CHECK(violations(&t) == 4);
	/* Flip before the connector is enabled. */
	CHECK(simple(&t, 0, XENDISPL_OP_PG_FLIP, 11) == -EINVAL);
	CHECK(violations(&t) == 5);
	/* Modes outside the connector, larger than the fb, wrong bpp. */
	CHECK(set_config(&t, 0, 11, 1, 0, 1024, 768, 32) == -EINVAL);
	CHECK(set_config(&t, 1, 11, 0, 0, 1024, 768, 32) == -EINVAL);
	CHECK(set_config(&t, 0, 11, 0, 0, 1024, 768, 16) == -EINVAL);
	CHECK(set_config(&t, 0, 99, 0, 0, 1024, 768, 32) == -ENOENT);
	CHECK(violations(&t) == 9);
	CHECK(t.f->shown == 0);
	/* A good mode shows the fb. */
	CHECK(set_config(&t, 0, 11, 0, 0, 1024, 768, 32) == 0);
	CHECK(be_core_shown_fb(t.core, 0) == 11);
	CHECK(t.f->shown == 1);
	CHECK(t.f->last_frame.width == 1024 && t.f->last_frame.pitch == 4096);
	CHECK(t.f->last_frame.screen_width == 1024);
	{
		struct be_frame now;

		CHECK(be_core_frame(t.core, 0, &now));
		CHECK(!memcmp(&now, &t.f->last_frame, sizeof(now)));
		CHECK(!be_core_frame(t.core, 1, &now));
		CHECK(!be_core_frame(t.core, BE_MAX_CONNECTORS, &now));
	}
	/* Flips. */
	CHECK(simple(&t, 0, XENDISPL_OP_PG_FLIP, 12) == 0);
	CHECK(t.f->flips == 1 && t.f->last_flip == 12 && t.f->last_flip_conn == 0);
	CHECK(be_core_shown_fb(t.core, 0) == 12);
	CHECK(simple(&t, 0, XENDISPL_OP_PG_FLIP, 11) == 0);
	CHECK(t.f->flips == 2 && t.f->shown == 3);
	CHECK(violations(&t) == 9);
	/* The shown fb cannot go; its dbuf neither. */
	CHECK(simple(&t, 0, XENDISPL_OP_FB_DETACH, 11) == -EBUSY);
	CHECK(simple(&t, 0, XENDISPL_OP_DBUF_DESTROY, 2) == -EBUSY);
	CHECK(violations(&t) == 11);
	/* Detach the other, then flip to it. */
	CHECK(simple(&t, 0, XENDISPL_OP_FB_DETACH, 12) == 0);
	CHECK(simple(&t, 0, XENDISPL_OP_PG_FLIP, 12) == -ENOENT);
	CHECK(violations(&t) == 12);
	CHECK(t.f->flips == 2);
	CHECK(simple(&t, 0, XENDISPL_OP_FB_DETACH, 12) == -ENOENT);
	CHECK(violations(&t) == 13);
	/* A detached fb's cookie may be attached again. */
	CHECK(fb_attach(&t, 2, 12, 800, 600, DRM_FORMAT_XRGB8888) == 0);
	/* Connector 1, smaller mode, offset. */
	CHECK(set_config(&t, 1, 12, 0, 0, 800, 600, 32) == 0);
	{
		const uint8_t *base = t.f->last_frame.pixels;

		/* x, y: where the shown part starts in the fb. */
		CHECK(set_config(&t, 1, 12, 100, 100, 700, 500, 32) == 0);
		CHECK(t.f->last_frame.pixels == base + 100 * 4096 + 400);
		CHECK(t.f->last_frame.x == 0 && t.f->last_frame.screen_width == 800);
		CHECK(t.f->last_frame.width == 700);
		/* Not within the fb. */
		CHECK(set_config(&t, 1, 12, 101, 100, 700, 500, 32) == -EINVAL);
		CHECK(violations(&t) == 14);
	}
	/* Flip to an fb that does not cover the shown area: smaller than the
	 * mode, or as large as the mode but not at its offset. */
	CHECK(fb_attach(&t, 2, 14, 64, 64, DRM_FORMAT_XRGB8888) == 0);
	CHECK(simple(&t, 1, XENDISPL_OP_PG_FLIP, 14) == -EINVAL);
	CHECK(fb_attach(&t, 2, 15, 700, 500, DRM_FORMAT_XRGB8888) == 0);
	CHECK(simple(&t, 1, XENDISPL_OP_PG_FLIP, 15) == -EINVAL);
	CHECK(violations(&t) == 16);
	/* Disable everything, then clean up in order. */
	CHECK(set_config(&t, 0, 0, 0, 0, 0, 0, 0) == 0);
	CHECK(set_config(&t, 1, 0, 0, 0, 0, 0, 0) == 0);
	CHECK(be_core_shown_fb(t.core, 0) == 0);
	{
		struct be_frame now;

		CHECK(!be_core_frame(t.core, 0, &now));
	}
	CHECK(simple(&t, 0, XENDISPL_OP_FB_DETACH, 11) == 0);
	CHECK(simple(&t, 0, XENDISPL_OP_FB_DETACH, 12) == 0);
	CHECK(simple(&t, 0, XENDISPL_OP_FB_DETACH, 14) == 0);
	CHECK(simple(&t, 0, XENDISPL_OP_FB_DETACH, 15) == 0);
	CHECK(simple(&t, 0, XENDISPL_OP_DBUF_DESTROY, 1) == 0);
	CHECK(simple(&t, 0, XENDISPL_OP_DBUF_DESTROY, 2) == 0);
	CHECK(be_core_num_dbufs(t.core) == 0 && be_core_num_fbs(t.core) == 0);
	CHECK(violations(&t) == 16);
	CHECK(live_mappings(t.f) == 0);
	teardown(&t);
}

static void test_ring_rules(void)
{
	struct xendispl_req r;
	struct t t;

	setup(&t, false);
	/* Buffer operations belong on connector 0's ring. */
	CHECK(simple(&t, 1, XENDISPL_OP_DBUF_DESTROY, 1) == -EINVAL);
	CHECK(violations(&t) == 1);
	/* Unknown operation. */
	r = (struct xendispl_req){ .operation = 0x20 };
	CHECK(request(&t, 0, &r) == -EINVAL);
	CHECK(violations(&t) == 2);
	/* A connector beyond the configuration. */
	CHECK(simple(&t, 5, XENDISPL_OP_PG_FLIP, 1) == -EINVAL);
	CHECK(violations(&t) == 3);
	/* Reserved bytes not zero: counted, the request still served. */
	r = (struct xendispl_req){ .operation = XENDISPL_OP_SET_CONFIG };
	r.reserved[2] = 1;
	CHECK(request(&t, 0, &r) == 0);
	CHECK(violations(&t) == 4);
	r = (struct xendispl_req){ .operation = XENDISPL_OP_SET_CONFIG };
	r.op.reserved[40] = 1;
	CHECK(request(&t, 0, &r) == 0);
	CHECK(violations(&t) == 5);
	/* Padding after the last field of DBUF_CREATE (offsets 44-47). */
	r = (struct xendispl_req){ .operation = XENDISPL_OP_DBUF_CREATE };
	r.op.dbuf_create = (struct xendispl_dbuf_create_req){
		.dbuf_cookie = 3, .width = 1, .height = 1, .bpp = 32,
		.buffer_sz = 4, .gref_directory = fe_buffer(t.f, 1, NULL, false, true),
	};
	r.op.reserved[37] = 0xff;
	CHECK(request(&t, 0, &r) == 0);
	CHECK(violations(&t) == 6);
	CHECK(be_core_stats(t.core)->requests == 6);
	CHECK(be_core_stats(t.core)->errors == 3);
	teardown(&t);
}

static void test_fail_ops(void)
{
	struct t t;

	setup(&t, false);
	t.opts.fail_ops = BE_OP_BIT(XENDISPL_OP_PG_FLIP);
	t.opts.misbehave = true;
	CHECK(dbuf_create(&t, 1, 64, 64, 32, 0, NULL) == 0);
	CHECK(fb_attach(&t, 1, 2, 64, 64, DRM_FORMAT_XRGB8888) == 0);
	CHECK(set_config(&t, 0, 2, 0, 0, 64, 64, 32) == 0);
	CHECK(simple(&t, 0, XENDISPL_OP_PG_FLIP, 2) == -EIO);
	CHECK(t.f->flips == 0);
	/* Behaving again. */
	t.opts.misbehave = false;
	CHECK(simple(&t, 0, XENDISPL_OP_PG_FLIP, 2) == 0);
	CHECK(t.f->flips == 1);
	CHECK(violations(&t) == 0);
	/* Disconnect with everything still there: released, no violation. */
	teardown(&t);
}

static uint32_t dtd_u12(const uint8_t *d, int lo, int hi_byte, int shift)
{
	return d[lo] | ((d[hi_byte] >> shift) & 0xf) << 8;
}

static void test_edid(void)
{
	static const uint32_t modes[][2] = {
		{ 640, 480 }, { 800, 600 }, { 1024, 768 }, { 1280, 1024 },
		{ 1920, 1080 }, { 2560, 1440 }, { 3840, 2160 }, { 1, 1 }, { 64, 48 },
		{ 4095, 1000 },
	};
	uint8_t e[BE_EDID_SIZE];
	unsigned int i;

	for (i = 0; i < sizeof(modes) / sizeof(modes[0]); i++) {
		uint32_t w = modes[i][0], h = modes[i][1];
		const uint8_t *d = e + 54;
		struct be_edid_timing tm;
		uint32_t hblank, vblank, htotal, vtotal, clock_khz;

		CHECK(be_edid_build(e, w, h, "id0") == 0);
		CHECK(be_edid_checksum_ok(e));
		CHECK(memcmp(e, "\0\xff\xff\xff\xff\xff\xff\0", 8) == 0);
		CHECK(e[18] == 1 && e[19] == 4 && e[126] == 0);
		/* "XEN" */
		CHECK(((e[8] << 8 | e[9]) >> 10) == 'X' - '@');
		CHECK((((e[8] << 8 | e[9]) >> 5) & 31) == 'E' - '@');
		CHECK(((e[8] << 8 | e[9]) & 31) == 'N' - '@');
		/* The detailed timing is the mode. */
		CHECK(dtd_u12(d, 2, 4, 4) == w);
		CHECK(dtd_u12(d, 5, 7, 4) == h);
		hblank = dtd_u12(d, 3, 4, 0);
		vblank = dtd_u12(d, 6, 7, 0);
		clock_khz = (d[0] | d[1] << 8) * 10;
		htotal = w + hblank;
		vtotal = h + vblank;
		CHECK(clock_khz > 0);
		/* 59-61 Hz */
		CHECK((uint64_t)clock_khz * 1000 >= 59ull * htotal * vtotal);
		CHECK((uint64_t)clock_khz * 1000 <= 61ull * htotal * vtotal);
		be_edid_cvt_rb(w, h, &tm);
		CHECK(tm.clock_khz == clock_khz);
		/* Descriptors: range limits, name, serial. */
		CHECK(e[72 + 3] == 0xfd && e[90 + 3] == 0xfc && e[108 + 3] == 0xff);
		CHECK(memcmp(e + 108 + 5, "id0\n", 4) == 0);
	}
	/* Too large for a detailed timing. */
	CHECK(be_edid_build(e, 4096, 2160, "x") == -EINVAL);
	CHECK(be_edid_build(e, 4095, 4095, "x") == -EINVAL);
	CHECK(be_edid_build(e, 0, 480, "x") == -EINVAL);
	/* A damaged EDID fails the checksum. */
	CHECK(be_edid_build(e, 800, 600, "") == 0);
	e[60] ^= 1;
	CHECK(!be_edid_checksum_ok(e));
}

static void test_get_edid(void)
{
	struct xendispl_req r = { .operation = XENDISPL_OP_GET_EDID };
	struct xendispl_resp rsp;
	uint32_t refs[8];
	uint8_t want[BE_EDID_SIZE];
	struct t t;

	setup(&t, false);
	r.op.get_edid.buffer_sz = XENDISPL_EDID_MAX_SIZE;
	r.op.get_edid.gref_directory = fe_buffer(t.f, 8, refs, false, false);
	be_core_handle(t.core, 1, &r, &rsp);
	CHECK(rsp.status == 0);
	CHECK(rsp.op.get_edid.edid_sz == BE_EDID_SIZE);
	CHECK(be_edid_build(want, 800, 600, "mon1") == 0);
	CHECK(memcmp(page_of(t.f, refs[0]), want, sizeof(want)) == 0);
	CHECK(violations(&t) == 0);
	/* Too small a buffer. */
	r.op.get_edid.buffer_sz = 4096;
	CHECK(request(&t, 0, &r) == -EINVAL);
	CHECK(violations(&t) == 1);
	/* Buffer granted read-only. */
	r.op.get_edid.buffer_sz = XENDISPL_EDID_MAX_SIZE;
	r.op.get_edid.gref_directory = fe_buffer(t.f, 8, NULL, false, true);
	CHECK(request(&t, 0, &r) == -EINVAL);
	CHECK(violations(&t) == 2);
	/* A connector whose mode an EDID cannot hold: an error only. */
	be_core_free(t.core);
	t.cfg.conn[0].width = 7680;
	t.cfg.conn[0].height = 4320;
	t.core = be_core_new("test", &t.cfg, &t.host, &t.opts);
	r.op.get_edid.gref_directory = fe_buffer(t.f, 8, NULL, false, false);
	CHECK(request(&t, 0, &r) == -EINVAL);
	CHECK(violations(&t) == 0);
	teardown(&t);
}

static void test_hash(void)
{
	static const uint8_t px[2][8] = {
		{ 'a', 0, 0, 0, 0xee, 0xee, 0xee, 0xee },
		{ 0, 0, 0, 0, 0xee, 0xee, 0xee, 0xee },
	};

	/* FNV-1a of "a" is e40c292c; padding bytes are not hashed. */
	CHECK(be_hash_pixels(px[0], 8, 1, 1, 8) == 0xe40c292c);
	CHECK(be_hash_pixels(&px[0][0], 8, 1, 2, 32) ==
	      be_hash_pixels((const uint8_t *)"a\0\0\0\0\0\0\0", 4, 1, 2, 32));
}

static void test_formats(void)
{
	const uint8_t rgb565[] = { 0x00, 0xf8, 0xe0, 0x07, 0x1f, 0x00 };
	const uint8_t xrgb[] = { 0x30, 0x20, 0x10, 0xff };
	const uint8_t xbgr[] = { 0x10, 0x20, 0x30, 0x00 };
	const uint8_t rgb888[] = { 0x30, 0x20, 0x10 };
	uint8_t out[9];

	be_format_to_rgb(DRM_FORMAT_RGB565, rgb565, 3, out);
	CHECK(memcmp(out, "\xff\0\0\0\xff\0\0\0\xff", 9) == 0);
	be_format_to_rgb(DRM_FORMAT_XRGB8888, xrgb, 1, out);
	CHECK(memcmp(out, "\x10\x20\x30", 3) == 0);
	be_format_to_rgb(DRM_FORMAT_XBGR8888, xbgr, 1, out);
	CHECK(memcmp(out, "\x10\x20\x30", 3) == 0);
	be_format_to_rgb(DRM_FORMAT_RGB888, rgb888, 1, out);
	CHECK(memcmp(out, "\x10\x20\x30", 3) == 0);
	CHECK(be_format_find(DRM_FORMAT_XRGB8888)->bpp == 32);
	CHECK(be_format_find(DRM_FORMAT_RGB565)->bpp == 16);
	CHECK(be_format_find(DRM_FORMAT_NV12) == NULL);
}

static void test_png(void)
{
	/* 3x2 XRGB8888 frame with a pitch of 16, at (1, 2) on a 5x4 screen. */
	const uint32_t px[2][4] = {
		{ 0xff0000, 0x00ff00, 0x0000ff, 0xdeadbeef },
		{ 0xffffff, 0x808080, 0x010203, 0xdeadbeef },
	};
	struct be_frame fr = {
		.pixels = (const uint8_t *)px, .pitch = 16,
		.format = DRM_FORMAT_XRGB8888, .width = 3, .height = 2,
		.x = 1, .y = 2, .screen_width = 5, .screen_height = 4,
	};
	char path[] = "/tmp/vdispl-be-test-XXXXXX";
	char file[64];
	png_image img = { .version = PNG_IMAGE_VERSION };
	uint8_t got[4][5][3];
	uint32_t x, y;
	int fd = mkstemp(path);

	CHECK(fd >= 0);
	close(fd);
	unlink(path);
	snprintf(file, sizeof(file), "%s.png", path);
	CHECK(be_png_write(file, &fr) == 0);
	CHECK(png_image_begin_read_from_file(&img, file));
	CHECK(img.width == 5 && img.height == 4);
	img.format = PNG_FORMAT_RGB;
	CHECK(png_image_finish_read(&img, NULL, got, 0, NULL));
	png_image_free(&img);
	for (y = 0; y < 4; y++)
		for (x = 0; x < 5; x++) {
			uint32_t want = 0;

			if (y >= 2 && x >= 1 && x < 4)
				want = px[y - 2][x - 1] & 0xffffff;
			CHECK(got[y][x][0] == (want >> 16 & 0xff));
			CHECK(got[y][x][1] == (want >> 8 & 0xff));
			CHECK(got[y][x][2] == (want & 0xff));
		}
	unlink(file);
	/* Rate limit. */
	{
		uint64_t last = 0;

		CHECK(be_capture_due(1000, &last, 500));
		CHECK(!be_capture_due(1400, &last, 500));
		CHECK(be_capture_due(1500, &last, 500));
	}
}

/* test_core --edid W H: the EDID for that mode on stdout, for edid-decode. */
static int dump_edid(const char *w, const char *h)
{
	uint8_t e[BE_EDID_SIZE];

	if (be_edid_build(e, (uint32_t)atoi(w), (uint32_t)atoi(h), "e2e"))
		return 1;
	return fwrite(e, sizeof(e), 1, stdout) == 1 ? 0 : 1;
}

int main(int argc, char **argv)
{
	static const struct {
		const char *name;
		void (*fn)(void);
	} tests[] = {
		{ "pgdir_walk", test_pgdir_walk },
		{ "pgdir_bad", test_pgdir_bad },
		{ "dbuf_cookies", test_dbuf_cookies },
		{ "dbuf_no_geometry", test_dbuf_no_geometry },
		{ "dbuf_map_fails", test_dbuf_map_fails },
		{ "be_alloc", test_be_alloc },
		{ "fb_flip", test_fb_flip },
		{ "ring_rules", test_ring_rules },
		{ "fail_ops", test_fail_ops },
		{ "edid", test_edid },
		{ "get_edid", test_get_edid },
		{ "hash", test_hash },
		{ "formats", test_formats },
		{ "png", test_png },
	};
	unsigned int i, passed = 0, failed = 0;

	if (argc == 4 && !strcmp(argv[1], "--edid"))
		return dump_edid(argv[2], argv[3]);
	be_log_level = getenv("TEST_VERBOSE") ? BE_LOG_DEBUG : -1;
	for (i = 0; i < sizeof(tests) / sizeof(tests[0]); i++) {
		int before = failed_checks;

		current = tests[i].name;
		tests[i].fn();
		if (failed_checks == before) {
			passed++;
			printf("ok %u - %s\n", i + 1, current);
		} else {
			failed++;
			printf("not ok %u - %s\n", i + 1, current);
		}
	}
	printf("%u passed, %u failed\n", passed, failed);
	return failed ? 1 : 0;
}
