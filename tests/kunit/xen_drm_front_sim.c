// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * Simulated Xen for the frontend's KUnit suites (see xen_drm_front_sim.h).
 *
 * Implements the primitives of xen_drm_front_xen.h with the contracts of
 * their kernel-doc in xen_drm_front_xen.c, for one frontend domain talking
 * to one backend domain, plus a scriptable displif backend.
 *
 * Locking, outermost first:
 *   sdev->be_lock (mutex)	one backend: connection, script, records
 *   xs_lock (mutex)		XenStore nodes and transactions
 *   bus_lock (spinlock)	device list, watch events, per-device flags
 *   hv_lock (spinlock, irqsave) grant tables, event channels, counters
 *
 * Work runs on three workqueues: sim_watch_wq is ordered and stands for
 * the xenwatch thread (otherend_changed), sim_be_wq is ordered and stands
 * for the backend domain, sim_irq_wq delivers event channel interrupts to
 * the frontend's handlers in (simulated) hard interrupt context.
 */

#include <linux/types.h>
#include <linux/string.h>
#include <linux/delay.h>
#include <linux/device.h>
#include <linux/dma-mapping.h>
#include <linux/hardirq.h>
#include <linux/jiffies.h>
#include <linux/list.h>
#include <linux/mm.h>
#include <linux/module.h>
#include <linux/mutex.h>
#include <linux/slab.h>
#include <linux/vmalloc.h>
#include <linux/spinlock.h>
#include <linux/wait.h>
#include <linux/workqueue.h>
#include <linux/xarray.h>

#include <kunit/test.h>

#include <asm/tlbflush.h>

#include <xen/interface/io/ring.h>
#include <xen/interface/io/xs_wire.h>

#include <drm/drm_fourcc.h>

#include "../xen_drm_front_xen.h"
#include "xen_drm_front_sim.h"

#define SIM_FRONT_PREFIX	"/local/domain/1/"
#define SIM_MAX_GRANT_REF	32767
#define SIM_IRQ_BASE		1000
#define SIM_MAX_HELD		8
#define SIM_FLOOD_TIMEOUT_MS	2000
#define SIM_MAX_POST_EVTS	16
#define SIM_EDID_AT_ONCE_MAX	256

/* One connector as the backend sees it. */
struct sim_be_conn {
	struct xdf_sim_dev *sdev;
	unsigned int idx;
	bool active;
	grant_ref_t req_ref;
	grant_ref_t evt_ref;
	evtchn_port_t req_port;
	evtchn_port_t evt_port;
	bool req_mapped;
	bool evt_mapped;
	bool req_bound;
	bool evt_bound;
	struct xen_displif_back_ring ring;
	struct xendispl_event_page *evt_page;
	u16 evt_id;
	u32 edid_sz;
	u8 *edid;
	u32 edid_len;
	bool edid_keep;
	grant_ref_t edid_kept[XENDISPL_EDID_MAX_SIZE / XENDISPL_PAGE_SIZE];
	void *edid_kept_va[XENDISPL_EDID_MAX_SIZE / XENDISPL_PAGE_SIZE];
	unsigned int edid_nkept;
	u8 edid_at_once[SIM_EDID_AT_ONCE_MAX];
	u32 edid_at_once_len;
	enum xdf_sim_frame_done fd_mode;
	u64 post_evts[SIM_MAX_POST_EVTS];
	unsigned int npost;
	bool has_config;
	struct xendispl_set_config_req config;
	RING_IDX overflow;
	struct work_struct req_work;
	struct delayed_work delay_work;
	struct {
		int op;
		int count;
		enum xdf_sim_action action;
		int param;
	} rules[XDF_SIM_MAX_RULES];
	struct {
		struct xendispl_req req;
		unsigned long due;
	} held[SIM_MAX_HELD];
	unsigned int nheld;
	struct xendispl_req *reqs;
	unsigned int nreqs;
	unsigned int reqs_cap;
};

struct xdf_sim_dev {
	struct xenbus_device xb;
	struct list_head link;
	char fe_dir[32];
	char fe_path[64];
	char be_dir[64];
	char fe_state_path[80];
	char be_state_path[80];
	/* bus_lock */
	bool watching;
	bool be_alive;
	int fe_state;
	unsigned int fatal_count;
	int fatal_err;
	char fatal_what[160];
	/* be_lock */
	struct mutex be_lock;
	struct work_struct be_state_work;
	bool be_hold;
	bool be_frozen;
	bool be_following;
	bool be_connected;
	int be_connect_err;
	unsigned int be_front_errors;
	unsigned int be_num_connectors;
	unsigned int be_num_connected;
	unsigned int be_fe_version;
	struct sim_be_conn conns[XDF_SIM_MAX_CONNECTORS];
	/* be_lock: display buffers */
	bool be_alloc_allowed;
	bool fb_viewport;
	bool keep_dbufs;
	enum xdf_sim_dbuf_fault dbuf_fault;
	struct list_head dbufs;
	struct xdf_sim_dbuf_stats dbuf_stats;
	/* be_lock: framebuffers and pipes */
	struct list_head fbs;
	struct xdf_sim_kms_stats kms_stats;
	/* be_lock: a test's rewrites of what the backend writes */
	struct xdf_sim_hooks hooks;
};

static struct xdf_sim_dev *to_sim_dev(struct xenbus_device *xb)
{
	return container_of(xb, struct xdf_sim_dev, xb);
}

/* Global state */

static DEFINE_MUTEX(sim_init_lock);
static bool sim_ready;
static struct workqueue_struct *sim_watch_wq;
static struct workqueue_struct *sim_be_wq;
static struct workqueue_struct *sim_irq_wq;
static atomic_t sim_activity = ATOMIC_INIT(0);
static DECLARE_WAIT_QUEUE_HEAD(sim_waitq);

static DEFINE_SPINLOCK(bus_lock);
static LIST_HEAD(sim_devs);
static LIST_HEAD(sim_watch_events);
static DEFINE_MUTEX(sim_xenwatch_mutex);

static DEFINE_SPINLOCK(hv_lock);
static struct xdf_sim_counters hv;
static int hv_grant_budget = -1;
/* The grant table has free runs of references (not too fragmented). */
static bool hv_grant_runs = true;
static int hv_evtchn_budget = -1;
static int hv_fmap_budget = -1;
/* Allocations of pages for foreign mappings that still succeed; -1: all. */
static int hv_fpages_budget = -1;
/* A PV guest: backend pages are mapped at entries Xen writes. */
static bool hv_pv;

#define sim_misuse(fmt, ...)						\
	do {								\
		unsigned long __flags;					\
									\
		spin_lock_irqsave(&hv_lock, __flags);			\
		hv.misuse++;						\
		spin_unlock_irqrestore(&hv_lock, __flags);		\
		pr_err("xdf_sim: frontend misuse: " fmt "\n", ##__VA_ARGS__); \
	} while (0)

static void sim_queue(struct workqueue_struct *wq, struct work_struct *work)
{
	atomic_inc(&sim_activity);
	queue_work(wq, work);
}

/* Takes one unit of a failure budget: true when the operation must fail. */
static bool sim_budget_exhausted(int *budget)
{
	if (*budget < 0)
		return false;
	if (*budget == 0)
		return true;
	(*budget)--;
	return false;
}

/* ------------------------------------------------------------------ */
/* XenStore */

struct xs_node {
	struct list_head link;
	char *path;
	char *value;
};

struct xs_txn {
	struct list_head link;
	u32 id;
	struct list_head writes;
};

static DEFINE_MUTEX(xs_lock);
static LIST_HEAD(xs_nodes);		/* sorted by path */
static LIST_HEAD(xs_txns);
static u32 xs_last_txn;
static struct xdf_sim_xs_faults xs_faults;
static struct xdf_sim_xs_stats xs_stats;

static void sim_watch_queue(struct xdf_sim_dev *sdev);

static char *xs_path(const char *dir, const char *node)
{
	const char *prefix = dir[0] == '/' ? "" : SIM_FRONT_PREFIX;

	if (!node || !node[0])
		return kasprintf(GFP_KERNEL, "%s%s", prefix, dir);
	return kasprintf(GFP_KERNEL, "%s%s/%s", prefix, dir, node);
}

static void xs_node_free(struct xs_node *n)
{
	kfree(n->path);
	kfree(n->value);
	kfree(n);
}

static struct xs_node *xs_node_new(const char *path, const char *value)
{
	struct xs_node *n = kzalloc(sizeof(*n), GFP_KERNEL);

	if (!n)
		return NULL;
	n->path = kstrdup(path, GFP_KERNEL);
	n->value = kstrdup(value, GFP_KERNEL);
	if (!n->path || !n->value) {
		xs_node_free(n);
		return NULL;
	}
	return n;
}

/* The last node of @list with @path, or NULL. */
static struct xs_node *xs_find(struct list_head *list, const char *path)
{
	struct xs_node *n, *found = NULL;

	list_for_each_entry(n, list, link)
		if (!strcmp(n->path, path))
			found = n;
	return found;
}

static bool xs_is_below(const char *path, const char *dir)
{
	size_t len = strlen(dir);

	return !strncmp(path, dir, len) && path[len] == '/';
}

static bool xs_has_children(const char *path)
{
	struct xs_node *n;

	list_for_each_entry(n, &xs_nodes, link)
		if (xs_is_below(n->path, path))
			return true;
	return false;
}

static enum xenbus_state xs_parse_state(const char *value)
{
	int state;

	if (!value || kstrtoint(value, 10, &state))
		return XenbusStateUnknown;
	return state;
}

/* Delivers the watch events of a change of @path; xs_lock held. */
static void xs_fire(const char *path, const char *value)
{
	struct xdf_sim_dev *sdev;

	spin_lock(&bus_lock);
	list_for_each_entry(sdev, &sim_devs, link) {
		if (!strcmp(path, sdev->be_state_path) && sdev->watching)
			sim_watch_queue(sdev);
		if (!strcmp(path, sdev->fe_state_path)) {
			sdev->fe_state = xs_parse_state(value);
			if (sdev->be_alive)
				sim_queue(sim_be_wq, &sdev->be_state_work);
		}
	}
	spin_unlock(&bus_lock);
	wake_up_all(&sim_waitq);
}

/* Inserts or replaces a node, taking ownership of @n; xs_lock held. */
static void xs_store(struct xs_node *n)
{
	struct xs_node *pos;
	int cmp;

	list_for_each_entry(pos, &xs_nodes, link) {
		cmp = strcmp(pos->path, n->path);
		if (!cmp) {
			list_replace(&pos->link, &n->link);
			xs_node_free(pos);
			goto fire;
		}
		if (cmp > 0)
			break;
	}
	list_add_tail(&n->link, &pos->link);
fire:
	xs_fire(n->path, n->value);
}

static char *xs_read_locked(struct xs_txn *txn, const char *path)
{
	struct xs_node *n = NULL;
	char *value;

	if (txn)
		n = xs_find(&txn->writes, path);
	if (!n)
		n = xs_find(&xs_nodes, path);
	if (n)
		value = kstrdup(n->value, GFP_KERNEL);
	else if (xs_has_children(path))
		value = kstrdup("", GFP_KERNEL);
	else
		return ERR_PTR(-ENOENT);
	return value ?: ERR_PTR(-ENOMEM);
}

static struct xs_txn *xs_txn_find(u32 id)
{
	struct xs_txn *txn;

	list_for_each_entry(txn, &xs_txns, link)
		if (txn->id == id)
			return txn;
	return NULL;
}

static int xs_take_fault(unsigned int *count)
{
	if (!*count)
		return 0;
	(*count)--;
	return xs_faults.err ?: -EIO;
}

/* Resolves the transaction of a driver call; xs_lock held. */
static int xs_txn_get(struct xenbus_transaction xbt, struct xs_txn **txn)
{
	*txn = NULL;
	if (!xbt.id)
		return 0;
	*txn = xs_txn_find(xbt.id);
	if (!*txn) {
		sim_misuse("use of unknown XenStore transaction %u", xbt.id);
		return -ENOENT;
	}
	return 0;
}

/* Writes a node outside any transaction and without faults. */
static int sim_xs_put(const char *dir, const char *node, const char *value)
{
	struct xs_node *n;
	char *path;

	path = xs_path(dir, node);
	n = path ? xs_node_new(path, value) : NULL;
	kfree(path);
	if (!n)
		return -ENOMEM;
	mutex_lock(&xs_lock);
	xs_store(n);
	mutex_unlock(&xs_lock);
	return 0;
}

/* Reads a node outside any transaction and without faults. */
static char *sim_xs_get(const char *dir, const char *node)
{
	char *path, *value;

	path = xs_path(dir, node);
	if (!path)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&xs_lock);
	value = xs_read_locked(NULL, path);
	mutex_unlock(&xs_lock);
	kfree(path);
	return value;
}

static enum xenbus_state sim_read_state(const char *path)
{
	enum xenbus_state state;
	char *value;

	value = sim_xs_get(path, NULL);
	state = xs_parse_state(IS_ERR(value) ? NULL : value);
	if (!IS_ERR(value))
		kfree(value);
	return state;
}

char *xdf_xen_xs_read(struct xenbus_transaction xbt, const char *dir,
		      const char *node)
{
	struct xs_txn *txn = NULL;
	char *path, *value;
	int err;

	path = xs_path(dir, node);
	if (!path)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&xs_lock);
	xs_stats.reads++;
	err = xs_take_fault(&xs_faults.fail_reads);
	if (!err)
		err = xs_txn_get(xbt, &txn);
	value = err ? ERR_PTR(err) : xs_read_locked(txn, path);
	mutex_unlock(&xs_lock);
	kfree(path);
	return value;
}

/*
 * The names of @path's children, as xenstored answers XS_DIRECTORY (at most
 * XENSTORE_PAYLOAD_MAX bytes), in one allocation as xenbus_directory()
 * returns them; xs_lock held.
 */
static char **xs_list_locked(const char *path, unsigned int *num)
{
	size_t plen = strlen(path), len = 0, seg;
	unsigned int count = 0, i;
	struct xs_node *n;
	char *buf, *p, **names;
	bool exists = false;

	buf = kmalloc(XENSTORE_PAYLOAD_MAX, GFP_KERNEL);
	if (!buf)
		return ERR_PTR(-ENOMEM);

	list_for_each_entry(n, &xs_nodes, link) {
		const char *child = n->path + plen + 1;

		if (!strcmp(n->path, path))
			exists = true;
		if (!xs_is_below(n->path, path))
			continue;
		exists = true;
		seg = strchrnul(child, '/') - child;
		for (p = buf; p < buf + len; p += strlen(p) + 1)
			if (strlen(p) == seg && !strncmp(p, child, seg))
				break;
		if (p < buf + len)
			continue;
		if (len + seg + 1 > XENSTORE_PAYLOAD_MAX) {
			kfree(buf);
			return ERR_PTR(-E2BIG);
		}
		memcpy(buf + len, child, seg);
		buf[len + seg] = '\0';
		len += seg + 1;
		count++;
	}
	if (!exists) {
		kfree(buf);
		return ERR_PTR(-ENOENT);
	}

	names = kmalloc(count * sizeof(*names) + len + 1, GFP_KERNEL);
	if (names) {
		p = memcpy(&names[count], buf, len);
		for (i = 0; i < count; p += strlen(p) + 1)
			names[i++] = p;
		*num = count;
	}
	kfree(buf);
	return names ?: ERR_PTR(-ENOMEM);
}

char **xdf_xen_xs_directory(struct xenbus_transaction xbt, const char *dir,
			    const char *node, unsigned int *num)
{
	char *path, **names;
	int err;

	/* A listing would ignore a transaction's writes: the driver makes none. */
	if (xbt.id) {
		sim_misuse("XenStore directory listed in transaction %u", xbt.id);
		return ERR_PTR(-EINVAL);
	}
	path = xs_path(dir, node);
	if (!path)
		return ERR_PTR(-ENOMEM);
	mutex_lock(&xs_lock);
	xs_stats.reads++;
	err = xs_take_fault(&xs_faults.fail_reads);
	names = err ? ERR_PTR(err) : xs_list_locked(path, num);
	mutex_unlock(&xs_lock);
	kfree(path);
	return names;
}

int xdf_xen_xs_write(struct xenbus_transaction xbt, const char *dir,
		     const char *node, const char *value)
{
	struct xs_txn *txn = NULL;
	struct xs_node *n;
	char *path;
	int err;

	path = xs_path(dir, node);
	n = path ? xs_node_new(path, value) : NULL;
	kfree(path);
	if (!n)
		return -ENOMEM;
	mutex_lock(&xs_lock);
	err = xs_take_fault(&xs_faults.fail_writes);
	if (!err)
		err = xs_txn_get(xbt, &txn);
	if (!err && txn)
		list_add_tail(&n->link, &txn->writes);
	else if (!err)
		xs_store(n);
	mutex_unlock(&xs_lock);
	if (err)
		xs_node_free(n);
	return err;
}

int xdf_xen_xs_transaction_start(struct xenbus_transaction *xbt)
{
	struct xs_txn *txn;
	int err;

	txn = kzalloc(sizeof(*txn), GFP_KERNEL);
	if (!txn)
		return -ENOMEM;
	INIT_LIST_HEAD(&txn->writes);
	mutex_lock(&xs_lock);
	err = xs_take_fault(&xs_faults.fail_starts);
	if (!err) {
		txn->id = ++xs_last_txn ?: ++xs_last_txn;
		list_add_tail(&txn->link, &xs_txns);
		xs_stats.starts++;
		xbt->id = txn->id;
	}
	mutex_unlock(&xs_lock);
	if (err)
		kfree(txn);
	return err;
}

int xdf_xen_xs_transaction_end(struct xenbus_transaction xbt, bool abort)
{
	struct xs_node *n, *tmp;
	struct xs_txn *txn;
	int ret = 0;

	mutex_lock(&xs_lock);
	ret = xs_txn_get(xbt, &txn);
	if (ret || !txn) {
		mutex_unlock(&xs_lock);
		if (!ret)
			sim_misuse("end of transaction XBT_NIL");
		return -ENOENT;
	}
	list_del(&txn->link);
	if (abort) {
		xs_stats.aborts++;
	} else if (xs_faults.eagain_commits) {
		xs_faults.eagain_commits--;
		xs_stats.eagains++;
		ret = -EAGAIN;
	} else {
		list_for_each_entry_safe(n, tmp, &txn->writes, link) {
			list_del(&n->link);
			xs_store(n);
		}
		xs_stats.commits++;
	}
	mutex_unlock(&xs_lock);

	list_for_each_entry_safe(n, tmp, &txn->writes, link)
		xs_node_free(n);
	kfree(txn);
	return ret;
}

/**
 * xdf_sim_xs_write() - write a XenStore node as the toolstack would
 * @path: absolute path, or relative to the frontend's /local/domain/1/
 * @value: the value
 *
 * Fires the watches on @path; not subject to injected faults.
 *
 * Return: 0 or -ENOMEM.
 */
int xdf_sim_xs_write(const char *path, const char *value)
{
	return sim_xs_put(path, NULL, value);
}

/**
 * xdf_sim_xs_read() - read a XenStore node
 * @path: absolute path, or relative to the frontend's /local/domain/1/
 *
 * Return: the value, to be freed with kfree(), "" for a directory, or
 * ERR_PTR(-ENOENT).
 */
char *xdf_sim_xs_read(const char *path)
{
	return sim_xs_get(path, NULL);
}

/**
 * xdf_sim_xs_exists() - tell whether a XenStore node exists
 * @path: absolute path, or relative to the frontend's /local/domain/1/
 *
 * Return: true if the node or a node below it exists.
 */
bool xdf_sim_xs_exists(const char *path)
{
	char *value = sim_xs_get(path, NULL);

	if (IS_ERR(value))
		return false;
	kfree(value);
	return true;
}

/**
 * xdf_sim_xs_rm() - remove a XenStore node and everything below it
 * @path: absolute path, or relative to the frontend's /local/domain/1/
 *
 * Fires the watches on the removed nodes.
 */
void xdf_sim_xs_rm(const char *path)
{
	struct xs_node *n, *tmp;
	LIST_HEAD(removed);
	char *abs;

	abs = xs_path(path, NULL);
	if (!abs)
		return;
	mutex_lock(&xs_lock);
	list_for_each_entry_safe(n, tmp, &xs_nodes, link) {
		if (!strcmp(n->path, abs) || xs_is_below(n->path, abs)) {
			list_move_tail(&n->link, &removed);
			xs_fire(n->path, NULL);
		}
	}
	mutex_unlock(&xs_lock);
	list_for_each_entry_safe(n, tmp, &removed, link)
		xs_node_free(n);
	kfree(abs);
}

/**
 * xdf_sim_xs_list() - list the nodes written below a directory
 * @dir: absolute path, or relative to the frontend's /local/domain/1/
 * @values: append "=value" to each name
 * @buf: where the list is stored: the names relative to @dir, sorted,
 *	 separated by ','; e.g. "0/req-ring-ref=8,backend-id=0"
 * @size: size of @buf
 *
 * Return: the length of the list, or -ENOSPC / -ENOMEM.
 */
int xdf_sim_xs_list(const char *dir, bool values, char *buf, size_t size)
{
	struct xs_node *n;
	size_t len = 0, dlen;
	char *abs;
	int ret = 0;

	abs = xs_path(dir, NULL);
	if (!abs)
		return -ENOMEM;
	dlen = strlen(abs);
	if (size)
		buf[0] = '\0';
	mutex_lock(&xs_lock);
	list_for_each_entry(n, &xs_nodes, link) {
		if (!xs_is_below(n->path, abs))
			continue;
		len += scnprintf(buf + len, size - len, "%s%s%s%s",
				 len ? "," : "", n->path + dlen + 1,
				 values ? "=" : "", values ? n->value : "");
		if (len + 1 >= size) {
			ret = -ENOSPC;
			break;
		}
	}
	mutex_unlock(&xs_lock);
	kfree(abs);
	return ret ?: len;
}

/**
 * xdf_sim_xs_inject() - inject XenStore failures into the driver's calls
 * @faults: the failures; replaces what was injected before
 */
void xdf_sim_xs_inject(const struct xdf_sim_xs_faults *faults)
{
	mutex_lock(&xs_lock);
	xs_faults = *faults;
	mutex_unlock(&xs_lock);
}

/**
 * xdf_sim_xs_get_stats() - get the transaction statistics
 * @stats: filled with the counts since the last xdf_sim_reset()
 */
void xdf_sim_xs_get_stats(struct xdf_sim_xs_stats *stats)
{
	mutex_lock(&xs_lock);
	*stats = xs_stats;
	mutex_unlock(&xs_lock);
}

/* ------------------------------------------------------------------ */
/* Grant table: our pages granted to the backend */

struct sim_grant {
	struct page *page;
	domid_t domid;
	bool readonly;
	unsigned int maps;
	bool ended;
	struct page *handed;	/* reference handed over at deferred end */
};

static DEFINE_XARRAY_ALLOC1(sim_grants);
static u32 sim_grant_next;

static int sim_backend_map(grant_ref_t ref, bool readonly, void **vaddr);

int xdf_xen_grant_page(domid_t domid, struct page *page, bool readonly)
{
	struct sim_grant *g;
	unsigned long flags;
	u32 ref;
	int err;

	g = kzalloc(sizeof(*g), GFP_ATOMIC);
	if (!g)
		return -ENOMEM;
	g->page = page;
	g->domid = domid;
	g->readonly = readonly;

	spin_lock_irqsave(&hv_lock, flags);
	/* Fragmented: each reference handed out leaves the next one free. */
	if (!hv_grant_runs)
		sim_grant_next++;
	if (sim_budget_exhausted(&hv_grant_budget))
		err = -ENOSPC;
	else
		err = xa_alloc_cyclic(&sim_grants, &ref, g,
				      XA_LIMIT(1, SIM_MAX_GRANT_REF),
				      &sim_grant_next, GFP_ATOMIC);
	if (err >= 0)
		hv.grants++;
	spin_unlock_irqrestore(&hv_lock, flags);

	if (err < 0) {
		kfree(g);
		return err == -EBUSY ? -ENOSPC : err;
	}
	return ref;
}

/*
 * The first free run of @count references from *@start on, wrapping
 * around once, as the grant table's search: 0 or -ENOSPC. Called with
 * hv_lock held.
 */
static int sim_grant_find_run(unsigned int count, unsigned long *start)
{
	unsigned long from = *start, idx;
	bool wrapped = false;

	for (;;) {
		if (from + count - 1 > SIM_MAX_GRANT_REF) {
			if (wrapped)
				return -ENOSPC;
			wrapped = true;
			from = 1;
			continue;
		}
		idx = from;
		if (!xa_find(&sim_grants, &idx, from + count - 1, XA_PRESENT)) {
			*start = from;
			return 0;
		}
		from = idx + 1;
	}
}

int xdf_xen_grant_pages_seq(domid_t domid, struct page *const *pages,
			    unsigned int count, grant_ref_t *first)
{
	struct sim_grant **gs;
	unsigned long flags, start;
	unsigned int i, n;
	int err = -ENOMEM;

	gs = kcalloc(count, sizeof(*gs), GFP_KERNEL);
	for (n = 0; gs && n < count; n++) {
		gs[n] = kzalloc(sizeof(**gs), GFP_KERNEL);
		if (!gs[n])
			goto out;
		gs[n]->page = pages[n];
		gs[n]->domid = domid;
	}
	if (!gs)
		goto out;

	spin_lock_irqsave(&hv_lock, flags);
	err = -ENOSPC;
	start = max(sim_grant_next, 1u);
	if (hv_grant_runs &&
	    (hv_grant_budget < 0 || hv_grant_budget >= (int)count))
		err = sim_grant_find_run(count, &start);
	for (i = 0; !err && i < count; i++) {
		err = xa_err(xa_store(&sim_grants, start + i, gs[i],
				      GFP_ATOMIC));
		if (err)
			while (i--)
				xa_erase(&sim_grants, start + i);
	}
	if (!err) {
		hv.grants += count;
		if (hv_grant_budget >= 0)
			hv_grant_budget -= count;
		sim_grant_next = start + count;
		*first = start;
	}
	spin_unlock_irqrestore(&hv_lock, flags);
out:
	if (err)
		while (gs && n--)
			kfree(gs[n]);
	kfree(gs);
	return err;
}

/*
 * Ends a grant, as gnttab_end_foreign_access() (@defer: if the backend
 * still maps it, later, @page handed over) or gnttab_try_end_foreign_access()
 * (not at all then). 1 if it ended now, 0 if not, -1 on a misuse.
 */
static int sim_end_access(grant_ref_t ref, struct page *page, bool defer)
{
	struct sim_grant *g;
	unsigned long flags;

	spin_lock_irqsave(&hv_lock, flags);
	g = xa_load(&sim_grants, ref);
	if (!g || g->ended) {
		spin_unlock_irqrestore(&hv_lock, flags);
		sim_misuse("end of access to unknown or ended grant %u", ref);
		return -1;
	}
	if (page && page != g->page) {
		spin_unlock_irqrestore(&hv_lock, flags);
		sim_misuse("end of access to grant %u with another page", ref);
		return -1;
	}
	if (g->maps) {
		if (defer) {
			g->ended = true;
			g->handed = page;
			hv.deferred++;
		}
		spin_unlock_irqrestore(&hv_lock, flags);
		if (defer)
			pr_info("xdf_sim: grant %u still mapped by the backend: revocation deferred\n",
				ref);
		return 0;
	}
	xa_erase(&sim_grants, ref);
	hv.grants--;
	spin_unlock_irqrestore(&hv_lock, flags);
	kfree(g);
	return 1;
}

void xdf_xen_end_access(grant_ref_t ref, struct page *page)
{
	if (sim_end_access(ref, page, true) == 1 && page)
		put_page(page);
}

bool xdf_xen_try_end_access(grant_ref_t ref)
{
	/* A misuse is not retried forever. */
	return sim_end_access(ref, NULL, false) != 0;
}

/**
 * xdf_sim_backend_map() - the backend maps a grant of the frontend
 * @ref: the grant reference
 * @vaddr: where the page's address is stored
 *
 * As the simulated backend does for rings: read-write, granted to
 * XDF_SIM_BACK_DOMID and not revoked.
 *
 * Return: 0 or -EINVAL.
 */
int xdf_sim_backend_map(grant_ref_t ref, void **vaddr)
{
	return sim_backend_map(ref, false, vaddr);
}

/* The backend maps a grant, read-only if @readonly (then any grant will do). */
static int sim_backend_map(grant_ref_t ref, bool readonly, void **vaddr)
{
	struct sim_grant *g;
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&hv_lock, flags);
	g = xa_load(&sim_grants, ref);
	if (!g || g->ended || g->domid != XDF_SIM_BACK_DOMID ||
	    (g->readonly && !readonly)) {
		err = -EINVAL;
	} else {
		g->maps++;
		hv.backend_maps++;
		*vaddr = page_address(g->page);
	}
	spin_unlock_irqrestore(&hv_lock, flags);
	return err;
}

/**
 * xdf_sim_backend_unmap() - undo xdf_sim_backend_map()
 * @ref: the grant reference
 *
 * Completes a revocation deferred while the page was mapped.
 */
void xdf_sim_backend_unmap(grant_ref_t ref)
{
	struct sim_grant *g;
	unsigned long flags;
	bool release = false;

	spin_lock_irqsave(&hv_lock, flags);
	g = xa_load(&sim_grants, ref);
	if (WARN_ON(!g || !g->maps)) {
		spin_unlock_irqrestore(&hv_lock, flags);
		return;
	}
	g->maps--;
	hv.backend_maps--;
	if (!g->maps && g->ended) {
		xa_erase(&sim_grants, ref);
		hv.grants--;
		hv.deferred--;
		release = true;
	}
	spin_unlock_irqrestore(&hv_lock, flags);
	if (!release)
		return;
	if (g->handed)
		put_page(g->handed);
	kfree(g);
}

/**
 * xdf_sim_grant_info() - look up a grant made by the frontend
 * @ref: the grant reference
 * @info: filled when the grant exists
 *
 * Return: true if @ref is a live (possibly deferred) grant.
 */
bool xdf_sim_grant_info(grant_ref_t ref, struct xdf_sim_grant_info *info)
{
	struct sim_grant *g;
	unsigned long flags;

	spin_lock_irqsave(&hv_lock, flags);
	g = xa_load(&sim_grants, ref);
	if (g) {
		info->page = g->page;
		info->domid = g->domid;
		info->readonly = g->readonly;
		info->maps = g->maps;
		info->ended = g->ended;
	}
	spin_unlock_irqrestore(&hv_lock, flags);
	return g;
}

/**
 * xdf_sim_gnttab_fail_after() - exhaust the grant table
 * @count: number of grants still allowed before -ENOSPC; -1 for no limit
 */
void xdf_sim_gnttab_fail_after(int count)
{
	unsigned long flags;

	spin_lock_irqsave(&hv_lock, flags);
	hv_grant_budget = count;
	spin_unlock_irqrestore(&hv_lock, flags);
}

/**
 * xdf_sim_gnttab_no_runs() - fragment the grant table
 * @fragmented: no run of free references is to be had, however many are
 *		free, and references granted one at a time are not
 *		consecutive; false to undo
 */
void xdf_sim_gnttab_no_runs(bool fragmented)
{
	unsigned long flags;

	spin_lock_irqsave(&hv_lock, flags);
	hv_grant_runs = !fragmented;
	spin_unlock_irqrestore(&hv_lock, flags);
}

/* ------------------------------------------------------------------ */
/* Ring pages */

int xdf_xen_ring_alloc(struct xenbus_device *xb_dev, void **vaddr,
		       grant_ref_t *ref)
{
	struct page *page;
	unsigned long flags;
	int ret;

	page = alloc_page(GFP_KERNEL | __GFP_ZERO);
	if (!page)
		return -ENOMEM;
	ret = xdf_xen_grant_page(xb_dev->otherend_id, page, false);
	if (ret < 0) {
		__free_page(page);
		return ret;
	}
	spin_lock_irqsave(&hv_lock, flags);
	hv.ring_pages++;
	spin_unlock_irqrestore(&hv_lock, flags);
	*vaddr = page_address(page);
	*ref = ret;
	return 0;
}

void xdf_xen_ring_free(void **vaddr, grant_ref_t *ref)
{
	unsigned long flags;

	if (!*vaddr) {
		*ref = INVALID_GRANT_REF;
		return;
	}
	/* Our page reference goes with the grant: freed once unmapped. */
	if (*ref != INVALID_GRANT_REF)
		xdf_xen_end_access(*ref, virt_to_page(*vaddr));
	else
		free_page((unsigned long)*vaddr);
	spin_lock_irqsave(&hv_lock, flags);
	hv.ring_pages--;
	spin_unlock_irqrestore(&hv_lock, flags);
	*vaddr = NULL;
	*ref = INVALID_GRANT_REF;
}

/* ------------------------------------------------------------------ */
/* Event channels */

struct sim_evtchn {
	evtchn_port_t port;
	struct xdf_sim_dev *sdev;
	irq_handler_t handler;
	void *data;
	struct work_struct irq_work;
	bool eoi_due;			/* in the handler, before its EOI */
	bool be_bound;
	struct work_struct *be_work;	/* queued when the frontend notifies */
};

/* Notifications the frontend's handlers ended as spurious. */
static unsigned int sim_spurious_eois;

static DEFINE_XARRAY_ALLOC1(sim_chans);

/*
 * Runs the frontend's handler as a hard interrupt would. The channel is
 * bound for late EOI: the handler must end it, or the channel would stay
 * masked for good.
 */
static void sim_irq_fn(struct work_struct *work)
{
	struct sim_evtchn *ch = container_of(work, struct sim_evtchn, irq_work);
	unsigned long flags;
	bool missed;

	local_irq_save(flags);
	__irq_enter_raw();
	WRITE_ONCE(ch->eoi_due, true);
	ch->handler(ch->port + SIM_IRQ_BASE, ch->data);
	missed = READ_ONCE(ch->eoi_due);
	WRITE_ONCE(ch->eoi_due, false);
	__irq_exit_raw();
	local_irq_restore(flags);
	if (missed)
		sim_misuse("irq %u: handler returned without EOI",
			   ch->port + SIM_IRQ_BASE);
}

int xdf_xen_evtchn_bind(struct xenbus_device *xb_dev, irq_handler_t handler,
			const char *name, void *data, evtchn_port_t *port)
{
	struct sim_evtchn *ch;
	unsigned long flags;
	u32 id;
	int err;

	ch = kzalloc(sizeof(*ch), GFP_KERNEL);
	if (!ch)
		return -ENOMEM;
	ch->sdev = to_sim_dev(xb_dev);
	ch->handler = handler;
	ch->data = data;
	INIT_WORK(&ch->irq_work, sim_irq_fn);

	spin_lock_irqsave(&hv_lock, flags);
	if (sim_budget_exhausted(&hv_evtchn_budget))
		err = -ENOSPC;
	else
		err = xa_alloc(&sim_chans, &id, ch, XA_LIMIT(1, 4095),
			       GFP_ATOMIC);
	if (!err) {
		ch->port = id;
		hv.channels++;
	}
	spin_unlock_irqrestore(&hv_lock, flags);
	if (err) {
		kfree(ch);
		return err == -EBUSY ? -ENOSPC : err;
	}
	*port = id;
	return id + SIM_IRQ_BASE;
}

void xdf_xen_evtchn_unbind(int irq, void *data)
{
	struct sim_evtchn *ch;
	unsigned long flags;

	spin_lock_irqsave(&hv_lock, flags);
	ch = xa_load(&sim_chans, irq - SIM_IRQ_BASE);
	if (ch && ch->data == data) {
		xa_erase(&sim_chans, ch->port);
		hv.channels--;
	}
	spin_unlock_irqrestore(&hv_lock, flags);
	if (!ch || ch->data != data) {
		sim_misuse("unbind of unknown irq %d", irq);
		return;
	}
	/* No new delivery can be queued: wait for the one in flight. */
	cancel_work_sync(&ch->irq_work);
	kfree(ch);
}

void xdf_xen_evtchn_eoi(int irq, bool spurious)
{
	struct sim_evtchn *ch;
	unsigned long flags;
	bool due = false;

	spin_lock_irqsave(&hv_lock, flags);
	ch = xa_load(&sim_chans, irq - SIM_IRQ_BASE);
	if (ch) {
		due = ch->eoi_due;
		ch->eoi_due = false;
	}
	if (due && spurious)
		sim_spurious_eois++;
	spin_unlock_irqrestore(&hv_lock, flags);
	if (!ch)
		sim_misuse("EOI of unknown irq %d", irq);
	else if (!due)
		sim_misuse("EOI of irq %d outside its handler", irq);
}

/**
 * xdf_sim_evtchn_spurious_eois() - notifications ended as spurious
 *
 * Return: how many times the frontend's handlers found nothing to do and
 * said so in their EOI, since boot.
 */
unsigned int xdf_sim_evtchn_spurious_eois(void)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&hv_lock, flags);
	n = sim_spurious_eois;
	spin_unlock_irqrestore(&hv_lock, flags);
	return n;
}

void xdf_xen_evtchn_notify(int irq)
{
	struct sim_evtchn *ch;
	unsigned long flags;

	spin_lock_irqsave(&hv_lock, flags);
	ch = xa_load(&sim_chans, irq - SIM_IRQ_BASE);
	if (ch && ch->be_work)
		sim_queue(sim_be_wq, ch->be_work);
	spin_unlock_irqrestore(&hv_lock, flags);
	if (!ch)
		sim_misuse("notify on unknown irq %d", irq);
}

/* The backend notifies the frontend on @port. */
static void sim_evtchn_to_front(evtchn_port_t port)
{
	struct sim_evtchn *ch;
	unsigned long flags;

	spin_lock_irqsave(&hv_lock, flags);
	ch = xa_load(&sim_chans, port);
	if (ch && ch->be_bound)
		sim_queue(sim_irq_wq, &ch->irq_work);
	spin_unlock_irqrestore(&hv_lock, flags);
}

/* The backend binds to the frontend's @port; @work runs on notifies. */
static int sim_evtchn_backend_bind(struct xdf_sim_dev *sdev,
				   evtchn_port_t port, struct work_struct *work)
{
	struct sim_evtchn *ch;
	unsigned long flags;
	int err = 0;

	spin_lock_irqsave(&hv_lock, flags);
	ch = xa_load(&sim_chans, port);
	if (!ch || ch->sdev != sdev || ch->be_bound) {
		err = -EINVAL;
	} else {
		ch->be_bound = true;
		ch->be_work = work;
		hv.backend_binds++;
	}
	spin_unlock_irqrestore(&hv_lock, flags);
	return err;
}

static void sim_evtchn_backend_unbind(evtchn_port_t port)
{
	struct sim_evtchn *ch;
	unsigned long flags;

	spin_lock_irqsave(&hv_lock, flags);
	ch = xa_load(&sim_chans, port);
	if (ch) {
		ch->be_bound = false;
		ch->be_work = NULL;
	}
	hv.backend_binds--;
	spin_unlock_irqrestore(&hv_lock, flags);
}

/**
 * xdf_sim_evtchn_backend_bound() - tell whether the backend is bound to a
 *				    frontend port
 * @port: the port the frontend published
 *
 * Return: true if @port is a live frontend channel the backend bound to.
 */
bool xdf_sim_evtchn_backend_bound(evtchn_port_t port)
{
	struct sim_evtchn *ch;
	unsigned long flags;
	bool bound;

	spin_lock_irqsave(&hv_lock, flags);
	ch = xa_load(&sim_chans, port);
	bound = ch && ch->be_bound;
	spin_unlock_irqrestore(&hv_lock, flags);
	return bound;
}

/**
 * xdf_sim_evtchn_fail_after() - make event channel allocation fail
 * @count: number of binds still allowed before -ENOSPC; -1 for no limit
 */
void xdf_sim_evtchn_fail_after(int count)
{
	unsigned long flags;

	spin_lock_irqsave(&hv_lock, flags);
	hv_evtchn_budget = count;
	spin_unlock_irqrestore(&hv_lock, flags);
}

/* ------------------------------------------------------------------ */
/* Backend pages granted to the frontend */

struct sim_be_grant {
	struct page *page;
	unsigned int maps;	/* by the frontend: kmaps + umaps + vmaps */
	unsigned int kmaps;	/* in the kernel, xdf_xen_foreign_map() */
	unsigned int umaps;	/* at user entries, xdf_xen_pte_map() */
	unsigned int vmaps;	/* at kernel entries, xdf_xen_pte_map() */
	bool ended;	/* revoked by the backend, freed once unmapped */
	u32 ref;
};

struct sim_fmap {
	struct sim_be_grant *g;
	struct page *orig;
};

static DEFINE_XARRAY_ALLOC1(sim_be_grants);
static u32 sim_be_grant_next;
static DEFINE_XARRAY_ALLOC1(sim_fmaps);

/* Forgets a backend grant; hv_lock held. */
static void sim_be_grant_erase(struct sim_be_grant *g)
{
	xa_erase(&sim_be_grants, g->ref);
}

/**
 * xdf_sim_backend_end_grants() - the backend revokes pages it granted
 * @count: number of references
 * @refs: references from xdf_sim_backend_grant_pages()
 *
 * Return: 0, -ENOENT if a reference is unknown, -EBUSY if the frontend
 * still maps one of the pages; on error nothing is revoked.
 */
int xdf_sim_backend_end_grants(unsigned int count, const grant_ref_t *refs)
{
	struct sim_be_grant *g;
	unsigned long flags;
	unsigned int i;
	int err = 0;

	spin_lock_irqsave(&hv_lock, flags);
	for (i = 0; i < count && !err; i++) {
		g = xa_load(&sim_be_grants, refs[i]);
		if (!g || g->ended)
			err = -ENOENT;
		else if (g->maps)
			err = -EBUSY;
	}
	if (err) {
		spin_unlock_irqrestore(&hv_lock, flags);
		return err;
	}
	for (i = 0; i < count; i++) {
		g = xa_erase(&sim_be_grants, refs[i]);
		hv.backend_grants--;
		spin_unlock_irqrestore(&hv_lock, flags);
		__free_page(g->page);
		kfree(g);
		spin_lock_irqsave(&hv_lock, flags);
	}
	spin_unlock_irqrestore(&hv_lock, flags);
	return 0;
}

/**
 * xdf_sim_backend_grant_pages() - the backend grants zeroed pages of its
 *				   own to the frontend
 * @count: number of pages
 * @refs: filled with @count grant references
 *
 * Return: 0 or a negative errno; on error nothing is granted.
 */
int xdf_sim_backend_grant_pages(unsigned int count, grant_ref_t *refs)
{
	struct sim_be_grant *g;
	unsigned long flags;
	unsigned int i;
	int err = 0;
	u32 ref;

	for (i = 0; i < count; i++) {
		g = kzalloc(sizeof(*g), GFP_KERNEL);
		if (g)
			g->page = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!g || !g->page) {
			kfree(g);
			err = -ENOMEM;
			break;
		}
		spin_lock_irqsave(&hv_lock, flags);
		err = xa_alloc_cyclic(&sim_be_grants, &ref, g,
				      XA_LIMIT(1, SIM_MAX_GRANT_REF),
				      &sim_be_grant_next, GFP_ATOMIC);
		if (err >= 0)
			hv.backend_grants++;
		spin_unlock_irqrestore(&hv_lock, flags);
		if (err < 0) {
			__free_page(g->page);
			kfree(g);
			break;
		}
		err = 0;
		g->ref = ref;
		refs[i] = ref;
	}
	if (err)
		xdf_sim_backend_end_grants(i, refs);
	return err;
}

/**
 * xdf_sim_backend_grant_vaddr() - the backend's view of a page it granted
 * @ref: reference from xdf_sim_backend_grant_pages()
 *
 * Return: the page's address, or NULL for an unknown reference.
 */
void *xdf_sim_backend_grant_vaddr(grant_ref_t ref)
{
	struct sim_be_grant *g;
	unsigned long flags;
	void *vaddr = NULL;

	spin_lock_irqsave(&hv_lock, flags);
	g = xa_load(&sim_be_grants, ref);
	if (g && !g->ended)
		vaddr = page_address(g->page);
	spin_unlock_irqrestore(&hv_lock, flags);
	return vaddr;
}

/**
 * xdf_sim_foreign_pages_fail_after() - make allocating pages for foreign
 *					 mappings fail
 * @count: number of allocations still succeeding before -ENOMEM; -1 for no
 *	   limit
 */
void xdf_sim_foreign_pages_fail_after(int count)
{
	unsigned long flags;

	spin_lock_irqsave(&hv_lock, flags);
	hv_fpages_budget = count;
	spin_unlock_irqrestore(&hv_lock, flags);
}

/**
 * xdf_sim_foreign_map_fail_after() - make mapping backend pages fail
 * @count: number of pages still mappable, in the kernel or in user space,
 *	   before -EFAULT; -1 for no limit
 */
void xdf_sim_foreign_map_fail_after(int count)
{
	unsigned long flags;

	spin_lock_irqsave(&hv_lock, flags);
	hv_fmap_budget = count;
	spin_unlock_irqrestore(&hv_lock, flags);
}

int xdf_xen_foreign_pages_alloc(unsigned int count, struct page **pages)
{
	unsigned long flags;
	unsigned int i;
	bool fail;

	spin_lock_irqsave(&hv_lock, flags);
	fail = sim_budget_exhausted(&hv_fpages_budget);
	spin_unlock_irqrestore(&hv_lock, flags);
	if (fail)
		return -ENOMEM;

	for (i = 0; i < count; i++) {
		pages[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		if (!pages[i]) {
			while (i--)
				__free_page(pages[i]);
			return -ENOMEM;
		}
	}
	spin_lock_irqsave(&hv_lock, flags);
	hv.foreign_pages += count;
	spin_unlock_irqrestore(&hv_lock, flags);
	return 0;
}

/* Is @page a backend page currently mapped by the frontend? hv_lock held */
static bool sim_page_is_mapped(struct page *page)
{
	struct sim_fmap *fm;
	unsigned long idx;

	xa_for_each(&sim_fmaps, idx, fm)
		if (fm->g->page == page)
			return true;
	return false;
}

void xdf_xen_foreign_pages_free(unsigned int count, struct page **pages)
{
	unsigned long flags;
	unsigned int i;
	bool mapped;

	for (i = 0; i < count; i++) {
		spin_lock_irqsave(&hv_lock, flags);
		mapped = sim_page_is_mapped(pages[i]);
		if (!mapped)
			hv.foreign_pages--;
		spin_unlock_irqrestore(&hv_lock, flags);
		if (mapped)
			sim_misuse("freeing page %u of %u while still mapped", i,
				   count);
		else
			__free_page(pages[i]);
	}
}

int xdf_xen_foreign_map(domid_t domid, const grant_ref_t *refs,
			unsigned int count, struct page **pages,
			grant_handle_t *handles)
{
	struct sim_be_grant *g;
	struct sim_fmap *fm;
	unsigned long flags;
	unsigned int i;
	int err = 0;
	u32 handle;

	for (i = 0; i < count; i++)
		handles[i] = INVALID_GRANT_HANDLE;
	if (domid != XDF_SIM_BACK_DOMID)
		return -EINVAL;

	for (i = 0; i < count && !err; i++) {
		fm = kzalloc(sizeof(*fm), GFP_KERNEL);
		if (!fm) {
			err = -ENOMEM;
			break;
		}
		spin_lock_irqsave(&hv_lock, flags);
		g = xa_load(&sim_be_grants, refs[i]);
		if (!g || g->ended || sim_budget_exhausted(&hv_fmap_budget))
			err = -EFAULT;
		else
			err = xa_alloc(&sim_fmaps, &handle, fm,
				       XA_LIMIT(1, INT_MAX), GFP_ATOMIC);
		if (!err) {
			fm->g = g;
			fm->orig = pages[i];
			g->maps++;
			g->kmaps++;
			hv.foreign_maps++;
			pages[i] = g->page;
			handles[i] = handle;
		}
		spin_unlock_irqrestore(&hv_lock, flags);
		if (err)
			kfree(fm);
	}
	if (err) {
		xdf_xen_foreign_unmap(count, pages, handles);
		for (i = 0; i < count; i++)
			handles[i] = INVALID_GRANT_HANDLE;
	}
	return err;
}

void xdf_xen_foreign_unmap(unsigned int count, struct page **pages,
			   const grant_handle_t *handles)
{
	struct sim_be_grant *gone;
	struct sim_fmap *fm;
	unsigned long flags;
	unsigned int i;
	u32 user_mapped;

	for (i = 0; i < count; i++) {
		if (handles[i] == INVALID_GRANT_HANDLE)
			continue;
		gone = NULL;
		user_mapped = 0;
		spin_lock_irqsave(&hv_lock, flags);
		fm = xa_load(&sim_fmaps, handles[i]);
		if (fm && fm->g->page == pages[i]) {
			xa_erase(&sim_fmaps, handles[i]);
			pages[i] = fm->orig;
			fm->g->maps--;
			fm->g->kmaps--;
			/* The frontend's last view of it must be the kernel's. */
			if (!fm->g->kmaps && (fm->g->umaps || fm->g->vmaps))
				user_mapped = fm->g->ref;
			hv.foreign_maps--;
			/* Revoked by the backend meanwhile: now it can go. */
			if (!fm->g->maps && fm->g->ended) {
				gone = fm->g;
				sim_be_grant_erase(gone);
				hv.backend_grants--;
				hv.backend_deferred--;
			}
		} else {
			fm = NULL;
		}
		spin_unlock_irqrestore(&hv_lock, flags);
		if (!fm)
			sim_misuse("unmap of unknown handle %u", handles[i]);
		if (user_mapped)
			sim_misuse("kernel mapping of grant %u unmapped, still mapped at an entry",
				   user_mapped);
		kfree(fm);
		if (gone) {
			__free_page(gone->page);
			kfree(gone);
		}
	}
}

/*
 * The backend revokes pages it granted, as the kernel's deferred
 * end-of-access does: a page the frontend still maps is freed when the
 * frontend unmaps it. Returns how many were still mapped.
 */
static unsigned int sim_be_end_grants_deferred(unsigned int count,
					       const grant_ref_t *refs)
{
	struct sim_be_grant *g;
	unsigned int i, busy = 0;
	unsigned long flags;

	for (i = 0; i < count; i++) {
		spin_lock_irqsave(&hv_lock, flags);
		g = xa_load(&sim_be_grants, refs[i]);
		if (!g || g->ended) {
			spin_unlock_irqrestore(&hv_lock, flags);
			WARN(1, "xdf_sim: backend ends unknown grant %u\n",
			     refs[i]);
			continue;
		}
		if (g->maps) {
			g->ended = true;
			hv.backend_deferred++;
			busy++;
			g = NULL;
		} else {
			xa_erase(&sim_be_grants, refs[i]);
			hv.backend_grants--;
		}
		spin_unlock_irqrestore(&hv_lock, flags);
		if (g) {
			__free_page(g->page);
			kfree(g);
		}
	}
	return busy;
}

/* ------------------------------------------------------------------ */
/* Display buffers, as the backend keeps them */

/* Never a grant of the backend's: its references stop at SIM_MAX_GRANT_REF. */
#define SIM_BOGUS_REF		(SIM_MAX_GRANT_REF + 1000)

/*
 * One buffer: what the request said, the references the directory listed
 * (or the backend's own grants, for a backend-allocated buffer), the
 * directory pages it walked and its view of every buffer page.
 */
struct sim_dbuf {
	struct list_head link;
	struct xdf_sim_dbuf_info info;
	bool be_alloc;
	grant_ref_t *refs;
	grant_ref_t *dir_refs;
	void **vaddrs;
	unsigned int nmapped;	/* frontend grants mapped, in order */
	unsigned int ngranted;	/* backend pages granted (be-alloc) */
	bool revoked;		/* the backend ended its grants early */
};

static void sim_dbuf_free(struct sim_dbuf *d)
{
	kvfree(d->vaddrs);
	kvfree(d->refs);
	kfree(d->dir_refs);
	kfree(d);
}

static struct sim_dbuf *sim_dbuf_find(struct xdf_sim_dev *sdev, u64 cookie)
{
	struct sim_dbuf *d;

	list_for_each_entry(d, &sdev->dbufs, link)
		if (d->info.cookie == cookie)
			return d;
	return NULL;
}

/*
 * Unmaps the frontend's pages or revokes the backend's own; @destroy:
 * on the frontend's DBUF_DESTROY, where the frontend must not have revoked
 * (or still map) any of them yet. be_lock held.
 */
static void sim_dbuf_release(struct xdf_sim_dev *sdev, struct sim_dbuf *d,
			     bool destroy)
{
	struct xdf_sim_grant_info info;
	unsigned long flags;
	unsigned int i, busy;

	if (d->be_alloc) {
		busy = sim_be_end_grants_deferred(d->ngranted, d->refs);
		if (destroy)
			sdev->dbuf_stats.still_mapped += busy;
	} else {
		for (i = 0; i < d->nmapped; i++) {
			if (destroy && xdf_sim_grant_info(d->refs[i], &info) &&
			    info.ended)
				sdev->dbuf_stats.revoked_early++;
			xdf_sim_backend_unmap(d->refs[i]);
		}
	}
	if (!list_empty(&d->link)) {
		list_del(&d->link);
		spin_lock_irqsave(&hv_lock, flags);
		hv.backend_dbufs--;
		spin_unlock_irqrestore(&hv_lock, flags);
	}
	sim_dbuf_free(d);
}

/*
 * Walks the page directory from @ref: reads the buffer's references into
 * d->refs or, with @fill, writes @fill's references into it. Directory
 * pages are mapped only while walked. be_lock held.
 */
static int sim_dbuf_walk(struct sim_dbuf *d, grant_ref_t ref,
			 const grant_ref_t *fill)
{
	const unsigned int per_page = XENDISPL_PAGE_DIR_GREFS_PER_PAGE;
	struct xendispl_page_directory *dir;
	unsigned int i, j, k = 0;
	void *vaddr;
	int err;

	for (i = 0; i < d->info.num_dir_pages; i++) {
		if (!ref) {
			pr_info("xdf_sim: dbuf %llu: directory ends after %u of %u pages\n",
				d->info.cookie, i, d->info.num_dir_pages);
			return -EINVAL;
		}
		for (j = 0; j < i; j++) {
			if (d->dir_refs[j] == ref) {
				pr_info("xdf_sim: dbuf %llu: directory loops to page %u\n",
					d->info.cookie, j);
				return -EINVAL;
			}
		}
		/* Written only when the backend fills it: else read-only. */
		err = sim_backend_map(ref, !fill, &vaddr);
		if (err) {
			pr_info("xdf_sim: dbuf %llu: cannot map directory page %u (ref %u)\n",
				d->info.cookie, i, ref);
			return err;
		}
		d->dir_refs[i] = ref;
		dir = vaddr;
		for (j = 0; j < per_page && k < d->info.num_pages; j++, k++) {
			if (fill)
				WRITE_ONCE(dir->gref[j], fill[k]);
			else
				d->refs[k] = READ_ONCE(dir->gref[j]);
		}
		ref = READ_ONCE(dir->gref_dir_next_page);
		xdf_sim_backend_unmap(d->dir_refs[i]);
	}
	if (ref) {
		pr_info("xdf_sim: dbuf %llu: directory goes on past its %u pages\n",
			d->info.cookie, d->info.num_dir_pages);
		return -EINVAL;
	}
	return 0;
}

/* Maps the buffer pages the directory listed (read-only is enough). */
static int sim_dbuf_map_pages(struct sim_dbuf *d)
{
	unsigned int i;
	int err;

	for (i = 0; i < d->info.num_pages; i++) {
		err = d->refs[i] ? sim_backend_map(d->refs[i], true,
						   &d->vaddrs[i]) : -EINVAL;
		if (err) {
			pr_info("xdf_sim: dbuf %llu: cannot map page %u of %u (ref %u)\n",
				d->info.cookie, i, d->info.num_pages,
				d->refs[i]);
			return err;
		}
		d->nmapped++;
	}
	return 0;
}

/* Allocates and grants the pages, lists them as told by the fault. */
static int sim_dbuf_alloc_pages(struct xdf_sim_dev *sdev, struct sim_dbuf *d,
				grant_ref_t ref)
{
	unsigned int i, n = d->info.num_pages;
	grant_ref_t *listed;
	int err;

	if (sdev->dbuf_fault == XDF_SIM_DBUF_TOO_FEW)
		n /= 2;
	err = xdf_sim_backend_grant_pages(n, d->refs);
	if (err)
		return err;
	d->ngranted = n;
	for (i = 0; i < n; i++)
		d->vaddrs[i] = xdf_sim_backend_grant_vaddr(d->refs[i]);

	listed = kvcalloc(d->info.num_pages, sizeof(*listed), GFP_KERNEL);
	if (!listed)
		return -ENOMEM;
	for (i = 0; i < n; i++)
		listed[i] = sdev->dbuf_fault == XDF_SIM_DBUF_BAD_REFS ?
			    SIM_BOGUS_REF + i : d->refs[i];
	if (sdev->hooks.dbuf_dir)
		sdev->hooks.dbuf_dir(sdev->hooks.priv, listed,
				     d->info.num_pages);
	err = sim_dbuf_walk(d, ref, listed);
	kvfree(listed);
	return err;
}

/* Checks a DBUF_CREATE's fields as a strict backend does. */
static bool sim_dbuf_create_valid(struct xdf_sim_dev *sdev,
				  const struct xendispl_dbuf_create_req *r)
{
	u64 need;

	if (!r->dbuf_cookie || sim_dbuf_find(sdev, r->dbuf_cookie))
		return false;
	if (r->flags & ~XENDISPL_DBUF_FLG_REQ_ALLOC)
		return false;
	if ((r->flags & XENDISPL_DBUF_FLG_REQ_ALLOC) &&
	    (!sdev->be_alloc_allowed || r->data_ofs))
		return false;
	if (!r->buffer_sz || r->data_ofs >= XENDISPL_PAGE_SIZE)
		return false;
	need = r->data_ofs +
	       (u64)XENDISPL_PITCH((u64)r->width, r->bpp) * r->height;
	return need <= r->buffer_sz;
}

/* DBUF_CREATE: 0 when the buffer exists, else the status to answer. */
static int sim_dbuf_create(struct sim_be_conn *c,
			   const struct xendispl_dbuf_create_req *r)
{
	struct xdf_sim_dev *sdev = c->sdev;
	unsigned int n, ndir;
	struct sim_dbuf *d;
	unsigned long flags;
	int err;

	if (!sim_dbuf_create_valid(sdev, r)) {
		pr_info("xdf_sim: dbuf %llu: invalid DBUF_CREATE\n",
			r->dbuf_cookie);
		sdev->dbuf_stats.refused++;
		return -EINVAL;
	}
	n = DIV_ROUND_UP(r->buffer_sz, XENDISPL_PAGE_SIZE);
	ndir = DIV_ROUND_UP(n, XENDISPL_PAGE_DIR_GREFS_PER_PAGE);
	d = kzalloc(sizeof(*d), GFP_KERNEL);
	if (!d)
		return -ENOMEM;
	INIT_LIST_HEAD(&d->link);
	d->info = (struct xdf_sim_dbuf_info) {
		.cookie = r->dbuf_cookie,
		.width = r->width,
		.height = r->height,
		.bpp = r->bpp,
		.buffer_sz = r->buffer_sz,
		.flags = r->flags,
		.data_ofs = r->data_ofs,
		.num_pages = n,
		.num_dir_pages = ndir,
	};
	d->be_alloc = r->flags & XENDISPL_DBUF_FLG_REQ_ALLOC;
	d->refs = kvcalloc(n, sizeof(*d->refs), GFP_KERNEL);
	d->vaddrs = kvcalloc(n, sizeof(*d->vaddrs), GFP_KERNEL);
	d->dir_refs = kcalloc(ndir, sizeof(*d->dir_refs), GFP_KERNEL);
	if (!d->refs || !d->vaddrs || !d->dir_refs) {
		sim_dbuf_free(d);
		return -ENOMEM;
	}

	if (d->be_alloc)
		err = sim_dbuf_alloc_pages(sdev, d, r->gref_directory);
	else
		err = sim_dbuf_walk(d, r->gref_directory, NULL) ?:
		      sim_dbuf_map_pages(d);
	if (err) {
		sdev->dbuf_stats.refused++;
		sim_dbuf_release(sdev, d, false);
		return err == -ENOMEM ? err : -EINVAL;
	}

	list_add_tail(&d->link, &sdev->dbufs);
	spin_lock_irqsave(&hv_lock, flags);
	hv.backend_dbufs++;
	spin_unlock_irqrestore(&hv_lock, flags);
	sdev->dbuf_stats.created++;
	return 0;
}

/* A framebuffer as FB_ATTACH described it. */
struct sim_fb {
	struct list_head link;
	struct xdf_sim_fb_info info;
};

static struct sim_fb *sim_fb_find(struct xdf_sim_dev *sdev, u64 cookie)
{
	struct sim_fb *f;

	list_for_each_entry(f, &sdev->fbs, link)
		if (f->info.fb_cookie == cookie)
			return f;
	return NULL;
}

static bool sim_fb_on_dbuf(struct xdf_sim_dev *sdev, u64 dbuf_cookie)
{
	struct sim_fb *f;

	list_for_each_entry(f, &sdev->fbs, link)
		if (f->info.dbuf_cookie == dbuf_cookie)
			return true;
	return false;
}

/* Forgets every framebuffer, as a backend that goes away; be_lock held. */
static void sim_fbs_drop(struct xdf_sim_dev *sdev)
{
	struct sim_fb *f, *tmp;

	list_for_each_entry_safe(f, tmp, &sdev->fbs, link) {
		list_del(&f->link);
		kfree(f);
	}
}

/*
 * The line length the backend reads @f's pixels at in @d: the buffer's
 * stride, or for a buffer of width 0 the framebuffer's own lines. 0 for
 * an unknown format.
 */
static u64 sim_fb_pitch(const struct sim_dbuf *d,
			const struct xdf_sim_fb_info *f, unsigned int *cpp)
{
	const struct drm_format_info *fi = __drm_format_info(f->pixel_format);

	if (!fi)
		return 0;
	*cpp = fi->cpp[0];
	if (d->info.width)
		return XENDISPL_PITCH((u64)d->info.width, d->info.bpp);
	return XENDISPL_PITCH((u64)f->width, fi->cpp[0] * 8);
}

/* Whether @r's lines, as the backend reads them, lie within @d. */
static bool sim_fb_fits(const struct sim_dbuf *d,
			const struct xendispl_fb_attach_req *r)
{
	const struct xdf_sim_fb_info f = {
		.width = r->width,
		.height = r->height,
		.pixel_format = r->pixel_format,
	};
	unsigned int cpp;
	u64 pitch = sim_fb_pitch(d, &f, &cpp);

	if (!pitch || (u64)r->width * cpp > pitch)
		return false;
	if (d->info.width && r->height > d->info.height)
		return false;
	return d->info.data_ofs + pitch * r->height <= d->info.buffer_sz;
}

static int sim_fb_attach(struct sim_be_conn *c,
			 const struct xendispl_fb_attach_req *r)
{
	struct xdf_sim_dev *sdev = c->sdev;
	struct sim_dbuf *d = sim_dbuf_find(sdev, r->dbuf_cookie);
	struct sim_fb *f;

	if (!r->fb_cookie || sim_fb_find(sdev, r->fb_cookie) || !d ||
	    !sim_fb_fits(d, r)) {
		pr_err("xdf_sim: frontend error: FB_ATTACH of framebuffer %llu on buffer %llu\n",
		       r->fb_cookie, r->dbuf_cookie);
		sdev->kms_stats.bad_attach++;
		return -EINVAL;
	}
	f = kzalloc(sizeof(*f), GFP_KERNEL);
	if (!f)
		return -ENOMEM;
	f->info = (struct xdf_sim_fb_info) {
		.fb_cookie = r->fb_cookie,
		.dbuf_cookie = r->dbuf_cookie,
		.width = r->width,
		.height = r->height,
		.pixel_format = r->pixel_format,
	};
	list_add_tail(&f->link, &sdev->fbs);
	sdev->kms_stats.attached++;
	return 0;
}

/*
 * A backend that sizes what it shows from FB_ATTACH (displ_be) shows only
 * framebuffers of the mode's size, from their top left corner.
 */
static void sim_fb_check_size(struct sim_be_conn *c, const struct sim_fb *f,
			      const struct xendispl_set_config_req *cfg)
{
	if (c->sdev->fb_viewport)
		return;
	if (f->info.width == cfg->width && f->info.height == cfg->height &&
	    !cfg->x && !cfg->y)
		return;
	pr_err("xdf_sim: frontend error: framebuffer %llu of %ux%u shown at %u,%u in %ux%u without feature-fb-viewport\n",
	       f->info.fb_cookie, f->info.width, f->info.height, cfg->x,
	       cfg->y, cfg->width, cfg->height);
	c->sdev->kms_stats.oversize_shown++;
}

/*
 * Acts on a framebuffer or pipe request before it is answered; be_lock
 * held. SET_CONFIG or PG_FLIP of an unknown framebuffer is counted as a
 * violation but answered with success (the channel suites send such
 * requests with made-up cookies), without a frame-done.
 * Return: 0, 1 for such a request, or the error status to answer with.
 */
static int sim_kms_request(struct sim_be_conn *c,
			   const struct xendispl_req *req)
{
	const struct xendispl_set_config_req *cfg = &req->op.set_config;
	struct xdf_sim_dev *sdev = c->sdev;
	struct sim_fb *f;

	switch (req->operation) {
	case XENDISPL_OP_FB_ATTACH:
		if (c->idx)
			sdev->kms_stats.wrong_ring++;
		return sim_fb_attach(c, &req->op.fb_attach);
	case XENDISPL_OP_FB_DETACH:
		if (c->idx)
			sdev->kms_stats.wrong_ring++;
		f = sim_fb_find(sdev, req->op.fb_detach.fb_cookie);
		if (!f) {
			pr_err("xdf_sim: frontend error: FB_DETACH of unknown framebuffer %llu\n",
			       req->op.fb_detach.fb_cookie);
			sdev->kms_stats.unknown_detach++;
			return -ENOENT;
		}
		list_del(&f->link);
		kfree(f);
		sdev->kms_stats.detached++;
		return 0;
	case XENDISPL_OP_SET_CONFIG:
		f = cfg->fb_cookie ? sim_fb_find(sdev, cfg->fb_cookie) : NULL;
		if (cfg->fb_cookie && !f) {
			pr_err("xdf_sim: frontend error: SET_CONFIG of unknown framebuffer %llu\n",
			       cfg->fb_cookie);
			sdev->kms_stats.unattached_use++;
			return 1;
		}
		if (f)
			sim_fb_check_size(c, f, cfg);
		c->config = *cfg;
		c->has_config = true;
		sdev->kms_stats.set_configs++;
		return 0;
	case XENDISPL_OP_PG_FLIP:
		if (!sim_fb_find(sdev, req->op.pg_flip.fb_cookie) ||
		    !c->has_config || !c->config.fb_cookie) {
			pr_err("xdf_sim: frontend error: PG_FLIP of framebuffer %llu on connector %u\n",
			       req->op.pg_flip.fb_cookie, c->idx);
			sdev->kms_stats.unattached_use++;
			return 1;
		}
		sim_fb_check_size(c, sim_fb_find(sdev, req->op.pg_flip.fb_cookie),
				  &c->config);
		sdev->kms_stats.flips++;
		return 0;
	default:
		return 0;
	}
}

static int sim_be_put_event(struct sim_be_conn *c, u8 type, u64 fb_cookie);

/* Frame-done events for a flip, as the connector's mode says; be_lock held. */
static void sim_kms_frame_done(struct sim_be_conn *c, u64 cookie)
{
	unsigned int n = 0;

	switch (c->fd_mode) {
	case XDF_SIM_FD_BEFORE:
		sim_be_put_event(c, XENDISPL_EVT_PG_FLIP, cookie);
		return;
	case XDF_SIM_FD_NEVER:
		return;
	case XDF_SIM_FD_TWICE:
		n = 2;
		break;
	case XDF_SIM_FD_WRONG_COOKIE:
		cookie = XDF_SIM_WRONG_COOKIE(cookie);
		n = 1;
		break;
	default:
		n = 1;
		break;
	}
	while (n-- && c->npost < SIM_MAX_POST_EVTS)
		c->post_evts[c->npost++] = cookie;
}

/* Unmaps the EDID pages kept after an answer; be_lock held. */
static void sim_edid_release(struct sim_be_conn *c)
{
	while (c->edid_nkept)
		xdf_sim_backend_unmap(c->edid_kept[--c->edid_nkept]);
}

/* GET_EDID: writes the connector's EDID into the shared pages. */
static int sim_edid_request(struct sim_be_conn *c,
			    const struct xendispl_get_edid_req *r)
{
	struct sim_dbuf d = {};
	unsigned int i, len;
	void *vaddr;
	int err;

	c->sdev->kms_stats.edid_reqs++;
	if (!c->edid)
		return 0;
	if (!r->buffer_sz || r->buffer_sz > XENDISPL_EDID_MAX_SIZE ||
	    c->edid_len > r->buffer_sz)
		return -EINVAL;
	d.info.num_pages = DIV_ROUND_UP(r->buffer_sz, XENDISPL_PAGE_SIZE);
	d.info.num_dir_pages = DIV_ROUND_UP(d.info.num_pages,
					    XENDISPL_PAGE_DIR_GREFS_PER_PAGE);
	d.refs = kcalloc(d.info.num_pages, sizeof(*d.refs), GFP_KERNEL);
	d.dir_refs = kcalloc(d.info.num_dir_pages, sizeof(*d.dir_refs),
			     GFP_KERNEL);
	err = d.refs && d.dir_refs ? 0 : -ENOMEM;
	if (!err)
		err = sim_dbuf_walk(&d, r->gref_directory, NULL);
	/* Pages kept from an earlier answer are let go first. */
	sim_edid_release(c);
	for (i = 0; !err && i * XENDISPL_PAGE_SIZE < c->edid_len; i++) {
		err = sim_backend_map(d.refs[i], false, &vaddr);
		if (err)
			break;
		len = min_t(u32, c->edid_len - i * XENDISPL_PAGE_SIZE,
			    XENDISPL_PAGE_SIZE);
		memcpy(vaddr, c->edid + i * XENDISPL_PAGE_SIZE, len);
		if (c->edid_keep || c->edid_at_once_len) {
			c->edid_kept[c->edid_nkept] = d.refs[i];
			c->edid_kept_va[c->edid_nkept++] = vaddr;
		} else {
			xdf_sim_backend_unmap(d.refs[i]);
		}
	}
	kfree(d.refs);
	kfree(d.dir_refs);
	if (err)
		pr_info("xdf_sim: connector %u: cannot write the EDID (%d)\n",
			c->idx, err);
	return err ? -EINVAL : 0;
}

/*
 * Acts on a display buffer request before it is answered; be_lock held.
 * Return: 0, or the error status the backend must answer with.
 */
static int sim_dbuf_request(struct sim_be_conn *c,
			    const struct xendispl_req *req)
{
	struct xdf_sim_dev *sdev = c->sdev;
	struct sim_dbuf *d;

	if (c->idx)
		sdev->dbuf_stats.wrong_ring++;
	if (req->operation == XENDISPL_OP_DBUF_CREATE)
		return sim_dbuf_create(c, &req->op.dbuf_create);

	d = sim_dbuf_find(sdev, req->op.dbuf_destroy.dbuf_cookie);
	if (!d) {
		pr_err("xdf_sim: frontend error: DBUF_DESTROY of unknown buffer %llu\n",
		       req->op.dbuf_destroy.dbuf_cookie);
		sdev->dbuf_stats.unknown_destroys++;
		return -ENOENT;
	}
	if (sim_fb_on_dbuf(sdev, d->info.cookie)) {
		pr_err("xdf_sim: frontend error: DBUF_DESTROY of buffer %llu, shown by an attached framebuffer\n",
		       d->info.cookie);
		sdev->kms_stats.dbuf_in_use++;
	}
	sim_dbuf_release(sdev, d, true);
	sdev->dbuf_stats.destroyed++;
	return 0;
}

/* Drops every buffer, as a backend that goes away; be_lock held. */
static void sim_dbufs_drop(struct xdf_sim_dev *sdev)
{
	struct sim_dbuf *d, *tmp;

	list_for_each_entry_safe(d, tmp, &sdev->dbufs, link)
		sim_dbuf_release(sdev, d, false);
}

/* The buffer @cookie's byte at @offset from its first pixel; be_lock held. */
static int sim_dbuf_locate(struct xdf_sim_dev *sdev, u64 cookie,
			   size_t offset, size_t len, struct sim_dbuf **dp)
{
	struct sim_dbuf *d = sim_dbuf_find(sdev, cookie);
	u64 end;

	if (!d)
		return -ENOENT;
	end = (u64)d->info.data_ofs + offset + len;
	if (end > (u64)d->info.num_pages * XENDISPL_PAGE_SIZE)
		return -ERANGE;
	*dp = d;
	return 0;
}

static int sim_dbuf_copy(struct xdf_sim_dev *sdev, u64 cookie, size_t offset,
			 void *buf, size_t len, bool write)
{
	size_t pos, chunk, done = 0;
	struct sim_dbuf *d;
	unsigned int pg;
	int err;
	u8 *va;

	mutex_lock(&sdev->be_lock);
	err = sim_dbuf_locate(sdev, cookie, offset, len, &d);
	while (!err && done < len) {
		pos = d->info.data_ofs + offset + done;
		pg = pos / XENDISPL_PAGE_SIZE;
		chunk = min_t(size_t, len - done,
			      XENDISPL_PAGE_SIZE - pos % XENDISPL_PAGE_SIZE);
		va = d->vaddrs[pg];
		if (!va) {
			err = -EFAULT;
			break;
		}
		va += pos % XENDISPL_PAGE_SIZE;
		if (write)
			memcpy(va, (u8 *)buf + done, chunk);
		else
			memcpy((u8 *)buf + done, va, chunk);
		done += chunk;
	}
	mutex_unlock(&sdev->be_lock);
	return err;
}

/**
 * xdf_sim_backend_num_dbufs() - display buffers the backend holds
 * @sdev: the device
 *
 * Return: the number of buffers created and not yet destroyed or dropped.
 */
unsigned int xdf_sim_backend_num_dbufs(struct xdf_sim_dev *sdev)
{
	struct sim_dbuf *d;
	unsigned int n = 0;

	mutex_lock(&sdev->be_lock);
	list_for_each_entry(d, &sdev->dbufs, link)
		n++;
	mutex_unlock(&sdev->be_lock);
	return n;
}

/**
 * xdf_sim_backend_dbuf() - a display buffer as the backend created it
 * @sdev: the device
 * @cookie: its dbuf_cookie
 * @info: filled when the backend holds the buffer
 *
 * Return: true if the backend holds a buffer @cookie.
 */
bool xdf_sim_backend_dbuf(struct xdf_sim_dev *sdev, u64 cookie,
			  struct xdf_sim_dbuf_info *info)
{
	struct sim_dbuf *d;

	mutex_lock(&sdev->be_lock);
	d = sim_dbuf_find(sdev, cookie);
	if (d)
		*info = d->info;
	mutex_unlock(&sdev->be_lock);
	return d;
}

/**
 * xdf_sim_backend_dbuf_refs() - the grant references of a buffer's pages
 * @sdev: the device
 * @cookie: the buffer's dbuf_cookie
 * @refs: filled with up to @max references, in page order: those the
 *	  directory listed, or for a backend-allocated buffer the backend's
 *	  own grants
 * @max: size of @refs
 *
 * Return: the buffer's number of pages, 0 if the backend has no @cookie.
 */
unsigned int xdf_sim_backend_dbuf_refs(struct xdf_sim_dev *sdev, u64 cookie,
				       grant_ref_t *refs, unsigned int max)
{
	struct sim_dbuf *d;
	unsigned int n = 0;

	mutex_lock(&sdev->be_lock);
	d = sim_dbuf_find(sdev, cookie);
	if (d) {
		n = d->info.num_pages;
		memcpy(refs, d->refs, min(n, max) * sizeof(*refs));
	}
	mutex_unlock(&sdev->be_lock);
	return n;
}

/**
 * xdf_sim_backend_dbuf_dir_refs() - the grant references of a buffer's
 *				     directory pages, in chain order
 * @sdev: the device
 * @cookie: the buffer's dbuf_cookie
 * @refs: filled with up to @max references
 * @max: size of @refs
 *
 * Return: the number of directory pages, 0 if the backend has no @cookie.
 */
unsigned int xdf_sim_backend_dbuf_dir_refs(struct xdf_sim_dev *sdev,
					   u64 cookie, grant_ref_t *refs,
					   unsigned int max)
{
	struct sim_dbuf *d;
	unsigned int n = 0;

	mutex_lock(&sdev->be_lock);
	d = sim_dbuf_find(sdev, cookie);
	if (d) {
		n = d->info.num_dir_pages;
		memcpy(refs, d->dir_refs, min(n, max) * sizeof(*refs));
	}
	mutex_unlock(&sdev->be_lock);
	return n;
}

/**
 * xdf_sim_backend_dbuf_read() - read a buffer through the backend's mappings
 * @sdev: the device
 * @cookie: the buffer's dbuf_cookie
 * @offset: offset from the first pixel (the buffer's data_ofs is added)
 * @buf: where the bytes go
 * @len: number of bytes
 *
 * Return: 0, -ENOENT for an unknown buffer, -ERANGE past its pages, -EFAULT
 * for a page the backend did not get.
 */
int xdf_sim_backend_dbuf_read(struct xdf_sim_dev *sdev, u64 cookie,
			      size_t offset, void *buf, size_t len)
{
	return sim_dbuf_copy(sdev, cookie, offset, buf, len, false);
}

/**
 * xdf_sim_backend_dbuf_write() - write into a buffer through the backend's
 *				  mappings
 * @sdev: the device
 * @cookie: the buffer's dbuf_cookie
 * @offset: offset from the first pixel (the buffer's data_ofs is added)
 * @buf: the bytes
 * @len: number of bytes
 *
 * Return: as xdf_sim_backend_dbuf_read().
 */
int xdf_sim_backend_dbuf_write(struct xdf_sim_dev *sdev, u64 cookie,
			       size_t offset, const void *buf, size_t len)
{
	return sim_dbuf_copy(sdev, cookie, offset, (void *)buf, len, true);
}

/**
 * xdf_sim_backend_fb_read() - read a framebuffer's pixels as the backend
 *			       shows them
 * @sdev: the device
 * @fb_cookie: the framebuffer's fb_cookie
 * @x: first column
 * @y: line
 * @buf: where the bytes go
 * @len: number of bytes, from pixel @x of line @y
 *
 * Lines are the display buffer's stride apart (XENDISPL_PITCH of its
 * width and bpp), or for a buffer of width 0 the framebuffer's own.
 *
 * Return: as xdf_sim_backend_dbuf_read(), -ENOENT for an unknown
 * framebuffer too.
 */
int xdf_sim_backend_fb_read(struct xdf_sim_dev *sdev, u64 fb_cookie, u32 x,
			    u32 y, void *buf, size_t len)
{
	struct sim_dbuf *d = NULL;
	unsigned int cpp = 0;
	u64 dbuf_cookie = 0, pitch = 0;
	struct sim_fb *f;

	mutex_lock(&sdev->be_lock);
	f = sim_fb_find(sdev, fb_cookie);
	if (f)
		d = sim_dbuf_find(sdev, f->info.dbuf_cookie);
	if (d) {
		dbuf_cookie = d->info.cookie;
		pitch = sim_fb_pitch(d, &f->info, &cpp);
	}
	mutex_unlock(&sdev->be_lock);
	if (!d || !pitch)
		return -ENOENT;
	return sim_dbuf_copy(sdev, dbuf_cookie, y * pitch + (u64)x * cpp, buf,
			     len, false);
}

/**
 * xdf_sim_backend_set_dbuf_fault() - misbehave on backend-allocated buffers
 * @sdev: the device
 * @fault: what the backend does on the next DBUF_CREATE with REQ_ALLOC,
 *	   until changed again
 */
void xdf_sim_backend_set_dbuf_fault(struct xdf_sim_dev *sdev,
				    enum xdf_sim_dbuf_fault fault)
{
	mutex_lock(&sdev->be_lock);
	sdev->dbuf_fault = fault;
	mutex_unlock(&sdev->be_lock);
}

/**
 * xdf_sim_backend_keep_dbufs() - keep buffers mapped when disconnecting
 * @sdev: the device
 * @keep: true: a disconnecting backend keeps its buffers (and their grant
 *	  mappings) until xdf_sim_backend_drop_dbufs(), like a backend domain
 *	  whose mappings are torn down late; false: it drops them (default)
 *
 * Removing the device drops them in any case.
 */
void xdf_sim_backend_keep_dbufs(struct xdf_sim_dev *sdev, bool keep)
{
	mutex_lock(&sdev->be_lock);
	sdev->keep_dbufs = keep;
	mutex_unlock(&sdev->be_lock);
}

/**
 * xdf_sim_backend_drop_dbufs() - the backend forgets every buffer now
 * @sdev: the device
 *
 * Unmaps the frontend's pages (completing revocations deferred meanwhile)
 * and revokes its own, without any request.
 */
void xdf_sim_backend_drop_dbufs(struct xdf_sim_dev *sdev)
{
	mutex_lock(&sdev->be_lock);
	sim_dbufs_drop(sdev);
	mutex_unlock(&sdev->be_lock);
}

/**
 * xdf_sim_backend_revoke_dbuf() - the backend ends its grants of a
 *				   backend-allocated buffer it still holds
 * @sdev: the device
 * @cookie: the buffer's dbuf_cookie
 *
 * A backend that takes its pages back while the frontend maps them, then
 * drops its own view of them (xdf_sim_backend_dbuf_read() fails). As under
 * real Xen: ending access to a grant another domain maps fails, so the
 * granting kernel defers it (gnttab_end_foreign_access()), and a page
 * freed anyway stays referenced by the mapping; either way the frontend's
 * existing mappings keep reaching the page until it unmaps them, and only
 * new mappings of the grants fail. The page is freed at the frontend's
 * last unmap (&xdf_sim_counters.backend_deferred counts those waiting).
 * The buffer stays known: DBUF_DESTROY is answered as usual.
 *
 * Return: the number of pages the frontend still mapped, -ENOENT for an
 * unknown or frontend-allocated buffer, -EALREADY if revoked already.
 */
int xdf_sim_backend_revoke_dbuf(struct xdf_sim_dev *sdev, u64 cookie)
{
	struct sim_dbuf *d;
	unsigned int i;
	int ret;

	mutex_lock(&sdev->be_lock);
	d = sim_dbuf_find(sdev, cookie);
	if (!d || !d->be_alloc) {
		ret = -ENOENT;
	} else if (d->revoked) {
		ret = -EALREADY;
	} else {
		ret = sim_be_end_grants_deferred(d->ngranted, d->refs);
		d->ngranted = 0;
		d->revoked = true;
		for (i = 0; i < d->info.num_pages; i++)
			d->vaddrs[i] = NULL;
		pr_info("xdf_sim: dbuf %llu: backend revoked its %u pages, %d still mapped by the frontend\n",
			cookie, d->info.num_pages, ret);
	}
	mutex_unlock(&sdev->be_lock);
	return ret;
}

/**
 * xdf_sim_backend_dbuf_rewrite_dir() - the backend rewrites a buffer's
 *					page directory after creating it
 * @sdev: the device
 * @cookie: the buffer's dbuf_cookie
 * @refs: the references to write, in page order
 * @count: number of @refs, at most the buffer's number of pages; the
 *	   entries past it are left as they are
 *
 * Maps the directory pages writable, as a backend may once it answered
 * DBUF_CREATE, and writes @refs over the buffer's references (the chain
 * of directory pages is left alone). The backend's own record of the
 * buffer does not change.
 *
 * Return: 0, -ENOENT for an unknown buffer, -EINVAL for too many @refs
 * or a directory page that cannot be mapped writable (a read-only grant).
 */
int xdf_sim_backend_dbuf_rewrite_dir(struct xdf_sim_dev *sdev, u64 cookie,
				     const grant_ref_t *refs,
				     unsigned int count)
{
	const unsigned int per_page = XENDISPL_PAGE_DIR_GREFS_PER_PAGE;
	struct xendispl_page_directory *dir;
	unsigned int i, k = 0;
	struct sim_dbuf *d;
	void *vaddr;
	int err = 0;

	mutex_lock(&sdev->be_lock);
	d = sim_dbuf_find(sdev, cookie);
	if (!d)
		err = -ENOENT;
	else if (count > d->info.num_pages)
		err = -EINVAL;
	for (i = 0; !err && k < count; i++) {
		err = sim_backend_map(d->dir_refs[i], false, &vaddr);
		if (err)
			break;
		dir = vaddr;
		for (; k < count && k < (i + 1) * per_page; k++)
			WRITE_ONCE(dir->gref[k % per_page], refs[k]);
		xdf_sim_backend_unmap(d->dir_refs[i]);
	}
	mutex_unlock(&sdev->be_lock);
	if (err)
		pr_info("xdf_sim: dbuf %llu: cannot rewrite the directory: %d\n",
			cookie, err);
	else
		pr_info("xdf_sim: dbuf %llu: backend rewrote %u references of the directory, first %u\n",
			cookie, count, count ? refs[0] : 0);
	return err;
}

/**
 * xdf_sim_backend_dbuf_stats() - what the backend saw of display buffers
 * @sdev: the device
 * @stats: filled with the counts since the device was added
 */
void xdf_sim_backend_dbuf_stats(struct xdf_sim_dev *sdev,
				struct xdf_sim_dbuf_stats *stats)
{
	mutex_lock(&sdev->be_lock);
	*stats = sdev->dbuf_stats;
	mutex_unlock(&sdev->be_lock);
}

/* ------------------------------------------------------------------ */
/* The displif backend */

static void sim_be_write_state(struct xdf_sim_dev *sdev,
			       enum xenbus_state state)
{
	char value[12];

	snprintf(value, sizeof(value), "%d", state);
	sim_xs_put(sdev->be_state_path, NULL, value);
}

static int sim_be_read_uint(struct xdf_sim_dev *sdev, unsigned int conn,
			    const char *field, unsigned int *out)
{
	char node[48];
	char *value;
	int err;

	snprintf(node, sizeof(node), "%u/%s", conn, field);
	value = sim_xs_get(sdev->fe_path, node);
	if (IS_ERR(value))
		return PTR_ERR(value);
	err = kstrtouint(value, 10, out);
	kfree(value);
	return err;
}

static void sim_be_disconnect_conn(struct sim_be_conn *c)
{
	sim_edid_release(c);
	if (c->req_bound)
		sim_evtchn_backend_unbind(c->req_port);
	if (c->evt_bound)
		sim_evtchn_backend_unbind(c->evt_port);
	if (c->req_mapped)
		xdf_sim_backend_unmap(c->req_ref);
	if (c->evt_mapped)
		xdf_sim_backend_unmap(c->evt_ref);
	c->req_bound = false;
	c->evt_bound = false;
	c->req_mapped = false;
	c->evt_mapped = false;
	c->active = false;
	c->evt_page = NULL;
	memset(&c->ring, 0, sizeof(c->ring));
	c->nheld = 0;
	c->overflow = 0;
	c->npost = 0;
	c->has_config = false;
}

/* Unmaps and unbinds everything, as a backend that closes; be_lock held. */
static void sim_be_disconnect(struct xdf_sim_dev *sdev)
{
	unsigned int i;

	for (i = 0; i < XDF_SIM_MAX_CONNECTORS; i++)
		sim_be_disconnect_conn(&sdev->conns[i]);
	if (!sdev->keep_dbufs)
		sim_dbufs_drop(sdev);
	sim_fbs_drop(sdev);
	sdev->be_connected = false;
	sdev->be_num_connected = 0;
}

static int sim_be_connect_conn(struct sim_be_conn *c)
{
	struct xdf_sim_dev *sdev = c->sdev;
	unsigned int req_ref, evt_ref, req_port, evt_port;
	void *sring, *evt_page;
	int err;

	err = sim_be_read_uint(sdev, c->idx, XENDISPL_FIELD_REQ_RING_REF,
			       &req_ref) ?:
	      sim_be_read_uint(sdev, c->idx, XENDISPL_FIELD_REQ_CHANNEL,
			       &req_port) ?:
	      sim_be_read_uint(sdev, c->idx, XENDISPL_FIELD_EVT_RING_REF,
			       &evt_ref) ?:
	      sim_be_read_uint(sdev, c->idx, XENDISPL_FIELD_EVT_CHANNEL,
			       &evt_port);
	if (err)
		return err;

	err = xdf_sim_backend_map(req_ref, &sring);
	if (err)
		return err;
	c->req_ref = req_ref;
	c->req_mapped = true;
	BACK_RING_INIT(&c->ring, (struct xen_displif_sring *)sring,
		       XENDISPL_PAGE_SIZE);

	err = xdf_sim_backend_map(evt_ref, &evt_page);
	if (err)
		return err;
	c->evt_ref = evt_ref;
	c->evt_mapped = true;
	c->evt_page = evt_page;

	err = sim_evtchn_backend_bind(sdev, req_port, &c->req_work);
	if (err)
		return err;
	c->req_port = req_port;
	c->req_bound = true;

	err = sim_evtchn_backend_bind(sdev, evt_port, NULL);
	if (err)
		return err;
	c->evt_port = evt_port;
	c->evt_bound = true;

	c->evt_id = 0;
	c->active = true;
	return 0;
}

/* Reads the optional "version" the frontend chose; be_lock held. */
static int sim_be_read_version(struct xdf_sim_dev *sdev)
{
	char *value;
	int err;

	sdev->be_fe_version = 0;
	value = sim_xs_get(sdev->fe_path, XENDISPL_FIELD_FE_VERSION);
	if (IS_ERR(value))
		return PTR_ERR(value) == -ENOENT ? 0 : PTR_ERR(value);
	err = kstrtouint(value, 10, &sdev->be_fe_version);
	kfree(value);
	return err;
}

/* Maps the rings and binds the channels of every published connector. */
static int sim_be_connect(struct xdf_sim_dev *sdev)
{
	unsigned int i = 0, ref;
	int err;

	err = sim_be_read_version(sdev);
	for (; !err && i < sdev->be_num_connectors; i++) {
		/* Connectors the frontend does not use have no rings. */
		if (sim_be_read_uint(sdev, i, XENDISPL_FIELD_REQ_RING_REF,
				     &ref) == -ENOENT)
			break;
		err = sim_be_connect_conn(&sdev->conns[i]);
		if (err)
			break;
	}
	if (!err && !i)
		err = -ENOENT;
	if (err) {
		pr_err("xdf_sim: backend %s: connector %u: bad frontend rings (%d)\n",
		       sdev->be_dir, i, err);
		sim_be_disconnect(sdev);
		return err;
	}
	sdev->be_num_connected = i;
	sdev->be_connected = true;
	return 0;
}

/* Reacts to a change of the frontend's state, as a backend's watch does. */
static void sim_be_state_fn(struct work_struct *work)
{
	struct xdf_sim_dev *sdev = container_of(work, struct xdf_sim_dev,
						be_state_work);
	enum xenbus_state fe_state = sim_read_state(sdev->fe_state_path);
	enum xenbus_state be_state = sim_read_state(sdev->be_state_path);

	mutex_lock(&sdev->be_lock);
	/* A hung backend sees the change when it thaws. */
	if (sdev->be_frozen)
		goto out;
	switch (fe_state) {
	case XenbusStateInitialised:
		if (!sdev->be_connected && be_state == XenbusStateInitWait) {
			sdev->be_connect_err = sim_be_connect(sdev);
			if (!sdev->be_connect_err && !sdev->be_hold)
				sim_be_write_state(sdev, XenbusStateConnected);
		}
		break;
	case XenbusStateConnected:
		break;
	/*
	 * A frontend that closes while connected, to reset the connection:
	 * follow it through Closing and Closed, and offer a new connection
	 * (InitWait) once it is Initialising again, as Linux's and QEMU's
	 * backends do.
	 */
	case XenbusStateClosing:
		sim_be_disconnect(sdev);
		if (be_state == XenbusStateConnected) {
			sdev->be_following = true;
			sim_be_write_state(sdev, XenbusStateClosing);
		}
		break;
	case XenbusStateClosed:
		sim_be_disconnect(sdev);
		if (sdev->be_following && be_state == XenbusStateClosing)
			sim_be_write_state(sdev, XenbusStateClosed);
		break;
	case XenbusStateInitialising:
		sim_be_disconnect(sdev);
		if (sdev->be_following && be_state == XenbusStateClosed) {
			sdev->be_following = false;
			sim_be_write_state(sdev, XenbusStateInitWait);
		}
		break;
	default:
		sim_be_disconnect(sdev);
		break;
	}
out:
	mutex_unlock(&sdev->be_lock);
	wake_up_all(&sim_waitq);
}

/* The first active rule for @op, counted down; be_lock held. */
static enum xdf_sim_action sim_be_rule(struct sim_be_conn *c, int op,
				       int *param)
{
	unsigned int i;

	for (i = 0; i < XDF_SIM_MAX_RULES; i++) {
		if (!c->rules[i].count)
			continue;
		if (c->rules[i].op != XDF_SIM_ANY_OP && c->rules[i].op != op)
			continue;
		if (c->rules[i].count > 0)
			c->rules[i].count--;
		*param = c->rules[i].param;
		return c->rules[i].action;
	}
	*param = 0;
	return XDF_SIM_REPLY;
}

static void sim_be_respond(struct sim_be_conn *c, u16 id, u8 op, s32 status)
{
	struct xdf_sim_hooks *hooks = &c->sdev->hooks;
	struct xendispl_resp resp = {
		.id = id,
		.operation = op,
		.status = status,
	};

	if (op == XENDISPL_OP_GET_EDID && !status)
		resp.op.get_edid.edid_sz = c->edid_sz;
	if (hooks->response && !hooks->response(hooks->priv, c->idx, &resp))
		return;
	*RING_GET_RESPONSE(&c->ring, c->ring.rsp_prod_pvt) = resp;
	c->ring.rsp_prod_pvt++;
}

static void sim_be_push(struct sim_be_conn *c)
{
	int notify;

	RING_PUSH_RESPONSES_AND_CHECK_NOTIFY(&c->ring, notify);
	if (c->overflow) {
		/* The response slots before the corrupt producer index. */
		virt_wmb();
		c->ring.sring->rsp_prod = c->ring.rsp_prod_pvt + c->overflow;
		c->overflow = 0;
		notify = 1;
	}
	if (notify)
		sim_evtchn_to_front(c->req_port);
}

static void sim_be_arm_delay(struct sim_be_conn *c)
{
	unsigned long due;
	unsigned int i;

	if (!c->nheld)
		return;
	due = c->held[0].due;
	for (i = 1; i < c->nheld; i++)
		if (time_before(c->held[i].due, due))
			due = c->held[i].due;
	mod_delayed_work(sim_be_wq, &c->delay_work,
			 time_after(due, jiffies) ? due - jiffies : 0);
}

static void sim_be_hold(struct sim_be_conn *c, const struct xendispl_req *req,
			unsigned int ms)
{
	if (c->nheld == SIM_MAX_HELD) {
		pr_err("xdf_sim: too many delayed responses: request %u dropped\n",
		       req->id);
		return;
	}
	c->held[c->nheld].req = *req;
	c->held[c->nheld].due = jiffies + msecs_to_jiffies(ms);
	c->nheld++;
	sim_be_arm_delay(c);
}

static void sim_be_delay_fn(struct work_struct *work)
{
	struct sim_be_conn *c = container_of(to_delayed_work(work),
					     struct sim_be_conn, delay_work);
	bool answered = false;
	unsigned int i = 0;

	mutex_lock(&c->sdev->be_lock);
	while (c->active && i < c->nheld) {
		if (time_before(jiffies, c->held[i].due)) {
			i++;
			continue;
		}
		sim_be_respond(c, c->held[i].req.id, c->held[i].req.operation,
			       0);
		answered = true;
		c->nheld--;
		memmove(&c->held[i], &c->held[i + 1],
			(c->nheld - i) * sizeof(c->held[0]));
	}
	if (answered)
		sim_be_push(c);
	if (c->active)
		sim_be_arm_delay(c);
	mutex_unlock(&c->sdev->be_lock);
}

static void sim_be_record(struct sim_be_conn *c, const struct xendispl_req *req)
{
	struct xendispl_req *reqs;
	unsigned int cap;

	if (c->nreqs == c->reqs_cap) {
		cap = c->reqs_cap ? 2 * c->reqs_cap : 16;
		reqs = krealloc_array(c->reqs, cap, sizeof(*reqs), GFP_KERNEL);
		if (!reqs) {
			pr_err("xdf_sim: request record lost\n");
			return;
		}
		c->reqs = reqs;
		c->reqs_cap = cap;
	}
	c->reqs[c->nreqs] = *req;
	WRITE_ONCE(c->nreqs, c->nreqs + 1);
}

/* Handles one request; true when a response was written. */
static bool sim_be_handle(struct sim_be_conn *c, const struct xendispl_req *req)
{
	enum xdf_sim_action action;
	int param, status;

	action = sim_be_rule(c, req->operation, &param);
	/*
	 * A buffer request acts before it is answered, unless the script
	 * makes the backend refuse it; what it finds invalid it refuses.
	 */
	if ((req->operation == XENDISPL_OP_DBUF_CREATE ||
	     req->operation == XENDISPL_OP_DBUF_DESTROY) &&
	    !(action == XDF_SIM_STATUS && param)) {
		status = sim_dbuf_request(c, req);
		if (status) {
			sim_be_respond(c, req->id, req->operation, status);
			return true;
		}
	}
	/* So do framebuffers: a late FB_ATTACH answer follows the attach. */
	if (action == XDF_SIM_REPLY ||
	    (action == XDF_SIM_DELAY &&
	     (req->operation == XENDISPL_OP_FB_ATTACH ||
	      req->operation == XENDISPL_OP_FB_DETACH))) {
		if (req->operation == XENDISPL_OP_GET_EDID)
			status = sim_edid_request(c, &req->op.get_edid);
		else
			status = sim_kms_request(c, req);
		if (status < 0) {
			sim_be_respond(c, req->id, req->operation, status);
			return true;
		}
		if (!status && req->operation == XENDISPL_OP_PG_FLIP)
			sim_kms_frame_done(c, req->op.pg_flip.fb_cookie);
	}

	switch (action) {
	case XDF_SIM_SILENT:
		return false;
	case XDF_SIM_DELAY:
		sim_be_hold(c, req, param);
		return false;
	case XDF_SIM_STATUS:
		sim_be_respond(c, req->id, req->operation, param);
		return true;
	case XDF_SIM_WRONG_ID:
		sim_be_respond(c, req->id + 1, req->operation, 0);
		return true;
	case XDF_SIM_WRONG_OP:
		sim_be_respond(c, req->id, req->operation ^ 1, 0);
		return true;
	case XDF_SIM_RSP_OVERFLOW:
		sim_be_respond(c, req->id, req->operation, 0);
		c->overflow = param ?: RING_SIZE(&c->ring) + 1;
		return true;
	default:
		sim_be_respond(c, req->id, req->operation, 0);
		return true;
	}
}

/*
 * Rewrites the EDID pages kept for it as soon as the answer is out, racing
 * with the frontend's copy; be_lock held.
 */
static void sim_edid_at_once(struct sim_be_conn *c)
{
	unsigned int i;
	u32 done, len;

	if (!c->edid_at_once_len || !c->edid_nkept)
		return;
	for (i = 0, done = 0; i < c->edid_nkept && done < c->edid_at_once_len;
	     i++, done += len) {
		len = min_t(u32, c->edid_at_once_len - done, XENDISPL_PAGE_SIZE);
		memcpy(c->edid_kept_va[i], c->edid_at_once + done, len);
	}
	pr_info("xdf_sim: connector %u: backend rewrote %u bytes of the EDID right after its answer\n",
		c->idx, done);
	c->edid_at_once_len = 0;
	if (!c->edid_keep)
		sim_edid_release(c);
}

/* Consumes every request on the ring; be_lock held. */
static void sim_be_consume(struct sim_be_conn *c)
{
	struct xen_displif_back_ring *ring = &c->ring;
	struct xendispl_req req;
	bool answered = false;
	unsigned int i;
	RING_IDX rp;
	int more;

	do {
		rp = READ_ONCE(ring->sring->req_prod);
		/* The producer index before the requests it covers. */
		virt_rmb();
		if (RING_REQUEST_PROD_OVERFLOW(ring, rp)) {
			c->sdev->be_front_errors++;
			pr_err("xdf_sim: connector %u: request producer %u overflows the ring\n",
			       c->idx, rp);
			break;
		}
		while (ring->req_cons != rp) {
			RING_COPY_REQUEST(ring, ring->req_cons, &req);
			ring->req_cons++;
			sim_be_record(c, &req);
			answered |= sim_be_handle(c, &req);
		}
		RING_FINAL_CHECK_FOR_REQUESTS(ring, more);
	} while (more);
	if (answered)
		sim_be_push(c);
	sim_edid_at_once(c);
	for (i = 0; i < c->npost; i++)
		sim_be_put_event(c, XENDISPL_EVT_PG_FLIP, c->post_evts[i]);
	c->npost = 0;
}

static void sim_be_req_fn(struct work_struct *work)
{
	struct sim_be_conn *c = container_of(work, struct sim_be_conn,
					     req_work);

	mutex_lock(&c->sdev->be_lock);
	if (c->active && !c->sdev->be_frozen)
		sim_be_consume(c);
	mutex_unlock(&c->sdev->be_lock);
	wake_up_all(&sim_waitq);
}

static struct sim_be_conn *sim_be_conn(struct xdf_sim_dev *sdev,
				       unsigned int conn)
{
	if (WARN_ON(conn >= XDF_SIM_MAX_CONNECTORS))
		return NULL;
	return &sdev->conns[conn];
}

/**
 * xdf_sim_backend_script() - script the backend's answers on a connector
 * @sdev: the device
 * @conn: connector index
 * @op: XENDISPL_OP_* the rule applies to, or XDF_SIM_ANY_OP
 * @count: number of next matching requests, or XDF_SIM_FOREVER
 * @action: what to do with them
 * @param: the action's parameter (delay in ms, status, overflow)
 *
 * Rules are tried in the order they were added; the first active one
 * matching a request applies, other requests are answered with status 0.
 *
 * Return: 0, -EINVAL or -ENOSPC when XDF_SIM_MAX_RULES are active.
 */
int xdf_sim_backend_script(struct xdf_sim_dev *sdev, unsigned int conn,
			   int op, int count, enum xdf_sim_action action,
			   int param)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	unsigned int i;
	int err = -ENOSPC;

	if (!c || !count)
		return -EINVAL;
	mutex_lock(&sdev->be_lock);
	for (i = 0; i < XDF_SIM_MAX_RULES; i++) {
		if (c->rules[i].count)
			continue;
		c->rules[i].op = op;
		c->rules[i].count = count;
		c->rules[i].action = action;
		c->rules[i].param = param;
		err = 0;
		break;
	}
	mutex_unlock(&sdev->be_lock);
	return err;
}

/**
 * xdf_sim_backend_clear_script() - answer every request normally again
 * @sdev: the device
 * @conn: connector index
 */
void xdf_sim_backend_clear_script(struct xdf_sim_dev *sdev, unsigned int conn)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);

	if (!c)
		return;
	mutex_lock(&sdev->be_lock);
	memset(c->rules, 0, sizeof(c->rules));
	mutex_unlock(&sdev->be_lock);
}

/**
 * xdf_sim_backend_set_edid_size() - set edid_sz of GET_EDID responses
 * @sdev: the device
 * @conn: connector index
 * @size: the size reported (0 by default)
 */
void xdf_sim_backend_set_edid_size(struct xdf_sim_dev *sdev,
				   unsigned int conn, u32 size)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);

	if (!c)
		return;
	mutex_lock(&sdev->be_lock);
	c->edid_sz = size;
	mutex_unlock(&sdev->be_lock);
}

/**
 * xdf_sim_backend_set_state() - switch the backend's xenbus state
 * @sdev: the device
 * @state: the new state
 *
 * For any state but Connected the backend first unmaps and unbinds
 * everything, as a closing or restarting backend does. Any switch ends
 * &xdf_sim_config.hold: switching to Connected releases a held backend.
 *
 * The backend (re)connects only when the frontend's state is written as
 * Initialised while the backend is in InitWait.
 */
void xdf_sim_backend_set_state(struct xdf_sim_dev *sdev,
			       enum xenbus_state state)
{
	mutex_lock(&sdev->be_lock);
	if (state != XenbusStateConnected)
		sim_be_disconnect(sdev);
	sdev->be_hold = false;
	sdev->be_following = false;
	sim_be_write_state(sdev, state);
	mutex_unlock(&sdev->be_lock);
}

/**
 * xdf_sim_backend_restart() - restart the backend
 * @sdev: the device
 *
 * The backend disconnects, then goes Initialising and InitWait like a
 * freshly started backend; it connects again when the frontend reaches
 * Initialised.
 */
void xdf_sim_backend_restart(struct xdf_sim_dev *sdev)
{
	xdf_sim_backend_set_state(sdev, XenbusStateInitialising);
	xdf_sim_backend_set_state(sdev, XenbusStateInitWait);
}

/**
 * xdf_sim_backend_freeze() - hang the backend, or let it run again
 * @sdev: the device
 * @frozen: true to hang it
 *
 * A hung backend reads no request and does not react to the frontend's
 * state; it keeps its mappings, so the frontend's revocations wait for
 * it. Thawed, it catches up with the frontend's state, then answers what
 * waits on the rings it still has (late answers, as far as the frontend
 * is concerned).
 */
void xdf_sim_backend_freeze(struct xdf_sim_dev *sdev, bool frozen)
{
	unsigned int i;

	mutex_lock(&sdev->be_lock);
	sdev->be_frozen = frozen;
	mutex_unlock(&sdev->be_lock);
	if (frozen)
		return;
	/* The frontend's state first: a closed ring is not read again. */
	sim_queue(sim_be_wq, &sdev->be_state_work);
	for (i = 0; i < XDF_SIM_MAX_CONNECTORS; i++)
		sim_queue(sim_be_wq, &sdev->conns[i].req_work);
}

/**
 * xdf_sim_backend_answer_late() - answer the requests waiting on a ring,
 *				   in a given order
 * @sdev: the device, usually frozen
 * @conn: connector index
 * @order: for each answer, the index of its request among those waiting
 *	   (0 the oldest); indexes beyond them are skipped
 * @count: number of entries of @order
 *
 * The requests waiting are read (and recorded) as the backend reads them,
 * then answered with status 0, one response each in @order, whether or
 * not the frontend still has the ring: the answers of a backend that was
 * hung. Scripts and side effects of the requests are not applied.
 *
 * Return: the number of responses written, or -ENODEV when the backend
 * has no ring mapped for @conn.
 */
int xdf_sim_backend_answer_late(struct xdf_sim_dev *sdev, unsigned int conn,
				const unsigned int *order, unsigned int count)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	struct xendispl_req waiting[SIM_MAX_HELD];
	unsigned int n = 0, i, written = 0;
	RING_IDX rp;

	if (!c)
		return -EINVAL;
	mutex_lock(&sdev->be_lock);
	if (!c->active) {
		mutex_unlock(&sdev->be_lock);
		return -ENODEV;
	}
	rp = READ_ONCE(c->ring.sring->req_prod);
	/* The producer index before the requests it covers. */
	virt_rmb();
	while (c->ring.req_cons != rp && n < ARRAY_SIZE(waiting)) {
		RING_COPY_REQUEST(&c->ring, c->ring.req_cons, &waiting[n]);
		c->ring.req_cons++;
		sim_be_record(c, &waiting[n]);
		n++;
	}
	for (i = 0; i < count; i++) {
		if (order[i] >= n)
			continue;
		sim_be_respond(c, waiting[order[i]].id,
			       waiting[order[i]].operation, 0);
		written++;
	}
	if (written)
		sim_be_push(c);
	mutex_unlock(&sdev->be_lock);
	wake_up_all(&sim_waitq);
	return written;
}

/**
 * xdf_sim_backend_state() - the backend's xenbus state in XenStore
 * @sdev: the device
 *
 * Return: the state, XenbusStateUnknown if the node is missing.
 */
enum xenbus_state xdf_sim_backend_state(struct xdf_sim_dev *sdev)
{
	return sim_read_state(sdev->be_state_path);
}

/**
 * xdf_sim_backend_connected() - tell whether the backend maps the rings
 * @sdev: the device
 *
 * Return: true once it mapped every published ring and bound every channel.
 */
bool xdf_sim_backend_connected(struct xdf_sim_dev *sdev)
{
	bool connected;

	mutex_lock(&sdev->be_lock);
	connected = sdev->be_connected;
	mutex_unlock(&sdev->be_lock);
	return connected;
}

/**
 * xdf_sim_backend_num_connected() - connectors the backend connected
 * @sdev: the device
 *
 * Return: the number of connectors whose rings the frontend published and
 * the backend mapped, 0 when not connected.
 */
unsigned int xdf_sim_backend_num_connected(struct xdf_sim_dev *sdev)
{
	unsigned int n;

	mutex_lock(&sdev->be_lock);
	n = sdev->be_num_connected;
	mutex_unlock(&sdev->be_lock);
	return n;
}

/**
 * xdf_sim_backend_connect_error() - why the backend's last connect failed
 * @sdev: the device
 *
 * Return: 0 if it succeeded (or was not tried), else a negative errno:
 * missing or invalid ring references or ports in XenStore.
 */
int xdf_sim_backend_connect_error(struct xdf_sim_dev *sdev)
{
	int err;

	mutex_lock(&sdev->be_lock);
	err = sdev->be_connect_err;
	mutex_unlock(&sdev->be_lock);
	return err;
}

/**
 * xdf_sim_backend_fe_version() - the protocol version the frontend chose
 * @sdev: the device
 *
 * Return: the frontend's "version" as the backend read it when it last
 * connected, 0 if the frontend wrote none.
 */
unsigned int xdf_sim_backend_fe_version(struct xdf_sim_dev *sdev)
{
	unsigned int version;

	mutex_lock(&sdev->be_lock);
	version = sdev->be_fe_version;
	mutex_unlock(&sdev->be_lock);
	return version;
}

/**
 * xdf_sim_backend_front_errors() - protocol errors of the frontend seen by
 *				    the backend
 * @sdev: the device
 *
 * Return: how many times the request producer claimed more requests than
 * the ring holds.
 */
unsigned int xdf_sim_backend_front_errors(struct xdf_sim_dev *sdev)
{
	unsigned int n;

	mutex_lock(&sdev->be_lock);
	n = sdev->be_front_errors;
	mutex_unlock(&sdev->be_lock);
	return n;
}

/**
 * xdf_sim_backend_num_requests() - requests the backend received
 * @sdev: the device
 * @conn: connector index
 *
 * Return: the number of requests recorded on @conn.
 */
unsigned int xdf_sim_backend_num_requests(struct xdf_sim_dev *sdev,
					  unsigned int conn)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);

	return c ? READ_ONCE(c->nreqs) : 0;
}

/**
 * xdf_sim_backend_request() - a copy of a request the backend received
 * @sdev: the device
 * @conn: connector index
 * @idx: index of the request in arrival order
 * @req: filled with the request as read from the ring
 *
 * Return: true if @idx requests were recorded.
 */
bool xdf_sim_backend_request(struct xdf_sim_dev *sdev, unsigned int conn,
			     unsigned int idx, struct xendispl_req *req)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	bool found;

	if (!c)
		return false;
	mutex_lock(&sdev->be_lock);
	found = idx < c->nreqs;
	if (found)
		*req = c->reqs[idx];
	mutex_unlock(&sdev->be_lock);
	return found;
}

/**
 * xdf_sim_backend_wait_requests() - wait until requests have arrived
 * @sdev: the device
 * @conn: connector index
 * @count: number of requests to wait for
 * @timeout_ms: how long to wait
 *
 * Return: true if @count requests were recorded in time.
 */
bool xdf_sim_backend_wait_requests(struct xdf_sim_dev *sdev,
				   unsigned int conn, unsigned int count,
				   unsigned int timeout_ms)
{
	return wait_event_timeout(sim_waitq,
				  xdf_sim_backend_num_requests(sdev, conn) >= count,
				  msecs_to_jiffies(timeout_ms)) > 0;
}

/**
 * xdf_sim_backend_clear_requests() - forget the recorded requests
 * @sdev: the device
 */
void xdf_sim_backend_clear_requests(struct xdf_sim_dev *sdev)
{
	unsigned int i;

	mutex_lock(&sdev->be_lock);
	for (i = 0; i < XDF_SIM_MAX_CONNECTORS; i++)
		WRITE_ONCE(sdev->conns[i].nreqs, 0);
	mutex_unlock(&sdev->be_lock);
}

/* Writes one event as it is and notifies; be_lock held. */
static int sim_be_put_evt(struct sim_be_conn *c, const struct xendispl_evt *evt)
{
	struct xendispl_event_page *page = c->evt_page;
	u32 prod;

	if (!c->active)
		return -ENOTCONN;
	prod = page->in_prod;
	if (prod - READ_ONCE(page->in_cons) >= XENDISPL_IN_RING_LEN)
		return -ENOSPC;
	XENDISPL_IN_RING_REF(page, prod) = *evt;
	/* The event before the producer index that covers it. */
	virt_wmb();
	WRITE_ONCE(page->in_prod, prod + 1);
	sim_evtchn_to_front(c->evt_port);
	return 0;
}

/* Writes one event of @type with the next id and notifies; be_lock held. */
static int sim_be_put_event(struct sim_be_conn *c, u8 type, u64 fb_cookie)
{
	struct xendispl_evt evt = {
		.id = c->evt_id,
		.type = type,
		.op.pg_flip.fb_cookie = fb_cookie,
	};
	int err;

	err = sim_be_put_evt(c, &evt);
	if (!err)
		c->evt_id++;
	return err;
}

/**
 * xdf_sim_backend_send_frame_done() - send a frame-done (PG_FLIP) event
 * @sdev: the device
 * @conn: connector index
 * @fb_cookie: the event's framebuffer cookie
 *
 * Return: 0, -ENOTCONN when the connector is not connected, -ENOSPC when
 * the event ring is full.
 */
int xdf_sim_backend_send_frame_done(struct xdf_sim_dev *sdev,
				    unsigned int conn, u64 fb_cookie)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	int err;

	if (!c)
		return -EINVAL;
	mutex_lock(&sdev->be_lock);
	err = sim_be_put_event(c, XENDISPL_EVT_PG_FLIP, fb_cookie);
	mutex_unlock(&sdev->be_lock);
	return err;
}

/**
 * xdf_sim_backend_send_event() - send an event of any type, as a backend
 *				  speaking another protocol version might
 * @sdev: the device
 * @conn: connector index
 * @type: the event's type
 * @fb_cookie: the payload's first 8 bytes
 *
 * Return: 0, -ENOTCONN when the connector is not connected, -ENOSPC when
 * the event ring is full.
 */
int xdf_sim_backend_send_event(struct xdf_sim_dev *sdev, unsigned int conn,
			       u8 type, u64 fb_cookie)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	int err;

	if (!c)
		return -EINVAL;
	mutex_lock(&sdev->be_lock);
	err = sim_be_put_event(c, type, fb_cookie);
	mutex_unlock(&sdev->be_lock);
	return err;
}

/**
 * xdf_sim_backend_send_raw_event() - send an event exactly as given, id
 *				      included
 * @sdev: the device
 * @conn: connector index
 * @evt: the event
 *
 * Return: 0, -ENOTCONN when the connector is not connected, -ENOSPC when
 * the event ring is full.
 */
int xdf_sim_backend_send_raw_event(struct xdf_sim_dev *sdev, unsigned int conn,
				   const struct xendispl_evt *evt)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	int err;

	if (!c)
		return -EINVAL;
	mutex_lock(&sdev->be_lock);
	err = sim_be_put_evt(c, evt);
	mutex_unlock(&sdev->be_lock);
	return err;
}

/**
 * xdf_sim_backend_set_index() - write a ring index as a broken backend might
 * @sdev: the device
 * @conn: connector index
 * @index: which index
 * @delta: added to the index (wrapping); for %XDF_SIM_REQ_CONS, how many
 *	   requests the backend goes back from the frontend's producer to
 *	   read them again, at most the ring's size
 *
 * The frontend is notified on the channel of the ring written. Later
 * responses and events are written from the backend's own private indexes
 * again, as a backend with a stray write would.
 *
 * Return: 0, -EINVAL or -ENOTCONN when the connector is not connected.
 */
int xdf_sim_backend_set_index(struct xdf_sim_dev *sdev, unsigned int conn,
			      enum xdf_sim_index index, u32 delta)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	int err = 0;

	if (!c)
		return -EINVAL;
	mutex_lock(&sdev->be_lock);
	if (!c->active) {
		err = -ENOTCONN;
		goto out;
	}
	switch (index) {
	case XDF_SIM_RSP_PROD:
		WRITE_ONCE(c->ring.sring->rsp_prod,
			   c->ring.sring->rsp_prod + delta);
		sim_evtchn_to_front(c->req_port);
		break;
	case XDF_SIM_REQ_CONS:
		delta = min_t(u32, delta, RING_SIZE(&c->ring));
		c->ring.req_cons = READ_ONCE(c->ring.sring->req_prod) - delta;
		/* It reads them again as soon as it runs. */
		sim_queue(sim_be_wq, &c->req_work);
		break;
	case XDF_SIM_EVT_IN_PROD:
		WRITE_ONCE(c->evt_page->in_prod, c->evt_page->in_prod + delta);
		sim_evtchn_to_front(c->evt_port);
		break;
	case XDF_SIM_EVT_IN_CONS:
		WRITE_ONCE(c->evt_page->in_cons,
			   READ_ONCE(c->evt_page->in_cons) + delta);
		sim_evtchn_to_front(c->evt_port);
		break;
	default:
		err = -EINVAL;
		break;
	}
out:
	mutex_unlock(&sdev->be_lock);
	return err;
}

/**
 * xdf_sim_backend_set_hooks() - let a test rewrite what the backend writes
 * @sdev: the device
 * @hooks: the hooks, copied; NULL to remove them
 *
 * The hooks run with the backend's lock held, in the backend's workers or
 * in the test's calls into the backend: they must not call the backend.
 */
void xdf_sim_backend_set_hooks(struct xdf_sim_dev *sdev,
			       const struct xdf_sim_hooks *hooks)
{
	mutex_lock(&sdev->be_lock);
	if (hooks)
		sdev->hooks = *hooks;
	else
		memset(&sdev->hooks, 0, sizeof(sdev->hooks));
	mutex_unlock(&sdev->be_lock);
}

/**
 * xdf_sim_backend_flood() - send frame-done events as fast as possible
 * @sdev: the device
 * @conn: connector index
 * @count: number of events
 * @first_cookie: cookie of the first event, incremented for each next one
 *
 * Waits for room when the event ring is full, up to 2 s in total.
 *
 * Return: the number of events sent.
 */
int xdf_sim_backend_flood(struct xdf_sim_dev *sdev, unsigned int conn,
			  unsigned int count, u64 first_cookie)
{
	unsigned long end = jiffies + msecs_to_jiffies(SIM_FLOOD_TIMEOUT_MS);
	unsigned int sent = 0;
	int err;

	while (sent < count) {
		err = xdf_sim_backend_send_frame_done(sdev, conn,
						      first_cookie + sent);
		if (!err) {
			sent++;
			continue;
		}
		if (err != -ENOSPC || time_after(jiffies, end))
			break;
		usleep_range(100, 200);
	}
	return sent;
}

/**
 * xdf_sim_backend_corrupt_evt_prod() - make the event producer claim more
 *					unread events than the ring holds
 * @sdev: the device
 * @conn: connector index
 *
 * Return: 0 or -ENOTCONN.
 */
int xdf_sim_backend_corrupt_evt_prod(struct xdf_sim_dev *sdev,
				     unsigned int conn)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	struct xendispl_event_page *page;
	int err = -ENOTCONN;

	if (!c)
		return -EINVAL;
	mutex_lock(&sdev->be_lock);
	if (c->active) {
		page = c->evt_page;
		WRITE_ONCE(page->in_prod, READ_ONCE(page->in_cons) +
			   XENDISPL_IN_RING_LEN + 1);
		sim_evtchn_to_front(c->evt_port);
		err = 0;
	}
	mutex_unlock(&sdev->be_lock);
	return err;
}

/**
 * xdf_sim_backend_notify() - notify the frontend with nothing new
 * @sdev: the device
 * @conn: connector index
 * @evt: on the event channel, else on the request channel
 *
 * Return: 0, -EINVAL for a bad connector, -ENOTCONN when not connected.
 */
int xdf_sim_backend_notify(struct xdf_sim_dev *sdev, unsigned int conn,
			   bool evt)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	int err = -ENOTCONN;

	if (!c)
		return -EINVAL;
	mutex_lock(&sdev->be_lock);
	if (c->active) {
		sim_evtchn_to_front(evt ? c->evt_port : c->req_port);
		err = 0;
	}
	mutex_unlock(&sdev->be_lock);
	return err;
}

/**
 * xdf_sim_backend_evt_cons() - the frontend's event consumer index
 * @sdev: the device
 * @conn: connector index
 *
 * Return: in_cons of the connector's event page, 0 when not connected.
 */
u32 xdf_sim_backend_evt_cons(struct xdf_sim_dev *sdev, unsigned int conn)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	u32 cons = 0;

	if (!c)
		return 0;
	mutex_lock(&sdev->be_lock);
	if (c->active)
		cons = READ_ONCE(c->evt_page->in_cons);
	mutex_unlock(&sdev->be_lock);
	return cons;
}

/**
 * xdf_sim_backend_set_frame_done() - when a connector sends frame-done
 * @sdev: the device
 * @conn: connector index
 * @mode: when, for the PG_FLIP requests answered from now on
 */
void xdf_sim_backend_set_frame_done(struct xdf_sim_dev *sdev,
				    unsigned int conn,
				    enum xdf_sim_frame_done mode)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);

	if (!c)
		return;
	mutex_lock(&sdev->be_lock);
	c->fd_mode = mode;
	mutex_unlock(&sdev->be_lock);
}

/**
 * xdf_sim_backend_num_fbs() - framebuffers the backend holds
 * @sdev: the device
 *
 * Return: the number of framebuffers attached and not yet detached.
 */
unsigned int xdf_sim_backend_num_fbs(struct xdf_sim_dev *sdev)
{
	struct sim_fb *f;
	unsigned int n = 0;

	mutex_lock(&sdev->be_lock);
	list_for_each_entry(f, &sdev->fbs, link)
		n++;
	mutex_unlock(&sdev->be_lock);
	return n;
}

/**
 * xdf_sim_backend_fb() - look up a framebuffer the backend attached
 * @sdev: the device
 * @fb_cookie: its cookie
 * @info: filled when found
 *
 * Return: true if the framebuffer is attached.
 */
bool xdf_sim_backend_fb(struct xdf_sim_dev *sdev, u64 fb_cookie,
			struct xdf_sim_fb_info *info)
{
	struct sim_fb *f;

	mutex_lock(&sdev->be_lock);
	f = sim_fb_find(sdev, fb_cookie);
	if (f)
		*info = f->info;
	mutex_unlock(&sdev->be_lock);
	return f;
}

/**
 * xdf_sim_backend_config() - a connector's configuration
 * @sdev: the device
 * @conn: connector index
 * @config: filled with the last SET_CONFIG the backend accepted (all zero:
 *	    disabled)
 *
 * Return: true if the connector received a SET_CONFIG since it connected.
 */
bool xdf_sim_backend_config(struct xdf_sim_dev *sdev, unsigned int conn,
			    struct xendispl_set_config_req *config)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	bool has;

	if (!c)
		return false;
	mutex_lock(&sdev->be_lock);
	has = c->has_config;
	*config = c->config;
	mutex_unlock(&sdev->be_lock);
	return has;
}

/**
 * xdf_sim_backend_kms_stats() - what the backend saw of framebuffers,
 *				 configurations, flips and EDID requests
 * @sdev: the device
 * @stats: filled with the counters
 */
void xdf_sim_backend_kms_stats(struct xdf_sim_dev *sdev,
			       struct xdf_sim_kms_stats *stats)
{
	mutex_lock(&sdev->be_lock);
	*stats = sdev->kms_stats;
	mutex_unlock(&sdev->be_lock);
}

/**
 * xdf_sim_backend_set_edid() - the EDID GET_EDID writes into the frontend's
 *				buffer
 * @sdev: the device
 * @conn: connector index
 * @edid: the bytes to write, any content; NULL to write nothing
 * @size: their number, at most XENDISPL_EDID_MAX_SIZE; also the edid_sz
 *	  answered, until xdf_sim_backend_set_edid_size() changes it
 *
 * Return: 0, -EINVAL or -ENOMEM.
 */
int xdf_sim_backend_set_edid(struct xdf_sim_dev *sdev, unsigned int conn,
			     const void *edid, u32 size)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	u8 *copy = NULL;

	if (!c || size > XENDISPL_EDID_MAX_SIZE)
		return -EINVAL;
	if (edid) {
		copy = kmemdup(edid, size, GFP_KERNEL);
		if (!copy)
			return -ENOMEM;
	}
	mutex_lock(&sdev->be_lock);
	kfree(c->edid);
	c->edid = copy;
	c->edid_len = copy ? size : 0;
	c->edid_sz = c->edid_len;
	mutex_unlock(&sdev->be_lock);
	return 0;
}

/* One detailed timing descriptor: fixed blanking, digital separate sync. */
/**
 * xdf_sim_backend_keep_edid() - keep the EDID pages mapped after answering
 * @sdev: the device
 * @conn: connector index
 * @keep: true: the backend keeps the pages it wrote the EDID into mapped,
 *	  writable, after each GET_EDID answer, for
 *	  xdf_sim_backend_rewrite_edid(); false (default): it unmaps them
 *	  before answering
 *
 * Kept pages are unmapped at the next GET_EDID, by the rewrite, or when
 * the backend disconnects; the frontend's revocation of their grants
 * waits for that.
 */
void xdf_sim_backend_keep_edid(struct xdf_sim_dev *sdev, unsigned int conn,
			       bool keep)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);

	if (!c)
		return;
	mutex_lock(&sdev->be_lock);
	c->edid_keep = keep;
	mutex_unlock(&sdev->be_lock);
}

/**
 * xdf_sim_backend_rewrite_edid() - the backend rewrites the EDID it
 *				    answered, in the frontend's pages
 * @sdev: the device
 * @conn: connector index
 * @bytes: what to write from the first byte on
 * @len: their number, at most what the kept pages hold
 *
 * Writes through the mappings kept by xdf_sim_backend_keep_edid(), then
 * unmaps them. What the backend answers to the next GET_EDID does not
 * change.
 *
 * Return: 0, -ENOENT if no page is kept, -EINVAL if @len does not fit.
 */
int xdf_sim_backend_rewrite_edid(struct xdf_sim_dev *sdev, unsigned int conn,
				 const void *bytes, size_t len)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);
	size_t done, chunk;
	unsigned int i;
	int err = 0;

	if (!c)
		return -ENOENT;
	mutex_lock(&sdev->be_lock);
	if (!c->edid_nkept)
		err = -ENOENT;
	else if (len > (size_t)c->edid_nkept * XENDISPL_PAGE_SIZE)
		err = -EINVAL;
	/* Through the old mappings: the frontend may have revoked the grants. */
	for (i = 0, done = 0; !err && done < len; i++, done += chunk) {
		chunk = min_t(size_t, len - done, XENDISPL_PAGE_SIZE);
		memcpy(c->edid_kept_va[i], (const u8 *)bytes + done, chunk);
	}
	if (!err)
		pr_info("xdf_sim: connector %u: backend rewrote %zu bytes of the EDID it answered\n",
			conn, len);
	if (err != -EINVAL)
		sim_edid_release(c);
	mutex_unlock(&sdev->be_lock);
	return err;
}

/**
 * xdf_sim_backend_rewrite_edid_at_once() - rewrite the EDID right after
 *					    the next answer
 * @sdev: the device
 * @conn: connector index
 * @bytes: what to write from the first byte on, once
 * @len: their number, at most 256
 *
 * The backend answers the next GET_EDID as usual, then writes @bytes into
 * the frontend's pages as soon as the answer is out: before, during or
 * after the frontend's copy of the EDID.
 *
 * Return: 0 or -EINVAL for a @len too large.
 */
int xdf_sim_backend_rewrite_edid_at_once(struct xdf_sim_dev *sdev,
					 unsigned int conn, const void *bytes,
					 size_t len)
{
	struct sim_be_conn *c = sim_be_conn(sdev, conn);

	if (!c || len > SIM_EDID_AT_ONCE_MAX)
		return -EINVAL;
	mutex_lock(&sdev->be_lock);
	memcpy(c->edid_at_once, bytes, len);
	c->edid_at_once_len = len;
	mutex_unlock(&sdev->be_lock);
	return 0;
}

static void sim_edid_dtd(u8 *d, const struct xdf_sim_timing *t)
{
	const u32 hfp = 48, hsw = 32, vfp = 3, vsw = 6;
	u32 hblank = XDF_SIM_EDID_HBLANK, vblank = XDF_SIM_EDID_VBLANK;
	u32 htotal = t->width + hblank, vtotal = t->height + vblank;
	u32 clock = DIV_ROUND_CLOSEST(htotal * vtotal * t->refresh, 10000);

	d[0] = clock & 0xff;
	d[1] = clock >> 8;
	d[2] = t->width & 0xff;
	d[3] = hblank & 0xff;
	d[4] = ((t->width >> 8) << 4) | (hblank >> 8);
	d[5] = t->height & 0xff;
	d[6] = vblank & 0xff;
	d[7] = ((t->height >> 8) << 4) | (vblank >> 8);
	d[8] = hfp & 0xff;
	d[9] = hsw & 0xff;
	d[10] = ((vfp & 0xf) << 4) | (vsw & 0xf);
	d[11] = ((hfp >> 8) << 6) | ((hsw >> 8) << 4) | ((vfp >> 4) << 2) |
		(vsw >> 4);
	d[12] = 0x20;	/* 544 x 303 mm */
	d[13] = 0x2f;
	d[14] = 0x21;
	d[17] = 0x1e;	/* digital separate, +hsync, +vsync */
}

/**
 * xdf_sim_edid_build() - build a valid EDID 1.4 base block
 * @edid: EDID_LENGTH (128) bytes to fill
 * @timings: its detailed timings, the first one preferred
 * @count: their number, 1 to 4
 *
 * No established, standard or range timings: the EDID's modes are exactly
 * @timings, each with XDF_SIM_EDID_HBLANK and XDF_SIM_EDID_VBLANK of
 * blanking and the pixel clock that gives its refresh rate.
 *
 * Return: 128, or -EINVAL.
 */
int xdf_sim_edid_build(u8 *edid, const struct xdf_sim_timing *timings,
		       unsigned int count)
{
	static const u8 header[] = { 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0 };
	unsigned int i;
	u8 sum = 0;

	if (!count || count > 4)
		return -EINVAL;
	memset(edid, 0, 128);
	memcpy(edid, header, sizeof(header));
	edid[8] = 0x60;		/* manufacturer "XEN" */
	edid[9] = 0xae;
	edid[10] = 0x01;	/* product */
	edid[16] = 1;		/* week */
	edid[17] = 36;		/* 2026 */
	edid[18] = 1;		/* version 1.4 */
	edid[19] = 4;
	edid[20] = 0xa5;	/* digital, 8 bpc, DisplayPort */
	edid[21] = 54;		/* cm */
	edid[22] = 30;
	edid[23] = 120;		/* gamma 2.2 */
	edid[24] = 0x06;	/* RGB 4:4:4, sRGB, preferred timing native */
	for (i = 0; i < 8; i++) {	/* no standard timings */
		edid[38 + 2 * i] = 1;
		edid[39 + 2 * i] = 1;
	}
	for (i = 0; i < 4; i++) {
		if (i < count)
			sim_edid_dtd(edid + 54 + 18 * i, &timings[i]);
		else
			edid[54 + 18 * i + 3] = 0x10;	/* dummy descriptor */
	}
	for (i = 0; i < 127; i++)
		sum += edid[i];
	edid[127] = -sum;
	return 128;
}

/* ------------------------------------------------------------------ */
/* xenbus: watches, bus, driver registration */

struct sim_watch_event {
	struct list_head link;
	struct xdf_sim_dev *sdev;
};

static void sim_watch_fn(struct work_struct *work);
static DECLARE_WORK(sim_watch_work, sim_watch_fn);

/* Queues one otherend_changed call; bus_lock held. */
static void sim_watch_queue(struct xdf_sim_dev *sdev)
{
	struct sim_watch_event *ev;

	ev = kmalloc(sizeof(*ev), GFP_ATOMIC);
	if (!ev)
		return;
	ev->sdev = sdev;
	get_device(&sdev->xb.dev);
	list_add_tail(&ev->link, &sim_watch_events);
	sim_queue(sim_watch_wq, &sim_watch_work);
}

static void sim_otherend_changed(struct xdf_sim_dev *sdev)
{
	struct xenbus_driver *drv;
	bool watching;

	spin_lock(&bus_lock);
	watching = sdev->watching;
	spin_unlock(&bus_lock);
	if (!watching)
		return;
	drv = to_xenbus_driver(sdev->xb.dev.driver);
	if (drv->otherend_changed)
		drv->otherend_changed(&sdev->xb,
				      sim_read_state(sdev->be_state_path));
}

/* The xenwatch thread: one event at a time, in order. */
static void sim_watch_fn(struct work_struct *work)
{
	struct sim_watch_event *ev;

	for (;;) {
		spin_lock(&bus_lock);
		ev = list_first_entry_or_null(&sim_watch_events,
					      struct sim_watch_event, link);
		if (ev)
			list_del(&ev->link);
		spin_unlock(&bus_lock);
		if (!ev)
			return;
		mutex_lock(&sim_xenwatch_mutex);
		sim_otherend_changed(ev->sdev);
		mutex_unlock(&sim_xenwatch_mutex);
		put_device(&ev->sdev->xb.dev);
		kfree(ev);
	}
}

/* Unregisters the otherend watch: no otherend_changed call after return. */
static void sim_watch_stop(struct xdf_sim_dev *sdev)
{
	struct sim_watch_event *ev, *tmp;
	LIST_HEAD(purged);

	spin_lock(&bus_lock);
	sdev->watching = false;
	list_for_each_entry_safe(ev, tmp, &sim_watch_events, link)
		if (ev->sdev == sdev)
			list_move_tail(&ev->link, &purged);
	spin_unlock(&bus_lock);

	/* Wait for a callback in flight. */
	mutex_lock(&sim_xenwatch_mutex);
	mutex_unlock(&sim_xenwatch_mutex);

	list_for_each_entry_safe(ev, tmp, &purged, link) {
		put_device(&ev->sdev->xb.dev);
		kfree(ev);
	}
}

static const struct xenbus_device_id *
sim_match_id(struct xenbus_driver *drv, struct xenbus_device *xb)
{
	const struct xenbus_device_id *id;

	for (id = drv->ids; id && id->devicetype[0]; id++)
		if (!strcmp(id->devicetype, xb->devicetype))
			return id;
	return NULL;
}

static int sim_bus_match(struct device *dev, struct device_driver *drv)
{
	return !!sim_match_id(to_xenbus_driver(drv), to_xenbus_device(dev));
}

static int sim_bus_probe(struct device *dev)
{
	struct xenbus_driver *drv = to_xenbus_driver(dev->driver);
	struct xenbus_device *xb = to_xenbus_device(dev);
	struct xdf_sim_dev *sdev = to_sim_dev(xb);
	int err;

	if (!drv->probe)
		return -ENODEV;
	err = drv->probe(xb, sim_match_id(drv, xb));
	if (err)
		return err;
	/* Registering a watch fires it once. */
	spin_lock(&bus_lock);
	sdev->watching = true;
	sim_watch_queue(sdev);
	spin_unlock(&bus_lock);
	return 0;
}

static void sim_bus_remove(struct device *dev)
{
	struct xenbus_driver *drv = to_xenbus_driver(dev->driver);
	struct xenbus_device *xb = to_xenbus_device(dev);

	sim_watch_stop(to_sim_dev(xb));
	if (drv->remove)
		drv->remove(xb);
	if (!drv->allow_rebind ||
	    sim_read_state(to_sim_dev(xb)->fe_state_path) == XenbusStateClosing)
		xdf_xen_switch_state(xb, XenbusStateClosed);
}

static struct bus_type sim_bus = {
	.name = "xdf_sim_xen",
	.match = sim_bus_match,
	.probe = sim_bus_probe,
	.remove = sim_bus_remove,
};

/* Sets up the bus and workqueues on first use (the driver's init runs first). */
static int sim_init(void)
{
	int err = 0;

	mutex_lock(&sim_init_lock);
	if (sim_ready)
		goto out;
	sim_watch_wq = alloc_ordered_workqueue("xdf_sim_xenwatch", 0);
	sim_be_wq = alloc_ordered_workqueue("xdf_sim_backend", 0);
	sim_irq_wq = alloc_workqueue("xdf_sim_irq", WQ_HIGHPRI, 0);
	if (!sim_watch_wq || !sim_be_wq || !sim_irq_wq)
		err = -ENOMEM;
	if (!err)
		err = bus_register(&sim_bus);
	if (err) {
		if (sim_watch_wq)
			destroy_workqueue(sim_watch_wq);
		if (sim_be_wq)
			destroy_workqueue(sim_be_wq);
		if (sim_irq_wq)
			destroy_workqueue(sim_irq_wq);
		sim_watch_wq = NULL;
		sim_be_wq = NULL;
		sim_irq_wq = NULL;
		goto out;
	}
	sim_ready = true;
out:
	mutex_unlock(&sim_init_lock);
	return err;
}

int xdf_xen_platform_check(void)
{
	return 0;
}

int xdf_xen_register_driver(struct xenbus_driver *drv)
{
	int err = sim_init();

	if (err)
		return err;
	drv->driver.name = drv->name ?: drv->ids[0].devicetype;
	drv->driver.bus = &sim_bus;
	drv->driver.owner = THIS_MODULE;
	return driver_register(&drv->driver);
}

/* Undoes sim_init() once the driver is gone (module unload). */
static void sim_exit(void)
{
	mutex_lock(&sim_init_lock);
	if (sim_ready && !WARN_ON(!list_empty(&sim_devs))) {
		bus_unregister(&sim_bus);
		destroy_workqueue(sim_watch_wq);
		destroy_workqueue(sim_be_wq);
		destroy_workqueue(sim_irq_wq);
		sim_ready = false;
	}
	mutex_unlock(&sim_init_lock);
}

void xdf_xen_unregister_driver(struct xenbus_driver *drv)
{
	driver_unregister(&drv->driver);
	sim_exit();
}

int xdf_xen_switch_state(struct xenbus_device *xb_dev, enum xenbus_state state)
{
	char value[12];
	int err;

	if (state == xb_dev->state)
		return 0;
	snprintf(value, sizeof(value), "%d", state);
	err = sim_xs_put(xb_dev->nodename, "state", value);
	if (!err)
		xb_dev->state = state;
	return err;
}

void xdf_xen_dev_fatal(struct xenbus_device *xb_dev, int err, const char *what)
{
	struct xdf_sim_dev *sdev = to_sim_dev(xb_dev);
	char *dir, *msg;

	dev_err(&xb_dev->dev, "%i %s\n", -err, what);
	spin_lock(&bus_lock);
	sdev->fatal_count++;
	sdev->fatal_err = err;
	strscpy(sdev->fatal_what, what, sizeof(sdev->fatal_what));
	spin_unlock(&bus_lock);

	dir = kasprintf(GFP_KERNEL, "error/%s", xb_dev->nodename);
	msg = kasprintf(GFP_KERNEL, "%i %s", -err, what);
	if (dir && msg)
		sim_xs_put(dir, "error", msg);
	kfree(dir);
	kfree(msg);
	xdf_xen_switch_state(xb_dev, XenbusStateClosing);
}

/* ------------------------------------------------------------------ */
/* Devices */

static void sim_dev_release(struct device *dev)
{
	unsigned long flags;

	kfree(to_sim_dev(to_xenbus_device(dev)));
	spin_lock_irqsave(&hv_lock, flags);
	hv.devices--;
	spin_unlock_irqrestore(&hv_lock, flags);
	wake_up_all(&sim_waitq);
}

static int sim_dev_write_nodes(struct xdf_sim_dev *sdev,
			       const struct xdf_sim_config *cfg)
{
	char node[32], value[12];
	unsigned int i;
	int err;

	snprintf(value, sizeof(value), "%d",
		 cfg->backend_state ?: XenbusStateInitWait);
	err = sim_xs_put(sdev->fe_path, "backend", sdev->be_dir) ?:
	      sim_xs_put(sdev->fe_path, "backend-id", "0") ?:
	      sim_xs_put(sdev->fe_path, "state", "1") ?:
	      sim_xs_put(sdev->be_dir, "frontend", sdev->fe_path) ?:
	      sim_xs_put(sdev->be_dir, "frontend-id", "1") ?:
	      sim_xs_put(sdev->be_dir, "online", "1") ?:
	      sim_xs_put(sdev->be_dir, "state", value);
	if (!err && cfg->be_alloc)
		err = sim_xs_put(sdev->fe_path, XENDISPL_FIELD_BE_ALLOC,
				 cfg->be_alloc);
	if (!err && cfg->versions)
		err = sim_xs_put(sdev->be_dir, XENDISPL_FIELD_BE_VERSIONS,
				 cfg->versions);
	if (!err && !cfg->no_fb_viewport)
		err = sim_xs_put(sdev->be_dir, XENDISPL_FIELD_BE_FB_VIEWPORT, "1");
	for (i = 0; !err && i < cfg->num_connectors; i++) {
		snprintf(node, sizeof(node), "%u/" XENDISPL_FIELD_RESOLUTION, i);
		if (cfg->connectors[i].resolution)
			err = sim_xs_put(sdev->fe_path, node,
					 cfg->connectors[i].resolution);
		snprintf(node, sizeof(node), "%u/" XENDISPL_FIELD_UNIQUE_ID, i);
		if (!err && cfg->connectors[i].unique_id)
			err = sim_xs_put(sdev->fe_path, node,
					 cfg->connectors[i].unique_id);
	}
	return err;
}

static void sim_dev_remove_nodes(struct xdf_sim_dev *sdev)
{
	char path[80];

	snprintf(path, sizeof(path), SIM_FRONT_PREFIX "error/%s", sdev->fe_dir);
	xdf_sim_xs_rm(path);
	xdf_sim_xs_rm(sdev->fe_path);
	xdf_sim_xs_rm(sdev->be_dir);
}

static void sim_dev_init(struct xdf_sim_dev *sdev,
			 const struct xdf_sim_config *cfg)
{
	unsigned long flags;
	struct sim_be_conn *c;
	unsigned int i;

	snprintf(sdev->fe_dir, sizeof(sdev->fe_dir), "device/vdispl/%u",
		 cfg->id);
	snprintf(sdev->fe_path, sizeof(sdev->fe_path), SIM_FRONT_PREFIX "%s",
		 sdev->fe_dir);
	snprintf(sdev->be_dir, sizeof(sdev->be_dir),
		 "/local/domain/0/backend/vdispl/1/%u", cfg->id);
	snprintf(sdev->fe_state_path, sizeof(sdev->fe_state_path), "%s/state",
		 sdev->fe_path);
	snprintf(sdev->be_state_path, sizeof(sdev->be_state_path), "%s/state",
		 sdev->be_dir);
	sdev->fe_state = XenbusStateInitialising;
	mutex_init(&sdev->be_lock);
	INIT_WORK(&sdev->be_state_work, sim_be_state_fn);
	sdev->be_hold = cfg->hold;
	sdev->be_num_connectors = cfg->num_connectors;
	sdev->be_alloc_allowed = cfg->be_alloc && !strcmp(cfg->be_alloc, "1");
	sdev->fb_viewport = !cfg->no_fb_viewport;
	INIT_LIST_HEAD(&sdev->dbufs);
	INIT_LIST_HEAD(&sdev->fbs);
	for (i = 0; i < XDF_SIM_MAX_CONNECTORS; i++) {
		c = &sdev->conns[i];
		c->sdev = sdev;
		c->idx = i;
		INIT_WORK(&c->req_work, sim_be_req_fn);
		INIT_DELAYED_WORK(&c->delay_work, sim_be_delay_fn);
	}

	sdev->xb.devicetype = cfg->devicetype ?: XENDISPL_DRIVER_NAME;
	sdev->xb.nodename = sdev->fe_dir;
	sdev->xb.otherend = sdev->be_dir;
	sdev->xb.otherend_id = XDF_SIM_BACK_DOMID;
	sdev->xb.state = XenbusStateInitialising;
	init_completion(&sdev->xb.down);
	device_initialize(&sdev->xb.dev);
	sdev->xb.dev.bus = &sim_bus;
	sdev->xb.dev.release = sim_dev_release;
	spin_lock_irqsave(&hv_lock, flags);
	hv.devices++;
	spin_unlock_irqrestore(&hv_lock, flags);
}

/**
 * xdf_sim_dev_add() - create a vdispl device as the toolstack does
 * @cfg: its XenStore configuration and backend behaviour
 *
 * Writes the frontend and backend XenStore directories, then registers
 * the xenbus device: the driver's probe runs before this returns, and its
 * otherend_changed follows on the xenwatch workqueue.
 *
 * Return: the device, or an ERR_PTR().
 */
struct xdf_sim_dev *xdf_sim_dev_add(const struct xdf_sim_config *cfg)
{
	struct xdf_sim_dev *sdev;
	int err;

	err = sim_init();
	if (err)
		return ERR_PTR(err);
	if (cfg->num_connectors > XDF_SIM_MAX_CONNECTORS)
		return ERR_PTR(-EINVAL);
	sdev = kzalloc(sizeof(*sdev), GFP_KERNEL);
	if (!sdev)
		return ERR_PTR(-ENOMEM);
	sim_dev_init(sdev, cfg);

	err = sim_dev_write_nodes(sdev, cfg) ?:
	      dev_set_name(&sdev->xb.dev, "vdispl-%u", cfg->id) ?:
	      dma_coerce_mask_and_coherent(&sdev->xb.dev, DMA_BIT_MASK(64));
	if (err)
		goto err_put;

	spin_lock(&bus_lock);
	list_add_tail(&sdev->link, &sim_devs);
	sdev->be_alive = true;
	spin_unlock(&bus_lock);

	err = device_add(&sdev->xb.dev);
	if (err)
		goto err_unlist;
	return sdev;

err_unlist:
	spin_lock(&bus_lock);
	list_del(&sdev->link);
	sdev->be_alive = false;
	spin_unlock(&bus_lock);
	cancel_work_sync(&sdev->be_state_work);
err_put:
	sim_dev_remove_nodes(sdev);
	put_device(&sdev->xb.dev);
	return ERR_PTR(err);
}

/**
 * xdf_sim_dev_remove() - remove a device created by xdf_sim_dev_add()
 * @sdev: the device
 *
 * Like the xenbus core: no otherend_changed call after this starts, the
 * driver's remove runs, the frontend switches to Closed; then the backend
 * unmaps and unbinds whatever it still holds and the XenStore nodes go.
 */
void xdf_sim_dev_remove(struct xdf_sim_dev *sdev)
{
	unsigned int i;

	device_del(&sdev->xb.dev);
	sim_watch_stop(sdev);

	spin_lock(&bus_lock);
	sdev->be_alive = false;
	list_del(&sdev->link);
	spin_unlock(&bus_lock);
	cancel_work_sync(&sdev->be_state_work);

	mutex_lock(&sdev->be_lock);
	sdev->keep_dbufs = false;
	sim_be_disconnect(sdev);
	mutex_unlock(&sdev->be_lock);
	for (i = 0; i < XDF_SIM_MAX_CONNECTORS; i++) {
		cancel_work_sync(&sdev->conns[i].req_work);
		cancel_delayed_work_sync(&sdev->conns[i].delay_work);
		kfree(sdev->conns[i].reqs);
		kfree(sdev->conns[i].edid);
	}

	sim_dev_remove_nodes(sdev);
	put_device(&sdev->xb.dev);
}

/**
 * xdf_sim_dev_unbind_driver() - unbind the driver, as sysfs unbind does
 * @sdev: the device
 *
 * Return: 0.
 */
int xdf_sim_dev_unbind_driver(struct xdf_sim_dev *sdev)
{
	device_release_driver(&sdev->xb.dev);
	return 0;
}

/**
 * xdf_sim_dev_bind_driver() - bind the driver again after an unbind
 * @sdev: the device
 *
 * Return: 0 if the driver's probe succeeded, else a negative errno.
 */
int xdf_sim_dev_bind_driver(struct xdf_sim_dev *sdev)
{
	int ret = device_attach(&sdev->xb.dev);

	if (ret == 1)
		return 0;
	return ret < 0 ? ret : -ENODEV;
}

/**
 * xdf_sim_dev_xb() - the device's xenbus device
 * @sdev: the device
 *
 * Return: the &struct xenbus_device the driver was probed with.
 */
struct xenbus_device *xdf_sim_dev_xb(struct xdf_sim_dev *sdev)
{
	return &sdev->xb;
}

/**
 * xdf_sim_dev_frontend_dir() - the frontend's XenStore directory
 * @sdev: the device
 *
 * Return: the absolute path, e.g. "/local/domain/1/device/vdispl/0".
 */
const char *xdf_sim_dev_frontend_dir(struct xdf_sim_dev *sdev)
{
	return sdev->fe_path;
}

/**
 * xdf_sim_dev_backend_dir() - the backend's XenStore directory
 * @sdev: the device
 *
 * Return: the absolute path, e.g. "/local/domain/0/backend/vdispl/1/0".
 */
const char *xdf_sim_dev_backend_dir(struct xdf_sim_dev *sdev)
{
	return sdev->be_dir;
}

/**
 * xdf_sim_frontend_state() - the frontend's state as XenStore shows it
 * @sdev: the device
 *
 * Return: the value of the frontend's "state" node.
 */
enum xenbus_state xdf_sim_frontend_state(struct xdf_sim_dev *sdev)
{
	enum xenbus_state state;

	spin_lock(&bus_lock);
	state = sdev->fe_state;
	spin_unlock(&bus_lock);
	return state;
}

/**
 * xdf_sim_wait_frontend_state() - wait for the frontend to reach a state
 * @sdev: the device
 * @state: the state to wait for
 * @timeout_ms: how long to wait
 *
 * Return: true if the frontend's "state" node holds @state in time.
 */
bool xdf_sim_wait_frontend_state(struct xdf_sim_dev *sdev,
				 enum xenbus_state state,
				 unsigned int timeout_ms)
{
	return wait_event_timeout(sim_waitq,
				  xdf_sim_frontend_state(sdev) == state,
				  msecs_to_jiffies(timeout_ms)) > 0;
}

/**
 * xdf_sim_dev_fatal_count() - fatal errors the driver reported
 * @sdev: the device
 *
 * Return: the number of xdf_xen_dev_fatal() calls for @sdev.
 */
unsigned int xdf_sim_dev_fatal_count(struct xdf_sim_dev *sdev)
{
	unsigned int n;

	spin_lock(&bus_lock);
	n = sdev->fatal_count;
	spin_unlock(&bus_lock);
	return n;
}

/**
 * xdf_sim_dev_fatal_err() - the last fatal error the driver reported
 * @sdev: the device
 * @what: filled with its message, may be NULL
 * @size: size of @what
 *
 * Return: the negative errno of the last xdf_xen_dev_fatal(), 0 if none.
 */
int xdf_sim_dev_fatal_err(struct xdf_sim_dev *sdev, char *what, size_t size)
{
	int err;

	spin_lock(&bus_lock);
	err = sdev->fatal_err;
	if (what)
		strscpy(what, sdev->fatal_what, size);
	spin_unlock(&bus_lock);
	return err;
}

/**
 * xdf_sim_settle() - wait until the simulation has nothing left to do
 *
 * Flushes the xenwatch, backend and interrupt workqueues until no work was
 * queued during a round (delayed backend answers are not waited for).
 */
void xdf_sim_settle(void)
{
	unsigned int round;
	int gen;

	if (!sim_ready)
		return;
	for (round = 0; round < 100; round++) {
		gen = atomic_read(&sim_activity);
		flush_workqueue(sim_watch_wq);
		flush_workqueue(sim_be_wq);
		flush_workqueue(sim_irq_wq);
		if (gen == atomic_read(&sim_activity))
			return;
	}
	pr_warn("xdf_sim: still busy after %u rounds\n", round);
}

/* ------------------------------------------------------------------ */
/* Counters */

static bool sim_pte_scan_one(void);

/**
 * xdf_sim_get_counters() - snapshot of the simulation's resources
 * @c: filled with the counters
 */
void xdf_sim_get_counters(struct xdf_sim_counters *c)
{
	unsigned long flags;
	unsigned int transactions = 0;
	struct xs_txn *txn;

	mutex_lock(&xs_lock);
	list_for_each_entry(txn, &xs_txns, link)
		transactions++;
	mutex_unlock(&xs_lock);

	/* Entries the kernel changed since the last look leaked. */
	while (sim_pte_scan_one())
		;
	spin_lock_irqsave(&hv_lock, flags);
	*c = hv;
	spin_unlock_irqrestore(&hv_lock, flags);
	c->transactions = transactions;
}

static void sim_ptes_forget_unused(void);

/**
 * xdf_sim_reset() - clear injected faults, statistics, misuse and leak
 *		     counts
 *
 * For a suite's init; resources are not touched.
 */
void xdf_sim_reset(void)
{
	unsigned long flags;

	sim_ptes_forget_unused();

	mutex_lock(&xs_lock);
	memset(&xs_faults, 0, sizeof(xs_faults));
	memset(&xs_stats, 0, sizeof(xs_stats));
	mutex_unlock(&xs_lock);

	spin_lock_irqsave(&hv_lock, flags);
	hv_grant_budget = -1;
	hv_grant_runs = true;
	hv_evtchn_budget = -1;
	hv_fmap_budget = -1;
	hv_fpages_budget = -1;
	hv_pv = false;
	hv.misuse = 0;
	hv.pte_leaks = 0;
	spin_unlock_irqrestore(&hv_lock, flags);
}

/* How long a removed device's last reference may lag behind its removal. */
#define SIM_RELEASE_WAIT_MS	5000

static unsigned int sim_devices(void)
{
	unsigned long flags;
	unsigned int n;

	spin_lock_irqsave(&hv_lock, flags);
	n = hv.devices;
	spin_unlock_irqrestore(&hv_lock, flags);
	return n;
}

/**
 * xdf_sim_expect_clean() - expect nothing left alive in the simulated Xen
 * @test: the test
 *
 * Settles the simulation and waits for removed devices to be released,
 * then expects no device left and zero grants (deferred included),
 * ring pages, event channels, backend mappings and bindings, foreign pages
 * and mappings (at page table entries included), grants the kernel left
 * mapped at entries it changed, backend grants and display
 * buffers, open transactions and misuses. For every suite's exit, after
 * the device was removed.
 */
void xdf_sim_expect_clean(struct kunit *test)
{
	unsigned long start = jiffies;
	struct xdf_sim_counters c;

	xdf_sim_settle();
	/*
	 * DRM may drop the last reference to a removed device from its own
	 * workers (a nonblocking commit's cleanup, say): what the device
	 * still holds goes with its release, which ends with our device.
	 */
	if (!wait_event_timeout(sim_waitq, sim_devices() == 0,
				msecs_to_jiffies(SIM_RELEASE_WAIT_MS)))
		pr_warn("xdf_sim: a removed device still referenced after %u ms\n",
			SIM_RELEASE_WAIT_MS);
	else if (time_after(jiffies, start + 1))
		pr_info("xdf_sim: last reference to a removed device dropped %u ms late\n",
			jiffies_to_msecs(jiffies - start));
	xdf_sim_settle();
	/*
	 * Grants the backend mapped until it went are ended by the frontend
	 * on its own, retrying every 100 ms: give it a few tries.
	 */
	for (start = jiffies; time_before(jiffies, start + HZ); msleep(20)) {
		xdf_sim_get_counters(&c);
		if (!c.grants)
			break;
	}
	xdf_sim_get_counters(&c);
	KUNIT_EXPECT_EQ_MSG(test, c.devices, 0u, "devices not released");
	KUNIT_EXPECT_EQ_MSG(test, c.grants, 0u, "live grants");
	KUNIT_EXPECT_EQ_MSG(test, c.deferred, 0u, "deferred grants");
	KUNIT_EXPECT_EQ_MSG(test, c.ring_pages, 0u, "ring pages");
	KUNIT_EXPECT_EQ_MSG(test, c.channels, 0u, "event channels");
	KUNIT_EXPECT_EQ_MSG(test, c.backend_maps, 0u, "backend mappings");
	KUNIT_EXPECT_EQ_MSG(test, c.backend_binds, 0u, "backend bindings");
	KUNIT_EXPECT_EQ_MSG(test, c.foreign_pages, 0u, "foreign pages");
	KUNIT_EXPECT_EQ_MSG(test, c.foreign_maps, 0u, "mapped foreign pages");
	KUNIT_EXPECT_EQ_MSG(test, c.user_maps, 0u, "foreign pages mapped to user space");
	KUNIT_EXPECT_EQ_MSG(test, c.kernel_maps, 0u, "foreign pages mapped into kernel areas");
	KUNIT_EXPECT_EQ_MSG(test, c.pte_leaks, 0u,
			    "grants left mapped at entries the kernel changed");
	KUNIT_EXPECT_EQ_MSG(test, c.backend_grants, 0u, "backend grants");
	KUNIT_EXPECT_EQ_MSG(test, c.backend_deferred, 0u,
			    "backend grants revoked, still mapped by the frontend");
	KUNIT_EXPECT_EQ_MSG(test, c.backend_dbufs, 0u, "backend display buffers");
	KUNIT_EXPECT_EQ_MSG(test, c.transactions, 0u, "open transactions");
	KUNIT_EXPECT_EQ_MSG(test, c.misuse, 0u, "contract violations");
}

/* ------------------------------------------------------------------ */
/* Backend pages mapped into user space */

/**
 * xdf_sim_set_pv() - make the simulated guest a PV guest or not
 * @pv: backend pages cannot be mapped to user space as ordinary pages, so
 *	the frontend must have Xen write the page table entries
 *	(xdf_xen_pte_map()); false after xdf_sim_reset()
 */
void xdf_sim_set_pv(bool pv)
{
	unsigned long flags;

	spin_lock_irqsave(&hv_lock, flags);
	hv_pv = pv;
	spin_unlock_irqrestore(&hv_lock, flags);
}

/**
 * xdf_xen_foreign_user_mappable() - whether the simulated guest is PV
 *
 * Return: false after xdf_sim_set_pv(true); otherwise true, the backend's
 * pages are ordinary pages.
 */
bool xdf_xen_foreign_user_mappable(void)
{
	unsigned long flags;
	bool pv;

	spin_lock_irqsave(&hv_lock, flags);
	pv = hv_pv;
	spin_unlock_irqrestore(&hv_lock, flags);
	return !pv;
}

/* ------------------------------------------------------------------ */
/* Backend pages mapped at page table entries (PV guests) */

/*
 * Xen writes such entries itself, given their machine address: here the
 * entry's kernel address. UML's page tables are ordinary memory, so the
 * simulation writes the entry with the backend page's frame, and user
 * space really reads the backend's bytes. As Xen, it maps only at an
 * entry of a live page table, only grants the frontend maps in the kernel
 * (a check of the simulation), and unmaps only a known handle whose entry
 * still holds the grant as written. An entry the kernel cleared or
 * changed itself (munmap, mprotect, mremap without the frontend unmapping
 * first) would leave the grant mapped for good under real Xen: such leaks
 * are counted and logged, then forgotten so that the simulation goes on.
 */

/* An entry the frontend asked the machine address of. */
struct sim_pte {
	unsigned long addr;	/* the address it maps */
	u32 handle;		/* the grant mapping written into it, or 0 */
};

/* A grant mapped at an entry, by handle. */
struct sim_pte_map {
	pte_t *pte;
	struct sim_be_grant *g;
	bool user;
	pte_t val;		/* as written */
};

static DEFINE_XARRAY(sim_ptes);			/* by entry address */
static DEFINE_XARRAY_ALLOC1(sim_pte_maps);	/* by handle */

/* Bits of an entry that only UML's host mappings and the MMU change. */
#define SIM_PTE_VOLATILE	(_PAGE_NEWPAGE | _PAGE_NEWPROT | _PAGE_ACCESSED | \
				 _PAGE_DIRTY)

/* Does the entry still hold what Xen wrote? hv_lock held. */
static bool sim_pte_intact(struct sim_pte_map *m)
{
	/* A freed user page table: the kernel tore the entry down. */
	if (m->user && !PageTable(virt_to_page(m->pte)))
		return false;
	return !((pte_val(*m->pte) ^ pte_val(m->val)) & ~SIM_PTE_VOLATILE);
}

/*
 * Forgets mapping @handle: returns a revoked grant to free once hv_lock,
 * held, is dropped, or NULL.
 */
static struct sim_be_grant *sim_pte_forget(u32 handle, struct sim_pte_map *m)
{
	struct sim_be_grant *g = m->g;
	struct sim_pte *ent;

	xa_erase(&sim_pte_maps, handle);
	ent = xa_load(&sim_ptes, (unsigned long)m->pte);
	if (ent && ent->handle == handle)
		ent->handle = 0;
	g->maps--;
	if (m->user) {
		g->umaps--;
		hv.user_maps--;
	} else {
		g->vmaps--;
		hv.kernel_maps--;
	}
	if (g->maps || !g->ended)
		return NULL;
	sim_be_grant_erase(g);
	hv.backend_grants--;
	hv.backend_deferred--;
	return g;
}

static void sim_be_grant_free(struct sim_be_grant *g)
{
	if (g) {
		__free_page(g->page);
		kfree(g);
	}
}

/* Counts the leak of mapping @handle and forgets it; hv_lock held. */
static struct sim_be_grant *sim_pte_leak(u32 handle, struct sim_pte_map *m)
{
	hv.pte_leaks++;
	pr_err("xdf_sim: grant %u mapped at the entry of %s address %#lx: the kernel changed the entry without Xen, the grant stays mapped\n",
	       m->g->ref, m->user ? "user" : "kernel",
	       ((struct sim_pte *)xa_load(&sim_ptes, (unsigned long)m->pte))->addr);
	return sim_pte_forget(handle, m);
}

/* Finds one leaked mapping, counts and forgets it: false if none. */
static bool sim_pte_scan_one(void)
{
	struct sim_be_grant *gone = NULL;
	struct sim_pte_map *m, *leaked = NULL;
	unsigned long handle, flags;
	bool found;

	spin_lock_irqsave(&hv_lock, flags);
	xa_for_each(&sim_pte_maps, handle, m) {
		if (!sim_pte_intact(m)) {
			leaked = m;
			gone = sim_pte_leak(handle, m);
			break;
		}
	}
	spin_unlock_irqrestore(&hv_lock, flags);
	found = leaked;
	sim_be_grant_free(gone);
	kfree(leaked);
	return found;
}

/* The kernel's page table entry of @addr, or NULL. */
static pte_t *sim_kernel_pte(unsigned long addr)
{
	pgd_t *pgd;
	p4d_t *p4d;
	pud_t *pud;
	pmd_t *pmd;

	if (addr < VMALLOC_START || addr >= VMALLOC_END)
		return NULL;
	pgd = pgd_offset_k(addr);
	if (pgd_none(*pgd))
		return NULL;
	p4d = p4d_offset(pgd, addr);
	if (p4d_none(*p4d))
		return NULL;
	pud = pud_offset(p4d, addr);
	if (pud_none(*pud))
		return NULL;
	pmd = pmd_offset(pud, addr);
	if (pmd_none(*pmd))
		return NULL;
	return pte_offset_kernel(pmd, addr);
}

int xdf_xen_kernel_pte_maddr(unsigned long addr, u64 *maddr)
{
	pte_t *pte = sim_kernel_pte(addr);

	if (!pte) {
		sim_misuse("no kernel page table entry for %#lx", addr);
		return -EFAULT;
	}
	return xdf_xen_pte_maddr(pte, addr, maddr);
}

int xdf_xen_pte_maddr(pte_t *pte, unsigned long addr, u64 *maddr)
{
	struct sim_pte *ent, *old;
	unsigned long flags;
	int err = 0;

	if (!READ_ONCE(hv_pv)) {
		sim_misuse("address of the entry of %#lx asked outside a PV guest",
			   addr);
		return -EOPNOTSUPP;
	}
	/* Called under the page table lock. */
	ent = kzalloc(sizeof(*ent), GFP_ATOMIC);
	if (!ent)
		return -ENOMEM;
	ent->addr = addr;

	spin_lock_irqsave(&hv_lock, flags);
	old = xa_load(&sim_ptes, (unsigned long)pte);
	if (old) {
		old->addr = addr;
	} else {
		err = xa_err(xa_store(&sim_ptes, (unsigned long)pte, ent,
				      GFP_ATOMIC));
		if (!err)
			ent = NULL;
	}
	spin_unlock_irqrestore(&hv_lock, flags);
	kfree(ent);
	if (!err)
		*maddr = (unsigned long)pte;
	return err;
}

/* Is @ent at @pte an entry of a live page table? hv_lock held. */
static bool sim_pte_valid(pte_t *pte, struct sim_pte *ent, bool user)
{
	if (user)
		return ent->addr < TASK_SIZE && PageTable(virt_to_page(pte));
	/* UML does not mark kernel page tables: walk them. */
	return sim_kernel_pte(ent->addr) == pte;
}

/* Xen's GNTTABOP_map_grant_ref with GNTMAP_contains_pte, for one grant. */
static s16 sim_pte_map_one(grant_ref_t ref, u64 maddr, unsigned int flags,
			   grant_handle_t *handle)
{
	bool user = flags & XDF_XEN_PTE_USER;
	pte_t *pte = (pte_t *)(unsigned long)maddr;
	struct sim_be_grant *g, *gone = NULL;
	struct sim_pte_map *m, *old = NULL;
	const char *bad = NULL;
	unsigned long irqflags;
	struct sim_pte *ent;
	s16 st = GNTST_okay;
	pgprot_t prot;
	u32 h = 0;

	*handle = INVALID_GRANT_HANDLE;
	/* Xen allocates nothing of the guest's; this runs under its locks. */
	m = kzalloc(sizeof(*m), GFP_ATOMIC);
	if (!m)
		return GNTST_no_device_space;

	spin_lock_irqsave(&hv_lock, irqflags);
	ent = xa_load(&sim_ptes, (unsigned long)pte);
	g = xa_load(&sim_be_grants, ref);
	if (!ent || !sim_pte_valid(pte, ent, user)) {
		bad = "not a page table entry";
		st = GNTST_general_error;
	} else if (!g || g->ended) {
		st = GNTST_bad_gntref;
	} else if (sim_budget_exhausted(&hv_fmap_budget)) {
		st = GNTST_general_error;
	} else if (!g->kmaps) {
		bad = "grant not mapped in the kernel";
		st = GNTST_general_error;
	} else if (ent->handle) {
		old = xa_load(&sim_pte_maps, ent->handle);
		if (sim_pte_intact(old)) {
			bad = "entry holds a grant already";
			st = GNTST_general_error;
			old = NULL;
		} else {
			gone = sim_pte_leak(ent->handle, old);
		}
	}
	if (st == GNTST_okay &&
	    xa_alloc(&sim_pte_maps, &h, m, XA_LIMIT(1, 0xfffe), GFP_ATOMIC))
		st = GNTST_no_device_space;
	if (st == GNTST_okay) {
		if (user)
			prot = flags & XDF_XEN_PTE_READONLY ? PAGE_READONLY :
							      PAGE_SHARED;
		else
			prot = PAGE_KERNEL;
		m->pte = pte;
		m->g = g;
		m->user = user;
		/* Special, as Xen marks it: no struct page for the kernel. */
		set_pte(pte, pte_mkspecial(pte_mkdirty(mk_pte(g->page, prot))));
		m->val = *pte;
		ent->handle = h;
		g->maps++;
		if (user) {
			g->umaps++;
			hv.user_maps++;
		} else {
			g->vmaps++;
			hv.kernel_maps++;
		}
		*handle = h;
		m = NULL;
	}
	spin_unlock_irqrestore(&hv_lock, irqflags);
	if (st == GNTST_okay && !user)
		flush_tlb_kernel_range(ent->addr, ent->addr + PAGE_SIZE);
	if (bad)
		sim_misuse("mapping grant %u at entry %#llx: %s", ref, maddr, bad);
	kfree(m);
	kfree(old);
	sim_be_grant_free(gone);
	return st;
}

int xdf_xen_pte_map(domid_t domid, const grant_ref_t *refs, const u64 *ptes,
		    unsigned int count, unsigned int flags,
		    grant_handle_t *handles, s16 *status)
{
	unsigned int i;

	if (count > XDF_XEN_PTE_BATCH) {
		sim_misuse("batch of %u grants to map", count);
		return -EINVAL;
	}
	for (i = 0; i < count; i++) {
		if (domid != XDF_SIM_BACK_DOMID) {
			handles[i] = INVALID_GRANT_HANDLE;
			status[i] = GNTST_bad_domain;
			continue;
		}
		status[i] = sim_pte_map_one(refs[i], ptes[i], flags, &handles[i]);
	}
	return 0;
}

/* Xen's GNTTABOP_unmap_grant_ref with GNTMAP_contains_pte, for one. */
static s16 sim_pte_unmap_one(u64 maddr, grant_handle_t handle)
{
	pte_t *pte = (pte_t *)(unsigned long)maddr;
	struct sim_be_grant *gone = NULL;
	unsigned long addr = 0, flags;
	struct sim_pte_map *m;
	const char *bad = NULL;
	s16 st = GNTST_okay;

	spin_lock_irqsave(&hv_lock, flags);
	m = xa_load(&sim_pte_maps, handle);
	if (!m) {
		bad = "unknown handle";
		st = GNTST_bad_handle;
	} else if (m->pte != pte) {
		bad = "another entry than the handle's";
		st = GNTST_general_error;
		m = NULL;
	} else if (!sim_pte_intact(m)) {
		gone = sim_pte_leak(handle, m);
		st = GNTST_general_error;
	} else {
		addr = ((struct sim_pte *)xa_load(&sim_ptes, maddr))->addr;
		pte_clear(&init_mm, addr, pte);
		gone = sim_pte_forget(handle, m);
	}
	spin_unlock_irqrestore(&hv_lock, flags);
	if (st == GNTST_okay && !m->user)
		flush_tlb_kernel_range(addr, addr + PAGE_SIZE);
	if (bad)
		sim_misuse("unmapping handle %u at entry %#llx: %s", handle,
			   maddr, bad);
	kfree(m);
	sim_be_grant_free(gone);
	return st;
}

int xdf_xen_pte_unmap(const u64 *ptes, const grant_handle_t *handles,
		      unsigned int count, s16 *status)
{
	unsigned int i;

	if (count > XDF_XEN_PTE_BATCH) {
		sim_misuse("batch of %u grants to unmap", count);
		return -EINVAL;
	}
	for (i = 0; i < count; i++)
		status[i] = sim_pte_unmap_one(ptes[i], handles[i]);
	return 0;
}

/* Forgets the entries that hold no mapping (they only cost memory). */
static void sim_ptes_forget_unused(void)
{
	struct sim_pte *ent;
	unsigned long idx, flags;

	spin_lock_irqsave(&hv_lock, flags);
	xa_for_each(&sim_ptes, idx, ent) {
		if (!ent->handle) {
			xa_erase(&sim_ptes, idx);
			kfree(ent);
		}
	}
	spin_unlock_irqrestore(&hv_lock, flags);
}
