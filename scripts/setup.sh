#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages a target needs, and nothing if they are there.
# arm64 also makes apt know the arm64 archive, where the arm64 kernel
# headers come from (scripts/lib.sh unpacks them; they are not installed).
# Usage: scripts/setup.sh module|kunit|check|intree|coverage|arm64...
set -euo pipefail

declare -A group=(
	[module]="build-essential bc bison flex libelf-dev libssl-dev kmod linux-headers-amd64"
	[kunit]="linux-source-6.1 xz-utils python3 rsync"
	[check]="sparse coccinelle ocaml-nox"
	[intree]="sparse python3-docutils"
	[coverage]="lcov"
	[arm64]="gcc-aarch64-linux-gnu rsync"
)
# Each group builds on the previous one (check needs the source tree too).
declare -A needs=([module]="module" [kunit]="module kunit" [check]="module kunit check"
	[intree]="module kunit intree" [coverage]="module kunit coverage"
	[arm64]="module arm64")

(($# > 0)) || { echo "usage: $0 ${!needs[*]}" >&2; exit 2; }

missing=()
for target in "$@"; do
	[[ -n ${needs[$target]:-} ]] || { echo "$0: unknown group '$target'" >&2; exit 2; }
	for g in ${needs[$target]}; do
		for pkg in ${group[$g]}; do
			status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
			if [[ $status != installed && " ${missing[*]} " != *" $pkg "* ]]; then
				missing+=("$pkg")
			fi
		done
	done
done
arm64=false
[[ " $* " != *" arm64 "* ]] || arm64=true
foreign=$(dpkg --print-foreign-architectures)
add_arch=false
if $arm64 && ! grep -qx arm64 <<<"$foreign"; then
	add_arch=true
fi
((${#missing[@]} > 0)) || $arm64 || exit 0

# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

sudo=()
[[ $(id -u) == 0 ]] || sudo=(sudo)
apt() {
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" </dev/null
}
install_missing() {
	apt update && apt install -y --no-install-recommends "${missing[@]}"
}
if $add_arch; then
	# Before the update below, so that one update fetches both indexes.
	say "adding the arm64 architecture to dpkg"
	"${sudo[@]}" dpkg --add-architecture arm64
fi
if ((${#missing[@]} > 0)); then
	say "installing ${missing[*]}"
	run_logged apt-install install_missing
elif $add_arch; then
	run_logged apt-update apt update
fi
$arm64 || exit 0

# The arm64 headers must be the very version of the installed amd64 ones
# (scripts/lib.sh, arm64_kdir): an index from before the last update of the
# amd64 headers may not list it yet.
pkg=$(arm64_headers_pkg)
ver=$(arm64_headers_version)
known() {
	apt-cache madison "$pkg" | awk -F' *[|] *' -v v="$ver" '$2 == v { f = 1 } END { exit !f }'
}
if ! known; then
	run_logged apt-update apt update
	known || die "$pkg $ver is not in the archive: upgrade the amd64 headers to the mirror's (apt-get install linux-headers-amd64)"
fi
