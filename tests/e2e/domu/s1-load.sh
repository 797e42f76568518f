# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario 1: load; each vdispl device connects and gets a card with one
# connector per configured connector and the configured modes; a dumb
# buffer through each (the host matches its hash with the backend's); unload;
# twice. Prints E2E-DUMB lines for the host:
#   E2E-DUMB dom=<domid> dev=<n> round=<r> <e2e-dumb's line with the hash>

S1_ROUNDS="1 2"

s1_plan() {
	local r n
	for r in $S1_ROUNDS; do
		echo "load-$r"
		for n in $DEVS; do
			echo "connected-dev$n-$r card-dev$n-$r connectors-dev$n-$r dumb-dev$n-$r"
		done
		echo "card0-$r unload-$r"
		for n in $DEVS; do echo "disconnected-dev$n-$r"; done
		echo "cards-gone-$r"
	done
}

no_card() { ! ls /dev/dri/card* >/dev/null 2>&1; }
modes_match() { [ -n "$want" ] && [ "$want" = "$got" ]; }

s1_run() {
	local r n out rc card want got size
	for r in $S1_ROUNDS; do
		mark "load-$r"
		if out=$(insmod "$MODULE" 2>&1); then
			echo E2E-LOADED
			check "load-$r" "insmod worked but the module is not there" loaded
		else
			result FAIL "load-$r" "$out"
		fi
		info "after load-$r"
		for n in $DEVS; do
			wait_until 30 both_connected "$n"
			check "connected-dev$n-$r" "$(states "$n")" both_connected "$n"
			wait_until 10 has_card "$n"
			check "card-dev$n-$r" "no card for vdispl-$n: $(ls /dev/dri 2>&1)" has_card "$n"
			card=$(card_of "$n")
			want=$(want_modes "$n")
			got=$(got_modes "$n" "$card")
			check "connectors-dev$n-$r" "configured: $want; connected with preferred modes: $got" \
				modes_match
			if [ -z "$card" ]; then
				result FAIL "dumb-dev$n-$r" "no card"
				continue
			fi
			# The backend-allocated device gets a 1080p buffer, which
			# Xen maps into e2e-dumb (PV) or the kernel maps as
			# ordinary pages (PVH). Round 1 closes the
			# handle and the card before munmap, round 2 exits with
			# all of it open: the backend's hash checks both.
			if be_alloc "$n"; then
				case $r in
				1) size="1920 1080 $((r * 16 + n)) close-first" ;;
				*) size="1920 1080 $((r * 16 + n)) exit-mapped" ;;
				esac
			else
				size="1024 768 $((r * 16 + n))"
			fi
			# shellcheck disable=SC2086 # width, height, seed, mode
			out=$(e2e-dumb "$card" $size 2>&1)
			rc=$?
			[ $rc -gt 128 ] && out="$out (killed by signal $((rc - 128)))"
			echo "E2E-DUMB dom=$DOMID dev=$n round=$r $out"
			check "dumb-dev$n-$r" "$out" [ $rc = 0 ]
		done
		mark "loaded-$r"
		check "card0-$r" "$(ls /dev/dri 2>&1)" [ -e /dev/dri/card0 ]
		info "before unload-$r"
		out=$(unload)
		check "unload-$r" "$out (refcnt $(cat /sys/module/xen_drm_front/refcnt 2>&1))" unloaded
		if unloaded; then
			for n in $DEVS; do
				wait_until 15 disconnected "$n"
				check "disconnected-dev$n-$r" "$(states "$n")" disconnected "$n"
			done
			wait_until 10 no_card
			check "cards-gone-$r" "$(ls /dev/dri 2>&1)" no_card
		else
			for n in $DEVS; do
				result FAIL "disconnected-dev$n-$r" "module still loaded"
			done
			result FAIL "cards-gone-$r" "module still loaded"
		fi
	done
}
