#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The system test: Xen 4.17 + Dom0 running our displif backend + a PV DomU
# running xen_drm_front.ko, all under QEMU (TCG: these machines have no
# usable KVM). Builds what it needs (scripts/e2e-images.sh), boots, then
# judges: the guest's own checks (tests/e2e/domu/init), the backend's
# verdict (no protocol violation, clean exit, one connection per load, the
# guest's dumb-buffer pixels seen in its mapping) and the kernel logs (no
# splat).
#
# Usage: scripts/e2e.sh
# Env:   E2E_TIMEOUT  QEMU time limit in seconds (default 480)
#        E2E_BE_ARGS  extra vdispl-be arguments, e.g. "--vsync"
# Prints one PASS/FAIL line per check, then "N passed, N failed".
# Logs and PNGs: ~/.cache/xen-drm-front/logs/e2e/<date>/ (also .../latest).
set -euo pipefail
# shellcheck source=scripts/e2e-lib.sh
source "$(dirname "$0")/e2e-lib.sh"

TIMEOUT=${E2E_TIMEOUT:-480}
BE_ARGS=${E2E_BE_ARGS:-}
# Loads of the module in the guest's test, so connections per device.
ROUNDS=2

# Kernel log lines that fail the run (as in scripts/kunit.sh).
splat_re='BUG:|WARNING:|kernel BUG at|Oops|general protection|Kernel panic'
splat_re+='|KASAN|UBSAN|KFENCE|ODEBUG|list_(add|del) corruption'
splat_re+='|possible recursive locking|circular locking|inconsistent lock state'
splat_re+='|lockdep|suspicious RCU usage|blocked for more than|refcount_t'
splat_re+='|kmemleak: .*suspected|Call Trace:'

start=$SECONDS
e2e_setup backend images boot

t=$SECONDS
img=$("$SCRIPTS/e2e-images.sh" | tail -n 1)
images_time=$((SECONDS - t))

run=$E2E_LOGS/$(date +%Y%m%d-%H%M%S)
mkdir -p "$run"
ln -sfn "$(basename "$run")" "$E2E_LOGS/latest"
# Keep the last ten runs.
find "$E2E_LOGS" -mindepth 1 -maxdepth 1 -type d -name '20*' | sort | head -n -10 |
	xargs -r rm -rf
# The Dom0 writes its results (a tar) to this disk before powering off.
export_img=$run/export.img
rm -f "$export_img"
truncate -s 256M "$export_img"

xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M"
xen_cmdline+=" dom0_max_vcpus=1 loglvl=all guest_loglvl=all"
dom0_cmdline="console=hvc0 earlyprintk=xen rdinit=/init loglevel=6"
dom0_cmdline+=" e2e.timeout=$((TIMEOUT - 120))"
if [[ -n $BE_ARGS ]]; then
	# One word, and no comma (-initrd splits on commas): the Dom0 turns
	# '+' back into spaces and %2C into commas.
	be=${BE_ARGS// /+}
	dom0_cmdline+=" e2e.be=${be//,/%2C}"
fi
# -cpu max,-smap: with SMAP emulated, Xen crashes Dom0 in
# create_bounce_frame. PV guests only: PVH under emulated SVM is flaky.
# shellcheck disable=SC2054 # the commas are QEMU's
qemu=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max,-smap -smp 2
	-m 1280 -nodefaults -display none -no-reboot -serial stdio
	-kernel "$img/xen" -append "$xen_cmdline"
	-initrd "$img/vmlinuz $dom0_cmdline,$img/dom0.cpio.gz"
	-drive "file=$export_img,if=none,id=export,format=raw"
	-device virtio-blk-pci,drive=export)
printf '%q ' "${qemu[@]}" >"$run/qemu.cmd"
echo >>"$run/qemu.cmd"

say "e2e: booting (log: $run/serial.log)"
t=$SECONDS
qemu_rc=0
"$E2E_SRC/run-qemu.py" "$run/serial.log" "$TIMEOUT" E2E-DOM0-DONE -- "${qemu[@]}" ||
	qemu_rc=$?
boot_time=$((SECONDS - t))

res=$run/results
mkdir -p "$res"
tar -xf "$export_img" -C "$res" 2>/dev/null || true
rm -f "$export_img"
be_log=$res/backend.log
console=$res/domu-console.log

# ---- verdict ----
passed=0 failed=0
verdict() { # PASS|FAIL NAME [DETAIL]
	if [[ $1 == PASS ]]; then
		echo "PASS: $2"
		passed=$((passed + 1))
	else
		echo "FAIL: $2${3:+ - $3}"
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

check boot "QEMU exit $qemu_rc, see $run/serial.log" [ "$qemu_rc" = 0 ]
check results-exported "nothing in $res" [ -s "$be_log" ]

# The guests' own checks, in order: Dom0 then DomU.
declare -A seen=()
while read -r status name detail; do
	seen[$name]=1
	verdict "$status" "$name" "${detail#- }"
done < <({ text "$run/serial.log"; text "$console"; } |
	sed -n 's/.*E2E-RESULT: \(PASS\|FAIL\) /\1 /p')
# Everything the DomU planned must have reported.
plan=$(text "$console" | sed -n 's/.*E2E-PLAN: //p' | head -n 1)
check guest-plan "the DomU never started its test" [ -n "$plan" ]
for name in $plan; do
	[[ -n ${seen[$name]:-} ]] || verdict FAIL "$name" "no result (the test stopped before it)"
done

# The backend's verdict.
summary=$(grep 'vdispl-be: summary:' "$be_log" 2>/dev/null || true)
[[ -z $summary ]] || echo "backend: ${summary#*summary: }"
check backend-summary "no summary in $be_log" [ -n "$summary" ]
violations=$(grep -c 'VIOLATION' "$be_log" 2>/dev/null || true)
no_violation() {
	[[ -n $summary && $summary == *"protocol violations 0" && ${violations:-0} == 0 ]]
}
check backend-no-violation "$(grep -m 3 VIOLATION "$be_log" 2>/dev/null)" no_violation
rc=$(cat "$res/backend.rc" 2>/dev/null || echo none)
check backend-exit "exit status $rc" [ "$rc" = 0 ]

# One fresh connection per load, per device.
domid=$(text "$console" | sed -n 's/.*E2E-DUMB dom=\([0-9]*\) .*/\1/p' | head -n 1)
while read -r dev; do
	n=$(grep -c "$dev: connected:" "$be_log")
	check "backend-connections-${dev//\//-}" "$n connections, want $ROUNDS" [ "$n" = "$ROUNDS" ]
done < <(grep -o 'dom[0-9]*/[0-9]*: connected:' "$be_log" 2>/dev/null | cut -d: -f1 | sort -u)
[[ -n $domid ]] || verdict FAIL backend-connections "no device connected"

# The dumb buffers' pixels, as the backend saw them in its mapping.
while read -r dev round hash; do
	check "dumb-pixels-dev$dev-$round" "hash $hash not in the backend's DBUF_DESTROY lines" \
		grep -q "dom$domid/$dev: DBUF_DESTROY .*content fnv1a $hash" "$be_log"
done < <(text "$console" | sed -n 's/.*E2E-DUMB dom=[0-9]* dev=\([0-9]*\) round=\([0-9]*\) .*hash \([0-9a-f]\{8\}\).*/\1 \2 \3/p')

# No kernel splat in either guest (and a log to judge by).
no_splat() { # LOG SPLATS
	[[ -s $1 && -z $2 ]]
}
splats=$(text "$console" | grep -E "$splat_re" | head -n 5 || true)
check guest-no-splat "${splats:-no console log}" no_splat "$console" "$splats"
splats=$(grep -E "$splat_re" "$res/dom0-dmesg.txt" 2>/dev/null | head -n 5 || true)
check dom0-no-splat "${splats:-no Dom0 kernel log}" no_splat "$res/dom0-dmesg.txt" "$splats"

# Timings from the serial log.
echo "e2e: images $images_time s, QEMU $boot_time s, total $(e2e_elapsed "$start");" \
	"marks (s since QEMU start):"
grep -E 'E2E-MARK|E2E-DOM0-DONE' "$run/serial.log" | sed 's/^\[ *\([0-9.]*\)\].*\(E2E-[A-Z0-9-]*\)\( [a-z0-9-]*\)\?.*/  \1 \2\3/' || true
pngs=$(find "$res/png" -name '*.png' 2>/dev/null | wc -l)
echo "e2e: logs in $run ($pngs PNG files in $res/png)"
echo "$passed passed, $failed failed"
((failed == 0))
