# SPDX-License-Identifier: GPL-2.0
# The lines of an ftrace trace, read twice (awk -f trace-window.awk TRACE
# TRACE), in the WIN ms before each of the first MAX lines holding MARK (a
# trace_marker's text), stacks left out but those of events on an idle CPU
# with a task woken and not yet run (the idle task's flags hold N: what
# kept the CPU from switching to it), as
#   E2E-TRACE <tag> <kind> <n> <line>
# (-v tag=... kind=... mark=... win=... max=...). The trace clock must be
# the marks' (mono). Used in the DomU by make bench's sb_trace_slow
# (e2e-bench's marks of events read late) and in Dom0 by its init's
# d0_trace_dump (the backend's marks of ticks served late).

# A line's time stamp in seconds, or -1.
function stamp(   i) {
	for (i = 1; i <= NF; i++)
		if ($i ~ /^[0-9]+\.[0-9]+:$/)
			return substr($i, 1, length($i) - 1) + 0
	return -1
}
NR == FNR {
	if (index($0, mark) && n < max)
		m[++n] = stamp()
	next
}
# Whether the line's task is an idle task with the reschedule flag set.
function idle_resched(   i) {
	if ($1 !~ /^<idle>-0$/)
		return 0
	for (i = 2; i < NF; i++)
		if ($i ~ /^\[[0-9]+\]$/)
			return $(i + 1) ~ /N/
	return 0
}
/^ *=>|<stack trace>/ {
	if (keep)
		printf "E2E-TRACE %s %s %d %s\n", tag, kind, keep, $0
	next
}
{
	keep = 0
	x = stamp()
	for (i = 1; i <= n; i++)
		if (x >= m[i] - win / 1000 && x <= m[i]) {
			printf "E2E-TRACE %s %s %d %s\n", tag, kind, i, $0
			if (idle_resched())
				keep = i
			break
		}
}
