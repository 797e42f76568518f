# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario 2: on each device with guest-allocated buffers, modetest sets
# every connector's preferred mode with its SMPTE pattern, then flips with
# vsync (-v); the backend's snapshots must show the pattern.
# Scenario 6: the same on each device with backend-allocated buffers, then
# its fbdev device filled with one colour by write(2).

s2_devs() { for n in $DEVS; do be_alloc "$n" || echo "$n"; done; }
s6_devs() { for n in $DEVS; do be_alloc "$n" && echo "$n"; done; }

# modetest_plan S DEVS: result names of modetest_dev for scenario S, and
# of its snapshots' checks.
modetest_plan() {
	local s=$1 n i
	shift
	for n in "$@"; do
		echo "s$s-modetest-set-dev$n s$s-modetest-flip-dev$n s$s-modetest-exit-dev$n"
		for i in $(conn_idx "$n"); do
			echo "s$s-smpte-dev$n-conn$i s$s-flipped-dev$n-conn$i"
		done
	done
}

# The colour of modetest's second buffer (-v), libdrm's plain pattern.
MT_PLAIN=777777

# The connectors' widths and the tallest height: modetest shows one
# buffer, the connectors side by side in their -s order.
mode_w() { echo "${1%%x*}" | sed 's/.*://'; }
mode_h() { echo "${1#*x}" | sed 's/[^0-9].*//'; }
# geometry CARD I: "X W H" of connector I's part of that buffer.
geometry() {
	local c i=0 x=0 w=0 h=0 mine=0
	for c in $(connectors "$1"); do
		[ $i = "$2" ] && mine=$w
		w=$((w + $(mode_w "$c")))
		[ "$(mode_h "$c")" -gt "$h" ] && h=$(mode_h "$c")
		i=$((i + 1))
	done
	x=$mine
	echo "$x $w $h"
}

# modetest_args CARD: "-s <name>:<mode>" for every connector of CARD.
modetest_args() {
	local c
	for c in $(connectors "$1"); do printf ' -s %s' "$c"; done
}

# modetest_dev S N: scenario S's modetest run on device N.
modetest_dev() {
	local s=$1 n=$2 card args i rc rc2 freq conns before
	card=$(card_of "$n")
	if [ -z "$card" ]; then
		for i in set flip exit; do result FAIL "s$s-modetest-$i-dev$n" "no card"; done
		return
	fi
	args=$(modetest_args "$card")
	conns=$(connectors "$card" | wc -l)
	echo "E2E-INFO s$s: modetest -D $(busid "$n")$args ($card)"
	before=$(crtc_fbs "$card")
	# shellcheck disable=SC2086 # a list of options
	modetest_start mt "$n" $args
	if wait_until 30 new_fbs "$card" "$conns" "$before" &&
		wait_until 10 hold_reading mt; then
		snap "s$s-set-dev$n"
		result PASS "s$s-modetest-set-dev$n"
	else
		result FAIL "s$s-modetest-set-dev$n" "$(e2e-kms crtcs "$card" | tr '\n' ' '); $(tail -n 3 /tmp/mt.out | tr '\n' ' ')"
	fi
	i=0
	while [ $i -lt "$conns" ]; do
		# shellcheck disable=SC2046 # X W H
		png "s$s-smpte-dev$n-conn$i" smpte "$(snap_file "s$s-set-dev$n" "$n" $i)" \
			$(geometry "$card" $i)
		i=$((i + 1))
	done
	hold_stop mt
	rc=$?

	# Flips paced by the frame-done events: modetest prints the rate
	# every 5 s.
	# shellcheck disable=SC2086 # a list of options
	modetest_start mt "$n" $args -v
	if hold_wait mt "freq:" 40; then
		snap "s$s-flip-dev$n"
		freq=$(grep -m 1 "freq:" /tmp/mt.out)
		check "s$s-modetest-flip-dev$n" "$freq" hold_alive mt
	else
		result FAIL "s$s-modetest-flip-dev$n" "$(tail -n 3 /tmp/mt.out | tr '\n' ' ')"
	fi
	i=0
	while [ $i -lt "$conns" ]; do
		# shellcheck disable=SC2046 # X W H
		png "s$s-flipped-dev$n-conn$i" smpte-or-plain \
			"$(snap_file "s$s-flip-dev$n" "$n" $i)" $MT_PLAIN \
			$(geometry "$card" $i)
		i=$((i + 1))
	done
	hold_stop mt
	rc2=$?
	check "s$s-modetest-exit-dev$n" "exit status $rc, then $rc2" [ "$rc$rc2" = 00 ]
}

s2_plan() {
	# shellcheck disable=SC2046 # a list of devices
	modetest_plan 2 $(s2_devs)
}

s2_run() {
	local n
	ensure_loaded
	for n in $(s2_devs); do modetest_dev 2 "$n"; done
}

# After modetest, fbdev shows its own framebuffer again: what a client
# writes to /dev/fbN must reach the backend too (fbdev copies it into the
# backend's pages through a kernel mapping of them).
S6_FB_COLOUR=336699

# fb_of N: the fbdev device of vdispl device N.
fb_of() {
	local f
	for f in /sys/class/graphics/fb[0-9]*; do
		case $(readlink "$f/device" 2>/dev/null) in
		*/vdispl-"$1") echo "/dev/${f##*/}"; return 0 ;;
		esac
	done
	return 1
}

# fb_fill FB: every pixel of FB (XRGB8888) S6_FB_COLOUR, by write(2).
fb_fill() {
	local sys=/sys/class/graphics/${1##*/} size
	size=$(($(cut -d, -f2 "$sys/virtual_size") * $(cat "$sys/stride")))
	printf '\231\146\063\000' >/tmp/px
	while [ "$(stat -c %s /tmp/px)" -lt "$size" ]; do
		cat /tmp/px /tmp/px >/tmp/px2 && mv /tmp/px2 /tmp/px
	done
	head -c "$size" /tmp/px >"$1"
}

fbdev_dev() {
	local n=$1 fb card i
	card=$(card_of "$n")
	fb=$(fb_of "$n")
	# Judged by what the backend shows, not by write(2).
	[ -n "$fb" ] && fb_fill "$fb" ||
		echo "E2E-INFO s6: cannot fill fbdev device ${fb:-(none found)}"
	# fbdev flushes its damage from a worker.
	sleep 1
	snap "s6-fbdev-dev$n"
	i=0
	for _c in $(connectors "$card"); do
		png "s6-fbdev-fill-dev$n-conn$i" plain \
			"$(snap_file "s6-fbdev-dev$n" "$n" $i)" "$S6_FB_COLOUR"
		i=$((i + 1))
	done
}

s6_plan() {
	local n i
	# shellcheck disable=SC2046 # a list of devices
	modetest_plan 6 $(s6_devs)
	for n in $(s6_devs); do
		for i in $(conn_idx "$n"); do echo "s6-fbdev-fill-dev$n-conn$i"; done
	done
}

s6_run() {
	local n
	ensure_loaded
	for n in $(s6_devs); do
		modetest_dev 6 "$n"
		fbdev_dev "$n"
	done
}
