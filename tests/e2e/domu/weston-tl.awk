# SPDX-License-Identifier: GPL-2.0
# sbench-compare.sh's sb_weston: sums up Weston's timeline (its log with
# the "timeline" scope: JSON lines of CLOCK_MONOTONIC points) between t0
# and t1 (seconds, -v), for the output Weston repainted most (the
# client's). Prints "E2E-TRACE <tag> weston <name> <value>", times in us:
#   repaints            repaints begun
#   span-ms             from the first point to the last
#   shown-N             frames shown N refresh periods after the one before,
#                       by their stamps (N 4: 4 or more), leaving out the
#                       stamp Weston gets as its loop starts, by a vblank
#                       query or, where that fails, by flipping the frame
#                       it shows again
#   shown-periods       the periods between those frames, summed
#   missed-pct          those periods beyond one a frame, per 100 frames
#   loop-idle-ms        the repaint loop stopped, waiting for a client
#   loop-restarts       the loop entered again, per 100 repaints
#   restart-wait        from entering the loop to its first repaint
#   commit-to-begin     a client's commit to the repaint that took it
#   begin-after-vblank  a repaint's start after the stamp it was timed from
#   begin-to-posted     the repaint itself
#   stamp-to-finished   a frame's stamp to Weston reading it (the event's
#                       delay, as Weston sees it)

function val(s, key,   a) {
	if (!match(s, "\"" key "\":\\[[0-9]+, *[0-9]+\\]"))
		return -1
	a = substr(s, RSTART + length(key) + 4)
	sub(/\].*/, "", a)
	split(a, p, /, */)
	return p[1] * 1e6 + p[2] / 1e3
}
function out(s) {
	return match(s, /"wo":[0-9]+/) ? substr(s, RSTART + 5, RLENGTH - 5) : ""
}
/"N":"core_/ {
	t = val($0, "T")
	if (t < t0 * 1e6 || t > t1 * 1e6)
		next
	match($0, /"N":"[a-z_]+"/)
	name = substr($0, RSTART + 5, RLENGTH - 6)
	o = out($0)
	if (name == "core_commit_damage") {
		commit = t
		next
	}
	if (o == "")
		next
	ev[++n] = name
	et[n] = t
	eo[n] = o
	ev_vb[n] = name == "core_repaint_finished" ? val($0, "vblank_monotonic") : -1
	ec[n] = commit
	if (name == "core_repaint_begin")
		begins[o]++
}
END {
	for (o in begins)
		if (begins[o] > best) {
			best = begins[o]
			wo = o
		}
	if (!best)
		exit
	period = 1e6 / 60
	for (i = 1; i <= n; i++) {
		if (eo[i] != wo)
			continue
		if (first == "")
			first = et[i]
		last = et[i]
		if (ev[i] == "core_repaint_exit_loop") {
			exited = et[i]
		} else if (ev[i] == "core_repaint_enter_loop") {
			restarts++
			entered = et[i]
			starting = 1
			if (exited > 0) {
				idle += et[i] - exited
				exited = 0
			}
		} else if (ev[i] == "core_repaint_begin") {
			reps++
			if (ec[i] > 0) {
				c2b += et[i] - ec[i]
				nc2b++
			}
			if (lastvb > 0) {
				bav += et[i] - lastvb
				nbav++
			}
			if (entered > 0) {
				rw += et[i] - entered
				nrw++
				entered = 0
			}
			began = et[i]
		} else if (ev[i] == "core_repaint_posted" && began > 0) {
			b2p += et[i] - began
			nb2p++
		} else if (ev[i] == "core_repaint_finished" && ev_vb[i] > 0) {
			lastvb = ev_vb[i]
			# The loop's start: a stamp Weston asked for, no frame.
			if (starting) {
				starting = 0
				lastshown = 0
				continue
			}
			s2f += et[i] - ev_vb[i]
			ns2f++
			if (lastshown > 0) {
				k = int((ev_vb[i] - lastshown) / period + 0.5)
				shown[k < 4 ? k : 4]++
				periods += k
			}
			lastshown = ev_vb[i]
		}
	}
	printf "E2E-TRACE %s weston repaints %d\n", tag, reps
	printf "E2E-TRACE %s weston span-ms %.0f\n", tag, (last - first) / 1000
	printf "E2E-TRACE %s weston shown-periods %d\n", tag, periods
	printf "E2E-TRACE %s weston loop-idle-ms %.0f\n", tag, idle / 1000
	if (reps)
		printf "E2E-TRACE %s weston loop-restarts %.1f\n", tag, restarts * 100 / reps
	if (nc2b)
		printf "E2E-TRACE %s weston commit-to-begin %.0f\n", tag, c2b / nc2b
	if (nbav)
		printf "E2E-TRACE %s weston begin-after-vblank %.0f\n", tag, bav / nbav
	if (nb2p)
		printf "E2E-TRACE %s weston begin-to-posted %.0f\n", tag, b2p / nb2p
	if (ns2f)
		printf "E2E-TRACE %s weston stamp-to-finished %.0f\n", tag, s2f / ns2f
	if (nrw)
		printf "E2E-TRACE %s weston restart-wait %.0f\n", tag, rw / nrw
	for (k = 0; k <= 4; k++)
		if (shown[k]) {
			printf "E2E-TRACE %s weston shown-%d %d\n", tag, k, shown[k]
			nshown += shown[k]
		}
	if (nshown)
		printf "E2E-TRACE %s weston missed-pct %.1f\n", tag,
			(periods - nshown) * 100 / nshown
}
