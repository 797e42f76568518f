# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario 8: the backend misbehaves while modetest flips on the first
# device's first connector: first it fails every PG_FLIP, then it sends no
# frame-done events. Each time the client keeps running and keeps getting
# its flip events (modetest flips again only once it has the event: the
# driver's flip count, in debugfs, keeps growing), the connector's
# link-status goes BAD, and once the backend behaves again the next
# modeset makes it GOOD.

s8_plan() {
	local m
	for m in fail nofd; do
		echo "s8-$m-good-before s8-$m-client-runs s8-$m-link-bad s8-$m-recovered"
	done
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

# s8_phase NAME MISBEHAVIOUR...
s8_phase() {
	local m=$1 n=${DEVS%% *} card mode before flips
	shift
	card=$(card_of "$n")
	mode=$(connectors "$card" | head -n 1)
	before=$(crtc_fbs "$card")
	hold_start mt modetest -D "$(busid "$n")" -s "$mode" -v
	wait_until 30 new_fbs "$card" 1 "$before"
	sleep 1
	check "s8-$m-good-before" "link-status $(link_status "$card")" link0_is "$card" GOOD
	ctl be misbehave "$@"
	flips=$(flips0 "$card")
	# A request timeout (3 s) and the frame-done timeout after it.
	sleep 8
	# Events still come, one per flip at least every frame-done timeout.
	wait_until 10 more_flips "$card" "${flips:-0}"
	check "s8-$m-client-runs" "flips $flips, then $(flips0 "$card"); $(tail -n 1 /tmp/mt.out)" \
		client_flips "$card" "${flips:-0}"
	check "s8-$m-link-bad" "link-status $(link_status "$card")" link0_is "$card" BAD
	ctl be behave
	hold_stop mt 30
	# A compositor answers BAD with a modeset: so does a new modetest.
	hold_start mt modetest -D "$(busid "$n")" -s "$mode" -v
	hold_wait mt "freq:" 40
	check "s8-$m-recovered" "link-status $(link_status "$card"); $(grep -m 1 freq: /tmp/mt.out)" \
		link0_is "$card" GOOD
	hold_stop mt
}

s8_run() {
	ensure_loaded
	s8_phase fail fail=pg_flip
	s8_phase nofd no-frame-done
}
