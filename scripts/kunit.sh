#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build and run the KUnit tests under UML in the cached linux-source tree.
# Usage: scripts/kunit.sh normal|debug|coverage|fuzz [build]
# (build: configure and build the kernel only, log in
# $LOGS/kunit-CONFIG-build.log; make test builds both kernels this way
# while the system test runs.)
# (coverage: built with gcov, the .gcda files left in the build dir; see
# scripts/coverage.sh, which makes the report. fuzz: the fuzz suite alone in
# the debug kernel, FUZZ_ITERATIONS iterations (default 2000000), seeded
# with FUZZ_SEED if set, else with a fresh seed it prints.)
# Env: KUNIT_FILTER  run only the suites (and tests) this kunit.py glob
#                    names, e.g. "xen_drm_front_fbdev" or "*.kt_vblank_*"
#                    (normal and debug; for a developer, not for make test)
# Fails if kunit.py fails, if no test ran, or on any kernel splat: KUnit
# itself passes a test that WARNs, trips KASAN or lockdep.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

config=${1:-}
build_only=false
case ${2:-} in
'') ;;
build) build_only=true ;;
*) die "usage: $0 normal|debug|coverage|fuzz [build]" ;;
esac
kunitconfigs=(--kunitconfig="$REPO/tests/kunit/kunitconfig")
# kunit.py's default: 300 s for the boot and every test.
timeout=300
# The fuzz suite's iterations and the connect/disconnect cycles (module
# parameters of the driver, on UML's command line): in the normal and the
# debug kernel alike: about 45 s and 1 s of the normal run, 2 min and 50 s
# of the debug one (2 cores, loaded).
filter=()
kargs=(xen_drm_front.fuzz_iterations=100000 xen_drm_front.fuzz_cycles=1000)
case $config in
normal) ;;
# kunit.py concatenates repeated --kunitconfig files.
debug)
	kunitconfigs+=(--kunitconfig="$REPO/tests/kunit/kunitconfig.debug")
	timeout=600
	;;
coverage)
	kunitconfigs+=(--kunitconfig="$REPO/tests/kunit/kunitconfig.coverage")
	kargs=(xen_drm_front.fuzz_iterations=5000 xen_drm_front.fuzz_cycles=20)
	;;
fuzz)
	kunitconfigs+=(--kunitconfig="$REPO/tests/kunit/kunitconfig.debug")
	filter=(xen_drm_front_fuzz)
	iterations=${FUZZ_ITERATIONS:-2000000}
	[[ $iterations =~ ^[0-9]+$ ]] || die "FUZZ_ITERATIONS: not a number"
	kargs=(xen_drm_front.fuzz_iterations="$iterations")
	if [[ -n ${FUZZ_SEED:-} ]]; then
		[[ $FUZZ_SEED =~ ^[0-9]+$ ]] || die "FUZZ_SEED: not a number"
		kargs+=(xen_drm_front.fuzz_seed="$FUZZ_SEED")
	fi
	# About 1.1 ms an iteration under KASAN: a margin of 4 times.
	timeout=$((300 + iterations / 200))
	;;
*) die "usage: $0 normal|debug|coverage|fuzz" ;;
esac
if [[ -n ${KUNIT_FILTER:-} && $config != fuzz ]]; then
	filter=("$KUNIT_FILTER")
fi
make_opts=()
if [[ $config == coverage ]]; then
	# gcov's counters slow every function of the kernel down.
	timeout=900
	# gcc 12's libgcov.a exports a mangle_path() of its own, which clashes
	# with fs/seq_file.c's when vmlinux is linked. Nothing in libgcov calls
	# it, so the kernel's (linked first) may win. Only the link's flags
	# change: arch/um/Makefile's LINK_WRAPS, which must still be the one
	# repeated here.
	wraps=-Wl,--wrap,malloc,--wrap,free,--wrap,calloc
	wraps+=,--allow-multiple-definition
fi

# Kernel log lines that mean something went wrong even if every test passed.
splat_re='BUG:|WARNING:|kernel BUG at|Oops|general protection|Kernel panic'
splat_re+='|Kernel mode fault'
splat_re+='|KASAN|UBSAN|KFENCE|ODEBUG|list_(add|del) corruption'
splat_re+='|possible recursive locking|circular locking|inconsistent lock state'
splat_re+='|lockdep|suspicious RCU usage|blocked for more than'
splat_re+='|kmemleak: .*suspected'
# Known issues, for later (do not whitelist before a test needs it):
# - with PROVE_LOCKING, 6.1 reports "possible recursive locking detected
#   (&shmem->vmap_lock)" when vmapping an imported shmem dma-buf: exporter
#   and importer objects share one lock class. A false positive, fixed
#   upstream after 6.1 (lock class per object).
# Whitelisted (see splats()):
# - with PROVE_RCU, "suspicious RCU usage" in lib/maple_tree.c from UML's
#   flush_tlb_mm(), which walks a process's VMAs with neither its mmap lock
#   nor RCU held. UML flushes the whole mm for every zap, so any
#   unmap_mapping_range() of a user mapping with pages present reaches it:
#   drm_dev_unplug() does it for a device unplugged while a buffer is mapped
#   (the fuzz and cycle suites). An arch/um bug (its TLB code was rewritten
#   after 6.1), not the driver's.

# splats LOG: print the splats in LOG, each with the lines that follow it,
# skipping the WARNING from arch/um/drivers/virt-pci.c that every UML 6.1
# boot prints (no PCI device id), up to the end of its backtrace, and
# UML's flush_tlb_mm() RCU report above, up to the end of its backtrace.
splats() {
	awk '
		function flush() {
			if (!(maple && tlb))
				printf "%s", held
			held = ""
			maple = tlb = trace = 0
		}
		held != "" && trace && !/^ \[</ { flush() }
		/WARNING: suspicious RCU usage/ { held = " " }
		held != "" {
			held = held $0 "\n"
			if (/lib\/maple_tree\.c/) maple = 1
			if (/flush_tlb_mm/) tlb = 1
			if (/^Call Trace:/) trace = 1
			next
		}
		{ print }
		END { if (held != "") flush() }
	' "$1" | awk -v re="$splat_re" '
		skip && /---\[ end trace/ { skip = 0; next }
		skip { next }
		/WARNING:.*arch\/um\/drivers\/virt-pci\.c/ { skip = 1; next }
		$0 ~ re { ctx = 15; found++ }
		ctx > 0 && shown < 200 { print; ctx--; shown++ }
		END { exit found > 0 }
	'
}

"$SCRIPTS/setup.sh" kunit
src=$(src_tree)
lock_src "$src"
overlay "$src"
if [[ $config == coverage ]] && ! grep -qxF \
	'LINK_WRAPS = -Wl,--wrap,malloc -Wl,--wrap,free -Wl,--wrap,calloc' \
	"$src/arch/um/Makefile"; then
	die "kunit(coverage): arch/um/Makefile's LINK_WRAPS changed; update $0"
fi

# The fuzz runs in the debug kernel: the same build directory.
build=$CACHE/kunit-$(src_version)-${config/fuzz/debug}
mkdir -p "$build"
if [[ $config == coverage ]]; then
	# gcc 12 puts gcov's exit handlers, which write the .gcda files, in
	# .fini_array.00100, and UML's linker script keeps .fini_array only:
	# they never run. A plain destructor of ours, linked in, dumps the
	# counters at exit instead.
	gcov_dump=$build/xdf-gcov-dump.o
	[[ -f $gcov_dump ]] || printf '%s\n' 'void __gcov_dump(void);' \
		'__attribute__((destructor)) static void xdf_gcov_dump(void)' \
		'{ __gcov_dump(); }' | gcc -c -O2 -x c -o "$gcov_dump" -
	make_opts=(--make_options="LINK_WRAPS=$wraps $gcov_dump")
	# Kbuild relinks vmlinux when its objects change, not when these
	# flags do: a build dir linked with others must be linked again.
	if [[ $(cat "$build/.xdf-link-opts" 2>/dev/null) != "${make_opts[*]}" ]]; then
		rm -f "$build/vmlinux"
		printf '%s\n' "${make_opts[*]}" >"$build/.xdf-link-opts"
	fi
fi

mkdir -p "$LOGS"
if $build_only; then
	log=$LOGS/kunit-$config-build.log
	say "kunit($config): building in $build, log $log"
	(cd "$src" && python3 tools/testing/kunit/kunit.py build \
		"${kunitconfigs[@]}" "${make_opts[@]}" --build_dir="$build" \
		--jobs="$JOBS" </dev/null) >"$log" 2>&1 ||
		die "kunit($config): build failed (log: $log)"
	exit 0
fi

json=$LOGS/kunit-$config.json
log=$LOGS/kunit-$config.log
# Never judge this run by the results of an earlier one.
rm -f "$json" "$build/test.log"
# gcov adds to the counts of existing .gcda files: start them from zero.
if [[ $config == coverage ]]; then
	find "$build" -name '*.gcda' -delete
fi

say "kunit($config): build dir $build, log $log"
ok=1
# kunit.py builds with O=$build, so the source tree stays clean. The run
# needs only the build directory, not the tree: another run may take the
# tree meanwhile (make test runs the normal and debug kernels side by side).
if ! (cd "$src" && python3 tools/testing/kunit/kunit.py build \
	"${kunitconfigs[@]}" "${make_opts[@]}" --build_dir="$build" \
	--jobs="$JOBS" </dev/null) 2>&1 | tee "$log"; then
	die "kunit($config): build failed (log: $log)"
fi
unlock_src
if ! (cd "$src" && python3 tools/testing/kunit/kunit.py exec \
	"${kunitconfigs[@]}" --build_dir="$build" \
	"${kargs[@]/#/--kernel_args=}" \
	--timeout="$timeout" --json="$json" \
	"${filter[@]}" </dev/null) 2>&1 | tee -a "$log"; then
	warn "kunit($config): kunit.py failed (log: $log)"
	ok=0
fi
if [[ -s $json ]]; then
	read -r passed failed skipped < <("$SCRIPTS/kunit_counts.py" "$json")
	say "kunit($config): $passed passed, $failed failed, $skipped skipped"
	if ((passed + failed + skipped == 0)); then
		warn "kunit($config): no test ran"
		ok=0
	fi
else
	warn "kunit($config): no results ($json)"
	ok=0
fi
# The fuzz suite's summary line, kept for make test's summary.
fuzz_file=$LOGS/kunit-$config.fuzz
rm -f "$fuzz_file"
if [[ -f $build/test.log ]]; then
	fuzz_line=$(grep -oE 'fuzz: [0-9]+ iterations, seed [0-9]+' \
		"$build/test.log" | tail -n 1 || true)
	if [[ -n $fuzz_line ]]; then
		say "kunit($config): $fuzz_line"
		printf '%s\n' "$fuzz_line" >"$fuzz_file"
	elif grep -q 'xen_drm_front_fuzz' "$build/test.log"; then
		warn "kunit($config): the fuzz suite ran but printed no summary"
		ok=0
	fi
fi
# Compiler warnings in our code (those of the files this run compiled).
if grep -E "$DRIVER_DIR/[^:]*:[0-9]+:[0-9]+: (warning|error):" "$log" >&2; then
	warn "kunit($config): compiler warnings in our code (log: $log)"
	ok=0
fi
if [[ -f $build/test.log ]] && ! splats "$build/test.log"; then
	warn "kunit($config): kernel splat in $build/test.log (lines above)"
	ok=0
fi
# sparse on the code only this build compiles (the simulated Xen and the
# suites), and on the driver as UML sees it: the module build in `make check`
# cannot reach tests/. Needs the .config kunit.py just wrote.
if [[ $config == normal && -f $build/.config ]]; then
	lock_src "$src"
	overlay "$src"
	sparse_log=$LOGS/kunit-sparse.log
	if ! (cd "$src" && make ARCH=um O="$build" C=2 CHECK=sparse \
		-j"$JOBS" "$DRIVER_DIR/") >"$sparse_log" 2>&1; then
		warn "kunit($config): sparse build failed (log: $sparse_log)"
		tail -n 30 "$sparse_log" >&2
		ok=0
	elif grep -E '(warning|error):' "$sparse_log" >&2; then
		warn "kunit($config): sparse reports (log: $sparse_log)"
		ok=0
	fi
fi
((ok)) || die "kunit($config) failed"
