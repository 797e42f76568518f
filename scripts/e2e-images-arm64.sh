#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build what the system test's arm64 target boots under qemu-system-aarch64:
# Xen 4.17 arm64, the Dom0 kernel and a Dom0 initramfs that carries the Xen
# tools, our backend and the DomU (kernel, initramfs with the arm64
# xen_drm_front.ko of `make module-arm64` and the guest programs). The
# arm64 counterpart of scripts/e2e-images.sh, with the same two layers:
#  - base: Debian's arm64 packages only (e2e_arm64_root in
#    scripts/e2e-lib.sh: downloaded and unpacked, never installed), cached
#    in ~/.cache/xen-drm-front/e2e/arm64/base-<hash of their versions>;
#  - overlay: our files, cross-built, rebuilt every time.
# The same kernel, linux-image-<abi>-arm64 of the version of the headers
# the module is built against, runs Dom0 and DomU.
#
# Usage: scripts/e2e-images-arm64.sh   prints the image directory on the last line
set -euo pipefail
# shellcheck source=scripts/e2e-lib.sh
source "$(dirname "$0")/e2e-lib.sh"

start=$SECONDS
e2e_setup arm64
"$SCRIPTS/module-arm64.sh" >&2
"$SCRIPTS/e2e-backend.sh" build-arm64 >&2
A64=$(e2e_arm64_root)

KREL=$(headers_abi)-arm64
LIBDIRS="/lib/aarch64-linux-gnu /usr/lib/aarch64-linux-gnu"
MODULE=$(arm64_build_dir)/$DRIVER_DIR/xen_drm_front.ko

vermagic=$(modinfo -F vermagic "$MODULE" | cut -d' ' -f1)
[[ $vermagic == "$KREL" ]] || die "$MODULE is built for $vermagic, the guest kernel is $KREL"

# ---- helpers ----

# a64_real PATH: PATH in the arm64 root with its links followed there (an
# absolute link points into the root, not into the host); fails if there
# is no such file.
a64_real() {
	local p=$1 l n=0
	while [[ -L $A64$p ]]; do
		l=$(readlink "$A64$p")
		[[ $l == /* ]] || l=$(dirname "$p")/$l
		p=$l
		((++n < 40)) || return 1
	done
	[[ -f $A64$p ]] && printf '%s\n' "$p"
}

# add_bin ROOT FILE: FILE of the arm64 root and the shared libraries it
# needs (add_libs).
add_bin() {
	local dst=$1 f=$2 real
	[[ -e $dst$f ]] && return 0
	real=$(a64_real "$f") || die "$f is not in the arm64 packages"
	mkdir -p "$dst$(dirname "$f")"
	cp "$A64$real" "$dst$f"
	add_libs "$dst" "$A64$real" "$f"
}

# add_libs ROOT ELF PATH: the shared libraries that ELF, to be run as
# PATH, needs, from the arm64 root, found where the dynamic loader looks
# (its run path, then the multiarch directories): what ldd does for a host
# binary. Those listed in the file $HAVE are already there.
HAVE=/dev/null
add_libs() {
	local dst=$1 elf=$2 f=$3 lib dir runpath interp
	interp=$(readelf -l "$elf" | sed -n 's/.*program interpreter: \(.*\)\]$/\1/p')
	[[ -z $interp ]] || grep -qxF "$interp" "$HAVE" || add_bin "$dst" "$interp"
	runpath=$(readelf -d "$elf" | sed -n 's/.*(R\(UN\)\?PATH).*\[\(.*\)\]$/\2/p')
	runpath=${runpath//\$ORIGIN/$(dirname "$f")}
	for lib in $(readelf -d "$elf" | sed -n 's/.*(NEEDED).*\[\(.*\)\]$/\1/p'); do
		for dir in ${runpath//:/ } $LIBDIRS; do
			if a64_real "$dir/$lib" >/dev/null; then
				grep -qxF "$dir/$lib" "$HAVE" || add_bin "$dst" "$dir/$lib"
				continue 2
			fi
		done
		die "$f needs $lib, which is not in the arm64 packages"
	done
}

add_mods() { # ROOT LIST MODULE...
	local root=$1 list=$2
	shift 2
	e2e_add_mods "$A64" "$KREL" "$root" "$list" "$@"
}

# ---- base layer ----
key=$({
	cat "$A64/VERSIONS"
	cat "$0" "$SCRIPTS/e2e-lib.sh" | sha256sum
} | sha256sum | cut -c1-16)
base=$E2E_ARM64/base-$key
if [[ ! -f $base/.done ]]; then
	say "e2e-images-arm64: building the base layer in $base" >&2
	rm -rf "$base"
	mkdir -p "$base"
	work=$base/work

	cp "$A64/boot/xen-4.17-arm64" "$base/xen"
	# An uncompressed Image: Xen and the domain builder load it as it is.
	cp "$A64/boot/vmlinuz-$KREL" "$base/Image"

	# DomU: as on x86 (scripts/e2e-images.sh), without Debian's frontend,
	# which the arm64 kernel does not build.
	du=$work/domu
	e2e_domu_root "$du" "$A64" aarch64-linux-gnu
	e2e_cpio_of "$du" >"$base/domu-base.cpio"

	# The results disk is a virtio-mmio device of QEMU's virt machine.
	d0=$work/dom0
	e2e_dom0_root "$d0" "$A64" aarch64-linux-gnu virtio_mmio
	cp "$base/Image" "$d0/domu/Image"
	e2e_cpio_of "$d0" | gzip -1 >"$base/dom0-base.cpio.gz"
	(cd "$d0" && find . -mindepth 1 | sed 's|^\.||') >"$base/dom0-files"

	cp "$A64/VERSIONS" "$base/VERSIONS"
	rm -rf "$work"
	touch "$base/.done"
	find "$E2E_ARM64" -mindepth 1 -maxdepth 1 -name 'base-*' ! -name "base-$key" \
		-exec rm -rf {} +
fi

# ---- overlay: our files ----
backend_libs() { # ROOT ELF
	HAVE=$base/dom0-files
	add_libs "$1" "$2" /usr/bin/vdispl-be
	HAVE=/dev/null
}
img=$E2E_ARM64/images
e2e_overlay "$img" "$base" "$KREL" "$MODULE" "$E2E_ARM64_BUILD" Image arm64
say "e2e-images-arm64: $img ($(e2e_elapsed "$start"); dom0.cpio.gz $(du -m "$img/dom0.cpio.gz" | cut -f1) MiB)" >&2
echo "$img"
