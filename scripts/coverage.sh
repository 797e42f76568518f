#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make coverage: the KUnit suites under UML built with gcov (scripts/kunit.sh
# coverage), then the line and function coverage of each driver file
# (drivers/gpu/drm/xen/*.c; not the suites, not the simulated Xen): a table
# printed last and kept as markdown in the logs dir, and genhtml's report in
# the cache. Fails if the KUnit run fails; the coverage goal is only reported.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

# The project's goal, reported but not enforced (not part of `make test`).
GOAL_TOTAL=90
GOAL_FILE=80

"$SCRIPTS/setup.sh" coverage
src=$(src_tree)
# Held until the report is made: a coverage run from another clone would
# delete and rewrite the .gcda files under us. kunit.sh knows we hold it.
lock_src "$src"
build=$CACHE/kunit-$(src_version)-coverage

start=$SECONDS
ok=1
"$SCRIPTS/kunit.sh" coverage || ok=0
[[ -n $(find "$build/$DRIVER_DIR" -maxdepth 1 -name '*.gcda' -print -quit 2>/dev/null) ]] ||
	die "coverage: no .gcda files in $build/$DRIVER_DIR (did the UML kernel exit cleanly?)"
((ok)) || warn "coverage: the KUnit run failed; the report below counts what ran"

# gcov must be the one of the compiler that built the kernel (kunit.py uses
# plain gcc): gcc 12's .gcno format is unknown to other gcov versions.
gcov=gcov-$(gcc -dumpversion | cut -d. -f1)
command -v "$gcov" >/dev/null || gcov=gcov

out=$CACHE/coverage/$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
say "coverage: lcov on $build/$DRIVER_DIR (log: $out/lcov.log)"
{
	lcov --capture --directory "$build/$DRIVER_DIR" --gcov-tool "$gcov" \
		--output-file "$out/all.info"
	# Driver sources only: not the headers' inline functions (ours or the
	# kernel's), not tests/ (suites and simulated Xen). lcov's patterns
	# are shell globs where * also matches /, hence the second step.
	lcov --extract "$out/all.info" "*/$DRIVER_DIR/*.c" \
		--output-file "$out/driver-tests.info"
	lcov --remove "$out/driver-tests.info" "*/$DRIVER_DIR/tests/*" \
		--output-file "$out/driver.info"
	genhtml --output-directory "$out/html" --prefix "$src" \
		--title "xen_drm_front: KUnit under UML" "$out/driver.info"
} >"$out/lcov.log" 2>&1 || { tail -n 30 "$out/lcov.log" >&2; die "coverage: lcov failed"; }
rm -f "$out/driver-tests.info"
ln -sfn "$(basename "$out")" "$CACHE/coverage/latest"
# Keep the last five reports.
find "$CACHE/coverage" -mindepth 1 -maxdepth 1 -type d -name '20*' | sort |
	head -n -5 | xargs -r rm -rf

# The table. The driver's files are listed from the tree, not named here: a
# file the KUnit kernel does not build (xen_drm_front_xen.c, the real Xen
# calls the simulation replaces) has a row that says so and is left out of
# the total.
md=$LOGS/coverage.md
mkdir -p "$LOGS"
built=$(sed -n 's|^SF:.*/||p' "$out/driver.info")
unbuilt=()
for f in "$src/$DRIVER_DIR"/*.c; do
	f=${f##*/}
	grep -qxF "$f" <<<"$built" || unbuilt+=("$f")
done
awk -v goal_total="$GOAL_TOTAL" -v goal_file="$GOAL_FILE" \
	-v unbuilt="${unbuilt[*]}" '
	function pct(h, t) { return t ? sprintf("%.1f%%", 100 * h / t) : "-" }
	/^SF:/ { file = $0; sub(/^.*\//, "", file); files[++n] = file }
	/^LF:/ { lf[file] = substr($0, 4) }
	/^LH:/ { lh[file] = substr($0, 4) }
	/^FNF:/ { fnf[file] = substr($0, 5) }
	/^FNH:/ { fnh[file] = substr($0, 5) }
	END {
		print "| file | lines | lines % | functions | functions % |"
		print "|---|---|---|---|---|"
		# Sorted by name (n is small).
		for (i = 1; i <= n; i++)
			for (j = i + 1; j <= n; j++)
				if (files[j] < files[i]) {
					t = files[i]; files[i] = files[j]; files[j] = t
				}
		for (i = 1; i <= n; i++) {
			f = files[i]
			printf "| %s | %d/%d | %s | %d/%d | %s |\n", f, lh[f], lf[f],
				pct(lh[f], lf[f]), fnh[f], fnf[f], pct(fnh[f], fnf[f])
			LH += lh[f]; LF += lf[f]; FH += fnh[f]; FF += fnf[f]
			if (lf[f] && 100 * lh[f] < goal_file * lf[f])
				below = below " " f
		}
		k = split(unbuilt, u, " ")
		for (i = 1; i <= k; i++)
			printf "| %s | not built under KUnit | | | |\n", u[i]
		printf "| **total** | %d/%d | %s | %d/%d | %s |\n", LH, LF,
			pct(LH, LF), FH, FF, pct(FH, FF)
		print ""
		met = LF && 100 * LH >= goal_total * LF && below == ""
		printf "Goal: >= %d%% of the lines overall and >= %d%% in each file: %s", \
			goal_total, goal_file, met ? "met" : "NOT met"
		if (LF && 100 * LH < goal_total * LF)
			printf " (total %s)", pct(LH, LF)
		if (below != "")
			printf " (under %d%%:%s)", goal_file, below
		print "."
	}' "$out/driver.info" >"$md"

say "coverage: HTML report $out/html/index.html"
say "coverage: this table also in $md ($((SECONDS - start)) s)"
cat "$md"
((ok)) || die "coverage: the KUnit run failed (log: $LOGS/kunit-coverage.log)"
