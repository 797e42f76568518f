#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build what the system test boots: Xen, the Dom0 kernel and a Dom0
# initramfs that carries the Xen tools, our backend and the DomU (kernel,
# initramfs with xen_drm_front.ko and the guest programs).
#
# Usage: scripts/e2e-images.sh      prints the image directory on the last line
#
# Only Debian packages: Xen 4.17 and its tools and busybox are installed on
# the host; the guest kernel, linux-image-<release> for the release of the
# linux-headers `make module` builds against (same package version), is
# downloaded with apt-get download and unpacked, not installed. The same
# kernel runs Dom0 and DomU.
#
# Two layers, each an archive of its own (the kernel unpacks concatenated
# cpio archives):
#  - base: depends only on Debian packages (and this script), cached in
#    ~/.cache/xen-drm-front/e2e/base-<hash of their versions>;
#  - overlay: our files (module, backend, guest programs, init scripts),
#    rebuilt every time, in seconds.
set -euo pipefail
# shellcheck source=scripts/e2e-lib.sh
source "$(dirname "$0")/e2e-lib.sh"

start=$SECONDS
e2e_setup images
"$SCRIPTS/module.sh" >&2
"$SCRIPTS/e2e-backend.sh" build >&2

KREL=$(e2e_kernel_release)
KVER=$(pkg_version "linux-headers-$KREL")
KPKG=linux-image-$KREL
MODULE=$REPO/$DRIVER_DIR/xen_drm_front.ko

# The module must be built for exactly this kernel.
vermagic=$(modinfo -F vermagic "$MODULE" | cut -d' ' -f1)
[[ $vermagic == "$KREL" ]] || die "$MODULE is built for $vermagic, the guest kernel is $KREL"

# ---- the guest kernel package, unpacked once per version ----
debs=$E2E_CACHE/debs
kdir=$E2E_CACHE/kernel-${KREL}_$KVER
if [[ ! -f $kdir/.done ]]; then
	mkdir -p "$debs"
	deb=$debs/${KPKG}_${KVER}_amd64.deb
	if [[ ! -f $deb ]]; then
		say "downloading $KPKG=$KVER" >&2
		# apt's sandbox user may not write in our cache: download in a
		# temporary directory it can write to, then move.
		tmp=$(mktemp -d)
		chmod 777 "$tmp"
		(cd "$tmp" && apt-get download "$KPKG=$KVER" >&2)
		mv "$tmp"/*.deb "$deb"
		rm -rf "$tmp"
	fi
	rm -rf "$kdir"
	mkdir -p "$kdir"
	dpkg-deb -x "$deb" "$kdir/root"
	depmod -b "$kdir/root" "$KREL"
	# An uncompressed DomU kernel: the domain builder in Dom0 would
	# otherwise spend ~10 s of emulated CPU unpacking the xz bzImage.
	# The bzImage's payload is an xz stream holding the ELF vmlinux.
	python3 - "$kdir/root/boot/vmlinuz-$KREL" "$kdir/vmlinux" <<-'PY' ||
		import lzma, sys
		data = open(sys.argv[1], "rb").read()
		start = data.find(b"\xfd7zXZ\x00")
		if start < 0:
		    sys.exit("no xz payload")
		# Stops at the end of the xz stream; what follows is not ours.
		elf = lzma.LZMADecompressor().decompress(data[start:])
		open(sys.argv[2], "wb").write(elf)
	PY
		die "cannot unpack vmlinuz-$KREL"
	[[ $(head -c 4 "$kdir/vmlinux" | od -An -tx1 | tr -d ' ') == 7f454c46 ]] ||
		die "could not extract an ELF vmlinux from vmlinuz-$KREL"
	touch "$kdir/.done"
fi
kroot=$kdir/root

# ---- helpers ----

# add_bin ROOT FILE: FILE and the shared libraries it needs.
add_bin() {
	local root=$1 f=$2 lib
	mkdir -p "$root$(dirname "$f")"
	cp -L "$f" "$root$f"
	while read -r lib; do
		[[ -e $root$lib ]] && continue
		mkdir -p "$root$(dirname "$lib")"
		cp -L "$lib" "$root$lib"
	done < <(ldd "$f" | awk '/=> \//{print $3} /^\t\//{print $1}')
}

add_mods() { # ROOT LIST MODULE...
	local root=$1 list=$2
	shift 2
	e2e_add_mods "$kroot" "$KREL" "$root" "$list" "$@"
}

# ---- base layer ----
# shellcheck disable=SC2206 # a list of package names
base_pkgs=(xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils busybox-static
	libc6 libgcc-s1 libpng16-16 zlib1g "linux-headers-$KREL" $E2E_GUEST_PKGS)
key=$({
	for p in "${base_pkgs[@]}"; do echo "$p $(pkg_version "$p")"; done
	cat "$0" "$SCRIPTS/e2e-lib.sh" | sha256sum
} | sha256sum | cut -c1-16)
base=$E2E_CACHE/base-$key
if [[ ! -f $base/.done ]]; then
	say "e2e-images: building the base layer in $base" >&2
	rm -rf "$base"
	mkdir -p "$base"
	work=$base/work

	# Xen: QEMU's multiboot loader wants the ELF, not the gzip.
	zcat /boot/xen-4.17-amd64.gz >"$base/xen"
	cp "$kroot/boot/vmlinuz-$KREL" "$base/vmlinuz"

	# DomU: its initramfs kept uncompressed: the domain builder would
	# unpack a compressed one on Dom0's emulated CPU.
	du=$work/domu
	e2e_domu_root "$du" "" x86_64-linux-gnu
	# Debian's frontend, for `make bench` to compare with (insmod only).
	add_mods "$du" upstream-modules drm_xen_front
	e2e_cpio_of "$du" >"$base/domu-base.cpio"

	d0=$work/dom0
	e2e_dom0_root "$d0" "" x86_64-linux-gnu virtio_pci
	cp "$kdir/vmlinux" "$d0/domu/vmlinux"
	e2e_cpio_of "$d0" | gzip -1 >"$base/dom0-base.cpio.gz"
	(cd "$d0" && find . -mindepth 1 | sed 's|^\.||') >"$base/dom0-files"

	{
		echo "kernel $KPKG $KVER"
		for p in "${base_pkgs[@]}"; do echo "$p $(pkg_version "$p")"; done
	} >"$base/VERSIONS"
	rm -rf "$work"
	touch "$base/.done"
	# Older layers and kernels are of no more use.
	find "$E2E_CACHE" -mindepth 1 -maxdepth 1 \( -name 'base-*' -o -name 'kernel-*' \) \
		! -name "base-$key" ! -name "${kdir##*/}" -exec rm -rf {} +
	find "$debs" -name '*.deb' ! -name "${KPKG}_${KVER}_amd64.deb" -delete
fi

# ---- overlay: our files ----
# The backend's shared libraries that the base layer lacks.
backend_libs() { # ROOT ELF
	local lib
	while read -r lib; do
		grep -qxF "$lib" "$base/dom0-files" && continue
		mkdir -p "$1$(dirname "$lib")"
		cp -L "$lib" "$1$lib"
	done < <(ldd "$2" | awk '/=> \//{print $3}')
}
img=$E2E_CACHE/images
e2e_overlay "$img" "$base" "$KREL" "$MODULE" "$E2E_BUILD" vmlinuz x86_64
say "e2e-images: $img ($(e2e_elapsed "$start"); dom0.cpio.gz $(du -m "$img/dom0.cpio.gz" | cut -f1) MiB)" >&2
echo "$img"
