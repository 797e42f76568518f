#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Cross-build xen_drm_front.ko for Debian's arm64 6.1 kernel, against the
# arm64 headers of the same version as the amd64 ones, in a copy of the
# sources in the cache (scripts/lib.sh: arm64_kdir, arm64_build_dir), and
# check that it is an AArch64 module for that kernel.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

"$SCRIPTS/setup.sh" arm64
hdr=$(arm64_kdir)
dir=$(arm64_build_dir)
arm64_sync "$dir"
say "module-arm64: building against $hdr"
run_logged module-arm64 arm64_make "$hdr" "$dir" modules

ko=$dir/$DRIVER_DIR/xen_drm_front.ko
readelf -h "$ko" | grep -q '^ *Machine: *AArch64$' ||
	die "$ko is not an AArch64 ELF file"
# The kernel's own vermagic: its release, then its flags, then the arch.
release=$(sed -n 's/^#define UTS_RELEASE "\(.*\)"$/\1/p' \
	"$hdr/include/generated/utsrelease.h")
vermagic=$(modinfo -F vermagic "$ko")
[[ -n $release && $vermagic == "$release "*" aarch64" ]] ||
	die "$ko: vermagic '$vermagic' is not the arm64 kernel's ($release ... aarch64)"
say "module-arm64: $ko ($vermagic)"
