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

# The ABI of the newest installed linux-headers-6.1.*-amd64, e.g. 6.1.0-57
# (not `uname -r`: the host kernel is not the target).
headers_abi() {
	local hdr
	hdr=$(find /usr/src -maxdepth 1 -name 'linux-headers-6.1.*-amd64' | sort -V | tail -n 1)
	[[ -n $hdr ]] || die "no /usr/src/linux-headers-6.1.*-amd64 installed"
	hdr=${hdr#/usr/src/linux-headers-}
	printf '%s\n' "${hdr%-amd64}"
}

# The kernel tree to build the module against: KDIR if set, else the newest
# installed linux-headers-6.1.*-amd64.
kdir() {
	if [[ -n ${KDIR:-} ]]; then
		printf '%s\n' "$KDIR"
		return
	fi
	printf '/lib/modules/%s-amd64/build\n' "$(headers_abi)"
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

# extracted TOP: linux-source-6.1 extracted into TOP, once per package
# version: into a temporary directory, then renamed into place, so an
# interrupted extraction never leaves a half tree behind.
extracted() {
	local top=$1 src=$1/linux-source-6.1 tmp
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

# The KUnit tree: the KUnit builds, checkpatch and kernel-doc use it (they
# live in the source package, not in the headers).
src_tree() {
	extracted "$CACHE/src-$(src_version)"
}

# The in-tree builds' own copy (scripts/intree.sh), where coccicheck runs
# too: the KUnit builds hold the KUnit tree's lock for minutes at a time,
# and make test runs them in the background from its start. Its lock is
# "$(intree_top)/tree" (lock_src).
intree_top() {
	printf '%s\n' "$CACHE/intree-$(src_version)"
}
intree_tree() {
	extracted "$(intree_top)"
}

# lock_src SRC: hold an exclusive lock on the source tree (and the KUnit build
# directories that belong to it) until the calling script exits; several
# clones on one machine share them. A script run by one that holds the lock
# (coverage.sh runs kunit.sh, then reads the build dir) has it already: a
# flock of its own would wait for its parent forever.
XDF_SRC_LOCK_FD=
lock_src() {
	local lock=$1.lock fd
	[[ ${XDF_SRC_LOCKED:-} == "$lock" ]] && return 0
	mkdir -p "${lock%/*}"
	exec {fd}>"$lock"
	if ! flock -n "$fd"; then
		say "waiting for $lock (another run uses the source tree)"
		flock "$fd"
	fi
	export XDF_SRC_LOCKED=$lock
	XDF_SRC_LOCK_FD=$fd
}
# unlock_src: let go of the lock lock_src took (none if a parent holds it).
unlock_src() {
	[[ -n $XDF_SRC_LOCK_FD ]] || return 0
	exec {XDF_SRC_LOCK_FD}>&-
	XDF_SRC_LOCK_FD=
	unset XDF_SRC_LOCKED
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

# arm64 cross builds. Debian's arm64 headers of the same ABI and version as
# the amd64 ones, so that both builds follow one package version: their
# Makefile includes the host's /usr/src/linux-headers-<abi>-common (arch
# all) and their scripts are the host's linux-kbuild-6.1 (host tools of the
# same version work for any target).

# The arm64 headers package and the version it must have: the installed
# -common's.
arm64_headers_pkg() {
	printf 'linux-headers-%s-arm64:arm64\n' "$(headers_abi)"
}
arm64_headers_version() {
	dpkg-query -W -f='${Version}' "linux-headers-$(headers_abi)-common"
}

# The arm64 headers tree, unpacked once per package version into the cache
# (not installed: as an arm64 package it would pull arm64 dependencies in).
# Unpacked into a temporary directory, then renamed into place, so that an
# interrupted or concurrent run never leaves or sees a half tree.
arm64_kdir() {
	local pkg ver top hdr tmp deb
	pkg=$(arm64_headers_pkg)
	ver=$(arm64_headers_version)
	top=$CACHE/arm64-headers-$ver
	hdr=$top/usr/src/${pkg%:arm64}
	if [[ ! -d $top ]]; then
		mkdir -p "$CACHE"
		tmp=$(mktemp -d "$CACHE/.arm64-headers.XXXXXX")
		say "fetching $pkg $ver into $top" >&2
		# apt warns that _apt cannot write to a private directory.
		if ! (cd "$tmp" && apt-get download -q "$pkg=$ver") \
			>"$tmp.log" 2>&1; then
			cat "$tmp.log" >&2
			rm -rf "$tmp" "$tmp.log"
			die "apt-get download $pkg=$ver failed"
		fi
		rm -f "$tmp.log"
		for deb in "$tmp"/*.deb; do
			dpkg-deb -x "$deb" "$tmp"
			rm -f "$deb"
		done
		# Its scripts and tools are relative links into an arm64
		# linux-kbuild-6.1 that is not there: use the host's, from here,
		# never touching /usr/src.
		ln -sfn /usr/lib/linux-kbuild-6.1/scripts "$tmp/usr/src/${pkg%:arm64}/scripts"
		ln -sfn /usr/lib/linux-kbuild-6.1/tools "$tmp/usr/src/${pkg%:arm64}/tools"
		# -T: fail instead of moving into the directory if another run won.
		mv -T "$tmp" "$top" 2>/dev/null || { rm -rf "$tmp"; [[ -d $top ]]; } ||
			die "could not move the arm64 headers to $top"
	fi
	printf '%s\n' "$hdr"
}

# The arm64 build directory: a copy of the driver's sources with the
# repository's layout (the driver's Makefile finds displif.h at
# ../../../../include). An out-of-tree build writes its objects next to the
# sources, so arm64 objects in the repository would make each of `make
# module` and `make module-arm64` rebuild all of the other's. Shared by the
# clones on this machine, so a fresh clone starts warm.
arm64_build_dir() {
	printf '%s\n' "$CACHE/arm64-build-$(arm64_headers_version)"
}

# arm64_sync DIR: lock DIR until the calling script exits (not from a
# subshell: the lock would go with it) and bring the repository's sources
# into it. --checksum rewrites only files whose content differs, so the
# others keep their mtimes and their objects stay valid; objects and
# generated files are excluded, which keeps --delete off them.
arm64_sync() {
	local dir=$1
	local -a sync=(rsync --recursive --checksum --delete)
	mkdir -p "$dir/$DRIVER_DIR" "$dir/$(dirname "$DISPLIF")"
	lock_src "$dir"
	"${sync[@]}" --exclude='*.mod.c' --include=Kconfig --include=Makefile \
		--include=Kbuild --include='*.[ch]' --exclude='*' \
		"$REPO/$DRIVER_DIR/" "$dir/$DRIVER_DIR/"
	"${sync[@]}" "$REPO/$DISPLIF" "$dir/$DISPLIF"
}

# arm64_make HDR DIR ARGS...: make against the arm64 headers HDR for the
# driver in the build directory DIR, with W=1 and -Werror as module_make.
# Debian's arm64 config has no CONFIG_DRM_XEN_FRONTEND (the driver's
# Makefile adds the module to obj-$(CONFIG_DRM_XEN_FRONTEND)): set it here.
arm64_make() {
	local hdr=$1 dir=$2
	shift 2
	make -C "$hdr" M="$dir/$DRIVER_DIR" ARCH=arm64 \
		CROSS_COMPILE=aarch64-linux-gnu- W=1 KCFLAGS=-Werror \
		CONFIG_DRM_XEN_FRONTEND=m "$@"
}
