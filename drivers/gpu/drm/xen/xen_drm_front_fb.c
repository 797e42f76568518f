// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: framebuffers.
 *
 * A framebuffer is attached to the backend (FB_ATTACH) on a display buffer
 * before user space can name it, and detached when DRM destroys it. It
 * holds a reference to that display buffer of its own, so the buffer
 * stays shared with the backend while the framebuffer may be shown, even
 * once the GEM handle is gone.
 */

#include <linux/dma-buf.h>
#include <linux/slab.h>

#include <drm/drm_damage_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_modeset_helper.h>
#include <drm/drm_print.h>

#include "xen_drm_front.h"

static_assert(offsetof(struct xdf_fb, base) == 0);

const u32 xdf_fb_formats[] = {
	DRM_FORMAT_XRGB8888,
	DRM_FORMAT_ARGB8888,
	DRM_FORMAT_RGB888,
	DRM_FORMAT_RGB565,
	DRM_FORMAT_XRGB1555,
	DRM_FORMAT_ARGB1555,
	DRM_FORMAT_XRGB4444,
	DRM_FORMAT_ARGB4444,
};

const unsigned int xdf_fb_num_formats = ARRAY_SIZE(xdf_fb_formats);

const u64 xdf_fb_modifiers[] = {
	DRM_FORMAT_MOD_LINEAR,
	DRM_FORMAT_MOD_INVALID,
};

static void xdf_fb_detach(struct xdf_drm *xdrm, struct xdf_fb *xfb)
{
	struct xendispl_req req = {
		.operation = XENDISPL_OP_FB_DETACH,
		.op.fb_detach.fb_cookie = xfb->cookie,
	};
	int ret;

	ret = xdf_dev_request(xdrm, 0, &req, NULL);
	if (ret && ret != -ENODEV)
		drm_err(&xdrm->drm, "backend did not detach framebuffer %llu: %d\n",
			xfb->cookie, ret);
}

static void xdf_fb_destroy(struct drm_framebuffer *fb)
{
	struct xdf_drm *xdrm = to_xdf_drm(fb->dev);
	struct xdf_fb *xfb = to_xdf_fb(fb);

	xdf_fb_detach(xdrm, xfb);
	xdf_cookie_free(xdrm, xfb->cookie);
	xdf_dbuf_put(xfb->dbuf);
	drm_gem_fb_destroy(fb);
}

static const struct drm_framebuffer_funcs xdf_fb_funcs = {
	.destroy = xdf_fb_destroy,
	.create_handle = drm_gem_fb_create_handle,
	.dirty = drm_atomic_helper_dirtyfb,
};

static bool xdf_format_supported(u32 format)
{
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(xdf_fb_formats); i++)
		if (xdf_fb_formats[i] == format)
			return true;
	return false;
}

/* What the backend can show: it assumes the pitch and has no offset. */
static int xdf_fb_check(struct drm_device *drm,
			const struct drm_mode_fb_cmd2 *cmd,
			const struct drm_format_info *info)
{
	u32 pitch;

	if (!xdf_format_supported(cmd->pixel_format)) {
		drm_dbg_kms(drm, "format %p4cc not supported\n", &cmd->pixel_format);
		return -EINVAL;
	}
	if ((cmd->flags & DRM_MODE_FB_MODIFIERS) &&
	    cmd->modifier[0] != DRM_FORMAT_MOD_LINEAR) {
		drm_dbg_kms(drm, "modifier %#llx not supported\n", cmd->modifier[0]);
		return -EINVAL;
	}
	if (cmd->width > XDF_MAX_DIMENSION || cmd->height > XDF_MAX_DIMENSION)
		return -EINVAL;

	pitch = XENDISPL_PITCH(cmd->width, info->cpp[0] * 8);
	if (cmd->pitches[0] != pitch || cmd->offsets[0]) {
		drm_dbg_kms(drm, "pitch %u offset %u: the backend needs pitch %u, offset 0\n",
			    cmd->pitches[0], cmd->offsets[0], pitch);
		return -EINVAL;
	}
	return 0;
}

static int xdf_fb_attach(struct xdf_drm *xdrm, struct xdf_fb *xfb,
			 const struct drm_mode_fb_cmd2 *cmd)
{
	struct xendispl_req req = {
		.operation = XENDISPL_OP_FB_ATTACH,
		.op.fb_attach = {
			.dbuf_cookie = xfb->dbuf->cookie,
			.fb_cookie = xfb->cookie,
			.width = cmd->width,
			.height = cmd->height,
			.pixel_format = cmd->pixel_format,
		},
	};
	int ret;

	/* Framebuffers concern the whole device: first connector's ring. */
	ret = xdf_dev_request(xdrm, 0, &req, NULL);
	if (ret && ret != -ENODEV)
		drm_err(&xdrm->drm, "backend did not attach framebuffer %llu (%ux%u %p4cc): %d\n",
			xfb->cookie, cmd->width, cmd->height, &cmd->pixel_format, ret);
	return ret;
}

/**
 * xdf_fb_create() - create a framebuffer, known to the backend before
 *		     user space can name it
 * @drm: the device
 * @file: the client whose GEM handle @cmd names
 * @cmd: the framebuffer's description
 *
 * Return: the framebuffer, or an ERR_PTR().
 */
struct drm_framebuffer *xdf_fb_create(struct drm_device *drm,
				      struct drm_file *file,
				      const struct drm_mode_fb_cmd2 *cmd)
{
	const struct drm_format_info *info = drm_get_format_info(drm, cmd);
	struct xdf_drm *xdrm = to_xdf_drm(drm);
	struct drm_gem_object *obj;
	struct xdf_fb *xfb;
	size_t size;
	int ret;

	ret = xdf_fb_check(drm, cmd, info);
	if (ret)
		return ERR_PTR(ret);

	obj = drm_gem_object_lookup(file, cmd->handles[0]);
	if (!obj)
		return ERR_PTR(-ENOENT);

	/* An imported buffer has the exporter's size, not page-rounded. */
	size = obj->import_attach ? obj->import_attach->dmabuf->size : obj->size;
	if (size < (u64)cmd->pitches[0] * cmd->height) {
		drm_dbg_kms(drm, "buffer of %zu bytes too small for %ux%u, pitch %u\n",
			    size, cmd->width, cmd->height, cmd->pitches[0]);
		ret = -EINVAL;
		goto err_put_obj;
	}

	xfb = kzalloc(sizeof(*xfb), GFP_KERNEL);
	if (!xfb) {
		ret = -ENOMEM;
		goto err_put_obj;
	}

	ret = xdf_cookie_alloc(xdrm, &xfb->cookie);
	if (ret)
		goto err_free;
	xfb->dbuf = xdf_gem_to_dbuf(obj);
	xdf_dbuf_get(xfb->dbuf);

	/* The backend knows the framebuffer before user space can name it. */
	ret = xdf_fb_attach(xdrm, xfb, cmd);
	if (ret) {
		/* A backend that answers late may still attach it: detach. */
		if (ret == -ETIMEDOUT)
			xdf_fb_detach(xdrm, xfb);
		goto err_release;
	}

	drm_helper_mode_fill_fb_struct(drm, &xfb->base, cmd);
	xfb->base.obj[0] = obj;
	ret = drm_framebuffer_init(drm, &xfb->base, &xdf_fb_funcs);
	if (ret) {
		xdf_fb_detach(xdrm, xfb);
		goto err_release;
	}
	return &xfb->base;

err_release:
	xdf_dbuf_put(xfb->dbuf);
	xdf_cookie_free(xdrm, xfb->cookie);
err_free:
	kfree(xfb);
err_put_obj:
	drm_gem_object_put(obj);
	return ERR_PTR(ret);
}
