// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: connectors.
 *
 * A connector offers what the backend can show: the modes of the EDID the
 * backend gives (protocol version 2 on), else the resolution configured
 * in XenStore at 60 Hz. It is always connected: a backend that goes away
 * takes the whole device with it.
 */

#include <linux/mm.h>
#include <linux/slab.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_connector.h>
#include <drm/drm_edid.h>
#include <drm/drm_managed.h>
#include <drm/drm_modes.h>
#include <drm/drm_print.h>
#include <drm/drm_probe_helper.h>

#include "xen_drm_front.h"

static bool xdf_refresh_matches(int refresh, int wanted)
{
	return refresh >= wanted - 1 && refresh <= wanted + 1;
}

/**
 * xdf_conn_mode_valid() - whether the backend offers a mode on a connector
 * @xp: the connector's pipe
 * @mode: the mode
 *
 * Only what the backend offers: the configured resolution at 60 Hz, or a
 * mode of its EDID; size, refresh and so clock are all checked.
 *
 * Return: MODE_OK or why not.
 */
enum drm_mode_status xdf_conn_mode_valid(struct xdf_pipe *xp,
					 const struct drm_display_mode *mode)
{
	const struct xdf_connector_cfg *cfg = &xp->xdrm->cfg.connectors[xp->idx];
	int refresh = drm_mode_vrefresh(mode);
	enum drm_mode_status status = MODE_BAD;
	unsigned int i;

	if (mode->flags & (DRM_MODE_FLAG_INTERLACE | DRM_MODE_FLAG_DBLSCAN))
		return MODE_NO_INTERLACE;

	if (mode->hdisplay == cfg->width && mode->vdisplay == cfg->height)
		status = xdf_refresh_matches(refresh, XDF_REFRESH_HZ) ?
			 MODE_OK : MODE_BAD_VVALUE;

	mutex_lock(&xp->modes_lock);
	for (i = 0; i < xp->num_modes && status != MODE_OK; i++) {
		if (mode->hdisplay != xp->modes[i].width ||
		    mode->vdisplay != xp->modes[i].height)
			continue;
		status = xdf_refresh_matches(refresh, xp->modes[i].refresh) ?
			 MODE_OK : MODE_BAD_VVALUE;
	}
	mutex_unlock(&xp->modes_lock);
	return status;
}

/*
 * The backend shows the configured resolution only; the mode around it is
 * a reduced-blanking 60 Hz timing, so its clock is what a client expects.
 */
static struct drm_display_mode *xdf_mode_create(struct drm_device *drm,
						u32 width, u32 height)
{
	struct drm_display_mode *mode = drm_mode_create(drm);

	if (!mode)
		return NULL;

	mode->hdisplay = width;
	mode->hsync_start = width + 48;
	mode->hsync_end = mode->hsync_start + 32;
	mode->htotal = mode->hsync_end + 80;
	mode->vdisplay = height;
	mode->vsync_start = height + 3;
	mode->vsync_end = mode->vsync_start + 6;
	mode->vtotal = mode->vsync_end + 25;
	/* Up to 8352 x 8226 x 60 Hz: more than an int holds before / 1000. */
	mode->clock = DIV_ROUND_UP_ULL((u64)mode->htotal * mode->vtotal *
				       XDF_REFRESH_HZ, 1000);
	mode->flags = DRM_MODE_FLAG_PHSYNC | DRM_MODE_FLAG_NVSYNC;
	mode->type = DRM_MODE_TYPE_DRIVER | DRM_MODE_TYPE_PREFERRED;
	drm_mode_set_name(mode);
	return mode;
}

/* Copies an EDID of @size bytes out of the shared pages, if it is one. */
static const struct drm_edid *xdf_edid_copy(struct xdf_pipe *xp,
					    struct page **pages, u32 size)
{
	const struct drm_edid *drm_edid = NULL;
	unsigned int i, len;
	u8 *buf;

	if (size < EDID_LENGTH || size > XENDISPL_EDID_MAX_SIZE ||
	    size % EDID_LENGTH) {
		drm_err(&xp->xdrm->drm, "connector %u: backend's EDID size %u is invalid\n",
			xp->idx, size);
		return NULL;
	}

	buf = kmalloc(size, GFP_KERNEL);
	if (!buf)
		return NULL;
	for (i = 0; i * PAGE_SIZE < size; i++) {
		len = min_t(u32, size - i * PAGE_SIZE, PAGE_SIZE);
		memcpy(buf + i * PAGE_SIZE, page_address(pages[i]), len);
	}

	/* The extension count must fit in what was sent before it is used. */
	len = (buf[0x7e] + 1) * EDID_LENGTH;
	if (len <= size && drm_edid_is_valid((struct edid *)buf))
		drm_edid = drm_edid_alloc(buf, len);
	else
		drm_err(&xp->xdrm->drm, "connector %u: backend's EDID is not valid\n",
			xp->idx);
	kfree(buf);
	return drm_edid;
}

/*
 * Asks the backend for the connector's EDID (protocol version 2 on) and
 * sets @edid to it, or to NULL. False if the backend could not be asked or
 * did not answer: the next probe asks again.
 */
static bool xdf_edid_read(struct xdf_pipe *xp, const struct drm_edid **edid)
{
	struct page *pages[XENDISPL_EDID_MAX_SIZE / PAGE_SIZE] = {};
	struct xendispl_resp resp;
	struct xendispl_req req;
	struct xdf_dbuf *shared;
	bool answered = false;
	unsigned int i;
	int ret;

	*edid = NULL;
	if (xp->xdrm->cfg.version == 1)
		return true;

	for (i = 0; i < ARRAY_SIZE(pages); i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!pages[i])
			goto out;
	}

	shared = xdf_dbuf_share(xp->xdrm, pages, ARRAY_SIZE(pages));
	if (IS_ERR(shared))
		goto out;

	req = (struct xendispl_req) {
		.operation = XENDISPL_OP_GET_EDID,
		.op.get_edid = {
			.buffer_sz = XENDISPL_EDID_MAX_SIZE,
			.gref_directory = shared->dir_grefs[0],
		},
	};
	ret = xdf_dev_request(xp->xdrm, xp->idx, &req, &resp);
	answered = ret != -ETIMEDOUT && ret != -ENODEV;
	if (!ret)
		*edid = xdf_edid_copy(xp, pages, resp.op.get_edid.edid_sz);
	else
		drm_dbg_kms(&xp->xdrm->drm, "connector %u: no EDID from the backend: %d\n",
			    xp->idx, ret);
	xdf_dbuf_put(shared);
out:
	for (i = 0; i < ARRAY_SIZE(pages) && pages[i]; i++)
		__free_page(pages[i]);
	return answered;
}

/* Remembers the modes the backend offers, for mode_valid. */
static void xdf_pipe_set_modes(struct xdf_pipe *xp)
{
	struct drm_display_mode *mode;
	unsigned int n = 0;

	mutex_lock(&xp->modes_lock);
	list_for_each_entry(mode, &xp->connector.probed_modes, head) {
		if (n == ARRAY_SIZE(xp->modes))
			break;
		xp->modes[n++] = (struct xdf_mode) {
			.width = mode->hdisplay,
			.height = mode->vdisplay,
			.refresh = drm_mode_vrefresh(mode),
		};
	}
	xp->num_modes = n;
	mutex_unlock(&xp->modes_lock);
}

static int xdf_connector_get_modes(struct drm_connector *connector)
{
	struct xdf_pipe *xp = container_of(connector, struct xdf_pipe, connector);
	const struct xdf_connector_cfg *cfg = &xp->xdrm->cfg.connectors[xp->idx];
	struct drm_display_mode *mode;
	int count = 0;

	/* The backend's EDID does not change: read it once it answers. */
	if (!xp->edid_read)
		xp->edid_read = xdf_edid_read(xp, &xp->edid);
	if (xp->edid)
		count = drm_edid_connector_update(connector, xp->edid);

	if (!count) {
		drm_edid_connector_update(connector, NULL);
		mode = xdf_mode_create(connector->dev, cfg->width, cfg->height);
		if (mode) {
			drm_mode_probed_add(connector, mode);
			count = 1;
		}
	}

	xdf_pipe_set_modes(xp);
	return count;
}

static enum drm_mode_status xdf_connector_mode_valid(struct drm_connector *connector,
						     struct drm_display_mode *mode)
{
	return xdf_conn_mode_valid(container_of(connector, struct xdf_pipe, connector),
				   mode);
}

static const struct drm_connector_helper_funcs xdf_connector_helper_funcs = {
	.get_modes = xdf_connector_get_modes,
	.mode_valid = xdf_connector_mode_valid,
};

static const struct drm_connector_funcs xdf_connector_funcs = {
	.debugfs_init = xdf_debugfs_connector_init,
	.reset = drm_atomic_helper_connector_reset,
	.fill_modes = drm_helper_probe_single_connector_modes,
	.destroy = drm_connector_cleanup,
	.atomic_duplicate_state = drm_atomic_helper_connector_duplicate_state,
	.atomic_destroy_state = drm_atomic_helper_connector_destroy_state,
};

static void xdf_conn_release(struct drm_device *drm, void *data)
{
	struct xdf_pipe *xp = data;

	drm_edid_free(xp->edid);
}

/**
 * xdf_conn_init() - initialize a pipe's connector
 * @xp: the pipe
 *
 * Return: 0 or a negative errno.
 */
int xdf_conn_init(struct xdf_pipe *xp)
{
	struct drm_device *drm = &xp->xdrm->drm;
	int ret;

	ret = drmm_mutex_init(drm, &xp->modes_lock);
	if (ret)
		return ret;
	ret = drmm_add_action_or_reset(drm, xdf_conn_release, xp);
	if (ret)
		return ret;

	drm_connector_helper_add(&xp->connector, &xdf_connector_helper_funcs);
	ret = drm_connector_init(drm, &xp->connector, &xdf_connector_funcs,
				 DRM_MODE_CONNECTOR_VIRTUAL);
	if (ret)
		return ret;

	drm_connector_attach_edid_property(&xp->connector);
	return 0;
}
