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
#include <linux/module.h>
#include <linux/slab.h>

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
 * xdf_xen_xs_directory() - list a XenStore directory
 * @xbt: transaction or XBT_NIL
 * @dir: directory path
 * @node: node name inside @dir, or "" for @dir itself
 * @num: set to the number of entries
 *
 * Return: an array of @num entry names in one allocation, to be freed with
 * a single kfree(), or an ERR_PTR(): -ENOENT when the directory does not
 * exist.
 */
char **xdf_xen_xs_directory(struct xenbus_transaction xbt, const char *dir,
			    const char *node, unsigned int *num)
{
	return xenbus_directory(xbt, dir, node, num);
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
 * xdf_xen_grant_pages_seq() - grant pages under one run of references
 * @domid: the domain given read-write access
 * @pages: the pages
 * @count: their number, at least 1
 * @first: where the first page's reference is stored; page i's is
 *	   @first + i
 *
 * All or nothing: the grant table may hold @count free references but no
 * run of them, even once grown. Each reference is ended as one made by
 * xdf_xen_grant_page().
 *
 * Return: 0, or -ENOSPC with nothing granted and @first untouched.
 */
int xdf_xen_grant_pages_seq(domid_t domid, struct page *const *pages,
			    unsigned int count, grant_ref_t *first)
{
	grant_ref_t ref;
	unsigned int i;
	int ret;

	ret = gnttab_alloc_grant_reference_seq(count, &ref);
	if (ret)
		return ret;
	for (i = 0; i < count; i++)
		gnttab_grant_foreign_access_ref(ref + i, domid,
						xen_page_to_gfn(pages[i]), 0);
	*first = ref;
	return 0;
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
 * xdf_xen_try_end_access() - revoke a grant made by xdf_xen_grant_page(),
 *			      if the backend does not map it
 * @ref: the grant reference
 *
 * Return: true if access ended and @ref is free again; false if the
 * backend still maps the page, and nothing changed.
 */
bool xdf_xen_try_end_access(grant_ref_t ref)
{
	return gnttab_try_end_foreign_access(ref);
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

/**
 * xdf_xen_pte_maddr() - the address Xen knows a page table entry by
 * @pte: the entry, in a page table of a process
 * @addr: the virtual address the entry maps (Xen needs only @pte)
 * @maddr: where the entry's machine address is stored
 *
 * Only PV guests have Xen write their page table entries.
 *
 * Return: 0, or -EOPNOTSUPP in a kernel without PV guest support.
 */
int xdf_xen_pte_maddr(pte_t *pte, unsigned long addr, u64 *maddr)
{
#ifdef CONFIG_XEN_PV
	*maddr = arbitrary_virt_to_machine(pte).maddr;
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

/**
 * xdf_xen_kernel_pte_maddr() - the address Xen knows the page table entry
 *				of a kernel address by
 * @addr: a page of a vmap() area
 * @maddr: where the entry's machine address is stored
 *
 * Return: 0, -EFAULT if @addr has no page table entry of its own, or
 * -EOPNOTSUPP in a kernel without PV guest support.
 */
int xdf_xen_kernel_pte_maddr(unsigned long addr, u64 *maddr)
{
#ifdef CONFIG_XEN_PV
	unsigned int level;
	pte_t *pte;

	/* Modules cannot walk init_mm: the x86 walk is exported. */
	pte = lookup_address(addr, &level);
	if (!pte || level != PG_LEVEL_4K)
		return -EFAULT;
	*maddr = arbitrary_virt_to_machine(pte).maddr;
	return 0;
#else
	return -EOPNOTSUPP;
#endif
}

/**
 * xdf_xen_pte_map() - have Xen map grants at page table entries
 * @domid: the granting domain
 * @refs: @count grant references
 * @ptes: the machine address of each grant's entry, from
 *	  xdf_xen_pte_maddr() or xdf_xen_kernel_pte_maddr()
 * @count: number of grants, at most XDF_XEN_PTE_BATCH
 * @flags: XDF_XEN_PTE_USER for an entry user space reaches (Xen marks it
 *	   special, so the kernel never looks for a struct page behind it),
 *	   XDF_XEN_PTE_READONLY for a read-only one
 * @handles: filled with each mapping's handle, INVALID_GRANT_HANDLE where
 *	     Xen refused
 * @status: filled with each grant's GNTST_* status
 *
 * Xen replaces each entry; it alone may clear it again, with
 * xdf_xen_pte_unmap().
 *
 * Return: 0 when Xen looked at every grant (see @status), or a negative
 * errno with nothing mapped.
 */
int xdf_xen_pte_map(domid_t domid, const grant_ref_t *refs, const u64 *ptes,
		    unsigned int count, unsigned int flags,
		    grant_handle_t *handles, s16 *status)
{
	struct gnttab_map_grant_ref ops[XDF_XEN_PTE_BATCH];
	u32 gflags = GNTMAP_host_map | GNTMAP_contains_pte;
	unsigned int i;

	if (WARN_ON(count > XDF_XEN_PTE_BATCH))
		return -EINVAL;
	/* Guest available bit 0 of a PV entry is Linux's _PAGE_SPECIAL. */
	if (flags & XDF_XEN_PTE_USER)
		gflags |= GNTMAP_application_map | (1 << _GNTMAP_guest_avail0);
	if (flags & XDF_XEN_PTE_READONLY)
		gflags |= GNTMAP_readonly;

	for (i = 0; i < count; i++)
		gnttab_set_map_op(&ops[i], ptes[i], gflags, refs[i], domid);
	gnttab_batch_map(ops, count);
	for (i = 0; i < count; i++) {
		status[i] = ops[i].status;
		handles[i] = ops[i].status == GNTST_okay ? ops[i].handle :
							   INVALID_GRANT_HANDLE;
	}
	return 0;
}

/**
 * xdf_xen_pte_unmap() - have Xen unmap grants mapped by xdf_xen_pte_map()
 * @ptes: the entries' machine addresses, as mapped
 * @handles: the mappings' handles
 * @count: number of mappings, at most XDF_XEN_PTE_BATCH
 * @status: filled with each mapping's GNTST_* status
 *
 * Xen clears each entry that still holds its grant; one the kernel
 * cleared or changed meanwhile is refused, and the grant stays mapped.
 *
 * Return: 0 when Xen looked at every mapping (see @status), or a
 * negative errno with nothing unmapped.
 */
int xdf_xen_pte_unmap(const u64 *ptes, const grant_handle_t *handles,
		      unsigned int count, s16 *status)
{
	struct gnttab_unmap_grant_ref ops[XDF_XEN_PTE_BATCH];
	unsigned int i;
	int ret;

	if (WARN_ON(count > XDF_XEN_PTE_BATCH))
		return -EINVAL;
	for (i = 0; i < count; i++)
		gnttab_set_unmap_op(&ops[i], ptes[i], GNTMAP_contains_pte,
				    handles[i]);
	ret = HYPERVISOR_grant_table_op(GNTTABOP_unmap_grant_ref, ops, count);
	if (ret)
		return ret;
	for (i = 0; i < count; i++)
		status[i] = ops[i].status;
	return 0;
}
