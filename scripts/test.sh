#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The whole test suite: module, module-arm64, check, the DKMS package's
# install test, the system test's backend unit test, the system test itself,
# then kunit and kunit-debug side by side, whose kernels build in the
# background from the start. A failing step does not stop the others. The
# last line printed sums the KUnit test cases of both runs and the checks of
# the package and system-test steps: "N passed, N failed, N skipped". Exits
# non-zero if any step failed (build, linter, test or kernel splat).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

# Results of an earlier run must not be counted if a step fails early.
rm -f "$LOGS"/kunit-normal.json "$LOGS"/kunit-debug.json \
	"$LOGS"/kunit-normal.fuzz "$LOGS"/kunit-debug.fuzz

failed_steps=()
step() {
	local name=$1 start=$SECONDS
	shift
	say "test: $name"
	if "$@"; then
		say "test: $name ok ($((SECONDS - start)) s)"
	else
		say "test: $name FAILED ($((SECONDS - start)) s)"
		failed_steps+=("$name")
	fi
}

# The two UML kernels build in the background while the other steps run,
# in the idle scheduling class: the system test's guests leave the cores
# idle for much of their run (they wait for timeouts, the paced backend,
# the console), and so do the package installations and the single-threaded
# parts of check (the second source extraction, checkpatch), and a
# SCHED_IDLE task takes no CPU time QEMU or a linter wants. On a new
# machine this hides most of the two builds (about 3 min 20 s each alone);
# on a warm one they find nothing to build. Their packages and source
# first, in the foreground: the other steps install packages too, and
# only one apt runs at a time. A failed build is not a failed step: the
# kunit steps build again and tell why.
prebuild() {
	local config start=$SECONDS
	for config in normal debug; do
		chrt --idle 0 "$SCRIPTS/kunit.sh" "$config" build ||
			warn "test: building the $config KUnit kernel in the background failed"
	done
	say "test: the KUnit kernels' background build took $((SECONDS - start)) s"
}
if "$SCRIPTS/setup.sh" kunit && (src_tree >/dev/null); then
	prebuild &
	prebuild_pid=$!
else
	warn "test: no KUnit kernel built in the background: the kunit steps build them"
	prebuild_pid=
fi

step module "$SCRIPTS/module.sh"
step module-arm64 "$SCRIPTS/module-arm64.sh"
step check "$SCRIPTS/check.sh"

# The package and system-test steps print their own "N passed, N failed"
# last.
e2e_out=$LOGS/test-e2e.out
mkdir -p "$LOGS"
: >"$e2e_out"
tee_to() { # FILE CMD...: CMD's output also into FILE, CMD's exit status
	local file=$1
	shift
	"$@" | tee -a "$file"
}
step deb tee_to "$e2e_out" "$SCRIPTS/deb.sh" test
step e2e-backend tee_to "$e2e_out" "$SCRIPTS/e2e-backend.sh" test
step e2e tee_to "$e2e_out" "$SCRIPTS/e2e.sh"

if [[ -n $prebuild_pid ]]; then
	if kill -0 "$prebuild_pid" 2>/dev/null; then
		say "test: waiting for the KUnit kernels' background build"
	fi
	wait "$prebuild_pid" || true
fi
# Each KUnit run is one UML process, one CPU: the debug run goes beside
# the normal one, its output kept until the normal one's is out.
debug_out=$(mktemp)
"$SCRIPTS/kunit.sh" debug >"$debug_out" 2>&1 &
debug_pid=$!
step kunit "$SCRIPTS/kunit.sh" normal
kunit_debug() {
	local rc=0
	wait "$debug_pid" || rc=$?
	cat "$debug_out"
	rm -f "$debug_out"
	return $rc
}
step kunit-debug kunit_debug

results=()
for json in "$LOGS"/kunit-normal.json "$LOGS"/kunit-debug.json; do
	if [[ -s $json ]]; then
		results+=("$json")
	fi
done
passed=0 failed=0 skipped=0
if ((${#results[@]} > 0)); then
	read -r passed failed skipped < <("$SCRIPTS/kunit_counts.py" "${results[@]}")
fi
while read -r p f; do
	passed=$((passed + p)) failed=$((failed + f))
done < <(sed -n 's/^\([0-9]\+\) passed, \([0-9]\+\) failed$/\1 \2/p' "$e2e_out")

if ((${#failed_steps[@]} > 0)); then
	echo "FAILED: ${failed_steps[*]}"
fi
for config in normal debug; do
	if [[ -s $LOGS/kunit-$config.fuzz ]]; then
		echo "kunit-$config $(cat "$LOGS/kunit-$config.fuzz")"
	fi
done
echo "$passed passed, $failed failed, $skipped skipped"
((${#failed_steps[@]} == 0 && failed == 0))
