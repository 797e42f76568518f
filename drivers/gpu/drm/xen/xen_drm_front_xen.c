// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: Xen primitives on the kernel's Xen API.
 *
 * Each function is the thinnest wrapper that keeps the Xen-only headers out
 * of the rest of the driver; see xen_drm_front_xen.h for why it exists.
 * The KUnit build replaces this file with tests/kunit/xen_drm_front_sim.c,
 * which must implement the same contracts.
 */

#include <linux/mm.h>
#include <linux/mmu_notifier.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>

#include <asm/xen/hypercall.h>

#include <xen/events.h>
#include <xen/grant_table.h>
#include <xen/page.h>
#include <xen/platform_pci.h>
#include <xen/xen.h>

#include "xen_drm_front_xen.h"

/**
 * xdf_xen_platform_check() - refuse to load where the driver cannot work
 *
 * Return: 0 in a Xen domain with PV devices whose page size is PAGE_SIZE,
 * -ENODEV otherwise (with a log line saying why).
 */
int xdf_xen_platform_check(void)
{
	if (!xen_domain()) {
		pr_info("xen_drm_front: not running in a Xen domain\n");
		return -ENODEV;
	}
	if (!xen_has_pv_devices()) {
		pr_info("xen_drm_front: Xen PV devices are not available in this domain\n");
		return -ENODEV;
	}
	if (XEN_PAGE_SIZE != PAGE_SIZE) {
		pr_err("xen_drm_front: Xen page size %lu differs from kernel page size %lu: unsupported\n",
		       XEN_PAGE_SIZE, PAGE_SIZE);
		return -ENODEV;
	}
	return 0;
}

/**
 * xdf_xen_register_driver() - register a xenbus frontend driver
 * @drv: the driver; its probe, remove and otherend_changed callbacks are
 *	 called by the xenbus core (otherend_changed from the xenwatch thread)
 *
 * Return: 0 or a negative errno.
 */
int xdf_xen_register_driver(struct xenbus_driver *drv)
{
	return xenbus_register_frontend(drv);
}

/**
 * xdf_xen_unregister_driver() - unregister a driver registered with
 *				 xdf_xen_register_driver()
 * @drv: the driver
 */
void xdf_xen_unregister_driver(struct xenbus_driver *drv)
{
	xenbus_unregister_driver(drv);
}

/**
 * xdf_xen_xs_read() - read a XenStore node
 * @xbt: transaction or XBT_NIL
 * @dir: directory path
 * @node: node name inside @dir
 *
 * Return: the NUL-terminated value, to be freed with kfree(), or an
 * ERR_PTR(): -ENOENT when the node does not exist.
 */
char *xdf_xen_xs_read(struct xenbus_transaction xbt, const char *dir,
		      const char *node)
{
	return xenbus_read(xbt, dir, node, NULL);
}

/**
 * xdf_xen_xs_write() - write a XenStore node
 * @xbt: transaction or XBT_NIL
 * @dir: directory path
 * @node: node name inside @dir
 * @value: NUL-terminated value
 *
 * Return: 0 or a negative errno.
 */
int xdf_xen_xs_write(struct xenbus_transaction xbt, const char *dir,
		     const char *node, const char *value)
{
	return xenbus_write(xbt, dir, node, value);
}

/**
 * xdf_xen_xs_transaction_start() - start a XenStore transaction
 * @xbt: the transaction, valid until xdf_xen_xs_transaction_end()
 *
 * Return: 0 or a negative errno.
 */
int xdf_xen_xs_transaction_start(struct xenbus_transaction *xbt)
{
	return xenbus_transaction_start(xbt);
}

/**
 * xdf_xen_xs_transaction_end() - commit or abort a XenStore transaction
 * @xbt: the transaction
 * @abort: discard the transaction's writes
 *
 * Return: 0, -EAGAIN when a concurrent change made the commit fail (the
 * caller retries the whole transaction), or another negative errno.
 */
int xdf_xen_xs_transaction_end(struct xenbus_transaction xbt, bool abort)
{
	return xenbus_transaction_end(xbt, abort);
}

/**
 * xdf_xen_switch_state() - publish our xenbus state
 * @xb_dev: the xenbus device
 * @state: the new state
 *
 * Return: 0 or a negative errno.
 */
int xdf_xen_switch_state(struct xenbus_device *xb_dev, enum xenbus_state state)
{
	return xenbus_switch_state(xb_dev, state);
}

/**
 * xdf_xen_dev_fatal() - report a fatal device error to the toolstack
 * @xb_dev: the xenbus device
 * @err: negative errno
 * @what: what failed, for the log and the XenStore error node
 *
 * Logs the error, records it in XenStore and moves the device to Closing.
 */
void xdf_xen_dev_fatal(struct xenbus_device *xb_dev, int err, const char *what)
{
	xenbus_dev_fatal(xb_dev, err, "%s", what);
}

/**
 * xdf_xen_grant_page() - let the backend access one of our pages
 * @domid: the backend's domain
 * @page: the page
 * @readonly: grant read-only access
 *
 * Return: the grant reference (never 0) or a negative errno.
 */
int xdf_xen_grant_page(domid_t domid, struct page *page, bool readonly)
{
	return gnttab_grant_foreign_access(domid, xen_page_to_gfn(page),
					   readonly);
}

/**
 * xdf_xen_end_access() - revoke a grant made by xdf_xen_grant_page()
 * @ref: the grant reference
 * @page: the granted page whose reference the caller hands over, or NULL
 *
 * If the backend still maps the page, revoking is deferred until it unmaps
 * it, and @page stays allocated until then; the kernel logs such deferrals.
 * With a @page, the caller's reference to it is dropped once access ended.
 */
void xdf_xen_end_access(grant_ref_t ref, struct page *page)
{
	gnttab_end_foreign_access(ref, page);
}

/**
 * xdf_xen_ring_alloc() - allocate and grant one zeroed page for a ring
 * @xb_dev: the xenbus device whose backend gets read-write access
 * @vaddr: where the page's address is stored
 * @ref: where the grant reference is stored
 *
 * Return: 0 or a negative errno; on error nothing is left allocated.
 */
int xdf_xen_ring_alloc(struct xenbus_device *xb_dev, void **vaddr,
		       grant_ref_t *ref)
{
	struct page *page;
	int ret;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return -ENOMEM;

	ret = gnttab_grant_foreign_access(xb_dev->otherend_id,
					  xen_page_to_gfn(page), 0);
	if (ret < 0) {
		__free_page(page);
		return ret;
	}

	*ref = ret;
	*vaddr = page_address(page);
	return 0;
}

/**
 * xdf_xen_ring_free() - revoke and free a page from xdf_xen_ring_alloc()
 * @vaddr: the page's address, set to NULL; NULL is a no-op
 * @ref: the grant reference, set to INVALID_GRANT_REF
 *
 * Unlike xenbus_teardown_ring(), a page the backend still maps is not
 * freed under it: it is released when the deferred revocation completes.
 */
void xdf_xen_ring_free(void **vaddr, grant_ref_t *ref)
{
	if (!*vaddr)
		return;

	gnttab_end_foreign_access(*ref, virt_to_page(*vaddr));
	*vaddr = NULL;
	*ref = INVALID_GRANT_REF;
}

/**
 * xdf_xen_evtchn_bind() - allocate an event channel to the backend and bind
 *			   a handler to it
 * @xb_dev: the xenbus device
 * @handler: called in interrupt context when the backend notifies us; it
 *	     must end each call with xdf_xen_evtchn_eoi(), as the channel
 *	     stays masked until then
 * @name: interrupt name
 * @data: handler's argument
 * @port: where the channel's port is stored, for XenStore
 *
 * Return: the interrupt number (>= 0) or a negative errno; on error
 * nothing is left allocated.
 */
int xdf_xen_evtchn_bind(struct xenbus_device *xb_dev, irq_handler_t handler,
			const char *name, void *data, evtchn_port_t *port)
{
	int ret;

	ret = xenbus_alloc_evtchn(xb_dev, port);
	if (ret)
		return ret;

	/* Late EOI: Xen throttles a backend that notifies for nothing. */
	ret = bind_evtchn_to_irqhandler_lateeoi(*port, handler, 0, name, data);
	if (ret < 0)
		xenbus_free_evtchn(xb_dev, *port);
	return ret;
}

/**
 * xdf_xen_evtchn_eoi() - end a notification, unmasking the channel
 * @irq: the interrupt from xdf_xen_evtchn_bind()
 * @spurious: the handler found nothing to do; Xen then delays the channel's
 *	      next notifications more and more, so a backend notifying for
 *	      nothing cannot take the guest's time
 */
void xdf_xen_evtchn_eoi(int irq, bool spurious)
{
	xen_irq_lateeoi(irq, spurious ? XEN_EOI_FLAG_SPURIOUS : 0);
}

/**
 * xdf_xen_evtchn_unbind() - unbind the handler and close the channel
 * @irq: the interrupt from xdf_xen_evtchn_bind()
 * @data: the handler's argument
 *
 * On return the handler is not running and will not run again.
 */
void xdf_xen_evtchn_unbind(int irq, void *data)
{
	/* Unbinding an interdomain channel also closes its port. */
	unbind_from_irqhandler(irq, data);
}

/**
 * xdf_xen_evtchn_notify() - notify the backend through an event channel
 * @irq: the interrupt from xdf_xen_evtchn_bind()
 */
void xdf_xen_evtchn_notify(int irq)
{
	notify_remote_via_irq(irq);
}

/**
 * xdf_xen_foreign_pages_alloc() - get pages to map backend memory into
 * @count: number of pages
 * @pages: array filled with @count pages
 *
 * Return: 0 or a negative errno; on error nothing is left allocated.
 */
int xdf_xen_foreign_pages_alloc(unsigned int count, struct page **pages)
{
	return gnttab_alloc_pages(count, pages);
}

/**
 * xdf_xen_foreign_pages_free() - free pages from xdf_xen_foreign_pages_alloc()
 * @count: number of pages
 * @pages: the pages, none of them mapped
 */
void xdf_xen_foreign_pages_free(unsigned int count, struct page **pages)
{
	gnttab_free_pages(count, pages);
}

/**
 * xdf_xen_foreign_map() - map pages the backend granted to us
 * @domid: the granting domain
 * @refs: @count grant references
 * @count: number of pages
 * @pages: pages from xdf_xen_foreign_pages_alloc(); on success the memory is
 *	   reached through this array (a simulation may replace its entries)
 * @handles: filled with one handle per page, for xdf_xen_foreign_unmap()
 *
 * Return: 0 or a negative errno; on error nothing is left mapped.
 */
int xdf_xen_foreign_map(domid_t domid, const grant_ref_t *refs,
			unsigned int count, struct page **pages,
			grant_handle_t *handles)
{
	struct gnttab_map_grant_ref *map;
	unsigned int i, mapped = 0;
	int ret;

	map = kcalloc(count, sizeof(*map), GFP_KERNEL);
	if (!map)
		return -ENOMEM;

	for (i = 0; i < count; i++)
		gnttab_set_map_op(&map[i],
				  (phys_addr_t)pfn_to_kaddr(page_to_xen_pfn(pages[i])),
				  GNTMAP_host_map, refs[i], domid);

	ret = gnttab_map_refs(map, NULL, pages, count);
	for (i = 0; i < count; i++) {
		if (map[i].status == GNTST_okay) {
			handles[i] = map[i].handle;
			mapped++;
		} else {
			handles[i] = INVALID_GRANT_HANDLE;
			if (!ret)
				ret = -EFAULT;
		}
	}

	if (ret && mapped)
		xdf_xen_foreign_unmap(count, pages, handles);
	kfree(map);
	return ret;
}

#define XDF_UNMAP_BATCH	16

/*
 * Waits, as gntdev does, until nobody else holds the pages (I/O a user
 * mapping started, say): they go back to the allocator right after.
 */
static void xdf_xen_unmap_batch(struct gnttab_unmap_grant_ref *unmap,
				struct page **pages, unsigned int count)
{
	struct gntab_unmap_queue_data item = {
		.unmap_ops = unmap,
		.pages = pages,
		.count = count,
	};

	if (gnttab_unmap_refs_sync(&item))
		pr_err("xen_drm_front: unmapping %u backend pages failed\n", count);
}

/**
 * xdf_xen_foreign_unmap() - unmap pages mapped by xdf_xen_foreign_map()
 * @count: number of pages
 * @pages: the array passed to xdf_xen_foreign_map()
 * @handles: its handles; INVALID_GRANT_HANDLE entries are skipped
 */
void xdf_xen_foreign_unmap(unsigned int count, struct page **pages,
			   const grant_handle_t *handles)
{
	/* Batches on the stack: unmapping must not fail for lack of memory. */
	struct gnttab_unmap_grant_ref unmap[XDF_UNMAP_BATCH];
	struct page *mapped[XDF_UNMAP_BATCH];
	unsigned int i, n = 0;

	for (i = 0; i < count; i++) {
		if (handles[i] == INVALID_GRANT_HANDLE)
			continue;
		gnttab_set_unmap_op(&unmap[n],
				    (phys_addr_t)pfn_to_kaddr(page_to_xen_pfn(pages[i])),
				    GNTMAP_host_map, handles[i]);
		mapped[n++] = pages[i];
		if (n == XDF_UNMAP_BATCH) {
			xdf_xen_unmap_batch(unmap, mapped, n);
			n = 0;
		}
	}
	if (n)
		xdf_xen_unmap_batch(unmap, mapped, n);
}

/**
 * xdf_xen_foreign_user_mappable() - tell whether backend pages mapped by
 *				     xdf_xen_foreign_map() can be mapped to
 *				     user space like ordinary pages
 *
 * In a PV guest the page tables hold machine frames: inserting a granted
 * page into a user mapping as an ordinary page gives a mapping that faults
 * and corrupts the memory accounting. HVM and PVH guests have no such
 * problem.
 *
 * Return: true if vm_map_pages() may be used on such pages.
 */
bool xdf_xen_foreign_user_mappable(void)
{
	return !xen_pv_domain();
}

/*
 * Maps @n grants from @ops, listed by @idx, storing their handles in
 * @handles; the first failure is logged, naming @where. Returns 0,
 * -ENOMEM if Xen's mapping table is full, or -EFAULT.
 */
static int xdf_xen_map_batch(struct gnttab_map_grant_ref *ops,
			     const unsigned int *idx, unsigned int n,
			     grant_handle_t *handles, const char *where)
{
	unsigned int i;
	int ret = 0;

	gnttab_batch_map(ops, n);
	for (i = 0; i < n; i++) {
		if (ops[i].status == GNTST_okay) {
			handles[idx[i]] = ops[i].handle;
			continue;
		}
		if (!ret)
			pr_err("xen_drm_front: mapping backend grant %u %s failed: status %d\n",
			       ops[i].ref, where, ops[i].status);
		ret = ops[i].status == GNTST_no_device_space ? -ENOMEM : -EFAULT;
	}
	return ret;
}

/**
 * struct xdf_xen_umap - backend pages that Xen mapped into a user VMA
 * @notifier: called before the kernel changes or frees the page table
 *	      entries of the VMA's range: munmap, exit, mprotect, mremap,
 *	      unmap_mapping_range() at unplug
 * @lock: serializes mapping with unmapping (taken in @notifier's callback)
 * @start: user address of the first page
 * @count: number of pages
 * @domid: the granting domain
 * @refs: @count grant references, the caller's array
 * @ptes: machine address of each page's page table entry, as Xen wants it;
 *	  under @lock
 * @handles: each page's user grant mapping, INVALID_GRANT_HANDLE when not
 *	     mapped; under @lock
 *
 * In a PV guest the page tables hold machine frames and Linux cannot put a
 * foreign frame into a user page table itself. Xen does it: a grant map
 * with GNTMAP_contains_pte writes the entry whose machine address it is
 * given, GNTMAP_application_map makes it a user mapping, and guest
 * available bit 0 is Linux's _PAGE_SPECIAL, so the kernel never looks for
 * a struct page behind the entry. Xen must also remove it: the kernel
 * clearing such an entry itself would leave the grant mapped for good. So
 * @notifier unmaps before any change of the range, and a later access
 * faults and maps again (xdf_xen_umap_fill()).
 *
 * The kernel's own mapping of the pages (xdf_xen_foreign_map()) is a
 * separate grant mapping and stays untouched, so is the pages' p2m entry.
 */
struct xdf_xen_umap {
	struct mmu_interval_notifier notifier;
	struct mutex lock;	/* fill vs. invalidation */
	unsigned long start;
	unsigned int count;
	domid_t domid;
	const grant_ref_t *refs;
	u64 *ptes;
	grant_handle_t *handles;
};

#define XDF_UMAP_BATCH	16

static void xdf_xen_umap_unmap_batch(struct xdf_xen_umap *umap,
				     struct gnttab_unmap_grant_ref *unmap,
				     const unsigned int *idx, unsigned int n)
{
	unsigned int i;

	if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, unmap, n)) {
		pr_err("xen_drm_front: unmapping %u backend pages from user address %#lx failed\n",
		       n, umap->start + ((unsigned long)idx[0] << PAGE_SHIFT));
		return;
	}
	for (i = 0; i < n; i++)
		if (unmap[i].status != GNTST_okay)
			pr_err("xen_drm_front: unmapping backend grant %u from user address %#lx failed: status %d\n",
			       umap->refs[idx[i]],
			       umap->start + ((unsigned long)idx[i] << PAGE_SHIFT),
			       unmap[i].status);
}

/* Unmaps pages [@first, @end) that are mapped; @umap->lock held. */
static void xdf_xen_umap_unmap(struct xdf_xen_umap *umap, unsigned int first,
			       unsigned int end)
{
	/* On the stack: an invalidation cannot fail for lack of memory. */
	struct gnttab_unmap_grant_ref unmap[XDF_UMAP_BATCH];
	unsigned int idx[XDF_UMAP_BATCH];
	unsigned int i, n = 0;

	lockdep_assert_held(&umap->lock);
	for (i = first; i < end; i++) {
		if (umap->handles[i] == INVALID_GRANT_HANDLE)
			continue;
		gnttab_set_unmap_op(&unmap[n], umap->ptes[i],
				    GNTMAP_contains_pte, umap->handles[i]);
		umap->handles[i] = INVALID_GRANT_HANDLE;
		idx[n++] = i;
		if (n == XDF_UMAP_BATCH) {
			xdf_xen_umap_unmap_batch(umap, unmap, idx, n);
			n = 0;
		}
	}
	if (n)
		xdf_xen_umap_unmap_batch(umap, unmap, idx, n);
}

static bool xdf_xen_umap_invalidate(struct mmu_interval_notifier *mn,
				    const struct mmu_notifier_range *range,
				    unsigned long cur_seq)
{
	struct xdf_xen_umap *umap = container_of(mn, struct xdf_xen_umap,
						 notifier);
	unsigned long end = umap->start + ((unsigned long)umap->count << PAGE_SHIFT);
	unsigned long first = max(range->start, umap->start);
	unsigned long last = min(range->end, end);

	/* Only the OOM reaper cannot block, and it skips VM_PFNMAP areas. */
	if (!mmu_notifier_range_blockable(range))
		return false;

	mutex_lock(&umap->lock);
	mmu_interval_set_seq(mn, cur_seq);
	if (first < last)
		xdf_xen_umap_unmap(umap, (first - umap->start) >> PAGE_SHIFT,
				   DIV_ROUND_UP(last - umap->start, PAGE_SIZE));
	mutex_unlock(&umap->lock);
	return true;
}

static const struct mmu_interval_notifier_ops xdf_xen_umap_ops = {
	.invalidate = xdf_xen_umap_invalidate,
};

/**
 * xdf_xen_umap_create() - prepare to map backend pages into a user VMA
 * @vma: the VMA, in its ->mmap(), mmap_lock held for writing; it must be a
 *	 shared VM_PFNMAP | VM_IO | VM_DONTCOPY mapping that cannot be split
 *	 and covers at least @count pages
 * @domid: the granting domain
 * @refs: @count grant references, already mapped by xdf_xen_foreign_map()
 *	  and left unchanged until xdf_xen_umap_destroy()
 * @count: number of pages, mapped from @vma's start
 *
 * Maps nothing yet: xdf_xen_umap_fill() does. From now on, whatever changes
 * or frees the range's page table entries first unmaps the pages.
 *
 * Return: the mapping, or an ERR_PTR().
 */
struct xdf_xen_umap *xdf_xen_umap_create(struct vm_area_struct *vma,
					 domid_t domid,
					 const grant_ref_t *refs,
					 unsigned int count)
{
	struct xdf_xen_umap *umap;
	unsigned int i;
	int ret;

	if (WARN_ON(!xen_pv_domain() || !count || count > vma_pages(vma)))
		return ERR_PTR(-EINVAL);

	umap = kzalloc(sizeof(*umap), GFP_KERNEL);
	if (!umap)
		return ERR_PTR(-ENOMEM);
	umap->ptes = kvcalloc(count, sizeof(*umap->ptes), GFP_KERNEL);
	umap->handles = kvcalloc(count, sizeof(*umap->handles), GFP_KERNEL);
	if (!umap->ptes || !umap->handles) {
		ret = -ENOMEM;
		goto err_free;
	}
	for (i = 0; i < count; i++)
		umap->handles[i] = INVALID_GRANT_HANDLE;
	mutex_init(&umap->lock);
	umap->start = vma->vm_start;
	umap->count = count;
	umap->domid = domid;
	umap->refs = refs;

	ret = mmu_interval_notifier_insert_locked(&umap->notifier, vma->vm_mm,
						  umap->start,
						  (unsigned long)count << PAGE_SHIFT,
						  &xdf_xen_umap_ops);
	if (ret) {
		mutex_destroy(&umap->lock);
		goto err_free;
	}
	return umap;

err_free:
	kvfree(umap->handles);
	kvfree(umap->ptes);
	kfree(umap);
	return ERR_PTR(ret);
}

static int xdf_xen_umap_no_pte(pte_t *pte, unsigned long addr, void *data)
{
	return 0;
}

static int xdf_xen_umap_pte(pte_t *pte, unsigned long addr, void *data)
{
	struct xdf_xen_umap *umap = data;

	umap->ptes[(addr - umap->start) >> PAGE_SHIFT] =
		arbitrary_virt_to_machine(pte).maddr;
	return 0;
}

/**
 * xdf_xen_umap_fill() - map every page of a user mapping that is not mapped
 * @umap: the mapping
 * @vma: its VMA, mmap_lock held (for reading at least)
 *
 * For the VMA's ->mmap() right after xdf_xen_umap_create(), and for its
 * page faults: a fault means an invalidation took pages away. Writable if
 * the VMA is.
 *
 * Return: 0, or a negative errno with the pages that could be mapped
 * mapped; the rest will be tried again on the next call.
 */
int xdf_xen_umap_fill(struct xdf_xen_umap *umap, struct vm_area_struct *vma)
{
	u32 flags = GNTMAP_host_map | GNTMAP_application_map |
		    GNTMAP_contains_pte | (1 << _GNTMAP_guest_avail0);
	unsigned long size = (unsigned long)umap->count << PAGE_SHIFT;
	struct gnttab_map_grant_ref ops[XDF_UMAP_BATCH];
	unsigned int idx[XDF_UMAP_BATCH];
	unsigned int i, n = 0;
	unsigned long seq;
	int ret, err;

	if (!(vma->vm_flags & VM_WRITE))
		flags |= GNTMAP_readonly;

	do {
		seq = mmu_interval_read_begin(&umap->notifier);
		/*
		 * Page tables are allocated here, not under the lock the
		 * invalidation takes (reclaim may invalidate), and cannot go
		 * away while mmap_lock is held: the walk under the lock below
		 * allocates nothing.
		 */
		ret = apply_to_page_range(vma->vm_mm, umap->start, size,
					  xdf_xen_umap_no_pte, NULL);
		if (ret)
			return ret;
		mutex_lock(&umap->lock);
		if (!mmu_interval_read_retry(&umap->notifier, seq))
			break;
		mutex_unlock(&umap->lock);
	} while (true);

	ret = apply_to_page_range(vma->vm_mm, umap->start, size,
				  xdf_xen_umap_pte, umap);
	for (i = 0; i < umap->count && !ret; i++) {
		if (umap->handles[i] != INVALID_GRANT_HANDLE)
			continue;
		gnttab_set_map_op(&ops[n], umap->ptes[i], flags, umap->refs[i],
				  umap->domid);
		idx[n++] = i;
		if (n == XDF_UMAP_BATCH) {
			ret = xdf_xen_map_batch(ops, idx, n, umap->handles,
						"into user space");
			n = 0;
		}
	}
	if (n) {
		err = xdf_xen_map_batch(ops, idx, n, umap->handles,
					"into user space");
		if (!ret)
			ret = err;
	}
	mutex_unlock(&umap->lock);
	return ret;
}

/**
 * xdf_xen_umap_destroy() - unmap and free a user mapping
 * @umap: the mapping
 *
 * For the VMA's last ->close(), or the ->mmap() that fails, mmap_lock held.
 * By the close, the invalidation of the unmapped range has unmapped every
 * page; whatever is left is unmapped here. On return nothing of the
 * backend's pages is mapped through @umap any more.
 */
void xdf_xen_umap_destroy(struct xdf_xen_umap *umap)
{
	/* No invalidation runs once this returns. */
	mmu_interval_notifier_remove(&umap->notifier);

	mutex_lock(&umap->lock);
	xdf_xen_umap_unmap(umap, 0, umap->count);
	mutex_unlock(&umap->lock);

	mutex_destroy(&umap->lock);
	kvfree(umap->handles);
	kvfree(umap->ptes);
	kfree(umap);
}

/**
 * struct xdf_xen_vmap - backend pages that Xen mapped into a kernel
 *			 virtual area (PV guests)
 * @vaddr: the area
 * @count: number of pages
 * @placeholder: the page the area maps until Xen replaces its entries
 * @ptes: machine address of each page's page table entry
 * @handles: each page's grant mapping, INVALID_GRANT_HANDLE when not mapped
 *
 * vmap() of the pages xdf_xen_foreign_map() mapped would write kernel page
 * table entries with the backend's frames, which Xen refuses in a PV
 * guest: the entries stay empty and the first access oopses. As for rings
 * (xenbus_map_ring_valloc()), Xen maps the grants again, into entries of
 * a kernel area whose machine addresses it is given. Modules cannot
 * reserve an area without mapping it, so the area first maps a
 * placeholder page, never accessed, whose entries Xen replaces.
 */
struct xdf_xen_vmap {
	void *vaddr;
	unsigned int count;
	struct page *placeholder;
	u64 *ptes;
	grant_handle_t *handles;
};

/* Reserves @xv's area, with page table entries for Xen to replace. */
static int xdf_xen_vmap_area(struct xdf_xen_vmap *xv)
{
	unsigned int i, level;
	struct page **pages;
	pte_t *pte;

	xv->placeholder = alloc_page(GFP_KERNEL);
	pages = kvmalloc_array(xv->count, sizeof(*pages), GFP_KERNEL);
	if (!xv->placeholder || !pages) {
		kvfree(pages);
		return -ENOMEM;
	}
	for (i = 0; i < xv->count; i++)
		pages[i] = xv->placeholder;
	xv->vaddr = vmap(pages, xv->count, VM_MAP, PAGE_KERNEL);
	kvfree(pages);
	if (!xv->vaddr)
		return -ENOMEM;

	for (i = 0; i < xv->count; i++) {
		pte = lookup_address((unsigned long)xv->vaddr +
				     ((unsigned long)i << PAGE_SHIFT), &level);
		if (WARN_ON(!pte || level != PG_LEVEL_4K))
			return -EFAULT;
		xv->ptes[i] = arbitrary_virt_to_machine(pte).maddr;
	}
	return 0;
}

static void xdf_xen_vmap_unmap_batch(struct gnttab_unmap_grant_ref *unmap,
				     unsigned int n)
{
	unsigned int i;

	if (HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, unmap, n)) {
		pr_err("xen_drm_front: unmapping %u backend pages from the kernel failed\n",
		       n);
		return;
	}
	for (i = 0; i < n; i++)
		if (unmap[i].status != GNTST_okay)
			pr_err("xen_drm_front: unmapping a backend page from the kernel failed: status %d\n",
			       unmap[i].status);
}

/**
 * xdf_xen_vmap_destroy() - unmap and free a kernel mapping from
 *			    xdf_xen_vmap_create()
 * @xv: the mapping
 */
void xdf_xen_vmap_destroy(struct xdf_xen_vmap *xv)
{
	/* On the stack: unmapping must not fail for lack of memory. */
	struct gnttab_unmap_grant_ref unmap[XDF_UMAP_BATCH];
	unsigned int i, n = 0;

	for (i = 0; i < xv->count; i++) {
		if (xv->handles[i] == INVALID_GRANT_HANDLE)
			continue;
		gnttab_set_unmap_op(&unmap[n++], xv->ptes[i],
				    GNTMAP_contains_pte, xv->handles[i]);
		if (n == XDF_UMAP_BATCH) {
			xdf_xen_vmap_unmap_batch(unmap, n);
			n = 0;
		}
	}
	if (n)
		xdf_xen_vmap_unmap_batch(unmap, n);
	if (xv->vaddr)
		vunmap(xv->vaddr);
	if (xv->placeholder)
		__free_page(xv->placeholder);
	kvfree(xv->handles);
	kvfree(xv->ptes);
	kfree(xv);
}

/**
 * xdf_xen_vmap_create() - map backend pages into a kernel virtual area
 * @domid: the granting domain
 * @refs: @count grant references, mapped by xdf_xen_foreign_map() until
 *	  xdf_xen_vmap_destroy() returns
 * @count: number of pages
 * @vaddr: where the address of the first page is stored
 *
 * For PV guests, where xdf_xen_foreign_user_mappable() is false; writable.
 *
 * Return: the mapping, or an ERR_PTR() with nothing left mapped.
 */
struct xdf_xen_vmap *xdf_xen_vmap_create(domid_t domid,
					 const grant_ref_t *refs,
					 unsigned int count, void **vaddr)
{
	struct gnttab_map_grant_ref ops[XDF_UMAP_BATCH];
	unsigned int idx[XDF_UMAP_BATCH];
	struct xdf_xen_vmap *xv;
	unsigned int i, n = 0;
	int ret;

	if (WARN_ON(!xen_pv_domain() || !count))
		return ERR_PTR(-EINVAL);

	xv = kzalloc(sizeof(*xv), GFP_KERNEL);
	if (!xv)
		return ERR_PTR(-ENOMEM);
	xv->count = count;
	xv->ptes = kvcalloc(count, sizeof(*xv->ptes), GFP_KERNEL);
	xv->handles = kvcalloc(count, sizeof(*xv->handles), GFP_KERNEL);
	if (!xv->ptes || !xv->handles) {
		ret = -ENOMEM;
		goto err;
	}
	for (i = 0; i < count; i++)
		xv->handles[i] = INVALID_GRANT_HANDLE;

	ret = xdf_xen_vmap_area(xv);
	if (ret)
		goto err;

	for (i = 0; i < count; i++) {
		gnttab_set_map_op(&ops[n], xv->ptes[i],
				  GNTMAP_host_map | GNTMAP_contains_pte,
				  refs[i], domid);
		idx[n++] = i;
		if (n == XDF_UMAP_BATCH) {
			ret = xdf_xen_map_batch(ops, idx, n, xv->handles,
						"into the kernel");
			n = 0;
			if (ret)
				goto err;
		}
	}
	if (n) {
		ret = xdf_xen_map_batch(ops, idx, n, xv->handles,
					"into the kernel");
		if (ret)
			goto err;
	}
	*vaddr = xv->vaddr;
	return xv;

err:
	xdf_xen_vmap_destroy(xv);
	return ERR_PTR(ret);
}
