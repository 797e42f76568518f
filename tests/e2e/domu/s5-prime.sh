# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario 5: PRIME with vgem. A vgem buffer imported and shown; one of
# our buffers exported and read back through vgem. In a PV guest, writing
# through vgem's own (write-combined) mapping faults for ever, a vgem
# problem: the imported buffer is shown as vgem made it, zeroed, over what
# the connector showed before (fbcon's text), and the snapshot must be
# black. In other guests it is filled with our pattern, which must show.

S5_SEED=9

s5_plan() { echo "s5-vgem s5-prime-export s5-prime-import-shown s5-prime-import-exit"; }

s5_run() {
	local n card vgem ko rc out seed
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
	hold_start pi e2e-prime import "$card" "$vgem" $seed
	if hold_wait pi showing 30; then
		snap s5-import
		result PASS s5-prime-import-shown
	else
		result FAIL s5-prime-import-shown "$(tail -n 3 /tmp/pi.out | tr '\n' ' ')"
	fi
	if [ $seed = blank ]; then
		png "s5-imported-dev$n-conn0" plain "$(snap_file s5-import "$n" 0)" 000000
	else
		png "s5-imported-dev$n-conn0" pattern "$(snap_file s5-import "$n" 0)" $seed
	fi
	hold_stop pi
	rc=$?
	check s5-prime-import-exit "exit status $rc" [ $rc = 0 ]
	rmmod vgem 2>/dev/null || echo "E2E-INFO s5: vgem stays loaded"
}
