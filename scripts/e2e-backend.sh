#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The system test's displif backend (tests/e2e/backend) and guest programs
# (tests/e2e/guest).
# Usage: scripts/e2e-backend.sh build   build them into ~/.cache/xen-drm-front/e2e/build
#        scripts/e2e-backend.sh test    build, then the backend core's unit
#                                        test under valgrind and an EDID
#                                        conformity check with edid-decode;
#                                        ends with "N passed, N failed"
set -euo pipefail
# shellcheck source=scripts/e2e-lib.sh
source "$(dirname "$0")/e2e-lib.sh"

action=${1:-}
[[ $action == build || $action == test ]] || die "usage: $0 build|test"

e2e_setup backend
mkdir -p "$E2E_BUILD/backend" "$E2E_BUILD/guest" "$LOGS"
run_logged e2e-backend-build make -C "$E2E_SRC/backend" O="$E2E_BUILD/backend" -j"$JOBS"
run_logged e2e-guest-build make -C "$E2E_SRC/guest" O="$E2E_BUILD/guest"
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
