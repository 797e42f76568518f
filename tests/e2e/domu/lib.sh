# SPDX-License-Identifier: GPL-2.0
# shellcheck shell=dash
# Helpers of the DomU's scenarios (busybox sh), sourced by /init. Output
# for the host, via Dom0's console log (scripts/e2e.sh reads it):
#   E2E-RESULT: PASS|FAIL <name> [- detail]
#   E2E-PNG <name> <check> <file> [args]   a picture for the host to check
#                                           with tests/e2e/pngcheck.py
#   E2E-MARK <what> <uptime>
#   E2E-LOADED                              the module was loaded (the host
#                                           expects one connection per
#                                           device and load)
#   E2E-INFO <text>                         diagnostics

mark() { echo "E2E-MARK $1 $(cut -d' ' -f1 /proc/uptime)"; }
result() { echo "E2E-RESULT: $1 $2${3:+ - $3}"; }
check() { # NAME DETAIL CMD...: PASS if CMD succeeds
	local name=$1 detail=$2
	shift 2
	if "$@"; then result PASS "$name"; else result FAIL "$name" "$detail"; fi
}
# png NAME CHECK FILE [ARGS]: have the host check a snapshot's picture.
png() { echo "E2E-PNG $*"; }
xs() { xenstore-read "$1" 2>/dev/null; }

# Tenths of a second since boot.
now_ds() {
	local up frac
	read -r up _ </proc/uptime
	frac=${up#*.}
	frac=${frac%?}
	echo $((${up%.*} * 10 + ${frac:-0}))
}

# wait_until SECONDS CMD...: poll CMD until it succeeds or SECONDS passed
# (by the clock: each try forks, which is slow under emulation).
wait_until() {
	local deadline=$(($(now_ds) + $1 * 10))
	shift
	until "$@"; do
		[ "$(now_ds)" -ge $deadline ] && return 1
		sleep 0.2
	done
}

# ---- Dom0's help (tests/e2e/dom0/init serves these) ----

CTL_SEQ=0
CTL_OUT=
CTL_ACK=
ctl_acked() {
	CTL_ACK=$(xs data/e2e/ack)
	[ "${CTL_ACK%% *}" = "$CTL_SEQ" ]
}
# ctl CMD [ARGS]: have Dom0 do something (snap NAME, be misbehave ...,
# be behave, be vsync on|off, be-kill, be-start, detach DEVID, attach KEY=VALUE...). Waits for the
# answer; its text is in CTL_OUT. Status 0 if Dom0 says ok.
ctl() {
	local ack
	CTL_SEQ=$((CTL_SEQ + 1))
	xenstore-write "data/e2e/req" "$CTL_SEQ $*" || {
		CTL_OUT="cannot write data/e2e/req"
		return 1
	}
	if ! wait_until 60 ctl_acked; then
		CTL_OUT="no answer from Dom0 to \"$*\""
		echo "E2E-INFO ctl: $CTL_OUT"
		return 1
	fi
	ack=${CTL_ACK#* }
	CTL_OUT=${ack#* }
	# Dom0 joins the answer's lines with spaces, the last one's too.
	CTL_OUT=${CTL_OUT%"${CTL_OUT##*[! ]}"}
	echo "E2E-INFO ctl: $*: $ack"
	[ "${ack%% *}" = 0 ]
}

# snap NAME: the backend saves what every connector shows as
# NAME-dom<domid>-<dev>-conn<c>.png.
snap() { ctl snap "$1"; }
snap_file() { echo "$1-dom$DOMID-$2-conn$3.png"; } # NAME DEV CONN

# ---- devices and cards ----

fe_state() { xs "device/vdispl/$1/state"; }
be_state() { xs "$(xs "device/vdispl/$1/backend")/state"; }
states() { echo "frontend $(fe_state "$1"), backend $(be_state "$1")"; }
both_connected() { [ "$(fe_state "$1")" = 4 ] && [ "$(be_state "$1")" = 4 ]; }
# After unload: the frontend Closed or Initialising, the backend waiting.
disconnected() {
	local fe
	fe=$(fe_state "$1")
	[ "$(be_state "$1")" = 2 ] && { [ "$fe" = 6 ] || [ "$fe" = 1 ]; }
}
be_alloc() { [ "$(xs "device/vdispl/$1/be-alloc")" = 1 ]; }
# The vdispl devices there are now.
vdispl_devs() {
	local d out=
	for d in /sys/bus/xen/devices/vdispl-*; do
		[ -e "$d" ] && out="$out ${d##*/vdispl-}"
	done
	echo "${out# }"
}
# new_dev ["DEVS"]: a vdispl device there is now that is not in DEVS
# (default: the devices the DomU started with).
new_dev() {
	local n
	for n in $(vdispl_devs); do
		case " ${1-$DEVS} " in *" $n "*) ;; *) echo "$n"; return 0 ;; esac
	done
	return 1
}
# The DRM card of vdispl device $1, if any.
card_of() {
	local c
	for c in /sys/class/drm/card[0-9]*; do
		[ -e "$c/device" ] || continue
		case $(readlink "$c/device") in
		*/vdispl-"$1") echo "/dev/dri/${c##*/}"; return 0 ;;
		esac
	done
	return 1
}
has_card() { [ -n "$(card_of "$1")" ] && [ -e "$(card_of "$1")" ]; }
no_card_of() { ! has_card "$1"; }
# The bus id of device $1's card: modetest's -D wants it, not a path.
busid() { echo "vdispl-$1"; }
# The vgem card, if loaded.
vgem_card() {
	local c
	for c in /sys/class/drm/card[0-9]*; do
		case $(readlink "$c/device" 2>/dev/null) in
		*/vgem) echo "/dev/dri/${c##*/}"; return 0 ;;
		esac
	done
	return 1
}
# The connectors of card $1 in index order, as "<name>:<preferred mode>".
connectors() {
	local c
	for c in /sys/class/drm/"${1##*/}"-*; do
		[ -e "$c/modes" ] || continue
		echo "${c##*/"${1##*/}"-}:$(head -n 1 "$c/modes")"
	done | sort -t- -k2 -n
}
# conn_idx N: the indexes of device N's configured connectors, before any
# card exists (a scenario's plan names a check per connector).
conn_idx() {
	local i
	for i in $(xenstore-list "device/vdispl/$1" 2>/dev/null); do
		case $i in *[!0-9]*) ;; *) echo "$i" ;; esac
	done | sort -n
}
# The configured resolutions of device $1, and the preferred modes of the
# connected connectors of card $2: the same sorted lists if all is well.
want_modes() {
	local i
	for i in $(xenstore-list "device/vdispl/$1" 2>/dev/null); do
		case $i in *[!0-9]*) continue ;; esac
		xs "device/vdispl/$1/$i/resolution"
	done | sort | tr '\n' ' '
}
got_modes() {
	local c
	for c in /sys/class/drm/"${2##*/}"-*; do
		[ "$(cat "$c/status" 2>/dev/null)" = connected ] && head -n 1 "$c/modes"
	done | sort | tr '\n' ' '
}
# The framebuffers CARD's CRTCs show.
crtc_fbs() { e2e-kms crtcs "$1" 2>/dev/null | cut -d' ' -f2 | grep -v '^0$' | tr '\n' ' '; }
# new_fbs CARD N "BEFORE": N CRTCs (at least) show a framebuffer that is
# not in BEFORE (crtc_fbs before a client started: fbcon's, say).
new_fbs() {
	local fb n=0
	for fb in $(crtc_fbs "$1"); do
		case " $3 " in *" $fb "*) ;; *) n=$((n + 1)) ;; esac
	done
	[ $n -ge "$2" ]
}
# "GOOD GOOD " etc.: the link-status of card $1's connectors.
link_status() { e2e-kms link-status "$1" 2>&1 | cut -d' ' -f2 | tr '\n' ' '; }
# link0_is CARD GOOD|BAD: the first connector's link-status.
link0_is() { [ "$(e2e-kms link-status "$1" 2>&1 | head -n 1 | cut -d' ' -f2)" = "$2" ]; }

# The vdispl device behind fb0, on which fbcon shows the consoles.
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

# ---- the module ----

loaded() { [ -d /sys/module/xen_drm_front ]; }
unloaded() { [ ! -d /sys/module/xen_drm_front ]; }
open_dri_files() {
	local f n=0
	for f in /proc/[0-9]*/fd/*; do
		case $(readlink "$f" 2>/dev/null) in /dev/dri/*) n=$((n + 1)) ;; esac
	done
	echo $n
}
# What holds the module, for the log.
info() {
	local v vt=
	for v in /sys/class/vtconsole/vtcon*; do
		vt="$vt [$(cat "$v/name" 2>/dev/null) bind=$(cat "$v/bind" 2>/dev/null)]"
	done
	echo "E2E-INFO $1: refcnt $(cat /sys/module/xen_drm_front/refcnt 2>/dev/null)," \
		"holders [$(ls /sys/module/xen_drm_front/holders 2>/dev/null)]," \
		"open DRM files $(open_dri_files)," \
		"vtcon$vt"
}
all_cards() {
	local n
	for n in $(vdispl_devs); do has_card "$n" || return 1; done
}
# Loads the module if it is not, and waits for every device's card.
ensure_loaded() {
	local n
	if ! loaded; then
		if insmod "$MODULE"; then
			echo E2E-LOADED
		else
			echo "E2E-INFO insmod $MODULE failed"
		fi
	fi
	for n in $(vdispl_devs); do
		wait_until 30 both_connected "$n"
		wait_until 10 has_card "$n"
	done
}
# A framebuffer console holds the DRM device: let it go before unloading,
# as any DRM driver's unload needs.
unbind_fbcon() {
	local v
	for v in /sys/class/vtconsole/vtcon*; do
		grep -q "frame buffer" "$v/name" 2>/dev/null && echo 0 >"$v/bind"
	done
}
rebind_fbcon() {
	local v
	for v in /sys/class/vtconsole/vtcon*; do
		grep -q "frame buffer" "$v/name" 2>/dev/null && echo 1 >"$v/bind"
	done
}
# unload: fbcon off, every device unbound (xenbus holds a module
# reference per bound device, for every frontend driver), rmmod. Prints
# rmmod's complaint if any.
unload() {
	local n
	unbind_fbcon
	for n in $(vdispl_devs); do
		[ -e "/sys/bus/xen/drivers/vdispl/vdispl-$n" ] &&
			echo "vdispl-$n" >/sys/bus/xen/drivers/vdispl/unbind
	done
	rmmod xen_drm_front 2>&1
	wait_until 10 unloaded
}

# ---- Weston ----

# weston_start CARD [ARG...]: Weston (DRM backend, pixman renderer, desktop
# shell, /etc/e2e/weston.ini) on CARD, on fbcon's tty1, which it puts in
# graphics mode while it runs, with ARGs besides; its socket
# /run/xdg/wayland-e2e, its log /tmp/weston.log. WPID: its pid.
WPID=
weston_start() {
	local card=$1
	shift
	mkdir -p /run/xdg
	chmod 700 /run/xdg
	rm -f /run/xdg/wayland-e2e*
	XDG_RUNTIME_DIR=/run/xdg weston --backend=drm-backend.so --use-pixman \
		--drm-device="${card##*/}" --tty=1 --continue-without-input \
		--socket=wayland-e2e --config=/etc/e2e/weston.ini \
		--log=/tmp/weston.log "$@" >/tmp/weston.out 2>&1 &
	WPID=$!
}
weston_ready() { [ -S /run/xdg/wayland-e2e ]; }
# weston_client CMD...: a Wayland client of that Weston, in the background.
weston_client() {
	XDG_RUNTIME_DIR=/run/xdg WAYLAND_DISPLAY=wayland-e2e "$@" &
}

# ---- programs held open while the host looks ----

# alive PID: running, not a zombie.
alive() { [ -r "/proc/$1/stat" ] && ! grep -q ') Z' "/proc/$1/stat"; }
gone() { ! alive "$1"; }
# hold_start NAME CMD...: run CMD in the background, its stdin a pipe kept
# open until hold_stop (modetest and e2e-prime wait for EOF or a line),
# its output in /tmp/NAME.out.
hold_start() {
	local name=$1
	shift
	rm -f "/tmp/$name.in"
	mkfifo "/tmp/$name.in"
	sleep 100000 >"/tmp/$name.in" &
	echo $! >"/tmp/$name.feeder"
	"$@" <"/tmp/$name.in" >"/tmp/$name.out" 2>&1 &
	echo $! >"/tmp/$name.pid"
}
hold_pid() { cat "/tmp/$1.pid"; }
# hold_opened NAME PATH: NAME has PATH open, or has exited.
hold_opened() {
	local f
	for f in /proc/"$(hold_pid "$1")"/fd/*; do
		[ "$(readlink "$f" 2>/dev/null)" = "$2" ] && return 0
	done
	hold_dead "$1"
}
# modetest_start NAME N ARGS...: modetest on device N's card, held as
# NAME; returns once modetest has the card open. -D finds a card by bus
# id, opening each card in turn; if something else opened the card first
# (a poll of its CRTCs), that opener is its DRM master and modetest is
# answered the master's bus id, empty: it searches again under its next
# driver name, 3 s a round under emulation, and may not set its mode
# before the caller gives up. So nothing here opens the card meanwhile.
modetest_start() {
	local name=$1 n=$2 card
	shift 2
	card=$(card_of "$n")
	hold_start "$name" modetest -D "$(busid "$n")" "$@"
	wait_until 60 hold_opened "$name" "$card"
}
hold_alive() { alive "$(hold_pid "$1")"; }
hold_has() { grep -q "$2" "/tmp/$1.out"; } # NAME PATTERN
# hold_wait NAME PATTERN SECONDS: until PATTERN is in the output.
hold_wait() { wait_until "$3" hold_has "$1" "$2"; }
hold_dead() { ! hold_alive "$1"; }
# hold_reading NAME: blocked in read(0, ...), waiting for its input: done
# with what it does first (a CRTC shows a client's framebuffer as soon as
# the commit swapped the state in, before the backend has heard of it).
# read(2) is system call 0 on x86_64, 63 on arm64.
READ_NR=0
[ "$(uname -m)" = aarch64 ] && READ_NR=63
hold_reading() {
	case $(cat "/proc/$(hold_pid "$1")/syscall" 2>/dev/null) in
	"$READ_NR 0x0 "*) return 0 ;;
	esac
	return 1
}
# hold_stop NAME [SECONDS]: EOF on its stdin, then wait (default 20 s);
# SIGKILL if it is still there. Status: the program's exit status, 255
# if it had to be killed.
hold_stop() {
	local name=$1 pid rc
	pid=$(hold_pid "$name")
	kill "$(cat "/tmp/$name.feeder")" 2>/dev/null
	if ! wait_until "${2:-20}" hold_dead "$name"; then
		# Where it is stuck, for the log.
		echo "E2E-INFO $name: stuck in $(cat "/proc/$pid/wchan" 2>/dev/null):" \
			"$(tr '\n' ' ' <"/proc/$pid/stack" 2>/dev/null)"
		kill -9 "$pid" 2>/dev/null
		wait "$pid" 2>/dev/null
		hold_log "$name"
		return 255
	fi
	wait "$pid"
	rc=$?
	hold_log "$name"
	return $rc
}
# The output, for the console log.
hold_log() { sed "s/^/E2E-INFO $1: /" "/tmp/$1.out" | tail -n 30; }
