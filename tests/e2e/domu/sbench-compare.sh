# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario "bench" (`make bench`: scripts/bench.sh boots with
# e2e.domu=bench e2e.scenarios=bench): the same measurements (e2e-bench)
# with our module and with Debian's drm_xen_front, on the same device and
# backend, in rounds: ours, then upstream (upstream first in even rounds),
# each loaded, measured and unloaded, e2e.bench-rounds=N times (default
# 3). The host's other work slows the emulated machine down unevenly over
# a boot, for seconds to minutes; a round's two drivers run next to each
# other, so the host compares them round by round (the median of the
# rounds' ratios), not boot-long averages. Within a round the flips, the
# figures the host's noise hits most, are measured last for the first
# driver and first for the second, in mirrored order: each pair of flip
# runs is seconds apart, not the length of a round.
# Prints for the host, besides the results of "bench ran" checks:
#   E2E-BENCH <ours|upstream>.<round> <metric> <value>
# The metrics are e2e-bench's, plus kernel-splats (kernel log lines that
# look like a splat while that driver was loaded or unloading).
# cpu-start-ms and cpu-end-ms time a fixed loop around each driver's
# measurements: they say how much the host slowed the guest down.
# idle-nocon-timer-irqs and idle-nocon-ring-irqs: interrupts per second
# of the guest's timer and of the driver's event channels, all vCPUs
# together, while nothing runs but what the driver does by itself, fbcon
# unbound from the console; idle-*: the same with fbcon on ours'
# connectors (ours alone: upstream has no fbdev, and idles as unbound);
# each over two windows, one as the driver's measurements start and one
# as they end.
# load-to-card-ms: from the start of the driver's insmod commands (the
# modules it alone needs: ours loads drm_shmem_helper, upstream
# xen_front_pgdir_shbuf; the DRM core both need is loaded before the
# rounds) to the card of the last of the DomU's devices, each load
# started as at boot, the backend waiting in InitWait (see
# sb_frontends_back). load-to-fbcon-ms (ours): from the same start to
# fbcon's console on the first device, by the kernel log's clock: "fb0:
# ... frame buffer device" comes once fbcon took the display over, its
# mode set by the backend (asked, too, whether it showed a frame: the two
# clocks differ).
# After the rounds, loads alone, in pairs (ours, upstream), up to
# SB_LOADS pairs in all: a load is short and the host's noise large.

# Upstream where the guest's kernel has it (not on arm64).
SB_DRIVERS=ours
[ -s /etc/e2e/upstream-modules ] && SB_DRIVERS="ours upstream"
SB_ROUNDS=${E2E_BENCH_ROUNDS:-3}
# Seconds of flipping per run and runs (e2e-bench keeps the best); buffers
# per timing; buffers held at once and rounds of the memory measurement
# (8 1080p buffers: 66 MB, 16200 grants, well within the DomU's 512 MB and
# its grant table); seconds of idleness counted, and traced
# (BENCH_TRACE). An idle guest takes 12 to 20 timer interrupts a second:
# 5 s counted 60 to 100, as far apart from one window to the next as the
# two drivers were, and whole interrupts a second hid the rest. 15 s cost
# little in virtual time, which skips the idle guest's time.
SB_FLIP_SECS=3
SB_FLIP_RUNS=3
SB_BUF_ITERS=10
SB_MEM_COUNT=8
SB_MEM_ROUNDS=3
SB_IDLE_SECS=15
SB_IDLE_TRACE_SECS=5
SB_LOADS=5
# Where BENCH_TRACE's tracers are (debugfs is mounted by the init).
SB_TRACEFS=/sys/kernel/debug/tracing
# A backend paced at its display's refresh (make bench's x86-pv-paced):
# the flip measurements also give what a compositor sees of it.
SB_PACED=${E2E_BENCH_PACED:+paced}
# make bench's BENCH_TRACE=1: where the kernel's time goes while flipping.
SB_TRACE=${E2E_BENCH_TRACE:-}
# make bench's BENCH_PROFILE=1: the DRM modules' functions, for the
# instruction profile (scripts/bench-profile.py; the kernel's own come
# from the Dom0, which runs the same kernel).
SB_PROFILE=${E2E_BENCH_PROFILE:-}
SB_PROFILE_MODS='xen_drm_front|drm_xen_front|xen_front_pgdir_shbuf|drm|drm_kms_helper|drm_shmem_helper'
SB_SPLAT='BUG:|WARNING:|kernel BUG at|Oops|general protection|Kernel panic|Call Trace:'

sbench_plan() {
	local r=0 d
	echo bench-warm-up
	while [ $r -lt "$SB_ROUNDS" ]; do
		r=$((r + 1))
		for d in $SB_DRIVERS; do
			echo "bench-$d.$r-load bench-$d.$r-flips1 bench-$d.$r-flips4"
			echo "bench-$d.$r-buf-1080p bench-$d.$r-buf-4k"
			echo "bench-$d.$r-memory bench-$d.$r-unload"
		done
	done
	echo bench-load-pairs
}

# sb_bench TAG NAME E2E-BENCH-ARGS...: one measurement, its figures
# tagged (driver.round), its diagnostics as E2E-INFO. With SB_HELD set
# to a command, e2e-bench keeps the card once its figures are out
# (E2E_BENCH_HOLD: it sends this shell SIGUSR1, which ends the wait, and
# waits for SIGUSR2) while this shell runs the command, whose output
# follows the figures.
SB_HELD=
SB_IS_HELD=
sb_bench() {
	local tag=$1 name=$2 rc pid
	shift 2
	SB_IS_HELD=
	if [ -n "$SB_HELD" ]; then
		trap 'SB_IS_HELD=1' USR1
		E2E_BENCH_HOLD=1 e2e-bench "$@" >/tmp/sb.out 2>/tmp/sb.err &
		pid=$!
		wait $pid
		rc=$?
		if [ -n "$SB_IS_HELD" ]; then
			# shellcheck disable=SC2086 # SB_HELD: a command and its words
			$SB_HELD >/tmp/sb-held.out
			kill -USR2 $pid
			wait $pid
			rc=$?
		fi
		trap - USR1
	else
		e2e-bench "$@" >/tmp/sb.out 2>/tmp/sb.err
		rc=$?
	fi
	sed "s/^/E2E-BENCH $tag /" /tmp/sb.out
	sed "s/^/E2E-INFO $tag: /" /tmp/sb.err
	[ -z "$SB_IS_HELD" ] || cat /tmp/sb-held.out
	check "bench-$tag-$name" "e2e-bench $* exited with $rc: $(tail -n 1 /tmp/sb.err)" [ $rc = 0 ]
}

# sb_flips TAG CARD N: the flip measurement on N connectors. Paced, also
# how many of the backend's ticks it served late (its answer to "vsync",
# which counts them from the last one, in runs of flips: not a lone flip,
# while Dom0 serves this script's requests), read while the client still
# holds the card: flipsN-be-late-pct (by 1 ms or more) and
# flipsN-be-late4-pct (4 ms), per 100 ticks; late ticks delay the
# frame-dones, whatever the driver. Until 2026-12-06 they were read after
# the client's exit, and counted the frames of ours' console coming back
# (its mode set on four connectors and redrawn): the tick after the first
# of them was late in most of ours' measurements, 2 to 12 ms (the
# backend's log of 00:45: "paced tick 2 of a run", each 0.35 s before the
# count was read), Dom0 waiting for the guest's two vCPUs. (A first try
# polled for a file beside the flips: every tick 1 ms late in 15 of 100,
# both drivers, and the guest's kernel time a flip nine times as much.)
sb_flips() {
	local tag=$1 n=$3
	if [ -z "$SB_PACED" ]; then
		sb_bench "$tag" "flips$n" flips "$2" "$n" $SB_FLIP_SECS $SB_FLIP_RUNS
		return 0
	fi
	ctl be vsync on >/dev/null
	SB_HELD="sb_be_late $tag $n"
	sb_bench "$tag" "flips$n" flips "$2" "$n" $SB_FLIP_SECS $SB_FLIP_RUNS paced
	SB_HELD=
}
# sb_be_late TAG N: the backend's late ticks since the last "vsync".
sb_be_late() {
	local tag=$1 n=$2 t
	# The tag: make bench's Dom0 trace says whose run it was.
	if ! ctl be vsync on "$tag-flips$n" >/dev/null; then
		echo "E2E-INFO $tag: backend: vsync on: $CTL_OUT"
		return 0
	fi
	echo "E2E-INFO $tag: backend: $CTL_OUT"
	t=$(echo "$CTL_OUT" | sed -n 's/.*; ticks \([0-9]*\) late-1ms \([0-9]*\) late-4ms \([0-9]*\).*/\1 \2 \3/p')
	[ -n "$t" ] || return 0
	echo "$t" | awk -v tag="$tag" -v n="$n" '$1 {
		printf "E2E-BENCH %s flips%s-be-late-pct %.1f\n", tag, n, $2 * 100 / $1
		printf "E2E-BENCH %s flips%s-be-late4-pct %.1f\n", tag, n, $3 * 100 / $1
	}'
}

# sb_flip_extras TAG CARD: what else flips (traced, Weston, one vCPU).
sb_flip_extras() {
	[ -n "$SB_TRACE" ] && sb_trace "$1" "$2" &&
		sb_graph "$1" "$2" 1 && sb_graph "$1" "$2" 4 && sb_seq "$1" "$2" 4
	[ -n "$SB_PACED" ] && sb_weston "$1" "$2"
	[ -z "$SB_PACED" ] && [ -w $SB_CPU1 ] && sb_one_cpu "$1" "$2"
}

# sb_buffers TAG CARD: buffer times.
sb_buffers() {
	sb_bench "$1" buf-1080p buffers "$2" 1920 1080 $SB_BUF_ITERS
	sb_bench "$1" buf-4k buffers "$2" 3840 2160 $SB_BUF_ITERS
}

# sb_memory TAG: what a buffer takes, the driver's last measurement (it
# counts, not times). Ours is loaded again for it without its console
# (fbdev=0), as upstream has none: the console's framebuffers, shmem
# objects whose page cache nodes stay while the module is loaded, took
# the room partly used slabs had, so that the same objects of a buffer
# landed on more new slab pages in ours' rounds than in upstream's (slab
# KiB as the system runs 1.04, every pair 1.00 to 1.08, in the runs of
# 2026-12-05 and 06). Without it the pairs fell either side (0.96 to
# 1.08, 2026-12-06 03:55): what is left follows the slab room each round
# happens to begin with (README).
sb_memory() {
	local tag=$1 card out
	if [ "${tag%.*}" = ours ]; then
		out=$(sb_unload_ours)
		if ! sb_ours_unloaded; then
			result FAIL "bench-$tag-memory" "ours not unloaded: $out"
			return
		fi
		wait_until 15 all_disconnected
		sb_script /etc/e2e/modules "$MODULE fbdev=0" >/tmp/sb-ours-nocon.sh
		sh /tmp/sb-ours-nocon.sh >/tmp/sb.err 2>&1
		sed "s/^/E2E-INFO $tag: no console: /" /tmp/sb.err
		if ! sb_connected; then
			result FAIL "bench-$tag-memory" "ours loaded fbdev=0: no card"
			return
		fi
	fi
	card=$(card_of "${DEVS%% *}")
	sb_bench "$tag" memory memory "$card" 1920 1080 $SB_MEM_COUNT $SB_MEM_ROUNDS
}

# sb_measure TAG FIRST: every figure, on the card of the first device;
# FIRST 1 for the round's first driver (its flips last), 0 for the second
# (its flips first); the idle guest both first and last (sb_idle).
sb_measure() {
	local tag=$1 first=$2 card n
	card=$(card_of "${DEVS%% *}")
	[ -z "$SB_PROFILE" ] || grep -E " [tT] [^ ]+	\[($SB_PROFILE_MODS)\]\$" \
		/proc/kallsyms | sed "s/^/E2E-KSYM $tag /"
	if [ -z "$card" ]; then
		for n in flips1 flips4 buf-1080p buf-4k memory; do
			result FAIL "bench-$tag-$n" "no card"
		done
		return
	fi
	mark "bench-$tag"
	sb_idle "$tag" start
	e2e-bench spin start | sed "s/^/E2E-BENCH $tag /"
	if [ "$first" = 1 ]; then
		sb_buffers "$tag" "$card"
		sb_flip_extras "$tag" "$card"
		sb_flips "$tag" "$card" 1
		sb_flips "$tag" "$card" 4
	else
		sb_flips "$tag" "$card" 4
		sb_flips "$tag" "$card" 1
		sb_flip_extras "$tag" "$card"
		sb_buffers "$tag" "$card"
	fi
	e2e-bench spin end | sed "s/^/E2E-BENCH $tag /"
	sb_idle "$tag" end
	sb_memory "$tag"
}

# sb_graph TAG CARD N: one more flip run on N connectors, under the
# function_graph tracer from the system calls a flip takes, the commit
# worker and both drivers' interrupt handlers: where each driver's time
# goes, function by function (tests/e2e/domu/graph.awk), both drivers
# slowed alike. Only the DRM modules' functions and a few of the core's
# are traced (patching them all stalls the CPU for long under TCG), so
# the depths are of traced functions; a function's time holds what it
# calls, traced or not, and the interrupts that came meanwhile.
SB_GRAPH_ROOTS="drm_mode_page_flip_ioctl commit_work drm_read drm_poll
	xdf_req_irq xdf_evt_irq evtchnl_interrupt_ctrl evtchnl_interrupt_evt"
SB_GRAPH_FUNCS="*:mod:drm *:mod:drm_kms_helper *:mod:drm_shmem_helper
	*:mod:xen_drm_front *:mod:drm_xen_front *:mod:xen_front_pgdir_shbuf
	notify_remote_via_irq xen_irq_lateeoi queue_work_on try_to_wake_up
	__wake_up complete complete_all mod_delayed_work_on
	__queue_delayed_work hrtimer_start_range_ns hrtimer_try_to_cancel
	ktime_get __kmalloc kmalloc_trace kfree schedule"
sb_graph() {
	local tag=$1 card=$2 n=$3 t=$SB_TRACEFS o f
	[ -d $t ] || return
	echo 0 >$t/tracing_on
	: >$t/set_ftrace_filter
	set -f
	for f in $SB_GRAPH_FUNCS; do
		echo "$f" >>$t/set_ftrace_filter 2>/dev/null
	done
	set +f
	for f in $SB_GRAPH_ROOTS; do
		echo "$f" >>$t/set_graph_function 2>/dev/null
	done
	echo function_graph >$t/current_tracer || {
		echo "E2E-INFO $tag: no function_graph tracer"
		: >$t/set_graph_function
		: >$t/set_ftrace_filter
		return
	}
	echo "E2E-INFO $tag: graph: $(grep -c . $t/set_ftrace_filter) functions, roots $(tr '\n' ' ' <$t/set_graph_function)"
	for o in sleep-time funcgraph-irqs funcgraph-cpu funcgraph-overhead \
		funcgraph-proc; do
		echo 0 >"$t/options/$o"
	done
	echo 1 >$t/options/funcgraph-tail
	echo >$t/trace
	echo 1 >$t/tracing_on
	# shellcheck disable=SC2086 # SB_PACED: no argument or one
	e2e-bench flips "$card" "$n" $SB_FLIP_SECS 1 $SB_PACED >/tmp/sb-graph.out 2>&1
	echo 0 >$t/tracing_on
	sed "s/^/E2E-TRACE $tag graph$n-run /" /tmp/sb-graph.out
	awk -v tag="$tag" -v kind="graph$n" -f /etc/e2e/graph.awk $t/trace |
		sort -k5,5nr
	echo nop >$t/current_tracer
	: >$t/set_graph_function
	: >$t/set_ftrace_filter
	echo >$t/trace
}

# sb_seq TAG CARD N: one more N-connector flip run, its scheduler and
# commit works traced: where the client's wake-ups fall among the commits
# of its flips (tests/e2e/domu/seq.awk), beside the run's own count of the
# events each wake-up found. "E2E-TRACE <tag> seq<N> <name> <count>", the
# run's own output as "E2E-TRACE <tag> seq<N>-run ...".
SB_SEQ_EVENTS="sched/sched_switch workqueue/workqueue_queue_work
	workqueue/workqueue_execute_start workqueue/workqueue_execute_end"
sb_seq() {
	local tag=$1 card=$2 n=$3
	[ -d $SB_TRACEFS ] || return
	sb_events_on "$SB_SEQ_EVENTS"
	# shellcheck disable=SC2086 # SB_PACED: no argument or one
	e2e-bench flips "$card" "$n" $SB_FLIP_SECS 1 $SB_PACED >/tmp/sb-seq.out 2>&1
	sb_events_off "$SB_SEQ_EVENTS"
	sed "s/^/E2E-TRACE $tag seq$n-run /" /tmp/sb-seq.out
	awk -v tag="$tag" -v kind="seq$n" -f /etc/e2e/seq.awk $SB_TRACEFS/trace |
		sort -k4,4
	echo >$SB_TRACEFS/trace
}

# sb_trace TAG CARD: one more one-connector flip run, traced (not one of
# the figures: tracing slows it down). The timer ticks sample where the
# CPUs are (a stack at each tick: idle, user space, or the kernel
# function interrupted and what it runs for: the syscall or the work);
# which interrupts, timers, works and wake-ups fired, how often; and a
# flip's phases (tests/e2e/domu/trace.awk). "E2E-TRACE <tag> <kind>
# <name> <count>" lines ("phase-us <phase> <mean us>" for the phases), the
# run's own figures as "E2E-TRACE <tag> run ...".
SB_TRACE_EVENTS="timer/hrtimer_expire_entry timer/timer_expire_entry
	workqueue/workqueue_execute_start irq/irq_handler_entry sched/sched_wakeup
	sched/sched_switch"
SB_TRACE_STACK=timer/hrtimer_expire_entry
sb_trace() {
	local tag=$1 card=$2
	[ -d $SB_TRACEFS ] || { echo "E2E-INFO $tag: no tracefs"; return; }
	sb_events_on "$SB_TRACE_EVENTS" $SB_TRACE_STACK
	# shellcheck disable=SC2086 # SB_PACED: no argument or one
	E2E_BENCH_MARK=$SB_TRACEFS/trace_marker \
		e2e-bench flips "$card" 1 $SB_FLIP_SECS 1 $SB_PACED >/tmp/sb-trace.out 2>&1
	sb_events_off "$SB_TRACE_EVENTS" $SB_TRACE_STACK
	sed "s/^/E2E-TRACE $tag run /" /tmp/sb-trace.out
	awk -v tag="$tag" -f /etc/e2e/trace.awk $SB_TRACEFS/trace | sort -k3,3 -k5,5nr
	sb_trace_slow "$tag"
	echo >$SB_TRACEFS/trace
}
# sb_trace_slow TAG: the trace's last SB_SLOW_MS before each of the first
# SB_SLOW_MAX events e2e-bench marked slow (read more than a period and a
# bit after their flip), stacks left out: "E2E-TRACE <tag> slow <line>".
# The trace clock is CLOCK_MONOTONIC's, as the marks' and the events'.
SB_SLOW_MS=40
SB_SLOW_MAX=4
sb_trace_slow() {
	awk -v tag="$1" -v kind=slow -v mark=e2e-slow -v win=$SB_SLOW_MS \
		-v max=$SB_SLOW_MAX -f /etc/e2e/trace-window.awk \
		$SB_TRACEFS/trace $SB_TRACEFS/trace
}
# sb_events_on EVENTS [STACK]: trace EVENTS (tracefs names), a stack at
# each STACK event; sb_events_off EVENTS [STACK] stops them.
sb_events_on() {
	local t=$SB_TRACEFS e
	echo 0 >$t/tracing_on
	echo mono >$t/trace_clock
	echo 16384 >$t/buffer_size_kb
	for e in $1; do echo 1 >"$t/events/$e/enable"; done
	[ -z "${2:-}" ] || echo stacktrace >"$t/events/$2/trigger"
	echo >$t/trace
	echo 1 >$t/tracing_on
}
sb_events_off() {
	local t=$SB_TRACEFS e
	echo 0 >$t/tracing_on
	[ -z "${2:-}" ] || echo '!stacktrace' >"$t/events/$2/trigger"
	for e in $1; do echo 0 >"$t/events/$e/enable"; done
}

# sb_trace_idle TAG KIND: the idle guest once more, traced as sb_trace
# traces a flip run: which interrupts, timers and works wake it, and where
# its ticks find it ("E2E-TRACE <tag> <KIND>-<kind> <name> <count>", KIND
# idle or idle-nocon).
sb_trace_idle() {
	[ -d $SB_TRACEFS ] || return
	sb_events_on "$SB_TRACE_EVENTS" $SB_TRACE_STACK
	sleep $SB_IDLE_TRACE_SECS
	sb_events_off "$SB_TRACE_EVENTS" $SB_TRACE_STACK
	awk -v tag="$1" -f /etc/e2e/trace.awk $SB_TRACEFS/trace |
		sed "s/^\(E2E-TRACE [^ ]* \)/\1$2-/" | sort -k3,3 -k5,5nr
	echo >$SB_TRACEFS/trace
}

# sb_one_cpu TAG CARD: with a second vCPU, the four-connector flips again
# with it offline (flips4-1cpu-*): how the drivers scale, in one round.
SB_CPU1=/sys/devices/system/cpu/cpu1/online
sb_one_cpu() {
	local tag=$1 card=$2 rc
	if ! echo 0 >$SB_CPU1; then
		echo "E2E-INFO $tag: the second vCPU did not go offline"
		return
	fi
	e2e-bench flips "$card" 4 $SB_FLIP_SECS $SB_FLIP_RUNS >/tmp/sb.out 2>/tmp/sb.err
	rc=$?
	echo 1 >$SB_CPU1
	sed -n "s/^flips4-/E2E-BENCH $tag flips4-1cpu-/p" /tmp/sb.out
	sed "s/^/E2E-INFO $tag: one vCPU: /" /tmp/sb.err
	[ $rc = 0 ] || echo "E2E-INFO $tag: one vCPU: e2e-bench exited with $rc"
}

# sb_weston TAG CARD: on the paced display, Weston with a client that
# draws a frame at each frame callback (weston-simple-shm), over
# SB_WESTON_SECS after a warm-up: the frames Weston painted per second
# (weston-fps: its repaints of the client's output, from its timeline, a
# log scope, summed up by weston-tl.awk) and the display's refresh
# periods it let go by between them per 100 frames (weston-missed-pct).
# Not the driver's flips: where Weston's repaint loop starts again (the
# client was late), it asks for the last vblank's time, and with upstream,
# which has no vblank, flips the frame it shows again for it. Also the
# guest's CPU time, timer interrupts and context switches per frame.
SB_WESTON_SECS=5
sb_weston() {
	local tag=$1 card=$2 a b t0 t1 cpid
	weston_start "$card" --logger-scopes=log,timeline
	if ! wait_until 90 weston_ready; then
		echo "E2E-INFO $tag: no Weston: $(tail -n 3 /tmp/weston.log 2>/dev/null | tr '\n' ' ')"
	else
		weston_client weston-simple-shm >/tmp/sb-client.out 2>&1
		cpid=$!
		sleep 3
		read -r t0 _ </proc/uptime
		a="$(sb_irqs) $(sb_stat) $(sb_vblank_ticks "$card")"
		sleep $SB_WESTON_SECS
		b="$(sb_irqs) $(sb_stat) $(sb_vblank_ticks "$card")"
		read -r t1 _ </proc/uptime
		if alive $cpid; then
			awk -v tag="$tag" -v t0="$t0" -v t1="$t1" \
				-f /etc/e2e/weston-tl.awk /tmp/weston.log >/tmp/sb-wtl.out
			cat /tmp/sb-wtl.out
			{
				echo "$a"
				echo "$b"
				sed -n 's/^E2E-TRACE [^ ]* weston //p' /tmp/sb-wtl.out
			} | awk -v tag="$tag" -v secs="$t0 $t1" '
			NR == 1 { split($0, a) }
			NR == 2 { split($0, b) }
			$1 == "repaints" { frames = $2 }
			$1 == "missed-pct" { missed = $2 }
			END {
				split(secs, t)
				if (!frames) {
					printf "E2E-INFO %s: weston: no repaint in its timeline\n", tag
					exit
				}
				printf "E2E-BENCH %s weston-fps %.1f\n", tag, frames / (t[2] - t[1])
				if (missed != "")
					printf "E2E-BENCH %s weston-missed-pct %.1f\n", tag, missed
				printf "E2E-BENCH %s weston-cpu-us %.0f\n", tag,
					(b[3] - a[3]) * 10000 / frames
				printf "E2E-BENCH %s weston-timer-irqs %.1f\n", tag,
					(b[1] - a[1]) * 100 / frames
				printf "E2E-BENCH %s weston-ctxt %.1f\n", tag,
					(b[4] - a[4]) * 100 / frames
				printf "E2E-INFO %s: weston: per 100 frames, %.1f flips (the driver'"'"'s interrupts over two), %.1f vblank timer ticks\n",
					tag, (b[2] - a[2]) * 50 / frames, (b[5] - a[5]) * 100 / frames
			}'
		else
			echo "E2E-INFO $tag: weston-simple-shm exited: $(tail -n 3 /tmp/sb-client.out | tr '\n' ' ')"
		fi
		kill $cpid 2>/dev/null
		wait $cpid 2>/dev/null
	fi
	kill "$WPID" 2>/dev/null
	wait_until 30 gone "$WPID" || kill -9 "$WPID" 2>/dev/null
	wait "$WPID" 2>/dev/null
}

# sb_load TAG SCRIPT: the driver loaded by the insmod commands in SCRIPT,
# timed to the cards of all devices (e2e-bench load).
sb_load() {
	local tag=$1 script=$2 n dirs=
	for n in $DEVS; do dirs="$dirs /sys/bus/xen/devices/vdispl-$n"; done
	[ -n "$SB_TRACE" ] && sb_load_trace_start
	# shellcheck disable=SC2086 # one directory per word
	e2e-bench load "$script" $dirs >/tmp/sb.out 2>/tmp/sb.err
	[ -n "$SB_TRACE" ] && sb_load_trace_end "$tag"
	sed "s/^/E2E-INFO $tag: /" /tmp/sb.err
	sed "s/^/E2E-BENCH $tag /" /tmp/sb.out
}

# BENCH_TRACE's load phases: when, from the load's start, the kernel
# entered each of these (the first time; a count for the XenStore
# requests), both drivers' loads alike. "E2E-TRACE <tag> load <ms>
# <function>[#<n>]" lines, in time order (#n: the n-th entry of a
# function entered more than once: each device's probe, state switch and
# registration), and "E2E-TRACE <tag> load-count <function> <count>".
SB_LOAD_FUNCS="load_module do_init_module xenbus_dev_probe
	xenbus_switch_state xenbus_otherend_changed drm_vblank_init
	drm_mode_config_reset drm_dev_register drm_fbdev_generic_setup
	register_framebuffer"
SB_LOAD_COUNT="xs_talkv"
sb_load_trace_start() {
	local t=$SB_TRACEFS f
	[ -d $t ] || return 0
	echo 0 >$t/tracing_on
	echo nop >$t/current_tracer
	: >$t/set_ftrace_filter
	for f in $SB_LOAD_FUNCS $SB_LOAD_COUNT; do
		echo "$f" >>$t/set_ftrace_filter ||
			echo "E2E-INFO load trace: no $f to trace"
	done
	# An empty filter would trace every function.
	if ! grep -q . $t/set_ftrace_filter; then
		echo "E2E-INFO load trace: nothing to trace"
		return 0
	fi
	echo function >$t/current_tracer
	echo >$t/trace
	echo 1 >$t/tracing_on
	echo "e2e-bench: load starts" >$t/trace_marker
}
sb_load_trace_end() {
	local tag=$1 t=$SB_TRACEFS
	[ -d $t ] || return 0
	echo 0 >$t/tracing_on
	echo "E2E-INFO $tag: load trace: $(grep -vc '^#' $t/trace) lines, $(grep -c . $t/set_ftrace_filter) functions, tracer $(cat $t/current_tracer)"
	awk -v tag="$tag" -v count=" $SB_LOAD_COUNT " '
	{
		for (i = 1; i <= NF; i++)
			if ($i ~ /^[0-9]+\.[0-9]+:$/)
				break
		if (i > NF)
			next
		ts = substr($i, 1, length($i) - 1)
		f = $(i + 1)
		if (f == "tracing_mark_write:") {
			start = ts
			next
		}
		if (start == "")
			next
		if (index(count, " " f " ")) {
			c[f]++
			next
		}
		k = ++seen[f]
		printf "E2E-TRACE %s load %.1f %s%s\n", tag, (ts - start) * 1000,
			f, (k > 1 ? "#" k : "")
	}
	END { for (f in c) printf "E2E-TRACE %s load-count %s %d\n", tag, f, c[f] }
	' $t/trace
	# Not before: a change of tracer empties the trace.
	echo nop >$t/current_tracer
	: >$t/set_ftrace_filter
}

# sb_load_ours TAG, sb_load_upstream TAG: load the driver (its modules
# not loaded yet, as modprobe would), true once every device has a card.
sb_load_ours() {
	sb_rmmod_own ours
	sb_script /etc/e2e/modules "$MODULE" >/tmp/sb-ours.sh
	sb_load "$1" /tmp/sb-ours.sh
	sb_connected && sb_first_frame "$1"
}
sb_load_upstream() {
	sb_rmmod_own upstream
	sb_script /etc/e2e/upstream-modules >/tmp/sb-upstream.sh
	sb_load "$1" /tmp/sb-upstream.sh
	echo "E2E-BENCH $1 load-to-fbcon-ms none:no fbdev"
	up_loaded && sb_connected
}

# sb_unload_ours, sb_unload_upstream: unbind and unload, printing what
# went wrong; sb_ours_unloaded, sb_upstream_unloaded: whether it worked.
# Upstream's xenbus driver is named after the device type.
sb_unload_ours() { unload; }
sb_ours_unloaded() { unloaded; }
sb_unload_upstream() {
	local n d
	for n in $(vdispl_devs); do
		d=/sys/bus/xen/devices/vdispl-$n/driver
		[ -e "$d" ] && echo "vdispl-$n" >"$d/unbind"
	done
	rmmod drm_xen_front 2>&1
	wait_until 10 up_unloaded && sb_frontends_back
}

# Upstream's unbind closes through Closing: our backend follows it to
# Closed and waits there for the frontend to come back (as blkback
# does), where ours' unbind leaves it waiting in InitWait. So the next
# load (ours) would pay a handshake more, and the wait for the backend
# after the unload would time out. A load is timed as at boot, the
# backend waiting for it: the frontends' states go back to Initialising,
# as a probe sets them, and the backend offers a new connection.
sb_frontends_back() {
	local n
	for n in $DEVS; do
		[ "$(be_state "$n")" = 2 ] ||
			xenstore-write "device/vdispl/$n/state" 1 ||
			echo "E2E-INFO vdispl $n: frontend state not reset"
	done
	wait_until 15 all_disconnected
}
sb_upstream_unloaded() { up_unloaded; }

# sb_round DRIVER ROUND FIRST: DRIVER loaded, measured (FIRST: see
# sb_measure) and unloaded. The next driver must find the backend waiting
# for a new frontend.
sb_round() {
	local drv=$1 tag=$1.$2 out n
	sb_log_mark
	mark "bench-$tag-load"
	if unloaded && up_unloaded; then
		check "bench-$tag-load" \
			"$(for n in $DEVS; do states "$n"; done); $(ls /dev/dri 2>&1)" \
			"sb_load_$drv" "$tag"
	else
		result FAIL "bench-$tag-load" "a driver is still loaded"
	fi
	sb_measure "$tag" "$3"
	out=$("sb_unload_$drv")
	check "bench-$tag-unload" "$out" "sb_${drv}_unloaded"
	wait_until 15 all_disconnected
	sb_log_splats "$tag"
}

# sb_names: the module names of the .ko paths on stdin.
sb_names() { sed 's|.*/||; s|\.ko$||; s|-|_|g'; }

# The modules each driver needs: their names, in load order, in
# /tmp/sb-mods-DRIVER (ours: /etc/e2e/modules, its dependencies).
sb_mods() {
	sb_names </etc/e2e/modules >/tmp/sb-mods-ours
	: >/tmp/sb-mods-upstream
	[ "$SB_DRIVERS" = ours ] ||
		sb_names </etc/e2e/upstream-modules >/tmp/sb-mods-upstream
}

# Those both drivers need (the DRM core) are loaded once, before the
# rounds: each load then times what that driver loads for itself.
sb_load_common() {
	local ko m
	while read -r ko; do
		m=$(echo "$ko" | sb_names)
		grep -qxF "$m" /tmp/sb-mods-upstream 2>/dev/null &&
			[ ! -d "/sys/module/$m" ] && insmod "$ko"
	done </etc/e2e/modules
}

# sb_rmmod_own DRIVER: the modules DRIVER alone needs unloaded (the last
# loaded first), so that its load loads them, as modprobe would. Where
# upstream is not to be had (arm64), that is every module ours needs.
sb_rmmod_own() {
	local other=upstream m
	[ "$1" = upstream ] && other=ours
	sed '1!G;h;$!d' "/tmp/sb-mods-$1" 2>/dev/null | while read -r m; do
		grep -qxF "$m" "/tmp/sb-mods-$other" 2>/dev/null ||
			rmmod "$m" 2>/dev/null
	done
}

# The insmod commands of the modules in FILE not loaded yet, then of KO,
# after a mark in the kernel log.
SB_MARK="e2e-bench: load starts"
sb_script() {
	local ko m
	echo "echo $SB_MARK >/dev/kmsg"
	while read -r ko; do
		m=${ko##*/}
		m=$(echo "${m%.ko}" | tr - _)
		[ -d "/sys/module/$m" ] || echo "insmod $ko"
	done <"$1"
	[ -z "$2" ] || echo "insmod $2"
}

# sb_first_frame TAG: load-to-fbcon-ms, from the last load mark to
# fb0's registration in the kernel log, once the backend says it showed a
# frame of a device: fbcon's console is on fb0, the fbdev of the device
# whose card came first, not always the first device.
sb_frame_shown() {
	local n
	for n in $DEVS; do
		ctl be first-frame "$n" >/dev/null && return
	done
	return 1
}
sb_first_frame() {
	local tag=$1 ms
	if ! wait_until 30 sb_frame_shown; then
		echo "E2E-INFO $tag: no frame at the backend: $CTL_OUT"
		return
	fi
	ms=$(dmesg | awk -v mark="$SB_MARK" '
		function ts(line) { sub(/^\[ */, "", line); sub(/\].*/, "", line); return line }
		index($0, mark) { t0 = ts($0); t1 = "" }
		t0 != "" && t1 == "" && / fb0: .* frame buffer device/ { t1 = ts($0) }
		END { if (t1 != "") printf "%.1f\n", (t1 - t0) * 1000 }')
	if [ -z "$ms" ]; then
		echo "E2E-INFO $tag: no fb0 in the kernel log after the load"
		return
	fi
	echo "E2E-BENCH $tag load-to-fbcon-ms $ms"
}

# "<timer> <event channels of the driver>": interrupt counts so far, on
# all vCPUs (one column each, as many as the header has).
sb_irqs() {
	awk 'NR == 1 {n = NF; next}
		{c = 0; for (i = 2; i <= n + 1; i++) c += $i}
		$NF ~ /^(arch_)?timer/ {t += c}
		$NF ~ /^(xen_drm_front|vdispl)/ {r += c}
		END {print t + 0, r + 0}' /proc/interrupts
}
# sb_stat: the guest's busy time (all CPUs, in USER_HZ ticks of 10 ms:
# the time since boot less idle and iowait, which NO_HZ measures at each
# idle entry and exit, where the user and system ticks are samples the
# timer tick takes, which a loop of frames can beat in step with) and its
# context switches, from /proc/stat.
sb_stat() {
	local up
	read -r up _ </proc/uptime
	awk -v up="$up" '$1 ~ /^cpu[0-9]/ {cpus++}
		$1 == "cpu" {away = $5 + $6}
		$1 == "ctxt" {c = $2}
		END {printf "%.1f %d\n", up * 100 * cpus - away, c}' /proc/stat
}
# sb_vblank_ticks CARD: the vblank timer's ticks of all of CARD's pipes
# (ours' debugfs; 0 with upstream, which has no vblank).
sb_vblank_ticks() {
	cat "/sys/kernel/debug/dri/${1##*card}"/*/xen_state 2>/dev/null |
		awk '$1 == "vblank_ticks:" {t += $2} END {print t + 0}'
}
# sb_idle TAG start|end: the idle guest, with fbcon let go of ours'
# connectors (idle-nocon-*, both: what the driver costs by itself) and
# with fbcon on them (idle-*, ours alone: upstream has no fbdev), in two
# windows of each a round: as the driver's measurements start, right
# after its load, and as they end; the rates printed at the end are of
# both. A window right after a load counted about 0.5 interrupts a second
# more than one after the measurements, and until 2026-12-05 only the
# round's first driver had its window there (ours in two rounds of
# three), the second its window at the end. The window without fbcon
# comes first: until 2026-12-05 21:50 ours' came after its fbcon window,
# 15 s of the cursor blinking on four connectors, upstream's after its
# load or measurements only, and the paced guest's counted 11.4 against
# 10.7 a second with none of ours' timers, works or interrupts in its
# traced windows.
sb_idle() {
	local t=$1 end=
	[ "$2" = end ] && end=1
	[ -n "$end" ] || rm -f /tmp/sb.idle-idle /tmp/sb.idle-idle-nocon
	# Once the frame-done timeout of fbcon's last blink (req_timeout_ms +
	# 500 ms: 3.5 s) has woken each pipe's worker one last time (a traced
	# window 1 s after the unbind had the four pipes'
	# xdf_pipe_flip_timeout and nothing else of ours).
	unbind_fbcon
	sleep 4
	sb_idle_count idle-nocon
	[ -n "$SB_TRACE" ] && [ -n "$end" ] && sb_trace_idle "$t" idle-nocon
	rebind_fbcon
	if [ "${t%%.*}" = ours ]; then
		sb_idle_count idle
		[ -n "$SB_TRACE" ] && [ -n "$end" ] && sb_trace_idle "$t" idle
	fi
	[ -n "$end" ] || return 0
	if [ "${t%%.*}" = ours ]; then
		sb_idle_print "$t" idle
	else
		echo "E2E-BENCH $t idle-timer-irqs none:no fbdev"
		echo "E2E-BENCH $t idle-ring-irqs none:no fbdev"
	fi
	sb_idle_print "$t" idle-nocon
}
# sb_idle_count KIND: the timer and driver interrupts of one window, added
# to /tmp/sb.idle-KIND ("timer ring seconds").
sb_idle_count() {
	local f=/tmp/sb.idle-$1 a b
	a=$(sb_irqs)
	sleep $SB_IDLE_SECS
	b=$(sb_irqs)
	[ -s "$f" ] || echo "0 0 0" >"$f"
	echo "$a $b $(cat "$f")" | awk -v s=$SB_IDLE_SECS \
		'{ print $5 + $3 - $1, $6 + $4 - $2, $7 + s }' >"$f.new"
	mv "$f.new" "$f"
}
# sb_idle_print TAG KIND: the rates a second of KIND's windows, which
# start again.
sb_idle_print() {
	local f=/tmp/sb.idle-$2
	[ -s "$f" ] && awk -v tag="$1" -v kind="$2" '$3 > 0 {
		printf "E2E-BENCH %s %s-timer-irqs %.1f\n", tag, kind, $1 / $3
		printf "E2E-BENCH %s %s-ring-irqs %.1f\n", tag, kind, $2 / $3 }' "$f"
	rm -f "$f"
}

# Kernel log lines since sb_log_mark, splat-like ones reported.
sb_log_mark() { SB_LOG_LINES=$(dmesg | wc -l); }
sb_log_splats() {
	local tag=$1
	dmesg | tail -n +$((SB_LOG_LINES + 1)) | grep -E "$SB_SPLAT" >/tmp/sb.splat
	echo "E2E-BENCH $tag kernel-splats $(wc -l </tmp/sb.splat)"
	head -n 5 /tmp/sb.splat | sed "s/^/E2E-INFO $tag splat: /"
}

sb_connected() {
	local n
	for n in $DEVS; do
		wait_until 30 both_connected "$n"
		wait_until 10 has_card "$n"
	done
	all_cards
}

up_loaded() { [ -d /sys/module/drm_xen_front ]; }
up_unloaded() { ! up_loaded; }

all_disconnected() {
	local n
	for n in $DEVS; do disconnected "$n" || return 1; done
}

# sb_load_alone DRIVER TAG: DRIVER loaded and unloaded, ours leaving no
# splat in the kernel log (upstream warns at every unbind); false with
# the reason in /tmp/sb.why.
sb_load_alone() {
	local drv=$1 out n
	sb_log_mark
	if ! "sb_load_$drv" "$2"; then
		for n in $DEVS; do states "$n"; done >/tmp/sb.why
		return 1
	fi
	out=$("sb_unload_$drv")
	if ! "sb_${drv}_unloaded"; then
		echo "$out" >/tmp/sb.why
		return 1
	fi
	if [ "$drv" = ours ] &&
		dmesg | tail -n +$((SB_LOG_LINES + 1)) | grep -qE "$SB_SPLAT"; then
		echo "a kernel splat" >/tmp/sb.why
		return 1
	fi
	wait_until 15 all_disconnected
}

# Loads alone after the rounds, ours then upstream, as rounds
# SB_ROUNDS + 1 to SB_LOADS.
sb_load_pairs() {
	local r=$SB_ROUNDS drv
	while [ "$r" -lt $SB_LOADS ]; do
		r=$((r + 1))
		for drv in $SB_DRIVERS; do
			if ! sb_load_alone "$drv" "$drv.$r"; then
				result FAIL bench-load-pairs "$drv, load $r: $(cat /tmp/sb.why)"
				return
			fi
		done
	done
	result PASS bench-load-pairs
}

# Each driver loaded and unloaded once before the rounds, uncounted: the
# first load, less than a second after the DomU's init, still in its
# boot's wake, was always ours' (the README's load figures say what it
# cost it).
sb_warm_up() {
	local drv
	for drv in $SB_DRIVERS; do
		if ! sb_load_alone "$drv" "$drv.0" >/dev/null 2>&1; then
			result FAIL bench-warm-up "$drv: $(cat /tmp/sb.why)"
			return
		fi
	done
	result PASS bench-warm-up
}

sbench_run() {
	local r=0 drv order first
	sb_mods
	sb_load_common
	sb_warm_up
	while [ $r -lt "$SB_ROUNDS" ]; do
		r=$((r + 1))
		# Each driver first in every other round.
		order=$SB_DRIVERS
		[ $((r % 2)) = 0 ] && order=$(echo "$SB_DRIVERS" | awk '{for (i = NF; i; i--) printf "%s ", $i}')
		first=1
		for drv in $order; do
			sb_round "$drv" $r $first
			first=0
		done
	done
	sb_load_pairs
}
