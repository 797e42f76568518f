// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit: the simulated Xen itself honours the contracts of
 * xen_drm_front_xen.c that the driver suites rely on but do not reach
 * directly (transactions, deferred grant revocation, foreign mappings).
 */

#include <kunit/test.h>
#include <linux/device.h>
#include <linux/mm.h>
#include <linux/workqueue.h>

#include "../xen_drm_front_xen.h"
#include "xen_drm_front_sim.h"

#define SIM_DIR	"/local/domain/1/simtest"

static char *sim_read(struct xenbus_transaction xbt, const char *node)
{
	return xdf_xen_xs_read(xbt, "simtest", node);
}

static void sim_expect_value(struct kunit *test, struct xenbus_transaction xbt,
			     const char *node, const char *expected)
{
	char *value = sim_read(xbt, node);

	if (!expected) {
		KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(value), -ENOENT);
		if (!IS_ERR(value))
			kfree(value);
		return;
	}
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(value), "%s missing", node);
	KUNIT_EXPECT_STREQ(test, value, expected);
	kfree(value);
}

/* Writes in a transaction show at commit; abort and -EAGAIN discard them. */
static void sim_xs_transactions(struct kunit *test)
{
	struct xdf_sim_xs_faults faults = { .eagain_commits = 1 };
	struct xenbus_transaction xbt;
	char list[128];

	KUNIT_ASSERT_EQ(test, xdf_xen_xs_write(XBT_NIL, "simtest", "a", "1"), 0);

	KUNIT_ASSERT_EQ(test, xdf_xen_xs_transaction_start(&xbt), 0);
	KUNIT_EXPECT_NE(test, xbt.id, 0u);
	KUNIT_ASSERT_EQ(test, xdf_xen_xs_write(xbt, "simtest", "b", "2"), 0);
	sim_expect_value(test, xbt, "b", "2");
	sim_expect_value(test, XBT_NIL, "b", NULL);
	KUNIT_EXPECT_EQ(test, xdf_xen_xs_transaction_end(xbt, false), 0);
	sim_expect_value(test, XBT_NIL, "b", "2");

	KUNIT_ASSERT_EQ(test, xdf_xen_xs_transaction_start(&xbt), 0);
	KUNIT_ASSERT_EQ(test, xdf_xen_xs_write(xbt, "simtest", "c", "3"), 0);
	KUNIT_EXPECT_EQ(test, xdf_xen_xs_transaction_end(xbt, true), 0);
	sim_expect_value(test, XBT_NIL, "c", NULL);

	xdf_sim_xs_inject(&faults);
	KUNIT_ASSERT_EQ(test, xdf_xen_xs_transaction_start(&xbt), 0);
	KUNIT_ASSERT_EQ(test, xdf_xen_xs_write(xbt, "simtest", "d", "4"), 0);
	KUNIT_EXPECT_EQ(test, xdf_xen_xs_transaction_end(xbt, false), -EAGAIN);
	sim_expect_value(test, XBT_NIL, "d", NULL);

	/* Directories read as "", absolute and relative paths agree. */
	KUNIT_ASSERT_EQ(test, xdf_xen_xs_write(XBT_NIL, SIM_DIR "/e", "f", "5"), 0);
	sim_expect_value(test, XBT_NIL, "e", "");
	sim_expect_value(test, XBT_NIL, "e/f", "5");
	KUNIT_ASSERT_GT(test, xdf_sim_xs_list(SIM_DIR, true, list, sizeof(list)), 0);
	KUNIT_EXPECT_STREQ(test, list, "a=1,b=2,e/f=5");
	xdf_sim_xs_rm(SIM_DIR);
	KUNIT_EXPECT_FALSE(test, xdf_sim_xs_exists(SIM_DIR));
}

static void sim_xs_faults(struct kunit *test)
{
	struct xdf_sim_xs_faults faults = {
		.fail_reads = 1, .fail_writes = 1, .fail_starts = 1, .err = -EIO,
	};
	struct xenbus_transaction xbt;

	KUNIT_ASSERT_EQ(test, xdf_xen_xs_write(XBT_NIL, "simtest", "a", "1"), 0);
	xdf_sim_xs_inject(&faults);
	KUNIT_EXPECT_EQ(test, PTR_ERR_OR_ZERO(sim_read(XBT_NIL, "a")), -EIO);
	sim_expect_value(test, XBT_NIL, "a", "1");
	KUNIT_EXPECT_EQ(test, xdf_xen_xs_write(XBT_NIL, "simtest", "a", "2"), -EIO);
	sim_expect_value(test, XBT_NIL, "a", "1");
	KUNIT_EXPECT_EQ(test, xdf_xen_xs_transaction_start(&xbt), -EIO);
	KUNIT_ASSERT_EQ(test, xdf_xen_xs_transaction_start(&xbt), 0);
	KUNIT_EXPECT_EQ(test, xdf_xen_xs_transaction_end(xbt, true), 0);
	xdf_sim_xs_rm(SIM_DIR);
}

/* Refs from 1 up, fresh ones after a release, -ENOSPC when exhausted. */
static void sim_grant_refs(struct kunit *test)
{
	struct xdf_sim_grant_info info;
	struct page *page;
	int ref1, ref2, ref3;
	void *vaddr;

	page = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, page);
	ref1 = xdf_xen_grant_page(0, page, true);
	KUNIT_ASSERT_GT(test, ref1, 0);
	KUNIT_ASSERT_TRUE(test, xdf_sim_grant_info(ref1, &info));
	KUNIT_EXPECT_TRUE(test, info.readonly);
	KUNIT_EXPECT_PTR_EQ(test, info.page, page);
	/* The backend maps rings read-write: a read-only grant is refused. */
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_map(ref1, &vaddr), -EINVAL);
	xdf_xen_end_access(ref1, NULL);
	KUNIT_EXPECT_FALSE(test, xdf_sim_grant_info(ref1, &info));

	ref2 = xdf_xen_grant_page(0, page, false);
	KUNIT_ASSERT_GT(test, ref2, 0);
	KUNIT_EXPECT_NE(test, ref2, ref1);

	xdf_sim_gnttab_fail_after(0);
	KUNIT_EXPECT_EQ(test, xdf_xen_grant_page(0, page, false), -ENOSPC);
	xdf_sim_gnttab_fail_after(-1);
	ref3 = xdf_xen_grant_page(0, page, false);
	KUNIT_EXPECT_GT(test, ref3, 0);

	xdf_xen_end_access(ref2, NULL);
	xdf_xen_end_access(ref3, page);
}

/* Revoking a mapped grant waits for the unmap, keeping the page alive. */
static void sim_grant_deferred(struct kunit *test)
{
	struct xdf_sim_counters c;
	struct page *page;
	void *vaddr;
	int ref, count;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	KUNIT_ASSERT_NOT_NULL(test, page);
	get_page(page);		/* ours, to watch the count */
	count = page_ref_count(page);

	ref = xdf_xen_grant_page(0, page, false);
	KUNIT_ASSERT_GT(test, ref, 0);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_map(ref, &vaddr), 0);
	KUNIT_EXPECT_PTR_EQ(test, vaddr, page_address(page));

	xdf_xen_end_access(ref, page);	/* hands one reference over */
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.deferred, 1u);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), count);
	/* The backend may still write it. */
	memset(vaddr, 0x5a, PAGE_SIZE);

	xdf_sim_backend_unmap(ref);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.deferred, 0u);
	KUNIT_EXPECT_EQ(test, c.grants, 0u);
	KUNIT_EXPECT_EQ(test, page_ref_count(page), count - 1);
	put_page(page);
}

/* Ring pages: zeroed, granted read-write to the other end. */
static void sim_ring_pages(struct kunit *test)
{
	struct xenbus_device xb = { .otherend_id = XDF_SIM_BACK_DOMID };
	struct xdf_sim_grant_info info;
	struct xdf_sim_counters c;
	grant_ref_t ref;
	void *vaddr;

	KUNIT_ASSERT_EQ(test, xdf_xen_ring_alloc(&xb, &vaddr, &ref), 0);
	KUNIT_EXPECT_NULL(test, memchr_inv(vaddr, 0, PAGE_SIZE));
	KUNIT_ASSERT_TRUE(test, xdf_sim_grant_info(ref, &info));
	KUNIT_EXPECT_FALSE(test, info.readonly);
	KUNIT_EXPECT_EQ(test, info.domid, XDF_SIM_BACK_DOMID);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.ring_pages, 1u);

	xdf_xen_ring_free(&vaddr, &ref);
	KUNIT_EXPECT_NULL(test, vaddr);
	KUNIT_EXPECT_EQ(test, ref, INVALID_GRANT_REF);
	xdf_xen_ring_free(&vaddr, &ref);	/* a no-op */
}

/* Backend pages replace ours while mapped and ours come back at unmap. */
static void sim_foreign_map(struct kunit *test)
{
	grant_handle_t handles[2];
	struct page *pages[2], *orig[2];
	struct xdf_sim_counters c;
	grant_ref_t refs[2];
	u32 *be;

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_grant_pages(2, refs), 0);
	be = xdf_sim_backend_grant_vaddr(refs[1]);
	KUNIT_ASSERT_NOT_NULL(test, be);
	be[0] = 0xfeedbeef;

	KUNIT_ASSERT_EQ(test, xdf_xen_foreign_pages_alloc(2, pages), 0);
	orig[0] = pages[0];
	orig[1] = pages[1];
	KUNIT_ASSERT_EQ(test, xdf_xen_foreign_map(XDF_SIM_BACK_DOMID, refs, 2,
						  pages, handles), 0);
	KUNIT_EXPECT_EQ(test, *(u32 *)page_address(pages[1]), 0xfeedbeef);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.foreign_maps, 2u);
	/* Still mapped: the backend cannot take them back. */
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_end_grants(2, refs), -EBUSY);

	xdf_xen_foreign_unmap(2, pages, handles);
	KUNIT_EXPECT_PTR_EQ(test, pages[0], orig[0]);
	KUNIT_EXPECT_PTR_EQ(test, pages[1], orig[1]);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.foreign_maps, 0u);

	xdf_xen_foreign_pages_free(2, pages);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_end_grants(2, refs), 0);
}

/* A bad reference fails the whole map and leaves nothing mapped. */
static void sim_foreign_map_fails(struct kunit *test)
{
	grant_handle_t handles[3];
	struct page *pages[3], *orig[3];
	struct xdf_sim_counters c;
	grant_ref_t refs[3];
	unsigned int i;

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_grant_pages(2, refs), 0);
	refs[2] = 12345;
	KUNIT_ASSERT_EQ(test, xdf_xen_foreign_pages_alloc(3, pages), 0);
	for (i = 0; i < 3; i++)
		orig[i] = pages[i];

	KUNIT_EXPECT_LT(test, xdf_xen_foreign_map(XDF_SIM_BACK_DOMID, refs, 3,
						  pages, handles), 0);
	for (i = 0; i < 3; i++) {
		KUNIT_EXPECT_PTR_EQ(test, pages[i], orig[i]);
		KUNIT_EXPECT_EQ(test, handles[i], INVALID_GRANT_HANDLE);
	}
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.foreign_maps, 0u);

	xdf_sim_foreign_map_fail_after(1);
	KUNIT_EXPECT_LT(test, xdf_xen_foreign_map(XDF_SIM_BACK_DOMID, refs, 2,
						  pages, handles), 0);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.foreign_maps, 0u);

	xdf_xen_foreign_pages_free(3, pages);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_end_grants(2, refs), 0);
}

/* A device no driver takes: XenStore nodes as the toolstack writes them. */
static void sim_device_nodes(struct kunit *test)
{
	struct xdf_sim_config cfg = {
		.id = 3,
		.be_alloc = "1",
		.versions = "1,2",
		.num_connectors = 1,
		.connectors = { { "640x480", "x" } },
		.devicetype = "vdispl-simtest",
	};
	struct xdf_sim_dev *sdev;
	char list[256];

	sdev = xdf_sim_dev_add(&cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sdev);
	KUNIT_EXPECT_STREQ(test, xdf_sim_dev_frontend_dir(sdev),
			   "/local/domain/1/device/vdispl/3");
	KUNIT_EXPECT_STREQ(test, xdf_sim_dev_xb(sdev)->nodename, "device/vdispl/3");
	KUNIT_EXPECT_STREQ(test, xdf_sim_dev_xb(sdev)->otherend,
			   "/local/domain/0/backend/vdispl/1/3");
	KUNIT_EXPECT_NULL(test, xdf_sim_dev_xb(sdev)->dev.driver);
	KUNIT_ASSERT_GT(test, xdf_sim_xs_list("device/vdispl/3", true, list,
					      sizeof(list)), 0);
	KUNIT_EXPECT_STREQ(test, list,
			   "0/resolution=640x480,0/unique-id=x,backend=/local/domain/0/backend/vdispl/1/3,backend-id=0,be-alloc=1,state=1");
	KUNIT_ASSERT_GT(test, xdf_sim_xs_list(xdf_sim_dev_backend_dir(sdev), true,
					      list, sizeof(list)), 0);
	KUNIT_EXPECT_STREQ(test, list,
			   "feature-fb-viewport=1,frontend=/local/domain/1/device/vdispl/3,frontend-id=1,online=1,state=2,versions=1,2");

	xdf_xen_dev_fatal(xdf_sim_dev_xb(sdev), -EINVAL, "test");
	KUNIT_EXPECT_EQ(test, xdf_sim_frontend_state(sdev), XenbusStateClosing);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_err(sdev, list, sizeof(list)),
			-EINVAL);
	KUNIT_EXPECT_STREQ(test, list, "test");
	KUNIT_ASSERT_GT(test, xdf_sim_xs_list("error", true, list, sizeof(list)), 0);
	KUNIT_EXPECT_STREQ(test, list, "device/vdispl/3/error=22 test");

	xdf_sim_dev_remove(sdev);
	KUNIT_EXPECT_FALSE(test, xdf_sim_xs_exists("device/vdispl/3"));
	KUNIT_EXPECT_FALSE(test, xdf_sim_xs_exists("error/device/vdispl/3"));
	KUNIT_EXPECT_FALSE(test, xdf_sim_xs_exists("/local/domain/0/backend/vdispl/1/3"));
}

struct sim_late_put {
	struct delayed_work work;
	struct device *dev;
};

static void sim_late_put_fn(struct work_struct *work)
{
	struct sim_late_put *lp = container_of(to_delayed_work(work),
					       struct sim_late_put, work);

	put_device(lp->dev);
}

/*
 * A removed device whose last reference goes later, as DRM's workers may
 * drop it: counted until then, and the clean-up check waits for it.
 */
static void sim_device_late_release(struct kunit *test)
{
	struct xdf_sim_config cfg = {
		.num_connectors = 1,
		.connectors = { { "640x480", "x" } },
		.devicetype = "vdispl-simtest",
	};
	struct xdf_sim_counters c;
	struct sim_late_put *lp;
	struct xdf_sim_dev *sdev;

	lp = kunit_kzalloc(test, sizeof(*lp), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, lp);
	sdev = xdf_sim_dev_add(&cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sdev);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.devices, 1u);

	lp->dev = get_device(&xdf_sim_dev_xb(sdev)->dev);
	xdf_sim_dev_remove(sdev);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.devices, 1u);

	INIT_DELAYED_WORK(&lp->work, sim_late_put_fn);
	schedule_delayed_work(&lp->work, msecs_to_jiffies(100));
	xdf_sim_expect_clean(test);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.devices, 0u);
	/* Whatever happened, not after our test memory goes. */
	if (cancel_delayed_work_sync(&lp->work))
		put_device(lp->dev);
}

static int sim_test_init(struct kunit *test)
{
	xdf_sim_reset();
	return 0;
}

static void sim_test_exit(struct kunit *test)
{
	xdf_sim_expect_clean(test);
}

static struct kunit_case sim_test_cases[] = {
	KUNIT_CASE(sim_xs_transactions),
	KUNIT_CASE(sim_xs_faults),
	KUNIT_CASE(sim_grant_refs),
	KUNIT_CASE(sim_grant_deferred),
	KUNIT_CASE(sim_ring_pages),
	KUNIT_CASE(sim_foreign_map),
	KUNIT_CASE(sim_foreign_map_fails),
	KUNIT_CASE(sim_device_nodes),
	KUNIT_CASE(sim_device_late_release),
	{}
};

static struct kunit_suite sim_test_suite = {
	.name = "xen_drm_front_sim",
	.init = sim_test_init,
	.exit = sim_test_exit,
	.test_cases = sim_test_cases,
};

kunit_test_suite(sim_test_suite);
