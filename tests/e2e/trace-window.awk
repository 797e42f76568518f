# SPDX-License-Identifier: GPL-2.0
# The lines of an ftrace trace, read twice (awk -f trace-window.awk TRACE
# TRACE), in the WIN ms before each of the first MAX lines holding MARK (a
# trace_marker's text), stacks left out, as
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
/^ *=>|<stack trace>/ { next }
{
	x = stamp()
	for (i = 1; i <= n; i++)
		if (x >= m[i] - win / 1000 && x <= m[i]) {
			printf "E2E-TRACE %s %s %d %s\n", tag, kind, i, $0
			break
		}
}
