// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Xen para-virtual display frontend: framebuffers.
 *
 * A framebuffer is attached to the backend (FB_ATTACH) on a display buffer
 * before user space can name it, and detached when DRM destroys it. It
 * holds a reference to that display buffer of its own, so the buffer
 * stays shared with the backend while the framebuffer may be shown, even
 * once the GEM handle is gone. The display buffer is one whose stride
 * (DBUF_CREATE's width) and first pixel (data_ofs) are the framebuffer's
 * pitch and offset (xdf_gem_get_dbuf()).
 *
 * A backend without feature-fb-viewport may size what it shows from
 * FB_ATTACH, so it is only ever shown framebuffers of the mode's size. To
 * show part of a larger framebuffer there, that part is attached as a
 * framebuffer of its own, a view: the mode's size, on a display buffer of
 * the same stride whose first pixel is the part's. Views are made when a
 * commit is prepared, kept on the framebuffer for later commits, and
 * detached with it (or, unused, when too many pile up).
 */

#include <linux/dma-buf.h>
#include <linux/slab.h>

#include <drm/drm_atomic.h>
#include <drm/drm_atomic_state_helper.h>
#include <drm/drm_damage_helper.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_framebuffer_helper.h>
#include <drm/drm_modes.h>
#include <drm/drm_modeset_helper.h>
#include <drm/drm_print.h>

#include "xen_drm_front.h"

static_assert(offsetof(struct xdf_fb, base) == 0);

/**
 * struct xdf_plane_state - a primary plane's state
 * @base: the DRM plane state
 * @view_fb: the framebuffer of @view, of which a reference is held
 * @view: on a backend without feature-fb-viewport, the part of the plane's
 *	  framebuffer the backend is shown as a framebuffer of the mode's
 *	  size; NULL when the framebuffer is shown itself
 */
struct xdf_plane_state {
	struct drm_plane_state base;
	struct drm_framebuffer *view_fb;
	struct xdf_fb_view *view;
};

static struct xdf_plane_state *to_xdf_plane_state(struct drm_plane_state *state)
{
	return container_of(state, struct xdf_plane_state, base);
}

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

static void xdf_fb_detach_cookie(struct xdf_drm *xdrm, u64 cookie)
{
	struct xendispl_req req = {
		.operation = XENDISPL_OP_FB_DETACH,
		.op.fb_detach.fb_cookie = cookie,
	};
	int ret;

	ret = xdf_dev_request(xdrm, 0, &req, NULL);
	if (ret && ret != -ENODEV)
		drm_err(&xdrm->drm, "backend did not detach framebuffer %llu: %d\n",
			cookie, ret);
}

static void xdf_fb_view_free(struct xdf_drm *xdrm, struct xdf_fb_view *view)
{
	xdf_fb_detach_cookie(xdrm, view->cookie);
	xdf_cookie_free(xdrm, view->cookie);
	xdf_dbuf_put(view->dbuf);
	kfree(view);
}

static void xdf_fb_destroy(struct drm_framebuffer *fb)
{
	struct xdf_drm *xdrm = to_xdf_drm(fb->dev);
	struct xdf_fb *xfb = to_xdf_fb(fb);
	struct xdf_fb_view *view, *tmp;

	/* No plane state shows the framebuffer, so none shows its views. */
	list_for_each_entry_safe(view, tmp, &xfb->views, link)
		xdf_fb_view_free(xdrm, view);
	mutex_destroy(&xfb->views_lock);
	xdf_fb_detach_cookie(xdrm, xfb->cookie);
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

/*
 * What the backend can be told of: a display buffer's lines are
 * 4 * ceil(width * bpp / 32) bytes for some width, so the pitch is a
 * multiple of 4 bytes; any offset is carried by a display buffer's first
 * page and data_ofs. The core checked that the pitch holds a line.
 */
static int xdf_fb_check(struct drm_device *drm,
			const struct drm_mode_fb_cmd2 *cmd,
			const struct drm_format_info *info)
{
	u32 bpp = info->cpp[0] * 8, pitch = cmd->pitches[0];

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

	if (XENDISPL_PITCH((u64)pitch * 8 / bpp, bpp) != pitch) {
		drm_dbg_kms(drm, "pitch %u: displif lines are a multiple of 4 bytes\n",
			    pitch);
		return -EINVAL;
	}
	return 0;
}

/*
 * FB_ATTACH of @cookie, @width x @height of @format, on @dbuf. A backend
 * that answers late may still attach it: then it is detached.
 */
static int xdf_fb_attach_cookie(struct xdf_drm *xdrm, struct xdf_dbuf *dbuf,
				u64 cookie, u32 width, u32 height, u32 format)
{
	struct xendispl_req req = {
		.operation = XENDISPL_OP_FB_ATTACH,
		.op.fb_attach = {
			.dbuf_cookie = dbuf->cookie,
			.fb_cookie = cookie,
			.width = width,
			.height = height,
			.pixel_format = format,
		},
	};
	int ret;

	/* Framebuffers concern the whole device: first connector's ring. */
	ret = xdf_dev_request(xdrm, 0, &req, NULL);
	if (ret && ret != -ENODEV)
		drm_err(&xdrm->drm, "backend did not attach framebuffer %llu (%ux%u %p4cc): %d\n",
			cookie, width, height, &format, ret);
	if (ret == -ETIMEDOUT)
		xdf_fb_detach_cookie(xdrm, cookie);
	return ret;
}

/* Makes a view of @xfb; called with its views_lock held. */
static struct xdf_fb_view *xdf_fb_view_create(struct xdf_fb *xfb, u32 x,
					      u32 y, u32 width, u32 height)
{
	struct drm_framebuffer *fb = &xfb->base;
	struct xdf_drm *xdrm = to_xdf_drm(fb->dev);
	const struct xdf_dbuf_layout l = {
		.offset = fb->offsets[0] + y * fb->pitches[0] +
			  x * fb->format->cpp[0],
		.pitch = fb->pitches[0],
		.bpp = fb->format->cpp[0] * 8,
		.height = height,
	};
	struct xdf_fb_view *view;
	int ret;

	view = kzalloc(sizeof(*view), GFP_KERNEL);
	if (!view)
		return ERR_PTR(-ENOMEM);
	view->x = x;
	view->y = y;
	view->width = width;
	view->height = height;

	ret = xdf_cookie_alloc(xdrm, &view->cookie);
	if (ret)
		goto err_free;
	view->dbuf = xdf_gem_get_dbuf(fb->obj[0], &l);
	if (IS_ERR(view->dbuf)) {
		ret = PTR_ERR(view->dbuf);
		goto err_cookie;
	}
	ret = xdf_fb_attach_cookie(xdrm, view->dbuf, view->cookie, width,
				   height, fb->format->format);
	if (ret)
		goto err_dbuf;
	return view;

err_dbuf:
	xdf_dbuf_put(view->dbuf);
err_cookie:
	xdf_cookie_free(xdrm, view->cookie);
err_free:
	kfree(view);
	return ERR_PTR(ret);
}

/**
 * xdf_fb_view_get() - a part of a framebuffer as a framebuffer the backend
 *		       shows at its full size
 * @fb: one of our framebuffers
 * @x: the part's first column
 * @y: its first line
 * @width: its width, within @fb
 * @height: its height, within @fb
 *
 * For backends without feature-fb-viewport. A view made before is reused;
 * unused views beyond XDF_FB_VIEWS_MAX are detached first. May sleep and
 * send requests.
 *
 * Return: the view, with a user for the caller (xdf_fb_view_put()), or an
 * ERR_PTR() if the backend could not attach it.
 */
struct xdf_fb_view *xdf_fb_view_get(struct drm_framebuffer *fb, u32 x, u32 y,
				    u32 width, u32 height)
{
	struct xdf_drm *xdrm = to_xdf_drm(fb->dev);
	struct xdf_fb *xfb = to_xdf_fb(fb);
	struct xdf_fb_view *view, *tmp;

	mutex_lock(&xfb->views_lock);
	list_for_each_entry(view, &xfb->views, link) {
		if (view->x == x && view->y == y && view->width == width &&
		    view->height == height)
			goto found;
	}
	/* A panning client makes a view per position: bound the unused. */
	list_for_each_entry_safe(view, tmp, &xfb->views, link) {
		if (xfb->num_views < XDF_FB_VIEWS_MAX)
			break;
		if (view->users)
			continue;
		list_del(&view->link);
		xfb->num_views--;
		xdf_fb_view_free(xdrm, view);
	}
	view = xdf_fb_view_create(xfb, x, y, width, height);
	if (IS_ERR(view))
		goto out;
	list_add_tail(&view->link, &xfb->views);
	xfb->num_views++;
found:
	view->users++;
out:
	mutex_unlock(&xfb->views_lock);
	return view;
}

/**
 * xdf_fb_view_ref() - one more user of a view
 * @fb: the framebuffer of @view
 * @view: a view with a user already
 */
void xdf_fb_view_ref(struct drm_framebuffer *fb, struct xdf_fb_view *view)
{
	struct xdf_fb *xfb = to_xdf_fb(fb);

	mutex_lock(&xfb->views_lock);
	view->users++;
	mutex_unlock(&xfb->views_lock);
}

/**
 * xdf_fb_view_put() - one user less of a view
 * @fb: the framebuffer of @view
 * @view: the view; it stays attached, for reuse, while @fb lives
 */
void xdf_fb_view_put(struct drm_framebuffer *fb, struct xdf_fb_view *view)
{
	struct xdf_fb *xfb = to_xdf_fb(fb);

	mutex_lock(&xfb->views_lock);
	view->users--;
	mutex_unlock(&xfb->views_lock);
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
	struct xdf_dbuf_layout l = {
		.offset = cmd->offsets[0],
		.pitch = cmd->pitches[0],
		.bpp = info->cpp[0] * 8,
		.height = cmd->height,
	};
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
	if (size < cmd->offsets[0] + (u64)cmd->pitches[0] * cmd->height) {
		drm_dbg_kms(drm, "buffer of %zu bytes too small for %ux%u, pitch %u, offset %u\n",
			    size, cmd->width, cmd->height, cmd->pitches[0],
			    cmd->offsets[0]);
		ret = -EINVAL;
		goto err_put_obj;
	}

	xfb = kzalloc(sizeof(*xfb), GFP_KERNEL);
	if (!xfb) {
		ret = -ENOMEM;
		goto err_put_obj;
	}

	mutex_init(&xfb->views_lock);
	INIT_LIST_HEAD(&xfb->views);
	ret = xdf_cookie_alloc(xdrm, &xfb->cookie);
	if (ret)
		goto err_free;
	xfb->dbuf = xdf_gem_get_dbuf(obj, &l);
	if (IS_ERR(xfb->dbuf)) {
		ret = PTR_ERR(xfb->dbuf);
		goto err_cookie;
	}

	/* The backend knows the framebuffer before user space can name it. */
	ret = xdf_fb_attach_cookie(xdrm, xfb->dbuf, xfb->cookie, cmd->width,
				   cmd->height, cmd->pixel_format);
	if (ret)
		goto err_release;

	drm_helper_mode_fill_fb_struct(drm, &xfb->base, cmd);
	xfb->base.obj[0] = obj;
	ret = drm_framebuffer_init(drm, &xfb->base, &xdf_fb_funcs);
	if (ret) {
		xdf_fb_detach_cookie(xdrm, xfb->cookie);
		goto err_release;
	}
	return &xfb->base;

err_release:
	xdf_dbuf_put(xfb->dbuf);
err_cookie:
	xdf_cookie_free(xdrm, xfb->cookie);
err_free:
	mutex_destroy(&xfb->views_lock);
	kfree(xfb);
err_put_obj:
	drm_gem_object_put(obj);
	return ERR_PTR(ret);
}

/*
 * Whether the backend cannot be shown @fb from @x, @y in @mode itself: it
 * did not announce feature-fb-viewport, and may size what it shows from
 * FB_ATTACH (displ_be does, and fails on anything larger than the mode).
 */
static bool xdf_fb_needs_view(struct drm_framebuffer *fb, u32 x, u32 y,
			      const struct drm_display_mode *mode)
{
	return !to_xdf_drm(fb->dev)->cfg.fb_viewport &&
	       (x || y || fb->width != mode->hdisplay ||
		fb->height != mode->vdisplay);
}

/**
 * xdf_fb_shown() - what the backend is to be shown of a plane
 * @state: the plane's state, with a framebuffer
 * @mode: its CRTC's mode
 * @x: set to the column of the framebuffer shown at the left edge
 * @y: set to the line shown at the top
 *
 * The framebuffer and the part's position, or the view that
 * xdf_fb_plane_prepare() made of that part, at 0, 0.
 *
 * Return: the cookie to show, or 0 if a view is needed but the backend did
 * not attach it.
 */
u64 xdf_fb_shown(struct drm_plane_state *state,
		 const struct drm_display_mode *mode, u32 *x, u32 *y)
{
	struct xdf_plane_state *s = to_xdf_plane_state(state);

	*x = state->src_x >> 16;
	*y = state->src_y >> 16;
	if (!xdf_fb_needs_view(state->fb, *x, *y, mode))
		return to_xdf_fb(state->fb)->cookie;
	*x = 0;
	*y = 0;
	return s->view ? s->view->cookie : 0;
}

static void xdf_plane_drop_view(struct xdf_plane_state *s)
{
	if (!s->view)
		return;
	xdf_fb_view_put(s->view_fb, s->view);
	drm_framebuffer_put(s->view_fb);
	s->view = NULL;
	s->view_fb = NULL;
}

/**
 * xdf_fb_plane_prepare() - make the view a plane's state is to show
 * @state: a plane state of a commit, not yet swapped in
 *
 * For a backend without feature-fb-viewport showing a framebuffer that is
 * not the mode's size at 0, 0. Called while the state is the commit's own:
 * the commit tail must not write a state that the next commit may be
 * duplicating. A backend that does not attach the view does not fail the
 * commit (backend trouble never does): xdf_fb_shown() then finds none.
 * May sleep and send requests.
 */
void xdf_fb_plane_prepare(struct drm_plane_state *state)
{
	struct xdf_plane_state *s = to_xdf_plane_state(state);
	struct drm_crtc_state *crtc_state = NULL;
	struct drm_framebuffer *fb = state->fb;
	struct xdf_fb_view *view;
	u32 x, y, width, height;

	x = state->src_x >> 16;
	y = state->src_y >> 16;
	if (fb && state->crtc)
		crtc_state = drm_atomic_get_new_crtc_state(state->state,
							   state->crtc);
	if (!crtc_state || !crtc_state->active ||
	    !xdf_fb_needs_view(fb, x, y, &crtc_state->mode)) {
		xdf_plane_drop_view(s);
		return;
	}
	width = crtc_state->mode.hdisplay;
	height = crtc_state->mode.vdisplay;
	if (s->view && s->view_fb == fb && s->view->x == x &&
	    s->view->y == y && s->view->width == width &&
	    s->view->height == height)
		return;

	xdf_plane_drop_view(s);
	view = xdf_fb_view_get(fb, x, y, width, height);
	if (IS_ERR(view))
		return;
	drm_framebuffer_get(fb);
	s->view_fb = fb;
	s->view = view;
}

/**
 * xdf_fb_hold() - keep what a plane state shows, after the state is gone
 * @hold: what is kept; what it held before is let go of
 * @state: the plane state, or NULL to keep nothing
 *
 * A view kept has a user: a panning client's new views do not evict it.
 * May sleep and send requests (letting go of the last reference to a
 * framebuffer detaches it).
 */
void xdf_fb_hold(struct xdf_fb_hold *hold, struct drm_plane_state *state)
{
	struct xdf_fb_hold old = *hold;

	*hold = (struct xdf_fb_hold){};
	if (state && state->fb) {
		struct xdf_plane_state *s = to_xdf_plane_state(state);

		hold->fb = state->fb;
		drm_framebuffer_get(hold->fb);
		if (s->view) {
			hold->view_fb = s->view_fb;
			hold->view = s->view;
			drm_framebuffer_get(hold->view_fb);
			xdf_fb_view_ref(hold->view_fb, hold->view);
		}
	}
	if (old.view) {
		xdf_fb_view_put(old.view_fb, old.view);
		drm_framebuffer_put(old.view_fb);
	}
	if (old.fb)
		drm_framebuffer_put(old.fb);
}

/**
 * xdf_fb_plane_destroy_state() - &drm_plane_funcs.atomic_destroy_state
 * @state: the state; its view loses a user
 */
void xdf_fb_plane_destroy_state(struct drm_plane_state *state)
{
	struct xdf_plane_state *s = to_xdf_plane_state(state);

	xdf_plane_drop_view(s);
	__drm_atomic_helper_plane_destroy_state(state);
	kfree(s);
}

/**
 * xdf_fb_plane_reset() - &drm_plane_funcs.reset: a state with no view
 * @plane: the plane
 */
void xdf_fb_plane_reset(struct drm_plane *plane)
{
	struct xdf_plane_state *s;

	if (plane->state) {
		xdf_fb_plane_destroy_state(plane->state);
		plane->state = NULL;
	}
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (s)
		__drm_atomic_helper_plane_reset(plane, &s->base);
}

/**
 * xdf_fb_plane_duplicate_state() - &drm_plane_funcs.atomic_duplicate_state
 * @plane: the plane
 *
 * Return: a copy of the plane's state, showing the same view, or NULL.
 */
struct drm_plane_state *xdf_fb_plane_duplicate_state(struct drm_plane *plane)
{
	struct xdf_plane_state *old, *s;

	if (WARN_ON(!plane->state))
		return NULL;
	old = to_xdf_plane_state(plane->state);
	s = kzalloc(sizeof(*s), GFP_KERNEL);
	if (!s)
		return NULL;
	__drm_atomic_helper_plane_duplicate_state(plane, &s->base);
	if (old->view) {
		xdf_fb_view_ref(old->view_fb, old->view);
		drm_framebuffer_get(old->view_fb);
		s->view_fb = old->view_fb;
		s->view = old->view;
	}
	return &s->base;
}
