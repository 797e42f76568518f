/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Xen para-virtual display frontend: the Xen primitives.
 *
 * These are the only operations that differ between xen_drm_front.ko and
 * the KUnit build. In the module they are implemented by
 * xen_drm_front_xen.c on top of the kernel's Xen API; under KUnit (UML,
 * where CONFIG_XEN cannot exist) by the simulated Xen in tests/kunit/.
 * Everything that decides anything - XenStore parsing, the state machine,
 * ring handling, page directories, which page table entries hold which
 * grant and when - is driver code and must not move here. Arch code a
 * primitive needs stays in that primitive (x86 PV page table walks).
 *
 * The calls are plain functions resolved at link time: no ops table, no
 * runtime cost in the module.
 */

#ifndef __XEN_DRM_FRONT_XEN_H_
#define __XEN_DRM_FRONT_XEN_H_

#include <linux/bits.h>
#include <linux/interrupt.h>
#include <linux/pgtable.h>
#include <linux/types.h>

#include <xen/xenbus.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/grant_table.h>

struct page;

/* Platform and driver registration */
int xdf_xen_platform_check(void);
int xdf_xen_register_driver(struct xenbus_driver *drv);
void xdf_xen_unregister_driver(struct xenbus_driver *drv);

/* XenStore */
char *xdf_xen_xs_read(struct xenbus_transaction xbt, const char *dir,
		      const char *node);
char **xdf_xen_xs_directory(struct xenbus_transaction xbt, const char *dir,
			    const char *node, unsigned int *num);
int xdf_xen_xs_write(struct xenbus_transaction xbt, const char *dir,
		     const char *node, const char *value);
int xdf_xen_xs_transaction_start(struct xenbus_transaction *xbt);
int xdf_xen_xs_transaction_end(struct xenbus_transaction xbt, bool abort);
int xdf_xen_switch_state(struct xenbus_device *xb_dev,
			 enum xenbus_state state);
void xdf_xen_dev_fatal(struct xenbus_device *xb_dev, int err,
		       const char *what);

/* Grants of our pages to the backend */
int xdf_xen_grant_page(domid_t domid, struct page *page, bool readonly);
int xdf_xen_grant_pages_seq(domid_t domid, struct page *const *pages,
			    unsigned int count, grant_ref_t *first);
void xdf_xen_end_access(grant_ref_t ref, struct page *page);
bool xdf_xen_try_end_access(grant_ref_t ref);

/* Shared ring pages */
int xdf_xen_ring_alloc(struct xenbus_device *xb_dev, void **vaddr,
		       grant_ref_t *ref);
void xdf_xen_ring_free(void **vaddr, grant_ref_t *ref);

/* Event channels */
int xdf_xen_evtchn_bind(struct xenbus_device *xb_dev, irq_handler_t handler,
			const char *name, void *data, evtchn_port_t *port);
void xdf_xen_evtchn_unbind(int irq, void *data);
void xdf_xen_evtchn_eoi(int irq, bool spurious);
void xdf_xen_evtchn_notify(int irq);

/* Backend pages mapped into ours (backend-allocated buffers) */
int xdf_xen_foreign_pages_alloc(unsigned int count, struct page **pages);
void xdf_xen_foreign_pages_free(unsigned int count, struct page **pages);
int xdf_xen_foreign_map(domid_t domid, const grant_ref_t *refs,
			unsigned int count, struct page **pages,
			grant_handle_t *handles);
void xdf_xen_foreign_unmap(unsigned int count, struct page **pages,
			   const grant_handle_t *handles);
bool xdf_xen_foreign_user_mappable(void);

/*
 * The same backend pages mapped at page table entries that Xen writes
 * (PV guests, where xdf_xen_foreign_user_mappable() is false). Which
 * entries, when and in which batches is the driver's business
 * (xen_drm_front_pvmap.c); these only ask Xen.
 */

/* As in xen/grant_table.h, which the KUnit build (UML) cannot include. */
#ifndef INVALID_GRANT_HANDLE
#define INVALID_GRANT_HANDLE	((grant_handle_t)-1)
#endif

/* Most entries one call maps or unmaps. */
#define XDF_XEN_PTE_BATCH	16

/* A mapping user space reaches, else one of the kernel's. */
#define XDF_XEN_PTE_USER	BIT(0)
#define XDF_XEN_PTE_READONLY	BIT(1)

int xdf_xen_pte_maddr(pte_t *pte, unsigned long addr, u64 *maddr);
int xdf_xen_kernel_pte_maddr(unsigned long addr, u64 *maddr);
int xdf_xen_pte_map(domid_t domid, const grant_ref_t *refs, const u64 *ptes,
		    unsigned int count, unsigned int flags,
		    grant_handle_t *handles, s16 *status);
int xdf_xen_pte_unmap(const u64 *ptes, const grant_handle_t *handles,
		      unsigned int count, s16 *status);

#endif /* __XEN_DRM_FRONT_XEN_H_ */
