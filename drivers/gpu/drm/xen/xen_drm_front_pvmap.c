// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: backend pages mapped at page table
 * entries that Xen writes (PV guests).
 *
 * In a PV guest the page tables hold machine frames, and Linux cannot put
 * a frame of another domain into one itself: neither vmap() nor
 * vm_map_pages() can map a backend-allocated buffer. Xen can: given the
 * machine address of a page table entry, a grant map writes that entry.
 * Only Xen may clear it again: an entry the kernel clears or changes
 * itself leaves the grant mapped for good, and the backend can never free
 * its page. So this file decides which entries hold which grant, and
 * unmaps through Xen before the kernel touches them;
 * xen_drm_front_xen.h only passes batches of grants to Xen.
 *
 * User mappings: an MMU interval notifier unmaps before the kernel changes
 * or frees the entries of the range (munmap, exit, mprotect, mremap,
 * unmap_mapping_range() at unplug); the next access faults and maps again
 * with the VMA's protection of that time, unless the device is unplugged.
 * Each VMA holds the GEM object until its last close, which comes after
 * every grant mapping in it was unmapped: the kernel's mappings of the
 * pages and the backend's buffer outlive the user mappings.
 *
 * Kernel mappings: vmap() of a placeholder page reserves an area and its
 * entries (modules cannot reserve one without mapping it); Xen replaces
 * them, and they are unmapped through Xen before vunmap().
 */

#include <linux/err.h>
#include <linux/kref.h>
#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <drm/drm_drv.h>
#include <drm/drm_gem.h>
#include <drm/drm_print.h>

#include "xen_drm_front.h"
#include "xen_drm_front_xen.h"

/**
 * struct xdf_pvmap_set - grants mapped at page table entries by Xen
 * @domid: the granting domain
 * @refs: @count grant references, the display buffer's
 * @count: number of pages
 * @where: "user space" or "the kernel", for messages
 * @ptes: machine address of each page's entry, set before it is mapped
 * @handles: each page's grant mapping, INVALID_GRANT_HANDLE if not mapped
 */
struct xdf_pvmap_set {
	domid_t domid;
	const grant_ref_t *refs;
	unsigned int count;
	const char *where;
	u64 *ptes;
	grant_handle_t *handles;
};

static int xdf_pvmap_set_init(struct xdf_pvmap_set *set, struct xdf_dbuf *dbuf,
			      unsigned int count, const char *where)
{
	unsigned int i;

	set->domid = xdf_dbuf_backend_domid(dbuf);
	set->refs = dbuf->grefs;
	set->count = count;
	set->where = where;
	set->ptes = kvcalloc(count, sizeof(*set->ptes), GFP_KERNEL);
	set->handles = kvcalloc(count, sizeof(*set->handles), GFP_KERNEL);
	if (!set->ptes || !set->handles) {
		kvfree(set->handles);
		kvfree(set->ptes);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++)
		set->handles[i] = INVALID_GRANT_HANDLE;
	return 0;
}

static void xdf_pvmap_set_fini(struct xdf_pvmap_set *set)
{
	kvfree(set->handles);
	kvfree(set->ptes);
}

/*
 * Maps the @n pages listed in @idx. Returns 0, -ENOMEM if Xen's mapping
 * table is full, or -EFAULT; the first failure is logged.
 */
static int xdf_pvmap_map_batch(struct xdf_pvmap_set *set,
			       const unsigned int *idx, unsigned int n,
			       unsigned int flags)
{
	grant_handle_t handles[XDF_XEN_PTE_BATCH];
	grant_ref_t refs[XDF_XEN_PTE_BATCH];
	s16 status[XDF_XEN_PTE_BATCH];
	u64 ptes[XDF_XEN_PTE_BATCH];
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		refs[i] = set->refs[idx[i]];
		ptes[i] = set->ptes[idx[i]];
	}
	ret = xdf_xen_pte_map(set->domid, refs, ptes, n, flags, handles, status);
	if (ret) {
		pr_err_ratelimited("xen_drm_front: mapping %u backend pages into %s failed: %d\n",
				   n, set->where, ret);
		return ret;
	}
	for (i = 0; i < n; i++) {
		if (status[i] == GNTST_okay) {
			set->handles[idx[i]] = handles[i];
			continue;
		}
		if (!ret)
			pr_err_ratelimited("xen_drm_front: mapping backend grant %u into %s failed: status %d\n",
					   refs[i], set->where, status[i]);
		ret = status[i] == GNTST_no_device_space ? -ENOMEM : -EFAULT;
	}
	return ret;
}

/*
 * Maps every page of [@first, @end) that is not mapped, in batches on the
 * stack. Returns 0 or the first error; the pages Xen took stay mapped.
 */
static int xdf_pvmap_map(struct xdf_pvmap_set *set, unsigned int first,
			 unsigned int end, unsigned int flags)
{
	unsigned int idx[XDF_XEN_PTE_BATCH];
	unsigned int i, n = 0;
	int ret = 0, err;

	for (i = first; i < end; i++) {
		if (set->handles[i] != INVALID_GRANT_HANDLE)
			continue;
		idx[n++] = i;
		if (n == XDF_XEN_PTE_BATCH) {
			err = xdf_pvmap_map_batch(set, idx, n, flags);
			ret = ret ?: err;
			n = 0;
		}
	}
	if (n) {
		err = xdf_pvmap_map_batch(set, idx, n, flags);
		ret = ret ?: err;
	}
	return ret;
}

static void xdf_pvmap_unmap_batch(struct xdf_pvmap_set *set,
				  const unsigned int *idx, unsigned int n)
{
	grant_handle_t handles[XDF_XEN_PTE_BATCH];
	s16 status[XDF_XEN_PTE_BATCH];
	u64 ptes[XDF_XEN_PTE_BATCH];
	unsigned int i;
	int ret;

	for (i = 0; i < n; i++) {
		ptes[i] = set->ptes[idx[i]];
		handles[i] = set->handles[idx[i]];
		set->handles[idx[i]] = INVALID_GRANT_HANDLE;
	}
	ret = xdf_xen_pte_unmap(ptes, handles, n, status);
	if (ret) {
		pr_err_ratelimited("xen_drm_front: unmapping %u backend pages from %s failed: %d\n",
				   n, set->where, ret);
		return;
	}
	for (i = 0; i < n; i++)
		if (status[i] != GNTST_okay)
			pr_err_ratelimited("xen_drm_front: unmapping backend grant %u (page %u) from %s failed: status %d\n",
					   set->refs[idx[i]], idx[i], set->where, status[i]);
}

/*
 * Unmaps every mapped page of [@first, @end). Cannot fail for lack of
 * memory: it runs in invalidations and on release.
 */
static void xdf_pvmap_unmap(struct xdf_pvmap_set *set, unsigned int first,
			    unsigned int end)
{
	unsigned int idx[XDF_XEN_PTE_BATCH];
	unsigned int i, n = 0;

	for (i = first; i < end; i++) {
		if (set->handles[i] == INVALID_GRANT_HANDLE)
			continue;
		idx[n++] = i;
		if (n == XDF_XEN_PTE_BATCH) {
			xdf_pvmap_unmap_batch(set, idx, n);
			n = 0;
		}
	}
	if (n)
		xdf_pvmap_unmap_batch(set, idx, n);
}

/**
 * struct xdf_pvmap_user - a user mapping of a backend-allocated buffer
 * @ref: one per VMA using it: the mmap's, and briefly the copy a refused
 *	 mremap makes
 * @obj: the GEM object; the mapping holds the reference its mmap took
 * @cookie: the display buffer's cookie, for messages
 * @notifier: called before the kernel changes or frees the range's entries
 * @lock: serializes mapping with the invalidations that unmap
 * @start: user address of the first page; the VMA never moves or splits
 * @set: the grant mappings, under @lock
 */
struct xdf_pvmap_user {
	struct kref ref;
	struct drm_gem_object *obj;
	u64 cookie;
	struct mmu_interval_notifier notifier;
	struct mutex lock;	/* fill vs. invalidation */
	unsigned long start;
	struct xdf_pvmap_set set;
};

static bool xdf_pvmap_invalidate(struct mmu_interval_notifier *mn,
				 const struct mmu_notifier_range *range,
				 unsigned long cur_seq)
{
	struct xdf_pvmap_user *um = container_of(mn, struct xdf_pvmap_user,
						 notifier);
	unsigned long end = um->start + ((unsigned long)um->set.count << PAGE_SHIFT);
	unsigned long first = max(range->start, um->start);
	unsigned long last = min(range->end, end);

	/* Only the OOM reaper cannot block, and it skips VM_PFNMAP areas. */
	if (!mmu_notifier_range_blockable(range))
		return false;

	mutex_lock(&um->lock);
	mmu_interval_set_seq(mn, cur_seq);
	if (first < last)
		xdf_pvmap_unmap(&um->set, (first - um->start) >> PAGE_SHIFT,
				DIV_ROUND_UP(last - um->start, PAGE_SIZE));
	mutex_unlock(&um->lock);
	return true;
}

static const struct mmu_interval_notifier_ops xdf_pvmap_notifier_ops = {
	.invalidate = xdf_pvmap_invalidate,
};

static int xdf_pvmap_no_pte(pte_t *pte, unsigned long addr, void *data)
{
	return 0;
}

static int xdf_pvmap_user_pte(pte_t *pte, unsigned long addr, void *data)
{
	struct xdf_pvmap_user *um = data;

	return xdf_xen_pte_maddr(pte, addr,
				 &um->set.ptes[(addr - um->start) >> PAGE_SHIFT]);
}

/*
 * Maps every page of the VMA that is not mapped, writable if the VMA is;
 * mmap_lock held. Returns 0 or an errno; the pages Xen took stay mapped.
 */
static int xdf_pvmap_user_fill(struct xdf_pvmap_user *um,
			       struct vm_area_struct *vma)
{
	unsigned long size = (unsigned long)um->set.count << PAGE_SHIFT;
	unsigned int flags = XDF_XEN_PTE_USER;
	unsigned long seq;
	int ret;

	if (!(vma->vm_flags & VM_WRITE))
		flags |= XDF_XEN_PTE_READONLY;

	do {
		seq = mmu_interval_read_begin(&um->notifier);
		/*
		 * Page tables are allocated here, not under the lock the
		 * invalidation takes (reclaim may invalidate), and cannot go
		 * away while mmap_lock is held: the walk under the lock below
		 * allocates nothing.
		 */
		ret = apply_to_page_range(vma->vm_mm, um->start, size,
					  xdf_pvmap_no_pte, NULL);
		if (ret)
			return ret;
		mutex_lock(&um->lock);
		if (!mmu_interval_read_retry(&um->notifier, seq))
			break;
		mutex_unlock(&um->lock);
	} while (true);

	ret = apply_to_page_range(vma->vm_mm, um->start, size,
				  xdf_pvmap_user_pte, um);
	if (!ret)
		ret = xdf_pvmap_map(&um->set, 0, um->set.count, flags);
	mutex_unlock(&um->lock);
	return ret;
}

/* Unmaps what is left and frees; mmap_lock held. */
static void xdf_pvmap_user_free(struct xdf_pvmap_user *um)
{
	/* No invalidation runs once this returns. */
	mmu_interval_notifier_remove(&um->notifier);

	mutex_lock(&um->lock);
	xdf_pvmap_unmap(&um->set, 0, um->set.count);
	mutex_unlock(&um->lock);

	mutex_destroy(&um->lock);
	xdf_pvmap_set_fini(&um->set);
	kfree(um);
}

static void xdf_pvmap_user_release(struct kref *ref)
{
	struct xdf_pvmap_user *um = container_of(ref, struct xdf_pvmap_user,
						 ref);
	struct drm_gem_object *obj = um->obj;

	/* Unmapped before the kernel mappings and DBUF_DESTROY can come. */
	xdf_pvmap_user_free(um);
	drm_gem_object_put(obj);
}

static void xdf_pvmap_vm_open(struct vm_area_struct *vma)
{
	struct xdf_pvmap_user *um = vma->vm_private_data;

	kref_get(&um->ref);
}

static void xdf_pvmap_vm_close(struct vm_area_struct *vma)
{
	struct xdf_pvmap_user *um = vma->vm_private_data;

	kref_put(&um->ref, xdf_pvmap_user_release);
}

/* The grant mappings are made for the whole VMA, at its address. */
static int xdf_pvmap_vm_may_split(struct vm_area_struct *vma,
				  unsigned long addr)
{
	return -EINVAL;
}

/*
 * Refused, as the notifier stays on the old range. Moving the entries
 * back finds them unmapped already: the next access maps them again.
 */
static int xdf_pvmap_vm_mremap(struct vm_area_struct *vma)
{
	return -EINVAL;
}

/*
 * An invalidation (mprotect, a refused mremap, unplug) unmapped pages:
 * map them again, with the VMA's current protection; but not once the
 * device is unplugged, when the backend's pages are no longer ours to map.
 */
static vm_fault_t xdf_pvmap_vm_fault(struct vm_fault *vmf)
{
	struct xdf_pvmap_user *um = vmf->vma->vm_private_data;
	int idx, ret;

	if (!drm_dev_enter(um->obj->dev, &idx))
		return VM_FAULT_SIGBUS;
	ret = xdf_pvmap_user_fill(um, vmf->vma);
	drm_dev_exit(idx);
	if (!ret)
		return VM_FAULT_NOPAGE;
	drm_err_ratelimited(um->obj->dev,
			    "cannot map backend buffer %llu at %#lx again: %d\n",
			    um->cookie, vmf->address, ret);
	/* Not VM_FAULT_OOM for a full grant table: the access would retry. */
	return VM_FAULT_SIGBUS;
}

static const struct vm_operations_struct xdf_pvmap_vm_ops = {
	.open = xdf_pvmap_vm_open,
	.close = xdf_pvmap_vm_close,
	.may_split = xdf_pvmap_vm_may_split,
	.mremap = xdf_pvmap_vm_mremap,
	.fault = xdf_pvmap_vm_fault,
};

/**
 * xdf_pvmap_mmap() - map a backend-allocated buffer into a user VMA
 * @obj: the buffer's GEM object, of which the caller's reference becomes
 *	 the mapping's on success
 * @dbuf: its display buffer, mapped in the kernel
 * @vma: the VMA, in the object's ->mmap(): it starts at the buffer's first
 *	 page and is no larger than the buffer
 *
 * For PV guests, where xdf_xen_foreign_user_mappable() is false. Only
 * shared mappings are taken; they are never copied on fork, expanded,
 * split or moved.
 *
 * Return: 0 or a negative errno, with nothing mapped.
 */
int xdf_pvmap_mmap(struct drm_gem_object *obj, struct xdf_dbuf *dbuf,
		   struct vm_area_struct *vma)
{
	unsigned int count = vma_pages(vma);
	struct xdf_pvmap_user *um;
	int idx, ret;

	/* A private mapping would copy Xen's entries on write. */
	if (!(vma->vm_flags & VM_SHARED)) {
		drm_dbg_driver(obj->dev,
			       "backend buffer %llu: private mapping refused\n",
			       dbuf->cookie);
		return -EINVAL;
	}
	if (WARN_ON(!count || count > dbuf->num_pages))
		return -EINVAL;

	um = kzalloc(sizeof(*um), GFP_KERNEL);
	if (!um)
		return -ENOMEM;
	ret = xdf_pvmap_set_init(&um->set, dbuf, count, "user space");
	if (ret) {
		kfree(um);
		return ret;
	}
	kref_init(&um->ref);
	um->obj = obj;
	um->cookie = dbuf->cookie;
	um->start = vma->vm_start;
	mutex_init(&um->lock);

	/*
	 * No struct page behind the entries Xen writes; never copied on fork
	 * (not even with MADV_DOFORK, refused for VM_IO), expanded or dumped.
	 */
	vma->vm_flags |= VM_IO | VM_PFNMAP | VM_DONTEXPAND | VM_DONTDUMP |
			 VM_DONTCOPY;

	ret = mmu_interval_notifier_insert_locked(&um->notifier, vma->vm_mm,
						  um->start,
						  (unsigned long)count << PAGE_SHIFT,
						  &xdf_pvmap_notifier_ops);
	if (ret) {
		mutex_destroy(&um->lock);
		xdf_pvmap_set_fini(&um->set);
		kfree(um);
		return ret;
	}

	/* As the fault handler: nothing mapped once unplugged. */
	ret = -ENODEV;
	if (drm_dev_enter(obj->dev, &idx)) {
		ret = xdf_pvmap_user_fill(um, vma);
		drm_dev_exit(idx);
	}
	if (ret) {
		drm_err(obj->dev,
			"cannot map the %u pages of backend buffer %llu at %#lx: %d\n",
			count, dbuf->cookie, vma->vm_start, ret);
		xdf_pvmap_user_free(um);
		return ret;
	}

	vma->vm_private_data = um;
	vma->vm_ops = &xdf_pvmap_vm_ops;
	return 0;
}

/**
 * struct xdf_pvmap_kernel - a kernel mapping of a backend-allocated buffer
 * @vaddr: the area, mapping @placeholder until Xen replaced its entries
 * @placeholder: never accessed
 * @set: the grant mappings
 */
struct xdf_pvmap_kernel {
	void *vaddr;
	struct page *placeholder;
	struct xdf_pvmap_set set;
};

/* Reserves @km's area, with entries for Xen to replace. */
static int xdf_pvmap_kernel_area(struct xdf_pvmap_kernel *km)
{
	unsigned int i, count = km->set.count;
	struct page **pages;
	int ret;

	km->placeholder = alloc_page(GFP_KERNEL);
	pages = kvmalloc_array(count, sizeof(*pages), GFP_KERNEL);
	if (!km->placeholder || !pages) {
		kvfree(pages);
		return -ENOMEM;
	}
	for (i = 0; i < count; i++)
		pages[i] = km->placeholder;
	km->vaddr = vmap(pages, count, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!km->vaddr)
		return -ENOMEM;

	for (i = 0; i < count; i++) {
		ret = xdf_xen_kernel_pte_maddr((unsigned long)km->vaddr +
					       ((unsigned long)i << PAGE_SHIFT),
					       &km->set.ptes[i]);
		if (ret)
			return ret;
	}
	return 0;
}

/**
 * xdf_pvmap_vunmap() - unmap and free a mapping from xdf_pvmap_vmap()
 * @km: the mapping
 */
void xdf_pvmap_vunmap(struct xdf_pvmap_kernel *km)
{
	/* Xen's entries first: vunmap() would clear them itself. */
	xdf_pvmap_unmap(&km->set, 0, km->set.count);
	if (km->vaddr)
		vunmap(km->vaddr);
	if (km->placeholder)
		__free_page(km->placeholder);
	xdf_pvmap_set_fini(&km->set);
	kfree(km);
}

/**
 * xdf_pvmap_vmap() - map a backend-allocated buffer into the kernel
 * @dbuf: the display buffer, mapped by xdf_xen_foreign_map() until
 *	  xdf_pvmap_vunmap() returns
 * @vaddr: where the address of the first page is stored
 *
 * For PV guests, where xdf_xen_foreign_user_mappable() is false; writable.
 *
 * Return: the mapping, or an ERR_PTR() with nothing left mapped.
 */
struct xdf_pvmap_kernel *xdf_pvmap_vmap(struct xdf_dbuf *dbuf, void **vaddr)
{
	struct xdf_pvmap_kernel *km;
	int ret;

	km = kzalloc(sizeof(*km), GFP_KERNEL);
	if (!km)
		return ERR_PTR(-ENOMEM);
	ret = xdf_pvmap_set_init(&km->set, dbuf, dbuf->num_pages, "the kernel");
	if (ret) {
		kfree(km);
		return ERR_PTR(ret);
	}

	ret = xdf_pvmap_kernel_area(km);
	if (!ret)
		ret = xdf_pvmap_map(&km->set, 0, km->set.count, 0);
	if (ret) {
		xdf_pvmap_vunmap(km);
		return ERR_PTR(ret);
	}
	*vaddr = km->vaddr;
	return km;
}
