#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Lint our own sources with sparse (x86_64 and arm64), checkpatch,
# coccicheck and kernel-doc, and build them in tree (scripts/intree.sh).
# Every linter runs; the script fails if any of them reports anything.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

# checkpatch types we ignore, and why:
# CAMELCASE: the Xen protocol's names (displif.h, XenbusState*) are CamelCase.
# FILE_PATH_CHANGES: asks about MAINTAINERS for new files: not applicable to
# an out-of-tree project.
checkpatch_ignore=CAMELCASE,FILE_PATH_CHANGES
# displif.h only, PREFER_KERNEL_TYPES: like all of include/xen/interface/ it
# is Xen's public ABI header and keeps Xen's uint32_t etc.
displif_ignore=$checkpatch_ignore,PREFER_KERNEL_TYPES

"$SCRIPTS/setup.sh" check arm64
src=$(src_tree)
cd "$REPO"
mkdir -p "$LOGS"

# Our files (paths relative to the repository), not generated ones.
files=()
for f in "$DRIVER_DIR"/*.[ch] "$DISPLIF" tests/kunit/*.[ch]; do
	if [[ -f $f && $f != *.mod.c ]]; then
		files+=("$f")
	fi
done

# sparse, through the module build against KDIR: C=2 checks every file, not
# only the ones that get recompiled. tests/kunit/ only builds under UML:
# scripts/kunit.sh runs sparse on it.
sparse_check() {
	local log=$LOGS/sparse.log
	if ! module_make C=2 CHECK=sparse modules >"$log" 2>&1; then
		tail -n 30 "$log"
		echo "sparse: build failed (log: $log)"
		return 1
	fi
	! grep -E '(warning|error):' "$log"
}

# sparse for arm64, in make module-arm64's build directory (same flags: no
# object is rebuilt for it): another architecture's headers and sizes.
# Any report fails, as for x86_64; shown with the repository's paths. A
# subshell, so that the build directory's lock goes with it instead of
# being held through the other linters.
sparse_arm64_check() (
	# lint runs it as a condition, where set -e does not apply.
	log=$LOGS/sparse-arm64.log
	hdr=$(arm64_kdir) || exit 1
	dir=$(arm64_build_dir) || exit 1
	arm64_sync "$dir" || exit 1
	if ! arm64_make "$hdr" "$dir" C=2 CHECK=sparse modules >"$log" 2>&1; then
		tail -n 30 "$log"
		echo "sparse-arm64: build failed (log: $log)"
		exit 1
	fi
	reports=$(grep -E '(warning|error):' "$log") || exit 0
	printf '%s\n' "${reports//"$dir/"/}"
	exit 1
)

# checkpatch IGNORE FILE...
checkpatch() {
	local ignore=$1 out
	shift
	# GIT_DIR: checkpatch looks for .git in the working directory (ours) to
	# validate SPDX tags with spdxcheck.py, which reads LICENSES/ from the
	# kernel's git history: the tarball tree has none, so every tag would be
	# "malformed". Pointing it at the tree's missing .git keeps the check
	# for a well-formed SPDX line and skips that one.
	out=$(GIT_DIR=$src/.git perl "$src/scripts/checkpatch.pl" --root="$src" \
		--strict --no-summary --terse --ignore "$ignore" -f "$@" 2>&1) ||
		[[ -n $out ]] || out="checkpatch failed"
	[[ -z $out ]] || { printf '%s\n' "$out"; return 1; }
}

checkpatch_check() {
	local f rc=0 others=()
	for f in "${files[@]}"; do
		[[ $f == "$DISPLIF" ]] || others+=("$f")
	done
	if [[ -f $DISPLIF ]]; then
		checkpatch "$displif_ignore" "$DISPLIF" || rc=1
	fi
	if ((${#others[@]} > 0)); then
		checkpatch "$checkpatch_ignore" "${others[@]}" || rc=1
	fi
	return "$rc"
}

kerneldoc_check() {
	local out
	out=$(perl "$src/scripts/kernel-doc" -none "${files[@]}" 2>&1) ||
		[[ -n $out ]] || out="kernel-doc failed"
	[[ -z $out ]] || { printf '%s\n' "$out"; return 1; }
}

# coccicheck needs scripts/coccinelle from a source tree, so it runs there,
# on the overlaid driver directory (driver and KUnit tests; displif.h is
# checked as far as the .c files include it). The in-tree build's tree, not
# the KUnit one, whose lock make test's background KUnit builds hold; the
# in-tree build drops tests/ again.
cocci_check() {
	local log=$LOGS/coccicheck.log tree dir
	lock_src "$(intree_top)/tree"
	tree=$(intree_tree)
	dir=$tree/$DRIVER_DIR
	overlay "$tree"
	if ! make -C "$tree" M="$dir" coccicheck MODE=report J="$JOBS" \
		>"$log" 2>&1; then
		tail -n 30 "$log"
		echo "coccicheck failed (log: $log)"
		return 1
	fi
	# Report lines start with "file:line:"; show the repository's paths.
	! grep -E "^(\./|$tree/)?($DRIVER_DIR/[^ :]+|$DISPLIF):[0-9]+" "$log" |
		sed -e "s|^\./||" -e "s|^$tree/||" \
			-e "s|^$DRIVER_DIR/tests/|tests/kunit/|"
}

failed=()
lint() {
	local name=$1 start=$SECONDS
	shift
	if "$@"; then
		say "check: $name ok ($((SECONDS - start)) s)"
	else
		say "check: $name FAILED ($((SECONDS - start)) s)"
		failed+=("$name")
	fi
}

lint sparse sparse_check
lint sparse-arm64 sparse_arm64_check
if ((${#files[@]} > 0)); then
	lint checkpatch checkpatch_check
	lint kernel-doc kerneldoc_check
else
	say "check: no source files yet: checkpatch and kernel-doc skipped"
fi
lint coccicheck cocci_check
lint in-tree "$SCRIPTS/intree.sh"

((${#failed[@]} == 0)) || die "check failed: ${failed[*]}"
