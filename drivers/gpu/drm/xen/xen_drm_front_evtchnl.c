// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: rings and event channels.
 *
 * Each connector has a request ring, on which one request at a time waits
 * for its response, and an event page on which the backend produces
 * frame-done events. Both live in memory the backend can write at any
 * time: slots are copied out before they are looked at, and indexes are
 * checked before they are used.
 */

#include <linux/err.h>
#include <linux/jiffies.h>
#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/slab.h>

#include <xen/interface/io/ring.h>

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

enum xdf_chan_state {
	XDF_CHAN_DISCONNECTED,
	XDF_CHAN_CONNECTED,
	/* The backend broke the protocol: nothing more is read or sent. */
	XDF_CHAN_BROKEN,
};

/*
 * As many timed-out requests as the ring holds can await a late answer;
 * beyond that the oldest are forgotten and their answers are protocol
 * errors.
 */
#define XDF_STALE_SLOTS	__CONST_RING_SIZE(xen_displif, XENDISPL_PAGE_SIZE)

/**
 * struct xdf_stale_req - a timed-out request
 * @valid: the entry is in use
 * @id: the request's id
 * @op: the request's operation
 */
struct xdf_stale_req {
	bool valid;
	u16 id;
	u8 op;
};

/**
 * struct xdf_req_chan - a connector's request ring
 * @ring: front view of the shared ring
 * @ref: grant of the ring page
 * @port: event channel port
 * @irq: event channel interrupt, < 0 if not bound
 * @name: interrupt name
 * @mutex: lets one request at a time use the ring and wait
 * @lock: protects the fields below and the ring's consumer side
 * @state: whether requests may be sent
 * @next_id: id of the next request
 * @waiting: a request waits for the response @wait_id/@wait_op
 * @wait_id: id the awaited response must carry
 * @wait_op: operation the awaited response must carry
 * @stale: requests that timed out and whose late responses may still
 *	   arrive, by id modulo XDF_STALE_SLOTS
 * @result: outcome of the last wait, set by the interrupt handler
 * @have_resp: @resp holds the matched response
 * @resp: copy of the matched response
 * @done: completed when @waiting is cleared by anyone but the waiter
 */
struct xdf_req_chan {
	struct xen_displif_front_ring ring;
	grant_ref_t ref;
	evtchn_port_t port;
	int irq;
	char name[32];
	struct mutex mutex;	/* one request at a time */
	spinlock_t lock;	/* vs. the interrupt handler */
	enum xdf_chan_state state;
	u16 next_id;
	bool waiting;
	u16 wait_id;
	u8 wait_op;
	struct xdf_stale_req stale[XDF_STALE_SLOTS];
	int result;
	bool have_resp;
	struct xendispl_resp resp;
	struct completion done;
};

/**
 * struct xdf_evt_chan - a connector's event page
 * @page: the shared page
 * @ref: grant of @page
 * @port: event channel port
 * @irq: event channel interrupt, < 0 if not bound
 * @name: interrupt name
 * @lock: protects the fields below
 * @state: whether events are delivered
 * @cons: our consumer index; the shared copy is only ever written
 * @frame_done: callback for frame-done events, or NULL
 * @frame_done_data: its data
 */
struct xdf_evt_chan {
	struct xendispl_event_page *page;
	grant_ref_t ref;
	evtchn_port_t port;
	int irq;
	char name[32];
	spinlock_t lock;	/* vs. the interrupt handler */
	enum xdf_chan_state state;
	u32 cons;
	xdf_frame_done_fn frame_done;
	void *frame_done_data;
};

/**
 * struct xdf_channel - one connector's channels
 * @chs: the set this belongs to
 * @idx: connector index
 * @req: request ring
 * @evt: event page
 */
struct xdf_channel {
	struct xdf_channels *chs;
	unsigned int idx;
	struct xdf_req_chan req;
	struct xdf_evt_chan evt;
};

/**
 * struct xdf_channels - the channels of all connectors of a device
 * @xb_dev: the xenbus device
 * @count: number of connectors
 * @chan: per-connector channels
 */
struct xdf_channels {
	struct xenbus_device *xb_dev;
	unsigned int count;
	struct xdf_channel chan[];
};

static struct device *xdf_chan_dev(struct xdf_channel *ch)
{
	return &ch->chs->xb_dev->dev;
}

/* Ends a wait: called with the request lock held. */
static void xdf_req_wake(struct xdf_req_chan *rc, int result)
{
	rc->waiting = false;
	rc->result = result;
	complete(&rc->done);
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
		rc->resp = *resp;
		rc->have_resp = true;
		xdf_req_wake(rc, xdf_resp_status(ch, resp));
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
		xdf_req_wake(rc, -EIO);
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
	rc->state = XDF_CHAN_BROKEN;
	if (rc->waiting)
		xdf_req_wake(rc, -EIO);
}

static irqreturn_t xdf_req_irq(int irq, void *data)
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
		}
		rc->ring.rsp_cons = prod;

		RING_FINAL_CHECK_FOR_RESPONSES(&rc->ring, more);
	} while (more);
out:
	spin_unlock(&rc->lock);
	xdf_xen_evtchn_eoi(irq, !work);
	return IRQ_HANDLED;
}

static void xdf_evt_break(struct xdf_channel *ch, u32 prod)
{
	struct xdf_evt_chan *ec = &ch->evt;

	dev_err(xdf_chan_dev(ch),
		"connector %u: backend's event producer %u is %u entries ahead of consumer %u, the page holds %zu: events stopped\n",
		ch->idx, prod, prod - ec->cons, ec->cons, XENDISPL_IN_RING_LEN);
	ec->state = XDF_CHAN_BROKEN;
}

static irqreturn_t xdf_evt_irq(int irq, void *data)
{
	struct xdf_channel *ch = data;
	struct xdf_evt_chan *ec = &ch->evt;
	struct xendispl_evt evt;
	bool work = false;
	u32 prod;

	spin_lock(&ec->lock);
	if (ec->state != XDF_CHAN_CONNECTED)
		goto out;

	prod = READ_ONCE(ec->page->in_prod);
	/* Read the producer index before the events it covers. */
	virt_rmb();

	if (prod - ec->cons > XENDISPL_IN_RING_LEN) {
		xdf_evt_break(ch, prod);
		work = true;
		goto out;
	}
	work = ec->cons != prod;

	for (; ec->cons != prod; ec->cons++) {
		memcpy(&evt, &XENDISPL_IN_RING_REF(ec->page, ec->cons),
		       sizeof(evt));
		/* Don't let the compiler read the shared slot again. */
		barrier();

		if (evt.type != XENDISPL_EVT_PG_FLIP) {
			dev_warn_ratelimited(xdf_chan_dev(ch),
					     "connector %u: unknown event type %#x ignored\n",
					     ch->idx, evt.type);
			continue;
		}
		if (ec->frame_done)
			ec->frame_done(ec->frame_done_data, ch->idx,
				       evt.op.pg_flip.fb_cookie);
	}

	/* Finish reading the slots before the backend may reuse them. */
	virt_mb();
	WRITE_ONCE(ec->page->in_cons, ec->cons);
out:
	spin_unlock(&ec->lock);
	xdf_xen_evtchn_eoi(irq, !work);
	return IRQ_HANDLED;
}

static int xdf_channel_alloc(struct xdf_channel *ch)
{
	struct xenbus_device *xb_dev = ch->chs->xb_dev;
	struct xdf_req_chan *rc = &ch->req;
	struct xdf_evt_chan *ec = &ch->evt;
	struct xen_displif_sring *sring;
	void *page;
	int ret;

	ret = xdf_xen_ring_alloc(xb_dev, &page, &rc->ref);
	if (ret)
		return ret;
	sring = page;
	SHARED_RING_INIT(sring);
	FRONT_RING_INIT(&rc->ring, sring, XENDISPL_PAGE_SIZE);

	ret = xdf_xen_ring_alloc(xb_dev, &page, &ec->ref);
	if (ret)
		return ret;
	ec->page = page;

	snprintf(rc->name, sizeof(rc->name), "%s-req%u", XDF_DRIVER_NAME, ch->idx);
	ret = xdf_xen_evtchn_bind(xb_dev, xdf_req_irq, rc->name, ch, &rc->port);
	if (ret < 0)
		return ret;
	rc->irq = ret;

	snprintf(ec->name, sizeof(ec->name), "%s-evt%u", XDF_DRIVER_NAME, ch->idx);
	ret = xdf_xen_evtchn_bind(xb_dev, xdf_evt_irq, ec->name, ch, &ec->port);
	if (ret < 0)
		return ret;
	ec->irq = ret;

	return 0;
}

/* Frees whatever xdf_channel_alloc() got, complete or not. */
static void xdf_channel_free(struct xdf_channel *ch)
{
	struct xdf_req_chan *rc = &ch->req;
	struct xdf_evt_chan *ec = &ch->evt;
	void *page;

	if (ec->irq >= 0)
		xdf_xen_evtchn_unbind(ec->irq, ch);
	if (rc->irq >= 0)
		xdf_xen_evtchn_unbind(rc->irq, ch);

	page = ec->page;
	xdf_xen_ring_free(&page, &ec->ref);
	page = rc->ring.sring;
	xdf_xen_ring_free(&page, &rc->ref);
}

/**
 * xdf_channels_create() - allocate and bind the rings and event channels of
 *			   all connectors
 * @xb_dev: the xenbus device
 * @count: number of connectors, 1..XDF_MAX_CONNECTORS
 *
 * The channels start disconnected: neither requests nor events pass until
 * xdf_channels_connect().
 *
 * Return: the channels, or an ERR_PTR() with nothing left allocated.
 */
struct xdf_channels *xdf_channels_create(struct xenbus_device *xb_dev,
					 unsigned int count)
{
	struct xdf_channels *chs;
	unsigned int i;
	int ret = 0;

	chs = kzalloc(struct_size(chs, chan, count), GFP_KERNEL);
	if (!chs)
		return ERR_PTR(-ENOMEM);

	chs->xb_dev = xb_dev;
	chs->count = count;
	for (i = 0; i < count; i++) {
		struct xdf_channel *ch = &chs->chan[i];

		ch->chs = chs;
		ch->idx = i;
		ch->req.irq = -1;
		mutex_init(&ch->req.mutex);
		spin_lock_init(&ch->req.lock);
		init_completion(&ch->req.done);
		ch->evt.irq = -1;
		spin_lock_init(&ch->evt.lock);
	}

	for (i = 0; i < count && !ret; i++)
		ret = xdf_channel_alloc(&chs->chan[i]);

	if (ret) {
		dev_err(&xb_dev->dev, "cannot set up the channels of connector %u: %d\n",
			i - 1, ret);
		xdf_channels_destroy(chs);
		return ERR_PTR(ret);
	}
	return chs;
}

/**
 * xdf_channels_destroy() - disconnect, unbind and free all channels
 * @chs: the channels
 *
 * Waits for a request still returning from its wait. The caller makes sure
 * no new request starts (for DRM paths: drm_dev_unplug() came first).
 */
void xdf_channels_destroy(struct xdf_channels *chs)
{
	unsigned int i;

	xdf_channels_disconnect(chs);
	for (i = 0; i < chs->count; i++) {
		struct xdf_channel *ch = &chs->chan[i];

		mutex_lock(&ch->req.mutex);
		mutex_unlock(&ch->req.mutex);
		xdf_channel_free(ch);
		mutex_destroy(&ch->req.mutex);
	}
	kfree(chs);
}

static int xdf_publish_uint(struct xenbus_device *xb_dev,
			    struct xenbus_transaction xbt, const char *dir,
			    const char *node, unsigned int value)
{
	char buf[16];
	int ret;

	snprintf(buf, sizeof(buf), "%u", value);
	ret = xdf_xen_xs_write(xbt, dir, node, buf);
	if (ret)
		dev_err(&xb_dev->dev, "cannot write %s/%s: %d\n", dir, node, ret);
	return ret;
}

/**
 * xdf_channels_publish() - write the channels' ring references and ports to
 *			    XenStore for the backend
 * @chs: the channels
 * @xbt: the transaction to write in
 *
 * Return: 0 or a negative errno (-EAGAIN is the transaction's to retry).
 */
int xdf_channels_publish(struct xdf_channels *chs, struct xenbus_transaction xbt)
{
	struct xenbus_device *xb_dev = chs->xb_dev;
	unsigned int i;
	int ret = 0;

	for (i = 0; i < chs->count && !ret; i++) {
		struct xdf_channel *ch = &chs->chan[i];
		char *dir;

		dir = kasprintf(GFP_KERNEL, "%s/%u", xb_dev->nodename, i);
		if (!dir)
			return -ENOMEM;

		ret = xdf_publish_uint(xb_dev, xbt, dir,
				       XENDISPL_FIELD_REQ_RING_REF, ch->req.ref) ?:
		      xdf_publish_uint(xb_dev, xbt, dir,
				       XENDISPL_FIELD_REQ_CHANNEL, ch->req.port) ?:
		      xdf_publish_uint(xb_dev, xbt, dir,
				       XENDISPL_FIELD_EVT_RING_REF, ch->evt.ref) ?:
		      xdf_publish_uint(xb_dev, xbt, dir,
				       XENDISPL_FIELD_EVT_CHANNEL, ch->evt.port);
		kfree(dir);
	}
	return ret;
}

/**
 * xdf_channels_connect() - let requests and events pass, once the backend
 *			    is connected
 * @chs: the channels
 */
void xdf_channels_connect(struct xdf_channels *chs)
{
	unsigned int i;

	for (i = 0; i < chs->count; i++) {
		struct xdf_channel *ch = &chs->chan[i];

		spin_lock_irq(&ch->req.lock);
		if (ch->req.state == XDF_CHAN_DISCONNECTED)
			ch->req.state = XDF_CHAN_CONNECTED;
		spin_unlock_irq(&ch->req.lock);

		spin_lock_irq(&ch->evt.lock);
		if (ch->evt.state == XDF_CHAN_DISCONNECTED)
			ch->evt.state = XDF_CHAN_CONNECTED;
		spin_unlock_irq(&ch->evt.lock);
	}
}

/**
 * xdf_channels_disconnect() - stop all channels and fail a waiting request
 * @chs: the channels
 *
 * A request waiting for its response returns -ENODEV at once; later ones
 * fail with -ENODEV without reaching the ring. Events are no longer read.
 */
void xdf_channels_disconnect(struct xdf_channels *chs)
{
	unsigned int i;

	for (i = 0; i < chs->count; i++) {
		struct xdf_channel *ch = &chs->chan[i];

		spin_lock_irq(&ch->req.lock);
		ch->req.state = XDF_CHAN_DISCONNECTED;
		if (ch->req.waiting)
			xdf_req_wake(&ch->req, -ENODEV);
		spin_unlock_irq(&ch->req.lock);

		spin_lock_irq(&ch->evt.lock);
		ch->evt.state = XDF_CHAN_DISCONNECTED;
		spin_unlock_irq(&ch->evt.lock);
	}
}

/**
 * xdf_channels_set_frame_done() - set the frame-done event callback
 * @chs: the channels
 * @fn: the callback, or NULL to stop delivery
 * @data: its data
 *
 * On return no call to a previous callback is in progress.
 */
void xdf_channels_set_frame_done(struct xdf_channels *chs,
				 xdf_frame_done_fn fn, void *data)
{
	unsigned int i;

	for (i = 0; i < chs->count; i++) {
		struct xdf_evt_chan *ec = &chs->chan[i].evt;

		spin_lock_irq(&ec->lock);
		ec->frame_done = fn;
		ec->frame_done_data = data;
		spin_unlock_irq(&ec->lock);
	}
}

/**
 * xdf_request() - send a request and wait for its response
 * @chs: the channels
 * @conn_idx: connector whose ring to use
 * @req: the request; its id is assigned here
 * @resp: if not NULL, receives the response when one matched
 *
 * Requests on a connector are serialized. The wait lasts at most
 * xdf_req_timeout_ms.
 *
 * Return: 0; the backend's negative status; -ETIMEDOUT; -ENODEV when the
 * backend is not or no longer connected; -EIO when it broke the protocol;
 * -EBUSY when the ring is full of requests it never answered.
 */
int xdf_request(struct xdf_channels *chs, unsigned int conn_idx,
		struct xendispl_req *req, struct xendispl_resp *resp)
{
	struct xdf_channel *ch;
	struct xdf_req_chan *rc;
	bool notify;
	int ret;

	if (WARN_ON(conn_idx >= chs->count))
		return -EINVAL;
	ch = &chs->chan[conn_idx];
	rc = &ch->req;

	mutex_lock(&rc->mutex);
	spin_lock_irq(&rc->lock);
	if (rc->state != XDF_CHAN_CONNECTED) {
		ret = rc->state == XDF_CHAN_BROKEN ? -EIO : -ENODEV;
		goto out_unlock;
	}
	if (RING_FULL(&rc->ring)) {
		dev_err_ratelimited(xdf_chan_dev(ch),
				    "connector %u: request ring full, backend not answering\n",
				    ch->idx);
		ret = -EBUSY;
		goto out_unlock;
	}

	req->id = rc->next_id++;
	*RING_GET_REQUEST(&rc->ring, rc->ring.req_prod_pvt) = *req;
	rc->ring.req_prod_pvt++;

	rc->waiting = true;
	rc->wait_id = req->id;
	rc->wait_op = req->operation;
	rc->have_resp = false;
	reinit_completion(&rc->done);
	RING_PUSH_REQUESTS_AND_CHECK_NOTIFY(&rc->ring, notify);
	spin_unlock_irq(&rc->lock);

	if (notify)
		xdf_xen_evtchn_notify(rc->irq);

	wait_for_completion_timeout(&rc->done,
				    msecs_to_jiffies(xdf_req_timeout_ms));

	spin_lock_irq(&rc->lock);
	/* Still waiting under the lock is the only reliable timeout test. */
	if (rc->waiting) {
		rc->waiting = false;
		rc->stale[req->id % XDF_STALE_SLOTS] = (struct xdf_stale_req) {
			.valid = true,
			.id = req->id,
			.op = req->operation,
		};
		dev_err_ratelimited(xdf_chan_dev(ch),
				    "connector %u: no response to request id %u op %#x within %u ms\n",
				    ch->idx, req->id, req->operation,
				    xdf_req_timeout_ms);
		ret = -ETIMEDOUT;
	} else {
		ret = rc->result;
		if (rc->have_resp && resp)
			*resp = rc->resp;
	}
out_unlock:
	spin_unlock_irq(&rc->lock);
	mutex_unlock(&rc->mutex);
	return ret;
}
