# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario "bench" (`make bench`: scripts/bench.sh boots with
# e2e.domu=bench e2e.scenarios=bench): the same measurements (e2e-bench)
# with our module, then with Debian's drm_xen_front, on the same device and
# backend. Ours is unloaded first so that upstream binds the device.
# Prints for the host, besides the results of "bench ran" checks:
#   E2E-BENCH <ours|upstream> <metric> <value>
# The metrics are e2e-bench's, plus kernel-splats (kernel log lines that
# look like a splat while that driver was loaded or unloading).
# cpu-start-ms and cpu-end-ms time a fixed loop around each driver's
# measurements: the host's other work slows the emulated machine down, not
# evenly over a boot, and these say how much. idle-timer-irqs and
# idle-ring-irqs: interrupts per second of the guest's timer and of the
# driver's event channels while nothing runs but what the driver does by
# itself (ours has fbcon on its connectors; upstream has no fbdev).
# load-to-card-ms: from the start of the driver's insmod commands (each
# driver's modules that are not loaded yet: ours loads drm_shmem_helper,
# which upstream does not use) to the card of the last of the DomU's
# devices. load-to-fbcon-ms (ours): from the same start to fbcon's console
# on the first device, by the kernel log's clock: "fb0: ... frame buffer
# device" comes once fbcon took the display over, its mode set by the
# backend (asked, too, whether it showed a frame: the two clocks differ).

SB_DRIVERS="ours upstream"
# Seconds of flipping per run and runs (e2e-bench keeps the best); buffers
# per timing; buffers held at once and rounds of the memory measurement
# (8 1080p buffers: 66 MB, 16200 grants, well within the DomU's 512 MB and
# its grant table); seconds of idleness counted.
SB_FLIP_SECS=3
SB_FLIP_RUNS=5
SB_BUF_ITERS=10
SB_MEM_COUNT=8
SB_MEM_ROUNDS=5
SB_IDLE_SECS=5
# Loads of each driver timed, the first with the measurements, the others
# in pairs at the end (ours, upstream, ours, ...): each load is short, so
# the host's noise is beaten by medians of pairs, not by a longer run.
SB_LOADS=5
SB_SPLAT='BUG:|WARNING:|kernel BUG at|Oops|general protection|Kernel panic|Call Trace:'

sbench_plan() {
	local d
	for d in $SB_DRIVERS; do
		echo "bench-$d-load bench-$d-flips1 bench-$d-flips4 bench-$d-buf-1080p"
		echo "bench-$d-buf-4k bench-$d-memory bench-$d-unload"
	done
	echo bench-load-pairs
}

# sb_bench DRIVER NAME E2E-BENCH-ARGS...: one measurement, its figures
# tagged with the driver, its diagnostics as E2E-INFO.
sb_bench() {
	local drv=$1 name=$2 rc
	shift 2
	e2e-bench "$@" >/tmp/sb.out 2>/tmp/sb.err
	rc=$?
	sed "s/^/E2E-BENCH $drv /" /tmp/sb.out
	sed "s/^/E2E-INFO $drv: /" /tmp/sb.err
	check "bench-$drv-$name" "e2e-bench $* exited with $rc: $(tail -n 1 /tmp/sb.err)" [ $rc = 0 ]
}

# sb_measure DRIVER: every figure, on the card of the first device.
sb_measure() {
	local drv=$1 card n
	card=$(card_of "${DEVS%% *}")
	if [ -z "$card" ]; then
		for n in flips1 flips4 buf-1080p buf-4k memory; do
			result FAIL "bench-$drv-$n" "no card"
		done
		return
	fi
	mark "bench-$drv"
	sb_idle "$drv"
	e2e-bench spin start | sed "s/^/E2E-BENCH $drv /"
	sb_bench "$drv" flips1 flips "$card" 1 $SB_FLIP_SECS $SB_FLIP_RUNS
	sb_bench "$drv" flips4 flips "$card" 4 $SB_FLIP_SECS $SB_FLIP_RUNS
	sb_bench "$drv" buf-1080p buffers "$card" 1920 1080 $SB_BUF_ITERS
	sb_bench "$drv" buf-4k buffers "$card" 3840 2160 $SB_BUF_ITERS
	sb_bench "$drv" memory memory "$card" 1920 1080 $SB_MEM_COUNT $SB_MEM_ROUNDS
	e2e-bench spin end | sed "s/^/E2E-BENCH $drv /"
}

# sb_load DRIVER SCRIPT: DRIVER loaded by the insmod commands in SCRIPT,
# timed to the cards of all devices (e2e-bench load); the figures of each
# load are kept in /tmp/sb-loads-DRIVER for sb_load_medians.
sb_load() {
	local drv=$1 script=$2 n dirs=
	for n in $DEVS; do dirs="$dirs /sys/bus/xen/devices/vdispl-$n"; done
	# shellcheck disable=SC2086 # one directory per word
	e2e-bench load "$script" $dirs >/tmp/sb.out 2>/tmp/sb.err
	sed "s/^/E2E-INFO $drv: /" /tmp/sb.err
	sed "s/^/E2E-INFO $drv: /" /tmp/sb.out
	cat /tmp/sb.out >>"/tmp/sb-loads-$drv"
}

# sb_load_medians DRIVER: the median of each load figure of DRIVER.
sb_load_medians() {
	local m
	for m in load-script-ms load-to-card-ms load-to-fbcon-ms; do
		awk -v m=$m '$1 == m {print $2}' "/tmp/sb-loads-$1" 2>/dev/null |
			sort -n | awk -v m=$m -v d="$1" '{v[NR] = $1}
			END {if (NR) printf "E2E-BENCH %s %s %s\n", d, m,
				(NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2}'
	done
}

# The loads after the first: ours, then upstream, SB_LOADS - 1 times.
sb_load_pairs() {
	local i=1 out
	while [ $i -lt $SB_LOADS ]; do
		i=$((i + 1))
		sb_log_mark
		rmmod drm_shmem_helper 2>/dev/null
		sb_load ours /tmp/sb-ours.sh
		if ! sb_connected; then
			result FAIL bench-load-pairs "ours, load $i: $(for n in $DEVS; do states "$n"; done)"
			return
		fi
		sb_first_frame ours
		out=$(unload)
		# Ours must stay clean; upstream warns at every unbind anyway.
		if dmesg | tail -n +$((SB_LOG_LINES + 1)) | grep -qE "$SB_SPLAT"; then
			result FAIL bench-load-pairs "ours, load $i: a kernel splat"
			return
		fi
		wait_until 15 all_disconnected
		up_load
		out="$out$(up_unload)"
		if ! up_unloaded || ! unloaded; then
			result FAIL bench-load-pairs "load $i: $out"
			return
		fi
		wait_until 15 all_disconnected
	done
	result PASS bench-load-pairs
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

# sb_first_frame DRIVER: load-to-fbcon-ms, from the last load mark to
# fb0's registration in the kernel log, once the backend says it showed a
# frame of the first device.
sb_frame_shown() { ctl be first-frame "${DEVS%% *}" >/dev/null; }
sb_first_frame() {
	local drv=$1 ms
	if ! wait_until 30 sb_frame_shown; then
		echo "E2E-INFO $drv: no frame at the backend: $CTL_OUT"
		return
	fi
	ms=$(dmesg | awk -v mark="$SB_MARK" '
		function ts(line) { sub(/^\[ */, "", line); sub(/\].*/, "", line); return line }
		index($0, mark) { t0 = ts($0); t1 = "" }
		t0 != "" && t1 == "" && / fb0: .* frame buffer device/ { t1 = ts($0) }
		END { if (t1 != "") printf "%.1f\n", (t1 - t0) * 1000 }')
	if [ -z "$ms" ]; then
		echo "E2E-INFO $drv: no fb0 in the kernel log after the load"
		return
	fi
	echo "load-to-fbcon-ms $ms" >>"/tmp/sb-loads-$drv"
}

# "<timer> <event channels of the driver>": interrupt counts so far.
sb_irqs() {
	awk '$NF ~ /^timer/ {t += $2} $NF ~ /^(xen_drm_front|vdispl)/ {r += $2}
		END {print t + 0, r + 0}' /proc/interrupts
}
sb_idle() {
	local a b
	a=$(sb_irqs)
	sleep $SB_IDLE_SECS
	b=$(sb_irqs)
	echo "E2E-BENCH $1 idle-timer-irqs $(((${b% *} - ${a% *}) / SB_IDLE_SECS))"
	echo "E2E-BENCH $1 idle-ring-irqs $(((${b#* } - ${a#* }) / SB_IDLE_SECS))"
}

# Kernel log lines since sb_log_mark, splat-like ones reported.
sb_log_mark() { SB_LOG_LINES=$(dmesg | wc -l); }
sb_log_splats() {
	local drv=$1
	dmesg | tail -n +$((SB_LOG_LINES + 1)) | grep -E "$SB_SPLAT" >/tmp/sb.splat
	echo "E2E-BENCH $drv kernel-splats $(wc -l </tmp/sb.splat)"
	head -n 5 /tmp/sb.splat | sed "s/^/E2E-INFO $drv splat: /"
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

# Upstream's modules in load order (scripts/e2e-images.sh lists them);
# those ours already needed are loaded.
up_load() {
	sb_script /etc/e2e/upstream-modules >/tmp/sb-upstream.sh
	sb_load upstream /tmp/sb-upstream.sh
	up_loaded && sb_connected
}

# As lib.sh's unload, for upstream: its xenbus driver is named after the
# device type.
up_unload() {
	local n d
	for n in $(vdispl_devs); do
		d=/sys/bus/xen/devices/vdispl-$n/driver
		[ -e "$d" ] && echo "vdispl-$n" >"$d/unbind"
	done
	rmmod drm_xen_front 2>&1
	wait_until 10 up_unloaded
}

all_disconnected() {
	local n
	for n in $DEVS; do disconnected "$n" || return 1; done
}

sbench_run() {
	local out n
	rm -f /tmp/sb-loads-*
	sb_log_mark
	# Ours alone uses it: loaded with ours, as modprobe would.
	rmmod drm_shmem_helper 2>/dev/null
	sb_script /etc/e2e/modules "$MODULE" >/tmp/sb-ours.sh
	sb_load ours /tmp/sb-ours.sh
	check bench-ours-load "$(for n in $DEVS; do states "$n"; done)" sb_connected
	sb_first_frame ours
	sb_measure ours
	out=$(unload)
	check bench-ours-unload "$out (refcnt $(cat /sys/module/xen_drm_front/refcnt 2>&1))" unloaded
	# Upstream must find the backend waiting for a new frontend.
	wait_until 15 all_disconnected
	sb_log_splats ours

	sb_log_mark
	mark bench-upstream-load
	if ! unloaded; then
		result FAIL bench-upstream-load "our module is still loaded"
	else
		check bench-upstream-load "$(for n in $DEVS; do states "$n"; done); $(ls /dev/dri 2>&1)" up_load
	fi
	if up_loaded; then
		sb_measure upstream
		out=$(up_unload)
		check bench-upstream-unload "$out" up_unloaded
	else
		for n in flips1 flips4 buf-1080p buf-4k memory unload; do
			result FAIL "bench-upstream-$n" "not loaded"
		done
	fi
	sb_log_splats upstream

	sb_load_pairs
	sb_load_medians ours
	sb_load_medians upstream
	echo "E2E-BENCH upstream load-to-fbcon-ms none:no fbdev"
}
