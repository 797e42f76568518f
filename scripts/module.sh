#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Build xen_drm_front.ko out of tree against the Debian 6.1 headers (KDIR).
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

"$SCRIPTS/setup.sh" module
say "module: building against $(kdir)"
run_logged module module_make modules
say "module: $REPO/$DRIVER_DIR/xen_drm_front.ko"
