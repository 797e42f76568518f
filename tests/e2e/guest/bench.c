// SPDX-License-Identifier: GPL-2.0 OR MIT
/*
 * e2e-bench: the figures of `make bench`, measured the same way on whichever
 * driver serves CARD (ours or upstream drm_xen_front). Prints "METRIC VALUE"
 * lines on stdout (sbench-compare.sh tags them with the driver), details on
 * stderr. Under emulation on a shared host, other work slows the guest
 * down by more than the drivers differ, and only ever slows it down: the
 * times are the best of several tries.
 *
 * Usage: e2e-bench spin NAME
 *   Times a fixed loop: cpu-NAME-ms, how much CPU the guest gets now.
 * Usage: e2e-bench flips CARD CONNECTORS SECONDS RUNS [paced]
 *   Takes the console into graphics mode, as a compositor does (else
 *   fbcon, ours only, kept blinking its cursor under the client). Sets
 *   each of the first CONNECTORS connected connectors to its preferred
 *   mode (legacy SETCRTC), then page-flips every CRTC with an event,
 *   re-flipping each as soon as its event is read, for SECONDS, RUNS
 *   times. Of the run with the most flips: flipsN-rate (flips per second,
 *   all CRTCs together), flipsN-p50-us and flipsN-p99-us (page-flip ioctl
 *   to event read); and flipsN-spread, the best run's rate over the worst's.
 *   Of the same run, from /proc/stat and /proc/interrupts: flipsN-cpu-us,
 *   the guest's CPU time per flip in us (all CPUs' time less their idle
 *   time: the kernel's and the client's); flipsN-user-us, the
 *   client's own (between its system calls, by the CPU's counter);
 *   flipsN-kbusy-us, the kernel's (system, irq and softirq): the first
 *   less the second; flipsN-kcpu-us, the kernel's as the timer tick
 *   samples it (/proc/stat's system, irq and softirq); and
 *   flipsN-timer-irqs and flipsN-ring-irqs, the guest's timer interrupts
 *   and the driver's event channel interrupts per 100 flips;
 *   flipsN-polls, the client's wake-ups (polls that found events) and
 *   flipsN-ctxt, the guest's context switches, per 100 flips; on x86,
 *   flipsN-insn-marks A B FLIPS, the instruction count's marks at the
 *   run's start and end (see icount_mark()) and its flips.
 *   With "paced" (a backend that sends frame-done at its display's
 *   refresh), also: flipsN-fps-conn, frames per second on each connector;
 *   flipsN-jitter-us, the standard deviation of the intervals between the
 *   timestamps of a CRTC's consecutive events, all CRTCs pooled (what a
 *   compositor schedules its repaint from); flipsN-grid-jitter-us, the
 *   same against whole numbers of periods (missed refreshes set apart);
 *   flipsN-missed-pct, refresh periods without a frame per 100 frames
 *   shown; and flipsN-grid-dev-p50-us and -p90-us, the median and 90th
 *   percentile of how far an interval is from its whole periods.
 *   With E2E_BENCH_HOLD set, keeps the card after the figures: hold().
 * Usage: e2e-bench buffers CARD WIDTH HEIGHT ITERATIONS
 *   Times CREATE_DUMB + ADDFB2 + RMFB + DESTROY_DUMB after one untimed
 *   round: buf-WxH-ms, the best; or "buf-WxH-ms refused:ERRNO:IOCTL" if the
 *   driver refuses the size.
 * Usage: e2e-bench memory CARD WIDTH HEIGHT COUNT ROUNDS
 *   Guest memory per buffer with a framebuffer, beyond its pixels: free
 *   pages (buddy free lists plus the per-CPU lists, from /proc/zoneinfo
 *   after folding the per-CPU counters) before and after creating COUNT
 *   buffers, minus COUNT times the pixels, per buffer; the median of ROUNDS
 *   rounds after one uncounted round (grant table growth, slab caches).
 *   Prints mem-WxH-beyond-kib, mem-WxH-slab-kib (the Slab share) and
 *   mem-WxH-kept-kib (not given back once the buffers are destroyed).
 *   Then the same rounds with every slab cache shrunk before each
 *   reading (the slabs a cache keeps would hide what a driver takes from
 *   them): mem-WxH-shrunk-kib, and the KiB of the slab objects and larger
 *   allocations the buffers took in those rounds, whatever slab pages
 *   they fell on (exact once the per-CPU slabs are flushed):
 *   mem-WxH-objects-kib. On stderr, per round, how meminfo's counters and
 *   each slab cache moved.
 * Usage: e2e-bench load SCRIPT DEVDIR...
 *   Runs "sh SCRIPT" (the insmod commands of a driver) and watches each
 *   xenbus device directory DEVDIR (/sys/bus/xen/devices/vdispl-N) until
 *   its DRM card appears: load-to-card-ms, from the start of SCRIPT to the
 *   last device's card; load-script-ms, SCRIPT's own time.
 * Exit status 0 if the measurement was made (a refused size counts as made).
 */
#define _GNU_SOURCE /* strerrorname_np */
#include <dirent.h>
#include <fcntl.h>
#include <math.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/netlink.h>
#include <linux/kd.h>

#include <drm_fourcc.h>

#include "util.h"

#define PROG "e2e-bench"
#define MAX_PIPES 8

static int fd;
/*
 * With E2E_BENCH_MARK set to the tracer's trace_marker, each event read
 * more than MARK_SLOW_US after its flip is written there (sbench-compare.sh
 * prints the trace before it): where a paced display's late event was.
 */
static int mark_fd = -1;
#define MARK_SLOW_US	17500

static double now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

/*
 * The client's own time between its system calls, which the timer tick
 * samples no better than the kernel's (/proc/stat's user ticks came to 0
 * to 35 a run where this count gives about 9): the CPU's counter (TSC, or
 * arm64's virtual counter; both read without a trap in the bench guests)
 * is read as each system call of a flip run leaves the client and as it
 * comes back, and the sum converted by the run's own count of them a
 * second.
 */
static uint64_t cycles(void)
{
#if defined(__x86_64__)
	return __builtin_ia32_rdtsc();
#elif defined(__aarch64__)
	uint64_t v;

	asm volatile("isb; mrs %0, cntvct_el0" : "=r" (v) :: "memory");
	return v;
#else
	return 0;
#endif
}

static uint64_t user_cycles, user_from;

/* The client leaves for the kernel. */
static void user_stop(void)
{
	user_cycles += cycles() - user_from;
}

/* The client is back from the kernel. */
static void user_go(void)
{
	user_from = cycles();
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* The p-th percentile (0..100) of v[n], sorted here (nearest rank). */
static double percentile(double *v, size_t n, double p)
{
	size_t i;

	if (!n)
		return 0;
	qsort(v, n, sizeof(*v), cmp_double);
	i = (size_t)(p / 100 * n + 0.999999);
	return v[i ? i - 1 : 0];
}

struct fb {
	uint32_t handle, fb_id;
	uint64_t size;
};

/*
 * A dumb buffer with an XRGB8888 framebuffer on it. On failure, *step says
 * which ioctl refused and errno why; nothing is left behind.
 */
static int fb_create(uint32_t w, uint32_t h, struct fb *fb, const char **step)
{
	struct drm_mode_create_dumb c = { .width = w, .height = h, .bpp = 32 };
	struct drm_mode_fb_cmd2 f = {
		.width = w, .height = h, .pixel_format = DRM_FORMAT_XRGB8888,
	};
	struct drm_mode_destroy_dumb d = { 0 };
	int err;

	*step = "CREATE_DUMB";
	if (ioctl(fd, DRM_IOCTL_MODE_CREATE_DUMB, &c))
		return -1;
	f.handles[0] = c.handle;
	f.pitches[0] = c.pitch;
	*step = "ADDFB2";
	if (ioctl(fd, DRM_IOCTL_MODE_ADDFB2, &f)) {
		err = errno;
		d.handle = c.handle;
		ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
		errno = err;
		return -1;
	}
	*fb = (struct fb){ c.handle, f.fb_id, c.size };
	return 0;
}

static int fb_destroy(struct fb *fb, const char **step)
{
	struct drm_mode_destroy_dumb d = { .handle = fb->handle };

	*step = "RMFB";
	if (ioctl(fd, DRM_IOCTL_MODE_RMFB, &fb->fb_id))
		return -1;
	*step = "DESTROY_DUMB";
	return ioctl(fd, DRM_IOCTL_MODE_DESTROY_DUMB, &d);
}

static int step_fail(const char *step)
{
	return e2e_fail(PROG, step);
}

/*
 * Every CRTC but those in keep (a mask of indices) off, as a compositor
 * would have them: ours shows fbcon on every connector and upstream has no
 * fbdev, and a pipe that is on costs CPU (a vblank timer in ours) and
 * traffic (fbcon's cursor) that would weigh on the measurement.
 */
static int crtcs_off(uint32_t keep)
{
	struct e2e_res r;
	unsigned int c;

	if (e2e_get_res(fd, &r))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_GETRESOURCES");
	for (c = 0; c < r.num_crtcs; c++) {
		struct drm_mode_crtc off = { .crtc_id = r.crtcs[c] };

		if (!(keep & (1u << c)) && ioctl(fd, DRM_IOCTL_MODE_SETCRTC, &off))
			return e2e_fail(PROG, "DRM_IOCTL_MODE_SETCRTC (off)");
	}
	return 0;
}

/* ---- flips ---- */

struct pipe {
	uint32_t crtc, conn;
	struct drm_mode_modeinfo mode;
	struct fb fb[2];
	unsigned int front;
	double t0, last_ev;
	int pending;
};

/* The first n connected connectors, each with a free CRTC it can drive. */
static int pipes_find(struct pipe *p, unsigned int n)
{
	struct e2e_output out[MAX_PIPES];
	uint32_t used = 0;
	struct e2e_res r;
	int i, k;

	if (e2e_get_res(fd, &r))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_GETRESOURCES");
	k = e2e_find_outputs(fd, &r, out, n);
	if (k < 0)
		return e2e_fail(PROG, "reading the connectors");
	if ((unsigned int)k < n) {
		fprintf(stderr, PROG ": %d usable connectors, %u wanted\n", k, n);
		return 1;
	}
	for (i = 0; i < k; i++) {
		p[i] = (struct pipe){ .crtc = out[i].crtc, .conn = out[i].conn,
				      .mode = out[i].mode };
		used |= 1u << out[i].crtc_idx;
	}
	return crtcs_off(used);
}

static int flip(struct pipe *p, unsigned int idx)
{
	struct drm_mode_crtc_page_flip f = {
		.crtc_id = p->crtc,
		.fb_id = p->fb[!p->front].fb_id,
		.flags = DRM_MODE_PAGE_FLIP_EVENT,
		.user_data = idx,
	};

	p->t0 = now_s();
	user_stop();
	if (ioctl(fd, DRM_IOCTL_MODE_PAGE_FLIP, &f))
		return e2e_fail(PROG, "DRM_IOCTL_MODE_PAGE_FLIP");
	user_go();
	p->front = !p->front;
	p->pending = 1;
	return 0;
}

/*
 * What the guest did: kernel ticks, idle time, interrupts so far, and when
 * (now_s()) with how many CPUs online.
 */
struct kstat {
	long long uticks, kticks, idle, steal, timer_irqs, ring_irqs, ctxt;
	double t;
	long cpus;
	unsigned int mark;
};

/*
 * A mark for the instruction count of the emulated machine
 * (tests/e2e/qemu/icount.c, x86 only): that plugin writes the total at
 * each execution of this NOP, numbering them from 1 across the boot; this
 * file keeps the number of the last across e2e-bench's runs. Returns the
 * mark's number, 0 if there is none.
 */
#define ICOUNT_MARKS "/tmp/e2e-icount-marks"

static unsigned int icount_mark(void)
{
#if defined(__x86_64__)
	unsigned int n = 0;
	FILE *f = fopen(ICOUNT_MARKS, "r");

	if (f) {
		if (fscanf(f, "%u", &n) != 1)
			n = 0;
		fclose(f);
	}
	f = fopen(ICOUNT_MARKS, "w");
	if (!f)
		return 0;
	fprintf(f, "%u\n", ++n);
	if (fclose(f))
		return 0;
	/* nopl 0x46445845(%rax,%rax,1) */
	asm volatile(".byte 0x0f, 0x1f, 0x84, 0x00, 0x45, 0x58, 0x44, 0x46" ::: "memory");
	return n;
#else
	return 0;
#endif
}

/*
 * From the "cpu" line of /proc/stat, in USER_HZ: user ticks (user, nice),
 * kernel ticks (system, irq, softirq), idle time (idle, iowait) and steal
 * time (the vCPUs runnable while Xen ran something else). User and kernel
 * ticks are samples the timer tick takes, which a loop of flips can beat
 * in step with: runs alike can differ by twice, and together they may
 * cover a quarter of the time the CPUs were busy or nearly all. The idle
 * time is measured at each entry and exit of the idle loop (NO_HZ, the
 * guests' kernels), so the time the CPUs were busy is exact to a USER_HZ
 * tick.
 */
static void cpu_read(struct kstat *k)
{
	long long user, nice, sys, idle, iowait, irq, softirq, steal;
	FILE *f = fopen("/proc/stat", "r");
	char line[256];
	int n = 0;

	k->uticks = k->kticks = k->idle = k->steal = k->ctxt = -1;
	if (!f)
		return;
	n = fscanf(f, "cpu %lld %lld %lld %lld %lld %lld %lld %lld", &user,
		   &nice, &sys, &idle, &iowait, &irq, &softirq, &steal);
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "ctxt %lld", &k->ctxt) == 1)
			break;
	fclose(f);
	if (n != 8)
		return;
	k->uticks = user + nice;
	k->kticks = sys + irq + softirq;
	k->idle = idle + iowait;
	k->steal = steal;
}

/*
 * Interrupts of the guest's timer (Xen's per-CPU timer VIRQ on x86, the
 * architected timer on arm64) and of the driver's event channels (named
 * after ours or upstream's module or the device), all CPUs, by the last
 * word of their /proc/interrupts line.
 */
static void irqs_read(struct kstat *k)
{
	char line[1024], *name, *end, *s;
	long long count;
	FILE *f = fopen("/proc/interrupts", "r");

	k->timer_irqs = k->ring_irqs = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f)) {
		end = line + strcspn(line, "\n");
		*end = 0;
		name = strrchr(line, ' ');
		s = strchr(line, ':');
		if (!name || !s)
			continue;
		name++;
		count = 0;
		for (s++; s < name;) {
			char *next;
			long long v = strtoll(s, &next, 10);

			if (next == s)
				break;
			count += v;
			s = next;
		}
		if (!strncmp(name, "timer", 5) || !strcmp(name, "arch_timer"))
			k->timer_irqs += count;
		else if (!strncmp(name, "xen_drm_front", 13) ||
			 !strncmp(name, "vdispl", 6))
			k->ring_irqs += count;
	}
	fclose(f);
}

static void kstat_read(struct kstat *k)
{
	irqs_read(k);
	cpu_read(k);
	k->t = now_s();
	k->cpus = sysconf(_SC_NPROCESSORS_ONLN);
	k->mark = icount_mark();
}

/* A growing array of doubles. */
struct vec {
	double *v;
	size_t n, cap;
};

static int vec_add(struct vec *a, double x)
{
	if (a->n == a->cap) {
		double *v = realloc(a->v, (a->cap ? 2 * a->cap : 4096) * sizeof(*v));

		if (!v)
			return -1;
		a->v = v;
		a->cap = a->cap ? 2 * a->cap : 4096;
	}
	a->v[a->n++] = x;
	return 0;
}

/*
 * One run: the flip latencies and the intervals between each CRTC's
 * consecutive event timestamps, in us, and what it cost the guest. For
 * each interval, where its closing timestamp lies: after the flip was
 * issued (stamp) and before the event was read (read), in us.
 */
struct run {
	struct vec lat, gaps, stamp, read;
	/* Wake-ups by the flip events they found: 0, 1, 2, 3, 4 or more. */
	size_t found[5];
	double secs, user_secs;
	struct kstat k0, k1;
};

/* The run's wake-ups, whatever they found. */
static size_t run_wakeups(const struct run *r)
{
	size_t i, sum = 0;

	for (i = 0; i < sizeof(r->found) / sizeof(r->found[0]); i++)
		sum += r->found[i];
	return sum;
}

/* Every pipe flips, and flips again on its event, for secs. */
static int flip_run(struct pipe *p, unsigned int n, double secs, struct run *r)
{
	double start = now_s(), end = start + secs, t, ev_t, tc0;
	uint64_t cyc0, cyc1;
	unsigned int i, pending = 0;
	char buf[1024];

	r->lat.n = 0;
	r->gaps.n = 0;
	r->stamp.n = 0;
	r->read.n = 0;
	memset(r->found, 0, sizeof(r->found));
	kstat_read(&r->k0);
	cyc0 = cycles();
	tc0 = now_s();
	user_cycles = 0;
	user_go();
	for (i = 0; i < n; i++) {
		p[i].last_ev = 0;
		if (flip(&p[i], i))
			return 1;
		pending++;
	}
	while (pending) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		unsigned int found = 0;
		ssize_t len, off;

		/* Both drivers complete a flip within 1 s with a live backend. */
		user_stop();
		if (poll(&pfd, 1, 2000) != 1) {
			fprintf(stderr, PROG ": no flip event in 2 s\n");
			return 1;
		}
		user_go();
		user_stop();
		len = read(fd, buf, sizeof(buf));
		user_go();
		t = now_s();
		if (len < 0)
			return e2e_fail(PROG, "read");
		for (off = 0; off + (ssize_t)sizeof(struct drm_event) <= len;) {
			struct drm_event_vblank *ev = (void *)(buf + off);

			off += ev->base.length;
			if (ev->base.type != DRM_EVENT_FLIP_COMPLETE ||
			    ev->user_data >= n || !p[ev->user_data].pending)
				continue;
			i = (unsigned int)ev->user_data;
			p[i].pending = 0;
			found++;
			ev_t = ev->tv_sec * 1e6 + ev->tv_usec;
			if (vec_add(&r->lat, (t - p[i].t0) * 1e6) ||
			    (p[i].last_ev &&
			     (vec_add(&r->gaps, ev_t - p[i].last_ev) ||
			      vec_add(&r->stamp, ev_t - p[i].t0 * 1e6) ||
			      vec_add(&r->read, t * 1e6 - ev_t))))
				return 2;
			if (mark_fd >= 0 && (t - p[i].t0) * 1e6 > MARK_SLOW_US)
				dprintf(mark_fd, "e2e-slow crtc %u flip %.6f stamp %.6f read %.6f\n",
					i, p[i].t0, ev_t / 1e6, t);
			p[i].last_ev = ev_t;
			if (t < end) {
				if (flip(&p[i], i))
					return 1;
			} else {
				pending--;
			}
		}
		r->found[found < 4 ? found : 4]++;
	}
	user_stop();
	r->secs = now_s() - start;
	cyc1 = cycles();
	r->user_secs = cyc1 > cyc0 ?
		user_cycles * (now_s() - tc0) / (cyc1 - cyc0) : -1;
	kstat_read(&r->k1);
	return 0;
}

/*
 * The console in graphics mode while the client runs, as a compositor
 * takes it: fbcon blanks and stops its cursor. Not a failure where there
 * is no console to take.
 */
static int console_fd = -1;

static void console_give_back(void)
{
	if (ioctl(console_fd, KDSETMODE, KD_TEXT))
		fprintf(stderr, PROG ": KDSETMODE KD_TEXT: %s\n", strerror(errno));
	close(console_fd);
}

static void console_take(void)
{
	console_fd = open("/dev/tty0", O_RDWR | O_CLOEXEC);
	if (console_fd < 0 || ioctl(console_fd, KDSETMODE, KD_GRAPHICS)) {
		fprintf(stderr, PROG ": console left in text mode: %s\n",
			strerror(errno));
		if (console_fd >= 0)
			close(console_fd);
		return;
	}
	atexit(console_give_back);
	fprintf(stderr, PROG ": console in graphics mode\n");
}

/* A mode's refresh period in us. */
static double period_us(const struct drm_mode_modeinfo *m)
{
	if (m->clock && m->htotal && m->vtotal)
		return (double)m->htotal * m->vtotal * 1000.0 / m->clock;
	return 1e6 / (m->vrefresh ? m->vrefresh : 60);
}

/* Standard deviation from sums; rounding may take the variance below 0. */
static double sd(double sum, double sq, size_t n)
{
	double mean = sum / n;

	return sqrt(fmax(sq / n - mean * mean, 0));
}

/* The whole periods an interval spans: one, or more after a miss. */
static double grid_periods(double g, double period)
{
	return fmax(1, round(g / period));
}

/* An interval's distance from its whole number of periods (late > 0). */
static double grid_off(double g, double period)
{
	return g - grid_periods(g, period) * period;
}

/*
 * Diagnostics, not figures: how the intervals' distances from whole periods
 * spread, and the worst few, largest first, with the intervals around
 * them. One timestamp off by d shows as +d then -d; the timestamps' phase
 * moving by d, as +d (or -d) alone. With each, where its timestamp lies
 * from its flip's issue and from the event's read: a timestamp at the
 * flip (stamp near 0) or at the frame-done's arrival (read near 0) is
 * not on the display's grid.
 * With several CRTCs the intervals are pooled in the order their events
 * came, so the neighbours may be another CRTC's.
 */
#define NEDGES	6
#define NWORST	4

static void paced_worst(unsigned int n, const struct run *r, double period)
{
	static const double edge[NEDGES] = { 250, 500, 1000, 2000, 4000, 8000 };
	unsigned int hist[2][NEDGES + 1] = { { 0 } };
	size_t i, w, worst[NWORST], nw = 0;
	unsigned int b;

	for (i = 0; i < r->gaps.n; i++) {
		double off = grid_off(r->gaps.v[i], period);

		for (b = 0; b < NEDGES && fabs(off) >= edge[b]; b++)
			;
		hist[off > 0][b]++;
		/* Into the worst few, kept largest first. */
		w = nw;
		while (w && fabs(grid_off(r->gaps.v[worst[w - 1]], period)) < fabs(off)) {
			if (w < NWORST)
				worst[w] = worst[w - 1];
			w--;
		}
		if (w < NWORST) {
			worst[w] = i;
			nw += nw < NWORST;
		}
	}
	fprintf(stderr, PROG ": %u CRTC(s): %zu intervals off whole periods by <250/500/1000/2000/4000/8000/more us: early",
		n, r->gaps.n);
	for (b = 0; b <= NEDGES; b++)
		fprintf(stderr, " %u", hist[0][b]);
	fprintf(stderr, ", late");
	for (b = 0; b <= NEDGES; b++)
		fprintf(stderr, " %u", hist[1][b]);
	fprintf(stderr, "\n");
	for (w = 0; w < nw; w++) {
		i = worst[w];
		fprintf(stderr, PROG ": %u CRTC(s): interval %zu of %zu: %.0f us (%+.0f), before it %+.0f, after it %+.0f; stamped %.0f us after the flip, read %.0f us after the stamp\n",
			n, i, r->gaps.n, r->gaps.v[i], grid_off(r->gaps.v[i], period),
			i ? grid_off(r->gaps.v[i - 1], period) : 0,
			i + 1 < r->gaps.n ? grid_off(r->gaps.v[i + 1], period) : 0,
			r->stamp.v[i], r->read.v[i]);
	}
}

/*
 * What a display-paced run shows a compositor: the jitter of the event
 * timestamps (standard deviation of a CRTC's consecutive intervals) and
 * the refresh periods that went by without a frame, per 100 frames. An
 * interval of two periods (a missed refresh) weighs in the jitter as
 * much as a timestamp a period off: flipsN-grid-jitter-us is the jitter
 * of each interval against its whole number of periods, what is left of
 * it when the missed refreshes are set apart.
 */
static void paced_figures(unsigned int n, const struct run *r, double period)
{
	double sum = 0, sq = 0, gsum = 0, gsq = 0, missed = 0, *dev;
	size_t i;

	if (!r->gaps.n)
		return;
	/* Without it only the percentiles are left out. */
	dev = calloc(r->gaps.n, sizeof(*dev));
	for (i = 0; i < r->gaps.n; i++) {
		double g = r->gaps.v[i], k = grid_periods(g, period);
		double off = g - k * period;

		sum += g;
		sq += g * g;
		gsum += off;
		gsq += off * off;
		if (dev)
			dev[i] = fabs(off);
		missed += k - 1;
	}
	printf("flips%u-fps-conn %.1f\n", n, r->lat.n / r->secs / n);
	printf("flips%u-jitter-us %.0f\n", n, sd(sum, sq, r->gaps.n));
	printf("flips%u-grid-jitter-us %.0f\n", n, sd(gsum, gsq, r->gaps.n));
	printf("flips%u-missed-pct %.1f\n", n, missed * 100.0 / r->lat.n);
	paced_worst(n, r, period);
	if (!dev)
		return;
	/* The typical interval and the tail, which the jitter mixes. */
	printf("flips%u-grid-dev-p50-us %.0f\n", n,
	       percentile(dev, r->gaps.n, 50));
	printf("flips%u-grid-dev-p90-us %.0f\n", n,
	       percentile(dev, r->gaps.n, 90));
	free(dev);
}

/*
 * The best of several runs: the host's other work only ever slows the
 * emulated machine down, and by much more than the drivers differ, so the
 * fastest run is the one that shows the drivers best.
 */
static int flips(unsigned int n, double secs, unsigned int runs, bool paced)
{
	struct run r[2], *cur = &r[0], *best = &r[1], *tmp;
	double rate, slowest = 0;
	struct pipe p[MAX_PIPES];
	const char *step;
	unsigned int i, k;
	int ret;

	if (!n || n > MAX_PIPES || !runs)
		return 2;
	memset(r, 0, sizeof(r));
	if (pipes_find(p, n))
		return 1;
	console_take();
	for (i = 0; i < n; i++) {
		struct drm_mode_crtc set = {
			.crtc_id = p[i].crtc,
			.set_connectors_ptr = (uintptr_t)&p[i].conn,
			.count_connectors = 1,
			.mode = p[i].mode,
			.mode_valid = 1,
		};

		if (fb_create(p[i].mode.hdisplay, p[i].mode.vdisplay, &p[i].fb[0], &step) ||
		    fb_create(p[i].mode.hdisplay, p[i].mode.vdisplay, &p[i].fb[1], &step))
			return step_fail(step);
		set.fb_id = p[i].fb[0].fb_id;
		if (ioctl(fd, DRM_IOCTL_MODE_SETCRTC, &set))
			return e2e_fail(PROG, "DRM_IOCTL_MODE_SETCRTC");
		fprintf(stderr, PROG ": crtc %u connector %u %s\n", p[i].crtc,
			p[i].conn, p[i].mode.name);
	}
	for (k = 0; k < runs; k++) {
		ret = flip_run(p, n, secs, cur);
		if (ret)
			return ret;
		rate = cur->lat.n / cur->secs;
		fprintf(stderr, PROG ": %u CRTC(s), run %u: %zu flips in %.2f s (%.1f/s); p50 %.0f us, p90 %.0f us, max %.0f us\n",
			n, k + 1, cur->lat.n, cur->secs, rate,
			percentile(cur->lat.v, cur->lat.n, 50),
			percentile(cur->lat.v, cur->lat.n, 90),
			percentile(cur->lat.v, cur->lat.n, 100));
		fprintf(stderr, PROG ": %u CRTC(s), run %u: /proc/stat (1/%ld s): user %lld, system+irq+softirq %lld, idle %lld, steal %lld, of %.0f; the client's own %.1f\n",
			n, k + 1, sysconf(_SC_CLK_TCK),
			cur->k1.uticks - cur->k0.uticks,
			cur->k1.kticks - cur->k0.kticks,
			cur->k1.idle - cur->k0.idle,
			cur->k1.steal - cur->k0.steal,
			(cur->k1.t - cur->k0.t) * cur->k0.cpus *
			sysconf(_SC_CLK_TCK),
			cur->user_secs * sysconf(_SC_CLK_TCK));
		if (n > 1)
			fprintf(stderr, PROG ": %u CRTC(s), run %u: wake-ups finding 0, 1, 2, 3, 4+ flip events: %zu %zu %zu %zu %zu\n",
				n, k + 1, cur->found[0], cur->found[1],
				cur->found[2], cur->found[3], cur->found[4]);
		if (!k || rate < slowest)
			slowest = rate;
		if (!k || rate > best->lat.n / best->secs) {
			tmp = best;
			best = cur;
			cur = tmp;
		}
	}
	printf("flips%u-rate %.1f\n", n, best->lat.n / best->secs);
	printf("flips%u-p50-us %.0f\n", n, percentile(best->lat.v, best->lat.n, 50));
	printf("flips%u-p99-us %.0f\n", n, percentile(best->lat.v, best->lat.n, 99));
	/* Runs on a quiet host are within a few percent of each other. */
	printf("flips%u-spread %.2f\n", n, best->lat.n / best->secs / slowest);
	if (best->lat.n && best->k0.kticks >= 0 && best->k1.kticks >= 0)
		printf("flips%u-kcpu-us %.0f\n", n,
		       (best->k1.kticks - best->k0.kticks) * 1e6 /
		       sysconf(_SC_CLK_TCK) / best->lat.n);
	/*
	 * The time the CPUs were not idle (all CPUs' time less their idle
	 * time), exact: the client's and the kernel's; and the kernel's share,
	 * that time less the client's own (user_stop()). Not less the steal
	 * time: a vCPU woken but not yet run is idle to the guest and runnable
	 * (steal) to Xen, counted twice.
	 */
	if (best->lat.n && best->k0.idle >= 0 && best->k1.idle >= 0 &&
	    best->k0.cpus == best->k1.cpus && best->k0.cpus > 0) {
		double busy = (best->k1.t - best->k0.t) * best->k0.cpus -
			(double)(best->k1.idle - best->k0.idle) /
			sysconf(_SC_CLK_TCK);

		printf("flips%u-cpu-us %.0f\n", n, busy * 1e6 / best->lat.n);
		if (best->user_secs >= 0) {
			printf("flips%u-user-us %.1f\n", n,
			       best->user_secs * 1e6 / best->lat.n);
			printf("flips%u-kbusy-us %.0f\n", n,
			       (busy - best->user_secs) * 1e6 / best->lat.n);
		}
	}
	/* bench.sh divides the instructions between the marks by the flips. */
	if (best->lat.n && best->k0.mark && best->k1.mark)
		printf("flips%u-insn-marks %u %u %zu\n", n, best->k0.mark,
		       best->k1.mark, best->lat.n);
	if (best->lat.n) {
		printf("flips%u-timer-irqs %.1f\n", n,
		       (best->k1.timer_irqs - best->k0.timer_irqs) * 100.0 / best->lat.n);
		printf("flips%u-ring-irqs %.1f\n", n,
		       (best->k1.ring_irqs - best->k0.ring_irqs) * 100.0 / best->lat.n);
		printf("flips%u-polls %.1f\n", n, run_wakeups(best) * 100.0 / best->lat.n);
		if (best->k0.ctxt >= 0 && best->k1.ctxt >= 0)
			printf("flips%u-ctxt %.1f\n", n,
			       (best->k1.ctxt - best->k0.ctxt) * 100.0 / best->lat.n);
	}
	if (paced)
		paced_figures(n, best, period_us(&p[0].mode));
	for (i = 0; i < n; i++)
		if (fb_destroy(&p[i].fb[0], &step) || fb_destroy(&p[i].fb[1], &step))
			return step_fail(step);
	for (k = 0; k < 2; k++) {
		free(r[k].lat.v);
		free(r[k].gaps.v);
		free(r[k].stamp.v);
		free(r[k].read.v);
	}
	return 0;
}

/* ---- buffers ---- */

static int buffers(uint32_t w, uint32_t h, unsigned int iters)
{
	double *ms = calloc(iters, sizeof(*ms)), t;
	const char *step;
	unsigned int i;
	struct fb fb;

	if (!ms || !iters)
		return 2;
	if (crtcs_off(0))
		return 1;
	/* Round 0 is not timed: first-use costs (grant table growth). */
	for (i = 0; i <= iters; i++) {
		t = now_s();
		if (fb_create(w, h, &fb, &step)) {
			/* A size the driver does not take is a result. */
			if (!i && (errno == EINVAL || errno == E2BIG || errno == ERANGE)) {
				printf("buf-%ux%u-ms refused:%s:%s\n", w, h,
				       strerrorname_np(errno), step);
				free(ms);
				return 0;
			}
			return step_fail(step);
		}
		if (fb_destroy(&fb, &step))
			return step_fail(step);
		if (i)
			ms[i - 1] = (now_s() - t) * 1e3;
	}
	/* The best, as for flips; the median for the log. */
	fprintf(stderr, PROG ": %ux%u: %u x create+addfb+rmfb+destroy, %llu bytes each: median %.1f ms, max %.1f ms\n",
		w, h, iters, (unsigned long long)fb.size, percentile(ms, iters, 50),
		percentile(ms, iters, 100));
	printf("buf-%ux%u-ms %.1f\n", w, h, ms[0]);
	free(ms);
	return 0;
}

/* ---- memory ---- */

/* /proc/meminfo fields shown when they move: where the memory went. */
static const char *const mem_fields[] = {
	"Slab:", "VmallocUsed:", "PageTables:", "Shmem:", "Cached:", "AnonPages:",
	"KernelStack:", "Percpu:",
};
#define N_FIELDS (sizeof(mem_fields) / sizeof(mem_fields[0]))

/* The slab caches of /proc/slabinfo (the merged ones under one name). */
#define MAX_CACHES 400

struct slab_cache {
	char name[40];
	long long objs, room, objsize, pages;
};

struct mem {
	long long free_pages, kib[N_FIELDS];
	unsigned int num_caches;
	struct slab_cache caches[MAX_CACHES];
};

/* The values of "KEY <n>" or "KEY: <n>" lines of a /proc file, summed. */
static long long proc_sum(const char *path, const char *key)
{
	size_t klen = strlen(key);
	long long sum = 0;
	char line[256];
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (fgets(line, sizeof(line), f)) {
		const char *s = line + strspn(line, " ");

		if (!strncmp(s, key, klen))
			sum += strtoll(s + klen, NULL, 10);
	}
	fclose(f);
	return sum;
}

/*
 * Objects in use, room (free objects in the slabs it holds) and pages of
 * each slab cache (SLUB counts the free objects of per-CPU slabs as in
 * use: the pages are what is sure; after slabs_shrink() all three are).
 * Allocations over 8 KiB (kmalloc_large) are in meminfo's Slab but in no
 * cache: the difference.
 */
static void slab_read(struct mem *m)
{
	FILE *f = fopen("/proc/slabinfo", "r");
	struct slab_cache *c;
	long long total, perslab, pages_per_slab, num_slabs;
	char line[512];

	m->num_caches = 0;
	if (!f)
		return;
	while (fgets(line, sizeof(line), f) && m->num_caches < MAX_CACHES) {
		c = &m->caches[m->num_caches];
		if (sscanf(line, "%39s %lld %lld %lld %lld %lld : tunables %*d %*d %*d : slabdata %*d %lld",
			   c->name, &c->objs, &total, &c->objsize, &perslab,
			   &pages_per_slab, &num_slabs) != 7)
			continue;
		c->room = total - c->objs;
		c->pages = num_slabs * pages_per_slab;
		m->num_caches++;
	}
	fclose(f);
}

/*
 * Every slab cache gives back its empty slabs and flushes its per-CPU
 * ones. Between readings, allocations served from the slabs a cache kept
 * take no free page, so whatever a driver takes from them looks free;
 * shrunk before each reading, the caches show what the buffers hold.
 */
static void slabs_shrink(void)
{
	DIR *d = opendir("/sys/kernel/slab");
	struct dirent *e;
	char path[320];
	int f;

	if (!d)
		return;
	while ((e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		snprintf(path, sizeof(path), "/sys/kernel/slab/%s/shrink", e->d_name);
		f = open(path, O_WRONLY);
		if (f < 0)
			continue;
		if (write(f, "1", 1) < 0)
			fprintf(stderr, PROG ": %s: %s\n", path, strerror(errno));
		close(f);
	}
	closedir(d);
}

/*
 * Free pages including the per-CPU free lists, which the zones' free count
 * leaves out and which swing by hundreds of pages; the per-CPU counter
 * deltas are folded first so that the counts are current. First a pause
 * of MEM_SETTLE_MS: the page cache's radix tree nodes of the buffers just
 * destroyed are freed after an RCU grace period, and a reading taken
 * before then would count them, and let the next round's nodes take new
 * slab pages or not, as the timer ticks fell.
 */
#define MEM_SETTLE_MS 200

static int mem_read(struct mem *m, bool shrink)
{
	struct timespec settle = { 0, MEM_SETTLE_MS * 1000000L };
	size_t i;
	int s;

	nanosleep(&settle, NULL);
	if (shrink)
		slabs_shrink();
	s = open("/proc/sys/vm/stat_refresh", O_WRONLY);
	if (s >= 0) {
		/* EINVAL if some counter is negative: folded all the same. */
		if (write(s, "1", 1) < 0 && errno != EINVAL)
			fprintf(stderr, PROG ": stat_refresh: %s\n", strerror(errno));
		close(s);
	}
	m->free_pages = proc_sum("/proc/zoneinfo", "pages free") +
			proc_sum("/proc/zoneinfo", "count:");
	for (i = 0; i < N_FIELDS; i++)
		m->kib[i] = proc_sum("/proc/meminfo", mem_fields[i]);
	slab_read(m);
	return m->free_pages > 0 && m->kib[0] > 0 ? 0 : -1;
}

/* "FIELD +N" for each field that moved by a page or more, per buffer. */
static void mem_moves(const char *what, const struct mem *a, const struct mem *b,
		      unsigned int count)
{
	size_t i;

	fprintf(stderr, PROG ":   %s, KiB per buffer:", what);
	for (i = 0; i < N_FIELDS; i++)
		if (llabs(b->kib[i] - a->kib[i]) >= 4)
			fprintf(stderr, " %s %+.1f", mem_fields[i],
				(b->kib[i] - a->kib[i]) / (double)count);
	fputc('\n', stderr);
}

/*
 * The slab caches whose objects in use moved, per buffer: objects, their
 * KiB, and the KiB of the cache's pages (less than the objects' when
 * they went into slabs the cache kept from before), and the room the
 * cache had for them before (free objects in its slabs, all buffers
 * together: what the system held already); then the Slab KiB in
 * no cache: kmalloc_large, allocations over 8 KiB, page by page. Returns
 * the KiB of the objects and of those allocations per buffer: what the
 * buffers took, however the caches packed it into pages.
 */
static double slab_moves(const char *what, const struct mem *a,
			 const struct mem *b, unsigned int count)
{
	long long kib_per_page = sysconf(_SC_PAGESIZE) / 1024, pages = 0, objs;
	double objs_kib = 0, large_kib;
	unsigned int i, j;

	fprintf(stderr, PROG ":   %s, slab caches per buffer (objects, their KiB, pages' KiB, room before):",
		what);
	for (i = 0; i < b->num_caches; i++) {
		const struct slab_cache *cb = &b->caches[i], *ca = NULL;

		for (j = 0; j < a->num_caches && !ca; j++)
			if (!strcmp(a->caches[j].name, cb->name))
				ca = &a->caches[j];
		objs = cb->objs - (ca ? ca->objs : 0);
		pages += cb->pages - (ca ? ca->pages : 0);
		objs_kib += objs * cb->objsize / 1024.0 / count;
		if (llabs(objs) * 2 < count && ca && ca->pages == cb->pages)
			continue;
		fprintf(stderr, " %s %+.2f %+.2f %+.1f %lld", cb->name,
			objs / (double)count, objs * cb->objsize / 1024.0 / count,
			(cb->pages - (ca ? ca->pages : 0)) * kib_per_page /
			(double)count, ca ? ca->room : 0);
	}
	large_kib = (b->kib[0] - a->kib[0] - pages * kib_per_page) /
		    (double)count;
	fprintf(stderr, "; in no cache %+.1f\n", large_kib);
	return objs_kib + large_kib;
}

static int memory(uint32_t w, uint32_t h, unsigned int count, unsigned int rounds)
{
	struct fb *fbs = calloc(count, sizeof(*fbs));
	double *beyond = calloc(rounds, sizeof(double));
	double *slab = calloc(rounds, sizeof(double));
	double *kept = calloc(rounds, sizeof(double));
	double *shrunk = calloc(rounds, sizeof(double));
	double *objects = calloc(rounds, sizeof(double));
	long long page = sysconf(_SC_PAGESIZE), pixels;
	static struct mem m0, m1, m2;
	const char *step;
	unsigned int r, i;
	double objs_kib;
	bool shrink;

	if (!fbs || !beyond || !slab || !kept || !shrunk || !objects ||
	    !count || !rounds)
		return 2;
	if (crtcs_off(0))
		return 1;
	pixels = ((long long)w * h * 4 + page - 1) / page * page;
	/*
	 * As the system runs, then with the slab caches shrunk. Round 0 is
	 * not counted: first-use costs (grant table, caches).
	 */
	for (shrink = false; ; shrink = true) {
		for (r = 0; r <= rounds; r++) {
			if (mem_read(&m0, shrink))
				return e2e_fail(PROG, "/proc/zoneinfo or /proc/meminfo");
			for (i = 0; i < count; i++)
				if (fb_create(w, h, &fbs[i], &step))
					return step_fail(step);
			mem_read(&m1, shrink);
			for (i = 0; i < count; i++)
				if (fb_destroy(&fbs[i], &step))
					return step_fail(step);
			mem_read(&m2, shrink);
			fprintf(stderr, PROG ": round %u%s: %u buffers of %lld bytes: %lld pages used, %lld not given back\n",
				r, shrink ? ", slab caches shrunk" : "", count, pixels,
				m0.free_pages - m1.free_pages,
				m0.free_pages - m2.free_pages);
			mem_moves("create", &m0, &m1, count);
			mem_moves("destroy", &m1, &m2, count);
			objs_kib = slab_moves("create", &m0, &m1, count);
			if (!r)
				continue;
			if (shrink) {
				shrunk[r - 1] = ((m0.free_pages - m1.free_pages) * page /
						 (double)count - pixels) / 1024;
				objects[r - 1] = objs_kib;
				continue;
			}
			beyond[r - 1] = ((m0.free_pages - m1.free_pages) * page / (double)count - pixels) / 1024;
			slab[r - 1] = (m1.kib[0] - m0.kib[0]) / (double)count;
			kept[r - 1] = (m0.free_pages - m2.free_pages) * page / (double)count / 1024;
		}
		if (shrink)
			break;
	}
	printf("mem-%ux%u-beyond-kib %.1f\n", w, h, percentile(beyond, rounds, 50));
	printf("mem-%ux%u-slab-kib %.1f\n", w, h, percentile(slab, rounds, 50));
	printf("mem-%ux%u-kept-kib %.1f\n", w, h, percentile(kept, rounds, 50));
	printf("mem-%ux%u-shrunk-kib %.1f\n", w, h, percentile(shrunk, rounds, 50));
	printf("mem-%ux%u-objects-kib %.1f\n", w, h, percentile(objects, rounds, 50));
	free(fbs);
	free(beyond);
	free(slab);
	free(kept);
	free(shrunk);
	free(objects);
	return 0;
}

/* ---- the guest's CPU ---- */

/*
 * A fixed amount of arithmetic: how much CPU the guest gets at the moment.
 * Other work on the host slows the emulated machine down, and it does not
 * load it evenly over a run.
 */
static int spin(const char *name)
{
	volatile uint32_t sink;
	uint32_t v = 1, i;
	double t = now_s();

	for (i = 0; i < 20000000; i++)
		v = v * 1664525u + 1013904223u;
	sink = v;
	(void)sink;
	printf("cpu-%s-ms %.0f\n", name, (now_s() - t) * 1e3);
	return 0;
}

/* Whether the xenbus device in DEVDIR has a DRM card. */
static int has_card(const char *devdir)
{
	char path[256];
	struct dirent *e;
	int found = 0;
	DIR *d;

	snprintf(path, sizeof(path), "%s/drm", devdir);
	d = opendir(path);
	if (!d)
		return 0;
	while (!found && (e = readdir(d)))
		found = !strncmp(e->d_name, "card", 4);
	closedir(d);
	return found;
}

/*
 * The kernel's uevents (what udev listens to), or -1: a card's "add"
 * wakes load() instead of a poll of sysfs, which would take the guest's
 * one vCPU from the load it times.
 */
static int uevents(void)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = 1 };
	int fd;

	fd = socket(AF_NETLINK, SOCK_DGRAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
		    NETLINK_KOBJECT_UEVENT);
	if (fd < 0) {
		e2e_fail(PROG, "uevent socket");
		return -1;
	}
	if (bind(fd, (struct sockaddr *)&sa, sizeof(sa))) {
		e2e_fail(PROG, "uevent bind");
		close(fd);
		return -1;
	}
	return fd;
}

/*
 * From the start of the driver's insmod commands to each device's card.
 * The cards are looked for whenever a uevent comes (sysfs has no change
 * notification of its own), the script's end is seen through its pidfd:
 * between them nothing runs, as at boot. A poll timeout of 100 ms is the
 * backstop of a lost uevent (the socket's buffer full).
 */
static int load(const char *script, char **devdirs, int n)
{
	double t0, script_ms = -1, card_ms = 0, ms;
	int i, nl, pidfd, left = n, status = 0;
	int seen[MAX_PIPES] = { 0 };
	struct pollfd pfd[2];
	char buf[4096];
	pid_t pid;

	if (n > MAX_PIPES) {
		fprintf(stderr, PROG ": load: at most %d devices\n", MAX_PIPES);
		return 2;
	}
	nl = uevents();
	if (nl < 0)
		return 1;
	t0 = now_s();
	pid = fork();
	if (pid < 0) {
		close(nl);
		return e2e_fail(PROG, "fork");
	}
	if (!pid) {
		execl("/bin/sh", "sh", script, (char *)NULL);
		_exit(127);
	}
	pidfd = syscall(SYS_pidfd_open, pid, 0);
	if (pidfd < 0) {
		e2e_fail(PROG, "pidfd_open");
		waitpid(pid, &status, 0);
		close(nl);
		return 1;
	}
	pfd[0] = (struct pollfd){ .fd = nl, .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = pidfd, .events = POLLIN };
	while ((left || script_ms < 0) && now_s() - t0 < 30) {
		for (i = 0; i < n; i++) {
			if (seen[i] || !has_card(devdirs[i]))
				continue;
			seen[i] = 1;
			left--;
			ms = (now_s() - t0) * 1e3;
			card_ms = ms > card_ms ? ms : card_ms;
			fprintf(stderr, PROG ": %s: card after %.1f ms\n",
				devdirs[i], ms);
		}
		if (script_ms < 0 && waitpid(pid, &status, WNOHANG) == pid) {
			script_ms = (now_s() - t0) * 1e3;
			pfd[1].fd = -1;
		}
		if (!left && script_ms >= 0)
			break;
		if (poll(pfd, 2, 100) < 0 && errno != EINTR) {
			e2e_fail(PROG, "poll");
			break;
		}
		while (recv(nl, buf, sizeof(buf), 0) > 0)
			;
	}
	close(pidfd);
	close(nl);
	if (script_ms < 0) {
		fprintf(stderr, PROG ": %s still running after 30 s\n", script);
		return 1;
	}
	if (!WIFEXITED(status) || WEXITSTATUS(status)) {
		fprintf(stderr, PROG ": %s failed (status %#x)\n", script, status);
		return 1;
	}
	if (left) {
		fprintf(stderr, PROG ": %d device(s) without a card after 30 s\n",
			left);
		return 1;
	}
	printf("load-script-ms %.1f\n", script_ms);
	printf("load-to-card-ms %.1f\n", card_ms);
	return 0;
}

static unsigned int arg(const char *s)
{
	return (unsigned int)strtoul(s, NULL, 0);
}

/*
 * With E2E_BENCH_HOLD set: once the figures are out, tells the parent
 * (SIGUSR1) and keeps the card, and the mode it set, until the parent
 * answers (SIGUSR2; HOLD_MAX_S at most), so that what the backend counted
 * for the client's flips can be read before the client's exit brings the
 * console back (ours' fbdev sets its mode on every connector and redraws
 * it, which the backend would count with the client's frames). Signals,
 * not a file polled: a shell polling beside the measurement takes the
 * guest's CPU from it.
 */
#define HOLD_MAX_S 120

static void hold(void)
{
	struct timespec max = { HOLD_MAX_S, 0 };
	sigset_t set;

	if (!getenv("E2E_BENCH_HOLD"))
		return;
	sigemptyset(&set);
	sigaddset(&set, SIGUSR2);
	if (sigprocmask(SIG_BLOCK, &set, NULL) || kill(getppid(), SIGUSR1)) {
		fprintf(stderr, PROG ": hold: %s\n", strerror(errno));
		return;
	}
	if (sigtimedwait(&set, NULL, &max) < 0)
		fprintf(stderr, PROG ": hold: no answer in %d s\n", HOLD_MAX_S);
}

int main(int argc, char **argv)
{
	const char *cmd = argc > 1 ? argv[1] : "";
	int ok = (!strcmp(cmd, "spin") && argc == 3) ||
		 (!strcmp(cmd, "flips") && (argc == 6 ||
					     (argc == 7 && !strcmp(argv[6], "paced")))) ||
		 (!strcmp(cmd, "buffers") && argc == 6) ||
		 (!strcmp(cmd, "memory") && argc == 7) ||
		 (!strcmp(cmd, "load") && argc >= 4);
	char name[64];

	if (!ok) {
		fprintf(stderr, "usage: " PROG " spin NAME\n"
				"       " PROG " flips CARD CONNECTORS SECONDS RUNS [paced]\n"
				"       " PROG " buffers CARD WIDTH HEIGHT ITERATIONS\n"
				"       " PROG " memory CARD WIDTH HEIGHT COUNT ROUNDS\n"
				"       " PROG " load SCRIPT DEVDIR...\n");
		return 2;
	}
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (getenv("E2E_BENCH_MARK"))
		mark_fd = open(getenv("E2E_BENCH_MARK"), O_WRONLY | O_CLOEXEC);
	if (!strcmp(cmd, "spin"))
		return spin(argv[2]);
	if (!strcmp(cmd, "load"))
		return load(argv[2], argv + 3, argc - 3);
	fd = open(argv[2], O_RDWR | O_CLOEXEC);
	if (fd < 0)
		return e2e_fail(PROG, argv[2]);
	if (e2e_driver_name(fd, name, sizeof(name)))
		return e2e_fail(PROG, "DRM_IOCTL_VERSION");
	fprintf(stderr, PROG ": %s: driver %s\n", argv[2], name);
	if (!strcmp(cmd, "flips")) {
		int ret = flips(arg(argv[3]), strtod(argv[4], NULL), arg(argv[5]),
				argc == 7);

		if (!ret)
			hold();
		return ret;
	}
	if (!strcmp(cmd, "buffers"))
		return buffers(arg(argv[3]), arg(argv[4]), arg(argv[5]));
	return memory(arg(argv[3]), arg(argv[4]), arg(argv[5]), arg(argv[6]));
}
