#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# make run: the driver for real. Boots Xen 4.17 with a Dom0 running our
# displif backend and a DomU that loads xen_drm_front.ko, under QEMU
# (scripts/e2e.sh builds and installs what it needs), and runs the demo
# scenarios: fbcon text on the console (4), modetest's pattern and flips on
# every connector (2), Weston with a client (3). Then says where the
# pictures the backend saved and the logs are, and how to load the module
# in a Xen guest of one's own.
#
# Env: RUN_SCENARIOS  the scenarios to run (default "4 2 3"; see
#                     tests/e2e/README.md)
#      TARGET or RUN_TARGET  the DomU: x86-pv (default), x86-pvh or arm64
#                     (scripts/e2e.sh)
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

rc=0
target=${TARGET:-${RUN_TARGET:-x86-pv}}
E2E_TARGETS=$target E2E_SCENARIOS=${RUN_SCENARIOS:-4 2 3} "$SCRIPTS/e2e.sh" || rc=$?
res=$LOGS/e2e/latest/$target/results
ko=$REPO/$DRIVER_DIR/xen_drm_front.ko
kind=PV
case $target in
x86-pvh) kind=PVH ;;
arm64)
	ko=$(arm64_build_dir)/$DRIVER_DIR/xen_drm_front.ko
	kind=arm64
	;;
esac
echo
echo "What the backend showed when the guest asked (the scenarios' snapshots):"
find "$res/png" -maxdepth 1 -name 's[0-9]-*.png' 2>/dev/null | sort | sed 's/^/  /'
echo "Every frame it saved (rate-limited): $res/png/"
echo "Logs: $LOGS/e2e/latest/$target/ (serial.log; results/: domu-console.log, backend.log)"
cat <<MSG

To load the module in a Xen $kind guest of your own running
$(modinfo -F vermagic "$ko" | cut -d' ' -f1), with a vdispl device in its xl config:
  echo 'blacklist drm_xen_front' > /etc/modprobe.d/xen-drm-front.conf
  rmmod drm_xen_front 2>/dev/null
  mkdir -p /lib/modules/\$(uname -r)/updates
  cp $ko /lib/modules/\$(uname -r)/updates/ && depmod -a && modprobe xen_drm_front
Or, for every kernel it will run, install the DKMS package that \`make deb\`
builds (README.md: "Install in a Debian guest").
MSG
exit $rc
