// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The Xen layer: XenStore, grant tables and event channels.
 *
 * One thread, one poll() loop over the XenStore watch fd, the event channel
 * fd, a 60 Hz timer (paced frame-done events) and a signalfd. Test
 * harnesses steer it with a command file read on SIGHUP (control()).
 *
 * Device life cycle, per /local/domain/<us>/backend/vdispl/<fe>/<dev>:
 *
 *   found        -> write "versions"; if a previous backend left a state
 *                   behind, Initialising first (the frontend then drops its
 *                   old connection); then InitWait
 *   InitWait     -> when the frontend is Initialised: read its ring
 *                   references and event channels, map and bind them,
 *                   Connected
 *   Connected    -> when the frontend leaves Connected (Closed,
 *                   Initialising, unloaded, restarted): unmap everything,
 *                   InitWait again; when it goes Closing (it resets the
 *                   connection): unmap everything, Closing
 *   Closing      -> (our own, after the frontend's) when the frontend is
 *                   Closed: Closed; when it is Initialising again (or
 *                   gone): InitWait
 *   online 0 or
 *   Closing      -> (the toolstack removes the device) unmap, Closed
 *   node removed -> forget the device
 */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/signalfd.h>
#include <sys/stat.h>
#include <sys/timerfd.h>
#include <unistd.h>

#include <xenevtchn.h>
#include <xengnttab.h>
#include <xenstore.h>

#include "capture.h"
#include "format.h"
#include "log.h"
#include "xen.h"

/* Flips accepted but not yet reported per connector. */
#define PENDING_MAX		64
/* How long a restarted backend waits for the frontend to drop its old
 * connection before going to InitWait. */
#define RESET_WAIT_MS		2000
#define FRAME_NS		16666667
/* Paced frame-done intervals kept for the "vsync" answer. */
#define FD_SAMPLES		4096
/* A tick served this late is counted as late. */
#define TICK_LATE_US		1000

enum dev_phase { DEV_NEW, DEV_INITWAIT, DEV_CONNECTED, DEV_RESET, DEV_CLOSED };

struct dev;

struct conn_io {
	struct dev *dev;
	unsigned int idx;
	void *ring_page;
	struct xen_displif_back_ring ring;
	struct xendispl_event_page *evt_page;
	int req_port;			/* local ports, -1 when unbound */
	int evt_port;
	uint32_t evt_prod;
	uint16_t evt_id;
	bool evt_full_reported;
	bool evt_bad_reported;
	uint64_t pending[PENDING_MAX];	/* frame-done due, oldest first */
	unsigned int pend_head;
	unsigned int pend_count;
	bool capture;			/* frame changed: maybe write a PNG */
	struct be_frame frame;
	uint64_t last_png_ms;
	unsigned int png_seq;
	uint64_t fd_ns;			/* tick of the last paced frame-done; 0: none */
};

struct app;

struct dev {
	struct dev *next;
	struct app *app;
	unsigned int fe_domid;
	unsigned int devid;
	char name[32];			/* "dom<fe>/<dev>" */
	char be_path[128];
	char fe_path[128];
	char fe_state_path[160];
	bool watching;
	bool present;
	enum dev_phase phase;
	int fe_seen;			/* frontend state seen while connected */
	bool connect_failed;		/* until the frontend's state changes */
	struct be_cfg cfg;
	struct be_host host;
	struct be_core *core;
	struct conn_io conn[BE_MAX_CONNECTORS];
	uint64_t first_shown_ns;	/* CLOCK_REALTIME; 0: nothing yet */
};

struct totals {
	uint64_t devices, connections, requests, errors, violations, flips;
	uint64_t dbufs, edids, frame_done, dropped, pngs;
	uint64_t resets, unanswered;
};

struct app {
	struct be_xen_opts *o;
	struct xs_handle *xs;
	xengnttab_handle *xgt;
	xengntshr_handle *xgs;
	xenevtchn_handle *xce;
	int timer_fd;
	int signal_fd;
	int mark_fd;			/* --mark-late, or -1 */
	bool timer_armed;
	bool quit;
	char base[64];
	struct dev *devs;
	struct totals t;
	uint32_t fd_us[FD_SAMPLES];	/* paced frame-done intervals */
	unsigned int fd_n;
	/*
	 * Paced ticks served in runs of flips, and late (see on_timer()); the
	 * time the last tick served was due, and how many ticks the run it
	 * belongs to has had.
	 */
	uint64_t ticks, late_ticks, late_ticks_4ms, late_max_us;
	uint64_t last_due, run_ticks;
};

/* ---- XenStore helpers ---- */

static char *xs_get(struct app *app, const char *path)
{
	unsigned int len;

	return xs_read(app->xs, XBT_NULL, path, &len);
}

/* The node as an unsigned number, or -1 if absent or not a number. */
static long long xs_get_num(struct app *app, const char *dir, const char *node)
{
	char path[256], *val, *end;
	long long v;

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	val = xs_get(app, path);
	if (!val)
		return -1;
	errno = 0;
	v = strtoll(val, &end, 10);
	if (errno || end == val || *end || v < 0)
		v = -1;
	free(val);
	return v;
}

static bool xs_put(struct app *app, const char *dir, const char *node,
		   const char *val)
{
	char path[256];

	snprintf(path, sizeof(path), "%s/%s", dir, node);
	if (xs_write(app->xs, XBT_NULL, path, val, strlen(val)))
		return true;
	be_err("cannot write %s: %s", path, strerror(errno));
	return false;
}

static void app_violation(struct dev *dev, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static void app_violation(struct dev *dev, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (dev->core) {
		be_core_violation(dev->core, "%s", msg);
		return;
	}
	dev->app->t.violations++;
	be_err("VIOLATION %s: %s", dev->name, msg);
}

static void set_state(struct dev *dev, enum xenbus_state state)
{
	char val[4];

	snprintf(val, sizeof(val), "%d", state);
	if (xs_put(dev->app, dev->be_path, "state", val))
		be_info("%s: backend %s", dev->name, be_state_name(state));
}

/* ---- grant services for the core ---- */

static void *host_map(void *ctx, uint32_t count, const uint32_t *refs,
		      bool writable)
{
	struct dev *dev = ctx;

	return xengnttab_map_domain_grant_refs(dev->app->xgt, count,
					       dev->fe_domid, (uint32_t *)refs,
					       PROT_READ | (writable ? PROT_WRITE : 0));
}

static void host_unmap(void *ctx, void *addr, uint32_t count)
{
	struct dev *dev = ctx;

	if (xengnttab_unmap(dev->app->xgt, addr, count))
		be_err("%s: cannot unmap %u pages: %s", dev->name, count,
		       strerror(errno));
}

static void *host_share(void *ctx, uint32_t count, uint32_t *refs)
{
	struct dev *dev = ctx;
	void *addr;

	if (!dev->app->xgs) {
		errno = ENODEV;
		return NULL;
	}
	addr = xengntshr_share_pages(dev->app->xgs, dev->fe_domid, count,
				     refs, 1);
	if (addr)
		memset(addr, 0, (size_t)count * XENDISPL_PAGE_SIZE);
	return addr;
}

static void host_unshare(void *ctx, void *addr, uint32_t count)
{
	struct dev *dev = ctx;

	if (xengntshr_unshare(dev->app->xgs, addr, count))
		be_err("%s: cannot unshare %u pages: %s", dev->name, count,
		       strerror(errno));
}

static uint64_t now_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_MONOTONIC, &now);
	return (uint64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

/*
 * Frame-done at the ticks of a 60 Hz clock that runs whatever the flips do,
 * as a display's vblanks: a flip is shown at the next one.
 */
static void timer_arm(struct app *app, bool on)
{
	struct itimerspec its = { 0 };
	uint64_t ns;

	if (app->timer_armed == on)
		return;
	if (on) {
		ns = now_ns() / FRAME_NS * FRAME_NS + FRAME_NS;
		its.it_value.tv_sec = ns / 1000000000;
		its.it_value.tv_nsec = ns % 1000000000;
		its.it_interval.tv_nsec = FRAME_NS;
	}
	if (timerfd_settime(app->timer_fd, TFD_TIMER_ABSTIME, &its, NULL))
		be_err("timerfd_settime: %s", strerror(errno));
	app->timer_armed = on;
}

static void host_flipped(void *ctx, unsigned int conn, uint64_t fb_cookie)
{
	struct dev *dev = ctx;
	struct conn_io *c = &dev->conn[conn];
	const struct be_xen_opts *o = dev->app->o;

	if (o->no_frame_done && o->core.misbehave) {
		be_dbg("%s: conn %u: no frame-done for fb %" PRIu64 ", as asked",
		       dev->name, conn, fb_cookie);
		return;
	}
	if (c->pend_count == PENDING_MAX) {
		be_warn("%s: conn %u: %u frame-done events pending, dropping the oldest",
			dev->name, conn, PENDING_MAX);
		c->pend_head = (c->pend_head + 1) % PENDING_MAX;
		c->pend_count--;
		dev->app->t.dropped++;
	}
	c->pending[(c->pend_head + c->pend_count++) % PENDING_MAX] = fb_cookie;
	if (o->vsync)
		timer_arm(dev->app, true);
}

static uint64_t realtime_ns(void)
{
	struct timespec now;

	clock_gettime(CLOCK_REALTIME, &now);
	return (uint64_t)now.tv_sec * 1000000000 + now.tv_nsec;
}

static void host_shown(void *ctx, unsigned int conn,
		       const struct be_frame *frame)
{
	struct dev *dev = ctx;

	if (!dev->first_shown_ns)
		dev->first_shown_ns = realtime_ns();
	dev->conn[conn].frame = *frame;
	dev->conn[conn].capture = true;
}

/* ---- events and captures ---- */

static void send_frame_done(struct conn_io *c, uint64_t fb_cookie)
{
	struct dev *dev = c->dev;
	struct xendispl_event_page *page = c->evt_page;
	struct xendispl_evt *evt;
	uint32_t cons = __atomic_load_n(&page->in_cons, __ATOMIC_ACQUIRE);
	uint32_t used = c->evt_prod - cons;

	if (used > XENDISPL_IN_RING_LEN) {
		if (!c->evt_bad_reported)
			app_violation(dev, "conn %u: event page in_cons %u is ahead of in_prod %u",
				      c->idx, cons, c->evt_prod);
		c->evt_bad_reported = true;
		dev->app->t.dropped++;
		return;
	}
	if (used == XENDISPL_IN_RING_LEN) {
		if (!c->evt_full_reported)
			be_warn("%s: conn %u: event page full, frontend does not consume: dropping events",
				dev->name, c->idx);
		c->evt_full_reported = true;
		dev->app->t.dropped++;
		return;
	}
	c->evt_full_reported = false;
	evt = &XENDISPL_IN_RING_REF(page, c->evt_prod);
	memset(evt, 0, sizeof(*evt));
	evt->id = c->evt_id++;
	evt->type = XENDISPL_EVT_PG_FLIP;
	evt->op.pg_flip.fb_cookie = fb_cookie;
	c->evt_prod++;
	__atomic_store_n(&page->in_prod, c->evt_prod, __ATOMIC_RELEASE);
	xenevtchn_notify(dev->app->xce, c->evt_port);
	dev->app->t.frame_done++;
}

/* Sends up to max due frame-done events; returns how many are left. */
static unsigned int flush_frame_done(struct conn_io *c, unsigned int max)
{
	while (c->pend_count && max--) {
		send_frame_done(c, c->pending[c->pend_head]);
		c->pend_head = (c->pend_head + 1) % PENDING_MAX;
		c->pend_count--;
	}
	return c->pend_count;
}

static void capture(struct conn_io *c)
{
	struct dev *dev = c->dev;
	struct app *app = dev->app;
	const struct be_xen_opts *o = app->o;
	char path[4096];
	int ret;

	c->capture = false;
	if (!o->out_dir || app->t.pngs >= o->png_max ||
	    !be_capture_due(be_now_ms(), &c->last_png_ms, o->png_interval_ms))
		return;
	snprintf(path, sizeof(path), "%s/dom%u-%u-conn%u-%05u.png", o->out_dir,
		 dev->fe_domid, dev->devid, c->idx, ++c->png_seq);
	ret = be_png_write(path, &c->frame);
	if (ret) {
		be_err("%s: cannot write %s: %s", dev->name, path, strerror(-ret));
		return;
	}
	app->t.pngs++;
	be_info("%s: conn %u: frame %ux%u saved as %s", dev->name, c->idx,
		c->frame.screen_width, c->frame.screen_height, path);
}

/* ---- requests ---- */

static void disconnect(struct dev *dev);

/* Returns false if the frontend broke the ring and was disconnected. */
static bool serve_ring(struct conn_io *c)
{
	struct dev *dev = c->dev;
	struct app *app = dev->app;
	struct xen_displif_back_ring *ring = &c->ring;
	struct xendispl_req req;
	struct xendispl_resp rsp;
	RING_IDX rp;
	int more, notify;

	do {
		rp = ring->sring->req_prod;
		xen_rmb();
		if (RING_REQUEST_PROD_OVERFLOW(ring, rp)) {
			app_violation(dev, "conn %u: req_prod %u is more than a ring ahead of %u: disconnecting",
				      c->idx, rp, ring->rsp_prod_pvt);
			disconnect(dev);
			set_state(dev, XenbusStateInitWait);
			dev->phase = DEV_INITWAIT;
			dev->connect_failed = true;
			return false;
		}
		while (ring->req_cons != rp &&
		       !RING_REQUEST_CONS_OVERFLOW(ring, ring->req_cons)) {
			RING_COPY_REQUEST(ring, ring->req_cons, &req);
			ring->req_cons++;
			/* A hung backend: the request is read, never seen to. */
			if (app->o->silent && app->o->core.misbehave) {
				be_dbg("%s: conn %u: request %s id %u left unanswered",
				       dev->name, c->idx,
				       be_op_name(req.operation) ?: "?", req.id);
				app->t.unanswered++;
				continue;
			}
			if (app->o->delay_ms && app->o->core.misbehave)
				usleep(app->o->delay_ms * 1000);
			be_dbg("%s: conn %u: request %s (0x%02x) id %u", dev->name,
			       c->idx, be_op_name(req.operation) ?: "?",
			       req.operation, req.id);
			be_core_handle(dev->core, c->idx, &req, &rsp);
			*RING_GET_RESPONSE(ring, ring->rsp_prod_pvt) = rsp;
			ring->rsp_prod_pvt++;
			RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(ring, notify);
			if (notify)
				xenevtchn_notify(app->xce, c->req_port);
			/* Events and pictures after the answer: the frontend
			 * waits for the answer, not for them. */
			for (unsigned int i = 0; i < dev->cfg.num_connectors; i++) {
				struct conn_io *o = &dev->conn[i];

				if (!app->o->vsync)
					flush_frame_done(o, PENDING_MAX);
				if (o->capture)
					capture(o);
			}
		}
		RING_FINAL_CHECK_FOR_REQUESTS(ring, more);
	} while (more);
	return true;
}

/* ---- connection ---- */

static void fold_stats(struct app *app, const struct be_stats *s)
{
	app->t.requests += s->requests;
	app->t.errors += s->errors;
	app->t.violations += s->violations;
	app->t.flips += s->flips;
	app->t.dbufs += s->dbufs;
	app->t.edids += s->edids;
}

static void disconnect(struct dev *dev)
{
	struct app *app = dev->app;
	unsigned int i;

	if (dev->core) {
		fold_stats(app, be_core_stats(dev->core));
		be_core_free(dev->core);
		dev->core = NULL;
		be_info("%s: disconnected", dev->name);
	}
	for (i = 0; i < BE_MAX_CONNECTORS; i++) {
		struct conn_io *c = &dev->conn[i];

		if (c->req_port >= 0)
			xenevtchn_unbind(app->xce, c->req_port);
		if (c->evt_port >= 0)
			xenevtchn_unbind(app->xce, c->evt_port);
		if (c->ring_page)
			xengnttab_unmap(app->xgt, c->ring_page, 1);
		if (c->evt_page)
			xengnttab_unmap(app->xgt, c->evt_page, 1);
		memset(c, 0, sizeof(*c));
		c->dev = dev;
		c->idx = i;
		c->req_port = -1;
		c->evt_port = -1;
	}
}

/* Reads "WxH". */
static bool parse_resolution(const char *s, uint32_t *w, uint32_t *h)
{
	unsigned long a, b;
	char *end;

	errno = 0;
	a = strtoul(s, &end, 10);
	if (errno || end == s || *end != 'x')
		return false;
	s = end + 1;
	b = strtoul(s, &end, 10);
	if (errno || end == s || *end || !a || !b || a > UINT32_MAX ||
	    b > UINT32_MAX)
		return false;
	*w = a;
	*h = b;
	return true;
}

/* The device's configuration, written by the toolstack. */
static int read_cfg(struct dev *dev)
{
	struct app *app = dev->app;
	struct be_cfg *cfg = &dev->cfg;
	char path[256], *val;
	unsigned int i;

	memset(cfg, 0, sizeof(*cfg));
	snprintf(path, sizeof(path), "%s/%s", dev->fe_path, XENDISPL_FIELD_BE_ALLOC);
	val = xs_get(app, path);
	cfg->be_alloc = val && !strcmp(val, "1");
	free(val);
	for (i = 0; i < BE_MAX_CONNECTORS; i++) {
		struct be_connector_cfg *cc = &cfg->conn[i];

		snprintf(path, sizeof(path), "%s/%u/%s", dev->fe_path, i,
			 XENDISPL_FIELD_RESOLUTION);
		val = xs_get(app, path);
		if (!val)
			break;
		if (!parse_resolution(val, &cc->width, &cc->height)) {
			be_err("%s: %s is \"%s\", not <width>x<height>",
			       dev->name, path, val);
			free(val);
			return -EINVAL;
		}
		free(val);
		snprintf(path, sizeof(path), "%s/%u/%s", dev->fe_path, i,
			 XENDISPL_FIELD_UNIQUE_ID);
		val = xs_get(app, path);
		snprintf(cc->unique_id, sizeof(cc->unique_id), "%s", val ?: "");
		free(val);
	}
	cfg->num_connectors = i;
	if (!i) {
		be_err("%s: no connector: %s/0/%s is missing", dev->name,
		       dev->fe_path, XENDISPL_FIELD_RESOLUTION);
		return -EINVAL;
	}
	return 0;
}

static bool version_offered(const char *list, const char *v)
{
	size_t n = strlen(v);
	const char *p;

	for (p = list; p && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (!strncmp(p, v, n) && (p[n] == ',' || !p[n]))
			return true;
	return false;
}

static int connect_conn(struct dev *dev, struct conn_io *c)
{
	struct app *app = dev->app;
	char dir[200];
	long long req_ref, req_ch, evt_ref, evt_ch;
	int port;

	snprintf(dir, sizeof(dir), "%s/%u", dev->fe_path, c->idx);
	req_ref = xs_get_num(app, dir, XENDISPL_FIELD_REQ_RING_REF);
	req_ch = xs_get_num(app, dir, XENDISPL_FIELD_REQ_CHANNEL);
	evt_ref = xs_get_num(app, dir, XENDISPL_FIELD_EVT_RING_REF);
	evt_ch = xs_get_num(app, dir, XENDISPL_FIELD_EVT_CHANNEL);
	if (req_ref <= 0 || req_ch <= 0 || evt_ref <= 0 || evt_ch <= 0 ||
	    req_ref > UINT32_MAX || evt_ref > UINT32_MAX ||
	    req_ch > UINT32_MAX || evt_ch > UINT32_MAX) {
		app_violation(dev, "frontend is Initialised but %s has req-ring-ref %lld, req-event-channel %lld, evt-ring-ref %lld, evt-event-channel %lld",
			      dir, req_ref, req_ch, evt_ref, evt_ch);
		return -EINVAL;
	}
	c->ring_page = xengnttab_map_grant_ref(app->xgt, dev->fe_domid,
					       (uint32_t)req_ref,
					       PROT_READ | PROT_WRITE);
	c->evt_page = xengnttab_map_grant_ref(app->xgt, dev->fe_domid,
					      (uint32_t)evt_ref,
					      PROT_READ | PROT_WRITE);
	if (!c->ring_page || !c->evt_page) {
		app_violation(dev, "conn %u: cannot map the request ring (grant %lld) or event page (grant %lld): %s",
			      c->idx, req_ref, evt_ref, strerror(errno));
		return -EINVAL;
	}
	port = xenevtchn_bind_interdomain(app->xce, dev->fe_domid,
					  (evtchn_port_t)req_ch);
	if (port < 0) {
		app_violation(dev, "conn %u: cannot bind request event channel %lld: %s",
			      c->idx, req_ch, strerror(errno));
		return -EINVAL;
	}
	c->req_port = port;
	port = xenevtchn_bind_interdomain(app->xce, dev->fe_domid,
					  (evtchn_port_t)evt_ch);
	if (port < 0) {
		app_violation(dev, "conn %u: cannot bind event page channel %lld: %s",
			      c->idx, evt_ch, strerror(errno));
		return -EINVAL;
	}
	c->evt_port = port;
	BACK_RING_INIT(&c->ring, (struct xen_displif_sring *)c->ring_page,
		       XENDISPL_PAGE_SIZE);
	/* A fresh page starts at 0; a reused one goes on from where it is. */
	c->evt_prod = __atomic_load_n(&c->evt_page->in_prod, __ATOMIC_ACQUIRE);
	be_info("%s: conn %u: %ux%u \"%s\", ring grant %lld port %lld, events grant %lld port %lld",
		dev->name, c->idx, dev->cfg.conn[c->idx].width,
		dev->cfg.conn[c->idx].height, dev->cfg.conn[c->idx].unique_id,
		req_ref, req_ch, evt_ref, evt_ch);
	return 0;
}

static int dev_connect(struct dev *dev)
{
	struct app *app = dev->app;
	char path[256], *version;
	unsigned int i;

	if (read_cfg(dev))
		return -EINVAL;
	snprintf(path, sizeof(path), "%s/%s", dev->fe_path, XENDISPL_FIELD_FE_VERSION);
	version = xs_get(app, path);
	if (version && !version_offered(app->o->versions, version))
		app_violation(dev, "frontend chose version \"%s\", not one of \"%s\"",
			      version, app->o->versions ?: "");
	free(version);

	for (i = 0; i < dev->cfg.num_connectors; i++)
		if (connect_conn(dev, &dev->conn[i]))
			goto err;
	dev->core = be_core_new(dev->name, &dev->cfg, &dev->host, &app->o->core);
	dev->first_shown_ns = 0;
	if (!dev->core) {
		be_err("%s: out of memory", dev->name);
		goto err;
	}
	app->t.connections++;
	be_info("%s: connected: %u connector(s), be-alloc %d", dev->name,
		dev->cfg.num_connectors, dev->cfg.be_alloc);
	/* Nothing should be there yet; if something is, serve it. */
	for (i = 0; i < dev->cfg.num_connectors; i++)
		if (!serve_ring(&dev->conn[i]))
			return -EPROTO;
	return 0;
err:
	disconnect(dev);
	return -EINVAL;
}

/* ---- device discovery and state machine ---- */

static struct dev *dev_new(struct app *app, unsigned int fe, unsigned int id)
{
	struct dev *dev;
	char path[160], *fe_path;
	unsigned int i;

	snprintf(path, sizeof(path), "%s/%u/%u/frontend", app->base, fe, id);
	fe_path = xs_get(app, path);
	if (!fe_path)
		return NULL;	/* not filled in yet: next time */
	dev = calloc(1, sizeof(*dev));
	if (!dev || strlen(fe_path) >= sizeof(dev->fe_path)) {
		free(dev);
		free(fe_path);
		be_err("cannot track device %u/%u", fe, id);
		return NULL;
	}
	dev->app = app;
	dev->fe_domid = fe;
	dev->devid = id;
	snprintf(dev->name, sizeof(dev->name), "dom%u/%u", fe, id);
	snprintf(dev->be_path, sizeof(dev->be_path), "%s/%u/%u", app->base, fe, id);
	snprintf(dev->fe_path, sizeof(dev->fe_path), "%s", fe_path);
	snprintf(dev->fe_state_path, sizeof(dev->fe_state_path), "%s/state", fe_path);
	free(fe_path);
	dev->host = (struct be_host){
		.ctx = dev,
		.map = host_map,
		.unmap = host_unmap,
		.share = host_share,
		.unshare = host_unshare,
		.flipped = host_flipped,
		.shown = host_shown,
	};
	for (i = 0; i < BE_MAX_CONNECTORS; i++) {
		dev->conn[i].dev = dev;
		dev->conn[i].idx = i;
		dev->conn[i].req_port = -1;
		dev->conn[i].evt_port = -1;
	}
	dev->watching = xs_watch(app->xs, dev->fe_state_path, "fe");
	if (!dev->watching)
		be_err("%s: cannot watch %s: %s", dev->name, dev->fe_state_path,
		       strerror(errno));
	dev->next = app->devs;
	app->devs = dev;
	app->t.devices++;
	be_info("%s: new device, frontend %s", dev->name, dev->fe_path);
	return dev;
}

static void dev_free(struct dev *dev)
{
	disconnect(dev);
	if (dev->watching)
		xs_unwatch(dev->app->xs, dev->fe_state_path, "fe");
	be_info("%s: device removed", dev->name);
	free(dev);
}

/* A previous backend left its state: make the frontend drop that
 * connection before offering a new one. */
static void reset_frontend(struct dev *dev)
{
	uint64_t end = be_now_ms() + RESET_WAIT_MS;
	long long fe;

	set_state(dev, XenbusStateInitialising);
	for (;;) {
		fe = xs_get_num(dev->app, dev->fe_path, "state");
		if ((fe != XenbusStateInitialised && fe != XenbusStateConnected) ||
		    be_now_ms() >= end)
			break;
		usleep(20000);
	}
	be_info("%s: frontend %s after the reset", dev->name, be_state_name((int)fe));
}

static void dev_step(struct dev *dev);

/* InitWait for a new connection; on at once if the frontend already
 * published again (a quick restart). */
static void offer_connection(struct dev *dev, enum xenbus_state fe)
{
	set_state(dev, XenbusStateInitWait);
	dev->phase = DEV_INITWAIT;
	dev->connect_failed = false;
	if (fe == XenbusStateInitialised)
		dev_step(dev);
}

static void dev_step(struct dev *dev)
{
	struct app *app = dev->app;
	long long be = xs_get_num(app, dev->be_path, "state");
	long long online = xs_get_num(app, dev->be_path, "online");
	long long fe = xs_get_num(app, dev->fe_path, "state");

	/* Our own Closing, while we follow the frontend's reset, is not the
	 * toolstack's. */
	if (dev->phase != DEV_CLOSED &&
	    ((be == XenbusStateClosing && dev->phase != DEV_RESET) ||
	     online == 0)) {
		be_info("%s: the toolstack removes the device", dev->name);
		disconnect(dev);
		set_state(dev, XenbusStateClosed);
		dev->phase = DEV_CLOSED;
		return;
	}

	switch (dev->phase) {
	case DEV_NEW:
		if (app->o->versions && *app->o->versions)
			xs_put(app, dev->be_path, XENDISPL_FIELD_BE_VERSIONS,
			       app->o->versions);
		/* SET_CONFIG's x, y, width, height are shown of any fb. */
		xs_put(app, dev->be_path, XENDISPL_FIELD_BE_FB_VIEWPORT, "1");
		if (be != XenbusStateInitialising)
			reset_frontend(dev);
		set_state(dev, XenbusStateInitWait);
		dev->phase = DEV_INITWAIT;
		fe = xs_get_num(app, dev->fe_path, "state");
		/* fall through */
	case DEV_INITWAIT:
		if (fe != XenbusStateInitialised) {
			dev->connect_failed = false;
			return;
		}
		if (dev->connect_failed)
			return;
		if (dev_connect(dev)) {
			dev->connect_failed = true;
			return;
		}
		set_state(dev, XenbusStateConnected);
		dev->phase = DEV_CONNECTED;
		dev->fe_seen = XenbusStateInitialised;
		return;

	case DEV_CONNECTED:
		if (fe == XenbusStateConnected) {
			if (dev->fe_seen != XenbusStateConnected)
				be_info("%s: frontend Connected", dev->name);
			dev->fe_seen = XenbusStateConnected;
			return;
		}
		/* Not yet seen our Connected. */
		if (fe == XenbusStateInitialised &&
		    dev->fe_seen == XenbusStateInitialised)
			return;
		be_info("%s: frontend %s: dropping the connection", dev->name,
			be_state_name((int)fe));
		disconnect(dev);
		if (fe == XenbusStateClosing) {
			/* The frontend resets the connection, as xenbus
			 * frontends do: follow it through Closing and Closed,
			 * offer a new connection once it is Initialising. */
			app->t.resets++;
			set_state(dev, XenbusStateClosing);
			dev->phase = DEV_RESET;
			return;
		}
		offer_connection(dev, fe);
		return;

	case DEV_RESET:
		if (fe == XenbusStateClosing)
			return;
		/* Once: our write fires our own watch, which would write
		 * again, as long as the frontend stays Closed. */
		if (fe == XenbusStateClosed) {
			if (be != XenbusStateClosed)
				set_state(dev, XenbusStateClosed);
			return;
		}
		be_info("%s: frontend %s after its reset: offering a new connection",
			dev->name, be_state_name((int)fe));
		offer_connection(dev, fe);
		return;

	case DEV_CLOSED:
		return;
	}
}

static void scan(struct app *app)
{
	struct dev *dev, **pp;
	char path[128], **fes, **ids;
	unsigned int nfe = 0, nid, i, j;

	for (dev = app->devs; dev; dev = dev->next)
		dev->present = false;
	fes = xs_directory(app->xs, XBT_NULL, app->base, &nfe);
	for (i = 0; fes && i < nfe; i++) {
		unsigned int fe = (unsigned int)strtoul(fes[i], NULL, 10);

		snprintf(path, sizeof(path), "%s/%s", app->base, fes[i]);
		ids = xs_directory(app->xs, XBT_NULL, path, &nid);
		for (j = 0; ids && j < nid; j++) {
			unsigned int id = (unsigned int)strtoul(ids[j], NULL, 10);

			for (dev = app->devs; dev; dev = dev->next)
				if (dev->fe_domid == fe && dev->devid == id)
					break;
			if (!dev)
				dev = dev_new(app, fe, id);
			if (dev)
				dev->present = true;
		}
		free(ids);
	}
	free(fes);

	for (pp = &app->devs; *pp;) {
		dev = *pp;
		if (!dev->present) {
			*pp = dev->next;
			dev_free(dev);
			continue;
		}
		dev_step(dev);
		pp = &dev->next;
	}
}

/* ---- main loop ---- */

static struct conn_io *find_port(struct app *app, int port, bool *is_req)
{
	struct dev *dev;
	unsigned int i;

	for (dev = app->devs; dev; dev = dev->next) {
		if (!dev->core)
			continue;
		for (i = 0; i < dev->cfg.num_connectors; i++) {
			if (dev->conn[i].req_port == port) {
				*is_req = true;
				return &dev->conn[i];
			}
			if (dev->conn[i].evt_port == port) {
				*is_req = false;
				return &dev->conn[i];
			}
		}
	}
	return NULL;
}

static void on_evtchn(struct app *app)
{
	struct conn_io *c;
	bool is_req;
	int port;

	while ((port = xenevtchn_pending(app->xce)) >= 0) {
		xenevtchn_unmask(app->xce, port);
		c = find_port(app, port, &is_req);
		if (c && is_req)
			serve_ring(c);
		/* The event page's channel only tells that the frontend
		 * consumed events: nothing to do. */
	}
	if (errno != EAGAIN)
		be_err("xenevtchn_pending: %s", strerror(errno));
}

static void on_timer(struct app *app)
{
	uint64_t ticks, late_us, now, due;
	unsigned int left = 0, i;
	struct dev *dev;

	if (read(app->timer_fd, &ticks, sizeof(ticks)) < 0)
		return;
	/* The ticks fall on whole multiples of FRAME_NS (timer_arm()). */
	now = now_ns();
	due = now - now % FRAME_NS;
	/*
	 * A tick served late (Dom0 not scheduled, or busy) delays every
	 * frame-done it sends: counted for the "vsync" answer, so that late
	 * events in the guest can be put down to the backend. With ticks
	 * missed, from the first of them.
	 */
	late_us = ((ticks - 1) * FRAME_NS + now - due) / 1000;
	/*
	 * Counted only in a run of flips, a tick due one period after the
	 * last one served, as a client flipping at every frame keeps them:
	 * a lone flip (a console's cursor blink, the mode a client leaves
	 * behind) falls while the guest and Dom0 do other things, which the
	 * counts are not about.
	 */
	if (due - (ticks - 1) * FRAME_NS - app->last_due == FRAME_NS) {
		app->ticks++;
		app->run_ticks++;
		app->late_ticks += late_us >= TICK_LATE_US;
		app->late_ticks_4ms += late_us >= 4 * TICK_LATE_US;
		if (late_us > app->late_max_us)
			app->late_max_us = late_us;
		if (late_us >= TICK_LATE_US && app->mark_fd >= 0)
			dprintf(app->mark_fd, "e2e-late %" PRIu64 " us\n", late_us);
		/* Where in the run: at its start (a mode set, a console back) or steady. */
		if (late_us >= TICK_LATE_US)
			be_info("paced tick %" PRIu64 " of a run of flips served %" PRIu64 " us late",
				app->run_ticks, late_us);
	} else {
		app->run_ticks = 0;
	}
	app->last_due = due;
	if (late_us >= TICK_LATE_US)
		be_dbg("tick served %" PRIu64 " us late (%" PRIu64 " tick(s))",
		       late_us, ticks);
	for (dev = app->devs; dev; dev = dev->next)
		for (i = 0; dev->core && i < dev->cfg.num_connectors; i++) {
			struct conn_io *c = &dev->conn[i];

			/*
			 * The spacing the frontend's events should show: of the
			 * display's vblanks that showed the frames (the latest
			 * tick due), not of when Dom0 got to send them.
			 */
			if (c->pend_count && c->fd_ns && app->fd_n < FD_SAMPLES)
				app->fd_us[app->fd_n++] = (uint32_t)((due - c->fd_ns) / 1000);
			if (c->pend_count)
				c->fd_ns = due;
			left += flush_frame_done(c, 1);
		}
	if (!left)
		timer_arm(app, false);
}

static void print_summary(struct app *app, const char *when)
{
	struct totals t = app->t;
	struct dev *dev;

	for (dev = app->devs; dev; dev = dev->next)
		if (dev->core) {
			const struct be_stats *s = be_core_stats(dev->core);

			t.requests += s->requests;
			t.errors += s->errors;
			t.violations += s->violations;
			t.flips += s->flips;
			t.dbufs += s->dbufs;
			t.edids += s->edids;
		}
	fprintf(stderr,
		"vdispl-be: %s: devices %" PRIu64 ", connections %" PRIu64
		", requests %" PRIu64 ", errors %" PRIu64 ", dbufs %" PRIu64
		", flips %" PRIu64 ", frame-done %" PRIu64 ", dropped events %" PRIu64
		", edids %" PRIu64 ", pngs %" PRIu64 ", frontend resets %" PRIu64
		", unanswered %" PRIu64 ", protocol violations %" PRIu64 "\n",
		when, t.devices, t.connections, t.requests, t.errors, t.dbufs,
		t.flips, t.frame_done, t.dropped, t.edids, t.pngs, t.resets,
		t.unanswered, t.violations);
}

/* ---- control commands (SIGHUP) ---- */

/* Names become file names: keep them plain. */
static bool snap_name_ok(const char *name)
{
	size_t n = strlen(name);

	return n && n <= 64 && strspn(name, "abcdefghijklmnopqrstuvwxyz"
				     "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") == n;
}

/* Saves what every connector shows now, ignoring the PNG rate and cap. */
static int snap(struct app *app, const char *name, char *res, size_t len)
{
	const char *dir = app->o->out_dir;
	unsigned int i, files = 0;
	struct be_frame frame;
	char path[4096];
	struct dev *dev;
	int ret;

	if (!dir || !snap_name_ok(name)) {
		snprintf(res, len, "error: %s", dir ? "bad snapshot name" : "no --out directory");
		return -EINVAL;
	}
	for (dev = app->devs; dev; dev = dev->next) {
		for (i = 0; dev->core && i < dev->cfg.num_connectors; i++) {
			if (!be_core_frame(dev->core, i, &frame))
				continue;
			snprintf(path, sizeof(path), "%s/%s-dom%u-%u-conn%u.png", dir,
				 name, dev->fe_domid, dev->devid, i);
			ret = be_png_write(path, &frame);
			if (ret) {
				snprintf(res, len, "error: cannot write %s: %s", path,
					 strerror(-ret));
				return ret;
			}
			be_info("%s: conn %u: snapshot %ux%u saved as %s", dev->name, i,
				frame.screen_width, frame.screen_height, path);
			files++;
		}
	}
	snprintf(res, len, "ok %u", files);
	return 0;
}

/*
 * "share DEVID CONN RRGGBB": how much of what connector CONN of device
 * DEVID shows now is that colour, in thousandths ("ok N"). Lets a guest
 * wait until a client has drawn, however slow the host is.
 */
static int share(struct app *app, const char *args, char *res, size_t len)
{
	unsigned int devid, conn, rgb, y, x, hits = 0;
	struct be_frame frame;
	uint8_t *line;
	struct dev *dev;
	char end;

	if (sscanf(args, "%u %u %6x%c", &devid, &conn, &rgb, &end) != 3) {
		snprintf(res, len, "error: usage: share DEVID CONN RRGGBB");
		return -EINVAL;
	}
	for (dev = app->devs; dev; dev = dev->next)
		if (dev->devid == devid && dev->core &&
		    conn < dev->cfg.num_connectors &&
		    be_core_frame(dev->core, conn, &frame))
			break;
	if (!dev || !frame.width || !frame.height) {
		snprintf(res, len, "error: device %u connector %u shows nothing",
			 devid, conn);
		return -ENOENT;
	}
	line = malloc(3 * (size_t)frame.width);
	if (!line) {
		snprintf(res, len, "error: out of memory");
		return -ENOMEM;
	}
	for (y = 0; y < frame.height; y++) {
		be_format_to_rgb(frame.format, frame.pixels + (size_t)y * frame.pitch,
				 frame.width, line);
		for (x = 0; x < frame.width; x++)
			hits += ((unsigned int)line[3 * x] << 16 |
				 line[3 * x + 1] << 8 | line[3 * x + 2]) == rgb;
	}
	free(line);
	snprintf(res, len, "ok %llu",
		 1000ull * hits / ((unsigned long long)frame.width * frame.height));
	return 0;
}

/*
 * "first-frame DEVID": when device DEVID first showed a frame since its
 * frontend connected ("ok NS", CLOCK_REALTIME), an error if it has not:
 * lets a guest wait for its driver's first picture. The guest's clock is
 * not ours (Dom0 sets its own from the RTC), so NS is for the logs.
 */
static int first_frame(struct app *app, const char *args, char *res,
		       size_t len)
{
	unsigned int devid;
	struct dev *dev;
	char end;

	if (sscanf(args, "%u%c", &devid, &end) != 1) {
		snprintf(res, len, "error: usage: first-frame DEVID");
		return -EINVAL;
	}
	for (dev = app->devs; dev; dev = dev->next)
		if (dev->devid == devid && dev->core && dev->first_shown_ns)
			break;
	if (!dev) {
		snprintf(res, len, "error: device %u has shown nothing since it connected",
			 devid);
		return -ENOENT;
	}
	snprintf(res, len, "ok %" PRIu64, dev->first_shown_ns);
	return 0;
}

/* "misbehave [fail=OPS] [no-frame-done] [delay=MS] [silent]": these and no
 * others. */
static int misbehave(struct app *app, char *args, char *res, size_t len)
{
	struct be_xen_opts *o = app->o;
	uint32_t fail_ops = 0;
	bool no_frame_done = false, silent = false;
	unsigned long delay = 0;
	char *tok, *save = NULL, *end;

	for (tok = strtok_r(args, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
		if (!strncmp(tok, "fail=", 5) && !be_parse_ops(tok + 5, &fail_ops))
			continue;
		if (!strcmp(tok, "no-frame-done")) {
			no_frame_done = true;
			continue;
		}
		if (!strcmp(tok, "silent")) {
			silent = true;
			continue;
		}
		if (!strncmp(tok, "delay=", 6)) {
			errno = 0;
			delay = strtoul(tok + 6, &end, 10);
			if (!errno && end != tok + 6 && !*end && delay <= 60000)
				continue;
		}
		snprintf(res, len, "error: bad misbehaviour \"%s\"", tok);
		return -EINVAL;
	}
	o->core.fail_ops = fail_ops;
	o->no_frame_done = no_frame_done;
	o->delay_ms = (unsigned int)delay;
	o->silent = silent;
	o->core.misbehave = true;
	snprintf(res, len, "ok");
	return 0;
}

static int cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return (x > y) - (x < y);
}

/*
 * "vsync on|off": frame-done at 60 Hz, or at once (those due go now). The
 * answer says what it was, how far apart the paced frame-done events on a
 * connector were and how many ticks of runs of flips were served late
 * since the last "vsync" command.
 */
static void vsync(struct app *app, bool on, char *res, size_t len)
{
	unsigned int i, n = app->fd_n;
	struct dev *dev;
	size_t used;

	used = (size_t)snprintf(res, len, "ok, was %s", app->o->vsync ? "on" : "off");
	if (n && used < len) {
		qsort(app->fd_us, n, sizeof(app->fd_us[0]), cmp_u32);
		used += (size_t)snprintf(res + used, len - used,
					 "; frame-done intervals %u min %u median %u max %u us", n,
					 app->fd_us[0], app->fd_us[(n - 1) / 2],
					 app->fd_us[n - 1]);
	}
	if (app->ticks && used < len)
		snprintf(res + used, len - used,
			 "; ticks %" PRIu64 " late-1ms %" PRIu64 " late-4ms %" PRIu64
			 " late-max-us %" PRIu64, app->ticks, app->late_ticks,
			 app->late_ticks_4ms, app->late_max_us);
	app->o->vsync = on;
	app->fd_n = 0;
	app->ticks = app->late_ticks = app->late_ticks_4ms = app->late_max_us = 0;
	for (dev = app->devs; dev; dev = dev->next)
		for (i = 0; dev->core && i < dev->cfg.num_connectors; i++) {
			dev->conn[i].fd_ns = 0;
			if (!on)
				flush_frame_done(&dev->conn[i], PENDING_MAX);
		}
	if (!on)
		timer_arm(app, false);
}

static void write_result(const char *path, const char *res)
{
	char tmp[4096], done[4096];
	FILE *f;

	snprintf(tmp, sizeof(tmp), "%s.done.tmp", path);
	snprintf(done, sizeof(done), "%s.done", path);
	f = fopen(tmp, "w");
	if (!f) {
		be_err("cannot write %s: %s", tmp, strerror(errno));
		return;
	}
	fprintf(f, "%s\n", res);
	if (fclose(f) || rename(tmp, done))
		be_err("cannot write %s: %s", done, strerror(errno));
}

/* Runs the command in the --control file; its result goes to FILE.done. */
static void control(struct app *app)
{
	const char *path = app->o->control;
	char cmd[256] = "", res[4352];
	size_t n;
	FILE *f;

	if (!path) {
		be_warn("SIGHUP without --control: ignored");
		return;
	}
	f = fopen(path, "r");
	if (!f) {
		snprintf(res, sizeof(res), "error: cannot read %s: %s", path,
			 strerror(errno));
		goto out;
	}
	if (!fgets(cmd, sizeof(cmd), f))
		cmd[0] = 0;
	fclose(f);
	n = strcspn(cmd, "\n");
	cmd[n] = 0;
	if (!strncmp(cmd, "snap ", 5)) {
		snap(app, cmd + 5, res, sizeof(res));
	} else if (!strcmp(cmd, "misbehave") || !strncmp(cmd, "misbehave ", 10)) {
		misbehave(app, cmd + 9, res, sizeof(res));
	} else if (!strncmp(cmd, "share ", 6)) {
		share(app, cmd + 6, res, sizeof(res));
	} else if (!strncmp(cmd, "first-frame ", 12)) {
		first_frame(app, cmd + 12, res, sizeof(res));
	} else if (!strcmp(cmd, "behave")) {
		app->o->core.misbehave = false;
		snprintf(res, sizeof(res), "ok");
	} else if (!strcmp(cmd, "vsync on") || !strcmp(cmd, "vsync off")) {
		vsync(app, !strcmp(cmd, "vsync on"), res, sizeof(res));
	} else {
		snprintf(res, sizeof(res), "error: unknown command \"%s\"", cmd);
	}
out:
	be_info("control: \"%s\": %s", cmd, res);
	write_result(path, res);
}

static void on_signal(struct app *app)
{
	struct signalfd_siginfo si;
	struct be_opts *core = &app->o->core;

	if (read(app->signal_fd, &si, sizeof(si)) != sizeof(si))
		return;
	switch (si.ssi_signo) {
	case SIGUSR1:
		core->misbehave = !core->misbehave;
		be_info("misbehaviours %s", core->misbehave ? "on" : "off");
		break;
	case SIGUSR2:
		print_summary(app, "status");
		break;
	case SIGHUP:
		control(app);
		break;
	default:
		be_info("signal %u: exiting", si.ssi_signo);
		app->quit = true;
		break;
	}
}

static int open_xen(struct app *app)
{
	sigset_t mask;

	app->xs = xs_open(0);
	if (!app->xs) {
		be_err("cannot open XenStore: %s", strerror(errno));
		return -1;
	}
	app->xgt = xengnttab_open(NULL, 0);
	if (!app->xgt) {
		be_err("cannot open the grant table device: %s", strerror(errno));
		return -1;
	}
	app->xgs = xengntshr_open(NULL, 0);
	if (!app->xgs)
		be_warn("cannot open the grant sharing device (be-alloc will fail): %s",
			strerror(errno));
	app->xce = xenevtchn_open(NULL, 0);
	if (!app->xce) {
		be_err("cannot open the event channel device: %s", strerror(errno));
		return -1;
	}
	if (fcntl(xenevtchn_fd(app->xce), F_SETFL,
		  fcntl(xenevtchn_fd(app->xce), F_GETFL) | O_NONBLOCK)) {
		be_err("cannot make the event channel fd non-blocking: %s",
		       strerror(errno));
		return -1;
	}
	app->timer_fd = timerfd_create(CLOCK_MONOTONIC, TFD_NONBLOCK | TFD_CLOEXEC);
	sigemptyset(&mask);
	sigaddset(&mask, SIGTERM);
	sigaddset(&mask, SIGINT);
	sigaddset(&mask, SIGHUP);
	sigaddset(&mask, SIGUSR1);
	sigaddset(&mask, SIGUSR2);
	sigprocmask(SIG_BLOCK, &mask, NULL);
	app->signal_fd = signalfd(-1, &mask, SFD_NONBLOCK | SFD_CLOEXEC);
	if (app->timer_fd < 0 || app->signal_fd < 0) {
		be_err("cannot create the timer or signal fd: %s", strerror(errno));
		return -1;
	}
	if (app->o->mark_late) {
		app->mark_fd = open(app->o->mark_late, O_WRONLY | O_APPEND | O_CLOEXEC);
		if (app->mark_fd < 0) {
			be_err("cannot open %s: %s", app->o->mark_late, strerror(errno));
			return -1;
		}
	}
	snprintf(app->base, sizeof(app->base), "/local/domain/%u/backend/%s",
		 app->o->domid, XENDISPL_DRIVER_NAME);
	if (!xs_watch(app->xs, app->base, "be")) {
		be_err("cannot watch %s: %s", app->base, strerror(errno));
		return -1;
	}
	return 0;
}

static void close_xen(struct app *app)
{
	if (app->signal_fd > 0)
		close(app->signal_fd);
	if (app->timer_fd > 0)
		close(app->timer_fd);
	if (app->mark_fd >= 0)
		close(app->mark_fd);
	if (app->xce)
		xenevtchn_close(app->xce);
	if (app->xgs)
		xengntshr_close(app->xgs);
	if (app->xgt)
		xengnttab_close(app->xgt);
	if (app->xs)
		xs_close(app->xs);
}

int be_xen_main(struct be_xen_opts *opts)
{
	struct app app = { .o = opts, .timer_fd = -1, .signal_fd = -1,
			   .mark_fd = -1 };
	struct pollfd fds[4];
	char **vec;
	int ret = 2;

	if (opts->out_dir && mkdir(opts->out_dir, 0755) && errno != EEXIST) {
		be_err("cannot create %s: %s", opts->out_dir, strerror(errno));
		return 2;
	}
	if (open_xen(&app))
		goto out;
	be_info("serving %s (frame-done %s%s%s%s)", app.base,
		opts->vsync ? "at 60 Hz" : "at once",
		opts->out_dir ? ", PNGs in " : "", opts->out_dir ?: "",
		opts->core.misbehave ? ", misbehaving" : "");
	scan(&app);

	while (!app.quit) {
		fds[0] = (struct pollfd){ .fd = xs_fileno(app.xs), .events = POLLIN };
		fds[1] = (struct pollfd){ .fd = xenevtchn_fd(app.xce), .events = POLLIN };
		fds[2] = (struct pollfd){ .fd = app.timer_fd, .events = POLLIN };
		fds[3] = (struct pollfd){ .fd = app.signal_fd, .events = POLLIN };
		if (poll(fds, 4, -1) < 0) {
			if (errno == EINTR)
				continue;
			be_err("poll: %s", strerror(errno));
			break;
		}
		if (fds[3].revents)
			on_signal(&app);
		if (fds[1].revents)
			on_evtchn(&app);
		if (fds[2].revents)
			on_timer(&app);
		if (fds[0].revents) {
			bool changed = false;

			while ((vec = xs_check_watch(app.xs))) {
				free(vec);
				changed = true;
			}
			if (changed)
				scan(&app);
		}
	}

	/* Tell the frontends we are gone, then let go of their memory. */
	for (struct dev *dev = app.devs; dev; dev = dev->next)
		if (dev->phase != DEV_CLOSED) {
			disconnect(dev);
			set_state(dev, XenbusStateClosing);
		}
	while (app.devs) {
		struct dev *dev = app.devs;

		app.devs = dev->next;
		dev_free(dev);
	}
	print_summary(&app, "summary");
	ret = app.t.violations ? 1 : 0;
out:
	close_xen(&app);
	return ret;
}
