#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The system test's displif backend (tests/e2e/backend) and guest programs
# (tests/e2e/guest), and make bench's QEMU plugin (tests/e2e/qemu, built
# for the host by "build").
# Usage: scripts/e2e-backend.sh build   build them into ~/.cache/xen-drm-front/e2e/build
#        scripts/e2e-backend.sh build-arm64
#                                        cross-build them for the arm64
#                                        target's guests against Debian's
#                                        arm64 libraries, into .../e2e/build-arm64
#        scripts/e2e-backend.sh test    build, then the backend core's unit
#                                        test under valgrind and an EDID
#                                        conformity check with edid-decode;
#                                        ends with "N passed, N failed"
set -euo pipefail
# shellcheck source=scripts/e2e-lib.sh
source "$(dirname "$0")/e2e-lib.sh"

action=${1:-}
[[ $action == build || $action == build-arm64 || $action == test ]] ||
	die "usage: $0 build|build-arm64|test"

# build LOG SRC OUT [MAKE ARGS]: make in SRC with O=OUT, in the environment
# build_env sets. make's timestamps cannot tell sources of another checkout
# (a fresh clone, a worktree) from those OUT was built from: everything is
# rebuilt when the content differs.
build_env=()
build() {
	local log=$1 src=$2 out=$3 sum
	shift 3
	sum=$(cd "$src" && find . -type f -print0 | LC_ALL=C sort -z |
		xargs -0 sha256sum | sha256sum | cut -c1-16)
	mkdir -p "$out"
	if [[ $(cat "$out/.src-sum" 2>/dev/null) != "$sum" ]]; then
		rm -f "$out/.src-sum"
		set -- -B "$@"
	fi
	run_logged "$log" "${build_env[@]}" make -C "$src" O="$out" "$@"
	echo "$sum" >"$out/.src-sum"
}

if [[ $action == build-arm64 ]]; then
	e2e_setup arm64
	root=$(e2e_arm64_root)
	mapfile -t cross < <(e2e_arm64_env "$root")
	mkdir -p "$LOGS"
	build_env=(env "${cross[@]}")
	build e2e-backend-build-arm64 "$E2E_SRC/backend" "$E2E_ARM64_BUILD/backend" \
		-j"$JOBS" "$E2E_ARM64_BUILD/backend/vdispl-be"
	build e2e-guest-build-arm64 "$E2E_SRC/guest" "$E2E_ARM64_BUILD/guest"
	say "e2e-backend: $E2E_ARM64_BUILD/backend/vdispl-be, guest programs in $E2E_ARM64_BUILD/guest (arm64)"
	exit 0
fi

e2e_setup backend
mkdir -p "$LOGS"
build e2e-backend-build "$E2E_SRC/backend" "$E2E_BUILD/backend" -j"$JOBS"
build e2e-guest-build "$E2E_SRC/guest" "$E2E_BUILD/guest"
build e2e-qemu-build "$E2E_SRC/qemu" "$E2E_BUILD/qemu"
say "e2e-backend: $E2E_BUILD/backend/vdispl-be, guest programs in $E2E_BUILD/guest"
[[ $action == test ]] || exit 0

passed=0 failed=0
# Each mode's EDID must pass edid-decode's conformity check.
for mode in "640 480" "1024 768" "1920 1080" "2560 1600" "3840 2160"; do
	# shellcheck disable=SC2086 # two words: width and height
	if "$E2E_BUILD/backend/test_core" --edid $mode |
		edid-decode --check >"$LOGS/e2e-edid.log" 2>&1; then
		echo "ok - EDID ${mode/ /x} conforms (edid-decode --check)"
		passed=$((passed + 1))
	else
		echo "not ok - EDID ${mode/ /x} (edid-decode --check):"
		sed 's/^/  /' "$LOGS/e2e-edid.log"
		failed=$((failed + 1))
	fi
done

# make bench's instruction count (tests/e2e/qemu/icount.c) on a program
# of known length: 2000 instructions between its first two marks, 2000000
# between the last two (and the few of the marks and the loop set-up).
e2e_setup boot
log=$LOGS/e2e-icount.log
out=$E2E_BUILD/qemu/selftest.out
rm -f "$out"
rc=0
timeout 120 qemu-system-x86_64 -accel tcg -display none -nodefaults \
	-device isa-debug-exit,iobase=0xf4,iosize=4 \
	-kernel "$E2E_BUILD/qemu/selftest.elf" \
	-plugin "$E2E_BUILD/qemu/icount.so,out=$out" >"$log" 2>&1 || rc=$?
# isa-debug-exit's status: the value written (0) times 2, plus 1.
if ((rc == 1)) && awk '{ t[NR] = $2 } END {
	a = t[2] - t[1]; b = t[3] - t[2]
	exit !(NR == 3 && a >= 2000 && a <= 2010 && b >= 2000000 && b <= 2000010)
}' "$out"; then
	echo "ok - icount.so counts 2000 and 2000000 instructions between marks"
	passed=$((passed + 1))
else
	echo "not ok - icount.so: QEMU exited with $rc, marks:" \
		"$(paste -sd ' ' "$out" 2>/dev/null) (log: $log)"
	failed=$((failed + 1))
fi

log=$LOGS/e2e-backend-test.log
rc=0
# Its own count line goes to the log only: ours, below, is the total.
make -s -C "$E2E_SRC/backend" O="$E2E_BUILD/backend" check >"$log" 2>&1 || rc=$?
grep -vE '^[0-9]+ passed, [0-9]+ failed$' "$log" || true
if read -r p _ f _ < <(grep -E '^[0-9]+ passed, [0-9]+ failed$' "$log" | tail -n 1); then
	passed=$((passed + p))
	failed=$((failed + f))
fi
if ((rc != 0)) && ! grep -qE '^[0-9]+ passed, [1-9]' "$log"; then
	# valgrind found an error or a leak, or the test crashed.
	echo "not ok - test_core under valgrind exited with $rc (log: $log)"
	failed=$((failed + 1))
fi
echo "$passed passed, $failed failed"
((failed == 0))
