#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
# The DKMS package xen-drm-front-dkms: how a Debian 12 guest installs the
# driver, for its running kernel and every later one.
#
# Usage: scripts/deb.sh build  build the .deb in $CACHE/deb/ (never in the
#                              repository) and print its path last
#        scripts/deb.sh test   build it, install it with apt, check what DKMS
#                              built for the newest installed 6.1 headers,
#                              purge it and check nothing is left; one
#                              PASS/FAIL line per check, then
#                              "N passed, N failed"
#
# The package holds the driver's sources in the kernel tree's layout (so
# that the driver Makefile's -I$(src)/../../../../include finds our
# displif.h before the kernel's), scripts/deb/dkms.conf, and a modprobe.d
# file that blacklists the kernel's older drm_xen_front. Its maintainer
# scripts (scripts/deb/postinst, prerm) do the DKMS work; dpkg owns every
# file, so removing the package removes them.
# `test` ignores KDIR: DKMS builds against the installed headers.
set -euo pipefail
# shellcheck source=scripts/lib.sh
source "$(dirname "$0")/lib.sh"

PKG=xen-drm-front-dkms
DKMS_NAME=xen-drm-front
DEB_DIR=$CACHE/deb
# A vendor file, not a conffile in /etc: it goes with `apt remove`, not
# only with purge (a blacklist left behind would keep the older driver
# from loading once ours is gone). An admin overrides it with a file of
# the same name in /etc/modprobe.d.
MODPROBE_CONF=/lib/modprobe.d/xen-drm-front.conf

# The driver's version, MAJOR.MINOR.DATE, from the XDF_VERSION_* lines of
# the driver's header: the module's modinfo "version" is made of the same.
deb_version() {
	local hdr=$REPO/$DRIVER_DIR/xen_drm_front.h major minor date
	major=$(sed -n 's/^#define XDF_VERSION_MAJOR[[:space:]]\+\([0-9]\+\)$/\1/p' "$hdr")
	minor=$(sed -n 's/^#define XDF_VERSION_MINOR[[:space:]]\+\([0-9]\+\)$/\1/p' "$hdr")
	date=$(sed -n 's/^#define XDF_VERSION_DATE[[:space:]]\+"\([0-9]\{8\}\)"$/\1/p' "$hdr")
	[[ -n $major && -n $minor && -n $date ]] ||
		die "no XDF_VERSION_MAJOR/MINOR/DATE in $hdr"
	printf '%s.%s.%s\n' "$major" "$minor" "$date"
}

# fill TEMPLATE VERSION [SIZE]: a file of scripts/deb/ with its
# placeholders filled in.
fill() {
	sed -e "s/@VERSION@/$2/g" -e "s/@SIZE@/${3:-}/g" "$SCRIPTS/deb/$1"
}

# build_deb OUTDIR: build the package into OUTDIR and print its path. The
# same tree gives the same bytes: file modes and owners are set here, and
# every time stamp is the driver's date.
build_deb() {
	local out=$1 ver stage src deb epoch f size
	ver=$(deb_version)
	epoch=$(date -u -d "${ver##*.}" +%s)
	mkdir -p "$out"
	stage=$(mktemp -d "$out/.stage.XXXXXX")
	# Removed on any exit of the function's caller, not left in the cache.
	# shellcheck disable=SC2064
	trap "rm -rf '$stage'" EXIT
	src=$stage/root/usr/src/$DKMS_NAME-$ver

	mkdir -p "$src/$DRIVER_DIR" "$src/$(dirname "$DISPLIF")"
	# Sources only, as scripts/lib.sh's overlay copies them: no build output.
	for f in "$REPO/$DRIVER_DIR"/{Kconfig,Makefile,*.c,*.h}; do
		[[ $f == *.mod.c ]] && continue
		cp "$f" "$src/$DRIVER_DIR/"
	done
	cp "$REPO/$DISPLIF" "$src/$DISPLIF"
	fill dkms.conf "$ver" >"$src/dkms.conf"

	mkdir -p "$stage/root$(dirname "$MODPROBE_CONF")" "$stage/root/usr/share/doc/$PKG"
	cp "$SCRIPTS/deb/xen-drm-front.conf" "$stage/root$MODPROBE_CONF"
	cp "$SCRIPTS/deb/copyright" "$stage/root/usr/share/doc/$PKG/"

	mkdir -p "$stage/root/DEBIAN"
	fill postinst "$ver" >"$stage/root/DEBIAN/postinst"
	fill prerm "$ver" >"$stage/root/DEBIAN/prerm"
	(cd "$stage/root" && find . -path ./DEBIAN -prune -o -type f -printf '%P\0' |
		LC_ALL=C sort -z | xargs -0 md5sum) >"$stage/root/DEBIAN/md5sums"
	# Installed-Size in KiB as dpkg-gencontrol counts it (each file rounded
	# up): not du's, which depends on the file system.
	size=$(find "$stage/root" -path "$stage/root/DEBIAN" -prune -o -type f -printf '%s\n' |
		awk '{ kib += int(($1 + 1023) / 1024) } END { print kib }')
	fill control "$ver" "$size" >"$stage/root/DEBIAN/control"

	# Independent of the umask and the checkout's time stamps.
	find "$stage/root" -type d -exec chmod 0755 {} +
	find "$stage/root" -type f -exec chmod 0644 {} +
	chmod 0755 "$stage/root/DEBIAN/postinst" "$stage/root/DEBIAN/prerm"
	find "$stage/root" -exec touch -h -d "@$epoch" {} +

	deb=$out/${PKG}_${ver}_all.deb
	SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Zxz --build \
		"$stage/root" "$stage/pkg.deb" >/dev/null
	# Renamed into place: a concurrent run never sees half a package.
	mv "$stage/pkg.deb" "$deb"
	rm -rf "$stage"
	trap - EXIT
	printf '%s\n' "$deb"
}

# ---- test ----

passed=0 failed=0
check() { # DESCRIPTION CMD...: one PASS/FAIL line
	local what=$1
	shift
	if "$@"; then
		echo "PASS: $what"
		passed=$((passed + 1))
	else
		echo "FAIL: $what"
		failed=$((failed + 1))
	fi
}

apt_get() {
	DEBIAN_FRONTEND=noninteractive apt-get "$@" </dev/null
}

pkg_status() {
	dpkg-query -W -f='${db:Status-Status}' "$PKG" 2>/dev/null || true
}

pkg_gone() {
	local status
	status=$(pkg_status)
	[[ -z $status || $status == not-installed ]]
}

# Remove what an earlier, interrupted run may have left: the package, then
# any DKMS registration without it.
remove_leftovers() {
	local v
	if ! pkg_gone; then
		say "deb: purging $PKG left by an earlier run"
		run_logged deb-purge apt_get purge -y "$PKG"
	fi
	for v in /var/lib/dkms/"$DKMS_NAME"/*/; do
		[[ -d $v ]] || continue
		v=$(basename "$v")
		[[ $v == kernel-* ]] && continue
		run_logged deb-dkms-remove dkms remove -m "$DKMS_NAME" -v "$v" --all || true
	done
	rm -rf "/var/lib/dkms/$DKMS_NAME"
}

# What of /lib/modules the test may change: each kernel's top directory
# and its updates/ tree.
modules_listing() {
	local d
	{
		find /lib/modules -mindepth 1 -maxdepth 2
		for d in /lib/modules/*/updates; do
			[[ ! -d $d ]] || find "$d" -mindepth 1
		done
	} | LC_ALL=C sort
}

no_module() { # KREL: modprobe's index for KREL has no xen_drm_front
	! modinfo -k "$1" xen_drm_front >/dev/null 2>&1
}

run_test() {
	local krel ver deb deb2 tmp before after ko ref status f
	# DKMS builds against the installed headers, whatever KDIR says.
	export KDIR=
	"$SCRIPTS/setup.sh" module
	krel=$(kdir)
	krel=$(basename "$(dirname "$krel")")
	ver=$(deb_version)
	ko=/lib/modules/$krel/updates/dkms/xen_drm_front.ko
	ref=$REPO/$DRIVER_DIR/xen_drm_front.ko

	# The installation is machine-wide: one test at a time, whatever clone
	# it runs from.
	mkdir -p "$DEB_DIR"
	exec {lock}>"$DEB_DIR/test.lock"
	if ! flock -n "$lock"; then
		say "deb: waiting for $DEB_DIR/test.lock (another deb test runs)"
		flock "$lock"
	fi

	say "deb: building the reference module (make module)"
	"$SCRIPTS/module.sh" >/dev/null

	say "deb: building $PKG $ver"
	deb=$(build_deb "$DEB_DIR")
	say "deb: $deb"
	tmp=$(mktemp -d)
	# shellcheck disable=SC2064
	trap "rm -rf '$tmp'" EXIT
	# apt's sandbox user reads the package from here, not from ~/.cache.
	chmod 0755 "$tmp"
	deb2=$(build_deb "$tmp/again")
	check "the package builds the same bytes twice" cmp -s "$deb" "$deb2"
	cp "$deb" "$tmp/"
	deb=$tmp/$(basename "$deb")
	check "the package is Architecture: all and depends on dkms" \
		test "$(dpkg-deb -f "$deb" Architecture Depends)" == \
		"$(printf 'Architecture: all\nDepends: dkms (>= 3.0)')"

	remove_leftovers
	before=$(modules_listing)

	# On a fresh machine dkms itself comes from Debian: fresh lists first.
	if [[ $(dpkg-query -W -f='${db:Status-Status}' dkms 2>/dev/null || true) != installed ]]; then
		say "deb: dkms is not installed: apt-get update"
		run_logged deb-apt-update apt_get update
	fi
	say "deb: apt-get install $deb"
	local start=$SECONDS
	if run_logged deb-install apt_get install -y --no-install-recommends "$deb"; then
		check "apt-get installs the package ($((SECONDS - start)) s)" true
	else
		check "apt-get installs the package" false
		tail -n 30 "/var/lib/dkms/$DKMS_NAME/$ver/build/make.log" 2>/dev/null || true
	fi

	status=$(dkms status -m "$DKMS_NAME" -v "$ver" -k "$krel" 2>/dev/null || true)
	check "dkms status: installed for $krel ($status)" \
		grep -q "^$DKMS_NAME/$ver, $krel, [^:]*: installed" <<<"$status"
	check "the module is in $ko" test -f "$ko"
	check "modinfo -k $krel xen_drm_front finds it there (depmod prefers updates/dkms)" \
		test "$(modinfo -k "$krel" -F filename xen_drm_front 2>/dev/null)" == "$ko"
	if [[ -f $ko ]]; then
		check "its vermagic is $krel's" \
			test "$(modinfo -F vermagic "$ko" | cut -d' ' -f1)" == "$krel"
		check "its version is the package's ($ver)" \
			test "$(modinfo -F version "$ko")" == "$ver"
		check "its alias is xen:vdispl" test "$(modinfo -F alias "$ko")" == xen:vdispl
		# srcversion sums the sources: equal means DKMS built ours.
		for f in name version srcversion alias description license depends vermagic parm; do
			check "its modinfo $f is make module's" \
				test "$(modinfo -F "$f" "$ko")" == "$(modinfo -F "$f" "$ref")"
		done
	fi
	check "the alias xen:vdispl resolves to xen_drm_front" \
		test "$(modprobe -S "$krel" -R xen:vdispl 2>/dev/null)" == xen_drm_front
	check "modprobe xen_drm_front would load it (dry run)" \
		grep -qx "insmod $ko *" <<<"$(modprobe -S "$krel" -n -v xen_drm_front 2>&1)"
	check "$MODPROBE_CONF blacklists drm_xen_front" \
		grep -qx 'blacklist drm_xen_front' "$MODPROBE_CONF"
	check "modprobe's configuration has the blacklist" \
		grep -qx 'blacklist drm_xen_front' <<<"$(modprobe -c 2>/dev/null)"

	say "deb: apt-get purge $PKG"
	if run_logged deb-purge apt_get purge -y "$PKG"; then
		check "apt-get purges the package" true
	else
		check "apt-get purges the package" false
	fi
	check "dpkg no longer knows the package" pkg_gone
	check "nothing left in DKMS's tree" test ! -e "/var/lib/dkms/$DKMS_NAME"
	check "no sources left in /usr/src" \
		test -z "$(find /usr/src -maxdepth 1 -name "$DKMS_NAME-*")"
	check "no xen_drm_front.ko left under /lib/modules/*/updates" \
		test -z "$(find /lib/modules -path '*/updates/*' -name 'xen_drm_front.ko*')"
	check "modinfo -k $krel xen_drm_front finds nothing" \
		no_module "$krel"
	check "$MODPROBE_CONF is gone" test ! -e "$MODPROBE_CONF"

	# DKMS leaves depmod's output and empty updates/ directories in a
	# kernel's directory that had none (here: headers without the kernel's
	# modules). Take away only such new files, so that the machine is as
	# the test found it.
	after=$(modules_listing)
	while read -r f; do
		case $f in
		/lib/modules/*/modules.*) rm -f "$f" ;;
		esac
	done < <(LC_ALL=C comm -13 <(printf '%s\n' "$before") <(printf '%s\n' "$after"))
	while read -r f; do
		if [[ -d $f ]]; then
			rmdir "$f" 2>/dev/null || true
		fi
	done < <(LC_ALL=C comm -13 <(printf '%s\n' "$before") <(modules_listing) | LC_ALL=C sort -r)
	check "/lib/modules is as before the install" \
		test "$(modules_listing)" == "$before"

	rm -rf "$tmp"
	echo "$passed passed, $failed failed"
	((failed == 0))
}

case ${1:-} in
build)
	say "deb: building $PKG $(deb_version)" >&2
	build_deb "$DEB_DIR"
	;;
test)
	run_test
	;;
*)
	echo "usage: $0 build|test" >&2
	exit 2
	;;
esac
