// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: module, xenbus driver and the state
 * machine that follows the backend (see the diagram in displif.h).
 *
 *   backend InitWait   -> read config, create and publish channels,
 *                         frontend Initialised, build the DRM device
 *   backend Connected  -> register the DRM device, frontend Connected
 *   backend Closing    -> tear down, frontend Closed
 *   backend Closed or
 *   Unknown            -> tear down, frontend Initialising
 *   backend restarts   -> (Initialising or InitWait while we are past
 *                         Initialised) tear down, then connect again
 *
 * A channel that breaks (the backend left requests unanswered, filled a
 * ring, broke the protocol, or may still hold an object it was told to
 * destroy) resets the connection from our side, the way xenbus frontends
 * reconnect: the connectors' links go BAD with a hotplug event, the DRM
 * device is unplugged as if the backend had gone, and the frontend goes
 * Closing. A backend that follows (Closing, Closed, InitWait) gets fresh
 * channels and a fresh DRM device through the states above; answers to
 * the old requests land in rings that are gone. One that does not follow
 * leaves us Closing until it changes state.
 *
 * After a fatal error the frontend closes and stays closed until the
 * device is bound again.
 *
 * Teardown wakes requests waiting on the backend before it unplugs the
 * DRM device, so unplug never waits for a timeout.
 */

#include <linux/dma-mapping.h>
#include <linux/module.h>
#include <linux/slab.h>

#include "xen_drm_front.h"
#include "xen_drm_front_xen.h"

/* A transaction that keeps colliding with other writers is given up. */
#define XDF_XS_ATTEMPTS		16

static const char *xdf_state_name(enum xenbus_state state)
{
	static const char *const names[] = {
		[XenbusStateUnknown] = "Unknown",
		[XenbusStateInitialising] = "Initialising",
		[XenbusStateInitWait] = "InitWait",
		[XenbusStateInitialised] = "Initialised",
		[XenbusStateConnected] = "Connected",
		[XenbusStateClosing] = "Closing",
		[XenbusStateClosed] = "Closed",
		[XenbusStateReconfiguring] = "Reconfiguring",
		[XenbusStateReconfigured] = "Reconfigured",
	};

	if ((unsigned int)state < ARRAY_SIZE(names) && names[state])
		return names[state];
	return "invalid";
}

static void xdf_switch_state(struct xdf_front *front, enum xenbus_state state)
{
	struct xenbus_device *xb_dev = front->xb_dev;
	int ret;

	if (xb_dev->state == state)
		return;

	dev_dbg(&xb_dev->dev, "frontend %s -> %s\n",
		xdf_state_name(xb_dev->state), xdf_state_name(state));
	ret = xdf_xen_switch_state(xb_dev, state);
	if (ret)
		dev_err(&xb_dev->dev, "cannot switch to %s: %d\n",
			xdf_state_name(state), ret);
}

/* Undoes xdf_on_initwait() and xdf_on_connected(), whatever was done. */
static void xdf_teardown(struct xdf_front *front)
{
	if (front->chs)
		xdf_channels_disconnect(front->chs);

	if (front->xdrm) {
		xdf_drm_unplug(front->xdrm);
		front->xdrm = NULL;
	}

	if (front->chs) {
		xdf_channels_destroy(front->chs);
		front->chs = NULL;
	}
}

static int xdf_publish_once(struct xdf_front *front)
{
	struct xenbus_device *xb_dev = front->xb_dev;
	struct xenbus_transaction xbt;
	char version[16];
	int ret;

	ret = xdf_xen_xs_transaction_start(&xbt);
	if (ret) {
		dev_err(&xb_dev->dev, "cannot start a XenStore transaction: %d\n", ret);
		return ret;
	}

	ret = xdf_channels_publish(front->chs, xbt);
	if (!ret && front->cfg.version) {
		snprintf(version, sizeof(version), "%u", front->cfg.version);
		ret = xdf_xen_xs_write(xbt, xb_dev->nodename,
				       XENDISPL_FIELD_FE_VERSION, version);
		if (ret)
			dev_err(&xb_dev->dev, "cannot write %s/%s: %d\n",
				xb_dev->nodename, XENDISPL_FIELD_FE_VERSION, ret);
	}
	if (ret) {
		xdf_xen_xs_transaction_end(xbt, true);
		return ret;
	}

	return xdf_xen_xs_transaction_end(xbt, false);
}

/* Publishes all channels (and the version) atomically. */
static int xdf_publish(struct xdf_front *front)
{
	unsigned int attempt;
	int ret = -EAGAIN;

	for (attempt = 0; attempt < XDF_XS_ATTEMPTS && ret == -EAGAIN; attempt++)
		ret = xdf_publish_once(front);

	if (ret)
		dev_err(&front->xb_dev->dev, "cannot publish the channels: %d%s\n",
			ret, ret == -EAGAIN ? " (XenStore kept changing)" : "");
	return ret;
}

/* A channel broke, in any context: the reset needs the state lock. */
static void xdf_channels_broke(void *data)
{
	struct xdf_front *front = data;

	schedule_work(&front->reset_work);
}

static void xdf_reset_work(struct work_struct *work)
{
	struct xdf_front *front = container_of(work, struct xdf_front,
					       reset_work);
	struct xenbus_device *xb_dev = front->xb_dev;

	mutex_lock(&front->lock);
	/* Channels torn down meanwhile are not those that broke. */
	if (front->failed || !front->chs || !xdf_channels_broken(front->chs))
		goto out;

	front->resets++;
	dev_warn(&xb_dev->dev,
		 "backend broke a channel: resetting the connection (reset %u)\n",
		 front->resets);
	/* Requests waiting for the backend return at once. */
	xdf_channels_disconnect(front->chs);
	if (front->xdrm)
		xdf_kms_link_lost(front->xdrm);
	xdf_teardown(front);
	xdf_switch_state(front, XenbusStateClosing);
out:
	mutex_unlock(&front->lock);
}

static int xdf_on_initwait(struct xdf_front *front)
{
	struct xenbus_device *xb_dev = front->xb_dev;
	struct xdf_channels *chs;
	struct xdf_drm *xdrm;
	int ret;

	ret = xdf_cfg_read(xb_dev, &front->cfg);
	if (ret)
		return ret;

	chs = xdf_channels_create(xb_dev, front->cfg.num_connectors,
				  xdf_channels_broke, front);
	if (IS_ERR(chs))
		return PTR_ERR(chs);
	front->chs = chs;

	ret = xdf_publish(front);
	if (ret)
		return ret;

	xdf_switch_state(front, XenbusStateInitialised);

	/*
	 * Built while the backend maps the channels, not after it connects:
	 * its vblank workers' threads are then made off the way to the card.
	 */
	xdrm = xdf_drm_create(&xb_dev->dev, &front->cfg, front->chs);
	if (IS_ERR(xdrm))
		return PTR_ERR(xdrm);
	front->xdrm = xdrm;
	return 0;
}

static int xdf_on_connected(struct xdf_front *front)
{
	int ret;

	xdf_channels_connect(front->chs);
	ret = xdf_drm_register(front->xdrm);
	if (ret)
		return ret;

	xdf_switch_state(front, XenbusStateConnected);
	return 0;
}

/*
 * A failure that the backend cannot cure (bad configuration, no memory):
 * close and stay closed until the device is bound again, rather than
 * failing again each time a backend returns to InitWait.
 */
static void xdf_fail(struct xdf_front *front, int err, const char *what)
{
	xdf_teardown(front);
	front->failed = true;
	xdf_xen_dev_fatal(front->xb_dev, err, what);
}

static void xdf_backend_changed(struct xenbus_device *xb_dev,
				enum xenbus_state backend_state)
{
	struct xdf_front *front = dev_get_drvdata(&xb_dev->dev);
	enum xenbus_state state;
	int ret;

	mutex_lock(&front->lock);
	state = xb_dev->state;
	dev_dbg(&xb_dev->dev, "backend %s, frontend %s%s\n",
		xdf_state_name(backend_state), xdf_state_name(state),
		front->failed ? " (failed)" : "");

	if (front->failed) {
		if (backend_state == XenbusStateClosing)
			xdf_switch_state(front, XenbusStateClosed);
		goto out;
	}

	switch (backend_state) {
	case XenbusStateInitialising:
		/* A backend starting over: drop what the old one knew. */
		if (state != XenbusStateInitialising) {
			xdf_teardown(front);
			xdf_switch_state(front, XenbusStateInitialising);
		}
		break;

	case XenbusStateInitWait:
		/*
		 * Initialised: our channels are published, still valid for
		 * this backend. Connected (or closed): the backend restarted.
		 */
		if (state == XenbusStateInitialised)
			break;
		if (state != XenbusStateInitialising) {
			xdf_teardown(front);
			xdf_switch_state(front, XenbusStateInitialising);
		}
		ret = xdf_on_initwait(front);
		if (ret)
			xdf_fail(front, ret, "connecting to the backend");
		break;

	case XenbusStateConnected:
		if (state != XenbusStateInitialised)
			break;
		ret = xdf_on_connected(front);
		if (ret)
			xdf_fail(front, ret, "registering the display device");
		break;

	case XenbusStateClosing:
		xdf_teardown(front);
		xdf_switch_state(front, XenbusStateClosed);
		break;

	case XenbusStateUnknown:
	case XenbusStateClosed:
		/* Ready for a backend that comes back. */
		xdf_teardown(front);
		xdf_switch_state(front, XenbusStateInitialising);
		break;

	case XenbusStateInitialised:
	case XenbusStateReconfiguring:
	case XenbusStateReconfigured:
		break;

	default:
		dev_err(&xb_dev->dev, "backend state %d is not a xenbus state: ignored\n",
			backend_state);
		break;
	}
out:
	mutex_unlock(&front->lock);
}

static int xdf_probe(struct xenbus_device *xb_dev,
		     const struct xenbus_device_id *id)
{
	struct xdf_front *front;
	int ret;

	front = devm_kzalloc(&xb_dev->dev, sizeof(*front), GFP_KERNEL);
	if (!front)
		return -ENOMEM;

	front->xb_dev = xb_dev;
	mutex_init(&front->lock);
	INIT_WORK(&front->reset_work, xdf_reset_work);
	dev_set_drvdata(&xb_dev->dev, front);

	/* Buffers are shared by page; the DMA API must not bounce them. */
	ret = dma_coerce_mask_and_coherent(&xb_dev->dev, DMA_BIT_MASK(64));
	if (ret) {
		dev_err(&xb_dev->dev, "cannot set the DMA mask: %d\n", ret);
		return ret;
	}

	xdf_switch_state(front, XenbusStateInitialising);
	return 0;
}

static void xdf_remove(struct xenbus_device *xb_dev)
{
	struct xdf_front *front = dev_get_drvdata(&xb_dev->dev);

	/* The xenbus core switches to Closed after this returns. */
	mutex_lock(&front->lock);
	xdf_teardown(front);
	mutex_unlock(&front->lock);
	/* No channel is left to schedule it again. */
	cancel_work_sync(&front->reset_work);
	mutex_destroy(&front->lock);
}

static const struct xenbus_device_id xdf_ids[] = {
	{ XENDISPL_DRIVER_NAME },
	{ "" }
};

/*
 * The names user space knows from the older in-tree driver, which this one
 * replaces: /sys/bus/xen/drivers/vdispl/{bind,unbind}. Only one of the two
 * modules can be loaded at a time: the second one's driver name is taken.
 */
static struct xenbus_driver xdf_driver = {
	.name = XENDISPL_DRIVER_NAME,
	.ids = xdf_ids,
	.probe = xdf_probe,
	.remove = xdf_remove,
	.otherend_changed = xdf_backend_changed,
	.not_essential = true,
};

static int __init xdf_init(void)
{
	int ret;

	ret = xdf_xen_platform_check();
	if (ret)
		return ret;

	ret = xdf_drm_module_init();
	if (ret)
		return ret;

	ret = xdf_xen_register_driver(&xdf_driver);
	if (ret)
		xdf_drm_module_exit();
	return ret;
}
module_init(xdf_init);

static void __exit xdf_exit(void)
{
	xdf_xen_unregister_driver(&xdf_driver);
	xdf_drm_module_exit();
	xdf_dbuf_module_exit();
}
module_exit(xdf_exit);

MODULE_DESCRIPTION("Xen para-virtual display frontend");
MODULE_LICENSE("Dual MIT/GPL");
MODULE_ALIAS("xen:" XENDISPL_DRIVER_NAME);
MODULE_VERSION(XDF_VERSION);
