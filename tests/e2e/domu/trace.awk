# SPDX-License-Identifier: GPL-2.0
# make bench's BENCH_TRACE=1 (sbench-compare.sh's sb_trace): sums up a
# trace of events with a stack at each timer expiry. Prints
#   E2E-TRACE <tag> <kind> <name> <count>
# kinds: irq, timer, work, wakeup (each event by its handler, function or
# woken task); tick (where a CPU was when its tick came: idle, user, or
# the kernel function it was in); for (what that kernel time was for: the
# system call, the work function, or irq for an interrupt handler); at
# (both, as function@what).

# The frames of the interrupt that takes the tick, innermost first: what
# comes after the last of them was interrupted.
function irq_frame(f) {
	return f ~ /^(asm_exc_xen_hypervisor_callback|exc_xen_hypervisor_callback|xen_pv_evtchn_do_upcall|xen_evtchn_do_upcall|__xen_evtchn_do_upcall|asm_sysvec_xen_hvm_callback|sysvec_xen_hvm_callback|asm_sysvec_apic_timer_interrupt|sysvec_apic_timer_interrupt|asm_common_interrupt|common_interrupt|__sysvec_xen_hvm_callback)$/
}

function tick(   i, top, first, what, f) {
	if (!nf)
		return
	top = 0
	for (i = 1; i <= nf; i++)
		if (irq_frame(fr[i]))
			top = i
	first = top + 1
	if (!top) {
		n["tick ?" fr[1]]++
	} else if (first > nf) {
		n["tick user"]++
	} else {
		what = ""
		for (i = first; i <= nf; i++) {
			f = fr[i]
			if (f ~ /^(do_idle|cpu_startup_entry|default_idle_call|xen_safe_halt)$/) {
				what = "idle"
				break
			}
		}
		if (what == "idle") {
			n["tick idle"]++
		} else {
			n["tick " fr[first]]++
			what = "?"
			for (i = first; i <= nf; i++) {
				f = fr[i]
				if (f == "process_one_work" && i > first) {
					what = "work:" fr[i - 1]
					break
				}
				if (f ~ /^(__x64_sys_|__ia32_sys_|__arm64_sys_)/) {
					what = "syscall:" f
					break
				}
				if (f ~ /^(exc_page_fault|asm_exc_page_fault)$/) {
					what = "page-fault"
					break
				}
				if (f ~ /^(do_syscall_64|x64_sys_call|invoke_syscall)$/ && i > first) {
					what = "syscall:" fr[i - 1]
					break
				}
				if (f ~ /^(handle_irq_event|__handle_irq_event_percpu|handle_irq_event_percpu|__do_softirq)$/) {
					what = "irq:" (i > first ? fr[i - 1] : f)
					break
				}
			}
			n["for " what]++
			n["at " fr[first] "@" what]++
		}
	}
	nf = 0
}

# A flip's phases, from the commit worker's start to the next's: to the
# driver's first interrupt after it (the backend's answer), to the second
# (its frame-done), and from there to the next commit (the event to the
# client, its next flip ioctl). Means over the flips seen whole.
function stamp(   i) {
	for (i = 1; i <= NF; i++)
		if ($i ~ /^[0-9]+\.[0-9]+:$/)
			return substr($i, 1, length($i) - 1) * 1e6
	return -1
}
function phase(what, t) {
	if (what == "commit") {
		if (st == 2) {
			ph["commit-to-irq1"] += p1
			ph["irq1-to-irq2"] += p2
			ph["irq2-to-next-commit"] += t - t2
			nph++
		}
		st = 0
		tw = t
		started = 1
	} else if (started && st == 0) {
		st = 1
		t1 = t
		p1 = t - tw
	} else if (st == 1) {
		st = 2
		t2 = t
		p2 = t - t1
	}
}

/<stack trace>/ { tick(); instack = 1; next }
instack && /^ => / { fr[++nf] = $2; next }
{ tick(); instack = 0 }
/hrtimer_expire_entry:|timer_expire_entry:/ {
	match($0, /function=[^ ]+/)
	n["timer " substr($0, RSTART + 9, RLENGTH - 9)]++
}
/workqueue_execute_start:/ {
	match($0, /function [^ ]+/)
	k = substr($0, RSTART + 9, RLENGTH - 9)
	n["work " k]++
	if (k == "commit_work")
		phase("commit", stamp())
}
/irq_handler_entry:/ {
	match($0, /name=[^ ]+/)
	k = substr($0, RSTART + 5, RLENGTH - 5)
	n["irq " k]++
	if (k ~ /^(xen_drm_front|vdispl)/)
		phase("irq", stamp())
}
/sched_wakeup:/ {
	match($0, /comm=[^ ]+/)
	k = substr($0, RSTART + 5, RLENGTH - 5)
	sub(/[0-9:]+$/, "", k)
	n["wakeup " k]++
}
END {
	tick()
	for (k in ph)
		if (nph)
			printf "E2E-TRACE %s phase-us %s %.0f\n", tag, k, ph[k] / nph
	for (k in n) {
		split(k, w, " ")
		printf "E2E-TRACE %s %s %s %d\n", tag, w[1], substr(k, length(w[1]) + 2), n[k]
	}
}
