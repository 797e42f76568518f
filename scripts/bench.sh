#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# `make bench`: our module against Debian's drm_xen_front (upstream), in one
# boot of the system test per kind of guest (Xen 4.17 + Dom0 with our
# backend + a PV DomU, then a PVH DomU, under QEMU TCG), with the same
# backend, device and client (e2e-bench):
# the DomU runs tests/e2e/domu/sbench-compare.sh on the four-connector
# device of tests/e2e/dom0/domu-bench.cfg (PVH: domu-bench-pvh.cfg), in
# rounds: ours, then upstream (upstream first in even rounds),
# each loaded, measured and unloaded. Prints a table, ours against upstream:
# for each figure the median of the rounds' own ratios (each round's two
# drivers ran next to each other, their flips seconds apart, so the host's
# noise hits them alike), their range, and a mark where ours is worse or
# where the rounds disagree. A measurement, not a test: not part of
# `make test`.
#
# Usage: scripts/bench.sh
# Env:   E2E_TIMEOUT    QEMU time limit per boot in seconds (default 1800,
#                       3600 with BENCH_TRACE)
#        BENCH_RUNS     boots (default 1); the rounds of all quiet boots
#                       (see below) are pooled, and each boot's own median
#                       ratio is shown too
#        BENCH_ROUNDS   rounds per boot (default 3)
#        BENCH_TARGETS  the kinds of guest, a column group each (default
#                       "x86-pv x86-pvh arm64 x86-pv-paced x86-pv-2cpu"; on
#                       arm64 ours
#                       alone: Debian's arm64 kernel has no Xen display
#                       frontend; x86-pv-paced: a PV DomU of 2 vCPUs and
#                       the backend sending frame-done at 60 Hz (--vsync),
#                       as a display does; it also runs Weston);
#                       x86-pv-2cpu: a PV DomU of 2 vCPUs, the backend
#                       answering at once, the four-connector flips also
#                       measured with the second vCPU offline (scaling)
#        BENCH_LOGS=DIR the table of a run already made, from its logs in
#                       DIR (~/.cache/xen-drm-front/logs/bench/<date>),
#                       with no boot: BENCH_TARGETS, BENCH_RUNS and
#                       BENCH_ROUNDS as that run had them
#        BENCH_TRACE=1  after each driver's flip measurements, one more
#                       one-connector run traced in the guest: where
#                       the timer ticks found the CPUs (a sampled
#                       profile), and the interrupts, timers, works and
#                       wake-ups that fired, then runs on one and four
#                       connectors under the function_graph tracer
#                       (each function's time by its depth under the
#                       flip), and one on four connectors with the
#                       scheduler and the commit works traced (where
#                       the client's wake-ups fall among its flips'
#                       commits), per driver and round, in
#                       trace.txt beside each boot's logs (evidence of
#                       where a driver's time goes, not figures); and
#                       each load's phases: when, from its start, the
#                       kernel entered the module's init, each device's
#                       probe, state switches, backend state changes and
#                       card registration, and how many XenStore
#                       requests it made (the load figures of a traced
#                       run carry the tracer's cost); the idle
#                       guest (with fbcon and without) traced as the
#                       flip run is; with the paced backend
#                       (x86-pv-paced), Dom0's events in the 25 ms
#                       before each of the first 4 ticks of a flip
#                       run the backend served late ("dom0-late")
#        BENCH_PROFILE=1 x86 boots: QEMU also writes each translated
#                       block's instructions at each mark, and
#                       scripts/bench-profile.py names their functions:
#                       the instructions per flip of each function, ours
#                       against upstream, in profile.txt beside each
#                       boot's logs (the DRM modules' functions printed
#                       in the DomU's console at each load)
#        BENCH_ICOUNT   QEMU's -icount options (default shift=3,sleep=off:
#                       virtual time, each instruction 8 ns, idle time
#                       skipped); "off": a host thread per CPU, in the
#                       host's time (x86-pvh and arm64 always:
#                       TARGET_HOST_TIME)
# Under emulation in the host's time on a shared machine, the host's other
# work slowed the guests down by up to five times, unevenly over a boot,
# and the two drivers' flip ratios of one boot ranged from 0.5 to 2. So
# QEMU runs in virtual time (e2e_boot, E2E_QEMU_ICOUNT): its clocks advance
# by the instructions the machine executes, one host thread taking the
# two CPUs in turn; the host's load lengthens the boot but changes
# nothing the guests see or measure (the same driver's rounds agree to
# about 1%). The figures are of that machine: 125 million instructions a
# second shared by whichever CPUs are busy, as a single CPU time-sliced
# between Xen's two, not of hardware. A boot counts as
# busy if in one of its flip measurements the best run's rate is over 1.25
# times the worst, or if the guest's CPU checks around the measurements
# differ by over 1.5 times (in virtual time only the other domain's work
# in the same moments can do that); its figures are shown but left out of
# the medians unless no boot was quiet. Within a boot, the rounds' ratios
# say whether a figure holds: a row is marked "rounds disagree" when one
# round has ours better and another worse, each by over 3%, and is not
# judged where fewer than half of the rounds gave a ratio.
# The backend answers at once (no --vsync: the figures are the drivers',
# not a display's), saves no PNG (it saves at most 100 in all: the first
# driver measured would use them up and leave the second a lighter
# backend) and hashes no buffer (up to a third of a 1080p buffer's life
# under TCG, test instrumentation that is no part of the protocol).
# Exit status 0 if both drivers were measured in every boot (upstream
# refusing a size counts as measured; upstream failing to unload is only
# reported).
# Logs: ~/.cache/xen-drm-front/logs/bench/<date>/ (bench.md: the table).
set -euo pipefail
# shellcheck source=scripts/e2e-lib.sh
source "$(dirname "$0")/e2e-lib.sh"

# A traced boot's traced runs and their summing up in the guest's awk
# took it past 1800 s of virtual time (2026-12-06).
TIMEOUT=${E2E_TIMEOUT:-$([[ -n ${BENCH_TRACE:-} ]] && echo 3600 || echo 1800)}
RUNS=${BENCH_RUNS:-1}
ROUNDS=${BENCH_ROUNDS:-3}
[[ $RUNS =~ ^[1-9][0-9]*$ ]] || die "BENCH_RUNS=$RUNS: want a number of boots"
[[ $ROUNDS =~ ^[1-9][0-9]*$ ]] || die "BENCH_ROUNDS=$ROUNDS: want a number of rounds"
read -ra TARGETS <<<"${BENCH_TARGETS:-x86-pv x86-pvh arm64 x86-pv-paced x86-pv-2cpu}"
# The DomU's configuration of each target (tests/e2e/dom0/domu-NAME.cfg)
# and the architecture of its images (e2e_images).
declare -A TARGET_DOMU=([x86-pv]=bench [x86-pvh]=bench-pvh [arm64]=bench-arm64
	[x86-pv-paced]=bench-2cpu [x86-pv-2cpu]=bench-2cpu)
declare -A TARGET_ARCH=([x86-pv]=x86_64 [x86-pvh]=x86_64 [arm64]=arm64
	[x86-pv-paced]=x86_64 [x86-pv-2cpu]=x86_64)
# The backend's arguments beyond the bench's own, and the DomU's.
declare -A TARGET_BE=([x86-pv-paced]=" --vsync")
declare -A TARGET_ARGS=([x86-pv-paced]=e2e.bench-paced=1)
# Targets that run in the host's time whatever BENCH_ICOUNT says: under
# -icount a PVH guest's kernel dies at its first flips (the stack guard
# page of its entry trampoline hit, in both boots tried: QEMU's emulation
# of SVM in one thread), and Xen for arm64 stops once it has patched its
# alternatives (nothing more in 16 minutes).
declare -A TARGET_HOST_TIME=([x86-pvh]=1 [arm64]=1)
# Where upstream is not to be had.
declare -A TARGET_NO_UPSTREAM=([arm64]="none:not in Debian's arm64 kernel")
for t in "${TARGETS[@]}"; do
	[[ -v TARGET_DOMU[$t] ]] ||
		die "BENCH_TARGETS: unknown target '$t' (known: ${!TARGET_DOMU[*]})"
done

# The rows: metric, which way is better (+ higher, - lower, = neither: a
# check or a count; a trailing p: only on a paced display, = elsewhere),
# label.
ROWS=(
	"flips1-rate|+|flips/s, 1 connector (higher is better)"
	"flips4-rate|+|flips/s, 4 connectors at once, aggregate (higher is better)"
	"flips4-1cpu-rate|+|flips/s, 4 connectors, the second vCPU offline"
	"flips4-scaling|+|flips/s, 4 connectors: 2 vCPUs over 1, same round"
	"flips1-p50-us|-|flip to event, 1 connector, median (us)"
	"flips1-p99-us|-|flip to event, 1 connector, p99 (us)"
	"flips4-p50-us|-|flip to event, 4 connectors, median (us)"
	"flips4-p99-us|-|flip to event, 4 connectors, p99 (us)"
	"flips1-fps-conn|+|paced display: frames/s on each connector, 1 connector (60 at most)"
	"flips4-fps-conn|+|paced display: frames/s on each connector, 4 connectors (60 at most)"
	"flips1-jitter-us|-|paced display: jitter of the event timestamps, 1 connector (us)"
	"flips4-jitter-us|-|paced display: jitter of the event timestamps, 4 connectors (us)"
	"flips1-grid-jitter-us|-|paced display: the same against whole refresh periods (missed refreshes apart), 1 connector (us)"
	"flips4-grid-jitter-us|-|paced display: the same against whole refresh periods (missed refreshes apart), 4 connectors (us)"
	"flips1-grid-dev-p50-us|-|paced display: an interval's distance from whole refresh periods, median, 1 connector (us)"
	"flips4-grid-dev-p50-us|-|paced display: an interval's distance from whole refresh periods, median, 4 connectors (us)"
	"flips1-grid-dev-p90-us|-|paced display: an interval's distance from whole refresh periods, p90, 1 connector (us)"
	"flips4-grid-dev-p90-us|-|paced display: an interval's distance from whole refresh periods, p90, 4 connectors (us)"
	"flips1-missed-pct|-|paced display: refresh periods missed per 100 frames, 1 connector"
	"flips4-missed-pct|-|paced display: refresh periods missed per 100 frames, 4 connectors"
	"flips1-be-late-pct|-|paced display: the backend's ticks served 1 ms late or more (Dom0 not running then) per 100, 1 connector"
	"flips4-be-late-pct|-|paced display: the same, 4 connectors"
	"flips1-be-late4-pct|-|paced display: the backend's ticks served 4 ms late or more per 100, 1 connector"
	"flips4-be-late4-pct|-|paced display: the same, 4 connectors"
	"weston-fps|+|paced display: Weston (pixman) with weston-simple-shm, frames painted/s (60 at most)"
	"weston-missed-pct|-|paced display: Weston's refresh periods missed between its frames per 100 frames"
	"weston-cpu-us|-|paced display: Weston, guest CPU per frame, from its idle time (us)"
	"weston-timer-irqs|-|paced display: Weston, guest timer interrupts per 100 frames"
	"weston-ctxt|-|paced display: Weston, guest context switches per 100 frames"
	"flips1-kinsns|-|instructions per flip, the whole emulated machine, 1 connector (thousands; counted, not timed)"
	"flips4-kinsns|-|instructions per flip, the whole emulated machine, 4 connectors (thousands)"
	"flips1-cpu-us|-|guest CPU per flip, from its idle time, 1 connector (us)"
	"flips4-cpu-us|-|guest CPU per flip, from its idle time, 4 connectors (us)"
	"flips1-kbusy-us|-|guest kernel CPU per flip: the same less the client's own, 1 connector (us)"
	"flips4-kbusy-us|-|guest kernel CPU per flip: the same less the client's own, 4 connectors (us)"
	"flips1-user-us|=|the client's own CPU per flip, between its system calls, 1 connector (us)"
	"flips4-user-us|=|the client's own CPU per flip, between its system calls, 4 connectors (us)"
	"flips1-kcpu-us|=|guest kernel CPU per flip as the timer tick samples it (not judged: see README), 1 connector (us)"
	"flips4-kcpu-us|=|the same, 4 connectors (us)"
	"flips1-timer-irqs|-|guest timer interrupts per 100 flips, 1 connector"
	"flips1-ring-irqs|-|the driver's event channel interrupts per 100 flips, 1 connector"
	"flips1-polls|-|the client's wake-ups for events per 100 flips, 1 connector"
	"flips4-polls|-p|the client's wake-ups for events per 100 flips, 4 connectors (judged on a paced display only: see README)"
	"flips1-ctxt|-|guest context switches per 100 flips, 1 connector"
	"flips4-ctxt|-|guest context switches per 100 flips, 4 connectors"
	"buf-1920x1080-ms|-|create+addfb+rmfb+destroy 1920x1080 (ms)"
	"buf-3840x2160-ms|-|create+addfb+rmfb+destroy 3840x2160 (ms)"
	"buf-4k-linear|=|3840x2160 over 4 times 1920x1080 (1.00: linear in pages)"
	"mem-1920x1080-beyond-kib|-|guest memory per 1920x1080 buffer beyond its pixels, ours loaded without its console, as upstream has none (KiB)"
	"mem-1920x1080-slab-kib|-|of which slab (KiB)"
	"mem-1920x1080-shrunk-kib|-|the same, slab caches shrunk before each reading (KiB)"
	"mem-1920x1080-objects-kib|-|the same, slab objects and larger allocations the buffer took, whatever pages they fell on (KiB)"
	"idle-nocon-timer-irqs|-|idle guest, no console on the display: timer interrupts/s"
	"idle-nocon-ring-irqs|-|idle guest, no console on the display: the driver's event channel interrupts/s"
	"idle-timer-irqs|-|idle guest, fbcon on the connectors (ours alone): timer interrupts/s"
	"idle-ring-irqs|-|idle guest, fbcon on the connectors (ours alone): the driver's event channel interrupts/s"
	"cpu-start-ms|=|guest CPU check before the measurements, fixed loop (ms)"
	"cpu-end-ms|=|guest CPU check after them (ms)"
	"load-to-card-ms|-|insmod to the cards of both devices (ms)"
	"load-to-fbcon-ms|=|insmod to fbcon's first frame at the backend (ms)"
	"kernel-splats|-|kernel splats, load to unload, all rounds"
)

text() { tr -d '\r' <"$1"; }

# val[BOOT TAG METRIC], TAG DRIVER.ROUND, from "E2E-BENCH <tag> <metric>
# <value>" lines; nrounds[BOOT]: the highest round seen; target[BOOT]. The
# boots are numbered across the targets.
declare -A val=() nrounds=() target=()
# busy[RUN]: why boot RUN's times are not to be trusted, if they are not.
declare -A busy=()
bad=0

# is_busy RUN: the reason, if boot RUN ran on a busy host.
is_busy() {
	local run=$1 d k m v lo='' hi=''
	for ((k = 1; k <= ${nrounds[$run]:-0}; k++)); do
		for d in ours upstream; do
			for m in flips1-spread flips4-spread; do
				v=${val[$run $d.$k $m]:-}
				[[ -n $v ]] || continue
				if awk -v v="$v" 'BEGIN { exit !(v > 1.25) }'; then
					echo "$d round $k $m $v"
					return
				fi
			done
			for m in cpu-start-ms cpu-end-ms; do
				v=${val[$run $d.$k $m]:-}
				[[ $v =~ ^[0-9]+$ ]] || continue
				if [[ -z $lo ]] || ((v < lo)); then lo=$v; fi
				if [[ -z $hi ]] || ((v > hi)); then hi=$v; fi
			done
		done
	done
	if [[ -n $lo ]] && ((hi * 2 > lo * 3)); then
		echo "CPU checks from $lo to $hi ms"
	fi
}

# judge RUN: read boot RUN's figures and its "bench ran" checks. Failures
# are worth a look; upstream's unload is upstream's business.
judge() {
	local run=$1 res=$E2E_RUN/results tag metric value status name detail plan summary
	local big small k
	local console=$res/domu-console.log
	local boot="${target[$run]}, boot $(((run - 1) % RUNS + 1))"
	local -A seen=()
	[[ $E2E_QEMU_RC == 0 ]] || warn "bench: QEMU exit status $E2E_QEMU_RC (see $E2E_RUN/serial.log)"
	if [[ ! -s $console ]]; then
		echo "bench: $boot: no DomU console log in $res (see $E2E_RUN/serial.log)"
		bad=1
		return
	fi
	nrounds[$run]=0
	while read -r tag metric value; do
		val[$run $tag $metric]=$value
		k=${tag#*.}
		((k <= nrounds[$run])) || nrounds[$run]=$k
	done < <(text "$console" |
		sed -n 's/.*E2E-BENCH \([a-z]*\.[0-9]*\) \([a-z0-9x-]*\) \(.*\)$/\1 \2 \3/p')
	# A 4K buffer has 4 times a 1080p buffer's pages (8100, 2025); the
	# four-connector flips with 2 vCPUs over those with 1.
	for ((k = 1; k <= nrounds[$run]; k++)); do
		for tag in ours.$k upstream.$k; do
			big=${val[$run $tag buf-3840x2160-ms]:-}
			small=${val[$run $tag buf-1920x1080-ms]:-}
			[[ $big =~ ^[0-9.]+$ && $small =~ ^[0-9.]+$ ]] || continue
			val[$run $tag buf-4k-linear]=$(awk -v a="$big" -v b="$small" \
				'BEGIN { if (b > 0) printf "%.2f\n", a / (4 * b) }')
		done
		for tag in ours.$k upstream.$k; do
			big=${val[$run $tag flips4-rate]:-}
			small=${val[$run $tag flips4-1cpu-rate]:-}
			[[ $big =~ ^[0-9.]+$ && $small =~ ^[0-9.]+$ ]] || continue
			val[$run $tag flips4-scaling]=$(awk -v a="$big" -v b="$small" \
				'BEGIN { if (b > 0) printf "%.2f\n", a / b }')
		done
	done
	# Instructions per flip, from the totals QEMU's icount.so wrote at the
	# marks of each flip run (x86 boots).
	if [[ -s $E2E_RUN/icount.txt ]]; then
		local -A count=()
		local n total a b flips
		while read -r n total; do
			count[$n]=$total
		done <"$E2E_RUN/icount.txt"
		for ((k = 1; k <= nrounds[$run]; k++)); do
			for tag in ours.$k upstream.$k; do
				for n in 1 4; do
					read -r a b flips <<<"${val[$run $tag flips$n-insn-marks]:-}"
					[[ -n ${count[${a:-x}]:-} && -n ${count[${b:-x}]:-} &&
						${flips:-0} -gt 0 ]] || continue
					val[$run $tag flips$n-kinsns]=$(awk -v a="${count[$a]}" \
						-v b="${count[$b]}" -v f="$flips" \
						'BEGIN { printf "%.1f\n", (b - a) / f / 1000 }')
				done
			done
		done
	fi
	# As in e2e.sh: a kernel message may follow a name on its line.
	while read -r status name detail; do
		[[ $detail == "- "* ]] || detail=
		seen[$name]=1
		[[ $status == PASS ]] && continue
		echo "bench: $boot: FAIL $name${detail:+ $detail}"
		[[ $name == bench-upstream.*-unload ]] || bad=1
	done < <(text "$console" | sed -n 's/.*E2E-RESULT: \(PASS\|FAIL\) \([^ []*\)/\1 \2 /p')
	# The first plan; no early exit in the pipe (pipefail, SIGPIPE).
	plan=$(text "$console" | sed -n 's/.*E2E-PLAN: //p')
	plan=${plan%%$'\n'*}
	[[ -n $plan ]] || { echo "bench: $boot: the DomU never started"; bad=1; }
	for name in $plan; do
		[[ -n ${seen[$name]:-} ]] && continue
		echo "bench: $boot: $name: no result (the DomU stopped before it)"
		bad=1
	done
	text "$console" | sed -n "s/.*E2E-INFO \([a-z.0-9]*\) splat: /bench: $boot: \1: /p"
	busy[$run]=$(is_busy "$run")
	[[ -z ${busy[$run]} ]] || echo "bench: $boot: busy host (${busy[$run]})"
	summary=$(grep -h 'vdispl-be: summary:' "$res/backend.log" 2>/dev/null || true)
	echo "bench: $boot: $(for ((k = 1; k <= nrounds[$run]; k++)); do
		[[ -z ${val[$run ours.$k flips1-rate]:-} ]] || echo x
	done | wc -l) rounds, ${nrounds[$run]} loads; backend ${summary#*summary: }"
	echo "bench: $boot: QEMU $E2E_BOOT_TIME s; logs in $E2E_RUN"
}

# quiet_runs TARGET: the boots of TARGET the medians are over: the quiet
# ones, or all if none was.
quiet_runs() {
	local r
	local -a q=() all=()
	for ((r = 1; r <= nboots; r++)); do
		[[ ${target[$r]} == "$1" ]] || continue
		all+=("$r")
		[[ -n ${busy[$r]:-} ]] || q+=("$r")
	done
	((${#q[@]} > 0)) || q=("${all[@]}")
	echo "${q[*]}"
}

# med: the median of the numbers on stdin, nothing if none.
med() {
	sort -g | awk '{v[NR] = $1}
		END {if (NR) print (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
}

# median DRIVER METRIC BOOTS: of DRIVER's rounds in BOOTS; a refusal as it
# is. Kernel splats are counted, not averaged: their sum.
median() {
	local r k v
	local -a nums=()
	for r in $3; do
		for ((k = 1; k <= ${nrounds[$r]:-0}; k++)); do
			v=${val[$r $1.$k $2]:-}
			case $v in
			'') ;;
			refused:* | none:*) echo "$v" && return ;;
			*) nums+=("$v") ;;
			esac
		done
	done
	((${#nums[@]} > 0)) || return 0
	if [[ $2 == kernel-splats ]]; then
		printf '%s\n' "${nums[@]}" | awk '{ n += $1 } END { print n }'
	else
		printf '%s\n' "${nums[@]}" | med
	fi
}

# pairs METRIC BOOTS: ours/upstream of every round of BOOTS that has both,
# one per line.
pairs() {
	local r k
	for r in $2; do
		for ((k = 1; k <= ${nrounds[$r]:-0}; k++)); do
			ratio "${val[$r ours.$k $1]:-}" "${val[$r upstream.$k $1]:-}"
		done
	done | grep -v '^-$' || true
}

# fmt VALUE: "-" if not measured, upstream's refusals spelled out.
fmt() {
	local v=${1:-}
	case $v in
	'') echo "-" ;;
	none:*) echo "n/a (${v#none:})" ;;
	refused:*)
		v=${v#refused:}
		echo "n/a (refused: ${v%%:*} at ${v#*:})"
		;;
	*) echo "$v" ;;
	esac
}

# ratio A B: A/B to two decimals, if both are positive numbers.
ratio() {
	awk -v a="${1:-}" -v b="${2:-}" 'BEGIN {
		if (a ~ /^[0-9.]+$/ && b ~ /^[0-9.]+$/ && a > 0 && b > 0)
			printf "%.2f\n", a / b
		else
			print "-"
	}'
}

# judgement DIR MEDIAN RATIOS...: "worse" if the MEDIAN of RATIOS says
# ours is worse (DIR + or -) and no round says otherwise by over 3%;
# "rounds disagree" if one round has ours better and another worse, each by
# over 3%; "too few pairs" if fewer than half of the ROUNDS that measured
# it in both drivers gave a ratio (a count that is mostly 0 in both
# drivers' rounds, such as late ticks: one tick against none or two says
# nothing either way).
judgement() {
	local dir=$1 m=$2 rounds=$3
	shift 3
	(($# > 0)) && [[ $dir != = ]] || return 0
	if ((2 * $# < rounds)); then
		echo "too few pairs"
		return 0
	fi
	printf '%s\n' "$@" | sort -g | awk -v dir="$dir" -v m="$m" '
		{ v[NR] = $1 }
		END {
			lo = v[1]; hi = v[NR]
			if (lo < 0.97 && hi > 1.03) { print "rounds disagree"; exit }
			if ((dir == "+" && m < 1 && hi <= 1.03) ||
			    (dir == "-" && m > 1 && lo >= 0.97))
				print "**worse**"
		}'
}

start=$SECONDS
declare -A images=()
if [[ -n ${BENCH_LOGS:-} ]]; then
	[[ -d $BENCH_LOGS ]] || die "BENCH_LOGS=$BENCH_LOGS: no such directory"
	BENCH_LOGS=$(cd "$BENCH_LOGS" && pwd)
	E2E_STAMP=${BENCH_LOGS##*/}
else
	for t in "${TARGETS[@]}"; do
		e2e_images "${TARGET_ARCH[$t]}"
	done
fi
# QEMU counts the instructions of the x86 boots (tests/e2e/qemu/icount.c),
# built by e2e_images; both read by e2e_boot.
# shellcheck disable=SC2034
E2E_ICOUNT=$E2E_BUILD/qemu/icount.so
# shellcheck disable=SC2034
E2E_ICOUNT_PROF=${BENCH_PROFILE:-}
ICOUNT=${BENCH_ICOUNT:-shift=3,sleep=off}
[[ $ICOUNT != off ]] || ICOUNT=
nboots=0
for t in "${TARGETS[@]}"; do
	for ((run = 1; run <= RUNS; run++)); do
		nboots=$((nboots + 1))
		target[$nboots]=$t
		if [[ -n ${BENCH_LOGS:-} ]]; then
			E2E_RUN=$BENCH_LOGS/$t-$run
			E2E_QEMU_RC=0
			E2E_BOOT_TIME='?'
			[[ -d $E2E_RUN ]] || die "BENCH_LOGS: no $t-$run in $BENCH_LOGS"
			judge "$nboots"
			continue
		fi
		echo "==> bench: $t, boot $run of $RUNS"
		# shellcheck disable=SC2034 # read by e2e_boot
		E2E_QEMU_ICOUNT=$ICOUNT
		[[ -z ${TARGET_HOST_TIME[$t]:-} ]] || E2E_QEMU_ICOUNT=
		# shellcheck disable=SC2086 # TARGET_ARGS: none or words
		e2e_boot "bench/$t-$run" "${images[${TARGET_ARCH[$t]}]}" "$TIMEOUT" \
			"e2e.domu=${TARGET_DOMU[$t]}" \
			e2e.scenarios=bench "e2e.bench-rounds=$ROUNDS" \
			"$(e2e_be_arg "--png-max 0${TARGET_BE[$t]:-}")" e2e.hash=0 \
			${TARGET_ARGS[$t]:-} ${BENCH_TRACE:+e2e.bench-trace=1} \
			${BENCH_PROFILE:+e2e.bench-profile=1}
		{
			text "$E2E_RUN/results/domu-console.log" 2>/dev/null |
				sed -n 's/.*E2E-TRACE //p'
			sed -n 's/^E2E-TRACE //p' "$E2E_RUN/results/dom0-trace.txt" 2>/dev/null
		} >"$E2E_RUN/trace.txt" || true
		if [[ -s $E2E_RUN/icount-prof.txt ]]; then
			"$SCRIPTS/bench-profile.py" "$E2E_RUN" >"$E2E_RUN/profile.txt" ||
				warn "bench: no profile of $t, boot $run"
			echo "bench: $t, boot $run: instruction profile in $E2E_RUN/profile.txt"
		fi
		judge "$nboots"
	done
done

# row_cells TARGET METRIC DIR: a target's cells of a row.
row_cells() {
	local metric=$2 dir=$3 boots o u m range n b k
	local -a rs
	boots=$(quiet_runs "$1")
	o=$(median ours "$metric" "$boots")
	u=$(median upstream "$metric" "$boots")
	[[ -n $u || -z $o ]] || u=${TARGET_NO_UPSTREAM[$1]:-}
	mapfile -t rs < <(pairs "$metric" "$boots")
	if ((${#rs[@]} > 0)); then
		m=$(printf '%s\n' "${rs[@]}" | med | awk '{printf "%.2f\n", $1}')
		range="${#rs[@]}: $(printf '%s\n' "${rs[@]}" | sort -g | sed -n '1p;$p' |
			paste -sd ' ' | sed 's/ / to /')"
	else
		m=-
		range=-
	fi
	n=0
	for b in $boots; do
		for ((k = 1; k <= ${nrounds[$b]:-0}; k++)); do
			[[ -n ${val[$b ours.$k $metric]:-} &&
				-n ${val[$b upstream.$k $metric]:-} ]] && n=$((n + 1))
		done
	done
	printf ' %s | %s | %s | %s | %s |' "$(fmt "$o")" "$(fmt "$u")" "$m" "$range" \
		"$(judgement "$dir" "$m" "$n" "${rs[@]}")"
}

table=${BENCH_LOGS:-$LOGS/bench/$E2E_STAMP}/bench.md
# How the boots ran, from their QEMU commands (BENCH_LOGS: as they did).
clock=
for t in "${TARGETS[@]}"; do
	# Boot directories are TARGET-N: x86-pv-* would match x86-pv-paced-1.
	# No pipe into head: under pipefail the writer's SIGPIPE fails the run.
	cmds=("${BENCH_LOGS:-$LOGS/bench/$E2E_STAMP}/$t"-[0-9]*/qemu.cmd)
	cmd=
	[[ -f ${cmds[0]} ]] && read -r cmd <"${cmds[0]}"
	if [[ $cmd =~ -icount\ ([^ ]*) ]]; then
		clock+=", $t in virtual time (-icount ${BASH_REMATCH[1]//\\/})"
	else
		clock+=", $t in the host's time"
	fi
done
{
	echo "$(date -d "${E2E_STAMP%%-*}" +%Y-%m-%d), $(nproc) cores, QEMU TCG$clock, Xen 4.17, DomUs of 1 vCPU" \
		"(x86-pv-paced and x86-pv-2cpu: 2) and 512 MiB (${TARGETS[*]}), vdispl devices of 4 and 1" \
		"connectors of 1024x768" \
		"(the figures of the first but the load's); per kind of guest $RUNS" \
		"boot(s) of $ROUNDS rounds (ours and upstream, each loaded, measured and unloaded)."
	echo
	echo "Times: the best of several tries in each round; memory: the median of" \
		"3 tries a round; ours and upstream: the medians over the rounds;" \
		"ours/upstream: the median of the rounds' own ratios; rounds: how many" \
		"pairs, and their range (loads have pairs of their own after the rounds)." \
		"Figures under TCG are relative, not absolute (README.md, Performance)."
	for ((r = 1; r <= nboots; r++)); do
		[[ -z ${busy[$r]:-} ]] ||
			echo "Busy host in ${target[$r]}'s boot $(((r - 1) % RUNS + 1)) (${busy[$r]})" \
				"$(if [[ " $(quiet_runs "${target[$r]}") " == *" $r "* ]]; then
					echo "kept: no boot of it was quiet"
				else
					echo "left out"
				fi)."
	done
	((RUNS == 1)) || echo "Each boot: its own median ratio; * a busy host."
	echo
	head='| measurement |'
	rule='|---|'
	for t in "${TARGETS[@]}"; do
		head+=" $t ours | $t upstream | $t ours/upstream | $t rounds | |"
		rule+='---|---|---|---|---|'
		if ((RUNS > 1)); then
			head+=" $t each boot |"
			rule+='---|'
		fi
	done
	echo "$head"
	echo "$rule"
	for row in "${ROWS[@]}"; do
		metric=${row%%|*}
		dir=${row#*|}
		dir=${dir%%|*}
		printf '| %s |' "${row##*|}"
		for t in "${TARGETS[@]}"; do
			judge=${dir%p}
			[[ $dir != *p || ${TARGET_BE[$t]:-} == *--vsync* ]] || judge='='
			row_cells "$t" "$metric" "$judge"
			if ((RUNS > 1)); then
				each=
				for ((r = 1; r <= nboots; r++)); do
					[[ ${target[$r]} == "$t" ]] || continue
					e=$(pairs "$metric" "$r" | med | awk '{printf "%.2f\n", $1}')
					each+=" ${e:--}"
					[[ -z ${busy[$r]:-} ]] || each+="*"
				done
				printf ' %s |' "${each# }"
			fi
		done
		echo
	done
} >"$table"
echo
cat "$table"
echo
echo "bench: ${TARGETS[*]}, $RUNS boot(s) each, total $(e2e_elapsed "$start"); table in $table"
((${#val[@]} > 0)) || die "bench: no figures"
((bad == 0))
