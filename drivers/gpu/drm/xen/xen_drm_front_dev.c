// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: what the device's objects share.
 *
 * Display buffers and framebuffers are named to the backend by cookies:
 * small ids, never pointers, unique within the device. Every request
 * about them goes through the device, and only while the device lives:
 * its channels are freed once it is unplugged.
 */

#include <linux/idr.h>

#include <drm/drm_drv.h>

#include "xen_drm_front.h"

/**
 * xdf_cookie_alloc() - allocate a cookie for a display buffer or framebuffer
 * @xdrm: the device
 * @cookie: the cookie: an id, never a pointer, and never 0, which means
 *	    "none" to the backend
 *
 * Return: 0 or a negative errno.
 */
int xdf_cookie_alloc(struct xdf_drm *xdrm, u64 *cookie)
{
	int id = ida_alloc_min(&xdrm->cookies, 1, GFP_KERNEL);

	if (id < 0)
		return id;
	*cookie = id;
	return 0;
}

/**
 * xdf_cookie_free() - free a cookie from xdf_cookie_alloc()
 * @xdrm: the device
 * @cookie: the cookie
 */
void xdf_cookie_free(struct xdf_drm *xdrm, u64 cookie)
{
	ida_free(&xdrm->cookies, cookie);
}

/**
 * xdf_dev_request() - send a request to the backend while the device lives
 * @xdrm: the device
 * @conn_idx: the connector whose ring carries it: the connector's own for
 *	      what concerns a connector, 0 for what concerns the device
 * @req: the request, without its id
 * @resp: where to copy the response, or NULL
 *
 * Return: 0, -ENODEV once the device is unplugged, or what xdf_request()
 * returns.
 */
int xdf_dev_request(struct xdf_drm *xdrm, unsigned int conn_idx,
		    struct xendispl_req *req, struct xendispl_resp *resp)
{
	int idx, ret;

	if (!drm_dev_enter(&xdrm->drm, &idx))
		return -ENODEV;
	ret = xdf_request(xdrm->chs, conn_idx, req, resp);
	drm_dev_exit(idx);
	return ret;
}
