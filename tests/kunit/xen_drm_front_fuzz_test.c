// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * KUnit: the frontend fuzzed through the simulated backend, and connect /
 * disconnect cycles.
 *
 * xen_drm_front_fuzz: a workload creates, maps, exports, imports and
 * destroys buffers, adds framebuffers and flips them on every connector,
 * while a hostile backend, driven by the same seeded PRNG, rewrites
 * responses (status, id, operation, EDID size), drops them, sends events
 * of any type, id and cookie, moves ring indexes, lists wrong references
 * in the page directories of buffers it allocates, serves random EDIDs,
 * rewrites XenStore values and switches the xenbus state. Whatever comes,
 * the driver must not oops, splat, hang or leak: every round ends with the
 * simulated Xen's counters at zero. The log says "fuzz: N iterations,
 * seed S"; xen_drm_front.fuzz_seed=S replays the same inputs (the timing of
 * the backend's workers may still differ).
 *
 * xen_drm_front_cycles: connect and disconnect a device again and again,
 * each time with an open client, a buffer mapped into a process, a dma-buf
 * of it imported by another device and a flip waiting for its frame-done.
 */

#include <kunit/test.h>
#include <linux/anon_inodes.h>
#include <linux/delay.h>
#include <linux/dma-buf.h>
#include <linux/dma-mapping.h>
#include <linux/file.h>
#include <linux/fs.h>
#include <linux/ktime.h>
#include <linux/mm.h>
#include <linux/mman.h>
#include <linux/moduleparam.h>
#include <linux/platform_device.h>
#include <linux/prandom.h>
#include <linux/random.h>
#include <linux/slab.h>
#include <linux/uaccess.h>

#include <drm/drm_atomic_helper.h>
#include <drm/drm_drv.h>
#include <drm/drm_edid.h>
#include <drm/drm_file.h>
#include <drm/drm_fourcc.h>
#include <drm/drm_framebuffer.h>
#include <drm/drm_gem.h>
#include <drm/drm_gem_shmem_helper.h>
#include <drm/drm_modeset_lock.h>
#include <drm/drm_prime.h>
#include <drm/drm_probe_helper.h>

#include "../../drm_crtc_internal.h"
#include "../../drm_internal.h"
#include "../xen_drm_front.h"
#include "xen_drm_front_sim.h"
#include "xen_drm_front_test.h"

static u64 xft_seed;
module_param_named(fuzz_seed, xft_seed, ullong, 0644);
MODULE_PARM_DESC(fuzz_seed, "KUnit fuzz: PRNG seed, 0 for a fresh one (printed)");

static unsigned int xft_iterations = 100000;
module_param_named(fuzz_iterations, xft_iterations, uint, 0644);
MODULE_PARM_DESC(fuzz_iterations, "KUnit fuzz: iterations per run");

static unsigned int xft_cycles = 1000;
module_param_named(fuzz_cycles, xft_cycles, uint, 0644);
MODULE_PARM_DESC(fuzz_cycles, "KUnit: connect/disconnect cycles per run");

/*
 * Iterations per test case: KUnit ends a case after 5 minutes, and a fresh
 * start per round makes a leak point at the round that made it.
 */
#define XFT_ROUND		25000
#define XFT_CYCLE_ROUND		100
/* Request timeout during the fuzz: answers the backend drops cost this. */
#define XFT_REQ_TIMEOUT_MS	20
#define XFT_WAIT_MS		3000
#define XFT_MAX_BUFS		8
#define XFT_MAX_CONN		3
#define XFT_NO_CALL		INT_MIN

/**
 * struct xft_buf - a buffer of the workload
 * @used: the slot holds a buffer
 * @handle: its handle in the client
 * @width: width of its framebuffers, in pixels of 4 bytes
 * @height: their height
 * @fb_id: its framebuffer, 0 if none
 * @addr: where it is mapped into the process, 0 if not
 * @size: its size
 * @dmabuf: its dma-buf while exported
 * @peer: the other device's import of @dmabuf
 */
struct xft_buf {
	bool used;
	u32 handle;
	u32 width;
	u32 height;
	u32 fb_id;
	unsigned long addr;
	size_t size;
	struct dma_buf *dmabuf;
	struct drm_gem_object *peer;
};

/**
 * struct xft_ctx - a fuzz round or a cycle run
 * @test: the test
 * @rnd: the workload's and the test thread's injections' PRNG
 * @hook_lock: protects @hook_rnd, @resp_rate and @dir_rate
 * @hook_rnd: the backend hooks' PRNG (they run in the backend's workers)
 * @resp_rate: one response in @resp_rate is rewritten, 0: none
 * @dir_rate: one be-alloc directory in @dir_rate is rewritten, 0: none
 * @sdev: the simulated device, NULL between connections
 * @xdrm: its DRM device
 * @file: a client of @xdrm
 * @filp: an open file of @file, to mmap
 * @mm: the test thread's process address space
 * @pdev: the other device's platform device
 * @other: the other device, a PRIME peer
 * @nconn: connectors of the current connection
 * @modes: each connector's preferred mode, once probed
 * @have_mode: @modes[i] is valid
 * @on: the workload enabled the pipe
 * @bufs: the workload's buffers
 * @failures: workload calls failed in a row
 * @saved_timeout: xdf_req_timeout_ms before the test
 * @iterations: iterations done
 * @connects: connections made
 * @calls: the workload's calls
 * @calls_ok: those that succeeded
 */
struct xft_ctx {
	struct kunit *test;
	struct rnd_state rnd;
	spinlock_t hook_lock;	/* see above */
	struct rnd_state hook_rnd;
	unsigned int resp_rate;
	unsigned int dir_rate;
	struct xdf_sim_dev *sdev;
	struct xdf_drm *xdrm;
	struct drm_file *file;
	struct file *filp;
	struct mm_struct *mm;
	struct platform_device *pdev;
	struct drm_device *other;
	unsigned int nconn;
	struct drm_display_mode modes[XFT_MAX_CONN];
	bool have_mode[XFT_MAX_CONN];
	bool on[XFT_MAX_CONN];
	struct xft_buf bufs[XFT_MAX_BUFS];
	unsigned int failures;
	unsigned int saved_timeout;
	u64 iterations;
	unsigned int connects;
	unsigned int calls;
	unsigned int calls_ok;
};

/* The run's seed and totals, for the summary line at the suite's end. */
static u64 xft_run_seed;
static u64 xft_run_iterations;

static u32 xft_below(struct rnd_state *rnd, u32 n)
{
	return n ? prandom_u32_state(rnd) % n : 0;
}

static bool xft_one_in(struct rnd_state *rnd, u32 n)
{
	return !xft_below(rnd, n);
}

/* ------------------------------------------------------------------ */
/* The other device: a PRIME peer with shmem buffers */

DEFINE_DRM_GEM_FOPS(xft_other_fops);

static const struct drm_driver xft_other_driver = {
	.driver_features = DRIVER_GEM,
	.fops = &xft_other_fops,
	DRM_GEM_SHMEM_DRIVER_OPS,
	.name = "xdf_fuzz_peer",
	.desc = "PRIME peer of the Xen display frontend fuzz",
	.date = "20261202",
	.major = 1,
	.minor = 0,
};

struct xft_other {
	struct drm_device drm;
};

static void xft_other_add(struct xft_ctx *ctx)
{
	struct kunit *test = ctx->test;
	struct xft_other *other;

	ctx->pdev = platform_device_register_simple("xdf-fuzz-peer",
						    PLATFORM_DEVID_AUTO, NULL, 0);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, ctx->pdev);
	KUNIT_ASSERT_EQ(test, dma_coerce_mask_and_coherent(&ctx->pdev->dev,
							   DMA_BIT_MASK(64)), 0);
	other = devm_drm_dev_alloc(&ctx->pdev->dev, &xft_other_driver,
				   struct xft_other, drm);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(test, other);
	ctx->other = &other->drm;
}

/* ------------------------------------------------------------------ */
/* The process and the client */

static const struct file_operations xft_fops = {
	.owner = THIS_MODULE,
	.mmap = drm_gem_mmap,
};

/* Open the card as open(2) does: a client and a file to mmap. */
static int xft_open(struct xft_ctx *ctx)
{
	struct file *filp;

	ctx->file = xdf_test_open(ctx->test, ctx->xdrm);
	filp = anon_inode_getfile("xdf-fuzz", &xft_fops, ctx->file, O_RDWR);
	if (IS_ERR(filp)) {
		xdf_test_close(ctx->xdrm, ctx->file);
		ctx->file = NULL;
		return PTR_ERR(filp);
	}
	filp->f_mapping = ctx->xdrm->drm.anon_inode->i_mapping;
	ctx->filp = filp;
	return 0;
}

/* From the test's thread; KUnit's exit runs in another, without the mm. */
static void xft_buf_unmap(struct xft_ctx *ctx, struct xft_buf *b)
{
	if (b->addr && ctx->mm && current->mm == ctx->mm)
		vm_munmap(b->addr, b->size);
	b->addr = 0;
}

static void xft_buf_unexport(struct xft_buf *b)
{
	if (b->peer)
		drm_gem_object_put(b->peer);
	if (b->dmabuf)
		dma_buf_put(b->dmabuf);
	b->peer = NULL;
	b->dmabuf = NULL;
}

/* Everything the workload holds goes, as when the process exits. */
static void xft_close(struct xft_ctx *ctx)
{
	unsigned int i;

	for (i = 0; i < XFT_MAX_BUFS; i++) {
		xft_buf_unmap(ctx, &ctx->bufs[i]);
		xft_buf_unexport(&ctx->bufs[i]);
		memset(&ctx->bufs[i], 0, sizeof(ctx->bufs[i]));
	}
	if (ctx->filp) {
		fput(ctx->filp);
		ctx->filp = NULL;
	}
	flush_delayed_fput();
	if (ctx->file) {
		xdf_test_close(ctx->xdrm, ctx->file);
		ctx->file = NULL;
	}
	memset(ctx->on, 0, sizeof(ctx->on));
	memset(ctx->have_mode, 0, sizeof(ctx->have_mode));
}

/* Drop the flip events waiting on the client, as a reader does. */
static unsigned int xft_drain_events(struct xft_ctx *ctx)
{
	struct drm_device *drm = &ctx->xdrm->drm;
	struct drm_pending_event *e, *tmp;
	unsigned int n = 0;
	LIST_HEAD(events);

	spin_lock_irq(&drm->event_lock);
	list_for_each_entry_safe(e, tmp, &ctx->file->event_list, link) {
		ctx->file->event_space += e->event->length;
		list_move_tail(&e->link, &events);
	}
	spin_unlock_irq(&drm->event_lock);
	list_for_each_entry_safe(e, tmp, &events, link) {
		list_del(&e->link);
		kfree(e);
		n++;
	}
	return n;
}

/* ------------------------------------------------------------------ */
/* The hostile backend */

static bool xft_hook_response(void *priv, unsigned int conn,
			      struct xendispl_resp *resp)
{
	static const s32 statuses[] = {
		-EINVAL, -ENOMEM, -EIO, -ENODEV, -ETIMEDOUT, -ERESTARTSYS,
		-EAGAIN, 1, 0x7fffffff, -MAX_ERRNO - 1, S32_MIN,
	};
	struct xft_ctx *ctx = priv;
	struct rnd_state *rnd = &ctx->hook_rnd;
	unsigned long flags;
	bool keep = true;

	spin_lock_irqsave(&ctx->hook_lock, flags);
	if (!ctx->resp_rate || !xft_one_in(rnd, ctx->resp_rate))
		goto out;
	switch (xft_below(rnd, 8)) {
	case 0:
		resp->status = statuses[xft_below(rnd, ARRAY_SIZE(statuses))];
		break;
	case 1:
		resp->status = prandom_u32_state(rnd);
		break;
	case 2:
		resp->id += 1 + xft_below(rnd, 3);
		break;
	case 3:
		resp->id = prandom_u32_state(rnd);
		break;
	case 4:
		resp->operation = prandom_u32_state(rnd);
		break;
	case 5:
		resp->op.get_edid.edid_sz = xft_one_in(rnd, 2) ?
			prandom_u32_state(rnd) :
			xft_below(rnd, XENDISPL_EDID_MAX_SIZE + 2);
		break;
	case 6:
		keep = false;
		break;
	default:
		prandom_bytes_state(rnd, resp, sizeof(*resp));
		break;
	}
out:
	spin_unlock_irqrestore(&ctx->hook_lock, flags);
	return keep;
}

static void xft_hook_dir(void *priv, grant_ref_t *refs, unsigned int count)
{
	struct xft_ctx *ctx = priv;
	struct rnd_state *rnd = &ctx->hook_rnd;
	unsigned long flags;
	unsigned int i;

	spin_lock_irqsave(&ctx->hook_lock, flags);
	if (!count || !ctx->dir_rate || !xft_one_in(rnd, ctx->dir_rate))
		goto out;
	i = xft_below(rnd, count);
	switch (xft_below(rnd, 5)) {
	case 0:
		refs[i] = 0;
		break;
	case 1:
		refs[i] = INVALID_GRANT_REF;
		break;
	case 2:
		refs[i] = refs[xft_below(rnd, count)];
		break;
	case 3:
		swap(refs[i], refs[xft_below(rnd, count)]);
		break;
	default:
		refs[i] = prandom_u32_state(rnd);
		break;
	}
out:
	spin_unlock_irqrestore(&ctx->hook_lock, flags);
}

/* A new phase: how hostile the backend's answers are for a while. */
static void xft_set_rates(struct xft_ctx *ctx)
{
	static const unsigned int rates[] = { 0, 0, 0, 1024, 256, 64, 16 };
	unsigned long flags;
	unsigned int resp = rates[xft_below(&ctx->rnd, ARRAY_SIZE(rates))];
	unsigned int dir = rates[xft_below(&ctx->rnd, ARRAY_SIZE(rates))];

	spin_lock_irqsave(&ctx->hook_lock, flags);
	ctx->resp_rate = resp;
	ctx->dir_rate = dir;
	spin_unlock_irqrestore(&ctx->hook_lock, flags);
}

/* A random EDID: bytes, or a valid one with a few bytes changed. */
static void xft_set_edid(struct xft_ctx *ctx, unsigned int conn)
{
	struct rnd_state *rnd = &ctx->rnd;
	struct xdf_sim_timing t[2];
	u8 *edid;
	u32 size;
	int i;

	edid = kzalloc(XENDISPL_EDID_MAX_SIZE, GFP_KERNEL);
	if (!edid)
		return;
	switch (xft_below(rnd, 4)) {
	case 0:
		/* None: the mode comes from XenStore. */
		xdf_sim_backend_set_edid(ctx->sdev, conn, NULL, 0);
		goto out;
	case 1:
		size = xft_below(rnd, 4) * EDID_LENGTH + xft_below(rnd, 3);
		prandom_bytes_state(rnd, edid, size);
		break;
	default:
		for (i = 0; i < ARRAY_SIZE(t); i++)
			t[i] = (struct xdf_sim_timing) {
				.width = 16 + xft_below(rnd, 700),
				.height = 16 + xft_below(rnd, 500),
				.refresh = xft_below(rnd, 130),
			};
		/* Its size, or 0 for timings it cannot describe. */
		size = max(xdf_sim_edid_build(edid, t, 1 + xft_below(rnd, 2)),
			   0);
		for (i = xft_below(rnd, 4); size && i > 0; i--)
			edid[xft_below(rnd, size)] = prandom_u32_state(rnd);
		break;
	}
	xdf_sim_backend_set_edid(ctx->sdev, conn, edid, size);
	if (xft_one_in(rnd, 8))
		xdf_sim_backend_set_edid_size(ctx->sdev, conn,
					      prandom_u32_state(rnd));
out:
	kfree(edid);
}

/* Small: the cost of an iteration is mostly that of the buffers' pages. */
static const char * const xft_resolutions[] = {
	"160x120", "128x100", "64x64", "320x200",
};

/* Connect a device whose backend serves random EDIDs; false if refused. */
static bool xft_connect(struct xft_ctx *ctx)
{
	static const char * const ids[] = { "0", "1", "2" };
	static const char * const be_alloc[] = { NULL, "0", "1", "1" };
	struct rnd_state *rnd = &ctx->rnd;
	struct xdf_sim_hooks hooks = {
		.response = xft_hook_response,
		.dbuf_dir = xft_hook_dir,
		.priv = ctx,
	};
	struct xdf_sim_config cfg = {
		.be_alloc = be_alloc[xft_below(rnd, ARRAY_SIZE(be_alloc))],
		.num_connectors = 1 + xft_below(rnd, XFT_MAX_CONN),
		.hold = true,
	};
	struct xdf_front *front;
	unsigned int i;

	for (i = 0; i < cfg.num_connectors; i++)
		cfg.connectors[i] = (struct xdf_sim_connector) {
			.resolution = xft_resolutions[xft_below(rnd,
						ARRAY_SIZE(xft_resolutions))],
			.unique_id = ids[i],
		};
	xdf_sim_set_pv(xft_one_in(rnd, 2));
	ctx->nconn = cfg.num_connectors;
	ctx->sdev = xdf_sim_dev_add(&cfg);
	KUNIT_ASSERT_NOT_ERR_OR_NULL(ctx->test, ctx->sdev);
	ctx->connects++;
	for (i = 0; i < cfg.num_connectors; i++)
		xft_set_edid(ctx, i);
	xdf_sim_backend_set_hooks(ctx->sdev, &hooks);
	xdf_sim_settle();
	xdf_sim_backend_set_state(ctx->sdev, XenbusStateConnected);
	if (!xdf_sim_wait_frontend_state(ctx->sdev, XenbusStateConnected,
					 XFT_WAIT_MS))
		return false;
	xdf_sim_settle();
	front = dev_get_drvdata(&xdf_sim_dev_xb(ctx->sdev)->dev);
	if (!front || !front->xdrm)
		return false;
	ctx->xdrm = front->xdrm;
	ctx->failures = 0;
	return !xft_open(ctx);
}

/* Disconnect: the device goes before or after the workload lets go. */
static void xft_disconnect(struct xft_ctx *ctx)
{
	bool device_first = xft_one_in(&ctx->rnd, 2);

	if (!ctx->sdev)
		return;
	if (device_first)
		xdf_sim_dev_remove(ctx->sdev);
	if (ctx->xdrm)
		xft_close(ctx);
	if (!device_first)
		xdf_sim_dev_remove(ctx->sdev);
	ctx->sdev = NULL;
	ctx->xdrm = NULL;
	xdf_sim_settle();
}

/* The device the workload uses is still the connected one. */
static bool xft_alive(struct xft_ctx *ctx)
{
	struct xdf_front *front;

	if (!ctx->sdev || !ctx->xdrm || drm_dev_is_unplugged(&ctx->xdrm->drm))
		return false;
	front = dev_get_drvdata(&xdf_sim_dev_xb(ctx->sdev)->dev);
	return front && front->xdrm == ctx->xdrm;
}

static const char * const xft_xs_values[] = {
	"", "0", "1", "-1", "4294967296", "abc", "640x480", "0x0", "1x1",
	"8192x8192", "8193x10", "x", "99999999999999999999", "2 ", " 3",
	"4\n", "320x240x", "1,2", "5", "7",
};

/* XenStore changed under the driver, as a toolstack or backend may. */
static void xft_xenstore(struct xft_ctx *ctx)
{
	static const char * const fe_nodes[] = {
		"0/resolution", "1/resolution", "0/unique-id", "be-alloc",
		"0/req-ring-ref", "0/evt-event-channel", "version",
	};
	static const char * const be_nodes[] = {
		"versions", "state", "versions", "versions",
	};
	struct rnd_state *rnd = &ctx->rnd;
	const char *value;
	char path[160];
	char num[16];

	if (xft_one_in(rnd, 2)) {
		value = xft_xs_values[xft_below(rnd, ARRAY_SIZE(xft_xs_values))];
	} else {
		snprintf(num, sizeof(num), "%u", xft_below(rnd, 12));
		value = num;
	}
	if (xft_one_in(rnd, 2))
		snprintf(path, sizeof(path), "%s/%s",
			 xdf_sim_dev_frontend_dir(ctx->sdev),
			 fe_nodes[xft_below(rnd, ARRAY_SIZE(fe_nodes))]);
	else
		snprintf(path, sizeof(path), "%s/%s",
			 xdf_sim_dev_backend_dir(ctx->sdev),
			 be_nodes[xft_below(rnd, ARRAY_SIZE(be_nodes))]);
	xdf_sim_xs_write(path, value);
}

/* An event of any type, id and cookie; mostly a frame-done. */
static void xft_event(struct xft_ctx *ctx)
{
	struct rnd_state *rnd = &ctx->rnd;
	struct xendispl_evt evt = {};
	struct drm_framebuffer *fb;
	struct xft_buf *b;

	prandom_bytes_state(rnd, &evt, sizeof(evt));
	if (!xft_one_in(rnd, 4))
		evt.type = XENDISPL_EVT_PG_FLIP;
	b = &ctx->bufs[xft_below(rnd, XFT_MAX_BUFS)];
	if (!xft_one_in(rnd, 4) && b->fb_id) {
		/* A cookie the driver knows. */
		fb = drm_framebuffer_lookup(&ctx->xdrm->drm, ctx->file,
					    b->fb_id);
		if (fb) {
			evt.op.pg_flip.fb_cookie = to_xdf_fb(fb)->cookie;
			drm_framebuffer_put(fb);
		}
	} else if (xft_one_in(rnd, 4)) {
		evt.op.pg_flip.fb_cookie = xft_below(rnd, 64);
	}
	xdf_sim_backend_send_raw_event(ctx->sdev, xft_below(rnd, ctx->nconn),
				       &evt);
}

static void xft_index(struct xft_ctx *ctx)
{
	struct rnd_state *rnd = &ctx->rnd;
	u32 delta;

	switch (xft_below(rnd, 4)) {
	case 0:
		delta = prandom_u32_state(rnd);
		break;
	case 1:
	case 2:
		delta = xft_below(rnd, 5) - 2;
		break;
	default:
		delta = xft_below(rnd, 70);
		break;
	}
	xdf_sim_backend_set_index(ctx->sdev, xft_below(rnd, ctx->nconn),
				  xft_below(rnd, 4), delta);
}

static void xft_state(struct xft_ctx *ctx)
{
	struct rnd_state *rnd = &ctx->rnd;

	if (xft_one_in(rnd, 3))
		xdf_sim_backend_restart(ctx->sdev);
	else
		xdf_sim_backend_set_state(ctx->sdev, xft_below(rnd, 9));
}

/* ------------------------------------------------------------------ */
/* The workload */

/* The preferred mode of a connector, probed once per connection. */
static const struct drm_display_mode *xft_mode(struct xft_ctx *ctx,
					       unsigned int conn)
{
	struct drm_device *drm = &ctx->xdrm->drm;
	struct drm_connector *connector = &ctx->xdrm->pipes[conn].connector;
	struct drm_display_mode *m, *found = NULL;

	if (ctx->have_mode[conn])
		return &ctx->modes[conn];
	mutex_lock(&drm->mode_config.mutex);
	drm_helper_probe_single_connector_modes(connector, XDF_MAX_DIMENSION,
						XDF_MAX_DIMENSION);
	list_for_each_entry(m, &connector->modes, head) {
		if (!found || (m->type & DRM_MODE_TYPE_PREFERRED))
			found = m;
		if (m->type & DRM_MODE_TYPE_PREFERRED)
			break;
	}
	if (found) {
		drm_mode_copy(&ctx->modes[conn], found);
		ctx->have_mode[conn] = true;
	}
	mutex_unlock(&drm->mode_config.mutex);
	return found ? &ctx->modes[conn] : NULL;
}

static int xft_dumb(struct xft_ctx *ctx, struct xft_buf *b, u32 width,
		    u32 height, u32 bpp)
{
	struct drm_mode_create_dumb args = {
		.width = width,
		.height = height,
		.bpp = bpp,
	};
	int ret;

	ret = drm_mode_create_dumb(&ctx->xdrm->drm, &args, ctx->file);
	if (ret)
		return ret;
	*b = (struct xft_buf) {
		.used = true,
		.handle = args.handle,
		.width = args.bpp == 32 ? args.width : args.pitch / 4,
		.height = args.height,
		.size = args.size,
	};
	return 0;
}

/* A dumb buffer of a connector's mode size, or of any size and depth. */
static int xft_create(struct xft_ctx *ctx, struct xft_buf *b)
{
	static const u32 bpps[] = { 32, 32, 32, 16, 24, 8, 0, 33 };
	struct rnd_state *rnd = &ctx->rnd;
	const struct drm_display_mode *mode;

	mode = xft_mode(ctx, xft_below(rnd, ctx->nconn));
	if (mode && !xft_one_in(rnd, 4))
		return xft_dumb(ctx, b, mode->hdisplay, mode->vdisplay, 32);
	return xft_dumb(ctx, b, xft_below(rnd, 400), xft_below(rnd, 200),
			bpps[xft_below(rnd, ARRAY_SIZE(bpps))]);
}

/* A buffer of the other device, imported as user space would. */
static int xft_import(struct xft_ctx *ctx, struct xft_buf *b)
{
	struct drm_gem_shmem_object *shmem;
	struct drm_gem_object *obj;
	struct dma_buf *dmabuf;
	u32 width = 64, height = 1 + xft_below(&ctx->rnd, 64);
	u32 handle;
	int ret;

	shmem = drm_gem_shmem_create(ctx->other, width * height * 4);
	if (IS_ERR(shmem))
		return PTR_ERR(shmem);
	dmabuf = drm_gem_prime_export(&shmem->base, O_RDWR);
	drm_gem_object_put(&shmem->base);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	obj = drm_gem_prime_import(&ctx->xdrm->drm, dmabuf);
	dma_buf_put(dmabuf);
	if (IS_ERR(obj))
		return PTR_ERR(obj);
	ret = drm_gem_handle_create(ctx->file, obj, &handle);
	drm_gem_object_put(obj);
	if (ret)
		return ret;
	*b = (struct xft_buf) {
		.used = true,
		.handle = handle,
		.width = width,
		.height = height,
		.size = PAGE_ALIGN(width * height * 4),
	};
	return 0;
}

static int xft_destroy(struct xft_ctx *ctx, struct xft_buf *b)
{
	int ret;

	/* The handle goes; a mapping, framebuffer or dma-buf keeps it. */
	ret = drm_mode_destroy_dumb(&ctx->xdrm->drm, b->handle, ctx->file);
	b->handle = 0;
	b->used = false;
	if (b->fb_id && xft_one_in(&ctx->rnd, 4)) {
		drm_mode_rmfb(&ctx->xdrm->drm, b->fb_id, ctx->file);
		b->fb_id = 0;
	}
	if (xft_one_in(&ctx->rnd, 2))
		xft_buf_unmap(ctx, b);
	if (xft_one_in(&ctx->rnd, 2))
		xft_buf_unexport(b);
	return ret;
}

/* A framebuffer on the buffer, with @pitch or its own if 0; or rmfb. */
static int xft_addfb(struct xft_ctx *ctx, struct xft_buf *b, u32 pitch)
{
	struct drm_mode_fb_cmd2 cmd = {};
	int ret;

	if (b->fb_id) {
		ret = drm_mode_rmfb(&ctx->xdrm->drm, b->fb_id, ctx->file);
		b->fb_id = 0;
		return ret;
	}
	cmd.width = b->width;
	cmd.height = b->height;
	cmd.pixel_format = DRM_FORMAT_XRGB8888;
	cmd.handles[0] = b->handle;
	cmd.pitches[0] = pitch ?: b->width * 4;
	ret = drm_mode_addfb2(&ctx->xdrm->drm, &cmd, ctx->file);
	if (!ret)
		b->fb_id = cmd.fb_id;
	return ret;
}

static int xft_mmap(struct xft_ctx *ctx, struct xft_buf *b)
{
	char byte = prandom_u32_state(&ctx->rnd);
	unsigned long addr;
	u64 offset;
	size_t at;
	int ret;

	if (b->addr) {
		xft_buf_unmap(ctx, b);
		return 0;
	}
	ret = drm_gem_dumb_map_offset(ctx->file, &ctx->xdrm->drm, b->handle,
				      &offset);
	if (ret)
		return ret;
	addr = vm_mmap(ctx->filp, 0, b->size, PROT_READ | PROT_WRITE,
		       MAP_SHARED, offset);
	if (IS_ERR_VALUE(addr))
		return addr;
	b->addr = addr;
	/* Fault in a page or two, as a client drawing would. */
	at = xft_below(&ctx->rnd, b->size);
	if (copy_to_user((void __user *)addr, &byte, 1) ||
	    copy_to_user((void __user *)(addr + at), &byte, 1))
		return -EFAULT;
	return 0;
}

static int xft_export(struct xft_ctx *ctx, struct xft_buf *b)
{
	struct drm_gem_object *obj, *peer;
	struct dma_buf *dmabuf;

	if (b->dmabuf) {
		xft_buf_unexport(b);
		return 0;
	}
	obj = drm_gem_object_lookup(ctx->file, b->handle);
	if (!obj)
		return -ENOENT;
	/* As PRIME_HANDLE_TO_FD: an imported buffer's own dma-buf. */
	if (obj->import_attach) {
		dmabuf = obj->import_attach->dmabuf;
		get_dma_buf(dmabuf);
	} else {
		dmabuf = drm_gem_prime_export(obj, O_RDWR);
	}
	drm_gem_object_put(obj);
	if (IS_ERR(dmabuf))
		return PTR_ERR(dmabuf);
	peer = drm_gem_prime_import(ctx->other, dmabuf);
	if (IS_ERR(peer)) {
		dma_buf_put(dmabuf);
		return PTR_ERR(peer);
	}
	b->dmabuf = dmabuf;
	b->peer = peer;
	return 0;
}

/* A legacy SETCRTC: the pipe on with @fb, or off with NULL. */
static int xft_set_crtc(struct xft_ctx *ctx, unsigned int conn,
			struct drm_framebuffer *fb,
			const struct drm_display_mode *mode)
{
	struct drm_device *drm = &ctx->xdrm->drm;
	struct xdf_pipe *xp = &ctx->xdrm->pipes[conn];
	struct drm_connector *connector = &xp->connector;
	struct drm_mode_set set = {
		.crtc = &xp->pipe.crtc,
		.fb = fb,
		.mode = fb ? (struct drm_display_mode *)mode : NULL,
		.connectors = fb ? &connector : NULL,
		.num_connectors = fb ? 1 : 0,
	};
	struct drm_modeset_acquire_ctx actx;
	int ret;

	DRM_MODESET_LOCK_ALL_BEGIN(drm, actx, 0, ret);
	ret = drm_atomic_helper_set_config(&set, &actx);
	DRM_MODESET_LOCK_ALL_END(drm, actx, ret);
	return ret;
}

/* Flip a buffer on a connector, enabling the pipe first if needed. */
static int xft_flip(struct xft_ctx *ctx, unsigned int conn,
		    struct xft_buf *b)
{
	struct rnd_state *rnd = &ctx->rnd;
	struct drm_mode_crtc_page_flip_target flip = {
		.crtc_id = ctx->xdrm->pipes[conn].pipe.crtc.base.id,
		.flags = DRM_MODE_PAGE_FLIP_EVENT,
		.user_data = ctx->iterations,
	};
	const struct drm_display_mode *mode;
	struct drm_framebuffer *fb;
	int ret;

	if (ctx->on[conn] && xft_one_in(rnd, 32)) {
		ret = xft_set_crtc(ctx, conn, NULL, NULL);
		ctx->on[conn] = ret;
		return ret;
	}
	if (!b->fb_id)
		return 0;
	if (ctx->on[conn]) {
		flip.fb_id = b->fb_id;
		ret = drm_mode_page_flip_ioctl(&ctx->xdrm->drm, &flip,
					       ctx->file);
		/* Off after all (a size that no longer fits, say). */
		if (ret == -EINVAL)
			ctx->on[conn] = false;
		return ret;
	}
	mode = xft_mode(ctx, conn);
	if (!mode)
		return -ENOENT;
	fb = drm_framebuffer_lookup(&ctx->xdrm->drm, ctx->file, b->fb_id);
	if (!fb)
		return -ENOENT;
	ret = xft_set_crtc(ctx, conn, fb, mode);
	drm_framebuffer_put(fb);
	ctx->on[conn] = !ret;
	return ret;
}

static int xft_dirty(struct xft_ctx *ctx, struct xft_buf *b)
{
	struct drm_mode_fb_dirty_cmd cmd = {};

	if (!b->fb_id)
		return 0;
	cmd.fb_id = b->fb_id;
	return drm_mode_dirtyfb_ioctl(&ctx->xdrm->drm, &cmd, ctx->file);
}

/* A slot, free or not as wanted if there is one, from a random start. */
static struct xft_buf *xft_slot(struct xft_ctx *ctx, bool want_free)
{
	unsigned int start = xft_below(&ctx->rnd, XFT_MAX_BUFS);
	struct xft_buf *b;
	unsigned int i;

	for (i = 0; i < XFT_MAX_BUFS; i++) {
		b = &ctx->bufs[(start + i) % XFT_MAX_BUFS];
		if (want_free == (!b->used && !b->fb_id && !b->addr &&
				  !b->dmabuf))
			return b;
	}
	return &ctx->bufs[start];
}

/* One step: a workload call or a hostile backend's move. */
static void xft_step(struct xft_ctx *ctx)
{
	struct rnd_state *rnd = &ctx->rnd;
	unsigned int conn = xft_below(rnd, ctx->nconn);
	u32 dice = xft_below(rnd, 1000);
	/* Buffers to create in free slots, to use from the others. */
	struct xft_buf *b = xft_slot(ctx, dice < 150 || (dice >= 670 &&
							 dice < 700));
	bool live = b->used && b->handle;
	bool free = !b->used && !b->fb_id && !b->addr && !b->dmabuf;
	/* XFT_NO_CALL: the workload made no call this time. */
	int ret = XFT_NO_CALL;

	if (dice < 150) {
		if (free)
			ret = xft_create(ctx, b);
	} else if (dice < 250) {
		if (b->used)
			ret = xft_destroy(ctx, b);
	} else if (dice < 350) {
		if (live || b->fb_id)
			ret = xft_addfb(ctx, b, xft_one_in(rnd, 8) ?
					xft_below(rnd, 4096) : 0);
	} else if (dice < 550) {
		if (b->fb_id)
			ret = xft_flip(ctx, conn, b);
	} else if (dice < 580) {
		if (b->fb_id)
			ret = xft_dirty(ctx, b);
	} else if (dice < 630) {
		if (live || b->addr)
			ret = xft_mmap(ctx, b);
	} else if (dice < 670) {
		if (live || b->dmabuf)
			ret = xft_export(ctx, b);
	} else if (dice < 700) {
		if (free)
			ret = xft_import(ctx, b);
	} else if (dice < 800) {
		xft_event(ctx);
	} else if (dice < 860) {
		xft_drain_events(ctx);
	} else if (dice < 890) {
		xft_set_rates(ctx);
	} else if (dice < 895) {
		xft_index(ctx);
	} else if (dice < 940) {
		xft_xenstore(ctx);
	} else if (dice < 945) {
		xft_set_edid(ctx, conn);
	} else if (dice < 947) {
		xft_state(ctx);
	} else if (dice < 948) {
		xft_disconnect(ctx);
	} else if (dice < 950) {
		/* A connector's modes again, as GETCONNECTOR would. */
		ctx->have_mode[conn] = false;
	}
	/* Else the backend's workers run, nothing new. */

	/* Only the workload's calls tell whether the device still works. */
	if (ret != XFT_NO_CALL) {
		ctx->failures = ret ? ctx->failures + 1 : 0;
		ctx->calls++;
		ctx->calls_ok += !ret;
	}
}

/* ------------------------------------------------------------------ */
/* The fuzz suite */

static const void *xft_round_gen(const void *prev, char *desc)
{
	unsigned long round = (unsigned long)prev;

	if (round >= DIV_ROUND_UP(xft_iterations, XFT_ROUND))
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "round %lu", round + 1);
	return (const void *)(round + 1);
}

static void xft_fuzz(struct kunit *test)
{
	struct xft_ctx *ctx = test->priv;
	unsigned long round = (unsigned long)test->param_value - 1;
	u64 first = round * XFT_ROUND;
	u64 n = min_t(u64, XFT_ROUND, xft_iterations - first);
	u64 seed = xft_run_seed + round * 0x9e3779b97f4a7c15ull;
	ktime_t start = ktime_get();

	prandom_seed_state(&ctx->rnd, seed);
	prandom_seed_state(&ctx->hook_rnd, ~seed);
	WRITE_ONCE(xdf_req_timeout_ms, XFT_REQ_TIMEOUT_MS);
	xft_other_add(ctx);
	ctx->mm = xdf_test_process_start(test);

	while (ctx->iterations < n) {
		/*
		 * A device the backend took away, or one whose rings are
		 * broken for good, is replaced by a fresh one: the fuzz goes
		 * on, and the removal path is fuzzed too.
		 */
		if (!xft_alive(ctx) || ctx->failures > 20) {
			xft_disconnect(ctx);
			if (!xft_connect(ctx)) {
				xft_disconnect(ctx);
				ctx->iterations++;
				continue;
			}
			if (ctx->connects % 2)
				xft_set_rates(ctx);
		}
		xft_step(ctx);
		ctx->iterations++;
	}
	xft_disconnect(ctx);
	xdf_test_process_exit(&ctx->mm);
	xft_run_iterations += ctx->iterations;
	kunit_info(test, "round %lu: %llu iterations in %lld ms, %u connections, %u of %u calls succeeded, seed %llu\n",
		   round + 1, ctx->iterations,
		   ktime_ms_delta(ktime_get(), start), ctx->connects,
		   ctx->calls_ok, ctx->calls, xft_run_seed);
}

static int xft_suite_init(struct kunit_suite *suite)
{
	xft_run_seed = xft_seed ?: get_random_u64();
	xft_run_iterations = 0;
	/* Before any round: a run that crashes can still be replayed. */
	pr_info("xdf_fuzz: seed %llu (replay: xen_drm_front.fuzz_seed=%llu)\n",
		xft_run_seed, xft_run_seed);
	return 0;
}

static void xft_suite_exit(struct kunit_suite *suite)
{
	pr_info("fuzz: %llu iterations, seed %llu\n", xft_run_iterations,
		xft_run_seed);
}

static int xft_init(struct kunit *test)
{
	struct xft_ctx *ctx;

	xdf_sim_reset();
	ctx = kunit_kzalloc(test, sizeof(*ctx), GFP_KERNEL);
	if (!ctx)
		return -ENOMEM;
	ctx->test = test;
	spin_lock_init(&ctx->hook_lock);
	ctx->saved_timeout = xdf_req_timeout_ms;
	test->priv = ctx;
	return 0;
}

static void xft_exit(struct kunit *test)
{
	struct xft_ctx *ctx = test->priv;

	xft_disconnect(ctx);
	xdf_test_process_exit(&ctx->mm);
	if (ctx->pdev)
		platform_device_unregister(ctx->pdev);
	flush_delayed_fput();
	xdf_sim_set_pv(false);
	WRITE_ONCE(xdf_req_timeout_ms, ctx->saved_timeout);
	xdf_sim_expect_clean(test);
}

static struct kunit_case xft_cases[] = {
	KUNIT_CASE_PARAM(xft_fuzz, xft_round_gen),
	{}
};

static struct kunit_suite xft_suite = {
	.name = "xen_drm_front_fuzz",
	.suite_init = xft_suite_init,
	.suite_exit = xft_suite_exit,
	.init = xft_init,
	.exit = xft_exit,
	.test_cases = xft_cases,
};

/* ------------------------------------------------------------------ */
/* Connect / disconnect cycles */

static const void *xft_cycle_gen(const void *prev, char *desc)
{
	unsigned long round = (unsigned long)prev;

	if (round >= DIV_ROUND_UP(xft_cycles, XFT_CYCLE_ROUND))
		return NULL;
	snprintf(desc, KUNIT_PARAM_DESC_SIZE, "cycles %lu-%lu",
		 round * XFT_CYCLE_ROUND + 1,
		 min_t(unsigned long, (round + 1) * XFT_CYCLE_ROUND,
		       xft_cycles));
	return (const void *)(round + 1);
}

/*
 * One cycle: connect; a client maps a buffer, exports it to the other
 * device and flips it, the frame-done never comes; the device goes
 * (the backend closes, or the device is removed); the pending event
 * arrives; the client lets go. Nothing may remain.
 */
static void xft_cycle(struct xft_ctx *ctx, unsigned int i)
{
	struct kunit *test = ctx->test;
	struct xdf_sim_config cfg = {
		.be_alloc = i % 4 == 1 ? "1" : NULL,
		.num_connectors = 1,
		.connectors[0] = { .resolution = "320x240", .unique_id = "0" },
	};
	struct drm_mode_crtc_page_flip_target flip = {
		.flags = DRM_MODE_PAGE_FLIP_EVENT,
		.user_data = i,
	};
	struct xft_buf *shown = &ctx->bufs[0], *next = &ctx->bufs[1];
	const struct drm_display_mode *mode;
	struct drm_framebuffer *fb;
	struct xdf_drm *xdrm;
	unsigned long end;
	bool cookies_left;

	xdf_sim_set_pv(i % 8 == 5);
	ctx->xdrm = xdf_test_connect(test, &cfg, &ctx->sdev);
	ctx->nconn = 1;
	KUNIT_ASSERT_EQ(test, xft_open(ctx), 0);
	mode = xft_mode(ctx, 0);
	KUNIT_ASSERT_NOT_NULL(test, mode);

	/* One buffer shown, one flipped to: mapped and exported. */
	KUNIT_ASSERT_EQ(test, xft_dumb(ctx, shown, mode->hdisplay,
				       mode->vdisplay, 32), 0);
	KUNIT_ASSERT_EQ(test, xft_dumb(ctx, next, mode->hdisplay,
				       mode->vdisplay, 32), 0);
	KUNIT_ASSERT_EQ(test, xft_mmap(ctx, next), 0);
	KUNIT_ASSERT_EQ(test, xft_export(ctx, next), 0);
	KUNIT_ASSERT_EQ(test, xft_addfb(ctx, shown, 0), 0);
	KUNIT_ASSERT_EQ(test, xft_addfb(ctx, next, 0), 0);
	fb = drm_framebuffer_lookup(&ctx->xdrm->drm, ctx->file, shown->fb_id);
	KUNIT_ASSERT_NOT_NULL(test, fb);
	KUNIT_EXPECT_EQ(test, xft_set_crtc(ctx, 0, fb, mode), 0);
	drm_framebuffer_put(fb);

	xdf_sim_backend_set_frame_done(ctx->sdev, 0, XDF_SIM_FD_NEVER);
	flip.crtc_id = ctx->xdrm->pipes[0].pipe.crtc.base.id;
	flip.fb_id = next->fb_id;
	KUNIT_ASSERT_EQ(test, drm_mode_page_flip_ioctl(&ctx->xdrm->drm, &flip,
						       ctx->file), 0);
	xdf_sim_settle();
	KUNIT_ASSERT_EQ(test, xdf_test_num_events(ctx->file), 0u);

	/* The device goes while all of it is held. */
	xdrm = ctx->xdrm;
	drm_dev_get(&xdrm->drm);
	if (i % 2) {
		xdf_sim_backend_set_state(ctx->sdev, XenbusStateClosing);
		KUNIT_EXPECT_TRUE(test,
				  xdf_sim_wait_frontend_state(ctx->sdev,
							      XenbusStateClosed,
							      XFT_WAIT_MS));
	}
	xdf_sim_dev_remove(ctx->sdev);
	ctx->sdev = NULL;
	KUNIT_EXPECT_TRUE(test, drm_dev_is_unplugged(&xdrm->drm));
	end = jiffies + msecs_to_jiffies(XFT_WAIT_MS);
	while (xdf_test_num_events(ctx->file) < 1 && time_before(jiffies, end))
		usleep_range(500, 1000);
	KUNIT_EXPECT_EQ_MSG(test, xft_drain_events(ctx), 1u,
			    "cycle %u: flip event", i);

	xft_close(ctx);
	xdf_sim_settle();
	cookies_left = !ida_is_empty(&xdrm->cookies);
	KUNIT_EXPECT_FALSE_MSG(test, cookies_left,
			       "cycle %u: cookies (DRM objects) left", i);
	KUNIT_EXPECT_EQ(test, xdrm->be_alloc_count, 0u);
	drm_dev_put(&xdrm->drm);
	ctx->xdrm = NULL;
	xdf_sim_expect_clean(test);
}

static void xft_cycles_case(struct kunit *test)
{
	struct xft_ctx *ctx = test->priv;
	unsigned long round = (unsigned long)test->param_value - 1;
	unsigned int first = round * XFT_CYCLE_ROUND;
	unsigned int last = min(first + XFT_CYCLE_ROUND, xft_cycles);
	ktime_t start = ktime_get();
	unsigned int i;

	prandom_seed_state(&ctx->rnd, round);
	xft_other_add(ctx);
	ctx->mm = xdf_test_process_start(test);
	for (i = first; i < last && test->status == KUNIT_SUCCESS; i++)
		xft_cycle(ctx, i);
	KUNIT_EXPECT_EQ(test, i, last);
	xdf_test_process_exit(&ctx->mm);
	kunit_info(test, "%u cycles in %lld ms\n", i - first,
		   ktime_ms_delta(ktime_get(), start));
}

static struct kunit_case xft_cycle_cases[] = {
	KUNIT_CASE_PARAM(xft_cycles_case, xft_cycle_gen),
	{}
};

static struct kunit_suite xft_cycle_suite = {
	.name = "xen_drm_front_cycles",
	.init = xft_init,
	.exit = xft_exit,
	.test_cases = xft_cycle_cases,
};

kunit_test_suites(&xft_suite, &xft_cycle_suite);
