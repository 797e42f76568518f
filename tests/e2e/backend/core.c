// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * The protocol core: state of one connection and the answer to each
 * request. See core.h for the split with the Xen layer, and displif.h for
 * the rules checked here.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core.h"
#include "edid.h"
#include "format.h"
#include "log.h"

#define PAGE_SZ		XENDISPL_PAGE_SIZE
#define REFS_PER_DIR	XENDISPL_PAGE_DIR_GREFS_PER_PAGE
/* Framebuffer cookies remembered after FB_DETACH, for clearer messages. */
#define DETACHED_MEMORY	16

struct be_dbuf {
	struct be_dbuf *next;
	uint64_t cookie;
	uint32_t width;
	uint32_t height;
	uint32_t bpp;
	uint32_t size;		/* buffer_sz */
	uint32_t data_ofs;
	uint32_t num_pages;
	bool be_alloc;		/* pages shared by us, not mapped */
	uint8_t *addr;		/* all num_pages pages, contiguous */
	unsigned int num_fbs;	/* framebuffers attached to it */
};

struct be_fb {
	struct be_fb *next;
	uint64_t cookie;
	struct be_dbuf *dbuf;
	uint32_t width;
	uint32_t height;
	uint32_t pitch;		/* of its lines in the dbuf */
	const struct be_format *format;
};

struct be_conn_state {
	struct be_fb *fb;	/* shown, NULL when disabled */
	uint32_t x, y, width, height, bpp;
};

struct be_core {
	char name[64];
	struct be_cfg cfg;
	const struct be_host *host;
	const struct be_opts *opts;
	struct be_dbuf *dbufs;
	struct be_fb *fbs;
	struct be_conn_state conn[BE_MAX_CONNECTORS];
	uint64_t detached[DETACHED_MEMORY];
	unsigned int detached_next;
	struct be_stats stats;
	/* The request being handled, for messages. */
	const struct xendispl_req *req;
	unsigned int req_conn;
};

void be_core_violation(struct be_core *core, const char *fmt, ...)
{
	char msg[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	core->stats.violations++;
	if (core->req)
		be_err("VIOLATION %s conn %u %s (id %u): %s", core->name,
		       core->req_conn,
		       be_op_name(core->req->operation) ?: "request",
		       core->req->id, msg);
	else
		be_err("VIOLATION %s: %s", core->name, msg);
}

#define violation(core, ...)	be_core_violation(core, __VA_ARGS__)

struct be_core *be_core_new(const char *name, const struct be_cfg *cfg,
			    const struct be_host *host,
			    const struct be_opts *opts)
{
	struct be_core *core = calloc(1, sizeof(*core));

	if (!core)
		return NULL;
	snprintf(core->name, sizeof(core->name), "%s", name);
	core->cfg = *cfg;
	if (core->cfg.num_connectors > BE_MAX_CONNECTORS)
		core->cfg.num_connectors = BE_MAX_CONNECTORS;
	core->host = host;
	core->opts = opts;
	return core;
}

static void dbuf_release(struct be_core *core, struct be_dbuf *dbuf)
{
	if (dbuf->addr) {
		if (dbuf->be_alloc)
			core->host->unshare(core->host->ctx, dbuf->addr,
					    dbuf->num_pages);
		else
			core->host->unmap(core->host->ctx, dbuf->addr,
					  dbuf->num_pages);
	}
	free(dbuf);
}

void be_core_free(struct be_core *core)
{
	unsigned int nd = 0, nf = 0;

	if (!core)
		return;
	while (core->fbs) {
		struct be_fb *fb = core->fbs;

		core->fbs = fb->next;
		free(fb);
		nf++;
	}
	while (core->dbufs) {
		struct be_dbuf *dbuf = core->dbufs;

		core->dbufs = dbuf->next;
		dbuf_release(core, dbuf);
		nd++;
	}
	if (nd || nf)
		be_info("%s: released %u display buffers and %u framebuffers the frontend left",
			core->name, nd, nf);
	free(core);
}

const struct be_stats *be_core_stats(const struct be_core *core)
{
	return &core->stats;
}

unsigned int be_core_num_dbufs(const struct be_core *core)
{
	const struct be_dbuf *d;
	unsigned int n = 0;

	for (d = core->dbufs; d; d = d->next)
		n++;
	return n;
}

unsigned int be_core_num_fbs(const struct be_core *core)
{
	const struct be_fb *f;
	unsigned int n = 0;

	for (f = core->fbs; f; f = f->next)
		n++;
	return n;
}

int be_parse_ops(const char *list, uint32_t *mask)
{
	char *copy = strdup(list), *tok, *save = NULL;
	unsigned int op;
	int ret = 0;

	if (!copy)
		return -ENOMEM;
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		for (op = XENDISPL_OP_DBUF_CREATE; op <= XENDISPL_OP_GET_EDID; op++)
			if (!strcasecmp(tok, be_op_name(op)))
				break;
		if (op > XENDISPL_OP_GET_EDID) {
			be_err("unknown operation \"%s\"", tok);
			ret = -EINVAL;
			break;
		}
		*mask |= BE_OP_BIT(op);
	}
	free(copy);
	return ret;
}

uint64_t be_core_shown_fb(const struct be_core *core, unsigned int conn)
{
	if (conn >= core->cfg.num_connectors || !core->conn[conn].fb)
		return 0;
	return core->conn[conn].fb->cookie;
}

static struct be_dbuf *dbuf_find(struct be_core *core, uint64_t cookie)
{
	struct be_dbuf *d;

	for (d = core->dbufs; d; d = d->next)
		if (d->cookie == cookie)
			return d;
	return NULL;
}

static struct be_fb *fb_find(struct be_core *core, uint64_t cookie)
{
	struct be_fb *f;

	for (f = core->fbs; f; f = f->next)
		if (f->cookie == cookie)
			return f;
	return NULL;
}

static bool was_detached(const struct be_core *core, uint64_t cookie)
{
	unsigned int i;

	for (i = 0; i < DETACHED_MEMORY; i++)
		if (core->detached[i] == cookie)
			return true;
	return false;
}

uint32_t be_hash_pixels(const uint8_t *pixels, uint32_t pitch,
			uint32_t width, uint32_t height, uint32_t bpp)
{
	uint64_t line = ((uint64_t)width * bpp + 7) / 8;
	uint32_t h = 2166136261u, y;
	uint64_t x;

	for (y = 0; y < height; y++)
		for (x = 0; x < line; x++) {
			h ^= pixels[(uint64_t)y * pitch + x];
			h *= 16777619u;
		}
	return h;
}

/* ---- page directories ---- */

/*
 * Walks the directory chain. With refs_in, stores refs_in into it (the
 * pages the backend allocated); otherwise reads the buffer's references
 * into refs_out. Exactly DIV_ROUND_UP(num_pages, 1023) directory pages must
 * be chained.
 */
static int pgdir_walk(struct be_core *core, uint32_t gref_dir,
		      uint32_t num_pages, uint32_t *refs_out,
		      const uint32_t *refs_in)
{
	uint32_t num_dir = (num_pages + REFS_PER_DIR - 1) / REFS_PER_DIR;
	uint32_t ref = gref_dir, done = 0, i, j, n;

	for (i = 0; i < num_dir; i++) {
		struct xendispl_page_directory *dir;
		uint32_t next;

		if (!ref) {
			violation(core, "page directory ends after %u of %u pages (%u buffer pages)",
				  i, num_dir, num_pages);
			return -EINVAL;
		}
		dir = core->host->map(core->host->ctx, 1, &ref, refs_in != NULL);
		if (!dir) {
			violation(core, "cannot map page directory page %u (grant %u%s): %s",
				  i, ref, refs_in ? ", writable" : "",
				  strerror(errno));
			return -EINVAL;
		}
		n = num_pages - done < REFS_PER_DIR ? num_pages - done : REFS_PER_DIR;
		for (j = 0; j < n; j++) {
			if (refs_in) {
				dir->gref[j] = refs_in[done + j];
				continue;
			}
			refs_out[done + j] = dir->gref[j];
			if (!refs_out[done + j]) {
				core->host->unmap(core->host->ctx, dir, 1);
				violation(core, "page directory page %u: grant reference of buffer page %u is 0",
					  i, done + j);
				return -EINVAL;
			}
		}
		next = dir->gref_dir_next_page;
		core->host->unmap(core->host->ctx, dir, 1);
		done += n;
		if (i + 1 == num_dir && next) {
			violation(core, "page directory has more than the %u pages %u buffer pages need (next grant %u)",
				  num_dir, num_pages, next);
			return -EINVAL;
		}
		ref = next;
	}
	return 0;
}

int be_pgdir_read(struct be_core *core, uint32_t gref_dir,
		  uint32_t num_pages, uint32_t *refs)
{
	return pgdir_walk(core, gref_dir, num_pages, refs, NULL);
}

int be_pgdir_write(struct be_core *core, uint32_t gref_dir,
		   uint32_t num_pages, const uint32_t *refs)
{
	return pgdir_walk(core, gref_dir, num_pages, NULL, refs);
}

/* ---- operations ---- */

/* The payload bytes past the fields of an operation must be zero. */
static void check_reserved(struct be_core *core,
			   const struct xendispl_req *req, size_t used)
{
	const uint8_t *p = (const uint8_t *)&req->op;
	size_t i;

	for (i = 0; i < sizeof(req->reserved); i++)
		if (req->reserved[i]) {
			violation(core, "reserved header byte %zu is 0x%02x, not 0",
				  3 + i, req->reserved[i]);
			break;
		}
	for (i = used; i < sizeof(req->op); i++)
		if (p[i]) {
			violation(core, "reserved payload byte at offset %zu is 0x%02x, not 0",
				  8 + i, p[i]);
			break;
		}
}

static int op_dbuf_create(struct be_core *core,
			  const struct xendispl_dbuf_create_req *r)
{
	uint64_t pitch, need;
	uint32_t num_pages, *refs;
	struct be_dbuf *dbuf;
	bool be_alloc = r->flags & XENDISPL_DBUF_FLG_REQ_ALLOC;
	int ret;

	if (!r->dbuf_cookie) {
		violation(core, "dbuf_cookie 0");
		return -EINVAL;
	}
	if (dbuf_find(core, r->dbuf_cookie)) {
		violation(core, "dbuf_cookie %" PRIu64 " is already in use",
			  r->dbuf_cookie);
		return -EEXIST;
	}
	if (r->flags & ~XENDISPL_DBUF_FLG_REQ_ALLOC) {
		violation(core, "unknown flags 0x%x", r->flags);
		return -EINVAL;
	}
	if (be_alloc && !core->cfg.be_alloc) {
		violation(core, "XENDISPL_DBUF_FLG_REQ_ALLOC but be-alloc is not 1");
		return -EINVAL;
	}
	/*
	 * No geometry at all: a buffer the frontend imported knows only its
	 * size; its framebuffers give the lines' pitch.
	 */
	if ((!r->width || !r->height || !r->bpp) &&
	    (r->width || r->height || r->bpp || !r->buffer_sz)) {
		violation(core, "empty buffer %ux%u, %u bpp, %u bytes", r->width,
			  r->height, r->bpp, r->buffer_sz);
		return -EINVAL;
	}
	if (r->data_ofs >= PAGE_SZ) {
		violation(core, "data_ofs %u is not within the first page",
			  r->data_ofs);
		return -EINVAL;
	}
	pitch = XENDISPL_PITCH((uint64_t)r->width, r->bpp);
	need = r->data_ofs + pitch * r->height;
	if (need > r->buffer_sz) {
		violation(core, "buffer_sz %u < data_ofs %u + pitch %" PRIu64 " x height %u = %" PRIu64,
			  r->buffer_sz, r->data_ofs, pitch, r->height, need);
		return -EINVAL;
	}
	if (r->bpp != 0 && r->bpp != 8 && r->bpp != 16 && r->bpp != 24 && r->bpp != 32) {
		be_warn("%s: DBUF_CREATE %" PRIu64 ": %u bpp not supported",
			core->name, r->dbuf_cookie, r->bpp);
		return -EINVAL;
	}
	if (r->buffer_sz > BE_MAX_DBUF_BYTES) {
		be_warn("%s: DBUF_CREATE %" PRIu64 ": %u bytes is more than the %u allowed",
			core->name, r->dbuf_cookie, r->buffer_sz,
			BE_MAX_DBUF_BYTES);
		return -ENOMEM;
	}

	num_pages = (r->buffer_sz + PAGE_SZ - 1) / PAGE_SZ;
	dbuf = calloc(1, sizeof(*dbuf));
	refs = calloc(num_pages, sizeof(*refs));
	if (!dbuf || !refs) {
		free(dbuf);
		free(refs);
		return -ENOMEM;
	}
	dbuf->cookie = r->dbuf_cookie;
	dbuf->width = r->width;
	dbuf->height = r->height;
	dbuf->bpp = r->bpp;
	dbuf->size = r->buffer_sz;
	dbuf->data_ofs = r->data_ofs;
	dbuf->num_pages = num_pages;
	dbuf->be_alloc = be_alloc;

	if (be_alloc) {
		dbuf->addr = core->host->share(core->host->ctx, num_pages, refs);
		if (!dbuf->addr) {
			be_warn("%s: DBUF_CREATE %" PRIu64 ": cannot allocate %u pages: %s",
				core->name, r->dbuf_cookie, num_pages,
				strerror(errno));
			ret = -ENOMEM;
			goto err;
		}
		ret = be_pgdir_write(core, r->gref_directory, num_pages, refs);
		if (ret)
			goto err;
	} else {
		ret = be_pgdir_read(core, r->gref_directory, num_pages, refs);
		if (ret)
			goto err;
		dbuf->addr = core->host->map(core->host->ctx, num_pages, refs,
					     false);
		if (!dbuf->addr) {
			if (errno == ENOMEM) {
				be_warn("%s: DBUF_CREATE %" PRIu64 ": no memory to map %u pages",
					core->name, r->dbuf_cookie, num_pages);
				ret = -ENOMEM;
			} else {
				violation(core, "cannot map the %u buffer pages: %s",
					  num_pages, strerror(errno));
				ret = -EINVAL;
			}
			goto err;
		}
	}
	free(refs);
	dbuf->next = core->dbufs;
	core->dbufs = dbuf;
	core->stats.dbufs++;
	be_info("%s: DBUF_CREATE %" PRIu64 ": %ux%u %u bpp, %u bytes in %u pages, data_ofs %u%s",
		core->name, dbuf->cookie, dbuf->width, dbuf->height, dbuf->bpp,
		dbuf->size, num_pages, dbuf->data_ofs,
		be_alloc ? ", backend-allocated" : "");
	return 0;

err:
	free(refs);
	dbuf_release(core, dbuf);
	return ret;
}

static int op_dbuf_destroy(struct be_core *core,
			   const struct xendispl_dbuf_destroy_req *r)
{
	struct be_dbuf **pp, *dbuf = dbuf_find(core, r->dbuf_cookie);
	char hash[32] = "";

	if (!dbuf) {
		violation(core, "unknown dbuf_cookie %" PRIu64, r->dbuf_cookie);
		return -ENOENT;
	}
	if (dbuf->num_fbs) {
		violation(core, "dbuf %" PRIu64 " still has %u framebuffer(s) attached",
			  r->dbuf_cookie, dbuf->num_fbs);
		return -EBUSY;
	}
	if (core->opts->hash && dbuf->width)
		snprintf(hash, sizeof(hash), ", content fnv1a %08x",
			 be_hash_pixels(dbuf->addr + dbuf->data_ofs,
					XENDISPL_PITCH(dbuf->width, dbuf->bpp),
					dbuf->width, dbuf->height, dbuf->bpp));
	be_info("%s: DBUF_DESTROY %" PRIu64 ": %ux%u %u bpp%s%s", core->name,
		dbuf->cookie, dbuf->width, dbuf->height, dbuf->bpp,
		dbuf->be_alloc ? ", backend-allocated" : "", hash);
	for (pp = &core->dbufs; *pp != dbuf; pp = &(*pp)->next)
		;
	*pp = dbuf->next;
	dbuf_release(core, dbuf);
	return 0;
}

static int op_fb_attach(struct be_core *core,
			const struct xendispl_fb_attach_req *r)
{
	const struct be_format *format;
	struct be_dbuf *dbuf;
	struct be_fb *fb;
	uint64_t line, pitch;

	if (!r->fb_cookie) {
		violation(core, "fb_cookie 0");
		return -EINVAL;
	}
	if (fb_find(core, r->fb_cookie)) {
		violation(core, "fb_cookie %" PRIu64 " is already in use",
			  r->fb_cookie);
		return -EEXIST;
	}
	dbuf = dbuf_find(core, r->dbuf_cookie);
	if (!dbuf) {
		violation(core, "unknown dbuf_cookie %" PRIu64, r->dbuf_cookie);
		return -ENOENT;
	}
	if (!r->width || !r->height) {
		violation(core, "empty framebuffer %ux%u", r->width, r->height);
		return -EINVAL;
	}
	format = be_format_find(r->pixel_format);
	if (!format) {
		be_warn("%s: FB_ATTACH %" PRIu64 ": pixel format 0x%08x not supported",
			core->name, r->fb_cookie, r->pixel_format);
		return -EINVAL;
	}
	line = ((uint64_t)r->width * format->bpp + 7) / 8;
	if (dbuf->width) {
		pitch = XENDISPL_PITCH(dbuf->width, dbuf->bpp);
		if (line > pitch || r->height > dbuf->height) {
			violation(core, "framebuffer %ux%u %s does not fit in dbuf %" PRIu64 " (%ux%u, %u bpp)",
				  r->width, r->height, format->name, dbuf->cookie,
				  dbuf->width, dbuf->height, dbuf->bpp);
			return -EINVAL;
		}
	} else {
		/* A buffer without geometry: lines as the fb's own. */
		pitch = XENDISPL_PITCH((uint64_t)r->width, format->bpp);
		if (dbuf->data_ofs + pitch * r->height > dbuf->size) {
			violation(core, "framebuffer %ux%u %s (pitch %" PRIu64 ") does not fit in dbuf %" PRIu64 " (%u bytes at %u)",
				  r->width, r->height, format->name, pitch,
				  dbuf->cookie, dbuf->size, dbuf->data_ofs);
			return -EINVAL;
		}
	}

	fb = calloc(1, sizeof(*fb));
	if (!fb)
		return -ENOMEM;
	fb->cookie = r->fb_cookie;
	fb->dbuf = dbuf;
	fb->width = r->width;
	fb->height = r->height;
	fb->pitch = (uint32_t)pitch;
	fb->format = format;
	fb->next = core->fbs;
	core->fbs = fb;
	dbuf->num_fbs++;
	core->stats.fbs++;
	be_info("%s: FB_ATTACH %" PRIu64 ": %ux%u %s on dbuf %" PRIu64,
		core->name, fb->cookie, fb->width, fb->height, format->name,
		dbuf->cookie);
	return 0;
}

static int op_fb_detach(struct be_core *core,
			const struct xendispl_fb_detach_req *r)
{
	struct be_fb **pp, *fb = fb_find(core, r->fb_cookie);
	unsigned int i;

	if (!fb) {
		violation(core, "unknown fb_cookie %" PRIu64, r->fb_cookie);
		return -ENOENT;
	}
	for (i = 0; i < core->cfg.num_connectors; i++)
		if (core->conn[i].fb == fb) {
			violation(core, "fb %" PRIu64 " is still shown on connector %u",
				  fb->cookie, i);
			return -EBUSY;
		}
	be_info("%s: FB_DETACH %" PRIu64, core->name, fb->cookie);
	for (pp = &core->fbs; *pp != fb; pp = &(*pp)->next)
		;
	*pp = fb->next;
	fb->dbuf->num_fbs--;
	core->detached[core->detached_next++ % DETACHED_MEMORY] = fb->cookie;
	free(fb);
	return 0;
}

bool be_core_frame(const struct be_core *core, unsigned int conn,
		   struct be_frame *frame)
{
	const struct be_conn_state *cs;
	const struct be_dbuf *dbuf;
	uint32_t pitch;

	if (conn >= core->cfg.num_connectors || !core->conn[conn].fb)
		return false;
	cs = &core->conn[conn];
	dbuf = cs->fb->dbuf;
	pitch = cs->fb->pitch;
	/* The shown area starts at x, y in the fb and fills the screen
	 * from its top left corner. */
	*frame = (struct be_frame){
		.pixels = dbuf->addr + dbuf->data_ofs + (uint64_t)cs->y * pitch +
			  (uint64_t)cs->x * (cs->fb->format->bpp / 8),
		.pitch = pitch,
		.format = cs->fb->format->fourcc,
		.width = cs->width,
		.height = cs->height,
		.screen_width = core->cfg.conn[conn].width,
		.screen_height = core->cfg.conn[conn].height,
	};
	return true;
}

static void show(struct be_core *core, unsigned int conn)
{
	struct be_frame frame;

	if (core->host->shown && be_core_frame(core, conn, &frame))
		core->host->shown(core->host->ctx, conn, &frame);
}

/* Looks up the fb of a SET_CONFIG or PG_FLIP, with the reason if absent. */
static struct be_fb *fb_lookup(struct be_core *core, uint64_t cookie)
{
	struct be_fb *fb = fb_find(core, cookie);

	if (!fb)
		violation(core, "%s fb_cookie %" PRIu64,
			  was_detached(core, cookie) ? "detached" : "unknown",
			  cookie);
	return fb;
}

static int op_set_config(struct be_core *core, unsigned int conn,
			 const struct xendispl_set_config_req *r)
{
	const struct be_connector_cfg *cc = &core->cfg.conn[conn];
	struct be_conn_state *cs = &core->conn[conn];
	struct be_fb *fb;

	if (!r->fb_cookie && !r->x && !r->y && !r->width && !r->height &&
	    !r->bpp) {
		be_info("%s: SET_CONFIG conn %u: disabled", core->name, conn);
		memset(cs, 0, sizeof(*cs));
		return 0;
	}
	fb = fb_lookup(core, r->fb_cookie);
	if (!fb)
		return -ENOENT;
	if (!r->width || !r->height || r->width > cc->width ||
	    r->height > cc->height) {
		violation(core, "mode %ux%u does not fit the connector's %ux%u",
			  r->width, r->height, cc->width, cc->height);
		return -EINVAL;
	}
	/* x, y: where in the fb the shown area starts, as a CRTC's scanout. */
	if ((uint64_t)r->x + r->width > fb->width ||
	    (uint64_t)r->y + r->height > fb->height) {
		violation(core, "mode %ux%u at %u,%u is not within fb %" PRIu64 " (%ux%u)",
			  r->width, r->height, r->x, r->y, fb->cookie,
			  fb->width, fb->height);
		return -EINVAL;
	}
	if (r->bpp != fb->format->bpp) {
		violation(core, "bpp %u but fb %" PRIu64 " is %s (%u bpp)",
			  r->bpp, fb->cookie, fb->format->name,
			  fb->format->bpp);
		return -EINVAL;
	}
	cs->fb = fb;
	cs->x = r->x;
	cs->y = r->y;
	cs->width = r->width;
	cs->height = r->height;
	cs->bpp = r->bpp;
	be_info("%s: SET_CONFIG conn %u: fb %" PRIu64 ", %ux%u at %u,%u, %u bpp",
		core->name, conn, fb->cookie, r->width, r->height, r->x, r->y,
		r->bpp);
	show(core, conn);
	return 0;
}

static int op_pg_flip(struct be_core *core, unsigned int conn,
		      const struct xendispl_page_flip_req *r)
{
	struct be_conn_state *cs = &core->conn[conn];
	struct be_fb *fb;

	fb = fb_lookup(core, r->fb_cookie);
	if (!fb)
		return -ENOENT;
	if (!cs->fb) {
		violation(core, "flip of fb %" PRIu64 " on disabled connector %u",
			  r->fb_cookie, conn);
		return -EINVAL;
	}
	if (fb->width < (uint64_t)cs->x + cs->width ||
	    fb->height < (uint64_t)cs->y + cs->height) {
		violation(core, "fb %" PRIu64 " (%ux%u) does not cover the mode %ux%u at %u,%u",
			  fb->cookie, fb->width, fb->height, cs->width,
			  cs->height, cs->x, cs->y);
		return -EINVAL;
	}
	cs->fb = fb;
	core->stats.flips++;
	be_dbg("%s: PG_FLIP conn %u: fb %" PRIu64, core->name, conn, fb->cookie);
	if (core->host->flipped)
		core->host->flipped(core->host->ctx, conn, fb->cookie);
	show(core, conn);
	return 0;
}

static int op_get_edid(struct be_core *core, unsigned int conn,
		       const struct xendispl_get_edid_req *r,
		       struct xendispl_resp *rsp)
{
	const struct be_connector_cfg *cc = &core->cfg.conn[conn];
	uint32_t num_pages, *refs;
	uint8_t edid[BE_EDID_SIZE];
	void *buf;
	int ret;

	if (r->buffer_sz < XENDISPL_EDID_MAX_SIZE) {
		violation(core, "EDID buffer of %u bytes, less than %u",
			  r->buffer_sz, (unsigned int)XENDISPL_EDID_MAX_SIZE);
		return -EINVAL;
	}
	num_pages = (r->buffer_sz + PAGE_SZ - 1) / PAGE_SZ;
	refs = calloc(num_pages, sizeof(*refs));
	if (!refs)
		return -ENOMEM;
	ret = be_pgdir_read(core, r->gref_directory, num_pages, refs);
	if (ret)
		goto out;
	if (be_edid_build(edid, cc->width, cc->height, cc->unique_id)) {
		be_info("%s: GET_EDID conn %u: %ux%u cannot be described in an EDID",
			core->name, conn, cc->width, cc->height);
		ret = -EINVAL;
		goto out;
	}
	buf = core->host->map(core->host->ctx, 1, refs, true);
	if (!buf) {
		violation(core, "cannot map the EDID buffer writable (grant %u): %s",
			  refs[0], strerror(errno));
		ret = -EINVAL;
		goto out;
	}
	memcpy(buf, edid, sizeof(edid));
	core->host->unmap(core->host->ctx, buf, 1);
	rsp->op.get_edid.edid_sz = sizeof(edid);
	core->stats.edids++;
	be_info("%s: GET_EDID conn %u: %u bytes for %ux%u", core->name, conn,
		(unsigned int)sizeof(edid), cc->width, cc->height);
out:
	free(refs);
	return ret;
}

void be_core_handle(struct be_core *core, unsigned int conn,
		    const struct xendispl_req *req, struct xendispl_resp *rsp)
{
	const struct be_opts *opts = core->opts;
	unsigned int op = req->operation;
	int status;

	memset(rsp, 0, sizeof(*rsp));
	rsp->id = req->id;
	rsp->operation = req->operation;
	core->stats.requests++;
	core->req = req;
	core->req_conn = conn;

	switch (op) {
	case XENDISPL_OP_DBUF_CREATE:
		check_reserved(core, req, offsetof(struct xendispl_dbuf_create_req,
						   data_ofs) + 4);
		break;
	case XENDISPL_OP_DBUF_DESTROY:
		check_reserved(core, req, sizeof(req->op.dbuf_destroy));
		break;
	case XENDISPL_OP_FB_ATTACH:
		/* Structs are padded to 8 bytes: check up to the last field. */
		check_reserved(core, req, offsetof(struct xendispl_fb_attach_req,
						   pixel_format) + 4);
		break;
	case XENDISPL_OP_FB_DETACH:
		check_reserved(core, req, sizeof(req->op.fb_detach));
		break;
	case XENDISPL_OP_SET_CONFIG:
		check_reserved(core, req, offsetof(struct xendispl_set_config_req,
						   bpp) + 4);
		break;
	case XENDISPL_OP_PG_FLIP:
		check_reserved(core, req, sizeof(req->op.pg_flip));
		break;
	case XENDISPL_OP_GET_EDID:
		check_reserved(core, req, sizeof(req->op.get_edid));
		break;
	default:
		violation(core, "unknown operation 0x%02x", op);
		status = -EINVAL;
		goto out;
	}

	if (conn >= core->cfg.num_connectors) {
		violation(core, "request on connector %u of %u", conn,
			  core->cfg.num_connectors);
		status = -EINVAL;
		goto out;
	}
	if (conn != 0 && op <= XENDISPL_OP_FB_DETACH) {
		violation(core, "device-wide request on connector %u's ring, not connector 0's",
			  conn);
		status = -EINVAL;
		goto out;
	}
	if (opts->misbehave && (opts->fail_ops & BE_OP_BIT(op))) {
		be_info("%s: %s (id %u): failing with %d as asked", core->name,
			be_op_name(op), req->id, opts->fail_status);
		status = opts->fail_status;
		goto out;
	}

	switch (op) {
	case XENDISPL_OP_DBUF_CREATE:
		status = op_dbuf_create(core, &req->op.dbuf_create);
		break;
	case XENDISPL_OP_DBUF_DESTROY:
		status = op_dbuf_destroy(core, &req->op.dbuf_destroy);
		break;
	case XENDISPL_OP_FB_ATTACH:
		status = op_fb_attach(core, &req->op.fb_attach);
		break;
	case XENDISPL_OP_FB_DETACH:
		status = op_fb_detach(core, &req->op.fb_detach);
		break;
	case XENDISPL_OP_SET_CONFIG:
		status = op_set_config(core, conn, &req->op.set_config);
		break;
	case XENDISPL_OP_PG_FLIP:
		status = op_pg_flip(core, conn, &req->op.pg_flip);
		break;
	default: /* XENDISPL_OP_GET_EDID */
		status = op_get_edid(core, conn, &req->op.get_edid, rsp);
		break;
	}
out:
	rsp->status = status;
	if (status)
		core->stats.errors++;
	core->req = NULL;
}
