// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * vdispl-be: a Xen para-virtual display (displif) backend for testing
 * display frontends. Runs in the backend domain (Dom0), serves every vdispl
 * device of every frontend, checks the frontends strictly and saves what
 * they show as PNG files. See usage() for the options.
 */
#include <errno.h>
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "xen.h"

static void usage(FILE *f)
{
	fputs("Usage: vdispl-be [OPTION]...\n"
	      "Serve every vdispl device under /local/domain/<domid>/backend/vdispl.\n"
	      "\n"
	      "  -o, --out DIR          save shown frames as PNG files in DIR\n"
	      "      --png-interval MS  at most one PNG per connector every MS ms (default 1000)\n"
	      "      --png-max N        at most N PNG files in all (default 100)\n"
	      "      --vsync            send frame-done events at the next tick of a\n"
	      "                         60 Hz clock, as a display (default: at once)\n"
	      "      --mark-late FILE   write a line to FILE at each tick of a run of flips\n"
	      "                         served 1 ms late or more (a trace_marker)\n"
	      "      --hash             log a hash of each display buffer's pixels when destroyed\n"
	      "      --versions LIST    protocol versions to offer (default \"" BE_VERSIONS "\"; \"\": none)\n"
	      "      --domid N          our domain id (default 0)\n"
	      "  -v, --verbose          log every request\n"
	      "  -q, --quiet            log only errors and violations\n"
	      "  -h, --help             this text\n"
	      "\n"
	      "Misbehaviours, for failure tests (on from the start unless --behave):\n"
	      "      --delay MS         answer each request MS ms late\n"
	      "      --fail OPS         answer these operations with an error, doing nothing:\n"
	      "                         comma-separated dbuf_create, dbuf_destroy, fb_attach,\n"
	      "                         fb_detach, set_config, pg_flip, get_edid\n"
	      "      --fail-status N    the error status for --fail (default -5, EIO)\n"
	      "      --no-frame-done    accept flips but never report them\n"
	      "      --behave           start with the misbehaviours off\n"
	      "\n"
	      "Control, for test harnesses:\n"
	      "      --control FILE     on SIGHUP, run the command in FILE and write the\n"
	      "                         result to FILE.done: \"snap NAME\" (save what each\n"
	      "                         connector shows as DIR/NAME-dom<d>-<dev>-conn<c>.png),\n"
	      "                         \"misbehave [fail=OPS] [no-frame-done] [delay=MS]\n"
	      "                         [silent]\" (silent: read requests, answer none),\n"
	      "                         \"behave\", \"vsync on|off\" (frame-done at 60 Hz\n"
	      "                         or at once from now on; says what it was and\n"
	      "                         the paced frame-done intervals and the ticks of\n"
	      "                         runs of flips served late since the last one),\n"
	      "                         \"share DEVID CONN RRGGBB\" (thousandths of what the\n"
	      "                         connector shows in that colour),\n"
	      "                         \"first-frame DEVID\" (CLOCK_REALTIME ns of the\n"
	      "                         device's first frame since it connected)\n"
	      "\n"
	      "Signals: SIGTERM or SIGINT: close the devices, print the summary, exit;\n"
	      "SIGUSR1: turn the misbehaviours off or on again; SIGUSR2: print the summary;\n"
	      "SIGHUP: run the --control command.\n"
	      "Exit status: 0; 1 if a frontend violated the protocol; 2 on a usage or\n"
	      "start-up error.\n", f);
}

static int parse_uint(const char *s, unsigned int *v)
{
	char *end;
	unsigned long n;

	errno = 0;
	n = strtoul(s, &end, 10);
	if (errno || end == s || *end || n > 0xffffffffUL || *s == '-') {
		fprintf(stderr, "vdispl-be: \"%s\" is not a number\n", s);
		return -EINVAL;
	}
	*v = (unsigned int)n;
	return 0;
}

int main(int argc, char **argv)
{
	enum {
		OPT_PNG_INTERVAL = 256, OPT_PNG_MAX, OPT_VSYNC, OPT_HASH,
		OPT_VERSIONS, OPT_DOMID, OPT_DELAY, OPT_FAIL, OPT_FAIL_STATUS,
		OPT_NO_FRAME_DONE, OPT_BEHAVE, OPT_CONTROL, OPT_MARK_LATE,
	};
	static const struct option longopts[] = {
		{ "out", required_argument, NULL, 'o' },
		{ "png-interval", required_argument, NULL, OPT_PNG_INTERVAL },
		{ "png-max", required_argument, NULL, OPT_PNG_MAX },
		{ "vsync", no_argument, NULL, OPT_VSYNC },
		{ "mark-late", required_argument, NULL, OPT_MARK_LATE },
		{ "hash", no_argument, NULL, OPT_HASH },
		{ "versions", required_argument, NULL, OPT_VERSIONS },
		{ "domid", required_argument, NULL, OPT_DOMID },
		{ "delay", required_argument, NULL, OPT_DELAY },
		{ "fail", required_argument, NULL, OPT_FAIL },
		{ "fail-status", required_argument, NULL, OPT_FAIL_STATUS },
		{ "no-frame-done", no_argument, NULL, OPT_NO_FRAME_DONE },
		{ "behave", no_argument, NULL, OPT_BEHAVE },
		{ "control", required_argument, NULL, OPT_CONTROL },
		{ "verbose", no_argument, NULL, 'v' },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct be_xen_opts o = {
		.core = { .fail_status = -EIO, .misbehave = true },
		.versions = BE_VERSIONS,
		.png_interval_ms = 1000,
		.png_max = 100,
	};
	unsigned int n;
	int c;

	while ((c = getopt_long(argc, argv, "o:vqh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.out_dir = optarg;
			break;
		case OPT_PNG_INTERVAL:
			if (parse_uint(optarg, &o.png_interval_ms))
				return 2;
			break;
		case OPT_PNG_MAX:
			if (parse_uint(optarg, &o.png_max))
				return 2;
			break;
		case OPT_VSYNC:
			o.vsync = true;
			break;
		case OPT_MARK_LATE:
			o.mark_late = optarg;
			break;
		case OPT_HASH:
			o.core.hash = true;
			break;
		case OPT_VERSIONS:
			o.versions = optarg;
			break;
		case OPT_DOMID:
			if (parse_uint(optarg, &o.domid))
				return 2;
			break;
		case OPT_DELAY:
			if (parse_uint(optarg, &o.delay_ms))
				return 2;
			break;
		case OPT_FAIL:
			if (be_parse_ops(optarg, &o.core.fail_ops))
				return 2;
			break;
		case OPT_FAIL_STATUS:
			if (optarg[0] != '-' || parse_uint(optarg + 1, &n) || !n ||
			    n > 4095) {
				fprintf(stderr, "vdispl-be: --fail-status wants a negative error number\n");
				return 2;
			}
			o.core.fail_status = -(int)n;
			break;
		case OPT_NO_FRAME_DONE:
			o.no_frame_done = true;
			break;
		case OPT_BEHAVE:
			o.core.misbehave = false;
			break;
		case OPT_CONTROL:
			o.control = optarg;
			break;
		case 'v':
			be_log_level = BE_LOG_DEBUG;
			break;
		case 'q':
			be_log_level = BE_LOG_ERR;
			break;
		case 'h':
			usage(stdout);
			return 0;
		default:
			usage(stderr);
			return 2;
		}
	}
	if (optind < argc) {
		usage(stderr);
		return 2;
	}
	/* Misbehaving means nothing without a misbehaviour. */
	if (!o.delay_ms && !o.core.fail_ops && !o.no_frame_done)
		o.core.misbehave = false;
	return be_xen_main(&o);
}
