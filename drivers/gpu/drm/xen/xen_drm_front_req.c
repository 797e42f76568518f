// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: request rings.
 *
 * Each connector has a request ring on which one request at a time awaits
 * its response, matched by id and operation. Its sender waits for it, but
 * for a flip: a commit has nothing to do with the answer unless it is a
 * refusal, and sleeping until it comes would cost the flipping client a
 * wake-up of the commit worker per frame. That answer goes to a callback,
 * and the ring's next request waits for it first, so requests stay one at
 * a time and each is answered or timed out before the next. The ring lives
 * in memory the backend can write at any time: responses are copied out
 * before they are looked at, and the producer index is checked before it
 * is used.
 *
 * A backend that stops answering would keep a timed-out request's slot
 * for good, and a full ring would fail every request for the device's
 * life. So a ring breaks after XDF_REQ_FAILS_MAX requests in a row got no
 * answer of their own, when it is full, or when the backend breaks the
 * protocol; the device is told, and resets the connection (see
 * xen_drm_front_drv.c).
 */

#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>

#include "xen_drm_front_proto.h"
#include "xen_drm_front_xen.h"

unsigned int xdf_req_timeout_ms = 3000;

/*
 * A flip's event waits for the frame-done up to the request timeout plus
 * half a second, and DRM waits 10 s for a commit's events before it
 * complains: stay below.
 */
#define XDF_REQ_TIMEOUT_MAX_MS	9000

static int xdf_set_req_timeout(const char *val, const struct kernel_param *kp)
{
	return param_set_uint_minmax(val, kp, 1, XDF_REQ_TIMEOUT_MAX_MS);
}

static const struct kernel_param_ops xdf_req_timeout_ops = {
	.set = xdf_set_req_timeout,
	.get = param_get_uint,
};

module_param_cb(req_timeout_ms, &xdf_req_timeout_ops, &xdf_req_timeout_ms, 0644);
MODULE_PARM_DESC(req_timeout_ms,
		 "Time to wait for the backend's response to a request, ms (1..9000, default 3000)");

/**
 * xdf_req_wake() - end the wait for the response awaited on a ring
 * @ch: the channel, with its request ring's lock held
 * @result: what the request returns
 *
 * The request's sender, or for one sent by xdf_request_nowait() the answer
 * callback, gets @result; a request waiting to be sent after it may go.
 */
void xdf_req_wake(struct xdf_channel *ch, int result)
{
	struct xdf_req_chan *rc = &ch->req;

	rc->waiting = false;
	rc->result = result;
	if (rc->nowait) {
		rc->nowait = false;
		if (rc->answer)
			rc->answer(rc->answer_data, ch->idx, rc->wait_op, result);
	}
	complete(&rc->done);
}

/**
 * xdf_chan_broken() - tell the device that one of its channels broke
 * @ch: the channel, just switched to XDF_CHAN_BROKEN under its lock
 */
void xdf_chan_broken(struct xdf_channel *ch)
{
	struct xdf_channels *chs = ch->chs;

	if (chs->broken)
		chs->broken(chs->broken_data);
}

/**
 * xdf_req_stop() - break a connected request ring and tell the device
 * @ch: the channel, with its request ring's lock held
 *
 * A waiting request fails with -EIO; later ones fail at once.
 */
void xdf_req_stop(struct xdf_channel *ch)
{
	struct xdf_req_chan *rc = &ch->req;

	if (rc->state != XDF_CHAN_CONNECTED)
		return;
	rc->state = XDF_CHAN_BROKEN;
	if (rc->waiting)
		xdf_req_wake(ch, -EIO);
	xdf_chan_broken(ch);
}

/* A request got no answer of its own: too many in a row break the ring. */
static void xdf_req_failed(struct xdf_channel *ch)
{
	struct xdf_req_chan *rc = &ch->req;

	if (++rc->fails < XDF_REQ_FAILS_MAX || rc->state != XDF_CHAN_CONNECTED)
		return;
	dev_err(xdf_chan_dev(ch),
		"connector %u: %u requests in a row got no answer of their own: ring stopped\n",
		ch->idx, rc->fails);
	xdf_req_stop(ch);
}

/*
 * The awaited response did not come in time: its request fails with
 * -ETIMEDOUT, and the response, should it come later, is dropped.
 */
static void xdf_req_timed_out(struct xdf_channel *ch)
{
	struct xdf_req_chan *rc = &ch->req;

	rc->stale[rc->wait_id % XDF_STALE_SLOTS] = (struct xdf_stale_req) {
		.valid = true,
		.id = rc->wait_id,
		.op = rc->wait_op,
	};
	dev_err_ratelimited(xdf_chan_dev(ch),
			    "connector %u: no response to request id %u op %#x within %u ms\n",
			    ch->idx, rc->wait_id, rc->wait_op, xdf_req_timeout_ms);
	xdf_req_wake(ch, -ETIMEDOUT);
	xdf_req_failed(ch);
}

/*
 * The backend's errors that reach callers, and user space through them, as
 * they are. Any other, however valid for Xen, becomes -EIO: the driver
 * gives -ENODEV and -ETIMEDOUT meanings of its own (backend gone, no
 * answer), user space retries -EINTR and -EAGAIN for ever, and codes such
 * as -ERESTARTSYS are the kernel's own.
 */
static const int xdf_backend_errors[] = {
	-EPERM, -ENOENT, -EIO, -E2BIG, -ENOMEM, -EACCES, -EBUSY, -EEXIST,
	-EINVAL, -ENOSPC, -ERANGE, -EOPNOTSUPP,
};

static int xdf_resp_status(struct xdf_channel *ch,
			   const struct xendispl_resp *resp)
{
	unsigned int i;

	if (!resp->status)
		return 0;
	/* The protocol's status is 0 or a negative (Linux-compatible) errno. */
	if (resp->status > 0 || resp->status < -MAX_ERRNO) {
		dev_err_ratelimited(xdf_chan_dev(ch),
				    "connector %u: response to op %#x has invalid status %d\n",
				    ch->idx, resp->operation, resp->status);
		return -EIO;
	}
	for (i = 0; i < ARRAY_SIZE(xdf_backend_errors); i++)
		if (resp->status == xdf_backend_errors[i])
			return resp->status;
	dev_warn_ratelimited(xdf_chan_dev(ch),
			     "connector %u: backend's status %d for op %#x taken as -EIO\n",
			     ch->idx, resp->status, resp->operation);
	return -EIO;
}

static void xdf_req_handle_resp(struct xdf_channel *ch,
				const struct xendispl_resp *resp)
{
	struct xdf_req_chan *rc = &ch->req;
	struct xdf_stale_req *stale;

	if (rc->waiting && resp->id == rc->wait_id &&
	    resp->operation == rc->wait_op) {
		/* No wait ended at its deadline: it is checked here. */
		if (rc->nowait && time_after(jiffies, rc->deadline)) {
			dev_err_ratelimited(xdf_chan_dev(ch),
					    "connector %u: response to request id %u op %#x came after %u ms: dropped\n",
					    ch->idx, resp->id, resp->operation,
					    xdf_req_timeout_ms);
			xdf_req_wake(ch, -ETIMEDOUT);
			xdf_req_failed(ch);
			return;
		}
		rc->resp = *resp;
		rc->have_resp = true;
		rc->fails = 0;
		xdf_req_wake(ch, xdf_resp_status(ch, resp));
		return;
	}

	stale = &rc->stale[resp->id % XDF_STALE_SLOTS];
	if (stale->valid && resp->id == stale->id && resp->operation == stale->op) {
		dev_warn_ratelimited(xdf_chan_dev(ch),
				     "connector %u: late response to timed out request id %u op %#x dropped\n",
				     ch->idx, resp->id, resp->operation);
		stale->valid = false;
		return;
	}

	if (rc->waiting) {
		dev_err_ratelimited(xdf_chan_dev(ch),
				    "connector %u: response id %u op %#x does not match request id %u op %#x\n",
				    ch->idx, resp->id, resp->operation,
				    rc->wait_id, rc->wait_op);
		xdf_req_wake(ch, -EIO);
		xdf_req_failed(ch);
	} else {
		dev_err_ratelimited(xdf_chan_dev(ch),
				    "connector %u: unsolicited response id %u op %#x dropped\n",
				    ch->idx, resp->id, resp->operation);
	}
}

static void xdf_req_break(struct xdf_channel *ch, RING_IDX prod)
{
	struct xdf_req_chan *rc = &ch->req;

	dev_err(xdf_chan_dev(ch),
		"connector %u: backend's response producer %u is beyond the %u requests sent (consumer %u): ring stopped\n",
		ch->idx, prod, rc->ring.req_prod_pvt, rc->ring.rsp_cons);
	xdf_req_stop(ch);
}

/**
 * xdf_req_irq() - the request ring's interrupt handler: reads responses
 * @irq: the interrupt
 * @data: the connector's channels
 *
 * Return: IRQ_HANDLED.
 */
irqreturn_t xdf_req_irq(int irq, void *data)
{
	struct xdf_channel *ch = data;
	struct xdf_req_chan *rc = &ch->req;
	struct xendispl_resp resp;
	bool work = false;
	RING_IDX prod, cons;
	int more;

	spin_lock(&rc->lock);
	if (rc->state != XDF_CHAN_CONNECTED)
		goto out;

	do {
		prod = READ_ONCE(rc->ring.sring->rsp_prod);
		/* Read the producer index before the slots it covers. */
		virt_rmb();

		/* Never more responses than requests outstanding. */
		if (prod - rc->ring.rsp_cons >
		    rc->ring.req_prod_pvt - rc->ring.rsp_cons) {
			xdf_req_break(ch, prod);
			work = true;
			goto out;
		}

		for (cons = rc->ring.rsp_cons; cons != prod; cons++) {
			RING_COPY_RESPONSE(&rc->ring, cons, &resp);
			xdf_req_handle_resp(ch, &resp);
			work = true;
			/* Too many answers not our own: stop reading. */
			if (rc->state != XDF_CHAN_CONNECTED)
				goto out;
		}
		rc->ring.rsp_cons = prod;

		RING_FINAL_CHECK_FOR_RESPONSES(&rc->ring, more);
	} while (more);
out:
	spin_unlock(&rc->lock);
	xdf_xen_evtchn_eoi(irq, !work);
	return IRQ_HANDLED;
}

/*
 * Puts @req on the ring, once the response awaited before it came or is
 * overdue. Called with the ring's mutex held.
 */
static int xdf_req_send(struct xdf_channel *ch, struct xendispl_req *req,
			bool nowait)
{
	struct xdf_req_chan *rc = &ch->req;
	bool notify;
	long left;
	int ret;

	spin_lock_irq(&rc->lock);
	while (rc->waiting) {
		left = (long)(rc->deadline - jiffies);
		if (left <= 0) {
			xdf_req_timed_out(ch);
			break;
		}
		spin_unlock_irq(&rc->lock);
		wait_for_completion_timeout(&rc->done, left);
		spin_lock_irq(&rc->lock);
	}
	if (rc->state != XDF_CHAN_CONNECTED) {
		ret = rc->state == XDF_CHAN_BROKEN ? -EIO : -ENODEV;
		goto out_unlock;
	}
	if (RING_FULL(&rc->ring)) {
		dev_err(xdf_chan_dev(ch),
			"connector %u: request ring full of %u requests the backend never answered: ring stopped\n",
			ch->idx, RING_SIZE(&rc->ring));
		xdf_req_stop(ch);
		ret = -EIO;
		goto out_unlock;
	}

	req->id = rc->next_id++;
	*RING_GET_REQUEST(&rc->ring, rc->ring.req_prod_pvt) = *req;
	rc->ring.req_prod_pvt++;

	rc->waiting = true;
	rc->nowait = nowait;
	rc->wait_id = req->id;
	rc->wait_op = req->operation;
	rc->deadline = jiffies + msecs_to_jiffies(xdf_req_timeout_ms);
	rc->have_resp = false;
	reinit_completion(&rc->done);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&rc->ring, notify);
	spin_unlock_irq(&rc->lock);

	if (notify)
		xdf_xen_evtchn_notify(rc->irq);
	return 0;

out_unlock:
	spin_unlock_irq(&rc->lock);
	return ret;
}

/**
 * xdf_request() - send a request and wait for its response
 * @chs: the channels
 * @conn_idx: connector whose ring to use
 * @req: the request; its id is assigned here
 * @resp: if not NULL, receives the response when one matched
 *
 * Requests on a connector are serialized. The wait lasts at most
 * xdf_req_timeout_ms, after that for the request before it, if the
 * backend has not answered that one yet.
 *
 * Return: 0; the backend's negative status; -ETIMEDOUT; -ENODEV when the
 * backend is not or no longer connected; -EIO when it broke the protocol,
 * or left the ring full of requests it never answered: then the ring is
 * broken.
 */
int xdf_request(struct xdf_channels *chs, unsigned int conn_idx,
		struct xendispl_req *req, struct xendispl_resp *resp)
{
	struct xdf_channel *ch;
	struct xdf_req_chan *rc;
	int ret;

	if (WARN_ON(conn_idx >= chs->count))
		return -EINVAL;
	ch = &chs->chan[conn_idx];
	rc = &ch->req;

	mutex_lock(&rc->mutex);
	ret = xdf_req_send(ch, req, false);
	if (ret)
		goto out;

	wait_for_completion_timeout(&rc->done,
				    msecs_to_jiffies(xdf_req_timeout_ms));

	spin_lock_irq(&rc->lock);
	/* Still waiting under the lock is the only reliable timeout test. */
	if (rc->waiting)
		xdf_req_timed_out(ch);
	ret = rc->result;
	if (rc->have_resp && resp)
		*resp = rc->resp;
	spin_unlock_irq(&rc->lock);
out:
	mutex_unlock(&rc->mutex);
	return ret;
}

/**
 * xdf_request_nowait() - send a request without waiting for its response
 * @chs: the channels
 * @conn_idx: connector whose ring to use
 * @req: the request; its id is assigned here
 *
 * As xdf_request(), but returns once the request is on the ring: its
 * outcome goes to the answer callback (see &xdf_answer_fn), which the
 * ring's next request waits for.
 *
 * Return: 0 once sent; -ENODEV when the backend is not or no longer
 * connected; -EIO when the ring is broken, or was full of requests the
 * backend never answered: then it is broken now.
 */
int xdf_request_nowait(struct xdf_channels *chs, unsigned int conn_idx,
		       struct xendispl_req *req)
{
	struct xdf_req_chan *rc;
	int ret;

	if (WARN_ON(conn_idx >= chs->count))
		return -EINVAL;
	rc = &chs->chan[conn_idx].req;

	mutex_lock(&rc->mutex);
	ret = xdf_req_send(&chs->chan[conn_idx], req, true);
	mutex_unlock(&rc->mutex);
	return ret;
}
