#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The system test: Xen 4.17 + Dom0 running our displif backend + a DomU
# running xen_drm_front.ko, all under QEMU (TCG: these machines have no
# usable KVM), once per target (one boot each, one after the other, or
# side by side with E2E_JOBS):
#   x86-pv   a PV DomU (tests/e2e/dom0/domu.cfg)
#   x86-pvh  a PVH DomU (domu-pvh.cfg): the auto-translated grant paths
#   arm64    Xen for arm64 under qemu-system-aarch64, a DomU of Debian's
#            arm64 kernel (domu-arm64.cfg; auto-translated, as every arm64
#            guest), our backend and module cross-built
#            (scripts/e2e-images-arm64.sh)
# Builds what it needs (scripts/e2e-images*.sh), boots, then judges: the guest's own checks (tests/e2e/domu/: scenarios 1-10 of
# tests/e2e/README.md), the pictures the backend saved for them
# (tests/e2e/pngcheck.py), the backend's verdict (no protocol violation,
# clean exit, one connection per load, the guest's dumb-buffer pixels seen
# in its mapping) and the kernel logs (no splat).
#
# Usage: scripts/e2e.sh
# Env:   E2E_TIMEOUT    QEMU time limit in seconds (default 1500)
#        E2E_BE_ARGS    extra vdispl-be arguments (default "--vsync")
#        E2E_SCENARIOS  the scenarios to run, e.g. "2 3 4" (default all)
#        E2E_TARGETS    the DomUs, e.g. "x86-pv arm64" (default all three:
#                       "x86-pv x86-pvh arm64")
#        E2E_JOBS       how many targets boot at once (default 1: on 2
#                       cores, 3 at once took 12 min instead of 18, but
#                       the host's load made arm64's backend miss its
#                       60 Hz ticks and failed scenario 9's paced check)
#        E2E_STRESS     scenario 10's backend kills and unbind/bind cycles:
#                       "KILLS CYCLES" on every target, or "full" (20 and
#                       100); default full on x86-pv, "5 20" on the others
# Prints one "PASS: TARGET NAME"/"FAIL: TARGET NAME - DETAIL" line per
# check, "TARGET: N passed, N failed" per target, then "N passed, N failed"
# for all of them.
# Logs and PNGs: ~/.cache/xen-drm-front/logs/e2e/<date>/<target>/ (also
# .../latest/<target>).
set -euo pipefail
# shellcheck source=scripts/e2e-lib.sh
source "$(dirname "$0")/e2e-lib.sh"

TIMEOUT=${E2E_TIMEOUT:-1500}
# Frame-done events at 60 Hz, as a display would: clients pace on them.
BE_ARGS=${E2E_BE_ARGS---vsync}
SCENARIOS=${E2E_SCENARIOS:-}
TARGETS=${E2E_TARGETS:-x86-pv x86-pvh arm64}
JOBS=${E2E_JOBS:-1}
[[ $JOBS =~ ^[1-9][0-9]*$ ]] || die "E2E_JOBS=$JOBS: want a number of boots"
# Scenario 10 in full takes about 3 minutes a target under TCG: in full on
# x86-pv, where it found its bugs, and shorter on the others, which share
# all of its code paths but the grant mappings, so that make test stays
# within CI's time.
declare -A TARGET_STRESS=([x86-pv]=full [x86-pvh]="5 20" [arm64]="5 20")
# The Dom0 argument that chooses each target's DomU config, and the
# guest type the DomU must then report (/sys/hypervisor/guest_type).
declare -A TARGET_DOMU=([x86-pv]="" [x86-pvh]=e2e.domu=pvh [arm64]=e2e.domu=arm64)
# Xen on arm64 has one kind of guest, which Linux calls HVM.
declare -A TARGET_TYPE=([x86-pv]=PV [x86-pvh]=PVH [arm64]=HVM)
# The architecture of the images each target boots (e2e_images).
declare -A TARGET_ARCH=([x86-pv]=x86_64 [x86-pvh]=x86_64 [arm64]=arm64)
for target in $TARGETS; do
	[[ -v TARGET_DOMU[$target] ]] ||
		die "E2E_TARGETS: unknown target '$target' (known: ${!TARGET_DOMU[*]})"
done
[[ -z ${E2E_STRESS:-} || $E2E_STRESS == full || $E2E_STRESS =~ ^[0-9]+\ [0-9]+$ ]] ||
	die "E2E_STRESS: '$E2E_STRESS' is neither \"full\" nor \"KILLS CYCLES\""

# Kernel log lines that fail the run (as in scripts/kunit.sh).
splat_re='BUG:|WARNING:|kernel BUG at|Oops|general protection|Kernel panic'
splat_re+='|KASAN|UBSAN|KFENCE|ODEBUG|list_(add|del) corruption'
splat_re+='|possible recursive locking|circular locking|inconsistent lock state'
splat_re+='|lockdep|suspicious RCU usage|blocked for more than|refcount_t'
splat_re+='|kmemleak: .*suspected|Call Trace:'
# The one DomU kernel warning a target excuses: its place and its call
# trace, function for function. Debian's arm64 kernel has no
# CONFIG_XEN_UNPOPULATED_ALLOC: the pages that backend buffers are mapped
# onto come from the balloon, whose thread then hot-adds a memory section
# to make up for them at the first free physical address, below the
# guest's RAM, where arm64 has no vmemmap (README, "arm64 guests").
declare -A TARGET_EXCUSED_AT=([arm64]='arch/arm64/mm/mmu.c:[0-9]+ vmemmap_populate[+]')
declare -A TARGET_EXCUSED_TRACE=([arm64]="vmemmap_populate __populate_section_memmap
	sparse_add_section __add_pages arch_add_memory add_memory_resource
	reserve_additional_memory balloon_thread kthread ret_from_fork")

start=$SECONDS
read -ra targets <<<"$TARGETS"
alone=$((JOBS == 1 || ${#targets[@]} == 1))
declare -A images=() images_pid=()
outs=$(mktemp -d)
trap 'kill "${images_pid[@]}" 2>/dev/null || true; rm -rf "$outs"' EXIT
# The images of each architecture the targets need. Booting one target
# after the other, the first target's are built first and the others' in
# the background, in the idle scheduling class, while the first boots
# (its guests leave a core idle much of the time): on a new machine the
# arm64 images take 2 to 3 minutes, mostly fetching and unpacking.
t=$SECONDS
e2e_images "${TARGET_ARCH[${targets[0]}]}"
for target in "${targets[@]}"; do
	arch=${TARGET_ARCH[$target]}
	[[ -z ${images[$arch]:-} && -z ${images_pid[$arch]:-} ]] || continue
	if ((alone)); then
		(
			# shellcheck disable=SC2086 # a list of groups
			e2e_setup ${E2E_ARCH_SETUP[$arch]}
			exec chrt --idle 0 "$SCRIPTS/${E2E_ARCH_IMAGES[$arch]}"
		) >"$outs/images-$arch" 2>&1 &
		images_pid[$arch]=$!
	else
		e2e_images "$arch"
	fi
done
images_time=$((SECONDS - t))
# images_wait ARCH: the images of ARCH, once their background build is
# done (its output shown then); dies if it failed.
images_wait() {
	local arch=$1 t=$SECONDS
	[[ -z ${images[$arch]:-} ]] || return 0
	say "e2e: waiting for the $arch images"
	if ! wait "${images_pid[$arch]}"; then
		cat "$outs/images-$arch" >&2
		die "building the $arch images failed"
	fi
	cat "$outs/images-$arch" >&2
	images[$arch]=$(tail -n 1 "$outs/images-$arch")
	say "e2e: the $arch images were built in the background ($((SECONDS - t)) s waited)"
}
# fbcon's text is checked against the kernel's own font.
font=$(src_tree)/lib/fonts/font_8x16.c

# ---- verdict ----
# Counts of the current target and of all of them.
passed=0 failed=0 all_passed=0 all_failed=0
verdict() { # PASS|FAIL NAME [DETAIL]
	if [[ $1 == PASS ]]; then
		echo "PASS: $target $2"
		passed=$((passed + 1))
	else
		echo "FAIL: $target $2${3:+ - $3}"
		failed=$((failed + 1))
	fi
}
check() { # NAME DETAIL CMD...
	local name=$1 detail=$2
	shift 2
	if "$@"; then verdict PASS "$name"; else verdict FAIL "$name" "$detail"; fi
}
# Lines of a guest console, without the carriage returns.
text() { tr -d '\r' <"$1" 2>/dev/null || true; }

# excused CONSOLE: the time stamps ("[    8.343213]") of the warnings the
# current target excuses in the kernel log the DomU printed at its end
# (E2E-DMESG-BEGIN...), whole there: the WARNING line at the excused place,
# then a call trace of exactly the excused functions.
excused() {
	[[ -v TARGET_EXCUSED_AT[$target] ]] || return 0
	text "$1" | sed -n '/^E2E-DMESG-BEGIN/,/^E2E-DMESG-END/p' |
		awk -v at="WARNING: CPU: [0-9]+ PID: [0-9]+ at ${TARGET_EXCUSED_AT[$target]}" \
			-v want="$(printf '%s' "${TARGET_EXCUSED_TRACE[$target]}" | tr -s '\n\t' '  ')" '
		{
			ts = $0
			if (!sub(/\].*/, "]", ts)) ts = ""
			msg = $0
			sub(/^\[[^]]*\] */, "", msg)
		}
		msg ~ "^" at { warn = ts; got = ""; trace = 0; next }
		warn == "" { next }
		msg == "Call trace:" { trace = 1; next }
		msg ~ /^---\[ end trace/ {
			if (trace && got == want) print warn
			warn = ""
			next
		}
		trace {
			fn = msg
			sub(/[+]0x.*/, "", fn)
			got = got == "" ? fn : got " " fn
		}'
}

# run_target: boot the current $target and judge it.
run_target() {
	local run qemu_rc boot_time res be_log console plan domid loads devs
	local runs last_log summary violations rc n dev round hash splats pngs
	local status name detail what file args out gtype created d_init d_end
	local stress kills cycles excuse
	local -a dom0_args
	local -A seen=()
	dom0_args=()
	stress=${E2E_STRESS:-${TARGET_STRESS[$target]}}
	if [[ $stress != full ]]; then
		read -r kills cycles <<<"$stress"
		dom0_args+=("e2e.stress-kills=$kills" "e2e.stress-cycles=$cycles")
		echo "e2e: $target: scenario 10 shortened: $kills backend kills, $cycles unbind/bind cycles"
	fi
	[[ -z ${TARGET_DOMU[$target]} ]] || dom0_args+=("${TARGET_DOMU[$target]}")
	[[ -z $BE_ARGS ]] || dom0_args+=("$(e2e_be_arg "$BE_ARGS")")
	[[ -z $SCENARIOS ]] || dom0_args+=("e2e.scenarios=$(echo "$SCENARIOS" | tr ', ' '++')")
	e2e_boot "e2e/$target" "${images[${TARGET_ARCH[$target]}]}" "$TIMEOUT" "${dom0_args[@]}"
	run=$E2E_RUN
	qemu_rc=$E2E_QEMU_RC
	boot_time=$E2E_BOOT_TIME
	res=$run/results
	be_log=$res/backend.log
	console=$res/domu-console.log

	check boot "QEMU exit $qemu_rc, see $run/serial.log" [ "$qemu_rc" = 0 ]
	check results-exported "nothing in $res" [ -s "$be_log" ]

	# The guests' own checks, in order: Dom0 then DomU. Each counts once:
	# Dom0 copies the end of the DomU's console into its own log when the
	# DomU times out, and a name reported twice otherwise is a test bug.
	# A kernel message may come out on the console between a line and
	# its end: what follows a name other than " - detail" is one, not
	# part of the result.
	while read -r status name detail; do
		[[ $detail == "- "* ]] || detail=
		if [[ -n ${seen[$name]:-} ]]; then
			[[ ${seen[$name]} == "$status $detail" ]] ||
				verdict FAIL "$name" "reported twice: ${seen[$name]}; then $status $detail"
			continue
		fi
		seen[$name]="$status $detail"
		verdict "$status" "$name" "${detail#- }"
	done < <({ text "$run/serial.log" | grep -v 'e2e-domu-console: '; text "$console"; } |
		sed -n 's/.*E2E-RESULT: \(PASS\|FAIL\) \([^ []*\)/\1 \2 /p')
	# The right kind of guest, or the target tested nothing new.
	gtype=$(text "$console" | sed -n 's/.*E2E-GUEST-TYPE: //p' | head -n 1)
	check guest-type "the DomU is '$gtype', want ${TARGET_TYPE[$target]}" \
		[ "$gtype" = "${TARGET_TYPE[$target]}" ]

	# The pictures: what the backend showed when the guest asked for a snapshot.
	while read -r name what file args; do
		if [[ -n ${seen[$name]:-} ]]; then
			verdict FAIL "$name" "reported twice"
			continue
		fi
		seen[$name]=png
		if [[ ! -f $res/png/$file ]]; then
			verdict FAIL "$name" "no snapshot $file"
			continue
		fi
		[[ $what == text ]] && args="$font $args"
		# shellcheck disable=SC2086 # the check's arguments
		if out=$("$E2E_SRC/pngcheck.py" "$what" "$res/png/$file" $args 2>&1); then
			verdict PASS "$name"
			echo "  $out"
		else
			verdict FAIL "$name" "$out"
		fi
	done < <(text "$console" | sed -n 's/.*E2E-PNG //p')

	# Everything the DomU planned must have reported: its checks and its
	# pictures' checks.
	plan=$(text "$console" | sed -n 's/.*E2E-PLAN: //p' | head -n 1)
	check guest-plan "the DomU never started its test" [ -n "$plan" ]
	for name in $plan; do
		[[ -n ${seen[$name]:-} ]] || verdict FAIL "$name" "no result (the test stopped before it)"
	done

	# The backend's verdict: its last run's summary and exit status (scenario
	# 7 kills one and starts another), no violation in any run.
	runs=$(cat "$res/backend.runs" 2>/dev/null || echo 1)
	last_log=$be_log
	[[ $runs -gt 1 ]] && last_log=$res/backend-$runs.log
	summary=$(grep 'vdispl-be: summary:' "$last_log" 2>/dev/null || true)
	[[ -z $summary ]] || echo "backend: ${summary#*summary: }"
	check backend-summary "no summary in $last_log" [ -n "$summary" ]
	violations=$(cat "$res"/backend*.log 2>/dev/null | grep -c 'VIOLATION' || true)
	no_violation() {
		[[ -n $summary && $summary == *"protocol violations 0" && ${violations:-0} == 0 ]]
	}
	check backend-no-violation "$(grep -h -m 3 VIOLATION "$res"/backend*.log 2>/dev/null)" no_violation
	rc=$(cat "$res/backend.rc" 2>/dev/null || echo none)
	check backend-exit "exit status $rc" [ "$rc" = 0 ]

	# One fresh connection per load for each device the DomU started with, in
	# the first backend run (loads after the DomU first had it killed, in
	# scenario 7 or 10, connect to later runs), and one more after each
	# reset the frontend made of it (scenario 8's silent backend).
	domid=$(text "$console" | sed -n 's/.*E2E-DOMID: \([0-9]*\).*/\1/p' | head -n 1)
	loads=$(text "$console" | sed '/E2E-INFO ctl: be-kill/,$d' | grep -c 'E2E-LOADED' || true)
	devs=$(text "$console" | sed -n 's/.*E2E-DEVS: //p' | head -n 1)
	for dev in $devs; do
		n=$(grep -c "dom$domid/$dev: connected:" "$be_log" || true)
		# A frontend gone ("none": the guest shuts down) connects no more.
		resets=$(grep "dom$domid/$dev: frontend .* after its reset" "$be_log" |
			grep -vc ": frontend none after" || true)
		check "backend-connections-dev$dev" "$n connections, want $loads + $resets resets" \
			[ "$n" = $((loads + resets)) ]
	done
	[[ -n $devs && -n $domid ]] || verdict FAIL backend-connections "no device connected"

	# The dumb buffers' pixels, as the backend saw them in its mapping.
	while read -r dev round hash; do
		name=dumb-pixels-dev$dev-$round
		if [[ -n ${seen[$name]:-} ]]; then
			verdict FAIL "$name" "reported twice"
			continue
		fi
		seen[$name]=1
		check "$name" "hash $hash not in the backend's DBUF_DESTROY lines" \
			grep -q "dom$domid/$dev: DBUF_DESTROY .*content fnv1a $hash" "$res"/backend*.log
	done < <(text "$console" | sed -n 's/.*E2E-DUMB dom=[0-9]* dev=\([0-9]*\) round=\([0-9a-z-]*\) .*hash \([0-9a-f]\{8\}\).*/\1 \2 \3/p')

	# No kernel splat in either guest (and a log to judge by).
	no_splat() { # LOG SPLATS
		[[ -s $1 && -z $2 ]]
	}
	# The excused warnings' lines, live on the console and in the log at
	# the end, go by their time stamps; any other line of theirs (none
	# matches splat_re today) would still fail.
	excuse=$(excused "$console")
	[[ -z $excuse ]] ||
		echo "e2e: $target: excused the kernel's warning at ${excuse//$'\n'/ } (Xen's balloon hot-adding memory below the guest's RAM, README)"
	splats=$(text "$console" | grep -E "$splat_re" |
		awk -v excuse="$excuse" -v at="${TARGET_EXCUSED_AT[$target]:-^$}" '
		BEGIN { n = split(excuse, a, "\n"); for (i = 1; i <= n; i++) ok[a[i]] = 1 }
		{ ts = $0; sub(/\].*/, "]", ts) }
		!(ts in ok && $0 ~ "WARNING: CPU: [0-9]+ PID: [0-9]+ at " at)' | head -n 5 || true)
	check guest-no-splat "${splats:-no console log}" no_splat "$console" "$splats"
	splats=$(grep -E "$splat_re" "$res/dom0-dmesg.txt" 2>/dev/null | head -n 5 || true)
	check dom0-no-splat "${splats:-no Dom0 kernel log}" no_splat "$res/dom0-dmesg.txt" "$splats"

	# Timings from the serial log.
	echo "e2e: $target: QEMU $boot_time s; marks (s since QEMU start):"
	grep -E 'E2E-MARK|E2E-DOM0-DONE' "$run/serial.log" | sed 's/^\[ *\([0-9.]*\)\].*\(E2E-[A-Z0-9-]*\)\( [a-z0-9-]*\)\?.*/  \1 \2\3/' || true
	# The target's boot (QEMU start to the DomU's /init: Xen, Dom0, the
	# toolstack, the DomU's kernel) and test (the DomU's scenarios) times.
	created=$(sed -n 's/^\[ *\([0-9.]*\)\].*E2E-MARK domu-created.*/\1/p' "$run/serial.log" | head -n 1)
	d_init=$(text "$console" | sed -n 's/^E2E-MARK domu-init \([0-9.]*\).*/\1/p' | head -n 1)
	d_end=$(text "$console" | sed -n 's/^E2E-MARK domu-end \([0-9.]*\).*/\1/p' | head -n 1)
	if [[ -n $created && -n $d_init && -n $d_end ]]; then
		awk -v t="$target" -v c="$created" -v i="$d_init" -v e="$d_end" 'BEGIN {
			printf "e2e: %s: boot %.0f s (QEMU start to the DomU'"'"'s test), test %.0f s (its scenarios)\n",
				t, c + i, e - i }'
	fi
	pngs=$(find "$res/png" -name '*.png' 2>/dev/null | wc -l)
	echo "e2e: $target: logs in $run ($pngs PNG files in $res/png)"
}

# With E2E_JOBS > 1 the targets boot side by side: much of a boot is its
# guests waiting (request and frame-done timeouts, the backend's 60 Hz,
# the checks' pauses), which a boot alone leaves the host's cores idle
# for; on a machine with cores to spare they need not wait for each other.
# A target's lines then come out whole once it is done; a boot alone
# prints as it goes.
: "${E2E_STAMP:=$(date +%Y%m%d-%H%M%S)}"
run_one() {
	passed=0 failed=0
	run_target
	echo "$target: $passed passed, $failed failed"
}
running=0
for target in "${targets[@]}"; do
	if ((alone)); then
		images_wait "${TARGET_ARCH[$target]}"
		run_one 2>&1 | tee "$outs/$target" || true
		continue
	fi
	if ((running == JOBS)); then
		wait -n || true
		running=$((running - 1))
	fi
	say "e2e: $target: started"
	run_one >"$outs/$target" 2>&1 &
	running=$((running + 1))
done
wait || true
for target in "${targets[@]}"; do
	((alone)) || cat "$outs/$target"
	counts=$(sed -n "s/^$target: \([0-9]*\) passed, \([0-9]*\) failed\$/\1 \2/p" \
		"$outs/$target")
	if [[ -z $counts ]]; then
		echo "FAIL: $target run - it stopped before its verdict"
		counts="0 1"
	fi
	read -r passed failed <<<"$counts"
	all_passed=$((all_passed + passed)) all_failed=$((all_failed + failed))
done
echo "e2e: images $images_time s, total $(e2e_elapsed "$start")"
echo "$all_passed passed, $all_failed failed"
((all_failed == 0))
