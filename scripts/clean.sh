#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Remove the module build output from the repository. The caches under
# ~/.cache/xen-drm-front stay: they are what keeps the next build fast.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

# Without kernel headers nothing can have been built.
if (kdir >/dev/null 2>&1); then
	module_make clean >/dev/null
fi
# checkpatch's cache, if someone ran it by hand in the driver directory.
rm -f "$REPO/$DRIVER_DIR"/.checkpatch-camelcase.*
