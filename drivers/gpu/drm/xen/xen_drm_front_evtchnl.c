// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: event channels.
 *
 * Each connector has a request ring (xen_drm_front_req.c) and an event
 * page on which the backend produces frame-done events, each with an
 * event channel; this file sets them up, publishes them and reads the
 * event page. Both live in memory the backend can write at any time:
 * slots are copied out before they are looked at, and indexes are checked
 * before they are used.
 */

#include <linux/err.h>
#include <linux/slab.h>

#include <xen/interface/io/ring.h>

#include "xen_drm_front_proto.h"
#include "xen_drm_front_xen.h"

static void xdf_evt_break(struct xdf_channel *ch, u32 prod)
{
	struct xdf_evt_chan *ec = &ch->evt;

	dev_err(xdf_chan_dev(ch),
		"connector %u: backend's event producer %u is %u entries ahead of consumer %u, the page holds %zu: events stopped\n",
		ch->idx, prod, prod - ec->cons, ec->cons, XENDISPL_IN_RING_LEN);
	ec->state = XDF_CHAN_BROKEN;
	xdf_chan_broken(ch);
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

	snprintf(rc->name, sizeof(rc->name), "%s-req%u", KBUILD_MODNAME, ch->idx);
	ret = xdf_xen_evtchn_bind(xb_dev, xdf_req_irq, rc->name, ch, &rc->port);
	if (ret < 0)
		return ret;
	rc->irq = ret;

	snprintf(ec->name, sizeof(ec->name), "%s-evt%u", KBUILD_MODNAME, ch->idx);
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
 * @broken: called when a channel breaks (see &xdf_broken_fn), or NULL
 * @data: its data
 *
 * The channels start disconnected: neither requests nor events pass until
 * xdf_channels_connect().
 *
 * Return: the channels, or an ERR_PTR() with nothing left allocated.
 */
struct xdf_channels *xdf_channels_create(struct xenbus_device *xb_dev,
					 unsigned int count,
					 xdf_broken_fn broken, void *data)
{
	struct xdf_channels *chs;
	unsigned int i;
	int ret = 0;

	chs = kzalloc(struct_size(chs, chan, count), GFP_KERNEL);
	if (!chs)
		return ERR_PTR(-ENOMEM);

	chs->xb_dev = xb_dev;
	chs->count = count;
	chs->broken = broken;
	chs->broken_data = data;
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
 * A request waiting for its response returns -ENODEV at once (one sent
 * without waiting: its answer callback gets it); later ones fail with
 * -ENODEV without reaching the ring. Events are no longer read.
 */
void xdf_channels_disconnect(struct xdf_channels *chs)
{
	unsigned int i;

	for (i = 0; i < chs->count; i++) {
		struct xdf_channel *ch = &chs->chan[i];

		spin_lock_irq(&ch->req.lock);
		ch->req.state = XDF_CHAN_DISCONNECTED;
		if (ch->req.waiting)
			xdf_req_wake(ch, -ENODEV);
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
 * xdf_channels_set_answer() - set the callback for the outcome of requests
 *			       sent by xdf_request_nowait()
 * @chs: the channels
 * @fn: the callback, or NULL to drop outcomes
 * @data: its data
 *
 * On return no call to a previous callback is in progress.
 */
void xdf_channels_set_answer(struct xdf_channels *chs, xdf_answer_fn fn,
			     void *data)
{
	unsigned int i;

	for (i = 0; i < chs->count; i++) {
		struct xdf_req_chan *rc = &chs->chan[i].req;

		spin_lock_irq(&rc->lock);
		rc->answer = fn;
		rc->answer_data = data;
		spin_unlock_irq(&rc->lock);
	}
}

/**
 * xdf_channels_broken() - whether a channel broke since the channels were
 *			   connected
 * @chs: the channels
 *
 * Return: true if a request ring or event page is broken.
 */
bool xdf_channels_broken(struct xdf_channels *chs)
{
	bool broken = false;
	unsigned int i;

	for (i = 0; i < chs->count && !broken; i++) {
		struct xdf_channel *ch = &chs->chan[i];

		spin_lock_irq(&ch->req.lock);
		broken = ch->req.state == XDF_CHAN_BROKEN;
		spin_unlock_irq(&ch->req.lock);

		spin_lock_irq(&ch->evt.lock);
		broken |= ch->evt.state == XDF_CHAN_BROKEN;
		spin_unlock_irq(&ch->evt.lock);
	}
	return broken;
}

/**
 * xdf_channels_break() - break a connected request ring for a reason the
 *			  ring cannot see
 * @chs: the channels
 * @conn_idx: the connector whose ring to break
 * @why: what the backend did, for the log
 *
 * As when the backend breaks the protocol: a waiting request fails with
 * -EIO, later ones fail at once, and the device is told.
 */
void xdf_channels_break(struct xdf_channels *chs, unsigned int conn_idx,
			const char *why)
{
	struct xdf_req_chan *rc;

	if (WARN_ON(conn_idx >= chs->count))
		return;
	rc = &chs->chan[conn_idx].req;

	spin_lock_irq(&rc->lock);
	if (rc->state == XDF_CHAN_CONNECTED) {
		dev_err(&chs->xb_dev->dev, "connector %u: %s: ring stopped\n",
			conn_idx, why);
		xdf_req_stop(&chs->chan[conn_idx]);
	}
	spin_unlock_irq(&rc->lock);
}
