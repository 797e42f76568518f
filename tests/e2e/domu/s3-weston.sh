# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario 3: Weston (DRM backend, pixman renderer, desktop shell) on the
# first device's card with a client (weston-simple-shm); the backend's
# snapshot must show the desktop's background and the client's window.

S3_BG=2a5d7c	# /etc/e2e/weston.ini's background colour

s3_plan() { echo "s3-weston-start s3-weston-client s3-weston-exit"; }

weston_ready() { [ -S /run/xdg/wayland-e2e ]; }
gone() { ! alive "$1"; }

s3_run() {
	local n card wpid cpid i rc
	ensure_loaded
	n=${DEVS%% *}
	card=$(card_of "$n")
	mkdir -p /run/xdg
	chmod 700 /run/xdg
	rm -f /run/xdg/wayland-e2e*
	# tty1 is fbcon's: Weston puts it in graphics mode while it runs.
	XDG_RUNTIME_DIR=/run/xdg weston --backend=drm-backend.so --use-pixman \
		--drm-device="${card##*/}" --tty=1 --continue-without-input \
		--socket=wayland-e2e --config=/etc/e2e/weston.ini \
		--log=/tmp/weston.log >/tmp/weston.out 2>&1 &
	wpid=$!
	if ! wait_until 90 weston_ready; then
		result FAIL s3-weston-start "no Wayland socket: $(tail -n 5 /tmp/weston.log 2>/dev/null | tr '\n' ' ')"
		result FAIL s3-weston-client "no Weston"
	else
		result PASS s3-weston-start
		XDG_RUNTIME_DIR=/run/xdg WAYLAND_DISPLAY=wayland-e2e weston-simple-shm \
			>/tmp/client.out 2>&1 &
		cpid=$!
		# The client's first frames and Weston's repaint.
		sleep 5
		check s3-weston-client "$(tail -n 3 /tmp/client.out | tr '\n' ' ')" alive $cpid
		snap s3-weston
		kill $cpid 2>/dev/null
		wait $cpid 2>/dev/null
	fi
	# The client's window is on the first output; the others show the
	# desktop's background.
	png "s3-desktop-dev$n-conn0" desktop "$(snap_file s3-weston "$n" 0)" $S3_BG
	i=1
	while [ $i -lt "$(connectors "$card" | wc -l)" ]; do
		png "s3-desktop-dev$n-conn$i" background "$(snap_file s3-weston "$n" $i)" $S3_BG
		i=$((i + 1))
	done
	kill $wpid 2>/dev/null
	wait_until 30 gone $wpid
	wait $wpid 2>/dev/null
	rc=$?
	sed 's/^/E2E-INFO weston: /' /tmp/weston.log | tail -n 40
	# SIGTERM is a normal way to stop Weston: it exits 0.
	check s3-weston-exit "exit status $rc" [ $rc = 0 ]
}
