// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: GEM objects.
 *
 * Buffers the frontend allocates are shmem GEM objects, and so are
 * imported dma-bufs; buffers the backend allocates (be-alloc) are GEM
 * objects over the backend's pages that their display buffer mapped.
 *
 * The backend learns a buffer's line length only from DBUF_CREATE's width
 * (its stride in pixels) and its first pixel from data_ofs, so a display
 * buffer describes one layout of the object's pages. A dumb buffer's own
 * layout is known when it is made: its display buffer exists before its
 * handle does. An imported buffer's layout is known only from the
 * framebuffers user space makes on it (exporters align their pitch), so
 * its display buffer is made, with the first framebuffer's stride, before
 * that framebuffer is published. A framebuffer whose stride or first pixel
 * differs from the object's display buffer gets one of its own on the same
 * pages (xdf_gem_get_dbuf()). Each holds its own page references but
 * uses the object's page array, shmem's or an import's, which is freed
 * with the object: a framebuffer, the only other holder of a display
 * buffer, holds the object too, and drops the display buffer first.
 *
 * In a PV guest, user and kernel mappings of be-alloc buffers are made by
 * Xen (xen_drm_front_pvmap.c).
 */

#include <linux/dma-buf.h>
#include <linux/err.h>
#include <linux/mm.h>
#include <linux/scatterlist.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_prime.h>
#include <drm/drm_print.h>

#include "xen_drm_front.h"
#include "xen_drm_front_xen.h"

/**
 * struct xdf_gem - a frontend-allocated or imported buffer
 * @shmem: the shmem GEM object; first, as the shmem helpers free it
 * @dbuf_lock: makes the object's display buffer once
 * @dbuf: the display buffer of the object's layout, of which the object
 *	  holds a reference: a dumb buffer's from its creation, an imported
 *	  buffer's from its first framebuffer on (NULL before); its page
 *	  array is part of @pages
 * @pages: the pages shared with the backend: shmem's, or for an imported
 *	   buffer an array of ours from its scatter list
 *
 * Nothing that can be derived is kept: with the shmem object's 464 bytes
 * (x86-64) it fits 512, where 32 bytes more took a 1 KiB allocation.
 */
struct xdf_gem {
	struct drm_gem_shmem_object shmem;
	struct mutex dbuf_lock;	/* see above */
	struct xdf_dbuf *dbuf;
	struct page **pages;
};

static_assert(offsetof(struct xdf_gem, shmem) == 0);

/*
 * An imported buffer starts where its scatter list does, inside its first
 * page (xdf_sgt_is_pagelist()), and is as long as its dma-buf.
 */
static u32 xdf_gem_data_ofs(struct xdf_gem *gem)
{
	return gem->shmem.base.import_attach ? gem->shmem.sgt->sgl->offset : 0;
}

/* The buffer's size in bytes, from its first byte. */
static size_t xdf_gem_size(struct xdf_gem *gem)
{
	struct drm_gem_object *obj = &gem->shmem.base;

	return obj->import_attach ? obj->import_attach->dmabuf->size : obj->size;
}

/**
 * struct xdf_gem_be - a backend-allocated buffer
 * @base: the GEM object
 * @dbuf: the display buffer, whose pages this object shows
 * @vmap_lock: protects @vmap and @vaddr
 * @vmap: in a PV guest, Xen's kernel mapping of the pages, else NULL
 * @vaddr: the kernel mapping made on the first vmap, kept until the object
 *	   goes (fbdev maps the buffer at each flush)
 */
struct xdf_gem_be {
	struct drm_gem_object base;
	struct xdf_dbuf *dbuf;
	struct mutex vmap_lock;	/* see above */
	struct xdf_pvmap_kernel *vmap;
	void *vaddr;
};

static struct xdf_gem *to_xdf_gem(struct drm_gem_object *obj)
{
	return container_of(to_drm_gem_shmem_obj(obj), struct xdf_gem, shmem);
}

static struct xdf_gem_be *to_xdf_gem_be(struct drm_gem_object *obj)
{
	return container_of(obj, struct xdf_gem_be, base);
}

/*
 * The backend lets go of the pages (DBUF_DESTROY) before they go back to
 * shmem or to the exporter of an imported buffer. The display buffer may
 * hold the device's last reference, which the GEM release still needs.
 */
static void xdf_gem_free(struct drm_gem_object *obj)
{
	struct xdf_gem *gem = to_xdf_gem(obj);
	struct drm_device *drm = obj->dev;
	struct iosys_map map;

	drm_dev_get(drm);
	/* The kernel mappings left are those xdf_gem_vmap() kept. */
	while (!obj->import_attach && gem->shmem.vmap_use_count)
		drm_gem_shmem_vunmap(&gem->shmem, &map);
	/* The page array it uses goes below. */
	WARN_ON(gem->dbuf && kref_read(&gem->dbuf->ref) != 1);
	xdf_dbuf_put(gem->dbuf);
	mutex_destroy(&gem->dbuf_lock);
	if (obj->import_attach)
		kvfree(gem->pages);
	drm_gem_shmem_free(&gem->shmem);
	drm_dev_put(drm);
}

/*
 * The kernel mapping of a buffer of ours is made on its first vmap and
 * kept until the buffer goes: fbdev maps its buffer at each flush (each
 * blink of fbcon's cursor), and in a PV guest mapping and unmapping its
 * pages take a hypercall per page table entry.
 */
static int xdf_gem_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	struct drm_gem_shmem_object *shmem = to_drm_gem_shmem_obj(obj);
	struct iosys_map kept;
	bool first;
	int ret;

	mutex_lock(&shmem->vmap_lock);
	first = !obj->import_attach && !shmem->vmap_use_count;
	mutex_unlock(&shmem->vmap_lock);

	ret = drm_gem_shmem_vmap(shmem, map);
	/* Two racing first calls keep two: xdf_gem_free() drops all. */
	if (!ret && first && drm_gem_shmem_vmap(shmem, &kept))
		drm_dbg_driver(obj->dev, "kernel mapping of buffer not kept\n");
	return ret;
}

static const struct drm_gem_object_funcs xdf_gem_funcs = {
	.free = xdf_gem_free,
	.print_info = drm_gem_shmem_object_print_info,
	.pin = drm_gem_shmem_object_pin,
	.unpin = drm_gem_shmem_object_unpin,
	.get_sg_table = drm_gem_shmem_object_get_sg_table,
	.vmap = xdf_gem_vmap,
	.vunmap = drm_gem_shmem_object_vunmap,
	.mmap = drm_gem_shmem_object_mmap,
	.vm_ops = &drm_gem_shmem_vm_ops,
};

static void xdf_gem_be_free(struct drm_gem_object *obj)
{
	struct xdf_gem_be *gem = to_xdf_gem_be(obj);
	struct drm_device *drm = obj->dev;

	/* As xdf_gem_free(). */
	drm_dev_get(drm);
	/* Unmapped before the pages are, and DBUF_DESTROY. */
	if (gem->vmap)
		xdf_pvmap_vunmap(gem->vmap);
	else if (gem->vaddr)
		vunmap(gem->vaddr);
	mutex_destroy(&gem->vmap_lock);
	xdf_dbuf_put(gem->dbuf);
	drm_gem_object_release(obj);
	kfree(gem);
	drm_dev_put(drm);
}

static struct sg_table *xdf_gem_be_get_sg_table(struct drm_gem_object *obj)
{
	struct xdf_dbuf *dbuf = to_xdf_gem_be(obj)->dbuf;

	return drm_prime_pages_to_sg(obj->dev, dbuf->pages, dbuf->num_pages);
}

/*
 * In a PV guest vmap() cannot map the backend's pages (Xen refuses such
 * page table entries): Xen maps them.
 */
static int xdf_gem_be_vmap_pages(struct xdf_gem_be *gem)
{
	struct xdf_dbuf *dbuf = gem->dbuf;
	struct xdf_pvmap_kernel *km;

	if (xdf_xen_foreign_user_mappable()) {
		gem->vaddr = vmap(dbuf->pages, dbuf->num_pages, VM_MAP,
				  PAGE_KERNEL);
		return gem->vaddr ? 0 : -ENOMEM;
	}
	km = xdf_pvmap_vmap(dbuf, &gem->vaddr);
	if (IS_ERR(km))
		return PTR_ERR(km);
	gem->vmap = km;
	return 0;
}

/* No vunmap: the mapping stays until the object goes. */
static int xdf_gem_be_vmap(struct drm_gem_object *obj, struct iosys_map *map)
{
	struct xdf_gem_be *gem = to_xdf_gem_be(obj);
	int ret = 0;

	mutex_lock(&gem->vmap_lock);
	if (!gem->vaddr) {
		ret = xdf_gem_be_vmap_pages(gem);
		if (ret)
			drm_err(obj->dev,
				"cannot map backend buffer %llu into the kernel: %d\n",
				gem->dbuf->cookie, ret);
	}
	if (!ret)
		iosys_map_set_vaddr(map, gem->vaddr);
	mutex_unlock(&gem->vmap_lock);
	return ret;
}

static int xdf_gem_be_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	struct xdf_dbuf *dbuf = to_xdf_gem_be(obj)->dbuf;

	if (!xdf_xen_foreign_user_mappable())
		return xdf_pvmap_mmap(obj, dbuf, vma);

	/* The pages belong to the backend: never copied on fork, no swap. */
	vma->vm_flags |= VM_MIXEDMAP | VM_DONTEXPAND | VM_DONTDUMP | VM_DONTCOPY;
	vma->vm_pgoff = 0;
	return vm_map_pages(vma, dbuf->pages, dbuf->num_pages);
}

static const struct vm_operations_struct xdf_gem_be_vm_ops = {
	.open = drm_gem_vm_open,
	.close = drm_gem_vm_close,
};

static const struct drm_gem_object_funcs xdf_gem_be_funcs = {
	.free = xdf_gem_be_free,
	.get_sg_table = xdf_gem_be_get_sg_table,
	.vmap = xdf_gem_be_vmap,
	.mmap = xdf_gem_be_mmap,
	.vm_ops = &xdf_gem_be_vm_ops,
};

/**
 * xdf_gem_prime_mmap() - &drm_driver.gem_prime_mmap: mmap of a dma-buf we
 *			  exported
 * @obj: the GEM object
 * @vma: the user mapping, @vma->vm_pgoff its offset in the buffer
 *
 * As a GEM mmap: drm_gem_prime_mmap() would set the VMA's private data to
 * the object after our mmap ran, over the user mapping of a PV guest's
 * backend-allocated buffer. Only mappings from the buffer's start are
 * taken, as through the device.
 *
 * Return: 0 or a negative errno.
 */
int xdf_gem_prime_mmap(struct drm_gem_object *obj, struct vm_area_struct *vma)
{
	if (vma->vm_pgoff) {
		drm_dbg_driver(obj->dev, "dma-buf mmap at page %lu refused\n",
			       vma->vm_pgoff);
		return -EINVAL;
	}
	vma->vm_pgoff = drm_vma_node_start(&obj->vma_node);
	return drm_gem_mmap_obj(obj, obj->size, vma);
}

/**
 * xdf_gem_to_dbuf() - the display buffer of one of our GEM objects
 * @obj: a GEM object of this driver
 *
 * Return: the display buffer of the object's own layout, no reference
 * taken; NULL for an imported buffer before its first framebuffer.
 */
struct xdf_dbuf *xdf_gem_to_dbuf(struct drm_gem_object *obj)
{
	if (obj->funcs == &xdf_gem_be_funcs)
		return to_xdf_gem_be(obj)->dbuf;
	return to_xdf_gem(obj)->dbuf;
}

/*
 * Whether the backend reads @l's lines in @dbuf, which starts @first bytes
 * into the shared pages, where they are: same first pixel (@pos), same
 * line length, lines enough.
 */
static bool xdf_dbuf_fits(const struct xdf_dbuf *dbuf, u64 first, u64 pos,
			  const struct xdf_dbuf_layout *l)
{
	const struct xdf_dbuf_desc *d = &dbuf->desc;

	return d->width && first + d->data_ofs == pos &&
	       XENDISPL_PITCH((u64)d->width, d->bpp) == l->pitch &&
	       l->height <= d->height;
}

/*
 * A display buffer on @gem's pages whose lines are @l's: its width is the
 * stride in pixels, its first page and data_ofs put @pos (a byte of the
 * shared pages) at its first pixel, and it holds every whole line of the
 * buffer from there, so framebuffers of that layout but fewer lines fit.
 */
static struct xdf_dbuf *xdf_gem_create_dbuf(struct xdf_gem *gem, u64 pos,
					    const struct xdf_dbuf_layout *l)
{
	struct drm_device *drm = gem->shmem.base.dev;
	struct xdf_drm *xdrm = to_xdf_drm(drm);
	u32 data_ofs = xdf_gem_data_ofs(gem);
	size_t size = xdf_gem_size(gem);
	u64 end = (u64)data_ofs + size;
	struct xdf_dbuf_desc desc = {
		.width = l->pitch * 8 / l->bpp,
		.bpp = l->bpp,
		.data_ofs = offset_in_page(pos),
	};

	if (XENDISPL_PITCH((u64)desc.width, desc.bpp) != l->pitch ||
	    pos + (u64)l->pitch * l->height > end) {
		drm_dbg_kms(drm, "no display buffer of pitch %u, %u lines at byte %llu of %zu\n",
			    l->pitch, l->height, pos - data_ofs, size);
		return ERR_PTR(-EINVAL);
	}
	if (desc.data_ofs && xdrm->cfg.version == 1) {
		drm_dbg_kms(drm, "first pixel at %u in its page: protocol 1 has no data_ofs\n",
			    desc.data_ofs);
		return ERR_PTR(-EINVAL);
	}
	desc.height = div_u64(end - pos, l->pitch);
	desc.size = desc.data_ofs + l->pitch * desc.height;
	return xdf_dbuf_create(xdrm, gem->pages + (pos >> PAGE_SHIFT),
			       DIV_ROUND_UP(desc.size, PAGE_SIZE), &desc);
}

/**
 * xdf_gem_get_dbuf() - a display buffer showing a framebuffer's lines
 * @obj: a GEM object of this driver
 * @l: where the framebuffer's pixels are in @obj; @l->pitch is a line
 *     length the protocol can describe at @l->bpp and the lines lie in
 *     the buffer (the caller checked both)
 *
 * The object's own display buffer if the backend reads @l's lines there;
 * otherwise a new one on the same pages, which becomes the object's own
 * if it has none yet (an imported buffer's first framebuffer). The pages
 * of a backend-allocated buffer cannot be shared again: only its own
 * layout is possible.
 *
 * Return: the display buffer, with a reference for the caller, or an
 * ERR_PTR(): -EINVAL for a layout the backend cannot be told of, or the
 * error of DBUF_CREATE.
 */
struct xdf_dbuf *xdf_gem_get_dbuf(struct drm_gem_object *obj,
				  const struct xdf_dbuf_layout *l)
{
	struct xdf_dbuf *dbuf;
	struct xdf_gem *gem;
	u64 pos, first = 0;

	if (obj->funcs == &xdf_gem_be_funcs) {
		dbuf = to_xdf_gem_be(obj)->dbuf;
		if (!xdf_dbuf_fits(dbuf, 0, l->offset, l)) {
			drm_dbg_kms(obj->dev,
				    "be-alloc %llu: pitch %u from 0 only, not %u from %u\n",
				    dbuf->cookie,
				    XENDISPL_PITCH(dbuf->desc.width, dbuf->desc.bpp),
				    l->pitch, l->offset);
			return ERR_PTR(-EINVAL);
		}
		xdf_dbuf_get(dbuf);
		return dbuf;
	}

	gem = to_xdf_gem(obj);
	pos = (u64)xdf_gem_data_ofs(gem) + l->offset;
	mutex_lock(&gem->dbuf_lock);
	dbuf = gem->dbuf;
	/* Its page array is part of ours: it starts as many pages in. */
	if (dbuf)
		first = (u64)(dbuf->pages - gem->pages) << PAGE_SHIFT;
	if (dbuf && xdf_dbuf_fits(dbuf, first, pos, l)) {
		xdf_dbuf_get(dbuf);
	} else {
		dbuf = xdf_gem_create_dbuf(gem, pos, l);
		if (!IS_ERR(dbuf) && !gem->dbuf) {
			gem->dbuf = dbuf;
			xdf_dbuf_get(dbuf);
		}
	}
	mutex_unlock(&gem->dbuf_lock);
	return dbuf;
}

/**
 * xdf_gem_create_object() - &drm_driver.gem_create_object for the shmem
 *			     helpers: our object around theirs
 * @drm: the device
 * @size: the object's size
 *
 * Return: the object, or an ERR_PTR().
 */
struct drm_gem_object *xdf_gem_create_object(struct drm_device *drm,
					     size_t size)
{
	struct xdf_gem *gem;

	gem = kzalloc(sizeof(*gem), GFP_KERNEL);
	if (!gem)
		return ERR_PTR(-ENOMEM);
	mutex_init(&gem->dbuf_lock);
	gem->shmem.base.funcs = &xdf_gem_funcs;
	return &gem->shmem.base;
}

static struct drm_gem_object *xdf_gem_create_shmem(struct xdf_drm *xdrm,
						   const struct xdf_dbuf_desc *desc)
{
	struct drm_gem_shmem_object *shmem;
	struct xdf_dbuf *dbuf;
	struct xdf_gem *gem;
	int ret;

	shmem = drm_gem_shmem_create(&xdrm->drm, desc->size);
	if (IS_ERR(shmem))
		return ERR_CAST(shmem);

	/* Pinned for the display buffer; drm_gem_shmem_free() unpins. */
	ret = drm_gem_shmem_get_pages(shmem);
	if (ret) {
		/*
		 * shmem says -ENOSPC for memory it may not commit; ours means
		 * no grant references or the be-alloc budget: out of memory
		 * is -ENOMEM, as other drivers say it.
		 */
		if (ret == -ENOSPC)
			ret = -ENOMEM;
		goto err_put;
	}

	dbuf = xdf_dbuf_create(xdrm, shmem->pages,
			       shmem->base.size >> PAGE_SHIFT, desc);
	if (IS_ERR(dbuf)) {
		ret = PTR_ERR(dbuf);
		goto err_put;
	}
	gem = to_xdf_gem(&shmem->base);
	gem->dbuf = dbuf;
	gem->pages = shmem->pages;
	return &shmem->base;

err_put:
	drm_gem_object_put(&shmem->base);
	return ERR_PTR(ret);
}

static struct drm_gem_object *xdf_gem_create_be(struct xdf_drm *xdrm,
						const struct xdf_dbuf_desc *desc)
{
	struct xdf_gem_be *gem;
	struct xdf_dbuf *dbuf;
	int ret;

	gem = kzalloc(sizeof(*gem), GFP_KERNEL);
	if (!gem)
		return ERR_PTR(-ENOMEM);

	dbuf = xdf_dbuf_create_be_alloc(xdrm, desc);
	if (IS_ERR(dbuf)) {
		kfree(gem);
		return ERR_CAST(dbuf);
	}
	gem->dbuf = dbuf;
	gem->base.funcs = &xdf_gem_be_funcs;
	mutex_init(&gem->vmap_lock);

	/* No shmem file: the pages are the backend's. */
	drm_gem_private_object_init(&xdrm->drm, &gem->base,
				    (size_t)dbuf->num_pages << PAGE_SHIFT);
	ret = drm_gem_create_mmap_offset(&gem->base);
	if (ret) {
		drm_gem_object_put(&gem->base);
		return ERR_PTR(ret);
	}
	return &gem->base;
}

/**
 * xdf_gem_dumb_create() - &drm_driver.dumb_create: a buffer shared with the
 *			   backend
 * @file: the client
 * @drm: the device
 * @args: the request; pitch and size are set as the backend expects them
 *
 * With be-alloc the backend allocates the buffer, otherwise shmem pages do.
 *
 * Return: 0 or a negative errno.
 */
int xdf_gem_dumb_create(struct drm_file *file, struct drm_device *drm,
			struct drm_mode_create_dumb *args)
{
	struct xdf_drm *xdrm = to_xdf_drm(drm);
	struct xdf_dbuf_desc desc;
	struct drm_gem_object *obj;
	u32 pitch;
	size_t size;
	int ret;

	if (!args->width || args->width > XDF_MAX_DIMENSION ||
	    !args->height || args->height > XDF_MAX_DIMENSION ||
	    !args->bpp || args->bpp > 32 || args->bpp % 8) {
		drm_dbg_driver(drm, "dumb buffer %ux%u at %u bpp refused\n",
			       args->width, args->height, args->bpp);
		return -EINVAL;
	}

	/*
	 * Both bounded above: no overflow. For a backend without
	 * feature-fb-viewport, a part of the buffer off its left edge is
	 * shown through a display buffer starting at that part's first
	 * pixel, which must hold whole lines of the stride: one line more
	 * makes room for the last one (xen_drm_front_fb.c).
	 */
	pitch = XENDISPL_PITCH(args->width, args->bpp);
	size = PAGE_ALIGN((size_t)pitch *
			  (args->height + !xdrm->cfg.fb_viewport));
	desc = (struct xdf_dbuf_desc) {
		.width = args->width,
		.height = args->height,
		.bpp = args->bpp,
		.size = size,
	};

	if (xdrm->cfg.be_alloc)
		obj = xdf_gem_create_be(xdrm, &desc);
	else
		obj = xdf_gem_create_shmem(xdrm, &desc);
	if (IS_ERR(obj))
		return PTR_ERR(obj);

	/* Published last: the object is complete. */
	ret = drm_gem_handle_create(file, obj, &args->handle);
	drm_gem_object_put(obj);
	if (ret)
		return ret;

	args->pitch = pitch;
	args->size = size;
	return 0;
}

/*
 * The backend sees a buffer as a list of whole pages and one offset into
 * the first: only the first entry may start, and only the last may end,
 * inside a page.
 */
static bool xdf_sgt_is_pagelist(struct sg_table *sgt)
{
	struct scatterlist *sg;
	unsigned int i;

	for_each_sgtable_sg(sgt, sg, i) {
		if (i && sg->offset)
			return false;
		if (!sg_is_last(sg) && !PAGE_ALIGNED(sg->offset + sg->length))
			return false;
	}
	return sgt->sgl->offset < PAGE_SIZE;
}

/**
 * xdf_gem_import_sg_table() - &drm_driver.gem_prime_import_sg_table: take
 *			       an imported buffer's pages, to share with
 *			       the backend once a framebuffer gives their
 *			       layout
 * @drm: the device
 * @attach: the dma-buf attachment
 * @sgt: the buffer's mapped scatter list
 *
 * Return: the object, or an ERR_PTR().
 */
struct drm_gem_object *xdf_gem_import_sg_table(struct drm_device *drm,
					       struct dma_buf_attachment *attach,
					       struct sg_table *sgt)
{
	size_t buf_size = attach->dmabuf->size;
	/* A buffer may start inside its first page. */
	u32 data_ofs = sgt->sgl->offset;
	struct drm_gem_object *obj;
	unsigned int num_pages, i;
	struct xdf_gem *gem;
	int ret;

	if (!xdf_sgt_is_pagelist(sgt) || buf_size > U32_MAX - PAGE_SIZE) {
		drm_dbg_driver(drm, "cannot import a %zu-byte buffer at offset %u\n",
			       buf_size, data_ofs);
		return ERR_PTR(-EINVAL);
	}
	num_pages = DIV_ROUND_UP(data_ofs + buf_size, PAGE_SIZE);

	obj = drm_gem_shmem_prime_import_sg_table(drm, attach, sgt);
	if (IS_ERR(obj))
		return obj;
	gem = to_xdf_gem(obj);

	gem->pages = kvcalloc(num_pages, sizeof(*gem->pages), GFP_KERNEL);
	if (!gem->pages) {
		ret = -ENOMEM;
		goto err_put;
	}

	ret = drm_prime_sg_to_page_array(sgt, gem->pages, num_pages);
	if (ret || !gem->pages[num_pages - 1]) {
		drm_dbg_driver(drm, "imported buffer does not cover its %u pages\n",
			       num_pages);
		ret = -EINVAL;
		goto err_put;
	}
	/*
	 * The grants hold page references (xdf_dbuf_share()). Pages of a
	 * larger allocation that is not compound (TTM's) have none of their
	 * own: taking one would free the page alone when it is dropped.
	 */
	for (i = 0; i < num_pages; i++) {
		if (!page_count(gem->pages[i])) {
			drm_dbg_driver(drm, "imported page %u has no reference count\n",
				       i);
			ret = -EINVAL;
			goto err_put;
		}
	}

	return obj;

err_put:
	/*
	 * Not an import yet for xdf_gem_free(), which frees the array of an
	 * import. The scatter list stays the attachment's: the PRIME core
	 * frees it.
	 */
	kvfree(gem->pages);
	gem->pages = NULL;
	gem->shmem.sgt = NULL;
	drm_gem_object_put(obj);
	return ERR_PTR(ret);
}
