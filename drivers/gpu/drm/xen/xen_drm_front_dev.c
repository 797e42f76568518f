// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: what the device's objects share.
 *
 * Display buffers and framebuffers are named to the backend by cookies:
 * small ids, never pointers, unique within the device. Every request
 * about them goes through the device, and only while the device lives:
 * its channels are freed once it is unplugged. A destroy the backend
 * never answered leaves the two sides disagreeing about what exists: the
 * connection is then reset.
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
 * A DBUF_DESTROY or FB_DETACH that times out breaks the ring, so that the
 * connection is reset.
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
	/*
	 * A backend that never answered a destroy may still hold the object,
	 * while the cookie is about to name another: only a reset of the
	 * connection, which makes the backend drop everything, puts the two
	 * sides in agreement again.
	 */
	if (ret == -ETIMEDOUT && req->operation == XENDISPL_OP_DBUF_DESTROY)
		xdf_channels_break(xdrm->chs, conn_idx,
				   "backend may still hold the buffer whose DBUF_DESTROY timed out");
	else if (ret == -ETIMEDOUT && req->operation == XENDISPL_OP_FB_DETACH)
		xdf_channels_break(xdrm->chs, conn_idx,
				   "backend may still hold the framebuffer whose FB_DETACH timed out");
	drm_dev_exit(idx);
	return ret;
}
