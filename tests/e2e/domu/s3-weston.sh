# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario 3: Weston (DRM backend, pixman renderer, desktop shell) on the
# first device's card with a client (weston-simple-shm); the backend's
# snapshot must show the desktop's background and the client's window.

S3_BG=2a5d7c	# /etc/e2e/weston.ini's background colour

# The client's check is its window in the backend's snapshot (connector 0
# of the first device); the others show the background.
s3_plan() {
	local n=${DEVS%% *} i
	echo "s3-weston-start s3-weston-client-runs s3-weston-exit"
	for i in $(conn_idx "$n"); do
		if [ "$i" = 0 ]; then
			echo "s3-weston-client-dev$n-conn0"
		else
			echo "s3-desktop-dev$n-conn$i"
		fi
	done
}


# bg_share N C: SHARE is the thousandths of connector C of device N in the
# background colour, as the backend shows it now. Not in a subshell: ctl
# counts its requests.
SHARE=
bg_share() { ctl be share "$1" "$2" "$S3_BG" >/dev/null && SHARE=${CTL_OUT#ok }; }
# desktop_drawn N: the backend shows the background on every connector of
# device N, and on connector 0 something else over part of it (the
# client's window). Waited for, not slept for: a busy host is slow.
desktop_drawn() {
	local i s
	for i in $(conn_idx "$1"); do
		bg_share "$1" "$i" || return 1
		s=$SHARE
		case $s in '' | *[!0-9]*) return 1 ;; esac
		if [ "$i" = 0 ]; then
			[ "$s" -ge 300 ] && [ "$s" -lt 990 ] || return 1
		else
			[ "$s" -ge 500 ] || return 1
		fi
	done
}

s3_run() {
	local n card cpid i rc
	ensure_loaded
	n=${DEVS%% *}
	card=$(card_of "$n")
	weston_start "$card"
	if ! wait_until 90 weston_ready; then
		result FAIL s3-weston-start "no Wayland socket: $(tail -n 5 /tmp/weston.log 2>/dev/null | tr '\n' ' ')"
		result FAIL s3-weston-client-runs "no Weston"
	else
		result PASS s3-weston-start
		weston_client weston-simple-shm >/tmp/client.out 2>&1
		cpid=$!
		# The client's first frames and Weston's repaint; then a little
		# longer, for the client to keep running.
		wait_until 60 desktop_drawn "$n" ||
			echo "E2E-INFO s3: the desktop was not drawn within 60 s"
		sleep 1
		check s3-weston-client-runs "$(tail -n 3 /tmp/client.out | tr '\n' ' ')" alive $cpid
		snap s3-weston
		kill $cpid 2>/dev/null
		wait $cpid 2>/dev/null
	fi
	# The client's window is on the first output; the others show the
	# desktop's background.
	png "s3-weston-client-dev$n-conn0" desktop "$(snap_file s3-weston "$n" 0)" $S3_BG
	i=1
	while [ $i -lt "$(connectors "$card" | wc -l)" ]; do
		png "s3-desktop-dev$n-conn$i" background "$(snap_file s3-weston "$n" $i)" $S3_BG
		i=$((i + 1))
	done
	kill "$WPID" 2>/dev/null
	wait_until 30 gone "$WPID"
	wait "$WPID" 2>/dev/null
	rc=$?
	sed 's/^/E2E-INFO weston: /' /tmp/weston.log | tail -n 40
	# SIGTERM is a normal way to stop Weston: it exits 0.
	check s3-weston-exit "exit status $rc" [ $rc = 0 ]
}
