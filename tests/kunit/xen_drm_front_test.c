// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Helpers shared by the frontend's KUnit suites.
 */

#include <kunit/test.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/file.h>
#include <linux/jiffies.h>
#include <linux/kthread.h>
#include <linux/sched/mm.h>
#include <linux/sched/signal.h>

#include <drm/drm_drv.h>
#include <drm/drm_file.h>

#include "../../drm_internal.h"
#include "../xen_drm_front.h"
#include "xen_drm_front_sim.h"
#include "xen_drm_front_test.h"

/**
 * xdf_test_connect() - add a vdispl device and wait until it is connected
 * @test: the test, failed and ended if the device does not connect
 * @cfg: the device as the toolstack configures it
 * @sdev: the simulated device, for the test to remove
 *
 * Return: the DRM device the frontend created for the connection.
 */
struct xdf_drm *xdf_test_connect(struct kunit *test,
				 const struct xdf_sim_config *cfg,
				 struct xdf_sim_dev **sdev)
{
	struct xdf_front *front;

	*sdev = xdf_sim_dev_add(cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, *sdev);
	xdf_sim_settle();
	KUNIT_ASSERT_TRUE(test, xdf_sim_wait_frontend_state(*sdev,
							    XenbusStateConnected,
							    XDF_TEST_WAIT_MS));
	xdf_sim_settle();
	front = dev_get_drvdata(&xdf_sim_dev_xb(*sdev)->dev);
	KUNIT_ASSERT_NOT_NULL(test, front);
	KUNIT_ASSERT_NOT_NULL(test, front->xdrm);
	/* Connected before its console: let the console be set up. */
	flush_work(&front->xdrm->fbdev_work);
	xdf_sim_settle();
	return front->xdrm;
}

/**
 * xdf_test_open() - open a DRM client on the device, as open(2) would
 * @test: the test, failed and ended if the client cannot be made
 * @xdrm: the device
 *
 * Return: the client, to be closed with xdf_test_close().
 */
struct drm_file *xdf_test_open(struct kunit *test, struct xdf_drm *xdrm)
{
	struct drm_file *file;

	/* An open holds the device, as drm_open() does. */
	drm_dev_get(&xdrm->drm);
	file = drm_file_alloc(xdrm->drm.primary);
	if (IS_ERR(file))
		drm_dev_put(&xdrm->drm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, file);
	return file;
}

/**
 * xdf_test_close() - close a client from xdf_test_open()
 * @xdrm: the device
 * @file: the client: its framebuffers and handles go, then its reference
 *	  to the device
 */
void xdf_test_close(struct xdf_drm *xdrm, struct drm_file *file)
{
	drm_file_free(file);
	drm_dev_put(&xdrm->drm);
}

/**
 * xdf_test_wait_unplugged() - wait for the frontend to unplug a DRM device
 * @drm: the device, of which the caller holds a reference
 *
 * Return: true if it is unplugged within XDF_TEST_WAIT_MS.
 */
bool xdf_test_wait_unplugged(struct drm_device *drm)
{
	unsigned long end = jiffies + msecs_to_jiffies(XDF_TEST_WAIT_MS);

	while (!drm_dev_is_unplugged(drm) && time_before(jiffies, end))
		usleep_range(2000, 5000);
	return drm_dev_is_unplugged(drm);
}

/**
 * xdf_test_wait_reset() - wait for the frontend to reset its connection
 * @test: the test, failed and ended if the reset does not complete
 * @sdev: the simulated device, whose backend follows the reset
 * @old: the DRM device of the connection that broke
 *
 * Waits until @old is unplugged, then until the frontend is connected
 * again with another DRM device.
 *
 * Return: the new connection's DRM device.
 */
struct xdf_drm *xdf_test_wait_reset(struct kunit *test,
				    struct xdf_sim_dev *sdev,
				    struct drm_device *old)
{
	unsigned long end = jiffies + msecs_to_jiffies(XDF_TEST_WAIT_MS);
	struct xenbus_device *xb_dev = xdf_sim_dev_xb(sdev);
	struct xdf_front *front;
	struct xdf_drm *xdrm;
	bool connected;

	KUNIT_ASSERT_TRUE_MSG(test, xdf_test_wait_unplugged(old),
			      "the frontend did not reset the connection");
	front = dev_get_drvdata(&xb_dev->dev);
	KUNIT_ASSERT_NOT_NULL(test, front);
	/*
	 * The old device is unplugged before the frontend leaves Connected:
	 * a new device and the state Connected, read together under the
	 * state lock, are the new connection's.
	 */
	for (;;) {
		mutex_lock(&front->lock);
		xdrm = front->xdrm;
		connected = xdrm && &xdrm->drm != old &&
			    xb_dev->state == XenbusStateConnected;
		mutex_unlock(&front->lock);
		if (connected || time_after(jiffies, end))
			break;
		msleep(20);
	}
	KUNIT_ASSERT_TRUE_MSG(test, connected,
			      "the frontend did not connect again");
	xdf_sim_settle();
	return xdrm;
}

/**
 * xdf_test_num_events() - the events waiting on a client, as read(2) would
 *			   find them
 * @file: the client
 *
 * Return: their number.
 */
unsigned int xdf_test_num_events(struct drm_file *file)
{
	struct drm_device *drm = file->minor->dev;
	struct drm_pending_event *e;
	unsigned int n = 0;

	spin_lock_irq(&drm->event_lock);
	list_for_each_entry(e, &file->event_list, link)
		n++;
	spin_unlock_irq(&drm->event_lock);
	return n;
}

/**
 * xdf_test_process_start() - give the test thread a process address space
 *			      of its own, to mmap into
 * @test: the test, failed and ended if there is no memory
 *
 * Return: the address space; the thread's exit releases it if the test
 * stops early.
 */
struct mm_struct *xdf_test_process_start(struct kunit *test)
{
	struct mm_struct *mm = mm_alloc();

	KUNIT_ASSERT_NOT_NULL(test, mm);
	mm->task_size = TASK_SIZE;
	arch_pick_mmap_layout(mm, &current->signal->rlim[RLIMIT_STACK]);
	kthread_use_mm(mm);
	return mm;
}

/**
 * xdf_test_process_exit() - the process exits: its address space goes,
 *			     mappings and all
 * @mm: the address space from xdf_test_process_start(), set to NULL; left
 *	alone if NULL or not the calling thread's (KUnit's exit runs in
 *	another thread)
 */
void xdf_test_process_exit(struct mm_struct **mm)
{
	if (!*mm || current->mm != *mm)
		return;
	kthread_unuse_mm(*mm);
	mmput(*mm);
	*mm = NULL;
	/* The VMAs' references to the file go with the delayed fput. */
	flush_delayed_fput();
}
