# SPDX-License-Identifier: GPL-2.0
# Shared by the system-test scripts (scripts/e2e*.sh); source it, don't run
# it. Builds on lib.sh.
# shellcheck shell=bash
# The variables are used by the scripts that source this file.
# shellcheck disable=SC2034

# shellcheck source=scripts/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

E2E_SRC=$REPO/tests/e2e
E2E_CACHE=$CACHE/e2e
E2E_LOGS=$LOGS/e2e
# Build output of the backend and the guest programs: outside the
# repository, like every other build product.
E2E_BUILD=$E2E_CACHE/build

# Debian packages per step. Like scripts/setup.sh's groups (to be merged
# there): installed only if missing.
declare -A E2E_GROUP=(
	[backend]="build-essential pkg-config libxen-dev libpng-dev libdrm-dev valgrind edid-decode"
	[images]="xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils busybox-static cpio kmod xz-utils"
	[boot]="qemu-system-x86 python3"
)

# apt-get as root, without questions.
e2e_apt() {
	local -a sudo=()
	[[ $(id -u) == 0 ]] || sudo=(sudo)
	"${sudo[@]}" env DEBIAN_FRONTEND=noninteractive apt-get "$@" </dev/null
}

e2e_install() {
	e2e_apt update && e2e_apt install -y --no-install-recommends "$@"
}

# e2e_setup GROUP...: install the missing packages of the groups.
e2e_setup() {
	local g pkg status
	local -a missing=()
	for g in "$@"; do
		[[ -n ${E2E_GROUP[$g]:-} ]] || die "e2e_setup: unknown group '$g'"
		for pkg in ${E2E_GROUP[$g]}; do
			status=$(dpkg-query -W -f='${db:Status-Status}' "$pkg" 2>/dev/null || true)
			if [[ $status != installed && " ${missing[*]} " != *" $pkg "* ]]; then
				missing+=("$pkg")
			fi
		done
	done
	((${#missing[@]} > 0)) || return 0
	say "installing ${missing[*]}"
	run_logged e2e-apt-install e2e_install "${missing[@]}"
}

# Version of an installed package.
pkg_version() {
	dpkg-query -W -f='${Version}' "$1"
}

# The kernel release (e.g. 6.1.0-56-amd64) of the headers `make module`
# builds against: the guest must run exactly that kernel package.
e2e_kernel_release() {
	local k
	k=$(kdir)
	k=${k%/build}
	k=${k##*/}
	[[ $k == 6.1.*-amd64 ]] || die "KDIR $(kdir) is not a Debian 6.1 kernel: the system test needs linux-headers-6.1.*-amd64"
	printf '%s\n' "$k"
}

# e2e_elapsed START: seconds since START (a $SECONDS value), as "N s".
e2e_elapsed() {
	printf '%d s' "$((SECONDS - $1))"
}
