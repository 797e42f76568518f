// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: display buffers shared with the backend.
 *
 * A display buffer is what the backend knows of a buffer: the grants of
 * its pages, the page directory listing them and a cookie. It is reference
 * counted on its own, apart from the GEM object and the framebuffers using
 * it, and holds its own references to its pages. The last reference tells
 * the backend to destroy the buffer, if the backend is still there, and
 * only then revokes the grants; a grant the backend still maps keeps its
 * page, or the page directory, until the backend unmaps it.
 *
 * The array of those pages is the caller's (a GEM object's, shmem's or an
 * import's): a 1080p buffer's 2025 pointers take 16 KiB, which a copy
 * would double. Whoever owns the array keeps it in place as long as the
 * display buffer lives: the GEM object drops its display buffers' last
 * references before it frees the array. The grant references are kept
 * apart from the directory listing them, which the backend can write to:
 * as one run of references, whose first is all there is to keep, or where
 * the grant table has no such run free, in an array. The page directory
 * is one allocation from the slab caches, as buffers come and go: pages
 * of their own would take free pages at each creation.
 *
 * We build the page directory ourselves rather than with the kernel's
 * xen-front-pgdir-shbuf helper: that helper revokes grants the backend may
 * still map without keeping their pages alive, cannot be used under KUnit,
 * and would have us reach Xen outside xen_drm_front_xen.h.
 */

#include <linux/err.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>
#include <drm/drm_print.h>

#include "xen_drm_front.h"
#include "xen_drm_front_xen.h"

unsigned int xdf_be_alloc_max_buffers = 64;
module_param_named(be_alloc_max_buffers, xdf_be_alloc_max_buffers, uint, 0644);
MODULE_PARM_DESC(be_alloc_max_buffers,
		 "Buffers a device may have the backend allocate at once (be-alloc=1; default 64)");

unsigned int xdf_be_alloc_max_mib = 1024;
module_param_named(be_alloc_max_mib, xdf_be_alloc_max_mib, uint, 0644);
MODULE_PARM_DESC(be_alloc_max_mib,
		 "Memory a device may have the backend allocate at once, MiB (be-alloc=1; default 1024)");

/* Refuses a backend allocation that would exceed the device's budget. */
static int xdf_be_alloc_charge(struct xdf_drm *xdrm, u64 size)
{
	int ret = 0;

	mutex_lock(&xdrm->be_alloc_lock);
	if (xdrm->be_alloc_count >= xdf_be_alloc_max_buffers ||
	    xdrm->be_alloc_bytes + size > (u64)xdf_be_alloc_max_mib << 20) {
		drm_dbg_driver(&xdrm->drm,
			       "backend allocation of %llu bytes refused: %u buffers, %llu bytes in use\n",
			       size, xdrm->be_alloc_count, xdrm->be_alloc_bytes);
		ret = -ENOSPC;
	} else {
		xdrm->be_alloc_count++;
		xdrm->be_alloc_bytes += size;
	}
	mutex_unlock(&xdrm->be_alloc_lock);
	return ret;
}

static void xdf_be_alloc_uncharge(struct xdf_drm *xdrm, u64 size)
{
	mutex_lock(&xdrm->be_alloc_lock);
	xdrm->be_alloc_count--;
	xdrm->be_alloc_bytes -= size;
	mutex_unlock(&xdrm->be_alloc_lock);
}

/**
 * xdf_dbuf_backend_domid() - the domain that shares a display buffer with us
 * @dbuf: the display buffer
 *
 * Return: the backend's domain id.
 */
domid_t xdf_dbuf_backend_domid(struct xdf_dbuf *dbuf)
{
	return to_xenbus_device(dbuf->xdrm->drm.dev)->otherend_id;
}

/*
 * What the display buffer allocated: the page array only with be-alloc,
 * the grant array with be-alloc or when our grants are not one run.
 */
static void xdf_dbuf_free_arrays(struct xdf_dbuf *dbuf)
{
	if (dbuf->be_alloc) {
		kvfree(dbuf->handles);
		kvfree(dbuf->pages);
	}
	kvfree(dbuf->grefs);
}

static struct xdf_dbuf *xdf_dbuf_alloc(struct xdf_drm *xdrm,
				       unsigned int num_pages, bool be_alloc)
{
	struct xdf_dbuf *dbuf;
	unsigned int num_dir;

	num_dir = DIV_ROUND_UP(num_pages, XENDISPL_PAGE_DIR_GREFS_PER_PAGE);

	dbuf = kzalloc(struct_size(dbuf, dir_grefs, num_dir), GFP_KERNEL);
	if (!dbuf)
		return NULL;

	kref_init(&dbuf->ref);
	dbuf->xdrm = xdrm;
	dbuf->be_alloc = be_alloc;
	dbuf->num_pages = num_pages;
	dbuf->num_dir_pages = num_dir;
	if (be_alloc) {
		dbuf->grefs = kvcalloc(num_pages, sizeof(*dbuf->grefs),
				       GFP_KERNEL);
		dbuf->pages = kvcalloc(num_pages, sizeof(*dbuf->pages),
				       GFP_KERNEL);
		dbuf->handles = kvcalloc(num_pages, sizeof(*dbuf->handles),
					 GFP_KERNEL);
	}
	if (be_alloc && (!dbuf->grefs || !dbuf->pages || !dbuf->handles)) {
		xdf_dbuf_free_arrays(dbuf);
		kfree(dbuf);
		return NULL;
	}

	drm_dev_get(&xdrm->drm);
	return dbuf;
}

static void xdf_dbuf_free(struct xdf_dbuf *dbuf)
{
	struct xdf_drm *xdrm = dbuf->xdrm;

	xdf_dbuf_free_arrays(dbuf);
	kfree(dbuf);
	drm_dev_put(&xdrm->drm);
}

/* Page @i of the directory. */
static struct xendispl_page_directory *xdf_dir_page(struct xdf_dbuf *dbuf,
						    unsigned int i)
{
	return dbuf->dir + (size_t)i * PAGE_SIZE;
}

/*
 * Allocates the directory, grants its pages and chains them. Writable, as
 * the backend fills them for be-alloc and known backends map them
 * read-write anyway. A grant reference is never 0, so 0 ends the chain
 * and marks unused entries.
 */
static int xdf_dir_create(struct xdf_dbuf *dbuf)
{
	domid_t domid = xdf_dbuf_backend_domid(dbuf);
	struct xendispl_page_directory *dir;
	struct page *page;
	unsigned int i;
	int ret;

	/*
	 * kmalloc() aligns blocks of a page or more to a page; where it
	 * finds no contiguous memory, vmalloc() gives pages.
	 */
	dbuf->dir = kvzalloc(array_size(dbuf->num_dir_pages, PAGE_SIZE),
			     GFP_KERNEL);
	if (!dbuf->dir)
		return -ENOMEM;
	if (WARN_ON(!PAGE_ALIGNED(dbuf->dir)))
		return -EINVAL;

	for (i = 0; i < dbuf->num_dir_pages; i++) {
		dir = xdf_dir_page(dbuf, i);
		page = is_vmalloc_addr(dir) ? vmalloc_to_page(dir) :
					      virt_to_page(dir);
		ret = xdf_xen_grant_page(domid, page, false);
		if (ret < 0)
			return ret;
		dbuf->dir_grefs[i] = ret;
	}

	for (i = 0; i < dbuf->num_dir_pages; i++) {
		dir = xdf_dir_page(dbuf, i);
		dir->gref_dir_next_page = i + 1 < dbuf->num_dir_pages ?
					  dbuf->dir_grefs[i + 1] : 0;
	}
	return 0;
}

/* Where the directory holds the grant reference of buffer page @i. */
static grant_ref_t *xdf_dir_entry(struct xdf_dbuf *dbuf, unsigned int i)
{
	const unsigned int per_page = XENDISPL_PAGE_DIR_GREFS_PER_PAGE;
	struct xendispl_page_directory *dir;
	grant_ref_t *refs;

	dir = xdf_dir_page(dbuf, i / per_page);
	/* The array runs to the end of the page: index it as such. */
	refs = dir->gref;
	return &refs[i % per_page];
}

/* Lists the buffer's grant references in the directory, in page order. */
static void xdf_dir_fill(struct xdf_dbuf *dbuf)
{
	unsigned int i;

	for (i = 0; i < dbuf->num_pages; i++)
		*xdf_dir_entry(dbuf, i) = dbuf->grefs ? dbuf->grefs[i] :
					  dbuf->gref_first + i;
}

/*
 * Copies out the references the backend wrote into the directory: they
 * are untrusted, so each must be a plausible reference.
 */
static int xdf_dir_read(struct xdf_dbuf *dbuf)
{
	unsigned int i;

	for (i = 0; i < dbuf->num_pages; i++) {
		dbuf->grefs[i] = READ_ONCE(*xdf_dir_entry(dbuf, i));
		if (!dbuf->grefs[i]) {
			drm_err(&dbuf->xdrm->drm,
				"backend left grant reference %u of %u of buffer %llu empty\n",
				i, dbuf->num_pages, dbuf->cookie);
			return -EPROTO;
		}
	}
	return 0;
}

/*
 * Grants the backend still mapped when their buffer went. The kernel's own
 * queue for those (gnttab_end_foreign_access()) frees 10 a second: a
 * backend that restarts holding thousands, or a device unbound and bound
 * again while fbcon holds its buffer, would fill the grant table long
 * before it drained. They wait here instead, each with our reference to
 * its page or, for a page directory, the directory's allocation, and all
 * are tried again every 100 ms until the backend lets go, which it does
 * at the latest when it closes the connection.
 */
struct xdf_revoke {
	struct list_head node;
	unsigned int count;
	struct page **pages;
	grant_ref_t *grefs;
	void *block;
};

static LIST_HEAD(xdf_revokes);
static DEFINE_MUTEX(xdf_revokes_lock);
static void xdf_revoke_work(struct work_struct *work);
static DECLARE_DELAYED_WORK(xdf_revoke_dwork, xdf_revoke_work);

/* Ends what the backend let go of; the rest stay at the front of @pages. */
static unsigned int xdf_revoke_try(struct page **pages, grant_ref_t *grefs,
				   unsigned int count)
{
	unsigned int i, kept = 0;

	for (i = 0; i < count; i++) {
		if (!xdf_xen_try_end_access(grefs[i])) {
			pages[kept] = pages[i];
			grefs[kept++] = grefs[i];
			continue;
		}
		if (pages[i])
			put_page(pages[i]);
	}
	return kept;
}

static void xdf_revoke_free(struct xdf_revoke *r)
{
	list_del(&r->node);
	kvfree(r->block);
	kvfree(r->pages);
	kvfree(r->grefs);
	kfree(r);
}

static void xdf_revoke_work(struct work_struct *work)
{
	struct xdf_revoke *r, *tmp;

	mutex_lock(&xdf_revokes_lock);
	list_for_each_entry_safe(r, tmp, &xdf_revokes, node) {
		r->count = xdf_revoke_try(r->pages, r->grefs, r->count);
		if (!r->count)
			xdf_revoke_free(r);
	}
	if (!list_empty(&xdf_revokes))
		schedule_delayed_work(&xdf_revoke_dwork, HZ / 10);
	mutex_unlock(&xdf_revokes_lock);
}

/* Room for @count grants the backend still maps, or NULL. */
static struct xdf_revoke *xdf_revoke_alloc(unsigned int count)
{
	struct xdf_revoke *r;

	r = kzalloc(sizeof(*r), GFP_KERNEL);
	if (!r)
		return NULL;
	r->pages = kvmalloc_array(count, sizeof(*r->pages), GFP_KERNEL);
	r->grefs = kvmalloc_array(count, sizeof(*r->grefs), GFP_KERNEL);
	if (!r->pages || !r->grefs) {
		kvfree(r->pages);
		kvfree(r->grefs);
		kfree(r);
		return NULL;
	}
	return r;
}

/* Keeps the grants in @r until the backend lets go of them. */
static void xdf_revoke_later(struct xdf_revoke *r)
{
	mutex_lock(&xdf_revokes_lock);
	list_add_tail(&r->node, &xdf_revokes);
	schedule_delayed_work(&xdf_revoke_dwork, HZ / 10);
	mutex_unlock(&xdf_revokes_lock);
}

/**
 * xdf_dbuf_revoke_flush() - try every grant waiting for the backend now
 *
 * For tests, which cannot wait for the next retry.
 */
void xdf_dbuf_revoke_flush(void)
{
	mod_delayed_work(system_wq, &xdf_revoke_dwork, 0);
	flush_delayed_work(&xdf_revoke_dwork);
}

/**
 * xdf_dbuf_module_exit() - hand the grants still waiting for a backend to
 *			    the kernel's queue, as the module goes
 */
void xdf_dbuf_module_exit(void)
{
	struct xdf_revoke *r, *tmp;
	unsigned int i;

	cancel_delayed_work_sync(&xdf_revoke_dwork);
	list_for_each_entry_safe(r, tmp, &xdf_revokes, node) {
		for (i = 0; i < r->count; i++)
			xdf_xen_end_access(r->grefs[i], r->pages[i]);
		if (r->block) {
			/* The kernel's queue frees pages, not this. */
			pr_warn("xen_drm_front: unloading with %u page directory pages still mapped by the backend: directory left allocated\n",
				r->count);
			r->block = NULL;
		}
		xdf_revoke_free(r);
	}
}

/*
 * Revokes the grants of @pages, up to the first page never set, handing
 * our page references over: a page the backend still maps stays until it
 * unmaps it. Page i's grant is @grefs[i], or without @grefs @first + i; a
 * page without one (0: never granted) is just released. @pages may be
 * another's array and is left as it is.
 *
 * Without @pages, the grants are those of @block's pages, which is freed
 * once the backend maps none of them.
 */
static void xdf_revoke_pages(struct page *const *pages,
			     const grant_ref_t *grefs, grant_ref_t first,
			     unsigned int count, void *block)
{
	struct xdf_revoke *r = NULL;
	struct page *page;
	bool lost = false;
	grant_ref_t ref;
	unsigned int i;

	for (i = 0; i < count && (!pages || pages[i]); i++) {
		page = pages ? pages[i] : NULL;
		ref = grefs ? grefs[i] : first ? first + i : 0;
		if (!ref || xdf_xen_try_end_access(ref)) {
			if (page)
				put_page(page);
			continue;
		}
		if (!r)
			r = xdf_revoke_alloc(count - i);
		if (!r) {
			/* The kernel's slower queue still gets it back. */
			xdf_xen_end_access(ref, page);
			lost = true;
			continue;
		}
		r->pages[r->count] = page;
		r->grefs[r->count++] = ref;
	}
	if (lost && block) {
		/* The kernel's queue frees pages, not this. */
		pr_warn("xen_drm_front: no memory to track a page directory the backend still maps (%u pages): left allocated\n",
			count);
		block = NULL;
	}
	if (r) {
		r->block = block;
		xdf_revoke_later(r);
	} else {
		kvfree(block);
	}
}

static int xdf_dbuf_send_create(struct xdf_dbuf *dbuf,
				const struct xdf_dbuf_desc *desc)
{
	struct xendispl_req req = {
		.operation = XENDISPL_OP_DBUF_CREATE,
		.op.dbuf_create = {
			.dbuf_cookie = dbuf->cookie,
			.width = desc->width,
			.height = desc->height,
			.bpp = desc->bpp,
			.buffer_sz = desc->size,
			.flags = dbuf->be_alloc ? XENDISPL_DBUF_FLG_REQ_ALLOC : 0,
			.gref_directory = dbuf->dir_grefs[0],
			.data_ofs = desc->data_ofs,
		},
	};
	int ret;

	dbuf->desc = *desc;
	/* Requests about buffers go on the first connector's ring. */
	ret = xdf_dev_request(dbuf->xdrm, 0, &req, NULL);
	if (!ret) {
		dbuf->created = true;
		return 0;
	}

	if (ret != -ENODEV)
		drm_err(&dbuf->xdrm->drm,
			"backend did not create buffer %llu (%ux%u, %u bpp, %u bytes%s): %d\n",
			dbuf->cookie, desc->width, desc->height, desc->bpp,
			desc->size, dbuf->be_alloc ? ", backend-allocated" : "",
			ret);
	/* A backend that answers late may still create it: tell it not to. */
	if (ret == -ETIMEDOUT)
		dbuf->created = true;
	return ret;
}

static void xdf_dbuf_send_destroy(struct xdf_dbuf *dbuf)
{
	struct xendispl_req req = {
		.operation = XENDISPL_OP_DBUF_DESTROY,
		.op.dbuf_destroy.dbuf_cookie = dbuf->cookie,
	};
	int ret;

	ret = xdf_dev_request(dbuf->xdrm, 0, &req, NULL);
	/* Gone with the backend is destroyed too: only errors are news. */
	if (ret && ret != -ENODEV)
		drm_err(&dbuf->xdrm->drm, "backend did not destroy buffer %llu: %d\n",
			dbuf->cookie, ret);
}

/* Undoes every step of a creation, however far it got. */
static void xdf_dbuf_destroy(struct xdf_dbuf *dbuf)
{
	struct xdf_drm *xdrm = dbuf->xdrm;

	if (dbuf->be_alloc) {
		/* Unmapped before the backend may free them. */
		if (dbuf->pages[0]) {
			xdf_xen_foreign_unmap(dbuf->num_pages, dbuf->pages,
					      dbuf->handles);
			xdf_xen_foreign_pages_free(dbuf->num_pages, dbuf->pages);
		}
		if (dbuf->created)
			xdf_dbuf_send_destroy(dbuf);
		xdf_be_alloc_uncharge(xdrm, (u64)dbuf->num_pages << PAGE_SHIFT);
	} else {
		if (dbuf->created)
			xdf_dbuf_send_destroy(dbuf);
		xdf_revoke_pages(dbuf->pages, dbuf->grefs, dbuf->gref_first,
				 dbuf->num_pages, NULL);
	}

	xdf_revoke_pages(NULL, dbuf->dir_grefs, 0, dbuf->num_dir_pages,
			 dbuf->dir);
	if (dbuf->cookie)
		xdf_cookie_free(xdrm, dbuf->cookie);
	xdf_dbuf_free(dbuf);
}

/* Grants the pages one at a time: the grant table has no run for them. */
static int xdf_dbuf_grant_each(struct xdf_dbuf *dbuf, domid_t domid)
{
	unsigned int i;
	int ref;

	dbuf->grefs = kvcalloc(dbuf->num_pages, sizeof(*dbuf->grefs),
			       GFP_KERNEL);
	if (!dbuf->grefs)
		return -ENOMEM;
	for (i = 0; i < dbuf->num_pages; i++) {
		ref = xdf_xen_grant_page(domid, dbuf->pages[i], false);
		if (ref < 0)
			return ref;
		dbuf->grefs[i] = ref;
	}
	return 0;
}

/**
 * xdf_dbuf_share() - grant pages to the backend and list them in a page
 *		      directory, without telling it
 * @xdrm: the device
 * @pages: the pages; the result takes its own references to them, not a
 *	   copy of the array, which must stay in place until its last
 *	   reference is dropped
 * @num_pages: number of pages, at least 1
 *
 * For buffers the backend writes into (GET_EDID) as well as display
 * buffers; every page is granted writable.
 *
 * Return: the shared buffer with one reference and no cookie, or an
 * ERR_PTR() with nothing left granted or allocated.
 */
struct xdf_dbuf *xdf_dbuf_share(struct xdf_drm *xdrm, struct page **pages,
				unsigned int num_pages)
{
	struct xdf_dbuf *dbuf;
	domid_t domid;
	unsigned int i;
	int ret;

	if (WARN_ON(!num_pages))
		return ERR_PTR(-EINVAL);

	dbuf = xdf_dbuf_alloc(xdrm, num_pages, false);
	if (!dbuf)
		return ERR_PTR(-ENOMEM);

	dbuf->pages = pages;
	for (i = 0; i < num_pages; i++)
		get_page(pages[i]);

	/*
	 * Writable: the backend only reads the pixels, but known backends
	 * map buffers read-write and fail on read-only grants. One run of
	 * references needs no array of them (8 KiB for a 1080p buffer).
	 */
	domid = xdf_dbuf_backend_domid(dbuf);
	ret = xdf_xen_grant_pages_seq(domid, pages, num_pages,
				      &dbuf->gref_first);
	if (ret)
		ret = xdf_dbuf_grant_each(dbuf, domid);
	if (ret)
		goto err;

	ret = xdf_dir_create(dbuf);
	if (ret)
		goto err;
	xdf_dir_fill(dbuf);
	return dbuf;

err:
	drm_err(&xdrm->drm, "cannot share %u pages with the backend: %d\n",
		num_pages, ret);
	xdf_dbuf_destroy(dbuf);
	return ERR_PTR(ret);
}

/**
 * xdf_dbuf_create() - share pages with the backend as a display buffer
 * @xdrm: the device
 * @pages: the buffer's pages; the display buffer takes its own references
 *	   to them, not a copy of the array, which must stay in place until
 *	   its last reference is dropped
 * @num_pages: number of pages, enough for @desc's size
 * @desc: the buffer as DBUF_CREATE describes it
 *
 * Grants the pages and the page directory listing them, then has the
 * backend create the buffer.
 *
 * Return: the display buffer with one reference, or an ERR_PTR() with
 * nothing left granted, allocated or known to the backend.
 */
struct xdf_dbuf *xdf_dbuf_create(struct xdf_drm *xdrm, struct page **pages,
				 unsigned int num_pages,
				 const struct xdf_dbuf_desc *desc)
{
	struct xdf_dbuf *dbuf;
	int ret;

	if (WARN_ON(desc->size > ((u64)num_pages << PAGE_SHIFT)))
		return ERR_PTR(-EINVAL);

	dbuf = xdf_dbuf_share(xdrm, pages, num_pages);
	if (IS_ERR(dbuf))
		return dbuf;

	ret = xdf_cookie_alloc(xdrm, &dbuf->cookie);
	if (!ret)
		ret = xdf_dbuf_send_create(dbuf, desc);
	if (ret) {
		xdf_dbuf_destroy(dbuf);
		return ERR_PTR(ret);
	}
	return dbuf;
}

/**
 * xdf_dbuf_create_be_alloc() - have the backend allocate a display buffer
 * @xdrm: the device, configured with be-alloc
 * @desc: the buffer as DBUF_CREATE describes it; @desc->data_ofs is 0
 *
 * Grants an empty page directory for the backend to fill, asks it to
 * allocate the buffer and maps the pages it granted. The device's budget
 * (be_alloc_max_buffers, be_alloc_max_mib) bounds what a guest can make the
 * backend allocate.
 *
 * Return: the display buffer with one reference, its pages mapped, or an
 * ERR_PTR() with nothing left mapped, granted or known to the backend.
 */
struct xdf_dbuf *xdf_dbuf_create_be_alloc(struct xdf_drm *xdrm,
					  const struct xdf_dbuf_desc *desc)
{
	unsigned int num_pages = DIV_ROUND_UP(desc->size, PAGE_SIZE);
	u64 size = (u64)num_pages << PAGE_SHIFT;
	struct xdf_dbuf *dbuf;
	int ret;

	if (WARN_ON(!num_pages || desc->data_ofs))
		return ERR_PTR(-EINVAL);

	ret = xdf_be_alloc_charge(xdrm, size);
	if (ret)
		return ERR_PTR(ret);

	dbuf = xdf_dbuf_alloc(xdrm, num_pages, true);
	if (!dbuf) {
		xdf_be_alloc_uncharge(xdrm, size);
		return ERR_PTR(-ENOMEM);
	}

	ret = xdf_cookie_alloc(xdrm, &dbuf->cookie);
	if (ret)
		goto err;

	ret = xdf_dir_create(dbuf);
	if (ret) {
		drm_err(&xdrm->drm, "cannot grant the page directory of backend buffer %llu (%u pages): %d\n",
			dbuf->cookie, num_pages, ret);
		goto err;
	}

	ret = xdf_dbuf_send_create(dbuf, desc);
	if (ret)
		goto err;

	ret = xdf_dir_read(dbuf);
	if (ret)
		goto err;

	ret = xdf_xen_foreign_pages_alloc(num_pages, dbuf->pages);
	if (ret)
		goto err_no_pages;

	ret = xdf_xen_foreign_map(xdf_dbuf_backend_domid(dbuf), dbuf->grefs,
				  num_pages, dbuf->pages, dbuf->handles);
	if (ret) {
		drm_err(&xdrm->drm, "cannot map the %u pages of backend buffer %llu: %d\n",
			num_pages, dbuf->cookie, ret);
		xdf_xen_foreign_pages_free(num_pages, dbuf->pages);
		goto err_no_pages;
	}
	return dbuf;

err_no_pages:
	/* Tells xdf_dbuf_destroy() there is nothing to unmap. */
	memset(dbuf->pages, 0, num_pages * sizeof(*dbuf->pages));

err:
	xdf_dbuf_destroy(dbuf);
	return ERR_PTR(ret);
}

static void xdf_dbuf_release(struct kref *ref)
{
	xdf_dbuf_destroy(container_of(ref, struct xdf_dbuf, ref));
}

/**
 * xdf_dbuf_put() - drop a reference to a display buffer
 * @dbuf: the buffer, or NULL
 *
 * The last reference destroys the buffer at the backend, if the backend is
 * still connected, then revokes its grants. May sleep.
 */
void xdf_dbuf_put(struct xdf_dbuf *dbuf)
{
	if (dbuf)
		kref_put(&dbuf->ref, xdf_dbuf_release);
}
