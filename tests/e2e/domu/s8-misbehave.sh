# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario 8: the backend misbehaves while modetest flips on the first
# device's first connector: first it fails every PG_FLIP, then it sends no
# frame-done events. Each time the client keeps running and keeps getting
# its flip events (modetest flips again only once it has the event: the
# driver's flip count, in debugfs, keeps growing), the connector's
# link-status goes BAD, and once the backend behaves again the next
# modeset makes it GOOD. Then it answers no request at all: the frontend
# resets the connection through the xenbus states, and once the backend
# answers again a new connection shows a client's picture.

s8_plan() {
	local m
	for m in fail nofd; do
		echo "s8-$m-good-before s8-$m-client-runs s8-$m-link-bad s8-$m-recovered"
	done
	echo "s8-silent-reset s8-silent-reconnected s8-silent-recovered"
	echo "s8-silent-picture-dev${DEVS%% *}-conn0"
}

# flips0 CARD: the flips of CARD's first connector (its xen_state).
flips0() {
	local c
	c=$(connectors "$1" | head -n 1)
	sed -n 's/^flips: //p' "/sys/kernel/debug/dri/${1##*card}/${c%%:*}/xen_state" 2>/dev/null
}
# more_flips CARD N: at least two more than N.
more_flips() { [ "$(flips0 "$1")" -ge $(($2 + 2)) ]; }
client_flips() { hold_alive mt && more_flips "$1" "$2"; }
# flipping_bad CARD N: more flips than N, the link BAD.
flipping_bad() { more_flips "$1" "$2" && link0_is "$1" BAD; }

# s8_phase NAME MISBEHAVIOUR...
s8_phase() {
	local m=$1 n=${DEVS%% *} card mode before flips
	shift
	card=$(card_of "$n")
	mode=$(connectors "$card" | head -n 1)
	before=$(crtc_fbs "$card")
	modetest_start mt "$n" -s "$mode" -v
	wait_until 30 new_fbs "$card" 1 "$before"
	sleep 1
	check "s8-$m-good-before" "link-status $(link_status "$card")" link0_is "$card" GOOD
	ctl be misbehave "$@"
	flips=$(flips0 "$card")
	# Events still come, one per flip at least every frame-done timeout
	# (3.5 s), and the link goes BAD: at once for a refused flip, after a
	# frame-done timeout for one never done.
	wait_until 20 flipping_bad "$card" "${flips:-0}"
	check "s8-$m-client-runs" "flips $flips, then $(flips0 "$card"); $(tail -n 1 /tmp/mt.out)" \
		client_flips "$card" "${flips:-0}"
	check "s8-$m-link-bad" "link-status $(link_status "$card")" link0_is "$card" BAD
	ctl be behave
	hold_stop mt 30
	# A compositor answers BAD with a modeset: so does a new modetest.
	modetest_start mt "$n" -s "$mode" -v
	hold_wait mt "freq:" 40
	check "s8-$m-recovered" "link-status $(link_status "$card"); $(grep -m 1 freq: /tmp/mt.out)" \
		link0_is "$card" GOOD
	hold_stop mt
}

# s8_resets N: the resets the frontend made of device N's connection.
s8_resets() { dmesg | grep -c "vdispl-$1: backend broke a channel: resetting"; }
s8_reset_since() { [ "$(s8_resets "$1")" -gt "$2" ]; }
# s8_settled N: connected, with a card, and no reset for 10 s.
s8_settled() {
	local r
	r=$(s8_resets "$1")
	both_connected "$1" && has_card "$1" && sleep 10 &&
		[ "$(s8_resets "$1")" = "$r" ] && both_connected "$1" && has_card "$1"
}

# The backend reads every request and answers none.
s8_silent() {
	local n=${DEVS%% *} card mode resets before
	card=$(card_of "$n")
	mode=$(connectors "$card" | head -n 1)
	resets=$(s8_resets "$n")
	modetest_start mt "$n" -s "$mode" -v
	hold_wait mt "freq:" 40
	ctl be misbehave silent
	# A few requests time out (3 s each), then the frontend resets.
	wait_until 40 s8_reset_since "$n" "$resets"
	check "s8-silent-reset" "$(s8_resets "$n") resets, $resets before; $(states "$n")" \
		s8_reset_since "$n" "$resets"
	hold_stop mt 30
	ctl be behave
	# Connections made while the backend was silent may be reset again:
	# wait for one that lasts.
	wait_until 90 s8_settled "$n"
	card=$(card_of "$n")
	check "s8-silent-reconnected" "$(states "$n"), card $card, $(s8_resets "$n") resets" \
		s8_settled "$n"
	mode=$(connectors "$card" | head -n 1)
	before=$(crtc_fbs "$card")
	modetest_start mt "$n" -s "$mode"
	if wait_until 30 new_fbs "$card" 1 "$before" && wait_until 10 hold_reading mt; then
		snap "s8-silent-dev$n"
		check "s8-silent-recovered" "link-status $(link_status "$card")" \
			link0_is "$card" GOOD
	else
		result FAIL s8-silent-recovered "$(tail -n 3 /tmp/mt.out | tr '\n' ' ')"
	fi
	png "s8-silent-picture-dev$n-conn0" smpte "$(snap_file "s8-silent-dev$n" "$n" 0)"
	hold_stop mt
}

s8_run() {
	ensure_loaded
	s8_phase fail fail=pg_flip
	s8_phase nofd no-frame-done
	s8_silent
}
