# SPDX-License-Identifier: GPL-2.0
# Shared helpers for the build and test scripts; source it, don't run it.
# shellcheck shell=bash
# The variables are used by the scripts that source this file.
# shellcheck disable=SC2034

REPO=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
SCRIPTS=$REPO/scripts
DRIVER_DIR=drivers/gpu/drm/xen
DISPLIF=include/xen/interface/io/displif.h
# Everything built or downloaded lives outside the repository so that a
# fresh clone on the same machine starts warm.
CACHE=${XEN_DRM_FRONT_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/xen-drm-front}
LOGS=$CACHE/logs
JOBS=$(nproc)

say() { printf '==> %s\n' "$*"; }
warn() { printf '%s\n' "$*" >&2; }
die() { warn "error: $*"; exit 1; }

# run_logged NAME CMD...: run CMD with its output in $LOGS/NAME.log; on
# failure show the log's tail and where the whole log is.
run_logged() {
	local name=$1 log=$LOGS/$1.log
	shift
	mkdir -p "$LOGS"
	if "$@" >"$log" 2>&1; then
		return 0
	fi
	warn "FAILED: $name (full log: $log)"
	tail -n 40 "$log" >&2
	return 1
}

# The kernel tree to build the module against: KDIR if set, else the newest
# installed linux-headers-6.1.*-amd64 (not `uname -r`: the host kernel is
# not the target).
kdir() {
	if [[ -n ${KDIR:-} ]]; then
		printf '%s\n' "$KDIR"
		return
	fi
	local hdr
	hdr=$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort -V | tail -n 1)
	[[ -n $hdr ]] || die "no /usr/src/linux-headers-6.1.*-amd64 installed"
	printf '/lib/modules/%s/build\n' "${hdr#/usr/src/linux-headers-}"
}

# make against KDIR for the module in the repo. W=1 and -Werror are part of
# every module build (sparse included) so the objects never get rebuilt just
# because the flags changed between `make module` and `make check`.
module_make() {
	make -C "$(kdir)" M="$REPO/$DRIVER_DIR" W=1 KCFLAGS=-Werror "$@"
}

# Version of the installed linux-source-6.1 package: keys the caches.
src_version() {
	dpkg-query -W -f='${Version}' linux-source-6.1
}

# The extracted linux-source tree (KUnit, checkpatch, coccinelle and
# kernel-doc live there, not in the headers package). Extracted once per
# package version: into a temporary directory, then renamed into place, so
# an interrupted extraction never leaves a half tree behind.
src_tree() {
	local top src tmp
	top=$CACHE/src-$(src_version)
	src=$top/linux-source-6.1
	if [[ ! -d $src ]]; then
		mkdir -p "$top"
		tmp=$(mktemp -d "$top/.extract.XXXXXX")
		say "extracting /usr/src/linux-source-6.1.tar.xz into $top" >&2
		tar -C "$tmp" -xf /usr/src/linux-source-6.1.tar.xz
		# -T: fail instead of moving into the directory if another run won.
		mv -T "$tmp/linux-source-6.1" "$src" 2>/dev/null ||
			[[ -d $src ]] || die "could not move the extracted tree to $src"
		rm -rf "$tmp"
	fi
	printf '%s\n' "$src"
}

# lock_src SRC: hold an exclusive lock on the source tree (and the KUnit build
# directories that belong to it) until the calling script exits; several
# clones on one machine share them. A script run by one that holds the lock
# (coverage.sh runs kunit.sh, then reads the build dir) has it already: a
# flock of its own would wait for its parent forever.
lock_src() {
	local lock=$1.lock fd
	[[ ${XDF_SRC_LOCKED:-} == "$lock" ]] && return 0
	exec {fd}>"$lock"
	if ! flock -n "$fd"; then
		say "waiting for $lock (another run uses the source tree)"
		flock "$fd"
	fi
	export XDF_SRC_LOCKED=$lock
}

# overlay SRC: make the kernel tree's driver, its KUnit tests and displif.h
# the repository's. Only files whose content differs are rewritten: such a
# file gets a new mtime and is rebuilt, an identical one keeps its mtime, so
# the KUnit builds stay incremental even from a fresh clone (whose files all
# have new mtimes). Only sources are copied: stray objects from a module
# build in the repository must not land in the tree, where make's VPATH
# would pick them up.
overlay() {
	local src=$1
	local -a sync=(rsync --recursive --checksum --delete --delete-excluded)
	# tests/ comes from the second rsync: keep the first one off it.
	"${sync[@]}" --filter='P /tests/' --exclude=/tests/ --exclude='*.mod.c' \
		--include=Kconfig --include=Makefile --include=Kbuild \
		--include='*.[ch]' --exclude='*' \
		"$REPO/$DRIVER_DIR/" "$src/$DRIVER_DIR/"
	mkdir -p "$src/$DRIVER_DIR/tests"
	"${sync[@]}" --exclude='*.mod.c' \
		--include=Kbuild --include='*.[ch]' --exclude='*' \
		"$REPO/tests/kunit/" "$src/$DRIVER_DIR/tests/"
	if [[ -f $REPO/$DISPLIF ]] && ! cmp -s "$REPO/$DISPLIF" "$src/$DISPLIF"; then
		cp "$REPO/$DISPLIF" "$src/$DISPLIF"
	fi
}
