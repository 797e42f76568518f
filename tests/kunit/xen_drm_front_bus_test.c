// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit: the frontend's xenbus state machine, as the backend and the
 * toolstack observe it in XenStore, the grant table and event channels.
 */

#include <kunit/test.h>
#include <linux/device.h>
#include <linux/kernel.h>

#include <drm/drm_drv.h>

#include "../xen_drm_front.h"
#include "xen_drm_front_sim.h"

#define BUS_WAIT_MS	3000

static const char *const bus_resolutions[] = {
	"1024x768", "800x600", "1920x1080", "640x480",
};

static void bus_fill_config(struct xdf_sim_config *cfg, unsigned int n)
{
	static const char *const ids[] = { "id0", "id1", "id2", "id3" };
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	cfg->num_connectors = n;
	for (i = 0; i < n; i++) {
		cfg->connectors[i].resolution = bus_resolutions[i % 4];
		cfg->connectors[i].unique_id = ids[i % 4];
	}
}

/* Adds a device, removed by the suite's exit. */
static struct xdf_sim_dev *bus_add(struct kunit *test,
				   const struct xdf_sim_config *cfg)
{
	struct xdf_sim_dev *sdev = xdf_sim_dev_add(cfg);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sdev);
	test->priv = sdev;
	return sdev;
}

static struct xdf_front *bus_front(struct xdf_sim_dev *sdev)
{
	return dev_get_drvdata(&xdf_sim_dev_xb(sdev)->dev);
}

static bool bus_reaches(struct xdf_sim_dev *sdev, enum xenbus_state state)
{
	return xdf_sim_wait_frontend_state(sdev, state, BUS_WAIT_MS);
}

static void bus_wait_connected(struct kunit *test, struct xdf_sim_dev *sdev)
{
	xdf_sim_settle();
	KUNIT_ASSERT_TRUE(test, bus_reaches(sdev, XenbusStateConnected));
	xdf_sim_settle();
}

static unsigned int bus_read_uint(struct kunit *test, struct xdf_sim_dev *sdev,
				  unsigned int conn, const char *field)
{
	unsigned int val = 0;
	char path[128];
	char *value;

	snprintf(path, sizeof(path), "%s/%u/%s", xdf_sim_dev_frontend_dir(sdev),
		 conn, field);
	value = xdf_sim_xs_read(path);
	KUNIT_ASSERT_FALSE_MSG(test, IS_ERR(value), "%s missing", path);
	KUNIT_EXPECT_EQ_MSG(test, kstrtouint(value, 10, &val), 0,
			    "%s is \"%s\"", path, value);
	kfree(value);
	return val;
}

/*
 * The exact list of the frontend domain's nodes for a connected device:
 * what the toolstack wrote, and what the frontend adds.
 */
static void bus_expected_nodes(char *buf, size_t size, unsigned int n,
			       const char *version)
{
	static const char *const fields[] = {
		XENDISPL_FIELD_EVT_CHANNEL, XENDISPL_FIELD_EVT_RING_REF,
		XENDISPL_FIELD_REQ_CHANNEL, XENDISPL_FIELD_REQ_RING_REF,
		XENDISPL_FIELD_RESOLUTION, XENDISPL_FIELD_UNIQUE_ID,
	};
	size_t len = 0;
	unsigned int i, f;

	/* Sorted as the simulation lists them (n <= 10). */
	for (i = 0; i < n; i++)
		for (f = 0; f < ARRAY_SIZE(fields); f++)
			len += scnprintf(buf + len, size - len,
					 "device/vdispl/0/%u/%s,", i, fields[f]);
	len += scnprintf(buf + len, size - len,
			 "device/vdispl/0/backend,device/vdispl/0/backend-id,device/vdispl/0/state");
	if (version)
		scnprintf(buf + len, size - len, ",device/vdispl/0/version");
}

/*
 * Everything the backend sees of connector @conn: the published ring
 * references are live read-write grants to the backend that it maps, the
 * ports are channels it is bound to. Returns the two ring references.
 */
static void bus_check_conn(struct kunit *test, struct xdf_sim_dev *sdev,
			   unsigned int conn, grant_ref_t *req_ref,
			   grant_ref_t *evt_ref)
{
	struct xdf_sim_grant_info info;
	unsigned int ref, port;

	ref = bus_read_uint(test, sdev, conn, XENDISPL_FIELD_REQ_RING_REF);
	KUNIT_EXPECT_NE(test, ref, 0u);
	KUNIT_ASSERT_TRUE(test, xdf_sim_grant_info(ref, &info));
	KUNIT_EXPECT_EQ(test, info.domid, XDF_SIM_BACK_DOMID);
	KUNIT_EXPECT_FALSE(test, info.readonly);
	KUNIT_EXPECT_EQ(test, info.maps, 1u);
	*req_ref = ref;

	ref = bus_read_uint(test, sdev, conn, XENDISPL_FIELD_EVT_RING_REF);
	KUNIT_EXPECT_NE(test, ref, 0u);
	KUNIT_ASSERT_TRUE(test, xdf_sim_grant_info(ref, &info));
	KUNIT_EXPECT_EQ(test, info.domid, XDF_SIM_BACK_DOMID);
	KUNIT_EXPECT_FALSE(test, info.readonly);
	KUNIT_EXPECT_EQ(test, info.maps, 1u);
	*evt_ref = ref;
	KUNIT_EXPECT_NE(test, *req_ref, *evt_ref);

	port = bus_read_uint(test, sdev, conn, XENDISPL_FIELD_REQ_CHANNEL);
	KUNIT_EXPECT_TRUE(test, xdf_sim_evtchn_backend_bound(port));
	port = bus_read_uint(test, sdev, conn, XENDISPL_FIELD_EVT_CHANNEL);
	KUNIT_EXPECT_TRUE(test, xdf_sim_evtchn_backend_bound(port));
}

static void bus_check_counters(struct kunit *test, unsigned int conns)
{
	struct xdf_sim_counters c;

	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.grants, 2 * conns);
	KUNIT_EXPECT_EQ(test, c.deferred, 0u);
	KUNIT_EXPECT_EQ(test, c.ring_pages, 2 * conns);
	KUNIT_EXPECT_EQ(test, c.channels, 2 * conns);
	KUNIT_EXPECT_EQ(test, c.backend_maps, 2 * conns);
	KUNIT_EXPECT_EQ(test, c.backend_binds, 2 * conns);
	KUNIT_EXPECT_EQ(test, c.transactions, 0u);
	KUNIT_EXPECT_EQ(test, c.misuse, 0u);
}

static void bus_check_connected(struct kunit *test, struct xdf_sim_dev *sdev,
				unsigned int conns, const char *version)
{
	struct xdf_front *front = bus_front(sdev);
	grant_ref_t req_ref, evt_ref;
	char *expected, *nodes;
	unsigned int i;

	expected = kunit_kzalloc(test, 1024, GFP_KERNEL);
	nodes = kunit_kzalloc(test, 1024, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, expected);
	KUNIT_ASSERT_NOT_NULL(test, nodes);

	KUNIT_EXPECT_EQ(test, xdf_sim_frontend_state(sdev), XenbusStateConnected);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_xb(sdev)->state, XenbusStateConnected);
	KUNIT_EXPECT_TRUE(test, xdf_sim_backend_connected(sdev));
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_connected(sdev), conns);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_connect_error(sdev), 0);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_count(sdev), 0u);

	/* Nothing else written in the frontend's domain ... */
	bus_expected_nodes(expected, 1024, conns, version);
	KUNIT_ASSERT_GT(test, xdf_sim_xs_list("/local/domain/1", false, nodes,
					      1024), 0);
	KUNIT_EXPECT_STREQ(test, nodes, expected);
	/* ... nor in the backend's directory. */
	KUNIT_ASSERT_GT(test, xdf_sim_xs_list(xdf_sim_dev_backend_dir(sdev),
					      false, nodes, 1024), 0);
	KUNIT_EXPECT_STREQ(test, nodes, version ?
			   "feature-fb-viewport,frontend,frontend-id,online,state,versions" :
			   "feature-fb-viewport,frontend,frontend-id,online,state");

	for (i = 0; i < conns; i++)
		bus_check_conn(test, sdev, i, &req_ref, &evt_ref);
	bus_check_counters(test, conns);

	KUNIT_ASSERT_NOT_NULL(test, front);
	KUNIT_EXPECT_NOT_NULL(test, front->chs);
	KUNIT_ASSERT_NOT_NULL(test, front->xdrm);
	KUNIT_EXPECT_PTR_EQ(test, front->xdrm->drm.dev, &xdf_sim_dev_xb(sdev)->dev);
	KUNIT_EXPECT_TRUE(test, front->xdrm->drm.registered);
	KUNIT_EXPECT_FALSE(test, drm_dev_is_unplugged(&front->xdrm->drm));
	KUNIT_EXPECT_EQ(test, front->cfg.num_connectors, conns);
}

static void bus_connect_one(struct kunit *test)
{
	struct xdf_sim_xs_stats stats;
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	struct xdf_front *front;
	char *value;

	bus_fill_config(&cfg, 1);
	sdev = bus_add(test, &cfg);
	bus_wait_connected(test, sdev);
	bus_check_connected(test, sdev, 1, NULL);

	value = xdf_sim_xs_read("device/vdispl/0/state");
	KUNIT_ASSERT_FALSE(test, IS_ERR(value));
	KUNIT_EXPECT_STREQ(test, value, "4");
	kfree(value);

	/*
	 * The names user space knows from the older driver: the xenbus
	 * driver's (/sys/bus/xen/drivers/vdispl) and the DRM driver's.
	 */
	front = bus_front(sdev);
	KUNIT_EXPECT_STREQ(test, xdf_sim_dev_xb(sdev)->dev.driver->name,
			   "vdispl");
	KUNIT_ASSERT_NOT_NULL(test, front->xdrm);
	KUNIT_EXPECT_STREQ(test, front->xdrm->drm.driver->name, "xendrm-du");

	/* Everything was published in one transaction. */
	xdf_sim_xs_get_stats(&stats);
	KUNIT_EXPECT_EQ(test, stats.starts, 1u);
	KUNIT_EXPECT_EQ(test, stats.commits, 1u);
	KUNIT_EXPECT_EQ(test, stats.aborts, 0u);
	KUNIT_EXPECT_EQ(test, stats.eagains, 0u);
}

static void bus_connect_four(struct kunit *test)
{
	struct xdf_sim_xs_stats stats;
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	struct xdf_front *front;
	unsigned int i;

	bus_fill_config(&cfg, 4);
	sdev = bus_add(test, &cfg);
	bus_wait_connected(test, sdev);
	bus_check_connected(test, sdev, 4, NULL);

	front = bus_front(sdev);
	for (i = 0; i < 4; i++) {
		char res[16];

		snprintf(res, sizeof(res), "%ux%u", front->cfg.connectors[i].width,
			 front->cfg.connectors[i].height);
		KUNIT_EXPECT_STREQ(test, res, bus_resolutions[i]);
	}

	xdf_sim_xs_get_stats(&stats);
	KUNIT_EXPECT_EQ(test, stats.starts, 1u);
	KUNIT_EXPECT_EQ(test, stats.commits, 1u);
}

/* The frontend waits in Initialising until the backend reaches InitWait. */
static void bus_waits_for_initwait(struct kunit *test)
{
	struct xdf_sim_counters c;
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	char nodes[256];

	bus_fill_config(&cfg, 1);
	cfg.backend_state = XenbusStateInitialising;
	sdev = bus_add(test, &cfg);
	xdf_sim_settle();

	KUNIT_EXPECT_EQ(test, xdf_sim_frontend_state(sdev),
			XenbusStateInitialising);
	KUNIT_ASSERT_GT(test, xdf_sim_xs_list(xdf_sim_dev_frontend_dir(sdev),
					      false, nodes, sizeof(nodes)), 0);
	KUNIT_EXPECT_STREQ(test, nodes,
			   "0/resolution,0/unique-id,backend,backend-id,state");
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.grants, 0u);
	KUNIT_EXPECT_EQ(test, c.channels, 0u);
	KUNIT_EXPECT_NULL(test, bus_front(sdev)->chs);

	xdf_sim_backend_set_state(sdev, XenbusStateInitWait);
	bus_wait_connected(test, sdev);
	bus_check_connected(test, sdev, 1, NULL);
}

/*
 * Held in InitWait after mapping: the frontend is Initialised, its DRM
 * device built but out of userspace's reach until the backend connects.
 */
static void bus_initialised_until_connected(struct kunit *test)
{
	struct xendispl_resp resp;
	struct xendispl_req req;
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;

	bus_fill_config(&cfg, 2);
	cfg.hold = true;
	sdev = bus_add(test, &cfg);
	xdf_sim_settle();

	KUNIT_EXPECT_EQ(test, xdf_sim_frontend_state(sdev),
			XenbusStateInitialised);
	KUNIT_EXPECT_TRUE(test, xdf_sim_backend_connected(sdev));
	KUNIT_ASSERT_NOT_NULL(test, bus_front(sdev)->chs);
	KUNIT_ASSERT_NOT_NULL(test, bus_front(sdev)->xdrm);
	KUNIT_EXPECT_FALSE(test, bus_front(sdev)->xdrm->drm.registered);
	KUNIT_EXPECT_FALSE(test,
			   device_is_registered(bus_front(sdev)->xdrm->drm.primary->kdev));

	/* Not connected yet: a request fails without reaching the ring. */
	memset(&req, 0, sizeof(req));
	req.operation = XENDISPL_OP_PG_FLIP;
	KUNIT_EXPECT_EQ(test, xdf_request(bus_front(sdev)->chs, 1, &req, &resp),
			-ENODEV);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_requests(sdev, 1), 0u);

	xdf_sim_backend_set_state(sdev, XenbusStateConnected);
	bus_wait_connected(test, sdev);
	bus_check_connected(test, sdev, 2, NULL);
}

/* The backend lists @versions: the frontend must write @expected. */
static void bus_check_version(struct kunit *test, const char *versions,
			      const char *expected)
{
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	unsigned int version;
	char *value;

	bus_fill_config(&cfg, 1);
	cfg.versions = versions;
	sdev = bus_add(test, &cfg);
	bus_wait_connected(test, sdev);
	bus_check_connected(test, sdev, 1, expected);
	KUNIT_ASSERT_EQ(test, kstrtouint(expected, 10, &version), 0);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_fe_version(sdev), version);

	value = xdf_sim_xs_read("device/vdispl/0/version");
	KUNIT_ASSERT_FALSE(test, IS_ERR(value));
	KUNIT_EXPECT_STREQ(test, value, expected);
	kfree(value);
}

static void bus_publishes_version(struct kunit *test)
{
	bus_check_version(test, "1,2", "2");
}

static void bus_publishes_version_1(struct kunit *test)
{
	bus_check_version(test, "1", "1");
}

/* A commit that fails with -EAGAIN is retried as a whole. */
static void bus_transaction_retry(struct kunit *test)
{
	struct xdf_sim_xs_faults faults = { .eagain_commits = 3 };
	struct xdf_sim_xs_stats stats;
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;

	xdf_sim_xs_inject(&faults);
	bus_fill_config(&cfg, 2);
	sdev = bus_add(test, &cfg);
	bus_wait_connected(test, sdev);
	bus_check_connected(test, sdev, 2, NULL);

	xdf_sim_xs_get_stats(&stats);
	KUNIT_EXPECT_EQ(test, stats.eagains, 3u);
	KUNIT_EXPECT_EQ(test, stats.starts, 4u);
	KUNIT_EXPECT_EQ(test, stats.commits, 1u);
	KUNIT_EXPECT_EQ(test, stats.aborts, 0u);
}

static void bus_expect_failed(struct kunit *test, struct xdf_sim_dev *sdev)
{
	struct xdf_sim_counters c;
	char path[128];

	KUNIT_EXPECT_TRUE(test, bus_reaches(sdev, XenbusStateClosing));
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_count(sdev), 1u);
	snprintf(path, sizeof(path), "%s/0/%s", xdf_sim_dev_frontend_dir(sdev),
		 XENDISPL_FIELD_REQ_RING_REF);
	KUNIT_EXPECT_FALSE(test, xdf_sim_xs_exists(path));
	KUNIT_EXPECT_TRUE(test, xdf_sim_xs_exists("error/device/vdispl/0/error"));
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.grants, 0u);
	KUNIT_EXPECT_EQ(test, c.ring_pages, 0u);
	KUNIT_EXPECT_EQ(test, c.channels, 0u);
	KUNIT_EXPECT_EQ(test, c.transactions, 0u);
	KUNIT_EXPECT_NULL(test, bus_front(sdev)->chs);
	KUNIT_EXPECT_NULL(test, bus_front(sdev)->xdrm);
}

/* A write failing inside the transaction aborts it: nothing published. */
static void bus_publish_write_fails(struct kunit *test)
{
	struct xdf_sim_xs_stats stats;
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	struct xdf_sim_xs_faults faults = { .fail_writes = 1, .err = -EIO };

	bus_fill_config(&cfg, 2);
	cfg.backend_state = XenbusStateInitialising;
	sdev = bus_add(test, &cfg);
	xdf_sim_settle();
	xdf_sim_xs_inject(&faults);
	xdf_sim_backend_set_state(sdev, XenbusStateInitWait);
	bus_expect_failed(test, sdev);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_err(sdev, NULL, 0), -EIO);
	xdf_sim_xs_get_stats(&stats);
	KUNIT_EXPECT_EQ(test, stats.commits, 0u);
	KUNIT_EXPECT_EQ(test, stats.aborts, 1u);
}

static void bus_transaction_start_fails(struct kunit *test)
{
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	struct xdf_sim_xs_faults faults = { .fail_starts = 1, .err = -ENOMEM };

	bus_fill_config(&cfg, 1);
	cfg.backend_state = XenbusStateInitialising;
	sdev = bus_add(test, &cfg);
	xdf_sim_settle();
	xdf_sim_xs_inject(&faults);
	xdf_sim_backend_set_state(sdev, XenbusStateInitWait);
	bus_expect_failed(test, sdev);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_err(sdev, NULL, 0), -ENOMEM);
}

/* Grant table exhausted half way through connector 1: nothing leaks. */
static void bus_grants_exhausted(struct kunit *test)
{
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;

	xdf_sim_gnttab_fail_after(3);
	bus_fill_config(&cfg, 2);
	sdev = bus_add(test, &cfg);
	bus_expect_failed(test, sdev);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_err(sdev, NULL, 0), -ENOSPC);
}

static void bus_evtchn_bind_fails(struct kunit *test)
{
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;

	xdf_sim_evtchn_fail_after(5);
	bus_fill_config(&cfg, 4);
	sdev = bus_add(test, &cfg);
	bus_expect_failed(test, sdev);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_err(sdev, NULL, 0), -ENOSPC);
}

/* Restarted twice: fresh rings each time, nothing of the old ones left. */
static void bus_backend_restart(struct kunit *test)
{
	grant_ref_t req[2][2], evt[2][2], req_new, evt_new;
	struct xdf_sim_grant_info info;
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	struct drm_device *old_drm;
	unsigned int round, i;

	bus_fill_config(&cfg, 2);
	sdev = bus_add(test, &cfg);
	bus_wait_connected(test, sdev);
	for (i = 0; i < 2; i++)
		bus_check_conn(test, sdev, i, &req[0][i], &evt[0][i]);

	for (round = 0; round < 2; round++) {
		old_drm = &bus_front(sdev)->xdrm->drm;
		drm_dev_get(old_drm);

		xdf_sim_backend_restart(sdev);
		bus_wait_connected(test, sdev);
		bus_check_connected(test, sdev, 2, NULL);

		/* The old DRM device is unplugged, a new one registered. */
		KUNIT_EXPECT_TRUE(test, drm_dev_is_unplugged(old_drm));
		KUNIT_EXPECT_PTR_NE(test, &bus_front(sdev)->xdrm->drm, old_drm);
		drm_dev_put(old_drm);

		for (i = 0; i < 2; i++) {
			bus_check_conn(test, sdev, i, &req_new, &evt_new);
			KUNIT_EXPECT_NE(test, req_new, req[round][i]);
			KUNIT_EXPECT_NE(test, evt_new, evt[round][i]);
			KUNIT_EXPECT_FALSE(test, xdf_sim_grant_info(req[round][i],
								    &info));
			KUNIT_EXPECT_FALSE(test, xdf_sim_grant_info(evt[round][i],
								    &info));
			if (round == 0) {
				req[1][i] = req_new;
				evt[1][i] = evt_new;
			}
		}
	}
}

/*
 * Closing, @connected or before the backend connects: teardown, frontend
 * Closed; the DRM device unplugged if it was registered, and in any case
 * dropped with the channels. Then back, with a new device.
 */
static void bus_closing(struct kunit *test, bool connected)
{
	struct xdf_sim_counters c;
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	struct drm_device *drm;

	bus_fill_config(&cfg, 2);
	cfg.hold = !connected;
	sdev = bus_add(test, &cfg);
	if (connected)
		bus_wait_connected(test, sdev);
	else
		KUNIT_ASSERT_TRUE(test, bus_reaches(sdev, XenbusStateInitialised));
	xdf_sim_settle();

	KUNIT_ASSERT_NOT_NULL(test, bus_front(sdev)->xdrm);
	drm = &bus_front(sdev)->xdrm->drm;
	drm_dev_get(drm);
	KUNIT_EXPECT_EQ(test, drm->registered, connected);

	xdf_sim_backend_set_state(sdev, XenbusStateClosing);
	KUNIT_EXPECT_TRUE(test, bus_reaches(sdev, XenbusStateClosed));
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, drm_dev_is_unplugged(drm), connected);
	KUNIT_EXPECT_FALSE(test, drm->registered);
	/* The frontend's reference is gone: ours is the last. */
	KUNIT_EXPECT_EQ(test, kref_read(&drm->ref), 1u);
	drm_dev_put(drm);
	KUNIT_EXPECT_NULL(test, bus_front(sdev)->xdrm);
	KUNIT_EXPECT_NULL(test, bus_front(sdev)->chs);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.grants, 0u);
	KUNIT_EXPECT_EQ(test, c.ring_pages, 0u);
	KUNIT_EXPECT_EQ(test, c.channels, 0u);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_count(sdev), 0u);

	/* Backend Closed: ready for a new backend. */
	xdf_sim_backend_set_state(sdev, XenbusStateClosed);
	KUNIT_EXPECT_TRUE(test, bus_reaches(sdev, XenbusStateInitialising));

	/* No longer held: it connects once the frontend is Initialised. */
	xdf_sim_backend_set_state(sdev, XenbusStateInitWait);
	bus_wait_connected(test, sdev);
	bus_check_connected(test, sdev, 2, NULL);
}

static void bus_backend_closing(struct kunit *test)
{
	bus_closing(test, true);
}

static void bus_closing_before_connected(struct kunit *test)
{
	bus_closing(test, false);
}

/* The backend's state node disappears: like Closed. */
static void bus_backend_vanishes(struct kunit *test)
{
	struct xdf_sim_counters c;
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	char path[128];

	bus_fill_config(&cfg, 1);
	sdev = bus_add(test, &cfg);
	bus_wait_connected(test, sdev);

	xdf_sim_backend_set_state(sdev, XenbusStateUnknown);
	snprintf(path, sizeof(path), "%s/state", xdf_sim_dev_backend_dir(sdev));
	xdf_sim_xs_rm(path);
	KUNIT_EXPECT_TRUE(test, bus_reaches(sdev, XenbusStateInitialising));
	xdf_sim_settle();
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.grants, 0u);
	KUNIT_EXPECT_EQ(test, c.channels, 0u);
	KUNIT_EXPECT_NULL(test, bus_front(sdev)->xdrm);
}

/* Removing a connected device: the frontend ends Closed, nothing leaks. */
static void bus_remove_connected(struct kunit *test)
{
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	struct drm_device *drm;

	bus_fill_config(&cfg, 3);
	sdev = bus_add(test, &cfg);
	bus_wait_connected(test, sdev);
	drm = &bus_front(sdev)->xdrm->drm;
	drm_dev_get(drm);

	xdf_sim_dev_unbind_driver(sdev);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, xdf_sim_frontend_state(sdev), XenbusStateClosed);
	KUNIT_EXPECT_TRUE(test, drm_dev_is_unplugged(drm));
	drm_dev_put(drm);
	KUNIT_EXPECT_FALSE(test, xdf_sim_backend_connected(sdev));
}

/* Unbound and bound again: a new probe connects again. */
static void bus_rebind(struct kunit *test)
{
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;

	bus_fill_config(&cfg, 1);
	sdev = bus_add(test, &cfg);
	bus_wait_connected(test, sdev);

	xdf_sim_dev_unbind_driver(sdev);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, xdf_sim_frontend_state(sdev), XenbusStateClosed);

	/* As the toolstack does for a new connection. */
	xdf_sim_backend_set_state(sdev, XenbusStateInitWait);
	KUNIT_ASSERT_EQ(test, xdf_sim_dev_bind_driver(sdev), 0);
	bus_wait_connected(test, sdev);
	bus_check_connected(test, sdev, 1, NULL);
}

/* Writes the backend's state node as a backend, or anyone, could. */
static void bus_be_state(struct kunit *test, struct xdf_sim_dev *sdev,
			 const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/state", xdf_sim_dev_backend_dir(sdev));
	KUNIT_ASSERT_EQ(test, xdf_sim_xs_write(path, value), 0);
}

static void bus_expect_idle(struct kunit *test, struct xdf_sim_dev *sdev,
			    const char *value)
{
	struct xdf_sim_counters c;

	KUNIT_EXPECT_EQ_MSG(test, xdf_sim_frontend_state(sdev),
			    XenbusStateInitialising, "backend state \"%s\"", value);
	KUNIT_EXPECT_NULL(test, bus_front(sdev)->chs);
	KUNIT_EXPECT_NULL(test, bus_front(sdev)->xdrm);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.grants, 0u);
	KUNIT_EXPECT_EQ(test, c.channels, 0u);
}

/*
 * States in an order no backend should take: before InitWait, Connected,
 * Initialised, Reconfiguring, Reconfigured and numbers outside enum
 * xenbus_state make the frontend neither connect nor fail; once it is
 * connected, they (and Connected again) change nothing.
 */
static void bus_impossible_orders(struct kunit *test)
{
	static const char *const values[] = {
		"4", "3", "7", "8", "9", "-1", "4096", "2147483647", "4",
	};
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	struct drm_device *drm;
	unsigned int i;

	bus_fill_config(&cfg, 2);
	cfg.backend_state = XenbusStateInitialising;
	sdev = bus_add(test, &cfg);
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		bus_be_state(test, sdev, values[i]);
		xdf_sim_settle();
		bus_expect_idle(test, sdev, values[i]);
	}
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_count(sdev), 0u);

	bus_be_state(test, sdev, "2");
	bus_wait_connected(test, sdev);
	drm = &bus_front(sdev)->xdrm->drm;
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		bus_be_state(test, sdev, values[i]);
		xdf_sim_settle();
		KUNIT_EXPECT_PTR_EQ_MSG(test, &bus_front(sdev)->xdrm->drm, drm,
					"backend state \"%s\"", values[i]);
		KUNIT_EXPECT_FALSE(test, drm_dev_is_unplugged(drm));
	}
	bus_be_state(test, sdev, "4");
	xdf_sim_settle();
	bus_check_connected(test, sdev, 2, NULL);
}

/*
 * The state node rewritten to garbage, emptied or removed reads as
 * Unknown, a backend gone: the frontend tears down, waits as Initialising,
 * and connects afresh when the backend is in InitWait again.
 */
static void bus_state_garbage(struct kunit *test)
{
	static const char *const values[] = { "connected", "", "4x", " 4" };
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	struct drm_device *drm;
	unsigned int i;

	bus_fill_config(&cfg, 1);
	sdev = bus_add(test, &cfg);
	bus_wait_connected(test, sdev);
	for (i = 0; i < ARRAY_SIZE(values); i++) {
		drm = &bus_front(sdev)->xdrm->drm;
		drm_dev_get(drm);
		bus_be_state(test, sdev, values[i]);
		KUNIT_EXPECT_TRUE(test, bus_reaches(sdev, XenbusStateInitialising));
		xdf_sim_settle();
		bus_expect_idle(test, sdev, values[i]);
		KUNIT_EXPECT_TRUE(test, drm_dev_is_unplugged(drm));
		drm_dev_put(drm);

		/* A backend that starts over: the sim maps the new rings. */
		xdf_sim_backend_restart(sdev);
		bus_wait_connected(test, sdev);
		bus_check_connected(test, sdev, 1, NULL);
	}
}

/*
 * A backend whose state flaps through every value, garbage included,
 * faster than the frontend follows: the frontend ends where the last
 * state takes it, and connects cleanly when the backend restarts.
 */
static void bus_state_flapping(struct kunit *test)
{
	static const char *const values[] = {
		"4", "2", "5", "4", "1", "6", "2", "3", "7", "junk", "2", "8",
		"0", "4", "5", "6", "2", "4",
	};
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	unsigned int round, i;

	bus_fill_config(&cfg, 2);
	sdev = bus_add(test, &cfg);
	bus_wait_connected(test, sdev);
	for (round = 0; round < 20; round++) {
		for (i = 0; i < ARRAY_SIZE(values); i++)
			bus_be_state(test, sdev, values[(i + round) % ARRAY_SIZE(values)]);
		xdf_sim_settle();
	}
	/* Nothing leaked whatever the last state did. */
	xdf_sim_backend_set_state(sdev, XenbusStateClosed);
	KUNIT_EXPECT_TRUE(test, bus_reaches(sdev, XenbusStateInitialising));
	xdf_sim_settle();
	bus_expect_idle(test, sdev, "6");
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_count(sdev), 0u);

	xdf_sim_backend_set_state(sdev, XenbusStateInitWait);
	bus_wait_connected(test, sdev);
	bus_check_connected(test, sdev, 2, NULL);
}

static void bus_write_node(struct kunit *test, struct xdf_sim_dev *sdev,
			   bool backend, const char *node, const char *value)
{
	char path[128];

	snprintf(path, sizeof(path), "%s/%s", backend ?
		 xdf_sim_dev_backend_dir(sdev) : xdf_sim_dev_frontend_dir(sdev),
		 node);
	KUNIT_ASSERT_EQ(test, xdf_sim_xs_write(path, value), 0);
}

/*
 * XenStore values changed after connect, valid or not, change nothing on
 * the live connection: the configuration is read once, when the backend
 * is in InitWait. The next connection reads and checks them again.
 */
static void bus_xs_changed_after_connect(struct kunit *test)
{
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	struct xdf_front *front;
	struct drm_device *drm;
	struct xendispl_req req = { .operation = XENDISPL_OP_SET_CONFIG };

	bus_fill_config(&cfg, 2);
	sdev = bus_add(test, &cfg);
	bus_wait_connected(test, sdev);
	front = bus_front(sdev);
	drm = &front->xdrm->drm;

	bus_write_node(test, sdev, false, "0/" XENDISPL_FIELD_RESOLUTION, "junk");
	bus_write_node(test, sdev, false, "1/" XENDISPL_FIELD_RESOLUTION,
		       "99999x1");
	bus_write_node(test, sdev, false, XENDISPL_FIELD_BE_ALLOC, "maybe");
	bus_write_node(test, sdev, true, XENDISPL_FIELD_BE_VERSIONS, "99");
	bus_write_node(test, sdev, false, "0/" XENDISPL_FIELD_REQ_RING_REF, "7");
	bus_write_node(test, sdev, false, "0/" XENDISPL_FIELD_EVT_CHANNEL, "x");
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, xdf_sim_frontend_state(sdev), XenbusStateConnected);
	KUNIT_EXPECT_PTR_EQ(test, &front->xdrm->drm, drm);
	KUNIT_EXPECT_EQ(test, front->xdrm->cfg.connectors[0].width, 1024u);
	KUNIT_EXPECT_EQ(test, front->xdrm->cfg.connectors[1].width, 800u);
	KUNIT_EXPECT_FALSE(test, front->xdrm->cfg.be_alloc);
	KUNIT_EXPECT_EQ(test, xdf_dev_request(front->xdrm, 0, &req, NULL), 0);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_count(sdev), 0u);

	/* Valid values take effect with the next connection. */
	bus_write_node(test, sdev, false, "0/" XENDISPL_FIELD_RESOLUTION,
		       "640x480");
	bus_write_node(test, sdev, false, "1/" XENDISPL_FIELD_RESOLUTION,
		       "1920x1080");
	bus_write_node(test, sdev, false, XENDISPL_FIELD_BE_ALLOC, "1");
	bus_write_node(test, sdev, true, XENDISPL_FIELD_BE_VERSIONS, "1,2");
	xdf_sim_backend_restart(sdev);
	bus_wait_connected(test, sdev);
	KUNIT_ASSERT_NOT_NULL(test, front->xdrm);
	KUNIT_EXPECT_EQ(test, front->xdrm->cfg.connectors[0].width, 640u);
	KUNIT_EXPECT_EQ(test, front->xdrm->cfg.connectors[1].width, 1920u);
	KUNIT_EXPECT_TRUE(test, front->xdrm->cfg.be_alloc);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_count(sdev), 0u);
}

/*
 * The frontend's own reset: it goes Closing; a backend that follows
 * (Closing, Closed, InitWait) gets fresh rings, and the frontend a fresh
 * DRM device; one that does not leaves it Closing, with nothing of the old
 * connection left on the frontend's side.
 */
static void bus_reset_follows(struct kunit *test)
{
	struct xdf_sim_counters c;
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	struct drm_device *drm;
	grant_ref_t req_ref, evt_ref, req_new, evt_new;

	bus_fill_config(&cfg, 1);
	sdev = bus_add(test, &cfg);
	bus_wait_connected(test, sdev);
	bus_check_conn(test, sdev, 0, &req_ref, &evt_ref);
	drm = &bus_front(sdev)->xdrm->drm;
	drm_dev_get(drm);

	/* A backend that hung: the frontend waits, Closing. */
	xdf_sim_backend_freeze(sdev, true);
	xdf_channels_break(bus_front(sdev)->chs, 0, "test");
	KUNIT_EXPECT_TRUE(test, bus_reaches(sdev, XenbusStateClosing));
	xdf_sim_settle();
	KUNIT_EXPECT_TRUE(test, drm_dev_is_unplugged(drm));
	KUNIT_EXPECT_NULL(test, bus_front(sdev)->chs);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_state(sdev), XenbusStateConnected);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.channels, 0u);
	KUNIT_EXPECT_EQ(test, c.ring_pages, 0u);
	/* Still mapped by the hung backend: released when it unmaps. */
	KUNIT_EXPECT_EQ(test, c.deferred, 2u);
	drm_dev_put(drm);

	xdf_sim_backend_freeze(sdev, false);
	bus_wait_connected(test, sdev);
	bus_check_connected(test, sdev, 1, NULL);
	bus_check_conn(test, sdev, 0, &req_new, &evt_new);
	KUNIT_EXPECT_NE(test, req_new, req_ref);
	KUNIT_EXPECT_NE(test, evt_new, evt_ref);
	KUNIT_EXPECT_EQ(test, bus_front(sdev)->resets, 1u);
}

static int bus_test_init(struct kunit *test)
{
	xdf_sim_reset();
	test->priv = NULL;
	return 0;
}

static void bus_test_exit(struct kunit *test)
{
	if (test->priv)
		xdf_sim_dev_remove(test->priv);
	xdf_sim_expect_clean(test);
}

static struct kunit_case bus_test_cases[] = {
	KUNIT_CASE(bus_connect_one),
	KUNIT_CASE(bus_connect_four),
	KUNIT_CASE(bus_waits_for_initwait),
	KUNIT_CASE(bus_initialised_until_connected),
	KUNIT_CASE(bus_publishes_version),
	KUNIT_CASE(bus_publishes_version_1),
	KUNIT_CASE(bus_transaction_retry),
	KUNIT_CASE(bus_publish_write_fails),
	KUNIT_CASE(bus_transaction_start_fails),
	KUNIT_CASE(bus_grants_exhausted),
	KUNIT_CASE(bus_evtchn_bind_fails),
	KUNIT_CASE(bus_backend_restart),
	KUNIT_CASE(bus_backend_closing),
	KUNIT_CASE(bus_closing_before_connected),
	KUNIT_CASE(bus_backend_vanishes),
	KUNIT_CASE(bus_remove_connected),
	KUNIT_CASE(bus_rebind),
	KUNIT_CASE(bus_impossible_orders),
	KUNIT_CASE(bus_state_garbage),
	KUNIT_CASE(bus_state_flapping),
	KUNIT_CASE(bus_xs_changed_after_connect),
	KUNIT_CASE(bus_reset_follows),
	{}
};

static struct kunit_suite bus_test_suite = {
	.name = "xen_drm_front_bus",
	.init = bus_test_init,
	.exit = bus_test_exit,
	.test_cases = bus_test_cases,
};

kunit_test_suite(bus_test_suite);
