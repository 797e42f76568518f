# SPDX-License-Identifier: GPL-2.0
# make bench's BENCH_TRACE=1 (sbench-compare.sh's sb_seq): where the
# flipping client's wake-ups fall among the commits of its flips, from a
# trace of the scheduler's switches and the workqueue's commit works, on a
# guest with one vCPU (one timeline). Prints
#   E2E-TRACE <tag> seq<N> <name> <count>
# names: sleeps (the client went to sleep, mostly in poll waiting for
# events; a poll that finds events already there does not sleep and is
# not counted here); wakes-queued-K (it ran again, after a sleep, with K
# of its flips' commit works queued and not started: flips not yet sent
# to the backend; K 0, 1, 2, 3+); wakes-running-K (K commit works started
# and not ended); wakes-from-idle (the CPU was idle: the client's event
# came while the guest had nothing else to do), wakes-took-cpu (it took
# the CPU from a task still runnable) and wakes-after-sleep (the task
# before it went to sleep), each -kworker where that task was one;
# preempted (the client lost the CPU while runnable) and
# preempted-by-kworker.

function bucket(k) {
	return k > 3 ? "3+" : k + 0
}

# Where the client's CPU came from: the task it followed, by class.
function took(kind) {
	n[kind]++
	if (prev ~ /^kworker/)
		n[kind "-kworker"]++
}

/sched_switch:/ {
	match($0, /prev_comm=[^ ]+/)
	prev = substr($0, RSTART + 10, RLENGTH - 10)
	match($0, /prev_state=[^ ]+/)
	state = substr($0, RSTART + 11, RLENGTH - 11)
	match($0, /next_comm=[^ ]+/)
	next_comm = substr($0, RSTART + 10, RLENGTH - 10)
	runnable = state ~ /^R/
	if (prev == "e2e-bench") {
		if (runnable) {
			n["preempted"]++
			if (next_comm ~ /^kworker/)
				n["preempted-by-kworker"]++
		} else {
			n["sleeps"]++
			slept = 1
		}
	}
	if (next_comm == "e2e-bench" && slept) {
		slept = 0
		n["wakes-queued-" bucket(queued)]++
		n["wakes-running-" bucket(running)]++
		if (prev ~ /^swapper/)
			n["wakes-from-idle"]++
		else if (runnable)
			took("wakes-took-cpu")
		else
			took("wakes-after-sleep")
	}
	next
}
/workqueue_queue_work:.*function=commit_work( |$)/ { queued++; next }
/workqueue_execute_start:.*function commit_work( |$)/ {
	if (queued > 0)
		queued--
	running++
	next
}
/workqueue_execute_end:.*function commit_work( |$)/ {
	if (running > 0)
		running--
	next
}
END {
	for (k in n)
		printf "E2E-TRACE %s %s %s %d\n", tag, kind, k, n[k]
}
