# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario 4: fbcon. A text written to the console (tty1, on the first
# framebuffer device) must appear in the backend's snapshot, drawn in the
# kernel's 8x16 font (the DomU boots with fbcon=font:VGA8x16).

S4_TEXT=E2E-FBCON-xen_drm_front-4711

# The text's check on connector 0 of fb0's device (which device that is
# is known once loaded); each other connector gets one too.
s4_plan() { echo "s4-fbcon-bound s4-fbcon-write-conn0"; }

s4_run() {
	local n i card
	ensure_loaded
	rebind_fbcon
	n=$(fb0_dev)
	check s4-fbcon-bound "fb0 on vdispl-${n:-?}, $(cat /sys/class/vtconsole/vtcon*/name 2>&1)" \
		fbcon_bound
	card=$(card_of "${n:-0}")
	# Clear the screen, then the text on the third line. Judged by what
	# the backend shows, not by write(2).
	printf '\033[H\033[2J\n\n   %s\n' "$S4_TEXT" >/dev/tty1 ||
		echo "E2E-INFO s4: cannot write to /dev/tty1"
	# fbdev flushes its damage from a worker.
	sleep 1
	snap s4-fbcon
	i=0
	for _c in $(connectors "$card"); do
		png "s4-fbcon-write-conn$i" text "$(snap_file s4-fbcon "${n:-0}" $i)" "$S4_TEXT"
		i=$((i + 1))
	done
}
