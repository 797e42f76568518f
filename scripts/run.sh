#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# For now: say where the module is, how to load it in a Xen guest, and how
# to see it run under real Xen on this machine (make e2e).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

ko=$REPO/$DRIVER_DIR/xen_drm_front.ko
[[ -f $ko ]] || die "$ko is missing: run 'make module'"
kver=$(modinfo -F vermagic "$ko" | cut -d' ' -f1)
deps=$(modinfo -F depends "$ko")
cat <<MSG
Module: $ko
Built for: $kver (depends on: ${deps:-nothing})
To load it in a Xen PV guest (DomU) running that kernel with a vdispl device:
  # keep Debian's own frontend (alias xen:vdispl) away
  echo 'blacklist drm_xen_front' > /etc/modprobe.d/xen-drm-front.conf
  rmmod drm_xen_front 2>/dev/null
  mkdir -p /lib/modules/$kver/updates
  cp $ko /lib/modules/$kver/updates/
  depmod -a $kver && modprobe xen_drm_front
To see it drive a real backend on this machine (Xen + Dom0 + DomU under
QEMU; the backend's PNG of each shown frame lands in
~/.cache/xen-drm-front/logs/e2e/latest/results/png/):
  make e2e
MSG
