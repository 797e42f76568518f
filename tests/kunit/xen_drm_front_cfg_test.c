// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit: the XenStore configuration. The pure parsers, then each malformed
 * value as a toolstack or backend could write it: the frontend must report
 * a fatal error naming the node and its value, close, and leak nothing.
 */

#include <kunit/test.h>
#include <linux/console.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/spinlock.h>

#include "../xen_drm_front.h"
#include "xen_drm_front_sim.h"

#define CFG_WAIT_MS	3000
#define CFG_FE_DIR	"device/vdispl/0"
#define CFG_BE_DIR	"/local/domain/0/backend/vdispl/1/0"
#define CFG_ID63	"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-"
#define CFG_ID64	CFG_ID63 "x"

/* Kernel log capture, to check what the error messages name. */

static DEFINE_SPINLOCK(cfg_log_lock);
static char cfg_log[16384];
static size_t cfg_log_len;

static void cfg_log_write(struct console *con, const char *s, unsigned int n)
{
	unsigned long flags;

	spin_lock_irqsave(&cfg_log_lock, flags);
	n = min_t(size_t, n, sizeof(cfg_log) - 1 - cfg_log_len);
	memcpy(cfg_log + cfg_log_len, s, n);
	cfg_log_len += n;
	cfg_log[cfg_log_len] = '\0';
	spin_unlock_irqrestore(&cfg_log_lock, flags);
}

static struct console cfg_log_console = {
	.name = "xdfkunit",
	.write = cfg_log_write,
	.flags = CON_ENABLED,
	.index = -1,
};

static bool cfg_log_contains(const char *s)
{
	unsigned long flags;
	bool found;

	spin_lock_irqsave(&cfg_log_lock, flags);
	found = strstr(cfg_log, s);
	spin_unlock_irqrestore(&cfg_log_lock, flags);
	return found;
}

/* Pure parsers */

struct cfg_res_case {
	const char *value;
	int ret;
	u32 width;
	u32 height;
};

static const struct cfg_res_case cfg_res_cases[] = {
	{ "640x480", 0, 640, 480 },
	{ "1x1", 0, 1, 1 },
	{ "8192x8192", 0, 8192, 8192 },
	{ "1920x1080", 0, 1920, 1080 },
	{ "0640x0480", 0, 640, 480 },
	{ "", -EINVAL },
	{ "x", -EINVAL },
	{ "0x480", -EINVAL },
	{ "640x0", -EINVAL },
	{ "-640x480", -EINVAL },
	{ "+640x480", -EINVAL },
	{ "640x-480", -EINVAL },
	{ "640x", -EINVAL },
	{ "x480", -EINVAL },
	{ "640x480x", -EINVAL },
	{ "640 x 480", -EINVAL },
	{ " 640x480", -EINVAL },
	{ "640x480 ", -EINVAL },
	{ "640X480", -EINVAL },
	{ "640*480", -EINVAL },
	{ "99999x480", -EINVAL },
	{ "8193x480", -EINVAL },
	{ "640x8193", -EINVAL },
	{ "640x480junk", -EINVAL },
	{ "4294967296x480", -EINVAL },
	{ "4294967936x480", -EINVAL },
	{ "640x18446744073709551616", -EINVAL },
	{ "0x280x1e0", -EINVAL },
	{ "640", -EINVAL },
};

static void cfg_parse_resolution(struct kunit *test)
{
	unsigned int i;
	u32 w, h;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cfg_res_cases); i++) {
		const struct cfg_res_case *c = &cfg_res_cases[i];

		w = 0xdead;
		h = 0xbeef;
		ret = xdf_cfg_parse_resolution(c->value, &w, &h);
		KUNIT_EXPECT_EQ_MSG(test, ret, c->ret, "\"%s\"", c->value);
		if (!c->ret) {
			KUNIT_EXPECT_EQ_MSG(test, w, c->width, "\"%s\"", c->value);
			KUNIT_EXPECT_EQ_MSG(test, h, c->height, "\"%s\"", c->value);
		}
	}
}

struct cfg_ver_case {
	const char *value;
	int ret;
	unsigned int version;
};

static const struct cfg_ver_case cfg_ver_cases[] = {
	{ "1", 0, 1 },
	{ "2", 0, 2 },
	{ "1,2", 0, 2 },
	{ "2,1", 0, 2 },
	{ "1,3", 0, 1 },
	{ "3,2,7", 0, 2 },
	{ "abc", -EINVAL },
	{ "3,4", -EPROTONOSUPPORT },
	{ "3", -EPROTONOSUPPORT },
	{ "1,,2", -EINVAL },
	{ "", -EINVAL },
	{ ",", -EINVAL },
	{ "1,", -EINVAL },
	{ ",1", -EINVAL },
	{ "0", -EINVAL },
	{ "-1", -EINVAL },
	{ " 1", -EINVAL },
	{ "1, 2", -EINVAL },
	{ "1;2", -EINVAL },
	{ "2x", -EINVAL },
	{ "99999999999999999999", -EINVAL },
};

static void cfg_parse_versions(struct kunit *test)
{
	unsigned int i, version;
	int ret;

	for (i = 0; i < ARRAY_SIZE(cfg_ver_cases); i++) {
		const struct cfg_ver_case *c = &cfg_ver_cases[i];

		version = 0xdead;
		ret = xdf_cfg_parse_versions(c->value, &version);
		KUNIT_EXPECT_EQ_MSG(test, ret, c->ret, "\"%s\"", c->value);
		if (!c->ret)
			KUNIT_EXPECT_EQ_MSG(test, version, c->version, "\"%s\"",
					    c->value);
	}
}

/* Devices with a bad configuration */

/**
 * struct cfg_bad_case - a configuration the frontend must refuse
 * @name: description
 * @be_alloc: be-alloc node or NULL
 * @versions: backend's versions node or NULL
 * @connectors: number of connectors written
 * @res0: connector 0's resolution, or NULL for none
 * @id0: connector 0's unique-id, or NULL for none
 * @res1: connector 1's resolution (if @connectors > 1)
 * @err: expected error
 * @path: node named in the error log
 * @value: value quoted in the error log, NULL for "missing"
 */
struct cfg_bad_case {
	const char *name;
	const char *be_alloc;
	const char *versions;
	unsigned int connectors;
	const char *res0;
	const char *id0;
	const char *res1;
	int err;
	const char *path;
	const char *value;
};

static const struct cfg_bad_case cfg_bad_cases[] = {
	{ "resolution missing", NULL, NULL, 1, NULL, "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", NULL },
	{ "resolution empty", NULL, NULL, 1, "", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", "" },
	{ "resolution 0x480", NULL, NULL, 1, "0x480", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", "0x480" },
	{ "resolution -640x480", NULL, NULL, 1, "-640x480", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", "-640x480" },
	{ "resolution 640x", NULL, NULL, 1, "640x", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", "640x" },
	{ "resolution x480", NULL, NULL, 1, "x480", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", "x480" },
	{ "resolution 640x480x", NULL, NULL, 1, "640x480x", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", "640x480x" },
	{ "resolution 640 x 480", NULL, NULL, 1, "640 x 480", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", "640 x 480" },
	{ "resolution 99999x480", NULL, NULL, 1, "99999x480", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", "99999x480" },
	{ "resolution 640x480junk", NULL, NULL, 1, "640x480junk", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", "640x480junk" },
	{ "resolution 4294967936x480", NULL, NULL, 1, "4294967936x480", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", "4294967936x480" },
	{ "resolution 640x99999999999999999999", NULL, NULL, 1,
	  "640x99999999999999999999", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", "640x99999999999999999999" },
	{ "second connector's resolution", NULL, NULL, 2, "640x480", "id0",
	  "800x", -EINVAL, CFG_FE_DIR "/1/resolution", "800x" },
	{ "second connector without resolution", NULL, NULL, 2, "640x480",
	  "id0", NULL, -EINVAL, CFG_FE_DIR "/1/resolution", NULL },
	{ "be-alloc 2", "2", NULL, 1, "640x480", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/be-alloc", "2" },
	{ "be-alloc yes", "yes", NULL, 1, "640x480", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/be-alloc", "yes" },
	{ "be-alloc empty", "", NULL, 1, "640x480", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/be-alloc", "" },
	{ "be-alloc 01", "01", NULL, 1, "640x480", "id0", NULL, -EINVAL,
	  CFG_FE_DIR "/be-alloc", "01" },
	{ "versions abc", NULL, "abc", 1, "640x480", "id0", NULL, -EINVAL,
	  CFG_BE_DIR "/versions", "abc" },
	{ "versions 3,4", NULL, "3,4", 1, "640x480", "id0", NULL,
	  -EPROTONOSUPPORT, CFG_BE_DIR "/versions", "3,4" },
	{ "versions 1,,2", NULL, "1,,2", 1, "640x480", "id0", NULL, -EINVAL,
	  CFG_BE_DIR "/versions", "1,,2" },
	{ "versions empty", NULL, "", 1, "640x480", "id0", NULL, -EINVAL,
	  CFG_BE_DIR "/versions", "" },
	{ "no connector", NULL, NULL, 0, NULL, NULL, NULL, -EINVAL,
	  CFG_FE_DIR "/0/resolution", NULL },
};

static void cfg_bad_desc(const struct cfg_bad_case *c, char *desc)
{
	strscpy(desc, c->name, KUNIT_PARAM_DESC_SIZE);
}

KUNIT_ARRAY_PARAM(cfg_bad, cfg_bad_cases, cfg_bad_desc);

static void cfg_fill(struct xdf_sim_config *cfg, const struct cfg_bad_case *c)
{
	memset(cfg, 0, sizeof(*cfg));
	cfg->be_alloc = c->be_alloc;
	cfg->versions = c->versions;
	cfg->num_connectors = c->connectors;
	cfg->connectors[0].resolution = c->res0;
	cfg->connectors[0].unique_id = c->id0;
	cfg->connectors[1].resolution = c->res1;
	cfg->connectors[1].unique_id = "id1";
}

static struct xdf_sim_dev *cfg_add(struct kunit *test,
				   const struct xdf_sim_config *cfg)
{
	struct xdf_sim_dev *sdev = xdf_sim_dev_add(cfg);

	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, sdev);
	test->priv = sdev;
	return sdev;
}

static bool cfg_reaches(struct xdf_sim_dev *sdev, enum xenbus_state state)
{
	return xdf_sim_wait_frontend_state(sdev, state, CFG_WAIT_MS);
}

static struct xdf_front *cfg_front(struct xdf_sim_dev *sdev)
{
	return dev_get_drvdata(&xdf_sim_dev_xb(sdev)->dev);
}

/* Fatal error, Closing, error node, nothing published or allocated. */
static void cfg_expect_refused(struct kunit *test, struct xdf_sim_dev *sdev,
			       int err)
{
	struct xdf_sim_counters c;
	char expected[32];
	char *value;

	KUNIT_EXPECT_TRUE(test, cfg_reaches(sdev, XenbusStateClosing));
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, xdf_sim_frontend_state(sdev), XenbusStateClosing);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_count(sdev), 1u);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_err(sdev, NULL, 0), err);

	value = xdf_sim_xs_read("error/" CFG_FE_DIR "/error");
	KUNIT_ASSERT_FALSE(test, IS_ERR(value));
	snprintf(expected, sizeof(expected), "%d ", -err);
	KUNIT_EXPECT_TRUE_MSG(test, !strncmp(value, expected, strlen(expected)),
			      "error node \"%s\"", value);
	kfree(value);

	KUNIT_EXPECT_FALSE(test, xdf_sim_xs_exists(CFG_FE_DIR "/0/req-ring-ref"));
	KUNIT_EXPECT_FALSE(test, xdf_sim_xs_exists(CFG_FE_DIR "/version"));
	KUNIT_EXPECT_FALSE(test, xdf_sim_backend_connected(sdev));
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.grants, 0u);
	KUNIT_EXPECT_EQ(test, c.ring_pages, 0u);
	KUNIT_EXPECT_EQ(test, c.channels, 0u);
	KUNIT_EXPECT_EQ(test, c.transactions, 0u);
	KUNIT_EXPECT_NULL(test, cfg_front(sdev)->chs);
	KUNIT_EXPECT_NULL(test, cfg_front(sdev)->xdrm);
}

static void cfg_bad(struct kunit *test)
{
	const struct cfg_bad_case *c = test->param_value;
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;
	char *quoted;

	cfg_fill(&cfg, c);
	sdev = cfg_add(test, &cfg);
	cfg_expect_refused(test, sdev, c->err);

	KUNIT_EXPECT_TRUE_MSG(test, cfg_log_contains(c->path),
			      "log does not name %s", c->path);
	if (c->value) {
		/* Quoted with control characters escaped, as "id\x01". */
		quoted = kasprintf(GFP_KERNEL, "\"%*pE\"", (int)strlen(c->value),
				   c->value);
		KUNIT_ASSERT_NOT_NULL(test, quoted);
		KUNIT_EXPECT_TRUE_MSG(test, cfg_log_contains(quoted),
				      "log does not quote %s", quoted);
		kfree(quoted);
	} else {
		KUNIT_EXPECT_TRUE(test, cfg_log_contains("missing"));
	}
}

/* Refused once, the frontend stays closed for backends that come back. */
static void cfg_bad_stays_closed(struct kunit *test)
{
	struct xdf_sim_counters c;
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;

	cfg_fill(&cfg, &cfg_bad_cases[2]);
	sdev = cfg_add(test, &cfg);
	cfg_expect_refused(test, sdev, -EINVAL);

	/* The toolstack closes the backend: the frontend closes too. */
	xdf_sim_backend_set_state(sdev, XenbusStateClosing);
	KUNIT_EXPECT_TRUE(test, cfg_reaches(sdev, XenbusStateClosed));

	/* A backend coming back does not make it read the config again. */
	xdf_sim_backend_set_state(sdev, XenbusStateInitWait);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, xdf_sim_frontend_state(sdev), XenbusStateClosed);
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_count(sdev), 1u);
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ(test, c.grants, 0u);
	KUNIT_EXPECT_EQ(test, c.channels, 0u);
}

/* A XenStore read failure is fatal too, with its own error. */
static void cfg_read_fails(struct kunit *test)
{
	struct xdf_sim_xs_faults faults = { .fail_reads = 1, .err = -EIO };
	struct xdf_sim_config cfg;
	struct xdf_sim_dev *sdev;

	cfg_fill(&cfg, &cfg_bad_cases[0]);
	cfg.connectors[0].resolution = "640x480";
	cfg.backend_state = XenbusStateInitialising;
	sdev = cfg_add(test, &cfg);
	xdf_sim_settle();
	xdf_sim_xs_inject(&faults);
	xdf_sim_backend_set_state(sdev, XenbusStateInitWait);
	cfg_expect_refused(test, sdev, -EIO);
}

/* Good configurations */

static struct xdf_sim_dev *cfg_connect(struct kunit *test,
				       const struct xdf_sim_config *cfg)
{
	struct xdf_sim_dev *sdev = cfg_add(test, cfg);

	xdf_sim_settle();
	KUNIT_ASSERT_TRUE(test, cfg_reaches(sdev, XenbusStateConnected));
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, xdf_sim_dev_fatal_count(sdev), 0u);
	return sdev;
}

static void cfg_good_values(struct kunit *test)
{
	struct xdf_sim_config cfg = {
		.be_alloc = "1",
		.versions = "2,1",
		.num_connectors = 3,
		.connectors = {
			{ "8192x8192", CFG_ID63 },
			{ "1x1", "~!@#$%^&*() {}" },
			{ "0800x0600", "c" },
		},
	};
	struct xdf_sim_dev *sdev;
	struct xdf_front *front;
	char *value;

	sdev = cfg_connect(test, &cfg);
	front = cfg_front(sdev);
	KUNIT_EXPECT_TRUE(test, front->cfg.be_alloc);
	KUNIT_EXPECT_EQ(test, front->cfg.version, 2u);
	KUNIT_EXPECT_EQ(test, front->cfg.num_connectors, 3u);
	KUNIT_EXPECT_EQ(test, front->cfg.connectors[0].width, 8192u);
	KUNIT_EXPECT_EQ(test, front->cfg.connectors[0].height, 8192u);
	KUNIT_EXPECT_EQ(test, front->cfg.connectors[1].width, 1u);
	KUNIT_EXPECT_EQ(test, front->cfg.connectors[1].height, 1u);
	KUNIT_EXPECT_EQ(test, front->cfg.connectors[2].width, 800u);
	KUNIT_EXPECT_EQ(test, front->cfg.connectors[2].height, 600u);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_connected(sdev), 3u);

	value = xdf_sim_xs_read(CFG_FE_DIR "/version");
	KUNIT_ASSERT_FALSE(test, IS_ERR(value));
	KUNIT_EXPECT_STREQ(test, value, "2");
	kfree(value);
}

static void cfg_be_alloc_default(struct kunit *test)
{
	struct xdf_sim_config cfg = {
		.num_connectors = 1,
		.connectors = { { "640x480", "id0" } },
	};
	struct xdf_sim_dev *sdev = cfg_connect(test, &cfg);

	KUNIT_EXPECT_FALSE(test, cfg_front(sdev)->cfg.be_alloc);
	KUNIT_EXPECT_EQ(test, cfg_front(sdev)->cfg.version, 0u);
	KUNIT_EXPECT_FALSE(test, xdf_sim_xs_exists(CFG_FE_DIR "/version"));
}

static void cfg_be_alloc_0(struct kunit *test)
{
	struct xdf_sim_config cfg = {
		.be_alloc = "0",
		.versions = "1,3",
		.num_connectors = 1,
		.connectors = { { "640x480", "id0" } },
	};
	struct xdf_sim_dev *sdev = cfg_connect(test, &cfg);
	char *value;

	KUNIT_EXPECT_FALSE(test, cfg_front(sdev)->cfg.be_alloc);
	KUNIT_EXPECT_EQ(test, cfg_front(sdev)->cfg.version, 1u);
	value = xdf_sim_xs_read(CFG_FE_DIR "/version");
	KUNIT_ASSERT_FALSE(test, IS_ERR(value));
	KUNIT_EXPECT_STREQ(test, value, "1");
	kfree(value);
}

/* More than XDF_MAX_CONNECTORS: the first 8 are used, with a warning. */
static void cfg_too_many_connectors(struct kunit *test)
{
	struct xdf_sim_config cfg = { .num_connectors = XDF_SIM_MAX_CONNECTORS };
	static const char *const ids[] = {
		"c0", "c1", "c2", "c3", "c4", "c5", "c6", "c7", "c8", "c9",
		"c10", "c11",
	};
	struct xdf_sim_dev *sdev;
	struct xdf_front *front;
	unsigned int i;

	BUILD_BUG_ON(ARRAY_SIZE(ids) != XDF_SIM_MAX_CONNECTORS);
	for (i = 0; i < XDF_SIM_MAX_CONNECTORS; i++) {
		cfg.connectors[i].resolution = "640x480";
		cfg.connectors[i].unique_id = ids[i];
	}
	sdev = cfg_connect(test, &cfg);
	front = cfg_front(sdev);
	KUNIT_EXPECT_EQ(test, front->cfg.num_connectors, XDF_MAX_CONNECTORS);
	KUNIT_EXPECT_EQ(test, front->cfg.connectors[7].width, 640u);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_connected(sdev),
			XDF_MAX_CONNECTORS);
	KUNIT_EXPECT_TRUE(test, xdf_sim_xs_exists(CFG_FE_DIR "/7/req-ring-ref"));
	KUNIT_EXPECT_FALSE(test, xdf_sim_xs_exists(CFG_FE_DIR "/8/req-ring-ref"));
	KUNIT_EXPECT_FALSE(test, xdf_sim_xs_exists(CFG_FE_DIR "/8/evt-ring-ref"));
	KUNIT_EXPECT_TRUE_MSG(test, cfg_log_contains(CFG_FE_DIR "/8"),
			      "no warning naming the ignored connectors");
}

/* Exactly 8: no warning. */
static void cfg_eight_connectors(struct kunit *test)
{
	struct xdf_sim_config cfg = { .num_connectors = XDF_MAX_CONNECTORS };
	struct xdf_sim_dev *sdev;
	unsigned int i;

	for (i = 0; i < XDF_MAX_CONNECTORS; i++) {
		cfg.connectors[i].resolution = "320x200";
		cfg.connectors[i].unique_id = "same";
	}
	sdev = cfg_connect(test, &cfg);
	KUNIT_EXPECT_EQ(test, cfg_front(sdev)->cfg.num_connectors,
			XDF_MAX_CONNECTORS);
	KUNIT_EXPECT_FALSE(test, cfg_log_contains(CFG_FE_DIR "/8"));
}

/*
 * Each XenStore read is a round trip to another domain before the card
 * appears: the device's directory is listed once, then only the values
 * the frontend uses are read, each once. An absent be-alloc and the
 * connectors past the first missing one are not probed, and unique-ids,
 * which only the backend interprets, are not read: missing or strange,
 * they do not stop the frontend.
 */
static void cfg_reads_listed_nodes_only(struct kunit *test)
{
	struct xdf_sim_config cfg = {
		.versions = "1,2",
		.num_connectors = 4,
		.connectors = {
			{ "640x480", NULL },
			{ "800x600", "id\n\x01\xe9" CFG_ID64 },
			{ NULL, NULL },
			{ "1024x768", "id3" },
		},
	};
	struct xdf_sim_xs_stats before, after;
	struct xdf_sim_dev *sdev;

	xdf_sim_xs_get_stats(&before);
	sdev = cfg_connect(test, &cfg);
	xdf_sim_xs_get_stats(&after);
	KUNIT_EXPECT_EQ(test, cfg_front(sdev)->cfg.num_connectors, 2u);
	KUNIT_EXPECT_EQ(test, cfg_front(sdev)->cfg.version, 2u);
	KUNIT_EXPECT_TRUE(test, cfg_front(sdev)->cfg.fb_viewport);
	/* The listing, the backend's two nodes, each connector's resolution. */
	KUNIT_EXPECT_EQ(test, after.reads - before.reads, 1u + 2u + 2u);
	KUNIT_EXPECT_FALSE(test, xdf_sim_xs_exists(CFG_FE_DIR "/3/req-ring-ref"));
}

static int cfg_test_init(struct kunit *test)
{
	unsigned long flags;

	xdf_sim_reset();
	test->priv = NULL;
	spin_lock_irqsave(&cfg_log_lock, flags);
	cfg_log_len = 0;
	cfg_log[0] = '\0';
	spin_unlock_irqrestore(&cfg_log_lock, flags);
	/* unregister_console() cleared it. */
	cfg_log_console.flags = CON_ENABLED;
	register_console(&cfg_log_console);
	return 0;
}

static void cfg_test_exit(struct kunit *test)
{
	unregister_console(&cfg_log_console);
	if (test->priv)
		xdf_sim_dev_remove(test->priv);
	xdf_sim_expect_clean(test);
}

static struct kunit_case cfg_test_cases[] = {
	KUNIT_CASE(cfg_parse_resolution),
	KUNIT_CASE(cfg_parse_versions),
	KUNIT_CASE_PARAM(cfg_bad, cfg_bad_gen_params),
	KUNIT_CASE(cfg_bad_stays_closed),
	KUNIT_CASE(cfg_read_fails),
	KUNIT_CASE(cfg_good_values),
	KUNIT_CASE(cfg_be_alloc_default),
	KUNIT_CASE(cfg_be_alloc_0),
	KUNIT_CASE(cfg_too_many_connectors),
	KUNIT_CASE(cfg_eight_connectors),
	KUNIT_CASE(cfg_reads_listed_nodes_only),
	{}
};

static struct kunit_suite cfg_test_suite = {
	.name = "xen_drm_front_cfg",
	.init = cfg_test_init,
	.exit = cfg_test_exit,
	.test_cases = cfg_test_cases,
};

kunit_test_suite(cfg_test_suite);
