// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * e2e-flips: the flip events a compositor schedules its frames by. Sets the
 * preferred mode of CARD's first connected connector (legacy SETCRTC, the
 * other CRTCs off), then page-flips COUNT times between two framebuffers
 * of different colours, each flip with an event and issued as soon as the
 * previous event is read; the submit time is CLOCK_MONOTONIC just before
 * the ioctl. Checked for every event, P being the mode's refresh period
 * (htotal * vtotal / clock, as the DRM core computes it):
 *   times      its timestamp is not before its flip's submit time (to the
 *              microsecond the event carries)
 *   monotonic  its timestamp is after the previous event's
 *   sequence   it is the previous one + 1 + the whole periods P from the
 *              previous event to this flip's submit (the vblanks a client
 *              that flips late has missed; +1 for one that flips at once),
 *              and at most the previous + 1 + the whole periods P between
 *              the two events (the driver may count a vblank that fell
 *              between the submit time and the flip reaching it)
 *   intervals  (paced only) the median of the intervals between
 *              consecutive events is within 10% of P; the minimum,
 *              maximum and the share within +-20% of P are reported. This
 *              needs a client that keeps up with the refresh: on a loaded
 *              host the median is a whole number of periods or more
 *              (tests/e2e/domu/s9-vblank.sh judges it against the backend's
 *              own frame-done spacing instead)
 *
 * Usage: e2e-flips CARD COUNT paced|unpaced
 *   paced: the backend shows frames at 60 Hz (vdispl-be --vsync);
 *   unpaced: it answers at once, the intervals are not checked.
 * Prints "e2e-flips: check NAME ok|FAIL[: why]" for each check, a line of
 * figures ("e2e-flips: figures ...") and the intervals in us ("e2e-flips:
 * intervals period-us P min-us N median-us N max-us N") on stdout, the setup
 * on stderr.
 * Exit status 0 only if every check passed; 1 if one failed or the test
 * could not run; 2 on a usage error.
 */
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "util.h"

#define PROG "e2e-flips"
/*
 * One flip's event comes within the driver's frame-done timeout (its
 * request timeout, 3 s, and 0.5 s of slack) even from a backend that
 * never sends frame-done: a live but slow one (a host this busy, a
 * backend writing each frame out) must not look like a lost event.
 */
#define EVENT_WAIT_MS	4000

static int fd;

static int64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

static int cmp_i64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return (x > y) - (x < y);
}

/* Whole periods in d (0 if d < 0). */
static int64_t periods(int64_t d, int64_t period)
{
	return d > 0 ? d / period : 0;
}

/* A dumb buffer filled with one colour and an XRGB8888 framebuffer on it. */
static int fb_create(uint32_t w, uint32_t h, uint32_t colour, uint32_t *fb_id)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_fb_cmd2 f = {
		.width = w, .height = h, .pixel_format = DRM_FORMAT_XRGB8888,
	};
	struct drm_mode_map_dumb m = { 0 };
	uint32_t *px;
	size_t i;

	if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_CREATE_DUMB");
	m.handle = c.handle;
	if (ioctl(fd, DRM_IOCTL_MODE_MAP_DUMB, &m))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_MAP_DUMB");
	px = mmap(NULL, c.size, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
		  (off_t)m.offset);
	if (px == MAP_FAILED)
		return e2e_fail(PROG, "mmap");
	for (i = 0; i < c.size / 4; i++)
		px[i] = colour;
	munmap(px, c.size);
	f.handles[0] = c.handle;
	f.pitches[0] = c.pitch;
	if (ioctl(fd, DRM_IOCTL_MODE_ADDFB2, &f))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_ADDFB2");
	*fb_id = f.fb_id;
	return 0;
}

/* Sets the mode on the first connected connector, every other CRTC off. */
static int setup(uint32_t fbs[2], uint32_t *crtc, struct drm_mode_modeinfo *mode)
{
	struct e2e_output out;
	struct drm_mode_crtc set = { 0 };
	struct e2e_res r;
	uint32_t i;

	if (e2e_get_res(fd, &r))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_GETRESOURCES");
	if (e2e_find_outputs(fd, &r, &out, 1) != 1) {
		fprintf(stderr, PROG ": no connected connector with a mode and a CRTC\n");
		return 1;
	}
	/* Nothing else on the card to wake the guest while it is timed. */
	for (i = 0; i < r.num_crtcs; i++) {
		struct drm_mode_crtc off = { .crtc_id = r.crtcs[i] };

		if (r.crtcs[i] != out.crtc && ioctl(fd, DRM_IOCTL_MODE_SETCRTC, &off))
			return e2e_fail(PROG, "DRM_IOCTL_MODE_SETCRTC (off)");
	}
	if (fb_create(out.mode.hdisplay, out.mode.vdisplay, 0xff2060c0, &fbs[0]) ||
	    fb_create(out.mode.hdisplay, out.mode.vdisplay, 0xffc06020, &fbs[1]))
		return 1;
	set = (struct drm_mode_crtc){
		.crtc_id = out.crtc,
		.fb_id = fbs[0],
		.set_connectors_ptr = (uintptr_t)&out.conn,
		.count_connectors = 1,
		.mode = out.mode,
		.mode_valid = 1,
	};
	if (ioctl(fd, DRM_IOCTL_MODE_SETCRTC, &set))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_SETCRTC");
	*crtc = out.crtc;
	*mode = out.mode;
	return 0;
}

/* Waits for flip idx's event: 0 with its timestamp (us) and sequence. */
static int wait_event(uint64_t idx, int64_t *ts_us, uint32_t *seq)
{
	char buf[1024];

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t len, off;

		if (poll(&pfd, 1, EVENT_WAIT_MS) != 1) {
			printf(PROG ": no event for flip %" PRIu64 " in %d ms\n", idx,
			       EVENT_WAIT_MS);
			return 1;
		}
		len = read(fd, buf, sizeof(buf));
		if (len < 0)
			return e2e_fail(PROG, "read");
		for (off = 0; off + (ssize_t)sizeof(struct drm_event) <= len;) {
			struct drm_event_vblank *ev = (void *)(buf + off);

			if (ev->base.length < sizeof(struct drm_event))
				break;
			off += ev->base.length;
			if (ev->base.type != DRM_EVENT_FLIP_COMPLETE)
				continue;
			if (ev->user_data != idx) {
				printf(PROG ": event for flip %llu, %" PRIu64 " expected\n",
				       (unsigned long long)ev->user_data, idx);
				return 1;
			}
			*ts_us = (int64_t)ev->tv_sec * 1000000 + ev->tv_usec;
			*seq = ev->sequence;
			return 0;
		}
	}
}

/* A check's failures: how many, and the first one's story. */
struct check {
	const char *name;
	unsigned int bad;
	char first[200];
};

static void failed(struct check *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3))); /* no __printf out of the kernel */
static void failed(struct check *c, const char *fmt, ...)
{
	va_list ap;

	if (!c->bad++) {
		va_start(ap, fmt);
		vsnprintf(c->first, sizeof(c->first), fmt, ap);
		va_end(ap);
	}
}

static int verdict(const struct check *c, unsigned int n)
{
	if (!c->bad) {
		printf(PROG ": check %s ok\n", c->name);
		return 0;
	}
	printf(PROG ": check %s FAIL: %u of %u events; first: %s\n", c->name,
	       c->bad, n, c->first);
	return 1;
}

int main(int argc, char **argv)
{
	struct check times = { .name = "times" }, mono = { .name = "monotonic" };
	struct check seqc = { .name = "sequence" };
	int64_t period, submit, ts, prev_ts = 0, *iv, *lat, lo, hi;
	uint32_t fbs[2], crtc = 0, seq = 0, prev_seq = 0, late = 0;
	unsigned int n, i, near = 0;
	struct drm_mode_modeinfo mode = { 0 };
	int paced, fails = 0;
	char name[64];

	paced = argc == 4 && !strcmp(argv[3], "paced");
	n = argc == 4 ? (unsigned int)strtoul(argv[2], NULL, 0) : 0;
	if (argc != 4 || (!paced && strcmp(argv[3], "unpaced")) || n < 3 || n > 100000) {
		fprintf(stderr, "usage: " PROG " CARD COUNT(3..100000) paced|unpaced\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	iv = calloc(n, sizeof(*iv));
	lat = calloc(n, sizeof(*lat));
	if (!iv || !lat)
		return 1;
	fd = open(argv[1], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return e2e_fail(PROG, argv[1]);
	if (e2e_driver_name(fd, name, sizeof(name)))
		return e2e_fail(PROG, "DRM_IOCTL_VERSION");
	if (setup(fbs, &crtc, &mode))
		return 1;
	if (!mode.clock || !mode.htotal || !mode.vtotal) {
		fprintf(stderr, PROG ": mode %s has no timing\n", mode.name);
		return 1;
	}
	/* drm_calc_timestamping_constants()'s framedur_ns. */
	period = (int64_t)mode.htotal * mode.vtotal * 1000000 / mode.clock;
	fprintf(stderr, PROG ": %s: driver %s, crtc %u, mode %s, period %" PRId64 " ns\n",
		argv[1], name, crtc, mode.name, period);

	for (i = 0; i < n; i++) {
		struct drm_mode_crtc_page_flip f = {
			.crtc_id = crtc,
			.fb_id = fbs[(i + 1) % 2],
			.flags = DRM_MODE_PAGE_FLIP_EVENT,
			.user_data = i,
		};

		submit = now_ns();
		if (ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, &f)) {
			fprintf(stderr, PROG ": flip %u: ", i);
			return e2e_fail(PROG, "DRM_IOCTL_MODE_PAGE_FLIP");
		}
		if (wait_event(i, &ts, &seq))
			return 1;
		lat[i] = now_ns() - submit;
		if (ts < submit / 1000)
			failed(&times, "flip %u: event at %" PRId64 " us, %" PRId64
			       " us before its submit time %" PRId64 " us",
			       i, ts, submit / 1000 - ts, submit / 1000);
		if (i && ts <= prev_ts)
			failed(&mono, "flip %u: event at %" PRId64 " us, previous at %"
			       PRId64 " us", i, ts, prev_ts);
		if (i) {
			/* Times in ns, the event's to the us. */
			lo = 1 + periods(submit - prev_ts * 1000, period);
			hi = 1 + periods((ts - prev_ts) * 1000, period);
			if (hi < lo)
				hi = lo;
			if ((int64_t)(uint32_t)(seq - prev_seq) < lo ||
			    (int64_t)(uint32_t)(seq - prev_seq) > hi)
				failed(&seqc, "flip %u: sequence %u after %u, +%" PRId64
				       "..+%" PRId64 " expected (submitted %" PRId64
				       " us after the previous event, %" PRId64
				       " us between the events)",
				       i, seq, prev_seq, lo, hi, submit / 1000 - prev_ts,
				       ts - prev_ts);
			else if ((uint32_t)(seq - prev_seq) > lo)
				late++;
			iv[i - 1] = ts - prev_ts;
			if (llabs(iv[i - 1] * 1000 - period) <= period / 5)
				near++;
		}
		prev_ts = ts;
		prev_seq = seq;
	}

	/* n - 1 intervals: the median is iv[(n - 2) / 2]. */
	qsort(iv, n - 1, sizeof(*iv), cmp_i64);
	qsort(lat, n, sizeof(*lat), cmp_i64);
	printf(PROG ": figures: %s, %u flips, mode %s period %.3f ms; event intervals min %.3f median %.3f max %.3f ms, %.1f%% within 20%% of the period; flip to event read median %.3f max %.3f ms; %u sequence(s) counted a vblank between submit and flip\n",
	       paced ? "paced" : "unpaced", n, mode.name, period / 1e6,
	       iv[0] / 1e3, iv[(n - 2) / 2] / 1e3, iv[n - 2] / 1e3,
	       100.0 * near / (n - 1), lat[n / 2] / 1e6, lat[n - 1] / 1e6, late);
	/* For a harness that judges them against the backend's spacing. */
	printf(PROG ": intervals period-us %" PRId64 " min-us %" PRId64 " median-us %" PRId64
	       " max-us %" PRId64 "\n", period / 1000, iv[0], iv[(n - 2) / 2], iv[n - 2]);
	fails += verdict(&times, n);
	fails += verdict(&mono, n);
	fails += verdict(&seqc, n);
	if (paced) {
		int64_t med = iv[(n - 2) / 2] * 1000;

		if (llabs(med - period) <= period / 10) {
			printf(PROG ": check intervals ok\n");
		} else {
			printf(PROG ": check intervals FAIL: median interval %.3f ms, the period is %.3f ms (10%% allowed)\n",
			       med / 1e6, period / 1e6);
			fails++;
		}
	}
	return fails ? 1 : 0;
}
