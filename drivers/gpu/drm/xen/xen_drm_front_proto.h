/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * Xen para-virtual display frontend: the declarations of the three lowest
 * layers, XenStore configuration, request rings and event channels (see
 * the layer map in xen_drm_front.h). They know nothing of DRM, so this
 * header includes no DRM header, and their files include only this one.
 */

#ifndef __XEN_DRM_FRONT_PROTO_H_
#define __XEN_DRM_FRONT_PROTO_H_

#include <linux/completion.h>
#include <linux/interrupt.h>
#include <linux/mutex.h>
#include <linux/spinlock.h>
#include <linux/types.h>

#include <xen/xenbus.h>
#include <xen/interface/event_channel.h>
#include <xen/interface/grant_table.h>
#include <xen/interface/io/displif.h>
#include <xen/interface/io/ring.h>

/* Connectors beyond this are ignored, with a warning (see xen-front.rst). */
#define XDF_MAX_CONNECTORS	8
/* Largest resolution accepted from XenStore, per dimension. */
#define XDF_MAX_DIMENSION	8192
/* Protocol versions this frontend speaks. */
#define XDF_PROTOCOL_MIN	1
#define XDF_PROTOCOL_MAX	XENDISPL_PROTOCOL_VERSION_INT

/* xen_drm_front_cfg.c */

/**
 * struct xdf_connector_cfg - one connector's XenStore configuration
 * @width: visible width in pixels, 1..XDF_MAX_DIMENSION
 * @height: visible height in pixels, 1..XDF_MAX_DIMENSION
 */
struct xdf_connector_cfg {
	u32 width;
	u32 height;
};

/**
 * struct xdf_cfg - a vdispl device's XenStore configuration
 * @be_alloc: the backend may allocate display buffers for us
 * @version: protocol version chosen from the backend's "versions", or 0
 *	     when the backend published none (then version 2 is assumed and
 *	     nothing is written)
 * @fb_viewport: the backend announced feature-fb-viewport: it shows part
 *		 of a framebuffer larger than the mode
 * @num_connectors: number of valid entries in @connectors, >= 1
 * @connectors: per-connector configuration
 */
struct xdf_cfg {
	bool be_alloc;
	unsigned int version;
	bool fb_viewport;
	unsigned int num_connectors;
	struct xdf_connector_cfg connectors[XDF_MAX_CONNECTORS];
};

int xdf_cfg_read(struct xenbus_device *xb_dev, struct xdf_cfg *cfg);
int xdf_cfg_parse_resolution(const char *value, u32 *width, u32 *height);
int xdf_cfg_parse_versions(const char *value, unsigned int *version);

struct xdf_channels;

/* xen_drm_front_req.c */

extern unsigned int xdf_req_timeout_ms;

/*
 * Requests in a row that got no answer of theirs (timed out, or answered
 * with another id or operation) after which the channel is broken.
 */
#define XDF_REQ_FAILS_MAX	3

int xdf_request(struct xdf_channels *chs, unsigned int conn_idx,
		struct xendispl_req *req, struct xendispl_resp *resp);
int xdf_request_nowait(struct xdf_channels *chs, unsigned int conn_idx,
		       struct xendispl_req *req);

/**
 * typedef xdf_answer_fn - the outcome of a request sent by
 *			   xdf_request_nowait()
 * @data: the callback's data
 * @conn_idx: connector whose ring carried the request
 * @op: the request's operation
 * @result: 0; the backend's negative status; -ETIMEDOUT when no answer
 *	    came within xdf_req_timeout_ms (a later one is dropped); -ENODEV
 *	    when the backend left; -EIO when the ring broke
 *
 * Called in any context with the request ring's lock held, before the
 * next request on that ring is sent.
 */
typedef void (*xdf_answer_fn)(void *data, unsigned int conn_idx, u8 op,
			      int result);

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

/**
 * typedef xdf_broken_fn - a channel broke: the connection needs a reset
 * @data: the callback's data
 *
 * Called in any context, possibly with a channel's lock held, once each
 * time a channel goes from connected to broken.
 */
typedef void (*xdf_broken_fn)(void *data);

struct xdf_channels *xdf_channels_create(struct xenbus_device *xb_dev,
					 unsigned int count,
					 xdf_broken_fn broken, void *data);
void xdf_channels_destroy(struct xdf_channels *chs);
int xdf_channels_publish(struct xdf_channels *chs,
			 struct xenbus_transaction xbt);
void xdf_channels_connect(struct xdf_channels *chs);
void xdf_channels_disconnect(struct xdf_channels *chs);
void xdf_channels_set_frame_done(struct xdf_channels *chs,
				 xdf_frame_done_fn fn, void *data);
void xdf_channels_set_answer(struct xdf_channels *chs, xdf_answer_fn fn,
			     void *data);
bool xdf_channels_broken(struct xdf_channels *chs);
void xdf_channels_break(struct xdf_channels *chs, unsigned int conn_idx,
			const char *why);

/*
 * The channels' insides, shared by xen_drm_front_req.c and
 * xen_drm_front_evtchnl.c only.
 */

enum xdf_chan_state {
	XDF_CHAN_DISCONNECTED,
	XDF_CHAN_CONNECTED,
	/*
	 * The backend broke the protocol or stopped answering: nothing more
	 * is read or sent until the connection is reset.
	 */
	XDF_CHAN_BROKEN,
};

/*
 * As many timed-out requests as the ring holds can await a late answer;
 * beyond that the oldest are forgotten and their answers are protocol
 * errors.
 */
#define XDF_STALE_SLOTS	__CONST_RING_SIZE(xen_displif, XENDISPL_PAGE_SIZE)

/**
 * struct xdf_stale_req - a timed-out request
 * @valid: the entry is in use
 * @id: the request's id
 * @op: the request's operation
 */
struct xdf_stale_req {
	bool valid;
	u16 id;
	u8 op;
};

/**
 * struct xdf_req_chan - a connector's request ring
 * @ring: front view of the shared ring
 * @ref: grant of the ring page
 * @port: event channel port
 * @irq: event channel interrupt, < 0 if not bound
 * @name: interrupt name
 * @mutex: lets one request at a time use the ring and wait
 * @lock: protects the fields below and the ring's consumer side
 * @state: whether requests may be sent
 * @next_id: id of the next request
 * @fails: requests in a row that got no answer of theirs
 * @waiting: a request waits for the response @wait_id/@wait_op
 * @nowait: nobody waits for it: its outcome goes to @answer
 * @wait_id: id the awaited response must carry
 * @wait_op: operation the awaited response must carry
 * @deadline: when the awaited response is due, in jiffies
 * @stale: requests that timed out and whose late responses may still
 *	   arrive, by id modulo XDF_STALE_SLOTS
 * @result: outcome of the last wait, set by the interrupt handler
 * @have_resp: @resp holds the matched response
 * @resp: copy of the matched response
 * @done: completed when @waiting is cleared by anyone but the waiter
 * @answer: called with the outcome of a @nowait request, or NULL
 * @answer_data: its data
 */
struct xdf_req_chan {
	struct xen_displif_front_ring ring;
	grant_ref_t ref;
	evtchn_port_t port;
	int irq;
	char name[32];
	struct mutex mutex;	/* one request at a time */
	spinlock_t lock;	/* vs. the interrupt handler */
	enum xdf_chan_state state;
	u16 next_id;
	unsigned int fails;
	bool waiting;
	bool nowait;
	u16 wait_id;
	u8 wait_op;
	unsigned long deadline;
	struct xdf_stale_req stale[XDF_STALE_SLOTS];
	int result;
	bool have_resp;
	struct xendispl_resp resp;
	struct completion done;
	xdf_answer_fn answer;
	void *answer_data;
};

/**
 * struct xdf_evt_chan - a connector's event page
 * @page: the shared page
 * @ref: grant of @page
 * @port: event channel port
 * @irq: event channel interrupt, < 0 if not bound
 * @name: interrupt name
 * @lock: protects the fields below
 * @state: whether events are delivered
 * @cons: our consumer index; the shared copy is only ever written
 * @frame_done: callback for frame-done events, or NULL
 * @frame_done_data: its data
 */
struct xdf_evt_chan {
	struct xendispl_event_page *page;
	grant_ref_t ref;
	evtchn_port_t port;
	int irq;
	char name[32];
	spinlock_t lock;	/* vs. the interrupt handler */
	enum xdf_chan_state state;
	u32 cons;
	xdf_frame_done_fn frame_done;
	void *frame_done_data;
};

/**
 * struct xdf_channel - one connector's channels
 * @chs: the set this belongs to
 * @idx: connector index
 * @req: request ring
 * @evt: event page
 */
struct xdf_channel {
	struct xdf_channels *chs;
	unsigned int idx;
	struct xdf_req_chan req;
	struct xdf_evt_chan evt;
};

/**
 * struct xdf_channels - the channels of all connectors of a device
 * @xb_dev: the xenbus device
 * @count: number of connectors
 * @broken: told when a channel breaks
 * @broken_data: its data
 * @chan: per-connector channels
 */
struct xdf_channels {
	struct xenbus_device *xb_dev;
	unsigned int count;
	xdf_broken_fn broken;
	void *broken_data;
	struct xdf_channel chan[];
};

static inline struct device *xdf_chan_dev(struct xdf_channel *ch)
{
	return &ch->chs->xb_dev->dev;
}

void xdf_req_wake(struct xdf_channel *ch, int result);
void xdf_chan_broken(struct xdf_channel *ch);
void xdf_req_stop(struct xdf_channel *ch);
irqreturn_t xdf_req_irq(int irq, void *data);

#endif /* __XEN_DRM_FRONT_PROTO_H_ */
