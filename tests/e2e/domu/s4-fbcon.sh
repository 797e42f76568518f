# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario 4: fbcon. A text written to the console (tty1, on the first
# framebuffer device) must appear in the backend's snapshot, drawn in the
# kernel's 8x16 font (the DomU boots with fbcon=font:VGA8x16).

S4_TEXT=E2E-FBCON-xen_drm_front-4711

s4_plan() { echo "s4-fbcon-bound s4-fbcon-write"; }

# The vdispl device behind fb0.
fb0_dev() {
	local d
	d=$(readlink /sys/class/graphics/fb0/device 2>/dev/null) || return 1
	case $d in */vdispl-*) echo "${d##*/vdispl-}" ;; *) return 1 ;; esac
}
fbcon_bound() {
	local v
	for v in /sys/class/vtconsole/vtcon*; do
		grep -qs "frame buffer" "$v/name" && grep -qs 1 "$v/bind" && return 0
	done
	return 1
}

s4_run() {
	local n i card
	ensure_loaded
	rebind_fbcon
	n=$(fb0_dev)
	check s4-fbcon-bound "fb0 on vdispl-${n:-?}, $(cat /sys/class/vtconsole/vtcon*/name 2>&1)" \
		fbcon_bound
	card=$(card_of "${n:-0}")
	# Clear the screen, then the text on the third line.
	if printf '\033[H\033[2J\n\n   %s\n' "$S4_TEXT" >/dev/tty1; then
		result PASS s4-fbcon-write
	else
		result FAIL s4-fbcon-write "cannot write to /dev/tty1"
	fi
	# fbdev flushes its damage from a worker.
	sleep 1
	snap s4-fbcon
	i=0
	for _c in $(connectors "$card"); do
		png "s4-text-dev${n:-0}-conn$i" text "$(snap_file s4-fbcon "${n:-0}" $i)" "$S4_TEXT"
		i=$((i + 1))
	done
}
