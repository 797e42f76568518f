/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Xen para-virtual display frontend: the declarations of the two lowest
 * layers, XenStore configuration and the protocol's channels (see the
 * layer map in xen_drm_front.h). They know nothing of DRM, so this header
 * includes no DRM header: xen_drm_front_cfg.c and xen_drm_front_evtchnl.c
 * include only this one.
 */

#ifndef __XEN_DRM_FRONT_PROTO_H_
#define __XEN_DRM_FRONT_PROTO_H_

#include <linux/types.h>

#include <xen/xenbus.h>
#include <xen/interface/io/displif.h>

#define XDF_DRIVER_NAME		"xen_drm_front"

/* Connectors beyond this are ignored, with a warning (see xen-front.rst). */
#define XDF_MAX_CONNECTORS	8
/* Largest resolution accepted from XenStore, per dimension. */
#define XDF_MAX_DIMENSION	8192
/* Longest unique-id accepted from XenStore, without the NUL. */
#define XDF_UNIQUE_ID_MAX	63
/* Protocol versions this frontend speaks. */
#define XDF_PROTOCOL_MIN	1
#define XDF_PROTOCOL_MAX	XENDISPL_PROTOCOL_VERSION_INT

/* xen_drm_front_cfg.c */

/**
 * struct xdf_connector_cfg - one connector's XenStore configuration
 * @width: visible width in pixels, 1..XDF_MAX_DIMENSION
 * @height: visible height in pixels, 1..XDF_MAX_DIMENSION
 * @unique_id: the connector's unique-id, printable ASCII
 */
struct xdf_connector_cfg {
	u32 width;
	u32 height;
	char unique_id[XDF_UNIQUE_ID_MAX + 1];
};

/**
 * struct xdf_cfg - a vdispl device's XenStore configuration
 * @be_alloc: the backend may allocate display buffers for us
 * @version: protocol version chosen from the backend's "versions", or 0
 *	     when the backend published none (then version 2 is assumed and
 *	     nothing is written)
 * @num_connectors: number of valid entries in @connectors, >= 1
 * @connectors: per-connector configuration
 */
struct xdf_cfg {
	bool be_alloc;
	unsigned int version;
	unsigned int num_connectors;
	struct xdf_connector_cfg connectors[XDF_MAX_CONNECTORS];
};

int xdf_cfg_read(struct xenbus_device *xb_dev, struct xdf_cfg *cfg);
int xdf_cfg_parse_resolution(const char *value, u32 *width, u32 *height);
int xdf_cfg_parse_versions(const char *value, unsigned int *version);

/* xen_drm_front_evtchnl.c */

/**
 * typedef xdf_frame_done_fn - frame-done event callback
 * @data: the callback's data
 * @conn_idx: connector whose event page carried the event
 * @fb_cookie: framebuffer cookie from the event, not yet checked
 *
 * Called in interrupt context with the event lock held.
 */
typedef void (*xdf_frame_done_fn)(void *data, unsigned int conn_idx,
				  u64 fb_cookie);

struct xdf_channels;

extern unsigned int xdf_req_timeout_ms;

struct xdf_channels *xdf_channels_create(struct xenbus_device *xb_dev,
					 unsigned int count);
void xdf_channels_destroy(struct xdf_channels *chs);
int xdf_channels_publish(struct xdf_channels *chs,
			 struct xenbus_transaction xbt);
void xdf_channels_connect(struct xdf_channels *chs);
void xdf_channels_disconnect(struct xdf_channels *chs);
void xdf_channels_set_frame_done(struct xdf_channels *chs,
				 xdf_frame_done_fn fn, void *data);
int xdf_request(struct xdf_channels *chs, unsigned int conn_idx,
		struct xendispl_req *req, struct xendispl_resp *resp);

#endif /* __XEN_DRM_FRONT_PROTO_H_ */
