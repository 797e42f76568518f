#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Benchmarks through the driver under UML with the simulated backend
# (tests/kunit/xen_drm_front_bench.c): a benchmark run, not a test. The
# suite is linked in only for this run (XDF_KUNIT_BENCH=1); it reuses the
# normal KUnit build directory, so only a relink is paid each way.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

"$SCRIPTS/setup.sh" kunit
src=$(src_tree)
lock_src "$src"
overlay "$src"

build=$CACHE/kunit-$(src_version)-normal
log=$LOGS/bench-kunit.log
mkdir -p "$build" "$LOGS"
rm -f "$build/test.log"

say "bench-kunit: build dir $build, log $log"
if ! (cd "$src" && python3 tools/testing/kunit/kunit.py run \
	--kunitconfig="$REPO/tests/kunit/kunitconfig" --build_dir="$build" \
	--jobs="$JOBS" --make_options XDF_KUNIT_BENCH=1 \
	'xen_drm_front_bench' </dev/null) >"$log" 2>&1; then
	tail -n 30 "$log" >&2
	die "bench-kunit: the benchmark run failed (log: $log)"
fi

# The figures are the suite's kunit_info lines in the kernel log.
grep -h '# bench_' "$build/test.log" | sed 's/^.*# //'
