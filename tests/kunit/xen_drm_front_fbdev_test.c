// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit: the fbdev console as the backend sees it.
 *
 * UML cannot build fbcon, so the suite does to the fb_info the driver's
 * fbdev emulation registered what fbcon does with it: take the display
 * over (fb_set_par), load the palette (fb_set_cmap) and draw glyphs and
 * rectangles (fb_imageblit, fb_fillrect). Those land in fbdev's shadow
 * buffer; its damage worker copies them to the framebuffer's display
 * buffer and reports the damage, which must reach the backend as a
 * PG_FLIP of that framebuffer whose pixels the backend reads through its
 * grant mappings.
 */

#include <kunit/test.h>
#include <asm/byteorder.h>
#include <linux/delay.h>
#include <linux/fb.h>
#include <linux/slab.h>
#include <linux/workqueue.h>

#include <drm/drm_auth.h>
#include <drm/drm_client.h>
#include <drm/drm_device.h>
#include <drm/drm_fb_helper.h>
#include <drm/drm_file.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_gem_shmem_helper.h>

#include "../../drm_internal.h"
#include "../xen_drm_front.h"
#include "xen_drm_front_sim.h"
#include "xen_drm_front_test.h"

#define FT_WIDTH	1024
#define FT_HEIGHT	768
#define FT_PITCH	(FT_WIDTH * 4)

/**
 * struct ft_ctx - one test's device
 * @sdev: the simulated vdispl device
 * @xdrm: its DRM device
 * @info: the fb_info of its fbdev emulation
 * @fb_cookie: the fbdev framebuffer's cookie, from its FB_ATTACH
 * @dbuf_cookie: its display buffer's cookie
 * @saved_fbdev: xdf_fbdev before the test
 */
struct ft_ctx {
	struct xdf_sim_dev *sdev;
	struct xdf_drm *xdrm;
	struct fb_info *info;
	u64 fb_cookie;
	u64 dbuf_cookie;
	bool saved_fbdev;
};

/* Requests of operation @op the backend received on @conn. */
static unsigned int ft_count(struct ft_ctx *ctx, unsigned int conn, u8 op)
{
	struct xendispl_req req;
	unsigned int i, n = 0;

	for (i = 0; xdf_sim_backend_request(ctx->sdev, conn, i, &req); i++)
		n += req.operation == op;
	return n;
}

/* The last request of operation @op on @conn. */
static bool ft_last(struct ft_ctx *ctx, unsigned int conn, u8 op,
		    struct xendispl_req *out)
{
	struct xendispl_req req;
	bool found = false;
	unsigned int i;

	for (i = 0; xdf_sim_backend_request(ctx->sdev, conn, i, &req); i++) {
		if (req.operation == op) {
			*out = req;
			found = true;
		}
	}
	return found;
}

/*
 * Connect a device with @n connectors of FT_WIDTH x FT_HEIGHT: its fbdev
 * emulation is set up at once, on a framebuffer the backend knows.
 */
static struct ft_ctx *ft_connect(struct kunit *test, unsigned int n)
{
	static const char * const ids[] = { "0", "1", "2", "3" };
	struct ft_ctx *ctx = test->priv;
	struct xdf_sim_config cfg = { .num_connectors = n };
	struct xdf_sim_fb_info fbi;
	struct drm_fb_helper *helper;
	struct xendispl_req req;
	unsigned int i;

	for (i = 0; i < n; i++)
		cfg.connectors[i] = (struct xdf_sim_connector) {
			.resolution = "1024x768", .unique_id = ids[i],
		};
	ctx->xdrm = xdf_test_connect(test, &cfg, &ctx->sdev);
	helper = ctx->xdrm->drm.fb_helper;
	KUNIT_ASSERT_NOT_NULL(test, helper);
	ctx->info = helper->fbdev;
	KUNIT_ASSERT_NOT_NULL(test, ctx->info);

	KUNIT_ASSERT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 1u);
	KUNIT_ASSERT_TRUE(test, ft_last(ctx, 0, XENDISPL_OP_FB_ATTACH, &req));
	ctx->fb_cookie = req.op.fb_attach.fb_cookie;
	KUNIT_ASSERT_TRUE(test, xdf_sim_backend_fb(ctx->sdev, ctx->fb_cookie,
						   &fbi));
	ctx->dbuf_cookie = fbi.dbuf_cookie;
	KUNIT_EXPECT_EQ(test, fbi.width, (u32)FT_WIDTH);
	KUNIT_EXPECT_EQ(test, fbi.height, (u32)FT_HEIGHT);
	KUNIT_EXPECT_EQ(test, fbi.pixel_format, (u32)DRM_FORMAT_XRGB8888);
	return ctx;
}

/* What fbcon does when it takes the display over. */
static void ft_take_over(struct kunit *test, struct ft_ctx *ctx)
{
	KUNIT_ASSERT_EQ(test, ctx->info->fbops->fb_set_par(ctx->info), 0);
	xdf_sim_settle();
}

/* A 16-colour palette; entry i as the backend must see it. */
static u16 ft_red(unsigned int i)
{
	return i * 0x1111;
}

static u16 ft_green(unsigned int i)
{
	return (15 - i) * 0x1111;
}

static u16 ft_blue(unsigned int i)
{
	return (i * 7 % 16) * 0x1111;
}

static u32 ft_pixel(struct fb_info *info, unsigned int i)
{
	const struct fb_var_screeninfo *var = &info->var;
	u32 v;

	v = (u32)(ft_red(i) >> (16 - var->red.length)) << var->red.offset |
	    (u32)(ft_green(i) >> (16 - var->green.length)) << var->green.offset |
	    (u32)(ft_blue(i) >> (16 - var->blue.length)) << var->blue.offset;
	if (var->transp.length)
		v |= ((1u << var->transp.length) - 1) << var->transp.offset;
	return v;
}

/* fbcon loads its palette through fb_set_cmap(). */
static int ft_set_palette(struct kunit *test, struct ft_ctx *ctx)
{
	struct fb_cmap cmap = {};
	unsigned int i;
	int ret;

	KUNIT_ASSERT_EQ(test, fb_alloc_cmap(&cmap, 16, 0), 0);
	for (i = 0; i < 16; i++) {
		cmap.red[i] = ft_red(i);
		cmap.green[i] = ft_green(i);
		cmap.blue[i] = ft_blue(i);
	}
	ret = fb_set_cmap(&cmap, ctx->info);
	fb_dealloc_cmap(&cmap);
	return ret;
}

/* An 8x16 glyph, one byte a row, leftmost pixel in the top bit. */
static u8 ft_glyph_row(unsigned int row)
{
	return 0x81 | (0x80 >> (row % 8)) | (row << 3);
}

#define FT_GLYPH_X	16
#define FT_GLYPH_Y	32
#define FT_GLYPH_FG	15
#define FT_GLYPH_BG	1

#define FT_RECT_X	100
#define FT_RECT_Y	200
#define FT_RECT_W	64
#define FT_RECT_H	10
#define FT_RECT_COLOR	2

/* Draw as fbcon does: a glyph, then a filled rectangle. */
static void ft_draw(struct ft_ctx *ctx)
{
	u8 data[16];
	struct fb_image image = {
		.dx = FT_GLYPH_X, .dy = FT_GLYPH_Y,
		.width = 8, .height = 16,
		.fg_color = FT_GLYPH_FG, .bg_color = FT_GLYPH_BG,
		.depth = 1,
		.data = (const char *)data,
	};
	struct fb_fillrect rect = {
		.dx = FT_RECT_X, .dy = FT_RECT_Y,
		.width = FT_RECT_W, .height = FT_RECT_H,
		.color = FT_RECT_COLOR, .rop = ROP_COPY,
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(data); i++)
		data[i] = ft_glyph_row(i);
	ctx->info->fbops->fb_imageblit(ctx->info, &image);
	ctx->info->fbops->fb_fillrect(ctx->info, &rect);
}

/* Let fbdev's damage worker copy and report what was drawn. */
static void ft_flush(struct ft_ctx *ctx)
{
	flush_work(&ctx->xdrm->drm.fb_helper->damage_work);
	xdf_sim_settle();
}

/* Through its grant mappings, the backend sees the glyph and rectangle. */
static void ft_backend_sees(struct kunit *test, struct ft_ctx *ctx)
{
	u32 fg = ft_pixel(ctx->info, FT_GLYPH_FG);
	u32 bg = ft_pixel(ctx->info, FT_GLYPH_BG);
	u32 color = ft_pixel(ctx->info, FT_RECT_COLOR);
	unsigned int x, y, bad = 0;
	__le32 row[FT_RECT_W + 2];
	u32 want;

	for (y = 0; y < 16; y++) {
		KUNIT_ASSERT_EQ(test, xdf_sim_backend_dbuf_read(ctx->sdev, ctx->dbuf_cookie,
								(FT_GLYPH_Y + y) * FT_PITCH +
								(FT_GLYPH_X - 1) * 4,
								row, 10 * 4), 0);
		for (x = 0; x < 10; x++) {
			want = 0;
			if (x >= 1 && x <= 8)
				want = ft_glyph_row(y) & (0x80 >> (x - 1)) ? fg : bg;
			bad += le32_to_cpu(row[x]) != want;
		}
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0u, "glyph: %u pixels wrong", bad);

	bad = 0;
	for (y = FT_RECT_Y - 1; y <= FT_RECT_Y + FT_RECT_H; y++) {
		KUNIT_ASSERT_EQ(test, xdf_sim_backend_dbuf_read(ctx->sdev, ctx->dbuf_cookie,
								y * FT_PITCH +
								(FT_RECT_X - 1) * 4,
								row, sizeof(row)), 0);
		for (x = 0; x < ARRAY_SIZE(row); x++) {
			want = y >= FT_RECT_Y && y < FT_RECT_Y + FT_RECT_H &&
			       x >= 1 && x <= FT_RECT_W ? color : 0;
			bad += le32_to_cpu(row[x]) != want;
		}
	}
	KUNIT_EXPECT_EQ_MSG(test, bad, 0u, "rectangle: %u pixels wrong", bad);
}

/*
 * The console: fbdev shows nothing until fbcon takes the display over;
 * then a SET_CONFIG shows its framebuffer, and what is drawn reaches the
 * backend as a PG_FLIP of it, pixels included.
 */
static void ft_console(struct kunit *test)
{
	struct ft_ctx *ctx = ft_connect(test, 1);
	struct fb_info *info = ctx->info;
	struct xendispl_req req;
	unsigned int flips;

	KUNIT_EXPECT_EQ(test, info->var.xres, (u32)FT_WIDTH);
	KUNIT_EXPECT_EQ(test, info->var.yres, (u32)FT_HEIGHT);
	KUNIT_EXPECT_EQ(test, info->var.bits_per_pixel, 32u);
	/* /proc/fb's name, from the DRM driver's, whole in its 16 bytes. */
	KUNIT_EXPECT_STREQ(test, info->fix.id, "xendrm-dudrmfb");
	KUNIT_EXPECT_EQ(test, info->fix.line_length, (u32)FT_PITCH);
	KUNIT_EXPECT_EQ(test, info->fix.visual, (u32)FB_VISUAL_TRUECOLOR);
	KUNIT_EXPECT_EQ(test, info->var.red.offset, 16u);
	KUNIT_EXPECT_EQ(test, info->var.green.offset, 8u);
	KUNIT_EXPECT_EQ(test, info->var.blue.offset, 0u);
	KUNIT_EXPECT_EQ(test, ft_count(ctx, 0, XENDISPL_OP_SET_CONFIG), 0u);

	KUNIT_ASSERT_EQ(test, ft_count(ctx, 0, XENDISPL_OP_DBUF_CREATE), 1u);
	KUNIT_ASSERT_TRUE(test, ft_last(ctx, 0, XENDISPL_OP_DBUF_CREATE, &req));
	KUNIT_EXPECT_EQ(test, req.op.dbuf_create.dbuf_cookie, ctx->dbuf_cookie);
	KUNIT_EXPECT_EQ(test, req.op.dbuf_create.buffer_sz,
			(u32)(FT_PITCH * FT_HEIGHT));

	ft_take_over(test, ctx);
	KUNIT_ASSERT_EQ(test, ft_count(ctx, 0, XENDISPL_OP_SET_CONFIG), 1u);
	KUNIT_ASSERT_TRUE(test, ft_last(ctx, 0, XENDISPL_OP_SET_CONFIG, &req));
	KUNIT_EXPECT_EQ(test, req.op.set_config.fb_cookie, ctx->fb_cookie);
	KUNIT_EXPECT_EQ(test, req.op.set_config.width, (u32)FT_WIDTH);
	KUNIT_EXPECT_EQ(test, req.op.set_config.height, (u32)FT_HEIGHT);
	KUNIT_EXPECT_EQ(test, req.op.set_config.bpp, 32u);
	flips = ft_count(ctx, 0, XENDISPL_OP_PG_FLIP);

	KUNIT_ASSERT_EQ(test, ft_set_palette(test, ctx), 0);
	ft_draw(ctx);
	ft_flush(ctx);
	KUNIT_ASSERT_GT(test, ft_count(ctx, 0, XENDISPL_OP_PG_FLIP), flips);
	KUNIT_ASSERT_TRUE(test, ft_last(ctx, 0, XENDISPL_OP_PG_FLIP, &req));
	KUNIT_EXPECT_EQ(test, req.op.pg_flip.fb_cookie, ctx->fb_cookie);
	ft_backend_sees(test, ctx);
	KUNIT_EXPECT_EQ(test, ctx->xdrm->pipes[0].stats.errors, 0ull);
	KUNIT_EXPECT_EQ(test, ctx->xdrm->pipes[0].stats.timeouts, 0ull);
}

/*
 * fbdev maps its buffer at each flush, fbcon's cursor blinks five times a
 * second: the mapping made at the first flush is the one every later
 * flush uses, kept while no flush runs (in a PV guest each mapping and
 * unmapping is a hypercall per page), and the backend sees each drawing.
 */
static void ft_flush_mapped_once(struct kunit *test)
{
	struct ft_ctx *ctx = ft_connect(test, 1);
	struct drm_gem_shmem_object *shmem;
	void *vaddr;

	shmem = to_drm_gem_shmem_obj(ctx->xdrm->drm.fb_helper->buffer->gem);
	ft_take_over(test, ctx);
	KUNIT_ASSERT_EQ(test, ft_set_palette(test, ctx), 0);
	ft_draw(ctx);
	ft_flush(ctx);
	vaddr = shmem->vaddr;
	KUNIT_EXPECT_NOT_NULL_MSG(test, vaddr, "no mapping kept after a flush");
	KUNIT_EXPECT_GT(test, shmem->vmap_use_count, 0u);

	ft_draw(ctx);
	ft_flush(ctx);
	KUNIT_EXPECT_PTR_EQ_MSG(test, shmem->vaddr, vaddr,
				"the buffer was mapped again");
	ft_backend_sees(test, ctx);
}

/*
 * Drawn before fbcon took the display over: no flip of a framebuffer the
 * backend does not show, but the pixels are in it when it is shown.
 */
static void ft_draw_before_take_over(struct kunit *test)
{
	struct ft_ctx *ctx = ft_connect(test, 1);
	struct xendispl_req req;

	KUNIT_ASSERT_EQ(test, ft_set_palette(test, ctx), 0);
	ft_draw(ctx);
	ft_flush(ctx);
	KUNIT_EXPECT_EQ(test, ft_count(ctx, 0, XENDISPL_OP_PG_FLIP), 0u);
	KUNIT_EXPECT_EQ(test, ft_count(ctx, 0, XENDISPL_OP_SET_CONFIG), 0u);

	ft_take_over(test, ctx);
	KUNIT_ASSERT_TRUE(test, ft_last(ctx, 0, XENDISPL_OP_SET_CONFIG, &req));
	KUNIT_EXPECT_EQ(test, req.op.set_config.fb_cookie, ctx->fb_cookie);
	ft_backend_sees(test, ctx);
}

/* Two connectors: the console is shown on both, from one framebuffer. */
static void ft_two_connectors(struct kunit *test)
{
	struct ft_ctx *ctx = ft_connect(test, 2);
	struct xendispl_req req;
	unsigned int i;

	ft_take_over(test, ctx);
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_TRUE_MSG(test, ft_last(ctx, i, XENDISPL_OP_SET_CONFIG,
						    &req), "connector %u", i);
		KUNIT_EXPECT_EQ(test, req.op.set_config.fb_cookie, ctx->fb_cookie);
	}
	KUNIT_ASSERT_EQ(test, ft_set_palette(test, ctx), 0);
	ft_draw(ctx);
	ft_flush(ctx);
	for (i = 0; i < 2; i++) {
		KUNIT_ASSERT_TRUE_MSG(test, ft_last(ctx, i, XENDISPL_OP_PG_FLIP,
						    &req), "connector %u", i);
		KUNIT_EXPECT_EQ(test, req.op.pg_flip.fb_cookie, ctx->fb_cookie);
	}
	ft_backend_sees(test, ctx);
}

/*
 * A DRM master (a compositor) holds the device: fbcon taking over does not
 * take its display, the palette cannot be set, and console drawing flips
 * nothing. Once the master is gone, the console is shown.
 */
static void ft_master(struct kunit *test)
{
	struct ft_ctx *ctx = ft_connect(test, 1);
	struct drm_file *file = xdf_test_open(test, ctx->xdrm);
	struct xendispl_req req;

	KUNIT_ASSERT_EQ(test, drm_master_open(file), 0);
	KUNIT_ASSERT_TRUE(test, drm_is_current_master(file));
	ft_take_over(test, ctx);
	KUNIT_EXPECT_EQ(test, ft_set_palette(test, ctx), -EBUSY);
	ft_draw(ctx);
	ft_flush(ctx);
	KUNIT_EXPECT_EQ(test, ft_count(ctx, 0, XENDISPL_OP_SET_CONFIG), 0u);
	KUNIT_EXPECT_EQ(test, ft_count(ctx, 0, XENDISPL_OP_PG_FLIP), 0u);

	xdf_test_close(ctx->xdrm, file);
	ft_take_over(test, ctx);
	KUNIT_ASSERT_TRUE(test, ft_last(ctx, 0, XENDISPL_OP_SET_CONFIG, &req));
	KUNIT_EXPECT_EQ(test, req.op.set_config.fb_cookie, ctx->fb_cookie);
	KUNIT_ASSERT_EQ(test, ft_set_palette(test, ctx), 0);
	ft_draw(ctx);
	ft_flush(ctx);
	KUNIT_ASSERT_TRUE(test, ft_last(ctx, 0, XENDISPL_OP_PG_FLIP, &req));
	KUNIT_EXPECT_EQ(test, req.op.pg_flip.fb_cookie, ctx->fb_cookie);
	ft_backend_sees(test, ctx);
}

/*
 * The backend goes away while the console is shown: the device and its
 * fbdev emulation go without a warning, and nothing is left (checked at
 * exit).
 */
static void ft_backend_gone(struct kunit *test)
{
	struct ft_ctx *ctx = ft_connect(test, 1);

	ft_take_over(test, ctx);
	KUNIT_ASSERT_EQ(test, ft_set_palette(test, ctx), 0);
	ft_draw(ctx);
	ft_flush(ctx);
	xdf_sim_backend_set_state(ctx->sdev, XenbusStateClosing);
	KUNIT_ASSERT_TRUE(test, xdf_sim_wait_frontend_state(ctx->sdev,
							    XenbusStateClosed,
							    XDF_TEST_WAIT_MS));
	xdf_sim_settle();
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 0u);
	xdf_sim_backend_set_state(ctx->sdev, XenbusStateClosed);
	xdf_sim_settle();
}

/*
 * The backend goes away while a console flip waits for its frame-done:
 * the frame-done never comes, and removing the device (whose fbdev
 * teardown commits on that CRTC) does not wait for the flip's timeout.
 */
static void ft_backend_gone_during_flip(struct kunit *test)
{
	struct ft_ctx *ctx = ft_connect(test, 1);
	unsigned long end;
	unsigned int flips;
	ktime_t start;
	s64 ms;

	ft_take_over(test, ctx);
	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_NEVER);
	flips = ft_count(ctx, 0, XENDISPL_OP_PG_FLIP);
	/* fbdev's damage worker flips, then waits for the frame-done. */
	ft_draw(ctx);
	end = jiffies + msecs_to_jiffies(XDF_TEST_WAIT_MS);
	while (ft_count(ctx, 0, XENDISPL_OP_PG_FLIP) == flips &&
	       time_before(jiffies, end))
		usleep_range(1000, 2000);
	KUNIT_ASSERT_GT(test, ft_count(ctx, 0, XENDISPL_OP_PG_FLIP), flips);

	start = ktime_get();
	xdf_sim_backend_set_state(ctx->sdev, XenbusStateClosing);
	KUNIT_ASSERT_TRUE(test, xdf_sim_wait_frontend_state(ctx->sdev,
							    XenbusStateClosed,
							    xdf_req_timeout_ms +
							    XDF_TEST_WAIT_MS));
	ms = ktime_ms_delta(ktime_get(), start);
	KUNIT_EXPECT_LT_MSG(test, ms, 1000ll,
			    "removal waited %lld ms for a frame-done", ms);
	xdf_sim_settle();
	xdf_sim_backend_set_state(ctx->sdev, XenbusStateClosed);
	xdf_sim_settle();
}

/*
 * Setting up a console waits for the backend: a slow backend must delay
 * neither the device's card and Connected state nor another device's
 * connection (the xenbus watch thread serves every device). The first
 * request of the console's set-up is answered after 2 s; meanwhile both
 * devices are connected with their cards, then the console comes.
 */
static void ft_card_before_console(struct kunit *test)
{
	struct ft_ctx *ctx = test->priv;
	struct xdf_sim_config cfg = {
		.num_connectors = 1, .hold = true,
		.connectors[0] = { .resolution = "1024x768", .unique_id = "0" },
	};
	struct xdf_sim_dev *other;
	struct xdf_front *front;
	struct xdf_drm *xdrm;
	ktime_t start;

	ctx->sdev = xdf_sim_dev_add(&cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->sdev);
	xdf_sim_settle();
	KUNIT_ASSERT_EQ(test, xdf_sim_frontend_state(ctx->sdev),
			XenbusStateInitialised);
	KUNIT_ASSERT_EQ(test, xdf_sim_backend_script(ctx->sdev, 0, XDF_SIM_ANY_OP,
						     1, XDF_SIM_DELAY, 2000), 0);
	start = ktime_get();
	xdf_sim_backend_set_state(ctx->sdev, XenbusStateConnected);
	KUNIT_ASSERT_TRUE_MSG(test, xdf_sim_wait_frontend_state(ctx->sdev,
								XenbusStateConnected,
								1000),
			      "not connected %lld ms after the backend",
			      ktime_ms_delta(ktime_get(), start));
	front = dev_get_drvdata(&xdf_sim_dev_xb(ctx->sdev)->dev);
	xdrm = front->xdrm;
	KUNIT_ASSERT_NOT_NULL(test, xdrm);
	KUNIT_EXPECT_TRUE(test, xdrm->drm.registered);

	cfg.id = 1;
	cfg.hold = false;
	other = xdf_sim_dev_add(&cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, other);
	KUNIT_EXPECT_TRUE_MSG(test, xdf_sim_wait_frontend_state(other,
								XenbusStateConnected,
								1000),
			      "another device not connected %lld ms after the first",
			      ktime_ms_delta(ktime_get(), start));
	/* The first request is still waiting: no console yet. */
	KUNIT_EXPECT_LT(test, ktime_ms_delta(ktime_get(), start), 2000ll);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 0u);

	/* Then each gets its console, the first device fb0. */
	flush_work(&xdrm->fbdev_work);
	front = dev_get_drvdata(&xdf_sim_dev_xb(other)->dev);
	flush_work(&front->xdrm->fbdev_work);
	xdf_sim_settle();
	KUNIT_ASSERT_NOT_NULL(test, xdrm->drm.fb_helper);
	KUNIT_ASSERT_NOT_NULL(test, xdrm->drm.fb_helper->fbdev);
	KUNIT_EXPECT_EQ(test, xdrm->drm.fb_helper->fbdev->node, 0);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(ctx->sdev), 1u);
	KUNIT_EXPECT_EQ(test, xdf_sim_backend_num_fbs(other), 1u);
	xdf_sim_dev_remove(other);
}

static int ft_init(struct kunit *test)
{
	struct ft_ctx *ctx;

	xdf_sim_reset();
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->saved_fbdev = xdf_fbdev;
	WRITE_ONCE(xdf_fbdev, true);
	test->priv = ctx;
	return 0;
}

static void ft_exit(struct kunit *test)
{
	struct ft_ctx *ctx = test->priv;
	struct xdf_sim_kms_stats ks;

	if (ctx->sdev && !IS_ERR(ctx->sdev)) {
		xdf_sim_settle();
		xdf_sim_backend_kms_stats(ctx->sdev, &ks);
		KUNIT_EXPECT_EQ(test, ks.bad_attach, 0u);
		KUNIT_EXPECT_EQ(test, ks.unknown_detach, 0u);
		KUNIT_EXPECT_EQ(test, ks.unattached_use, 0u);
		KUNIT_EXPECT_EQ(test, ks.dbuf_in_use, 0u);
		KUNIT_EXPECT_EQ(test, ks.wrong_ring, 0u);
		xdf_sim_dev_remove(ctx->sdev);
	}
	WRITE_ONCE(xdf_fbdev, ctx->saved_fbdev);
	xdf_sim_expect_clean(test);
}

static struct kunit_case ft_cases[] = {
	KUNIT_CASE(ft_console),
	KUNIT_CASE(ft_flush_mapped_once),
	KUNIT_CASE(ft_draw_before_take_over),
	KUNIT_CASE(ft_two_connectors),
	KUNIT_CASE(ft_master),
	KUNIT_CASE(ft_backend_gone),
	KUNIT_CASE(ft_backend_gone_during_flip),
	KUNIT_CASE(ft_card_before_console),
	{}
};

static struct kunit_suite ft_suite = {
	.name = "xen_drm_front_fbdev",
	.init = ft_init,
	.exit = ft_exit,
	.test_cases = ft_cases,
};

kunit_test_suite(ft_suite);
