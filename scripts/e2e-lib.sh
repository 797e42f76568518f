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
	# The arm64 target: its guests' programs and libraries are Debian's
	# arm64 packages, unpacked, not installed (e2e_arm64_root); the host
	# cross-builds ours and runs QEMU. busybox-static: its applet list.
	[arm64]="build-essential gcc-aarch64-linux-gnu pkg-config busybox-static cpio kmod xz-utils"
	[boot-arm64]="qemu-system-arm python3 linux-source-6.1"
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

# The images of each architecture: the script that builds them, and the
# set-up groups it needs.
declare -A E2E_ARCH_IMAGES=([x86_64]=e2e-images.sh [arm64]=e2e-images-arm64.sh)
declare -A E2E_ARCH_SETUP=([x86_64]="backend images boot" [arm64]="arm64 boot-arm64")

# e2e_images ARCH...: set up and build the images of each ARCH, once each;
# their directories in the associative array images, by architecture
# (declared by the caller).
e2e_images() {
	local arch
	for arch in "$@"; do
		[[ -z ${images[$arch]:-} ]] || continue
		# shellcheck disable=SC2086 # a list of groups
		e2e_setup ${E2E_ARCH_SETUP[$arch]}
		# shellcheck disable=SC2004 # images: the caller's associative array
		images[$arch]=$("$SCRIPTS/${E2E_ARCH_IMAGES[$arch]}" | tail -n 1)
	done
}

# e2e_boot KIND[/SUB] IMG TIMEOUT [DOM0 ARGS...]: a new run directory under
# $LOGS/KIND (the last ten are kept; KIND/latest links to it; with SUB,
# the run directory is its subdirectory SUB, and the boots of one process
# share the parent: scripts/e2e.sh's targets), then one
# boot of the images in IMG under QEMU for at most TIMEOUT s, with the Dom0
# kernel arguments given (e2e.be=..., e2e.scenarios=..., e2e.domu=...; see
# tests/e2e/dom0/init). With E2E_ICOUNT, the path of icount.so
# (tests/e2e/qemu), an x86 QEMU counts the instructions it executes into
# icount.txt in the run directory (and with E2E_ICOUNT_PROF set, each
# block's into icount-prof.txt). With E2E_QEMU_ICOUNT (QEMU's -icount
# options, e.g. shift=3,sleep=off), QEMU runs in virtual time: one host
# thread takes the CPUs in turn and the clocks the machine sees advance
# by the instructions it executes (2^shift ns each), not the host's time,
# so the host's other work slows the boot down but changes nothing the
# machine sees. Sets E2E_RUN (the run directory:
# serial.log, qemu.cmd, and results/ with what Dom0 exported), E2E_QEMU_RC
# and E2E_BOOT_TIME.
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

	dom0_cmdline="console=hvc0 rdinit=/init loglevel=6"
	dom0_cmdline+=" e2e.timeout=$((timeout - 120)) $*"
	# -initrd and guest-loader split on commas.
	[[ $dom0_cmdline != *,* ]] || die "e2e_boot: a comma in '$dom0_cmdline'"
	case $(cat "$img/ARCH" 2>/dev/null || echo x86_64) in
	x86_64) e2e_qemu_x86 ;;
	arm64) e2e_qemu_arm64 ;;
	*) die "e2e_boot: $img/ARCH: unknown architecture" ;;
	esac
	# make bench's instruction count: x86 only, where the guest's marks are.
	if [[ -n ${E2E_ICOUNT:-} && ${qemu[0]} == qemu-system-x86_64 ]]; then
		[[ $E2E_ICOUNT$E2E_RUN != *,* ]] || die "e2e_boot: a comma in '$E2E_ICOUNT' or '$E2E_RUN'"
		qemu+=(-plugin "$E2E_ICOUNT,out=$E2E_RUN/icount.txt${E2E_ICOUNT_PROF:+,prof=$E2E_RUN/icount-prof.txt}")
	fi
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

# e2e_qemu_accel: QEMU's accelerator options: a thread per CPU, or with
# E2E_QEMU_ICOUNT one thread in virtual time (-icount needs it).
e2e_qemu_accel() {
	if [[ -n ${E2E_QEMU_ICOUNT:-} ]]; then
		echo "-icount $E2E_QEMU_ICOUNT -accel tcg,thread=single"
	else
		echo "-accel tcg,thread=multi"
	fi
}

# e2e_qemu_x86, e2e_qemu_arm64: e2e_boot's QEMU command (its qemu array)
# for the images in $img of that architecture: Xen with its command line
# ($xen_cmdline), Dom0 with e2e_boot's ($dom0_cmdline), the results disk
# ($export_img).
e2e_qemu_x86() {
	local -a accel
	xen_cmdline="console=com1 com1=115200,8n1 dom0_mem=512M,max:512M"
	xen_cmdline+=" dom0_max_vcpus=1 loglvl=all guest_loglvl=all"
	# -cpu max,-smap: with SMAP emulated, Xen crashes Dom0 in
	# create_bounce_frame. -rdtscp: QEMU's SVM has no NRIP save, so Xen
	# cannot emulate a PVH guest's RDTSCP and the guest hangs; PV guests
	# do not mind. -xsave: once in a few boots a PVH guest's XCR0 lost
	# AVX under TCG's SVM (XRSTOR faulted in switch_fpu_return, then
	# init died of #UD on a VEX instruction); FXSAVE has no XCR0.
	read -ra accel <<<"$(e2e_qemu_accel)"
	# shellcheck disable=SC2054 # the commas are QEMU's
	qemu=(qemu-system-x86_64 "${accel[@]}"
		-cpu max,-smap,-rdtscp,-xsave -smp 2
		-m 1792 -nodefaults -display none -no-reboot -serial stdio
		-kernel "$img/xen" -append "$xen_cmdline"
		-initrd "$img/vmlinuz earlyprintk=xen $dom0_cmdline,$img/dom0.cpio.gz"
		-drive "file=$export_img,if=none,id=export,format=raw"
		-device virtio-blk-pci,drive=export)
}

# arm64: QEMU's virt machine with EL2 (virtualization=on) for Xen, which
# gets the Dom0 kernel and initramfs from guest-loader devices. QEMU puts
# the device tree at 128 MiB into RAM (0x48000000): the modules go above
# it, or Xen cannot set Dom0 up. The results disk is a virtio-mmio device,
# which the device tree describes.
e2e_qemu_arm64() {
	local kaddr=0x50000000 iaddr ksize
	local -a accel
	xen_cmdline="console=dtuart dom0_mem=512M,max:512M"
	xen_cmdline+=" dom0_max_vcpus=1 loglvl=all guest_loglvl=all"
	ksize=$(stat -c %s "$img/Image")
	# The initramfs on the next 2 MiB boundary after the kernel.
	iaddr=$(printf '0x%x' $(((kaddr + ksize + (4 << 20)) & ~((2 << 20) - 1))))
	read -ra accel <<<"$(e2e_qemu_accel)"
	# shellcheck disable=SC2054 # the commas are QEMU's
	qemu=(qemu-system-aarch64 "${accel[@]}"
		-machine virt,virtualization=on,gic-version=3 -cpu cortex-a57 -smp 2
		-m 1792 -nodefaults -display none -no-reboot -serial stdio
		-kernel "$img/xen" -append "$xen_cmdline"
		-device "guest-loader,addr=$kaddr,kernel=$img/Image,bootargs=earlycon=xenboot $dom0_cmdline"
		-device "guest-loader,addr=$iaddr,initrd=$img/dom0.cpio.gz"
		-drive "file=$export_img,if=none,id=export,format=raw"
		-device virtio-blk-device,drive=export)
}

# e2e_be_arg ARGS: the Dom0 kernel argument that passes backend arguments:
# one word, no comma (Dom0 turns '+' back into spaces, %2C into commas).
e2e_be_arg() {
	local be=${1// /+}
	printf 'e2e.be=%s\n' "${be//,/%2C}"
}

# ---- image helpers (scripts/e2e-images*.sh) ----

# e2e_add_mods KROOT KREL ROOT LIST MODULE...: the modules and their
# dependencies from the kernel unpacked in KROOT (release KREL), in load
# order, listed in ROOT/etc/e2e/LIST. Built-in ones are left out.
e2e_add_mods() {
	local kroot=$1 krel=$2 root=$3 list=$4 m ko rel
	shift 4
	mkdir -p "$root/etc/e2e"
	for m in "$@"; do
		modprobe -d "$kroot" -S "$krel" --show-depends "$m" |
			awk '$1 == "insmod" {print $2}'
	done | awk '!seen[$0]++' | while read -r ko; do
		rel=${ko#"$kroot"}
		mkdir -p "$root$(dirname "$rel")"
		cp "$ko" "$root$rel"
		echo "$rel"
	done >>"$root/etc/e2e/$list"
}

# e2e_busybox_root ROOT BUSYBOX: an empty root with the static BUSYBOX and
# a link per applet. The applets are those of the host's busybox-static
# (from the same Debian release): the host cannot run an arm64 one.
e2e_busybox_root() {
	local r=$1 a
	rm -rf "$r"
	mkdir -p "$r"/{bin,sbin,etc/e2e,proc,sys,dev,tmp,run,var/log,var/lib,root,usr/bin,usr/sbin}
	ln -s ../run "$r/var/run"
	cp "$2" "$r/bin/busybox"
	for a in $(/bin/busybox --list); do
		[[ -e $r/bin/$a ]] || ln -s busybox "$r/bin/$a"
	done
	echo "root:x:0:0:root:/root:/bin/sh" >"$r/etc/passwd"
	echo "root:x:0:" >"$r/etc/group"
}

# e2e_cpio_of DIR: a newc archive of DIR on stdout, files owned by root.
e2e_cpio_of() {
	(cd "$1" && find . | LC_ALL=C sort | cpio -o -H newc -R 0:0 --quiet)
}

# e2e_add_guest_tools ROOT FROM MULTIARCH: what the DomU's scenarios run
# besides our programs, from the packages unpacked under FROM (empty: the
# host's), whose libraries are in MULTIARCH directories (x86_64-linux-gnu,
# aarch64-linux-gnu). Calls the caller's add_bin ROOT FILE (a program or
# plugin of FROM and its shared libraries).
e2e_add_guest_tools() {
	local r=$1 from=$2 f
	local lib=/usr/lib/$3
	for f in /usr/bin/modetest /usr/bin/proptest /usr/bin/vbltest /usr/bin/drm_info \
		/usr/bin/weston /usr/bin/weston-simple-shm /usr/bin/weston-info \
		$lib/weston-desktop-shell $lib/weston-keyboard \
		$lib/libweston-10/drm-backend.so $lib/weston/desktop-shell.so; do
		[[ -e $from$f ]] || die "$from$f is missing (packages: $E2E_GUEST_PKGS)"
		add_bin "$r" "$f"
	done
	# Weston's data, its keymaps and one font for the panel.
	mkdir -p "$r/usr/share/X11" "$r/usr/share/fonts/truetype/dejavu"
	cp -a "$from/usr/share/weston" "$r/usr/share/"
	cp -a "$from/usr/share/X11/xkb" "$r/usr/share/X11/"
	cp -a "$from/etc/fonts" "$r/etc/"
	cp "$from/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf" \
		"$r/usr/share/fonts/truetype/dejavu/"
}

# e2e_domu_root ROOT FROM MULTIARCH: the DomU's root in the base layer,
# from the packages unpacked under FROM (empty: the host's): busybox, the
# XenStore client (the guest checks the backend's state itself and talks
# to Dom0 through XenStore), the DRM tools, Weston and vgem. Calls the
# caller's add_bin and add_mods ROOT LIST MODULE....
e2e_domu_root() {
	local r=$1 from=$2 t
	e2e_busybox_root "$r" "$from/bin/busybox"
	add_bin "$r" /usr/bin/xenstore
	for t in read write list ls exists rm watch; do
		ln -s xenstore "$r/usr/bin/xenstore-$t"
	done
	e2e_add_guest_tools "$r" "$from" "$3"
	add_mods "$r" vgem-modules vgem
}

# e2e_dom0_root ROOT FROM MULTIARCH VIRTIO: the Dom0's root in the base
# layer: the toolstack, brought up by hand in its /init, and the modules
# of the results disk, a virtio block device on the VIRTIO transport
# (virtio_pci, virtio_mmio). As e2e_domu_root.
e2e_dom0_root() {
	local r=$1 from=$2 b t
	e2e_busybox_root "$r" "$from/bin/busybox"
	add_mods "$r" modules xenfs xen-evtchn xen-gntdev xen-gntalloc xen-privcmd \
		"$4" virtio_blk
	for b in xl xenstored xenconsoled xen-init-dom0 xenconsole; do
		add_bin "$r" "/usr/lib/xen-4.17/bin/$b"
	done
	add_bin "$r" /usr/bin/xenstore
	for t in read write list ls exists rm watch chmod; do
		ln -s xenstore "$r/usr/bin/xenstore-$t"
	done
	# libxl calls pthread_cancel, for which glibc dlopens libgcc_s.
	add_bin "$r" "/lib/$3/libgcc_s.so.1"
	mkdir -p "$r"/{etc/xen,var/lib/xen,var/lib/xenstored,var/log/xen,domu}
	cp "$from/etc/xen/xl.conf" "$r/etc/xen/"
}

# e2e_overlay IMG BASE KREL MODULE BUILD KERNEL ARCH: the images to boot,
# in IMG: the base layer in BASE (domu-base.cpio, dom0-base.cpio.gz,
# dom0-files, VERSIONS, xen and the kernel KERNEL) and our files over it
# (rebuilt every time, in seconds): MODULE, built for the kernel release
# KREL, and the modules it needs, the guest programs and the backend built
# in BUILD, the init scripts and the DomU configs. ARCH (x86_64 or arm64)
# goes to IMG/ARCH for e2e_boot. Calls the caller's add_mods ROOT LIST
# MODULE... and backend_libs ROOT ELF (the shared libraries of the backend
# ELF, to run as /usr/bin/vdispl-be, that the base layer lacks). IMG is
# replaced when complete.
e2e_overlay() {
	local img=$1 base=$2 krel=$3 module=$4 build=$5 kernel=$6 arch=$7
	local work du d0 deps
	rm -rf "$img.new"
	mkdir -p "$img.new"
	work=$img.new/work

	du=$work/domu
	mkdir -p "$du/etc/e2e" "$du/etc/modprobe.d" "$du/usr/bin" "$du/lib/modules/$krel/extra"
	# Debian's own frontend (alias xen:vdispl, amd64 only) is in the
	# image only for `make bench` to insmod; the blacklist keeps
	# anything that looks for it away.
	echo "blacklist drm_xen_front" >"$du/etc/modprobe.d/e2e.conf"
	deps=$(modinfo -F depends "$module" | tr ',' ' ')
	# shellcheck disable=SC2086 # a list of module names
	[[ -z $deps ]] || add_mods "$du" modules $deps
	# Without debug info, as DKMS and `make modules_install
	# INSTALL_MOD_STRIP=1` install modules (and Debian ships its own): a
	# twentieth of the size, which insmod reads and the kernel copies at
	# each load.
	if [[ $arch == arm64 ]]; then
		aarch64-linux-gnu-objcopy --strip-debug "$module" "$du/lib/modules/$krel/extra/xen_drm_front.ko"
	else
		objcopy --strip-debug "$module" "$du/lib/modules/$krel/extra/xen_drm_front.ko"
	fi
	echo "/lib/modules/$krel/extra/xen_drm_front.ko" >"$du/etc/e2e/module"
	cp "$build"/guest/e2e-* "$du/usr/bin/"
	install -m 755 "$E2E_SRC/domu/init" "$du/init"
	install -m 644 "$E2E_SRC"/domu/*.sh "$E2E_SRC"/domu/*.awk \
		"$E2E_SRC/trace-window.awk" "$E2E_SRC/domu/weston.ini" "$du/etc/e2e/"
	mkdir -p "$img.new/dom0/domu"
	cat "$base/domu-base.cpio" <(e2e_cpio_of "$du") >"$img.new/dom0/domu/initrd"

	d0=$img.new/dom0
	mkdir -p "$d0/usr/bin" "$d0/etc/e2e"
	install -m 755 "$E2E_SRC/dom0/init" "$d0/init"
	install -m 644 "$E2E_SRC/trace-window.awk" "$d0/etc/e2e/"
	install -m 644 "$E2E_SRC"/dom0/domu*.cfg "$d0/domu/"
	cp "$build/backend/vdispl-be" "$d0/usr/bin/"
	backend_libs "$d0" "$build/backend/vdispl-be"
	rm -rf "$work"
	cp "$base/dom0-base.cpio.gz" "$img.new/dom0.cpio.gz"
	e2e_cpio_of "$d0" | gzip -1 >>"$img.new/dom0.cpio.gz"
	rm -rf "$d0"
	cp "$base/xen" "$base/$kernel" "$img.new/"
	echo "$arch" >"$img.new/ARCH"
	{
		cat "$base/VERSIONS"
		echo "module $(sha256sum "$module" | cut -c1-16) $module"
		echo "backend $(sha256sum "$build/backend/vdispl-be" | cut -c1-16)"
	} >"$img.new/VERSIONS"
	rm -rf "$img"
	mv "$img.new" "$img"
}

# ---- the arm64 target's Debian packages ----
# Its Dom0 and DomU run Debian's arm64 Xen tools, kernel, busybox and
# guest programs, and the host cross-builds our backend and guest programs
# against Debian's arm64 libraries. All of them, with every dependency,
# are downloaded with apt-get and unpacked into one root, not installed
# (as foreign packages they would replace the host's own tools).
E2E_ARM64=$E2E_CACHE/arm64
E2E_ARM64_BUILD=$E2E_CACHE/build-arm64

# The packages, besides the kernel (linux-image-<abi>-arm64, the version
# of the headers `make module-arm64` builds against).
E2E_ARM64_PKGS="xen-hypervisor-4.17-arm64 xen-utils-4.17 xenstore-utils busybox-static
	libgcc-s1 libc6-dev libxen-dev libpng-dev libdrm-dev zlib1g-dev $E2E_GUEST_PKGS"

# apt for an arm64 root: arm64 its only architecture, and a dpkg status of
# its own that lists nothing, so that it names every dependency; nothing
# written to the host's apt cache. An empty archive directory of its own:
# --print-uris leaves out what is there (the host's cache may hold an
# arch-all package).
e2e_arm64_apt() {
	mkdir -p "$E2E_ARM64/apt/archives/partial"
	[[ -f $E2E_ARM64/apt/status ]] || : >"$E2E_ARM64/apt/status"
	apt-get -q -o APT::Architecture=arm64 -o APT::Architectures::=arm64 \
		-o Dir::State::status="$E2E_ARM64/apt/status" \
		-o Dir::Cache::archives="$E2E_ARM64/apt/archives" \
		-o Dir::Cache::pkgcache= -o Dir::Cache::srcpkgcache= "$@" </dev/null
}

# e2e_arm64_root: the root of the arm64 packages, unpacked once per set of
# package versions into $E2E_ARM64/root-<hash>; prints its path. The
# arm64 kernel's modules are indexed (depmod) there.
e2e_arm64_root() {
	local abi ver key root tmp list name version deb n
	local -a need=()
	"$SCRIPTS/setup.sh" arm64 >&2
	abi=$(headers_abi)
	ver=$(arm64_headers_version)
	list=$E2E_ARM64/packages
	mkdir -p "$E2E_ARM64/debs"
	# shellcheck disable=SC2086 # a list of package names
	e2e_arm64_apt --print-uris -y --no-install-recommends install \
		"linux-image-$abi-arm64=$ver" $E2E_ARM64_PKGS >"$list.log" 2>&1 ||
		{ cat "$list.log" >&2; die "apt cannot resolve the arm64 packages"; }
	# 'URI' NAME_VERSION_ARCH.deb SIZE HASH; the epoch's colon is quoted.
	sed -n "s/^'[^']*' \([^_ ]*\)_\([^_ ]*\)_[a-z0-9]*\.deb .*/\1 \2/p" "$list.log" |
		sed 's/%3a/:/' | LC_ALL=C sort >"$list"
	n=$(sed -n 's/.* \([0-9]*\) newly installed.*/\1/p' "$list.log")
	[[ -s $list && $(wc -l <"$list") == "$n" ]] ||
		{ cat "$list.log" >&2; die "apt named $(wc -l <"$list") of the ${n:-?} arm64 packages"; }
	key=$(sha256sum <"$list" | cut -c1-16)
	root=$E2E_ARM64/root-$key
	if [[ ! -f $root/.done ]]; then
		while read -r name version; do
			compgen -G "$E2E_ARM64/debs/${name}_${version/:/%3a}_*.deb" >/dev/null ||
				need+=("$name=$version")
		done <"$list"
		if ((${#need[@]} > 0)); then
			say "e2e: downloading ${#need[@]} arm64 packages" >&2
			# apt's sandbox user may not write in our cache.
			tmp=$(mktemp -d)
			chmod 777 "$tmp"
			(cd "$tmp" && e2e_arm64_apt download "${need[@]}") >"$list.log" 2>&1 ||
				{ cat "$list.log" >&2; rm -rf "$tmp"; die "apt-get download failed"; }
			mv "$tmp"/*.deb "$E2E_ARM64/debs/"
			rm -rf "$tmp"
		fi
		say "e2e: unpacking $(wc -l <"$list") arm64 packages into $root" >&2
		rm -rf "$root" "$root.tmp"
		mkdir -p "$root.tmp"
		while read -r name version; do
			for deb in "$E2E_ARM64/debs/${name}_${version/:/%3a}"_*.deb; do
				dpkg-deb -x "$deb" "$root.tmp"
			done
		done <"$list"
		depmod -b "$root.tmp" "$abi-arm64"
		cp "$list" "$root.tmp/VERSIONS"
		mv -T "$root.tmp" "$root"
		touch "$root/.done"
		# Older roots and packages are of no more use.
		find "$E2E_ARM64" -mindepth 1 -maxdepth 1 -name 'root-*' ! -name "root-$key" \
			-exec rm -rf {} +
		while read -r deb; do
			name=${deb##*/}
			grep -qxF "${name%%_*} $(echo "$name" | cut -d_ -f2 | sed 's/%3a/:/')" "$list" ||
				rm -f "$deb"
		done < <(find "$E2E_ARM64/debs" -name '*.deb')
	fi
	printf '%s\n' "$root"
}

# e2e_arm64_env ROOT: the environment of a cross build against the
# libraries in ROOT (e2e_arm64_root), one VAR=VALUE a line: the cross
# compiler with ROOT as its sysroot, pkg-config looking only there.
e2e_arm64_env() {
	local root=$1
	printf '%s\n' "CC=aarch64-linux-gnu-gcc --sysroot=$root" \
		"PKG_CONFIG_LIBDIR=$root/usr/lib/aarch64-linux-gnu/pkgconfig:$root/usr/share/pkgconfig" \
		"PKG_CONFIG_SYSROOT_DIR=$root"
}
