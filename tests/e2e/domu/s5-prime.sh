# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario 5: PRIME with vgem. A vgem buffer imported and shown; one of
# our buffers exported and read back through vgem. In a PV guest, writing
# through vgem's own (write-combined) mapping faults for ever, a vgem
# problem: the imported buffer is shown as vgem made it, zeroed, over what
# the connector showed before (fbcon's text), and the snapshot must be
# black. In other guests it is filled with our pattern, which must show.
# Then the same on the last connector (800x600) with the buffer's lines
# padded to 256 bytes, as GPU exporters align their pitch (3328 bytes for
# 800 pixels): the backend must read each line at that stride.

S5_SEED=9

s5_plan() { echo "s5-vgem s5-prime-export s5-prime-import-shown s5-prime-import-exit s5-prime-pitch-shown s5-prime-pitch-exit"; }

# s5_import CHECK SNAP CONN SEED [ALIGN]: show an imported vgem buffer and
# have the host check connector CONN's snapshot.
s5_import() {
	local name=$1 shot=$2 conn=$3 seed=$4 align=$5 rc
	hold_start pi e2e-prime import "$card" "$vgem" $seed $align
	if hold_wait pi showing 30; then
		snap "$shot"
		result PASS "$name-shown"
	else
		result FAIL "$name-shown" "$(tail -n 3 /tmp/pi.out | tr '\n' ' ')"
	fi
	if [ $seed = blank ]; then
		png "$shot-dev$n-conn$conn" plain "$(snap_file "$shot" "$n" "$conn")" 000000
	else
		png "$shot-dev$n-conn$conn" pattern "$(snap_file "$shot" "$n" "$conn")" $seed
	fi
	hold_stop pi
	rc=$?
	check "$name-exit" "exit status $rc" [ $rc = 0 ]
}

s5_run() {
	local n card vgem ko out seed
	ensure_loaded
	n=${DEVS%% *}
	card=$(card_of "$n")
	while read -r ko; do
		insmod "$ko" 2>/dev/null
	done </etc/e2e/vgem-modules
	wait_until 10 vgem_card
	vgem=$(vgem_card)
	check s5-vgem "no vgem card: $(ls /dev/dri 2>&1)" [ -n "$vgem" ]

	out=$(e2e-prime export "$card" "$vgem" 5 2>&1)
	check s5-prime-export "$out" [ $? = 0 ]

	seed=$S5_SEED
	[ "$(cat /sys/hypervisor/guest_type 2>/dev/null)" = PV ] && seed=blank
	s5_import s5-prime-import s5-import 0 $seed
	s5_import s5-prime-pitch s5-pitch $(($(connectors "$card" | wc -w) - 1)) $seed 256
	rmmod vgem 2>/dev/null || echo "E2E-INFO s5: vgem stays loaded"
}
