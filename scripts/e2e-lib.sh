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

# What the DomU's scenarios run: modetest, proptest and vbltest, drm_info,
# Weston (DRM backend, pixman renderer) with its clients, and what Weston's
# desktop needs to draw (keymaps, a font).
E2E_GUEST_PKGS="libdrm-tests drm-info weston xkb-data fonts-dejavu-core"

# Debian packages per step. Like scripts/setup.sh's groups (to be merged
# there): installed only if missing.
declare -A E2E_GROUP=(
	[backend]="build-essential pkg-config libxen-dev libpng-dev libdrm-dev valgrind edid-decode"
	[images]="xen-hypervisor-4.17-amd64 xen-utils-4.17 xenstore-utils busybox-static cpio kmod xz-utils $E2E_GUEST_PKGS"
	[boot]="qemu-system-x86 python3 linux-source-6.1"
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

# e2e_boot KIND[/SUB] IMG TIMEOUT [DOM0 ARGS...]: a new run directory under
# $LOGS/KIND (the last ten are kept; KIND/latest links to it; with SUB,
# the run directory is its subdirectory SUB, and the boots of one process
# share the parent: scripts/e2e.sh's targets), then one
# boot of the images in IMG under QEMU for at most TIMEOUT s, with the Dom0
# kernel arguments given (e2e.be=..., e2e.scenarios=..., e2e.domu=...; see
# tests/e2e/dom0/init). Sets E2E_RUN (the run directory: serial.log,
# qemu.cmd, and results/ with what Dom0 exported), E2E_QEMU_RC and
# E2E_BOOT_TIME.
e2e_boot() {
	local kind=${1%%/*} sub='' img=$2 timeout=$3 logs export_img t stamp
	local xen_cmdline dom0_cmdline
	local -a qemu
	[[ $1 != */* ]] || sub=${1#*/}
	shift 3
	logs=$LOGS/$kind
	stamp=$(date +%Y%m%d-%H%M%S)
	if [[ -n $sub ]]; then
		: "${E2E_STAMP:=$stamp}"
		stamp=$E2E_STAMP
	fi
	E2E_RUN=$logs/$stamp${sub:+/$sub}
	mkdir -p "$E2E_RUN"
	ln -sfn "$stamp" "$logs/latest"
	find "$logs" -mindepth 1 -maxdepth 1 -type d -name '20*' | sort | head -n -10 |
		xargs -r rm -rf
	# The Dom0 writes its results (a tar) to this disk before powering off.
	export_img=$E2E_RUN/export.img
	truncate -s 256M "$export_img"

	xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M"
	xen_cmdline+=" dom0_max_vcpus=1 loglvl=all guest_loglvl=all"
	dom0_cmdline="console=hvc0 earlyprintk=xen rdinit=/init loglevel=6"
	dom0_cmdline+=" e2e.timeout=$((timeout - 120)) $*"
	# -initrd splits on commas.
	[[ $dom0_cmdline != *,* ]] || die "e2e_boot: a comma in '$dom0_cmdline'"
	# -cpu max,-smap: with SMAP emulated, Xen crashes Dom0 in
	# create_bounce_frame. -rdtscp: QEMU's SVM has no NRIP save, so Xen
	# cannot emulate a PVH guest's RDTSCP and the guest hangs; PV guests
	# do not mind.
	# shellcheck disable=SC2054 # the commas are QEMU's
	qemu=(qemu-system-x86_64 -accel tcg,thread=multi -cpu max,-smap,-rdtscp -smp 2
		-m 1792 -nodefaults -display none -no-reboot -serial stdio
		-kernel "$img/xen" -append "$xen_cmdline"
		-initrd "$img/vmlinuz $dom0_cmdline,$img/dom0.cpio.gz"
		-drive "file=$export_img,if=none,id=export,format=raw"
		-device virtio-blk-pci,drive=export)
	printf '%q ' "${qemu[@]}" >"$E2E_RUN/qemu.cmd"
	echo >>"$E2E_RUN/qemu.cmd"

	say "$kind${sub:+ $sub}: booting (log: $E2E_RUN/serial.log)"
	t=$SECONDS
	E2E_QEMU_RC=0
	"$E2E_SRC/run-qemu.py" "$E2E_RUN/serial.log" "$timeout" E2E-DOM0-DONE -- "${qemu[@]}" ||
		E2E_QEMU_RC=$?
	E2E_BOOT_TIME=$((SECONDS - t))
	mkdir -p "$E2E_RUN/results"
	tar -xf "$export_img" -C "$E2E_RUN/results" 2>/dev/null || true
	rm -f "$export_img"
}

# e2e_be_arg ARGS: the Dom0 kernel argument that passes backend arguments:
# one word, no comma (Dom0 turns '+' back into spaces, %2C into commas).
e2e_be_arg() {
	local be=${1// /+}
	printf 'e2e.be=%s\n' "${be//,/%2C}"
}
