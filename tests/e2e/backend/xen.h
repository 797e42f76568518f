/* SPDX-License-Identifier: GPL-2.0 OR MIT */
/*
 * The Xen layer of the backend: finds vdispl devices in XenStore, follows
 * the xenbus states (displif.h section 4) as a backend, maps the rings and
 * event pages, binds the event channels, feeds requests to the core and
 * sends frame-done events.
 */
#ifndef VDISPL_BE_XEN_H
#define VDISPL_BE_XEN_H

#include <stdbool.h>

#include "core.h"

struct be_xen_opts {
	struct be_opts core;		/* shared with every connection */
	unsigned int domid;		/* ours: where backend/vdispl lives */
	const char *versions;		/* "versions" node; NULL or "": none */
	bool vsync;			/* frame-done paced at 60 Hz */
	const char *mark_late;		/* a line per late tick; NULL: none */
	bool no_frame_done;		/* misbehaviour: never send them */
	unsigned int delay_ms;		/* misbehaviour: slow answers */
	bool silent;			/* misbehaviour: answer nothing */
	const char *out_dir;		/* PNG files; NULL: none */
	unsigned int png_interval_ms;
	unsigned int png_max;
	const char *control;		/* SIGHUP command file; NULL: none */
};

/*
 * Serves every device until SIGTERM or SIGINT, then prints the summary.
 * Returns the exit status: 0, 1 if the frontend violated the protocol,
 * 2 if the backend could not start.
 */
int be_xen_main(struct be_xen_opts *opts);

#endif
