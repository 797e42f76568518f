// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit: dumb buffers mapped into a process, as mmap(2) on the card does,
 * with the pixels checked from the backend's side; and the life of user
 * mappings of backend-allocated buffers in a PV guest, where Xen writes
 * the page table entries (xen_drm_front_pvmap.c): munmap, process exit, the
 * handle closed first, refused splits and private mappings, entries torn
 * down and faulted in again, failures to map.
 *
 * The test thread gets a process address space of its own (mm_alloc() and
 * kthread_use_mm()); a struct file on the DRM device stands for the open
 * card. "The process exits" is the last mmput() of that address space.
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/dma-buf.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/iosys-map.h>
#include <linux/kthread.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>
#include <linux/sched/task.h>
#include <linux/slab.h>
#include <linux/syscalls.h>
#include <linux/uaccess.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>
#include <drm/drm_gem.h>
#include <drm/drm_prime.h>

#include "../../drm_crtc_internal.h"
#include "../../drm_internal.h"
#include "../xen_drm_front.h"
#include "xen_drm_front_sim.h"
#include "xen_drm_front_test.h"

/**
 * struct mmt_ctx - one test's device, client, open file and process
 * @sdev: the simulated vdispl device
 * @xdrm: its DRM device
 * @file: a client of @xdrm
 * @filp: an open file of @file, to mmap
 * @mm: the test thread's address space while it has one
 */
struct mmt_ctx {
	struct xdf_sim_dev *sdev;
	struct xdf_drm *xdrm;
	struct drm_file *file;
	struct file *filp;
	struct mm_struct *mm;
};

/**
 * struct mmt_buf - a dumb buffer made by a test
 * @handle: its handle in the test's client
 * @obj: the GEM object, valid while @handle or a mapping exists
 * @cookie: the cookie the backend knows it by
 * @size: its size
 * @pages: its number of pages
 * @offset: the fake offset to mmap it at
 */
struct mmt_buf {
	u32 handle;
	struct drm_gem_object *obj;
	u64 cookie;
	size_t size;
	unsigned int pages;
	u64 offset;
};

static const struct file_operations mmt_fops = {
	.owner = THIS_MODULE,
	.mmap = drm_gem_mmap,
};

/* Connect a device and open it, in a process of our own. */
static struct mmt_ctx *mmt_start(struct kunit *test, const char *be_alloc,
				 bool pv)
{
	struct mmt_ctx *ctx = test->priv;
	struct xdf_sim_config cfg = {
		.be_alloc = be_alloc,
		.num_connectors = 1,
		.connectors[0] = { .resolution = "1920x1080", .unique_id = "0" },
	};
	struct file *filp;

	xdf_sim_set_pv(pv);
	ctx->xdrm = xdf_test_connect(test, &cfg, &ctx->sdev);
	ctx->file = xdf_test_open(test, ctx->xdrm);

	/* The card as open(2) makes it: its mappings in the device's space. */
	filp = anon_inode_getfile("xdf-mmap-test", &mmt_fops, ctx->file, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, filp);
	filp->f_mapping = ctx->xdrm->drm.anon_inode->i_mapping;
	ctx->filp = filp;

	ctx->mm = xdf_test_process_start(test);
	return ctx;
}

/* The process exits: its address space goes, mappings and all. */
static void mmt_exit_process(struct mmt_ctx *ctx)
{
	xdf_test_process_exit(&ctx->mm);
}

static void mmt_close_file(struct mmt_ctx *ctx)
{
	if (ctx->filp) {
		fput(ctx->filp);
		ctx->filp = NULL;
		flush_delayed_fput();
	}
	if (ctx->file) {
		xdf_test_close(ctx->xdrm, ctx->file);
		ctx->file = NULL;
	}
}

static unsigned int mmt_nreqs(struct mmt_ctx *ctx)
{
	return xdf_sim_backend_num_requests(ctx->sdev, 0);
}

static void mmt_create(struct kunit *test, struct mmt_ctx *ctx, u32 width,
		       u32 height, struct mmt_buf *buf)
{
	struct drm_mode_create_dumb args = {
		.width = width,
		.height = height,
		.bpp = 32,
	};

	memset(buf, 0, sizeof(*buf));
	KUNIT_ASSERT_EQ(test, drm_mode_create_dumb(&ctx->xdrm->drm, &args,
						   ctx->file), 0);
	buf->handle = args.handle;
	buf->obj = drm_gem_object_lookup(ctx->file, args.handle);
	KUNIT_ASSERT_NOT_NULL(test, buf->obj);
	/* The handle keeps it: no reference of ours. */
	drm_gem_object_put(buf->obj);
	buf->cookie = xdf_gem_to_dbuf(buf->obj)->cookie;
	buf->size = args.size;
	buf->pages = args.size >> PAGE_SHIFT;
	KUNIT_ASSERT_EQ(test, drm_gem_dumb_map_offset(ctx->file, &ctx->xdrm->drm,
						      args.handle, &buf->offset),
			0);
}

static int mmt_destroy(struct mmt_ctx *ctx, struct mmt_buf *buf)
{
	return drm_mode_destroy_dumb(&ctx->xdrm->drm, buf->handle, ctx->file);
}

/* mmap(2) of @len bytes of the buffer: the address or a negative errno. */
static long mmt_mmap(struct mmt_ctx *ctx, struct mmt_buf *buf, size_t len,
		     unsigned long prot, unsigned long flags)
{
	return (long)vm_mmap(ctx->filp, 0, len, prot, flags, buf->offset);
}

/* A writable shared mapping of the whole buffer, as compositors make. */
static long mmt_map_shared(struct kunit *test, struct mmt_ctx *ctx,
			   struct mmt_buf *buf)
{
	long addr = mmt_mmap(ctx, buf, buf->size, PROT_READ | PROT_WRITE,
			     MAP_SHARED);

	KUNIT_ASSERT_GE_MSG(test, addr, 0L, "mmap: %ld", addr);
	return addr;
}

/* A byte pattern that differs from page to page and within a page. */
static u8 mmt_pattern(size_t i, u8 seed)
{
	return (i * 7 + (i >> 12) * 13 + seed) & 0xff;
}

/* User space writes the pattern; returns the bytes it could not write. */
static size_t mmt_user_write(unsigned long addr, size_t size, u8 seed)
{
	u8 chunk[256];
	size_t off, i, n;

	for (off = 0; off < size; off += n) {
		n = min(size - off, sizeof(chunk));
		for (i = 0; i < n; i++)
			chunk[i] = mmt_pattern(off + i, seed);
		if (copy_to_user((void __user *)(addr + off), chunk, n))
			return size - off;
	}
	return 0;
}

/* User space reads back the pattern: the first byte that differs. */
static size_t mmt_user_mismatch(unsigned long addr, size_t size, u8 seed)
{
	u8 chunk[256];
	size_t off, i, n;

	for (off = 0; off < size; off += n) {
		n = min(size - off, sizeof(chunk));
		if (copy_from_user(chunk, (void __user *)(addr + off), n))
			return off;
		for (i = 0; i < n; i++)
			if (chunk[i] != mmt_pattern(off + i, seed))
				return off + i;
	}
	return size;
}

/* The backend reads exactly the pattern through its own view. */
static void mmt_backend_sees(struct kunit *test, struct mmt_ctx *ctx,
			     struct mmt_buf *buf, u8 seed)
{
	u8 *data = vmalloc(buf->size);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, data);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_dbuf_read(ctx->sdev, buf->cookie,
							0, data, buf->size), 0);
	for (i = 0; i < buf->size; i++)
		if (data[i] != mmt_pattern(i, seed))
			break;
	KUNIT_EXPECT_EQ_MSG(test, i, buf->size,
			    "backend sees other bytes than user space wrote");
	vfree(data);
}

static void mmt_backend_writes(struct kunit *test, struct mmt_ctx *ctx,
			       struct mmt_buf *buf, u8 seed)
{
	u8 *data = vmalloc(buf->size);
	size_t i;

	KUNIT_ASSERT_NOT_NULL(test, data);
	for (i = 0; i < buf->size; i++)
		data[i] = mmt_pattern(i, seed);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_dbuf_write(ctx->sdev, buf->cookie,
							 0, data, buf->size), 0);
	vfree(data);
}

/* The process's mappings whose entries Xen writes (VM_IO | VM_PFNMAP). */
static unsigned int mmt_xen_vmas(struct mmt_ctx *ctx)
{
	const unsigned long xen = VM_IO | VM_PFNMAP;
	struct vm_area_struct *vma;
	unsigned int n = 0;

	if (!ctx->mm)
		return 0;
	mmap_read_lock(ctx->mm);
	for (vma = find_vma(ctx->mm, 0); vma; vma = find_vma(ctx->mm, vma->vm_end))
		if ((vma->vm_flags & xen) == xen)
			n++;
	mmap_read_unlock(ctx->mm);
	return n;
}

static void mmt_expect_user_maps(struct kunit *test, unsigned int maps,
				 unsigned int areas)
{
	struct mmt_ctx *ctx = test->priv;
	struct xdf_sim_counters c;

	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ_MSG(test, c.user_maps, maps, "pages mapped to user space");
	KUNIT_EXPECT_EQ_MSG(test, mmt_xen_vmas(ctx), areas, "user mappings");
	KUNIT_EXPECT_EQ(test, c.misuse, 0u);
	KUNIT_EXPECT_EQ(test, c.pte_leaks, 0u);
}

/* The backend was told to destroy @buf just now, and nothing was mapped. */
static void mmt_expect_destroyed(struct kunit *test, struct mmt_ctx *ctx,
				 struct mmt_buf *buf, unsigned int nreq)
{
	struct xdf_sim_dbuf_stats st;
	struct xendispl_req req = {};

	KUNIT_ASSERT_EQ(test, mmt_nreqs(ctx), nreq + 1);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_request(ctx->sdev, 0, nreq, &req));
	KUNIT_EXPECT_EQ(test, req.operation, XENDISPL_OP_DBUF_DESTROY);
	KUNIT_EXPECT_EQ(test, req.op.dbuf_destroy.dbuf_cookie, buf->cookie);
	xdf_sim_backend_dbuf_stats(ctx->sdev, &st);
	KUNIT_EXPECT_EQ_MSG(test, st.still_mapped, 0u,
			    "backend pages mapped at DBUF_DESTROY");
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 0u);
	mmt_expect_user_maps(test, 0, 0);
}

/* The handle of @buf goes, the last of it: the backend is told at once. */
static void mmt_destroy_last(struct kunit *test, struct mmt_ctx *ctx,
			     struct mmt_buf *buf)
{
	unsigned int nreq = mmt_nreqs(ctx);

	KUNIT_EXPECT_EQ(test, mmt_destroy(ctx, buf), 0);
	mmt_expect_destroyed(test, ctx, buf, nreq);
}

/*
 * Map, write the pattern through the mapping, the backend sees it; the
 * backend writes, the mapping shows it; munmap, destroy.
 */
static void mmt_pixels_case(struct kunit *test, const char *be_alloc, bool pv,
			    u32 width, u32 height)
{
	struct mmt_ctx *ctx = mmt_start(test, be_alloc, pv);
	struct mmt_buf buf;
	long addr;

	mmt_create(test, ctx, width, height, &buf);
	addr = mmt_map_shared(test, ctx, &buf);
	/* Only backend pages in a PV guest need Xen's user mappings. */
	mmt_expect_user_maps(test, pv && be_alloc ? buf.pages : 0,
			     pv && be_alloc ? 1 : 0);

	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x5a), 0ul);
	mmt_backend_sees(test, ctx, &buf, 0x5a);
	mmt_backend_writes(test, ctx, &buf, 0xa7);
	KUNIT_EXPECT_EQ(test, mmt_user_mismatch(addr, buf.size, 0xa7), buf.size);

	KUNIT_EXPECT_EQ(test, vm_munmap(addr, buf.size), 0);
	mmt_expect_user_maps(test, 0, 0);
	mmt_destroy_last(test, ctx, &buf);
}

static void mmt_fe_alloc_pixels(struct kunit *test)
{
	mmt_pixels_case(test, NULL, false, 640, 480);
}

static void mmt_be_alloc_pixels(struct kunit *test)
{
	mmt_pixels_case(test, "1", false, 640, 480);
}

/* Frontend-allocated buffers are ordinary pages in a PV guest too. */
static void mmt_pv_fe_alloc_pixels(struct kunit *test)
{
	mmt_pixels_case(test, NULL, true, 640, 480);
}

static void mmt_pv_pixels(struct kunit *test)
{
	mmt_pixels_case(test, "1", true, 1920, 1080);
}

/*
 * The handle and the file are closed first: the mapping keeps the buffer,
 * which the backend is told to destroy only at munmap.
 */
static void mmt_pv_handle_first(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct mmt_buf buf;
	unsigned int nreq;
	long addr;

	mmt_create(test, ctx, 800, 600, &buf);
	addr = mmt_map_shared(test, ctx, &buf);

	nreq = mmt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, mmt_destroy(ctx, &buf), 0);
	mmt_close_file(ctx);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, mmt_nreqs(ctx), nreq);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 1u);

	/* Still the backend's pages. */
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x11), 0ul);
	mmt_backend_sees(test, ctx, &buf, 0x11);
	mmt_expect_user_maps(test, buf.pages, 1);

	KUNIT_EXPECT_EQ(test, vm_munmap(addr, buf.size), 0);
	mmt_expect_destroyed(test, ctx, &buf, nreq);
}

/*
 * The process exits without munmap: with the handle closed first, the
 * exit ends the buffer; with the handle open, the exit only unmaps.
 */
static void mmt_pv_exit(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct mmt_buf a, b;
	unsigned int nreq;
	long addr_a, addr_b;

	mmt_create(test, ctx, 640, 480, &a);
	mmt_create(test, ctx, 320, 200, &b);
	addr_a = mmt_mmap(ctx, &a, a.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	KUNIT_ASSERT_GE_MSG(test, addr_a, 0L, "mmap: %ld", addr_a);
	addr_b = mmt_mmap(ctx, &b, b.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	KUNIT_ASSERT_GE_MSG(test, addr_b, 0L, "mmap: %ld", addr_b);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr_a, a.size, 0x21), 0ul);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr_b, b.size, 0x22), 0ul);
	mmt_expect_user_maps(test, a.pages + b.pages, 2);

	nreq = mmt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, mmt_destroy(ctx, &a), 0);
	KUNIT_EXPECT_EQ(test, mmt_nreqs(ctx), nreq);
	mmt_backend_sees(test, ctx, &a, 0x21);

	mmt_exit_process(ctx);
	/* a: DBUF_DESTROY, after its user mappings went. */
	KUNIT_ASSERT_EQ(test, mmt_nreqs(ctx), nreq + 1);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 1u);
	mmt_expect_user_maps(test, 0, 0);
	/* b: unmapped, still there. */
	mmt_backend_sees(test, ctx, &b, 0x22);

	mmt_destroy_last(test, ctx, &b);
}

/* Two mappings of one buffer: each has its own; the last one ends it. */
static void mmt_pv_two_maps(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct mmt_buf buf;
	unsigned int nreq;
	long a, b;

	mmt_create(test, ctx, 640, 480, &buf);
	a = mmt_mmap(ctx, &buf, buf.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	KUNIT_ASSERT_GE_MSG(test, a, 0L, "mmap: %ld", a);
	/* The second maps only the first page. */
	b = mmt_mmap(ctx, &buf, PAGE_SIZE, PROT_READ, MAP_SHARED);
	KUNIT_ASSERT_GE_MSG(test, b, 0L, "mmap: %ld", b);
	mmt_expect_user_maps(test, buf.pages + 1, 2);

	KUNIT_EXPECT_EQ(test, mmt_user_write(a, buf.size, 0x33), 0ul);
	KUNIT_EXPECT_EQ(test, mmt_user_mismatch(b, PAGE_SIZE, 0x33), PAGE_SIZE);
	/* Read-only. */
	KUNIT_EXPECT_NE(test, mmt_user_write(b, PAGE_SIZE, 0x34), 0ul);

	nreq = mmt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, mmt_destroy(ctx, &buf), 0);
	KUNIT_EXPECT_EQ(test, vm_munmap(a, buf.size), 0);
	mmt_expect_user_maps(test, 1, 1);
	KUNIT_EXPECT_EQ(test, mmt_nreqs(ctx), nreq);
	KUNIT_EXPECT_EQ(test, mmt_user_mismatch(b, PAGE_SIZE, 0x33), PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, vm_munmap(b, PAGE_SIZE), 0);
	mmt_expect_destroyed(test, ctx, &buf, nreq);
}

/* Private mappings and splits are refused; the mapping stays whole. */
static void mmt_pv_refused(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct mmt_buf buf;
	long addr;

	mmt_create(test, ctx, 640, 480, &buf);
	addr = mmt_mmap(ctx, &buf, buf.size, PROT_READ | PROT_WRITE, MAP_PRIVATE);
	KUNIT_EXPECT_EQ(test, addr, (long)-EINVAL);
	addr = mmt_mmap(ctx, &buf, buf.size, PROT_READ, MAP_PRIVATE);
	KUNIT_EXPECT_EQ(test, addr, (long)-EINVAL);
	/* Larger than the buffer. */
	addr = mmt_mmap(ctx, &buf, buf.size + PAGE_SIZE, PROT_READ, MAP_SHARED);
	KUNIT_EXPECT_LT(test, addr, 0L);
	mmt_expect_user_maps(test, 0, 0);

	addr = mmt_map_shared(test, ctx, &buf);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr + PAGE_SIZE, PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr, PAGE_SIZE), -EINVAL);
	mmt_expect_user_maps(test, buf.pages, 1);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x44), 0ul);
	mmt_backend_sees(test, ctx, &buf, 0x44);

	KUNIT_EXPECT_EQ(test, vm_munmap(addr, buf.size), 0);
	mmt_destroy_last(test, ctx, &buf);
}

/*
 * The kernel tears the entries down, as drm_dev_unplug() does for every
 * mapping of the device: the next access maps the pages again, or fails
 * without mapping anything if the backend's pages cannot be mapped.
 */
static void mmt_pv_refault(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct address_space *mapping = ctx->xdrm->drm.anon_inode->i_mapping;
	struct mmt_buf buf;
	long addr;

	mmt_create(test, ctx, 640, 480, &buf);
	addr = mmt_map_shared(test, ctx, &buf);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x55), 0ul);

	unmap_mapping_range(mapping, 0, 0, 1);
	KUNIT_EXPECT_EQ(test, mmt_user_mismatch(addr, buf.size, 0x55), buf.size);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x56), 0ul);
	mmt_backend_sees(test, ctx, &buf, 0x56);
	mmt_expect_user_maps(test, buf.pages, 1);

	/* Mapping fails after 3 pages: the access fails. */
	unmap_mapping_range(mapping, 0, 0, 1);
	xdf_sim_foreign_map_fail_after(3);
	KUNIT_EXPECT_NE(test, mmt_user_write(addr, buf.size, 0x57), 0ul);
	xdf_sim_foreign_map_fail_after(-1);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x58), 0ul);
	mmt_backend_sees(test, ctx, &buf, 0x58);
	mmt_expect_user_maps(test, buf.pages, 1);

	KUNIT_EXPECT_EQ(test, vm_munmap(addr, buf.size), 0);
	mmt_destroy_last(test, ctx, &buf);
}

/* mmap fails part way: nothing is left mapped, the object is not held. */
static void mmt_pv_map_fails(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct mmt_buf buf;
	long addr;

	mmt_create(test, ctx, 640, 480, &buf);
	xdf_sim_foreign_map_fail_after(buf.pages / 2);
	addr = mmt_mmap(ctx, &buf, buf.size, PROT_READ | PROT_WRITE, MAP_SHARED);
	xdf_sim_foreign_map_fail_after(-1);
	KUNIT_EXPECT_EQ(test, addr, (long)-EFAULT);
	mmt_expect_user_maps(test, 0, 0);

	mmt_destroy_last(test, ctx, &buf);
}

/*
 * The backend goes away while the buffer is mapped: the device is
 * unplugged, which tears the entries down; the backend revoked its pages,
 * so they cannot be mapped again, and munmap and the handle's end free
 * everything without a word to the backend.
 */
static void mmt_pv_backend_gone(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct mmt_buf buf;
	unsigned int nreq;
	long addr;

	mmt_create(test, ctx, 640, 480, &buf);
	addr = mmt_map_shared(test, ctx, &buf);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x66), 0ul);

	xdf_sim_backend_set_state(ctx->sdev, XenbusStateClosing);
	xdf_sim_settle();
	KUNIT_ASSERT_TRUE(test, xdf_sim_wait_frontend_state(ctx->sdev,
							    XenbusStateClosed,
							    XDF_TEST_WAIT_MS));
	xdf_sim_settle();
	KUNIT_EXPECT_TRUE(test, drm_dev_is_unplugged(&ctx->xdrm->drm));
	KUNIT_EXPECT_NE(test, mmt_user_write(addr, buf.size, 0x67), 0ul);

	nreq = mmt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr, buf.size), 0);
	mmt_expect_user_maps(test, 0, 0);
	KUNIT_EXPECT_EQ(test, mmt_destroy(ctx, &buf), 0);
	KUNIT_EXPECT_EQ(test, mmt_nreqs(ctx), nreq);
}

/*
 * mmap of the dma-buf of an exported backend buffer in a PV guest: the
 * same user mapping as through the card, torn down and faulted in again
 * the same way; only whole-buffer mappings from the start are taken.
 */
static void mmt_pv_prime_mmap(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct address_space *mapping = ctx->xdrm->drm.anon_inode->i_mapping;
	struct dma_buf *dmabuf;
	struct mmt_buf buf;
	unsigned int nreq;
	long addr;

	mmt_create(test, ctx, 640, 480, &buf);
	dmabuf = drm_gem_prime_export(buf.obj, O_RDWR);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, dmabuf);

	addr = (long)vm_mmap(dmabuf->file, 0, PAGE_SIZE, PROT_READ, MAP_SHARED,
			     PAGE_SIZE);
	KUNIT_EXPECT_EQ(test, addr, (long)-EINVAL);
	addr = (long)vm_mmap(dmabuf->file, 0, buf.size, PROT_READ | PROT_WRITE,
			     MAP_SHARED, 0);
	KUNIT_ASSERT_GE_MSG(test, addr, 0L, "mmap: %ld", addr);
	mmt_expect_user_maps(test, buf.pages, 1);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x71), 0ul);
	mmt_backend_sees(test, ctx, &buf, 0x71);

	unmap_mapping_range(mapping, 0, 0, 1);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x72), 0ul);
	mmt_backend_sees(test, ctx, &buf, 0x72);
	mmt_expect_user_maps(test, buf.pages, 1);

	/* The mapping holds the buffer: handle and dma-buf go first. */
	KUNIT_EXPECT_EQ(test, mmt_destroy(ctx, &buf), 0);
	dma_buf_put(dmabuf);
	nreq = mmt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x73), 0ul);
	mmt_backend_sees(test, ctx, &buf, 0x73);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr, buf.size), 0);
	flush_delayed_fput();
	mmt_expect_destroyed(test, ctx, &buf, nreq);
}

/* No page of the buffer is mapped at an entry right now, and none leaked. */
static void mmt_expect_invalidated(struct kunit *test)
{
	mmt_expect_user_maps(test, 0, 1);
}

/*
 * mprotect changes the entries' protection: Xen's entries are unmapped
 * first, and the next access maps them again with the new protection,
 * showing the backend's bytes; the kernel never changes them itself.
 */
static void mmt_pv_mprotect(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct mmt_buf buf;
	long addr;

	mmt_create(test, ctx, 640, 480, &buf);
	addr = mmt_map_shared(test, ctx, &buf);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x81), 0ul);

	KUNIT_ASSERT_EQ(test, sys_mprotect(addr, buf.size, PROT_READ), 0L);
	mmt_expect_invalidated(test);
	/* Read-only again, as the VMA: the backend's bytes, no writes. */
	KUNIT_EXPECT_EQ(test, mmt_user_mismatch(addr, buf.size, 0x81), buf.size);
	mmt_expect_user_maps(test, buf.pages, 1);
	KUNIT_EXPECT_NE(test, mmt_user_write(addr, PAGE_SIZE, 0x82), 0ul);
	mmt_backend_sees(test, ctx, &buf, 0x81);
	mmt_backend_writes(test, ctx, &buf, 0x83);
	KUNIT_EXPECT_EQ(test, mmt_user_mismatch(addr, buf.size, 0x83), buf.size);

	KUNIT_ASSERT_EQ(test, sys_mprotect(addr, buf.size, PROT_READ | PROT_WRITE),
			0L);
	mmt_expect_invalidated(test);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x84), 0ul);
	mmt_backend_sees(test, ctx, &buf, 0x84);
	mmt_expect_user_maps(test, buf.pages, 1);

	/* Of part of it: that would split the VMA. */
	KUNIT_EXPECT_EQ(test, sys_mprotect(addr, PAGE_SIZE, PROT_READ), (long)-EINVAL);
	mmt_expect_user_maps(test, buf.pages, 1);

	KUNIT_EXPECT_EQ(test, vm_munmap(addr, buf.size), 0);
	mmt_destroy_last(test, ctx, &buf);
}

/*
 * mremap is refused, to another place or another size; a move already
 * had the entries unmapped through Xen, and the mapping stays where it
 * was, faulted in again with the backend's bytes.
 */
static void mmt_pv_mremap(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct mmt_buf buf;
	long addr, to;

	mmt_create(test, ctx, 640, 480, &buf);
	addr = mmt_map_shared(test, ctx, &buf);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x91), 0ul);

	/* Larger, or smaller (the rest would be split off): nothing moves. */
	KUNIT_EXPECT_LT(test, sys_mremap(addr, buf.size, buf.size + PAGE_SIZE,
					 MREMAP_MAYMOVE, 0), 0L);
	KUNIT_EXPECT_LT(test, sys_mremap(addr, buf.size, PAGE_SIZE, 0, 0), 0L);
	mmt_expect_user_maps(test, buf.pages, 1);

	/* Somewhere else. */
	to = (long)vm_mmap(NULL, 0, buf.size, PROT_READ,
			   MAP_PRIVATE | MAP_ANONYMOUS, 0);
	KUNIT_ASSERT_GE(test, to, 0L);
	KUNIT_ASSERT_EQ(test, sys_mremap(addr, buf.size, buf.size,
					 MREMAP_MAYMOVE | MREMAP_FIXED, to),
			(long)-EINVAL);
	mmt_expect_invalidated(test);
	KUNIT_EXPECT_EQ(test, mmt_user_mismatch(addr, buf.size, 0x91), buf.size);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0x92), 0ul);
	mmt_backend_sees(test, ctx, &buf, 0x92);
	mmt_expect_user_maps(test, buf.pages, 1);

	KUNIT_EXPECT_EQ(test, vm_munmap(addr, buf.size), 0);
	mmt_destroy_last(test, ctx, &buf);
}

/*
 * munmap of part of the mapping, at its start, end or middle, and a fixed
 * mapping over part of it are refused, before anything is unmapped; an
 * munmap covering all of it and its neighbour unmaps through Xen.
 */
static void mmt_pv_munmap_part(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct mmt_buf buf;
	long addr, over, next;

	mmt_create(test, ctx, 640, 480, &buf);
	addr = mmt_map_shared(test, ctx, &buf);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0xa1), 0ul);

	KUNIT_EXPECT_EQ(test, vm_munmap(addr, PAGE_SIZE), -EINVAL);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr + buf.size - PAGE_SIZE, PAGE_SIZE),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr + 2 * PAGE_SIZE, PAGE_SIZE), -EINVAL);
	over = (long)vm_mmap(NULL, addr + PAGE_SIZE, PAGE_SIZE, PROT_READ,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED, 0);
	KUNIT_EXPECT_LT(test, over, 0L);
	mmt_expect_user_maps(test, buf.pages, 1);
	KUNIT_EXPECT_EQ(test, mmt_user_mismatch(addr, buf.size, 0xa1), buf.size);

	/* A neighbour right after it, unmapped with it. */
	next = (long)vm_mmap(NULL, addr + buf.size, PAGE_SIZE,
			     PROT_READ | PROT_WRITE,
			     MAP_PRIVATE | MAP_ANONYMOUS | MAP_FIXED_NOREPLACE, 0);
	KUNIT_ASSERT_EQ(test, next, (long)(addr + buf.size));
	KUNIT_EXPECT_EQ(test, vm_munmap(addr, buf.size + PAGE_SIZE), 0);
	mmt_expect_user_maps(test, 0, 0);
	mmt_destroy_last(test, ctx, &buf);
}

/* What the child of a fork saw at the mapping's address. */
struct mmt_fork {
	struct mm_struct *parent_mm;
	unsigned long addr;
	size_t uncopied;
	bool has_mm;
	struct completion done;
};

static int mmt_fork_child(void *data)
{
	struct mmt_fork *f = data;
	u8 byte;

	f->has_mm = current->mm && current->mm != f->parent_mm;
	f->uncopied = copy_from_user(&byte, (void __user *)f->addr, 1);
	complete(&f->done);
	do_exit(0);
}

/*
 * A fork does not copy the mapping (Xen would have to write the child's
 * entries): the child has nothing at its address, and the parent's
 * mapping is untouched.
 */
static void mmt_pv_fork(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct mmt_fork f = {};
	struct kernel_clone_args args = {
		/* No CLONE_VM: a copy of the address space, as fork(2). */
		.flags = CLONE_UNTRACED,
		.exit_signal = SIGCHLD,
		.fn = mmt_fork_child,
		.fn_arg = &f,
	};
	struct mmt_buf buf;
	pid_t pid;
	long addr;

	mmt_create(test, ctx, 640, 480, &buf);
	addr = mmt_map_shared(test, ctx, &buf);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0xb1), 0ul);

	/* A process with a copy of the test's address space. */
	f.parent_mm = ctx->mm;
	f.addr = addr;
	init_completion(&f.done);
	pid = kernel_clone(&args);
	KUNIT_ASSERT_GT(test, pid, 0);
	KUNIT_ASSERT_NE(test, wait_for_completion_timeout(&f.done,
							  msecs_to_jiffies(XDF_TEST_WAIT_MS)),
			0ul);
	KUNIT_EXPECT_TRUE(test, f.has_mm);
	KUNIT_EXPECT_EQ_MSG(test, f.uncopied, 1ul, "the child reads the buffer");

	mmt_expect_user_maps(test, buf.pages, 1);
	KUNIT_EXPECT_EQ(test, mmt_user_mismatch(addr, buf.size, 0xb1), buf.size);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr, buf.size), 0);
	mmt_destroy_last(test, ctx, &buf);
}

/*
 * The device is unplugged while the buffer is mapped, the backend still
 * granting its pages: the entries are unmapped through Xen, and an access
 * fails without mapping them again, the backend's pages being no longer
 * ours to show.
 */
static void mmt_pv_unplug(struct kunit *test)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", true);
	struct mmt_buf buf;
	unsigned int nreq;
	long addr;

	mmt_create(test, ctx, 640, 480, &buf);
	addr = mmt_map_shared(test, ctx, &buf);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf.size, 0xc1), 0ul);

	xdf_sim_backend_keep_dbufs(ctx->sdev, true);
	KUNIT_ASSERT_EQ(test, xdf_sim_dev_unbind_driver(ctx->sdev), 0);
	xdf_sim_settle();
	KUNIT_EXPECT_TRUE(test, drm_dev_is_unplugged(&ctx->xdrm->drm));
	mmt_expect_invalidated(test);
	KUNIT_EXPECT_NE(test, mmt_user_write(addr, PAGE_SIZE, 0xc2), 0ul);
	KUNIT_EXPECT_EQ(test, mmt_user_mismatch(addr, PAGE_SIZE, 0xc1), 0ul);
	mmt_expect_invalidated(test);
	/* Still the backend's, and its bytes. */
	mmt_backend_sees(test, ctx, &buf, 0xc1);

	nreq = mmt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, vm_munmap(addr, buf.size), 0);
	mmt_expect_user_maps(test, 0, 0);
	KUNIT_EXPECT_EQ(test, mmt_destroy(ctx, &buf), 0);
	KUNIT_EXPECT_EQ(test, mmt_nreqs(ctx), nreq);
	xdf_sim_backend_drop_dbufs(ctx->sdev);
}

/*
 * A kernel mapping of a backend buffer (fbdev flushes through one) is
 * made at the first vmap and kept until the buffer goes: what is written
 * through it is what the backend sees, and it is gone by DBUF_DESTROY.
 * In a PV guest it is Xen's, and a failure to map leaves nothing mapped.
 */
static void mmt_vmap_case(struct kunit *test, bool pv)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", pv);
	struct iosys_map map, again;
	struct xdf_sim_counters c;
	struct mmt_buf buf;
	void *vaddr;
	size_t i;

	mmt_create(test, ctx, 640, 480, &buf);

	if (pv) {
		xdf_sim_foreign_map_fail_after(3);
		KUNIT_EXPECT_NE(test, drm_gem_vmap(buf.obj, &map), 0);
		xdf_sim_foreign_map_fail_after(-1);
		xdf_sim_get_counters(&c);
		KUNIT_EXPECT_EQ(test, c.kernel_maps, 0u);
	}

	KUNIT_ASSERT_EQ(test, drm_gem_vmap(buf.obj, &map), 0);
	for (i = 0; i < buf.size; i++)
		((u8 *)map.vaddr)[i] = mmt_pattern(i, 0x3c);
	mmt_backend_sees(test, ctx, &buf, 0x3c);
	vaddr = map.vaddr;
	drm_gem_vunmap(buf.obj, &map);
	KUNIT_ASSERT_EQ(test, drm_gem_vmap(buf.obj, &again), 0);
	KUNIT_EXPECT_PTR_EQ(test, again.vaddr, vaddr);
	drm_gem_vunmap(buf.obj, &again);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.kernel_maps, pv ? buf.pages : 0u);

	mmt_destroy_last(test, ctx, &buf);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.kernel_maps, 0u);
}

static void mmt_be_alloc_vmap(struct kunit *test)
{
	mmt_vmap_case(test, false);
}

static void mmt_pv_vmap(struct kunit *test)
{
	mmt_vmap_case(test, true);
}

/* The bytes of @p are the pattern's from @start on: the first that is not. */
static size_t mmt_mismatch_at(const u8 *p, size_t size, size_t start, u8 seed)
{
	size_t i;

	for (i = 0; i < size; i++)
		if (p[i] != mmt_pattern(start + i, seed))
			return i;
	return size;
}

static void mmt_kernel_write(void *vaddr, size_t size, u8 seed)
{
	size_t i;

	for (i = 0; i < size; i++)
		((u8 *)vaddr)[i] = mmt_pattern(i, seed);
}

/* The guest writes through its mapping of @buf and reads it back. */
static void mmt_access(struct kunit *test, struct mmt_buf *buf, long addr,
		       void *vaddr, u8 seed)
{
	if (addr) {
		KUNIT_EXPECT_EQ(test, mmt_user_write(addr, buf->size, seed), 0ul);
		KUNIT_EXPECT_EQ(test, mmt_user_mismatch(addr, buf->size, seed),
				buf->size);
	} else {
		mmt_kernel_write(vaddr, buf->size, seed);
		KUNIT_EXPECT_EQ(test, mmt_mismatch_at(vaddr, buf->size, 0, seed),
				buf->size);
	}
}

/*
 * The backend revokes the grants of a buffer it allocated while the guest
 * maps it, in the kernel (as fbdev does) or in a process, then drops its
 * own view of the pages. Under Xen the revocation waits for the guest's
 * unmap: the guest's mappings keep reaching the backend's pages, and only
 * mapping them anew fails (in a PV guest, where Xen maps each grant),
 * with the grant's status in the log and the access or call failing
 * cleanly. Unmapping, at munmap and destroy, frees the pages for good.
 */
static void mmt_revoked_case(struct kunit *test, bool pv, bool user)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", pv);
	struct address_space *mapping = ctx->xdrm->drm.anon_inode->i_mapping;
	struct iosys_map map = {}, map2;
	struct xdf_sim_counters c;
	struct mmt_buf buf, other;
	long addr = 0, again;
	grant_ref_t *refs;
	u8 *last;
	int ret;

	mmt_create(test, ctx, 640, 480, &buf);
	refs = kunit_kcalloc(test, buf.pages, sizeof(*refs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, refs);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_dbuf_refs(ctx->sdev, buf.cookie,
							refs, buf.pages),
			buf.pages);
	/* The backend's last page, which Xen keeps while the guest maps it. */
	last = xdf_sim_backend_grant_vaddr(refs[buf.pages - 1]);
	KUNIT_ASSERT_NOT_NULL(test, last);
	if (user)
		addr = mmt_map_shared(test, ctx, &buf);
	else
		KUNIT_ASSERT_EQ(test, drm_gem_vmap(buf.obj, &map), 0);
	mmt_access(test, &buf, addr, map.vaddr, 0xd1);
	mmt_backend_sees(test, ctx, &buf, 0xd1);

	/* Every page is mapped in the guest's kernel since the creation. */
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_revoke_dbuf(ctx->sdev, buf.cookie),
			(int)buf.pages);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.backend_deferred, buf.pages);
	KUNIT_EXPECT_EQ(test, c.backend_grants, buf.pages);
	KUNIT_EXPECT_NULL(test, xdf_sim_backend_grant_vaddr(refs[0]));

	/* The mapping works on, on the backend's pages. */
	mmt_access(test, &buf, addr, map.vaddr, 0xd2);
	KUNIT_EXPECT_EQ(test, mmt_mismatch_at(last, PAGE_SIZE,
					      buf.size - PAGE_SIZE, 0xd2),
			PAGE_SIZE);

	if (user) {
		if (pv) {
			/* Entries torn down, as at unplug: no mapping again. */
			unmap_mapping_range(mapping, 0, 0, 1);
			KUNIT_EXPECT_NE(test, mmt_user_write(addr, PAGE_SIZE,
							     0xd3), 0ul);
			mmt_expect_invalidated(test);
		}
		again = mmt_mmap(ctx, &buf, buf.size, PROT_READ | PROT_WRITE,
				 MAP_SHARED);
		if (pv) {
			KUNIT_EXPECT_EQ(test, again, (long)-EFAULT);
		} else {
			KUNIT_ASSERT_GE_MSG(test, again, 0L, "mmap: %ld", again);
			KUNIT_EXPECT_EQ(test, mmt_user_mismatch(again, buf.size,
								0xd2),
					buf.size);
			KUNIT_EXPECT_EQ(test, vm_munmap(again, buf.size), 0);
		}
		mmt_expect_user_maps(test, 0, pv ? 1 : 0);
		KUNIT_EXPECT_EQ(test, vm_munmap(addr, buf.size), 0);
	} else {
		/* Another buffer, revoked before its first kernel mapping. */
		mmt_create(test, ctx, 64, 64, &other);
		KUNIT_EXPECT_EQ(test,
				xdf_sim_backend_revoke_dbuf(ctx->sdev, other.cookie),
				(int)other.pages);
		ret = drm_gem_vmap(other.obj, &map2);
		if (pv) {
			KUNIT_EXPECT_EQ(test, ret, -EFAULT);
		} else {
			KUNIT_EXPECT_EQ(test, ret, 0);
			if (!ret)
				drm_gem_vunmap(other.obj, &map2);
		}
		KUNIT_EXPECT_EQ(test, mmt_destroy(ctx, &other), 0);
		drm_gem_vunmap(buf.obj, &map);
	}
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.kernel_maps, pv && !user ? buf.pages : 0u);
	KUNIT_EXPECT_EQ(test, c.backend_deferred, buf.pages);

	mmt_destroy_last(test, ctx, &buf);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.backend_deferred, 0u);
	KUNIT_EXPECT_EQ(test, c.backend_grants, 0u);
	KUNIT_EXPECT_EQ(test, c.foreign_maps, 0u);
	KUNIT_EXPECT_EQ(test, c.kernel_maps, 0u);
}

static void mmt_revoked_vmap(struct kunit *test)
{
	mmt_revoked_case(test, false, false);
}

static void mmt_pv_revoked_vmap(struct kunit *test)
{
	mmt_revoked_case(test, true, false);
}

static void mmt_revoked_mmap(struct kunit *test)
{
	mmt_revoked_case(test, false, true);
}

static void mmt_pv_revoked_mmap(struct kunit *test)
{
	mmt_revoked_case(test, true, true);
}

/*
 * The backend rewrites the page directory of a buffer it allocated once
 * it answered, listing the pages of another of its buffers: the guest
 * maps, in the kernel and in a process (where a PV guest has Xen map each
 * reference anew), and unmaps only the references it read and checked at
 * creation; the other buffer is never touched.
 */
static void mmt_dir_rewritten_case(struct kunit *test, bool pv)
{
	struct mmt_ctx *ctx = mmt_start(test, "1", pv);
	struct xdf_sim_dbuf_stats st;
	struct xdf_sim_counters c;
	struct mmt_buf a, b;
	struct iosys_map map;
	grant_ref_t *refs;
	unsigned int nreq;
	long addr;

	/* Two directory pages each. */
	mmt_create(test, ctx, 1920, 1080, &a);
	mmt_create(test, ctx, 1920, 1080, &b);
	KUNIT_ASSERT_GT(test, a.pages, XENDISPL_PAGE_DIR_GREFS_PER_PAGE);
	refs = kunit_kcalloc(test, b.pages, sizeof(*refs), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, refs);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_dbuf_refs(ctx->sdev, b.cookie,
							refs, b.pages),
			b.pages);
	mmt_backend_writes(test, ctx, &b, 0xe1);
	KUNIT_ASSERT_EQ(test,
			xdf_sim_backend_dbuf_rewrite_dir(ctx->sdev, a.cookie,
							 refs, a.pages),
			0);

	KUNIT_ASSERT_EQ(test, drm_gem_vmap(a.obj, &map), 0);
	mmt_kernel_write(map.vaddr, a.size, 0xe2);
	mmt_backend_sees(test, ctx, &a, 0xe2);
	addr = mmt_map_shared(test, ctx, &a);
	KUNIT_EXPECT_EQ(test, mmt_user_mismatch(addr, a.size, 0xe2), a.size);
	KUNIT_EXPECT_EQ(test, mmt_user_write(addr, a.size, 0xe3), 0ul);
	mmt_backend_sees(test, ctx, &a, 0xe3);
	mmt_backend_sees(test, ctx, &b, 0xe1);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.kernel_maps, pv ? a.pages : 0u);
	KUNIT_EXPECT_EQ(test, c.user_maps, pv ? a.pages : 0u);
	KUNIT_EXPECT_EQ(test, c.foreign_maps, a.pages + b.pages);

	KUNIT_EXPECT_EQ(test, vm_munmap(addr, a.size), 0);
	drm_gem_vunmap(a.obj, &map);
	nreq = mmt_nreqs(ctx);
	KUNIT_EXPECT_EQ(test, mmt_destroy(ctx, &a), 0);
	KUNIT_EXPECT_EQ(test, mmt_nreqs(ctx), nreq + 1);
	xdf_sim_backend_dbuf_stats(ctx->sdev, &st);
	KUNIT_EXPECT_EQ(test, st.still_mapped, 0u);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_dbufs(ctx->sdev), 1u);
	mmt_expect_user_maps(test, 0, 0);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.kernel_maps, 0u);
	KUNIT_EXPECT_EQ(test, c.foreign_maps, b.pages);
	KUNIT_EXPECT_EQ(test, c.backend_grants, b.pages);
	mmt_backend_sees(test, ctx, &b, 0xe1);

	mmt_destroy_last(test, ctx, &b);
}

static void mmt_dir_rewritten(struct kunit *test)
{
	mmt_dir_rewritten_case(test, false);
}

static void mmt_pv_dir_rewritten(struct kunit *test)
{
	mmt_dir_rewritten_case(test, true);
}

static int mmt_init(struct kunit *test)
{
	struct mmt_ctx *ctx;

	xdf_sim_reset();
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	test->priv = ctx;
	return 0;
}

static void mmt_exit(struct kunit *test)
{
	struct mmt_ctx *ctx = test->priv;

	mmt_exit_process(ctx);
	mmt_close_file(ctx);
	if (ctx->sdev && !IS_ERR(ctx->sdev))
		xdf_sim_dev_remove(ctx->sdev);
	xdf_sim_set_pv(false);
	xdf_sim_expect_clean(test);
}

static struct kunit_case mmt_cases[] = {
	KUNIT_CASE(mmt_fe_alloc_pixels),
	KUNIT_CASE(mmt_be_alloc_pixels),
	KUNIT_CASE(mmt_pv_fe_alloc_pixels),
	KUNIT_CASE(mmt_pv_pixels),
	KUNIT_CASE(mmt_pv_handle_first),
	KUNIT_CASE(mmt_pv_exit),
	KUNIT_CASE(mmt_pv_two_maps),
	KUNIT_CASE(mmt_pv_refused),
	KUNIT_CASE(mmt_pv_refault),
	KUNIT_CASE(mmt_pv_map_fails),
	KUNIT_CASE(mmt_pv_backend_gone),
	KUNIT_CASE(mmt_pv_prime_mmap),
	KUNIT_CASE(mmt_pv_mprotect),
	KUNIT_CASE(mmt_pv_mremap),
	KUNIT_CASE(mmt_pv_munmap_part),
	KUNIT_CASE(mmt_pv_fork),
	KUNIT_CASE(mmt_pv_unplug),
	KUNIT_CASE(mmt_be_alloc_vmap),
	KUNIT_CASE(mmt_pv_vmap),
	KUNIT_CASE(mmt_revoked_vmap),
	KUNIT_CASE(mmt_pv_revoked_vmap),
	KUNIT_CASE(mmt_revoked_mmap),
	KUNIT_CASE(mmt_pv_revoked_mmap),
	KUNIT_CASE(mmt_dir_rewritten),
	KUNIT_CASE(mmt_pv_dir_rewritten),
	{}
};

static struct kunit_suite mmt_suite = {
	.name = "xen_drm_front_mmap",
	.init = mmt_init,
	.exit = mmt_exit,
	.test_cases = mmt_cases,
};

kunit_test_suite(mmt_suite);
