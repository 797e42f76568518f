# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Scenario 10: stress, with the devices as they are (after scenario 7, one
# of them is not the configured one; any set of devices with one of each
# kind of buffer allocation will do).
#   kills   20 times (S10_KILLS): a client (e2e-flips) flips on a
#           device, one device after the other; the backend is killed
#           (SIGKILL) and a new one started at once. Each time the client
#           was flipping before the kill, gets an error and exits on its
#           own, and every device connects again with a new card (fbdev
#           too, fbcon unbound meanwhile). After the last restart, a
#           client's picture on every device reaches the backend.
#   cycles  100 unbind/bind cycles (S10_CYCLES) of a device with
#           guest-allocated buffers, through /sys/bus/xen/drivers/vdispl,
#           with fbcon on it (fb0; the other devices unbound meanwhile).
#           Each time it connects again with a card and fbcon comes back
#           to it; after the last, fbcon's text and a client's picture on
#           it reach the backend.
#   detach  a process maps a dumb buffer of a device with backend-allocated
#           buffers; the toolstack detaches the device (xl vdispl-detach);
#           then the process writes to every page of the mapping (it must
#           not hang: the writes land, or SIGBUS) and exits. A new device
#           of the same kind attached then works (a client's picture at
#           the backend) and the module unloads.
# Each phase ends with a check that the DomU's kernel log has no splat
# since the phase began (the host checks both guests' whole logs too).
#
# The kills come first: they end the first backend's log, in which the
# host counts one connection per load and device, so the cycles'
# connections do not need to be counted there. Runs last (after scenario
# 7): the devices are not the same afterwards.

# In full by default; the kernel command line may ask for fewer
# (e2e.stress-kills=N e2e.stress-cycles=N: scripts/e2e.sh does on every
# target but x86-pv, to keep make test within CI's time).
S10_KILLS=${E2E_STRESS_KILLS:-20}
S10_CYCLES=${E2E_STRESS_CYCLES:-100}
# A cycle or a kill that fails waits long (30 s for a card, 60 s for
# every device after a kill): stop after a few such.
S10_CYCLE_WAIT=30
S10_MAX_BAD=3
S10_TEXT=E2E-STRESS-fbcon-after-the-cycles
# The same as scripts/e2e.sh's splat_re (busybox grep -E).
S10_SPLAT='BUG:|WARNING:|kernel BUG at|Oops|general protection|Kernel panic'
S10_SPLAT="$S10_SPLAT|KASAN|UBSAN|KFENCE|ODEBUG|list_(add|del) corruption"
S10_SPLAT="$S10_SPLAT|possible recursive locking|circular locking|inconsistent lock state"
S10_SPLAT="$S10_SPLAT|lockdep|suspicious RCU usage|blocked for more than|refcount_t"
S10_SPLAT="$S10_SPLAT|kmemleak: .*suspected|Call Trace:"

s10_plan() {
	local i=1
	echo "s10-kill-flipping s10-kill-client-exits s10-kill-reconnected s10-kill-no-splat"
	# One picture per device, by position: the devices' ids are known
	# only once the scenarios before this one have run.
	for _n in $DEVS; do
		echo "s10-kill-picture-$i"
		i=$((i + 1))
	done
	echo "s10-cycles-fbcon-first s10-cycles s10-cycles-fbcon s10-cycles-text"
	echo "s10-cycles-picture s10-cycles-no-splat"
	echo "s10-detach-mapped s10-detach s10-detach-card-gone s10-detach-writer-exits"
	echo "s10-reattach-card s10-reattach-picture s10-unload s10-detach-no-splat"
}

# ---- the kernel log ----

# s10_kmsg NAME: a line in the kernel log that s10_log_since finds.
s10_kmsg() { echo "<5>e2e-s10: mark $1;" >/dev/kmsg; }
# s10_log_since NAME: the kernel log from that mark on (all of it if the
# mark has been overwritten: then every line left is newer).
s10_log_since() {
	if dmesg | grep -q "e2e-s10: mark $1;"; then
		dmesg | sed -n "/e2e-s10: mark $1;/,\$p"
	else
		dmesg
	fi
}
# s10_no_splat NAME PHASE: the check s10-PHASE-no-splat of the log since
# the mark NAME.
s10_no_splat() {
	local splats
	splats=$(s10_log_since "$1" | grep -E "$S10_SPLAT")
	check "s10-$2-no-splat" "$(echo "$splats" | head -n 5 | tr '\n' ' ')" [ -z "$splats" ]
}
# s10_registered MARK N: device N's DRM device registered since MARK.
s10_registered() {
	s10_log_since "$1" | grep -q "Initialized .* for vdispl-$2 on minor"
}

# ---- devices ----

# s10_nth I WORD...: the I-th word (from 1), counting round.
s10_nth() {
	local i=$1
	shift
	[ $# -gt 0 ] || return 1
	i=$(((i - 1) % $# + 1))
	shift $((i - 1))
	echo "$1"
}
# The first device with guest-allocated (s10_ga) or backend-allocated
# (s10_be) buffers.
s10_ga() {
	local n
	for n in $(vdispl_devs); do be_alloc "$n" || { echo "$n"; return 0; }; done
	return 1
}
s10_be() {
	local n
	for n in $(vdispl_devs); do be_alloc "$n" && { echo "$n"; return 0; }; done
	return 1
}
s10_up() { both_connected "$1" && has_card "$1"; }
s10_fbcon_on() { [ "$(fb0_dev)" = "$1" ] && fbcon_bound; }
s10_bound() { [ -e "/sys/bus/xen/drivers/vdispl/vdispl-$1" ]; }
s10_unbind() { s10_bound "$1" && echo "vdispl-$1" >/sys/bus/xen/drivers/vdispl/unbind; }
s10_bind() { echo "vdispl-$1" >/sys/bus/xen/drivers/vdispl/bind; }

# s10_picture NAME N: modetest's SMPTE pattern on device N's first
# connector, for the host to check (png NAME).
s10_picture() {
	local name=$1 n=$2 card mode before
	card=$(card_of "$n")
	mode=$(connectors "$card" | head -n 1)
	before=$(crtc_fbs "$card")
	modetest_start s10mt "$n" -s "$mode"
	if wait_until 30 new_fbs "$card" 1 "$before" && wait_until 10 hold_reading s10mt; then
		snap "$name-dev$n"
	else
		echo "E2E-INFO $name: no picture on vdispl-$n ($card, $mode):" \
			"$(tail -n 3 /tmp/s10mt.out | tr '\n' ' ')"
	fi
	png "$name" smpte "$(snap_file "$name-dev$n" "$n" 0)"
	hold_stop s10mt
}

# ---- kills ----

# s10_flips CARD: the flips of CARD's first connector (its xen_state).
s10_flips() {
	local c
	c=$(connectors "$1" | head -n 1)
	sed -n 's/^flips: //p' "/sys/kernel/debug/dri/${1##*card}/${c%%:*}/xen_state" 2>/dev/null
}
# s10_flipping CARD N: the client runs and CARD counts two flips more than N.
s10_flipping() { hold_alive s10fl && [ "$(s10_flips "$1")" -ge $(($2 + 2)) ]; }
# Every device connected again with a card registered since the mark.
s10_reconnected() {
	local n
	for n in $(vdispl_devs); do
		s10_registered "$1" "$n" && s10_up "$n" || return 1
	done
}
s10_devs_states() {
	local n
	for n in $(vdispl_devs); do echo "vdispl-$n: $(states "$n"), card $(card_of "$n");"; done
}

s10_kills() {
	local i=1 n card base rc t0 flipping=0 exits=0 back=0 bad=0
	local bad_flip='' bad_exit='' bad_back=''
	t0=$(now_ds)
	while [ $i -le "$S10_KILLS" ] && [ $bad -lt $S10_MAX_BAD ]; do
		# shellcheck disable=SC2046 # a list of devices
		n=$(s10_nth $i $(vdispl_devs))
		card=$(card_of "$n")
		base=$(s10_flips "$card")
		hold_start s10fl e2e-flips "$card" 100000 unpaced
		if wait_until 30 s10_flipping "$card" "${base:-0}"; then
			flipping=$((flipping + 1))
		else
			bad_flip="$bad_flip kill $i on vdispl-$n: flips ${base:-?} then $(s10_flips "$card"), $(tail -n 2 /tmp/s10fl.out | tr '\n' ' ');"
		fi
		s10_kmsg "kill-$i"
		ctl be-kill
		ctl be-start
		hold_stop s10fl 30
		rc=$?
		# e2e-flips flips until an error: status 1 and what failed.
		if [ $rc = 1 ] && grep -q -e "no event" -e "DRM_IOCTL" /tmp/s10fl.out; then
			exits=$((exits + 1))
		else
			bad_exit="$bad_exit kill $i on vdispl-$n: status $rc, $(tail -n 2 /tmp/s10fl.out | tr '\n' ' ');"
		fi
		if wait_until 60 s10_reconnected "kill-$i"; then
			back=$((back + 1))
		else
			bad_back="$bad_back kill $i: $(s10_devs_states)"
			bad=$((bad + 1))
		fi
		i=$((i + 1))
	done
	echo "E2E-INFO s10: $((i - 1)) kills in $((($(now_ds) - t0) / 10)) s"
	check s10-kill-flipping "$flipping of $S10_KILLS:$bad_flip" [ $flipping = "$S10_KILLS" ]
	check s10-kill-client-exits "$exits of $S10_KILLS:$bad_exit" [ $exits = "$S10_KILLS" ]
	check s10-kill-reconnected "$back of $S10_KILLS:$bad_back" [ $back = "$S10_KILLS" ]
	i=1
	for n in $(vdispl_devs); do
		s10_picture "s10-kill-picture-$i" "$n"
		i=$((i + 1))
	done
}

# ---- cycles ----

# s10_why N: device N's last error in the kernel log since the cycles
# began, for the log.
s10_why() { s10_log_since cycles | grep "vdispl-$1:.*\(ERROR\|error\)\|grant" | tail -n 2 | tr '\n' ' '; }

s10_cycles() {
	local n=$1 o c=1 ok=0 fb=0 bad=0 t0 why=
	# Device n alone, with fbcon on its framebuffer, fb0: fbcon takes
	# over at each bind and lets go at each unbind, rather than moving
	# to another device and back (two more redraws a cycle).
	for o in $(vdispl_devs); do s10_unbind "$o"; done
	s10_bind "$n"
	wait_until 30 s10_up "$n"
	fbcon_bound || rebind_fbcon
	check s10-cycles-fbcon-first "fb0 on vdispl-$(fb0_dev), $(cat /sys/class/vtconsole/vtcon*/name 2>&1)" \
		s10_fbcon_on "$n"

	t0=$(now_ds)
	while [ $c -le "$S10_CYCLES" ] && [ $bad -lt $S10_MAX_BAD ]; do
		s10_unbind "$n"
		s10_bind "$n"
		if ! wait_until $S10_CYCLE_WAIT s10_up "$n"; then
			bad=$((bad + 1))
			why="$why cycle $c: $(states "$n"), card $(card_of "$n"), $(s10_why "$n");"
		else
			ok=$((ok + 1))
			# fbcon moves back to fb0 from the framebuffer it
			# went to meanwhile.
			if wait_until 10 s10_fbcon_on "$n"; then
				fb=$((fb + 1))
			else
				bad=$((bad + 1))
				why="$why cycle $c: fb0 on vdispl-$(fb0_dev), $(cat /sys/class/vtconsole/vtcon*/name 2>&1 | tr '\n' ' '), $(s10_why "$n");"
			fi
		fi
		c=$((c + 1))
	done
	echo "E2E-INFO s10: $((c - 1)) unbind/bind cycles of vdispl-$n in $((($(now_ds) - t0) / 10)) s"
	check s10-cycles "$ok of $S10_CYCLES cycles connected with a card:$why" [ $ok = "$S10_CYCLES" ]
	check s10-cycles-fbcon "fbcon on vdispl-$n after $fb of $S10_CYCLES cycles:$why" [ $fb = "$S10_CYCLES" ]
	for o in $(vdispl_devs); do
		s10_bound "$o" && continue
		s10_bind "$o"
		wait_until 30 s10_up "$o"
	done

	# What reaches the backend after them: fbcon's text, a client's picture.
	printf '\033[H\033[2J\n\n   %s\n' "$S10_TEXT" >/dev/tty1 ||
		echo "E2E-INFO s10: cannot write to /dev/tty1"
	# fbdev flushes its damage from a worker.
	sleep 1
	snap s10-cycles-fbcon
	png s10-cycles-text text "$(snap_file s10-cycles-fbcon "$n" 0)" "$S10_TEXT"
	s10_picture s10-cycles-picture "$n"
}

# ---- detach while mapped ----

s10_writer_done() { [ "$1" = 0 ] || [ "$1" = 3 ]; }
s10_gone() { [ ! -e "/sys/bus/xen/devices/vdispl-$1" ]; }

s10_detach() {
	local n=$1 card res old new rc out
	card=$(card_of "$n")
	res=$(xs "device/vdispl/$n/$(conn_idx "$n" | head -n 1)/resolution")
	hold_start s10wr e2e-dumb "$card" 640 480 91 wait-write
	hold_wait s10wr "hash" 30
	check s10-detach-mapped "$(cat /tmp/s10wr.out)" hold_has s10wr " 0 bad pixels"
	ctl detach "$n"
	check s10-detach "$CTL_OUT" [ $? = 0 ]
	wait_until 30 no_card_of "$n"
	check s10-detach-card-gone "vdispl-$n: $(states "$n"); $(ls /dev/dri 2>&1)" no_card_of "$n"
	# The process writes to every page, then exits with it mapped.
	hold_stop s10wr 30
	rc=$?
	out=$(tail -n 1 /tmp/s10wr.out)
	# 0: the writes went to pages still mapped; 3: SIGBUS, the mapping
	# refuses them once the device is gone (the driver's choice in a PV
	# guest); 255: it had to be killed.
	check s10-detach-writer-exits "status $rc: $out" s10_writer_done $rc
	echo "E2E-INFO s10: writing after the detach: status $rc, $out"
	wait_until 30 s10_gone "$n"
	# The toolstack may give the new device the id the old one had.
	old=$(vdispl_devs)

	ctl attach "backend=0 be-alloc=1 connectors=s10:${res:-1920x1080}"
	wait_until 30 new_dev "$old"
	new=$(new_dev "$old")
	[ -n "$new" ] && wait_until 30 s10_up "$new"
	check s10-reattach-card "device ${new:-none}: $CTL_OUT; $(ls /dev/dri 2>&1)" \
		s10_up "${new:-none}"
	if [ -n "$new" ]; then
		s10_picture s10-reattach-picture "$new"
	fi

	info "before s10-unload"
	out=$(unload)
	check s10-unload "$out (refcnt $(cat /sys/module/xen_drm_front/refcnt 2>&1))" unloaded
}

s10_run() {
	local i n
	ensure_loaded
	rebind_fbcon

	mark s10-kills
	s10_kmsg kills
	# fbdev comes and goes with every reset, but fbcon drawing on both
	# devices after each would double the time the kills take.
	unbind_fbcon
	s10_kills
	s10_no_splat kills kill
	rebind_fbcon

	mark s10-cycles
	s10_kmsg cycles
	n=$(s10_ga)
	if [ -n "$n" ]; then
		s10_cycles "$n"
	else
		for i in fbcon-first "" fbcon text picture; do
			result FAIL "s10-cycles${i:+-$i}" "no device with guest-allocated buffers: $(vdispl_devs)"
		done
	fi
	s10_no_splat cycles cycles

	mark s10-detach
	s10_kmsg detach
	n=$(s10_be)
	if [ -n "$n" ]; then
		s10_detach "$n"
	else
		for i in mapped "" card-gone writer-exits; do
			result FAIL "s10-detach${i:+-$i}" "no device with backend-allocated buffers: $(vdispl_devs)"
		done
		for i in reattach-card reattach-picture unload; do
			result FAIL "s10-$i" "no device with backend-allocated buffers"
		done
	fi
	s10_no_splat detach detach
	mark s10-end
}
