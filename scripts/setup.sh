#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# Install the Debian packages a target needs, and nothing if they are there.
# Usage: scripts/setup.sh module|kunit|check|intree|coverage...
set -euo pipefail

declare -A group=(
	[module]="build-essential bc bison flex libelf-dev libssl-dev kmod linux-headers-amd64"
	[kunit]="linux-source-6.1 xz-utils python3 rsync"
	[check]="sparse coccinelle ocaml-nox"
	[intree]="sparse python3-docutils"
	[coverage]="lcov"
)
# Each group builds on the previous one (check needs the source tree too).
declare -A needs=([module]="module" [kunit]="module kunit" [check]="module kunit check"
	[intree]="module kunit intree" [coverage]="module kunit coverage")

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
((${#missing[@]} > 0)) || exit 0

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
say "installing ${missing[*]}"
run_logged apt-install install_missing
