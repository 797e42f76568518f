# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario 7: hot-unplug while a client flips. The first device is
# detached by the toolstack (xl vdispl-detach), then the backend is killed
# with SIGKILL and started again. Each time the client gets errors and
# exits instead of hanging; a device attached afterwards, and every device
# once the backend is back, gets a card that works; the module unloads
# when the last client is gone. Runs after every scenario but 10 (which
# takes the devices as it finds them): they are not the same afterwards.

S7_SPEC="backend=0 be-alloc=0 connectors=hp0:1024x768"

s7_plan() {
	echo "s7-detach s7-detach-client-errors s7-detach-client-exits s7-detach-card-gone"
	echo "s7-attach s7-attach-card s7-attach-dumb"
	echo "s7-kill-client-errors s7-kill-client-exits s7-restart-connected s7-restart-dumb"
	echo "s7-unload"
}

# flip_on N: modetest flipping on device N's first connector, as "mt".
flip_on() {
	local card before
	card=$(card_of "$1")
	before=$(crtc_fbs "$card")
	modetest_start mt "$1" -s "$(connectors "$card" | head -n 1)" -v
	wait_until 30 new_fbs "$card" 1 "$before"
	# Flipping, past its second buffer's set-up.
	sleep 2
}

# client_gone WHAT: modetest saw errors (it keeps waiting for input after
# them, as it does after a good run) and exits at once when told.
client_errors() { grep -q -e failed -e "timed out" -e "No such device" /tmp/mt.out; }
client_gone() {
	local rc
	wait_until 30 client_errors
	check "s7-$1-client-errors" "$(tail -n 3 /tmp/mt.out | tr '\n' ' ')" client_errors
	hold_stop mt 10
	rc=$?
	check "s7-$1-client-exits" "status $rc: $(tail -n 3 /tmp/mt.out | tr '\n' ' ')" \
		[ $rc != 255 ]
}

# dumb_on NAME N SEED: a dumb buffer through device N's card (as scenario
# 1), with its own pattern: the host finds each buffer's pixels by their
# hash in the backend's log.
dumb_on() {
	local card out rc args="1024 768 $3"
	card=$(card_of "$2")
	be_alloc "$2" && args="640 480 $3"
	# shellcheck disable=SC2086 # width, height, seed, mode
	out=$(e2e-dumb "$card" $args 2>&1)
	rc=$?
	echo "E2E-DUMB dom=$DOMID dev=$2 round=$1 $out"
	check "$1" "${card:-no card}: $out" [ $rc = 0 ]
}

s7_run() {
	local n0 new n ok out
	ensure_loaded
	n0=${DEVS%% *}

	# The toolstack takes the device away under the client.
	flip_on "$n0"
	ctl detach "$n0"
	check s7-detach "$CTL_OUT" [ $? = 0 ]
	client_gone detach
	wait_until 15 no_card_of "$n0"
	check s7-detach-card-gone "$(ls /dev/dri 2>&1)" no_card_of "$n0"

	# A new device works.
	ctl attach "$S7_SPEC"
	check s7-attach "$CTL_OUT" [ $? = 0 ]
	wait_until 30 new_dev
	new=$(new_dev)
	[ -n "$new" ] && wait_until 30 both_connected "$new" && wait_until 10 has_card "$new"
	check s7-attach-card "device ${new:-none}: $(ls /dev/dri 2>&1)" has_card "${new:-none}"
	dumb_on s7-attach-dumb "${new:-none}" 77

	# The backend dies under the client; a new backend resets the
	# frontends, which drop their cards and connect again.
	flip_on "${new:-none}"
	ctl be-kill
	sleep 2
	ctl be-start
	client_gone kill
	ok=1
	for n in $(vdispl_devs); do
		wait_until 40 both_connected "$n" && wait_until 10 has_card "$n" || ok=0
	done
	check s7-restart-connected "$(for n in $(vdispl_devs); do
		echo "vdispl-$n: $(states "$n"), card $(card_of "$n");"; done)" [ $ok = 1 ]
	dumb_on s7-restart-dumb "${new:-none}" 78

	info "before s7-unload"
	out=$(unload)
	check s7-unload "$out (refcnt $(cat /sys/module/xen_drm_front/refcnt 2>&1))" unloaded
}
