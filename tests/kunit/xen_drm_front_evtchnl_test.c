// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit: requests and events on the rings of a connected device, against
 * a backend that answers correctly, late, wrongly or not at all.
 */

#include <kunit/test.h>
#include <linux/completion.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/kernel.h>
#include <linux/ktime.h>
#include <linux/spinlock.h>
#include <linux/workqueue.h>

#include <drm/drm_drv.h>

#include "../xen_drm_front.h"
#include "xen_drm_front_sim.h"
#include "xen_drm_front_test.h"

#define EV_WAIT_MS	3000
#define EV_CONNECTORS	2
#define EV_MAX_FRAMES	1100
#define EV_FLOOD	1000

struct ev_frame {
	unsigned int conn;
	u64 cookie;
	bool hardirq;
};

struct ev_answer {
	unsigned int conn;
	u8 op;
	int result;
};

#define EV_MAX_ANSWERS	8

/**
 * struct ev_ctx - one test's connected device
 * @sdev: the simulated device
 * @drm: the DRM device, with a reference of ours
 * @saved_timeout: xdf_req_timeout_ms before the test
 * @lock: protects @nframes, @frames, @nanswers and @answers
 * @nframes: frame-done callbacks so far
 * @frames: their arguments
 * @nanswers: answer callbacks so far
 * @answers: their arguments
 */
struct ev_ctx {
	struct xdf_sim_dev *sdev;
	struct drm_device *drm;
	unsigned int saved_timeout;
	spinlock_t lock;	/* vs. the frame-done callback */
	unsigned int nframes;
	struct ev_frame frames[EV_MAX_FRAMES];
	unsigned int nanswers;
	struct ev_answer answers[EV_MAX_ANSWERS];
};

static struct xdf_front *ev_front(struct ev_ctx *ctx)
{
	return dev_get_drvdata(&xdf_sim_dev_xb(ctx->sdev)->dev);
}

static bool ev_reaches(struct ev_ctx *ctx, enum xenbus_state state)
{
	return xdf_sim_wait_frontend_state(ctx->sdev, state, EV_WAIT_MS);
}

static struct xdf_channels *ev_chs(struct ev_ctx *ctx)
{
	return container_of(ctx->drm, struct xdf_drm, drm)->chs;
}

static void ev_frame_done(void *data, unsigned int conn, u64 cookie)
{
	struct ev_ctx *ctx = data;
	unsigned long flags;

	spin_lock_irqsave(&ctx->lock, flags);
	if (ctx->nframes < EV_MAX_FRAMES) {
		ctx->frames[ctx->nframes].conn = conn;
		ctx->frames[ctx->nframes].cookie = cookie;
		ctx->frames[ctx->nframes].hardirq = in_hardirq();
	}
	ctx->nframes++;
	spin_unlock_irqrestore(&ctx->lock, flags);
}

static unsigned int ev_nframes(struct ev_ctx *ctx)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&ctx->lock, flags);
	n = ctx->nframes;
	spin_unlock_irqrestore(&ctx->lock, flags);
	return n;
}

/* A request with every field of its operation set to something known. */
static void ev_fill(struct xendispl_req *req, u8 op, unsigned int conn)
{
	memset(req, 0, sizeof(*req));
	req->id = 0xabcd;
	req->operation = op;
	switch (op) {
	case XENDISPL_OP_SET_CONFIG:
		req->op.set_config.x = 10 + conn;
		req->op.set_config.y = 20;
		req->op.set_config.width = 640;
		req->op.set_config.height = 480;
		req->op.set_config.bpp = 32;
		req->op.set_config.fb_cookie = 0xc0ffee00ull + conn;
		break;
	case XENDISPL_OP_PG_FLIP:
		req->op.pg_flip.fb_cookie = 0xf11b00ull + conn;
		break;
	case XENDISPL_OP_GET_EDID:
		req->op.get_edid.gref_directory = 77;
		req->op.get_edid.buffer_sz = 4096;
		break;
	default:
		break;
	}
}

/* Sends a request as the DRM side does: inside drm_dev_enter(). */
static int ev_request(struct ev_ctx *ctx, unsigned int conn, u8 op,
		      struct xendispl_req *req, struct xendispl_resp *resp)
{
	int idx, ret;

	ev_fill(req, op, conn);
	if (!drm_dev_enter(ctx->drm, &idx))
		return -ENODEV;
	ret = xdf_request(ev_chs(ctx), conn, req, resp);
	drm_dev_exit(idx);
	return ret;
}

static int ev_simple(struct ev_ctx *ctx, unsigned int conn, u8 op)
{
	struct xendispl_resp resp;
	struct xendispl_req req;

	return ev_request(ctx, conn, op, &req, &resp);
}

static void ev_answer(void *data, unsigned int conn, u8 op, int result)
{
	struct ev_ctx *ctx = data;
	unsigned long flags;

	spin_lock_irqsave(&ctx->lock, flags);
	if (ctx->nanswers < EV_MAX_ANSWERS)
		ctx->answers[ctx->nanswers] = (struct ev_answer) {
			.conn = conn,
			.op = op,
			.result = result,
		};
	ctx->nanswers++;
	spin_unlock_irqrestore(&ctx->lock, flags);
}

/* Waits up to EV_WAIT_MS for @n answer callbacks in all. */
static bool ev_wait_answers(struct ev_ctx *ctx, unsigned int n)
{
	unsigned long end = jiffies + msecs_to_jiffies(EV_WAIT_MS);
	unsigned long flags;
	unsigned int have;

	for (;;) {
		spin_lock_irqsave(&ctx->lock, flags);
		have = ctx->nanswers;
		spin_unlock_irqrestore(&ctx->lock, flags);
		if (have >= n || time_after(jiffies, end))
			return have >= n;
		usleep_range(1000, 2000);
	}
}

/* Sends a request without waiting for its answer, inside drm_dev_enter(). */
static int ev_nowait(struct ev_ctx *ctx, unsigned int conn, u8 op,
		     struct xendispl_req *req)
{
	int idx, ret;

	ev_fill(req, op, conn);
	if (!drm_dev_enter(ctx->drm, &idx))
		return -ENODEV;
	ret = xdf_request_nowait(ev_chs(ctx), conn, req);
	drm_dev_exit(idx);
	return ret;
}

/* The answer callback is the test's until it ends. */
static void ev_take_answers(struct ev_ctx *ctx)
{
	xdf_channels_set_answer(ev_chs(ctx), ev_answer, ctx);
}

static void ev_set_timeout(unsigned int ms)
{
	WRITE_ONCE(xdf_req_timeout_ms, ms);
}

/*
 * The frontend reset the connection: the old device is unplugged, a new
 * one connected. The test goes on with the new one, our callback on it.
 */
static void ev_expect_reset(struct kunit *test, struct ev_ctx *ctx)
{
	struct xdf_drm *xdrm = xdf_test_wait_reset(test, ctx->sdev, ctx->drm);

	drm_dev_put(ctx->drm);
	ctx->drm = &xdrm->drm;
	drm_dev_get(ctx->drm);
	xdf_channels_set_frame_done(xdrm->chs, ev_frame_done, ctx);
}

/* Round trip: the backend receives exactly what was sent, in order. */
static void ev_round_trip(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	struct xendispl_req req, req2, seen;
	struct xendispl_resp resp;

	KUNIT_ASSERT_EQ(test, ev_request(ctx, 1, XENDISPL_OP_SET_CONFIG, &req,
					 &resp), 0);
	KUNIT_EXPECT_EQ(test, resp.id, req.id);
	KUNIT_EXPECT_EQ(test, resp.operation, XENDISPL_OP_SET_CONFIG);
	KUNIT_EXPECT_EQ(test, resp.status, 0);

	KUNIT_ASSERT_EQ(test, ev_request(ctx, 1, XENDISPL_OP_PG_FLIP, &req2,
					 &resp), 0);
	KUNIT_EXPECT_EQ(test, resp.id, req2.id);
	KUNIT_EXPECT_EQ(test, resp.operation, XENDISPL_OP_PG_FLIP);
	KUNIT_EXPECT_NE(test, req.id, req2.id);

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_num_requests(ctx->sdev, 1), 2u);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_requests(ctx->sdev, 0), 0u);

	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_request(ctx->sdev, 1, 0, &seen));
	KUNIT_EXPECT_EQ(test, seen.id, req.id);
	KUNIT_EXPECT_EQ(test, seen.operation, XENDISPL_OP_SET_CONFIG);
	KUNIT_EXPECT_EQ(test, seen.op.set_config.x, 11u);
	KUNIT_EXPECT_EQ(test, seen.op.set_config.y, 20u);
	KUNIT_EXPECT_EQ(test, seen.op.set_config.width, 640u);
	KUNIT_EXPECT_EQ(test, seen.op.set_config.height, 480u);
	KUNIT_EXPECT_EQ(test, seen.op.set_config.bpp, 32u);
	KUNIT_EXPECT_EQ(test, seen.op.set_config.fb_cookie, 0xc0ffee01ull);
	KUNIT_EXPECT_EQ(test, memcmp(&seen, &req, sizeof(req)), 0);

	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_request(ctx->sdev, 1, 1, &seen));
	KUNIT_EXPECT_EQ(test, seen.id, req2.id);
	KUNIT_EXPECT_EQ(test, seen.operation, XENDISPL_OP_PG_FLIP);
	KUNIT_EXPECT_EQ(test, seen.op.pg_flip.fb_cookie, 0xf11b01ull);

	/* The other connector has a ring of its own. */
	KUNIT_ASSERT_EQ(test, ev_request(ctx, 0, XENDISPL_OP_PG_FLIP, &req,
					 &resp), 0);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_requests(ctx->sdev, 0), 1u);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_request(ctx->sdev, 0, 0, &seen));
	KUNIT_EXPECT_EQ(test, seen.op.pg_flip.fb_cookie, 0xf11b00ull);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_requests(ctx->sdev, 1), 2u);
}

/* Many requests in a row: ring indexes wrap, ids stay unique. */
static void ev_many_requests(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	struct xendispl_req req, seen;
	struct xendispl_resp resp;
	unsigned int i;

	for (i = 0; i < 200; i++) {
		KUNIT_ASSERT_EQ(test, ev_request(ctx, 0, XENDISPL_OP_PG_FLIP,
						 &req, &resp), 0);
		KUNIT_ASSERT_EQ(test, resp.id, req.id);
	}
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_requests(ctx->sdev, 0), 200u);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_request(ctx->sdev, 0, 199, &seen));
	KUNIT_EXPECT_EQ(test, seen.id, req.id);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_front_errors(ctx->sdev), 0u);
}

static void ev_get_edid(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	struct xendispl_resp resp;
	struct xendispl_req req;

	xdf_sim_backend_set_edid_size(ctx->sdev, 0, 256);
	KUNIT_ASSERT_EQ(test, ev_request(ctx, 0, XENDISPL_OP_GET_EDID, &req,
					 &resp), 0);
	KUNIT_EXPECT_EQ(test, resp.operation, XENDISPL_OP_GET_EDID);
	KUNIT_EXPECT_EQ(test, resp.op.get_edid.edid_sz, 256u);
}

/* The backend's negative status is returned, and the ring keeps working. */
static void ev_error_status(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	struct xendispl_resp resp;
	struct xendispl_req req;

	xdf_sim_backend_script(ctx->sdev, 0, XENDISPL_OP_SET_CONFIG, 1,
			       XDF_SIM_STATUS, -EINVAL);
	xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP, 1,
			       XDF_SIM_STATUS, -MAX_ERRNO);
	KUNIT_EXPECT_EQ(test, ev_request(ctx, 0, XENDISPL_OP_SET_CONFIG, &req,
					 &resp), -EINVAL);
	KUNIT_EXPECT_EQ(test, resp.id, req.id);
	KUNIT_EXPECT_EQ(test, resp.status, -EINVAL);
	/* -4095 is the most negative valid status, but none we pass on. */
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), -EIO);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), 0);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_requests(ctx->sdev, 0), 3u);
}

/*
 * The backend's errors reach the caller as they are, except those with a
 * meaning of their own in the driver (-ENODEV: backend gone, -ETIMEDOUT:
 * no answer), those user space retries for ever (-EINTR, -EAGAIN) and the
 * kernel's own (-ERESTARTSYS): those become -EIO.
 */
static void ev_status_passed_on(struct kunit *test)
{
	static const int kept[] = { -EINVAL, -ENOMEM, -ENOSPC, -EBUSY, -EIO };
	static const int hidden[] = { -ENODEV, -ETIMEDOUT, -EINTR, -EAGAIN,
				      -ERESTARTSYS, -ENXIO };
	struct ev_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(kept); i++) {
		xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP, 1,
				       XDF_SIM_STATUS, kept[i]);
		KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP),
				kept[i]);
	}
	for (i = 0; i < ARRAY_SIZE(hidden); i++) {
		xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP, 1,
				       XDF_SIM_STATUS, hidden[i]);
		KUNIT_EXPECT_EQ_MSG(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP),
				    -EIO, "status %d", hidden[i]);
	}
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), 0);
}

/* Statuses outside [-4095, 0] are protocol errors. */
static void ev_garbage_status(struct kunit *test)
{
	static const int statuses[] = { 1, 4096, -4096, INT_MIN, INT_MAX };
	struct ev_ctx *ctx = test->priv;
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(statuses); i++) {
		xdf_sim_backend_script(ctx->sdev, 1, XDF_SIM_ANY_OP, 1,
				       XDF_SIM_STATUS, statuses[i]);
		KUNIT_EXPECT_EQ_MSG(test, ev_simple(ctx, 1, XENDISPL_OP_PG_FLIP),
				    -EIO, "status %d", statuses[i]);
	}
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 1, XENDISPL_OP_PG_FLIP), 0);
}

static void ev_expect_fast(struct kunit *test, ktime_t start)
{
	KUNIT_EXPECT_LT(test, ktime_ms_delta(ktime_get(), start), 1000);
}

/* A response with another id fails the request at once with -EIO. */
static void ev_wrong_id(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	ktime_t start = ktime_get();

	xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP, 1,
			       XDF_SIM_WRONG_ID, 0);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), -EIO);
	ev_expect_fast(test, start);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), 0);
}

static void ev_wrong_op(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	ktime_t start = ktime_get();

	xdf_sim_backend_script(ctx->sdev, 0, XENDISPL_OP_SET_CONFIG, 1,
			       XDF_SIM_WRONG_OP, 0);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_SET_CONFIG), -EIO);
	ev_expect_fast(test, start);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_SET_CONFIG), 0);
}

/* A silent backend: -ETIMEDOUT after xdf_req_timeout_ms, not before. */
static void ev_timeout(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	ktime_t start;
	s64 ms;

	ev_set_timeout(300);
	xdf_sim_backend_script(ctx->sdev, 1, XDF_SIM_ANY_OP, 1, XDF_SIM_SILENT, 0);
	start = ktime_get();
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 1, XENDISPL_OP_SET_CONFIG),
			-ETIMEDOUT);
	ms = ktime_ms_delta(ktime_get(), start);
	KUNIT_EXPECT_GE(test, ms, 290);
	KUNIT_EXPECT_LT(test, ms, 2000);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_requests(ctx->sdev, 1), 1u);

	/* The ring is still usable. */
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 1, XENDISPL_OP_SET_CONFIG), 0);
}

/* A late answer within the timeout is fine. */
static void ev_delayed_answer(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	ktime_t start = ktime_get();

	ev_set_timeout(2000);
	xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP, 1, XDF_SIM_DELAY, 100);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), 0);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), start), 90);
}

/*
 * An answer after the timeout is dropped: it arrives while the next request
 * waits and must not be taken for (or fail) that one.
 */
static void ev_answer_after_timeout(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	struct xendispl_req req, seen;
	struct xendispl_resp resp;
	ktime_t start;

	ev_set_timeout(100);
	xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP, 1, XDF_SIM_DELAY, 300);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), -ETIMEDOUT);

	/* The late answer comes ~200 ms into this request's 400 ms wait. */
	ev_set_timeout(1500);
	xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP, 1, XDF_SIM_DELAY, 400);
	start = ktime_get();
	KUNIT_EXPECT_EQ(test, ev_request(ctx, 0, XENDISPL_OP_SET_CONFIG, &req,
					 &resp), 0);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), start), 350);
	KUNIT_EXPECT_EQ(test, resp.id, req.id);
	KUNIT_EXPECT_EQ(test, resp.operation, XENDISPL_OP_SET_CONFIG);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_request(ctx->sdev, 0, 1, &seen));
	KUNIT_EXPECT_EQ(test, seen.id, req.id);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), 0);
}

/*
 * A request sent without waiting returns once on the ring; its outcome
 * goes to the answer callback, the backend's status as it is. The ring's
 * next request reaches the backend only after that answer: the backend
 * answers it at once, yet it returns only after the first one's delay.
 */
static void ev_nowait_answer(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	struct xendispl_req req, req2, seen;
	struct xendispl_resp resp;
	ktime_t start;

	ev_take_answers(ctx);
	ev_set_timeout(2000);
	xdf_sim_backend_script(ctx->sdev, 1, XDF_SIM_ANY_OP, 1, XDF_SIM_DELAY, 300);
	start = ktime_get();
	KUNIT_ASSERT_EQ(test, ev_nowait(ctx, 1, XENDISPL_OP_PG_FLIP, &req), 0);
	KUNIT_EXPECT_LT(test, ktime_ms_delta(ktime_get(), start), 200);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_wait_requests(ctx->sdev, 1, 1,
							      EV_WAIT_MS));
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_request(ctx->sdev, 1, 0, &seen));
	KUNIT_EXPECT_EQ(test, memcmp(&seen, &req, sizeof(req)), 0);

	KUNIT_EXPECT_EQ(test, ev_request(ctx, 1, XENDISPL_OP_SET_CONFIG, &req2,
					 &resp), 0);
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), start), 290);
	KUNIT_EXPECT_EQ(test, resp.id, req2.id);
	KUNIT_EXPECT_NE(test, req.id, req2.id);
	KUNIT_ASSERT_EQ(test, ctx->nanswers, 1u);
	KUNIT_EXPECT_EQ(test, ctx->answers[0].conn, 1u);
	KUNIT_EXPECT_EQ(test, ctx->answers[0].op, XENDISPL_OP_PG_FLIP);
	KUNIT_EXPECT_EQ(test, ctx->answers[0].result, 0);

	/* A refusal; requests that were waited for are not called back. */
	xdf_sim_backend_script(ctx->sdev, 1, XDF_SIM_ANY_OP, 1, XDF_SIM_STATUS,
			       -EBUSY);
	KUNIT_ASSERT_EQ(test, ev_nowait(ctx, 1, XENDISPL_OP_PG_FLIP, &req), 0);
	KUNIT_ASSERT_TRUE(test, ev_wait_answers(ctx, 2));
	KUNIT_EXPECT_EQ(test, ctx->answers[1].result, -EBUSY);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 1, XENDISPL_OP_SET_CONFIG), 0);
	KUNIT_EXPECT_EQ(test, ctx->nanswers, 2u);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_requests(ctx->sdev, 1), 4u);
}

/*
 * No answer in time to a request sent without waiting: the next request
 * waits out the rest of its time, its callback gets -ETIMEDOUT and the
 * next one is answered. An answer after its time, with nothing sent
 * since, is dropped: -ETIMEDOUT too. The ring goes on.
 */
static void ev_nowait_timeout(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	struct xendispl_req req;
	ktime_t start;
	s64 ms;

	ev_take_answers(ctx);
	ev_set_timeout(200);
	xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP, 1, XDF_SIM_SILENT, 0);
	start = ktime_get();
	KUNIT_ASSERT_EQ(test, ev_nowait(ctx, 0, XENDISPL_OP_PG_FLIP, &req), 0);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_SET_CONFIG), 0);
	ms = ktime_ms_delta(ktime_get(), start);
	KUNIT_EXPECT_GE(test, ms, 190);
	KUNIT_EXPECT_LT(test, ms, 1500);
	KUNIT_ASSERT_EQ(test, ctx->nanswers, 1u);
	KUNIT_EXPECT_EQ(test, ctx->answers[0].result, -ETIMEDOUT);

	xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP, 1, XDF_SIM_DELAY, 400);
	start = ktime_get();
	KUNIT_ASSERT_EQ(test, ev_nowait(ctx, 0, XENDISPL_OP_PG_FLIP, &req), 0);
	KUNIT_ASSERT_TRUE(test, ev_wait_answers(ctx, 2));
	KUNIT_EXPECT_GE(test, ktime_ms_delta(ktime_get(), start), 390);
	KUNIT_EXPECT_EQ(test, ctx->answers[1].result, -ETIMEDOUT);
	KUNIT_EXPECT_EQ(test, ctx->answers[1].op, XENDISPL_OP_PG_FLIP);

	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_SET_CONFIG), 0);
	KUNIT_EXPECT_EQ(test, ctx->nanswers, 2u);
	KUNIT_EXPECT_FALSE(test, xdf_channels_broken(ev_chs(ctx)));
}

/* The backend leaves while an answer is awaited: -ENODEV, soon. */
static void ev_nowait_disconnect(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	struct xendispl_req req;
	ktime_t start;

	ev_take_answers(ctx);
	ev_set_timeout(5000);
	xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP, 1, XDF_SIM_SILENT, 0);
	KUNIT_ASSERT_EQ(test, ev_nowait(ctx, 0, XENDISPL_OP_PG_FLIP, &req), 0);
	msleep(50);
	KUNIT_EXPECT_EQ(test, ctx->nanswers, 0u);

	start = ktime_get();
	xdf_sim_backend_set_state(ctx->sdev, XenbusStateClosing);
	KUNIT_ASSERT_TRUE(test, ev_wait_answers(ctx, 1));
	KUNIT_EXPECT_LT(test, ktime_ms_delta(ktime_get(), start), 1000);
	KUNIT_EXPECT_EQ(test, ctx->answers[0].result, -ENODEV);
	KUNIT_EXPECT_EQ(test, ev_nowait(ctx, 0, XENDISPL_OP_PG_FLIP, &req),
			-ENODEV);
	KUNIT_EXPECT_EQ(test, ctx->nanswers, 1u);
}

static void ev_check_rsp_overflow(struct kunit *test, int extra)
{
	struct ev_ctx *ctx = test->priv;
	ktime_t start = ktime_get();
	int ret;

	xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP, 1,
			       XDF_SIM_RSP_OVERFLOW, extra);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), -EIO);
	ev_expect_fast(test, start);

	/* The ring is stopped: nothing reaches the backend any more... */
	ret = ev_simple(ctx, 0, XENDISPL_OP_SET_CONFIG);
	KUNIT_EXPECT_TRUE_MSG(test, ret == -EIO || ret == -ENODEV, "ret %d", ret);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_requests(ctx->sdev, 0), 1u);

	/* ...until the connection is reset: then both rings work again. */
	ev_expect_reset(test, ctx);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), 0);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 1, XENDISPL_OP_PG_FLIP), 0);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_requests(ctx->sdev, 0), 2u);
}

/* One response more than requests outstanding. */
static void ev_rsp_overflow_one(struct kunit *test)
{
	ev_check_rsp_overflow(test, 1);
}

/* A producer index beyond the ring. */
static void ev_rsp_overflow_ring(struct kunit *test)
{
	ev_check_rsp_overflow(test, 0);
}

struct ev_async {
	struct work_struct work;
	struct ev_ctx *ctx;
	unsigned int conn;
	int ret;
	struct completion done;
};

static void ev_async_fn(struct work_struct *work)
{
	struct ev_async *a = container_of(work, struct ev_async, work);

	a->ret = ev_simple(a->ctx, a->conn, XENDISPL_OP_SET_CONFIG);
	complete(&a->done);
}

/* The backend closes while a request waits: -ENODEV at once. */
static void ev_disconnect_wakes_waiter(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	struct ev_async *a;
	ktime_t start;
	s64 ms;

	a = kunit_kzalloc(test, sizeof(*a), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, a);
	a->ctx = ctx;
	a->conn = 1;
	init_completion(&a->done);
	INIT_WORK(&a->work, ev_async_fn);

	ev_set_timeout(5000);
	xdf_sim_backend_script(ctx->sdev, 1, XDF_SIM_ANY_OP, XDF_SIM_FOREVER,
			       XDF_SIM_SILENT, 0);
	queue_work(system_unbound_wq, &a->work);
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_wait_requests(ctx->sdev, 1, 1,
							      EV_WAIT_MS));
	msleep(50);
	KUNIT_EXPECT_FALSE(test, completion_done(&a->done));

	start = ktime_get();
	xdf_sim_backend_set_state(ctx->sdev, XenbusStateClosing);
	/* Bounded by the request timeout: the work cannot outlive the test. */
	wait_for_completion(&a->done);
	ms = ktime_ms_delta(ktime_get(), start);
	KUNIT_EXPECT_EQ(test, a->ret, -ENODEV);
	KUNIT_EXPECT_LT(test, ms, 1000);

	KUNIT_EXPECT_TRUE(test, ev_reaches(ctx, XenbusStateClosed));
	KUNIT_EXPECT_TRUE(test, drm_dev_is_unplugged(ctx->drm));
	/* After the unplug, requests fail without reaching anything. */
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), -ENODEV);
}

static void ev_expect_frames(struct kunit *test, struct ev_ctx *ctx,
			     unsigned int from, unsigned int count,
			     unsigned int conn, u64 first_cookie)
{
	unsigned long flags;
	unsigned int i, bad = 0, not_irq = 0;

	spin_lock_irqsave(&ctx->lock, flags);
	for (i = from; i < from + count && i < EV_MAX_FRAMES; i++) {
		if (ctx->frames[i].conn != conn ||
		    ctx->frames[i].cookie != first_cookie + (i - from))
			bad++;
		if (!ctx->frames[i].hardirq)
			not_irq++;
	}
	spin_unlock_irqrestore(&ctx->lock, flags);
	KUNIT_EXPECT_EQ_MSG(test, bad, 0u, "frames out of order or wrong");
	KUNIT_EXPECT_EQ_MSG(test, not_irq, 0u, "callback outside interrupt");
}

static void ev_frame_done_events(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 1,
							      0x1000), 0);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 1,
							      0x1001), 0);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 1,
							      0x1002), 0);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, ev_nframes(ctx), 3u);
	ev_expect_frames(test, ctx, 0, 3, 1, 0x1000);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_evt_cons(ctx->sdev, 1), 3u);

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 0,
							      0xffffffffffffffffull), 0);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, ev_nframes(ctx), 4u);
	ev_expect_frames(test, ctx, 3, 1, 0, 0xffffffffffffffffull);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_evt_cons(ctx->sdev, 0), 1u);
}

/* Far more events than the page holds, as fast as the backend can. */
static void ev_frame_done_flood(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;

	KUNIT_EXPECT_EQ(test, xdf_sim_backend_flood(ctx->sdev, 0, EV_FLOOD,
						    0x5000), EV_FLOOD);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, ev_nframes(ctx), EV_FLOOD);
	ev_expect_frames(test, ctx, 0, EV_FLOOD, 0, 0x5000);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_evt_cons(ctx->sdev, 0), EV_FLOOD);

	/* Requests still work after the flood. */
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), 0);
}

/*
 * Channels are bound for late EOI: a notification with nothing behind it
 * is ended as spurious, so Xen throttles a backend that keeps notifying
 * for nothing; one that brought a response or an event is not.
 */
static void ev_spurious_notify(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	unsigned int before, i;

	before = xdf_sim_evtchn_spurious_eois();
	for (i = 0; i < 3; i++) {
		KUNIT_ASSERT_EQ(test, xdf_sim_backend_notify(ctx->sdev, 0, false), 0);
		xdf_sim_settle();
		KUNIT_ASSERT_EQ(test, xdf_sim_backend_notify(ctx->sdev, 1, true), 0);
		xdf_sim_settle();
	}
	KUNIT_EXPECT_EQ(test, xdf_sim_evtchn_spurious_eois() - before, 6u);

	before = xdf_sim_evtchn_spurious_eois();
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), 0);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 1, 7), 0);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, ev_nframes(ctx), 1u);
	KUNIT_EXPECT_EQ(test, xdf_sim_evtchn_spurious_eois(), before);
}

/*
 * An event producer too far ahead stops that connector's events, and the
 * connection is reset: on the new one events arrive again.
 */
static void ev_evt_overflow(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	struct xdf_front *front;

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 0, 1), 0);
	xdf_sim_settle();
	KUNIT_ASSERT_EQ(test, ev_nframes(ctx), 1u);

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_corrupt_evt_prod(ctx->sdev, 0), 0);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, ev_nframes(ctx), 1u);
	/*
	 * Nothing past the bad producer was consumed, as the page shows
	 * unless the reset (a work item of its own, which settling does not
	 * wait for) has replaced it already: the front's lock holds it off.
	 */
	front = ev_front(ctx);
	mutex_lock(&front->lock);
	if (!front->resets)
		KUNIT_EXPECT_EQ(test, xdf_sim_backend_evt_cons(ctx->sdev, 0), 1u);
	mutex_unlock(&front->lock);

	ev_expect_reset(test, ctx);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 0, 2), 0);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 1, 3), 0);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, ev_nframes(ctx), 3u);
	ev_expect_frames(test, ctx, 1, 1, 0, 2);
	ev_expect_frames(test, ctx, 2, 1, 1, 3);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), 0);
}

/* The frontend's resets so far. */
static unsigned int ev_resets(struct ev_ctx *ctx)
{
	struct xdf_front *front = ev_front(ctx);
	unsigned int n;

	mutex_lock(&front->lock);
	n = front->resets;
	mutex_unlock(&front->lock);
	return n;
}

/*
 * A backend that leaves every other request unanswered: never enough in a
 * row to break the ring, but each keeps its slot, until the ring is full.
 * Then the connection is reset, instead of -EBUSY for the device's life.
 */
static void ev_ring_full(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	unsigned int i, timeouts = 0;
	int ret = 0;

	ev_set_timeout(20);
	for (i = 0; i < 2 * XDF_STALE_SLOTS + 2 && ret != -EIO; i++) {
		xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP, 1,
				       XDF_SIM_SILENT, 0);
		ret = ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP);
		if (ret == -ETIMEDOUT) {
			timeouts++;
			xdf_sim_backend_clear_script(ctx->sdev, 0);
			ret = ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP);
			KUNIT_ASSERT_TRUE_MSG(test, !ret || ret == -EIO,
					      "ret %d", ret);
		}
	}
	/* The ring holds as many unanswered requests, then it is full. */
	KUNIT_EXPECT_EQ(test, ret, -EIO);
	KUNIT_EXPECT_EQ(test, timeouts, (unsigned int)XDF_STALE_SLOTS);
	xdf_sim_backend_clear_script(ctx->sdev, 0);

	ev_expect_reset(test, ctx);
	KUNIT_EXPECT_EQ(test, ev_resets(ctx), 1u);
	for (i = 0; i < 2 * XDF_STALE_SLOTS; i++)
		KUNIT_ASSERT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), 0);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 1, XENDISPL_OP_SET_CONFIG), 0);
}

/*
 * A hung backend answers late, in any order: answers to requests that
 * timed out are dropped, and do not count as the next request's answer.
 * Fewer than XDF_REQ_FAILS_MAX timeouts in a row keep the connection;
 * that many reset it, and answers written to the old ring after that
 * reach nothing.
 */
static void ev_stale_any_order(struct kunit *test)
{
	static const unsigned int orders[][XDF_REQ_FAILS_MAX] = {
		{ 1, 0 }, { 0, 1 }, { 2, 0, 1 },
	};
	struct ev_ctx *ctx = test->priv;
	struct xendispl_resp resp;
	struct xendispl_req req;
	unsigned int round, i, n;

	ev_set_timeout(30);
	for (round = 0; round < ARRAY_SIZE(orders); round++) {
		n = round < 2 ? XDF_REQ_FAILS_MAX - 1 : XDF_REQ_FAILS_MAX;
		xdf_sim_backend_freeze(ctx->sdev, true);
		for (i = 0; i < n; i++)
			KUNIT_ASSERT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP),
					-ETIMEDOUT);
		KUNIT_EXPECT_EQ(test, xdf_sim_backend_answer_late(ctx->sdev, 0,
								  orders[round], n),
				(int)n);
		xdf_sim_settle();
		xdf_sim_backend_freeze(ctx->sdev, false);
		if (n == XDF_REQ_FAILS_MAX)
			ev_expect_reset(test, ctx);
		KUNIT_EXPECT_EQ(test, ev_resets(ctx), n == XDF_REQ_FAILS_MAX);

		/* The next request gets its own answer, not a late one. */
		ev_set_timeout(1000);
		KUNIT_ASSERT_EQ(test, ev_request(ctx, 0, XENDISPL_OP_SET_CONFIG,
						 &req, &resp), 0);
		KUNIT_EXPECT_EQ(test, resp.id, req.id);
		KUNIT_EXPECT_EQ(test, resp.operation, XENDISPL_OP_SET_CONFIG);
		ev_set_timeout(30);
	}
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_front_errors(ctx->sdev), 0u);
}

/*
 * A backend that answers every request with the id of another: each
 * fails at once with -EIO, and XDF_REQ_FAILS_MAX in a row reset the
 * connection; the backend, reset, answers right again.
 */
static void ev_every_id_wrong(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	unsigned int i;
	ktime_t start;
	int ret;

	xdf_sim_backend_script(ctx->sdev, 1, XDF_SIM_ANY_OP, XDF_SIM_FOREVER,
			       XDF_SIM_WRONG_ID, 0);
	start = ktime_get();
	for (i = 0; i < XDF_REQ_FAILS_MAX; i++)
		KUNIT_EXPECT_EQ(test, ev_simple(ctx, 1, XENDISPL_OP_PG_FLIP),
				-EIO);
	ev_expect_fast(test, start);
	ret = ev_simple(ctx, 1, XENDISPL_OP_PG_FLIP);
	KUNIT_EXPECT_TRUE_MSG(test, ret == -EIO || ret == -ENODEV, "ret %d", ret);
	xdf_sim_backend_clear_script(ctx->sdev, 1);

	ev_expect_reset(test, ctx);
	KUNIT_EXPECT_EQ(test, ev_resets(ctx), 1u);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 1, XENDISPL_OP_PG_FLIP), 0);
	KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), 0);
}

/*
 * Timeouts interleaved with answers are no reason to reset: only
 * XDF_REQ_FAILS_MAX in a row are.
 */
static void ev_timeouts_not_in_a_row(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;
	unsigned int i;

	ev_set_timeout(20);
	for (i = 0; i < 3 * XDF_REQ_FAILS_MAX; i++) {
		xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP,
				       XDF_REQ_FAILS_MAX - 1, XDF_SIM_DELAY, 60);
		KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP),
				-ETIMEDOUT);
		KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP),
				-ETIMEDOUT);
		msleep(80);
		KUNIT_EXPECT_EQ(test, ev_simple(ctx, 0, XENDISPL_OP_PG_FLIP), 0);
	}
	KUNIT_EXPECT_EQ(test, ev_resets(ctx), 0u);
	KUNIT_EXPECT_FALSE(test, drm_dev_is_unplugged(ctx->drm));
}

/* No callback once it was removed. */
static void ev_frame_done_unset(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;

	xdf_channels_set_frame_done(ev_chs(ctx), NULL, NULL);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_send_frame_done(ctx->sdev, 0, 9), 0);
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, ev_nframes(ctx), 0u);
	/* Consumed all the same: the page does not fill up. */
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_evt_cons(ctx->sdev, 0), 1u);
}

static int ev_test_init(struct kunit *test)
{
	struct xdf_sim_config cfg = {
		.num_connectors = EV_CONNECTORS,
		.connectors = { { "800x600", "ev0" }, { "1024x768", "ev1" } },
	};
	struct xdf_front *front;
	struct ev_ctx *ctx;

	xdf_sim_reset();
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, ctx);
	spin_lock_init(&ctx->lock);
	ctx->saved_timeout = xdf_req_timeout_ms;
	test->priv = ctx;

	ctx->sdev = xdf_sim_dev_add(&cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->sdev);
	xdf_sim_settle();
	KUNIT_ASSERT_TRUE(test, ev_reaches(ctx, XenbusStateConnected));
	xdf_sim_settle();

	front = ev_front(ctx);
	KUNIT_ASSERT_NOT_NULL(test, front->xdrm);
	ctx->drm = &front->xdrm->drm;
	drm_dev_get(ctx->drm);
	xdf_channels_set_frame_done(front->chs, ev_frame_done, ctx);
	return 0;
}

static void ev_test_exit(struct kunit *test)
{
	struct ev_ctx *ctx = test->priv;

	if (!ctx)
		return;
	ev_set_timeout(ctx->saved_timeout);
	if (!IS_ERR_OR_NULL(ctx->sdev))
		xdf_sim_dev_remove(ctx->sdev);
	if (ctx->drm)
		drm_dev_put(ctx->drm);
	xdf_sim_expect_clean(test);
}

static struct kunit_case ev_test_cases[] = {
	KUNIT_CASE(ev_round_trip),
	KUNIT_CASE(ev_many_requests),
	KUNIT_CASE(ev_get_edid),
	KUNIT_CASE(ev_error_status),
	KUNIT_CASE(ev_status_passed_on),
	KUNIT_CASE(ev_garbage_status),
	KUNIT_CASE(ev_wrong_id),
	KUNIT_CASE(ev_wrong_op),
	KUNIT_CASE(ev_timeout),
	KUNIT_CASE(ev_delayed_answer),
	KUNIT_CASE(ev_answer_after_timeout),
	KUNIT_CASE(ev_nowait_answer),
	KUNIT_CASE(ev_nowait_timeout),
	KUNIT_CASE(ev_nowait_disconnect),
	KUNIT_CASE(ev_rsp_overflow_one),
	KUNIT_CASE(ev_rsp_overflow_ring),
	KUNIT_CASE(ev_disconnect_wakes_waiter),
	KUNIT_CASE(ev_frame_done_events),
	KUNIT_CASE(ev_frame_done_flood),
	KUNIT_CASE(ev_spurious_notify),
	KUNIT_CASE(ev_evt_overflow),
	KUNIT_CASE(ev_ring_full),
	KUNIT_CASE(ev_stale_any_order),
	KUNIT_CASE(ev_every_id_wrong),
	KUNIT_CASE(ev_timeouts_not_in_a_row),
	KUNIT_CASE(ev_frame_done_unset),
	{}
};

static struct kunit_suite ev_test_suite = {
	.name = "xen_drm_front_evtchnl",
	.init = ev_test_init,
	.exit = ev_test_exit,
	.test_cases = ev_test_cases,
};

kunit_test_suite(ev_test_suite);
