// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: the DRM device.
 *
 * A DRM device is built while the backend connects (its InitWait), is
 * registered once the backend is Connected, and lives until the backend
 * goes away. Then it is unplugged, not reused: clients that still hold it
 * open see -ENODEV, and its memory goes with the last reference, while a
 * reconnecting backend gets a fresh device.
 */

#include <linux/device.h>
#include <linux/err.h>
#include <linux/module.h>
#include <linux/workqueue.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_fb_helper.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_managed.h>
#include <drm/drm_prime.h>

#include "xen_drm_front.h"

/*
 * The KUnit suites count every buffer and request a device makes: there
 * fbdev is off unless a suite turns it on.
 */
bool xdf_fbdev = !IS_ENABLED(CONFIG_DRM_XEN_FRONTEND_KUNIT_TEST);
module_param_named(fbdev, xdf_fbdev, bool, 0644);
MODULE_PARM_DESC(fbdev,
		 "Give each new device fbdev emulation, a console for fbcon (default true)");

DEFINE_DRM_GEM_FOPS(xdf_drm_fops);

static const struct drm_driver xdf_drm_driver = {
	.driver_features = DRIVER_GEM | DRIVER_MODESET | DRIVER_ATOMIC,
	.fops = &xdf_drm_fops,
	.gem_create_object = xdf_gem_create_object,
	.dumb_create = xdf_gem_dumb_create,
	.prime_handle_to_fd = drm_gem_prime_handle_to_fd,
	.prime_fd_to_handle = drm_gem_prime_fd_to_handle,
	.gem_prime_import_sg_table = xdf_gem_import_sg_table,
	.gem_prime_mmap = xdf_gem_prime_mmap,
	/*
	 * The older in-tree driver's name, which tools and udev rules know
	 * (modetest -M xendrm-du); short enough for fbdev's "xendrm-dudrmfb".
	 */
	.name = "xendrm-du",
	.desc = "Xen para-virtual display frontend",
	.date = XDF_VERSION_DATE,
	.major = XDF_VERSION_MAJOR,
	.minor = XDF_VERSION_MINOR,
};

static void xdf_drm_release(struct drm_device *drm, void *data)
{
	struct xdf_drm *xdrm = to_xdf_drm(drm);

	/* Every buffer holds a device reference: none can be left. */
	WARN_ON(!ida_is_empty(&xdrm->cookies));
	ida_destroy(&xdrm->cookies);
	mutex_destroy(&xdrm->be_alloc_lock);
}

/*
 * Setting up the console takes a dozen requests and a modeset: done on the
 * xenbus watch thread, it would delay this device's Connected state and
 * every other xenbus device's handshake, and a slow backend would hold
 * them all. The work items run one at a time, in the order the devices
 * connected, so that fb0, fbcon's, stays the first device's.
 */
static struct workqueue_struct *xdf_fbdev_wq;

/**
 * xdf_drm_module_init() - set up what every device shares
 *
 * Return: 0 or -ENOMEM.
 */
int xdf_drm_module_init(void)
{
	xdf_fbdev_wq = alloc_ordered_workqueue("xen_drm_front_fbdev", 0);
	return xdf_fbdev_wq ? 0 : -ENOMEM;
}

/**
 * xdf_drm_module_exit() - undo xdf_drm_module_init(), once every device
 *			   is unplugged
 */
void xdf_drm_module_exit(void)
{
	destroy_workqueue(xdf_fbdev_wq);
}

static void xdf_drm_fbdev_work(struct work_struct *work)
{
	struct xdf_drm *xdrm = container_of(work, struct xdf_drm, fbdev_work);

	drm_fbdev_generic_setup(&xdrm->drm, 32);
}

static int xdf_drm_init(struct xdf_drm *xdrm)
{
	struct drm_device *drm = &xdrm->drm;
	int ret;

	ida_init(&xdrm->cookies);
	mutex_init(&xdrm->be_alloc_lock);
	ret = drmm_add_action_or_reset(drm, xdf_drm_release, NULL);
	if (ret)
		return ret;

	ret = drmm_mode_config_init(drm);
	if (ret)
		return ret;

	return xdf_kms_init(xdrm);
}

/**
 * xdf_drm_create() - create the DRM device of a connection, unregistered
 * @parent: the xenbus device
 * @cfg: the device's configuration, copied
 * @chs: the channels, connected before xdf_drm_register() and used only
 *	 inside drm_dev_enter()
 *
 * Return: the device, or an ERR_PTR() with nothing left allocated.
 */
struct xdf_drm *xdf_drm_create(struct device *parent,
			       const struct xdf_cfg *cfg,
			       struct xdf_channels *chs)
{
	struct xdf_drm *xdrm;
	void *group;
	int ret;

	/*
	 * The device must be released on disconnect, not only on unbind, so
	 * our reference is kept in a devres group of its own.
	 */
	group = devres_open_group(parent, NULL, GFP_KERNEL);
	if (!group)
		return ERR_PTR(-ENOMEM);

	xdrm = devm_drm_dev_alloc(parent, &xdf_drm_driver, struct xdf_drm, drm);
	if (IS_ERR(xdrm)) {
		ret = PTR_ERR(xdrm);
		goto err_release;
	}
	xdrm->devres_group = group;
	xdrm->cfg = *cfg;
	xdrm->chs = chs;
	INIT_WORK(&xdrm->fbdev_work, xdf_drm_fbdev_work);

	ret = xdf_drm_init(xdrm);
	if (ret)
		goto err_release;

	devres_close_group(parent, group);
	return xdrm;

err_release:
	dev_err(parent, "cannot create the DRM device: %d\n", ret);
	devres_release_group(parent, group);
	return ERR_PTR(ret);
}

/**
 * xdf_drm_register() - make a device created by xdf_drm_create() reachable
 * @xdrm: the device, whose channels are connected
 *
 * Return: 0, or a negative errno with the device left for xdf_drm_unplug().
 */
int xdf_drm_register(struct xdf_drm *xdrm)
{
	int ret;

	ret = drm_dev_register(&xdrm->drm, 0);
	if (ret) {
		drm_err(&xdrm->drm, "cannot register the DRM device: %d\n", ret);
		return ret;
	}

	xdf_channels_set_frame_done(xdrm->chs, xdf_kms_frame_done, xdrm);
	xdf_channels_set_answer(xdrm->chs, xdf_kms_answer, xdrm);
	if (READ_ONCE(xdf_fbdev))
		queue_work(xdf_fbdev_wq, &xdrm->fbdev_work);
	return 0;
}

/* Undoes xdf_drm_register(), the channels disconnected. */
static void xdf_drm_unregister(struct xdf_drm *xdrm)
{
	xdf_channels_set_frame_done(xdrm->chs, NULL, NULL);
	xdf_channels_set_answer(xdrm->chs, NULL, NULL);
	/*
	 * The channels are disconnected: no frame-done comes for the flips
	 * sent, and flips from now on fail at once. Complete them before
	 * the unplug tears fbdev down, which waits for its damage worker,
	 * which waits for its flip.
	 */
	xdf_kms_unplugged(xdrm);
	/* Its requests fail at once now: it ends soon, if it runs. */
	cancel_work_sync(&xdrm->fbdev_work);
	drm_dev_unplug(&xdrm->drm);
	drm_atomic_helper_shutdown(&xdrm->drm);
}

/**
 * xdf_drm_unplug() - unplug a device created by xdf_drm_create() and drop
 *		      our reference
 * @xdrm: the device, whose channels are disconnected; may be freed on
 *	  return
 *
 * Returns once no driver code runs inside drm_dev_enter() on the device,
 * so the caller may then free the channels.
 */
void xdf_drm_unplug(struct xdf_drm *xdrm)
{
	struct device *parent = xdrm->drm.dev;
	void *group = xdrm->devres_group;

	/* Not if never registered: no one reached it, nothing ran on it. */
	if (xdrm->drm.registered)
		xdf_drm_unregister(xdrm);
	xdf_kms_fini(xdrm);
	devres_release_group(parent, group);
}
