# SPDX-License-Identifier: GPL-2.0
# make bench's BENCH_TRACE=1 (sbench-compare.sh's sb_graph): sums up a
# function_graph trace (durations, no CPU, overhead or task columns, the
# name after each closing brace, sleep-time off). Prints, for each
# function by its depth under the traced roots,
#   E2E-TRACE <tag> <kind> <depth>:<function> <total us> <calls>
# (kind: graph1 or graph4, the connectors flipped).

# "  12.345 us    |    name();" or "  3.1 us |  } /* name */"
/\|/ {
	bar = index($0, "|")
	left = substr($0, 1, bar - 1)
	body = substr($0, bar + 1)
	if (left !~ /[0-9.]+ us/)
		next
	match(left, /[0-9.]+/)
	us = substr(left, RSTART, RLENGTH) + 0
	match(body, /^ */)
	indent = RLENGTH
	name = body
	sub(/^ */, "", name)
	if (name ~ /^}/) {
		if (!match(name, /\/\* .* \*\//))
			next
		name = substr(name, RSTART + 3, RLENGTH - 6)
	} else {
		sub(/\(\);.*$/, "", name)
	}
	sub(/ \[/, "[", name)
	if (min == "" || indent < min)
		min = indent
	ind[NR] = indent
	nm[NR] = name
	dur[NR] = us
}
END {
	for (i in nm) {
		k = (ind[i] - min) / 2 ":" nm[i]
		tot[k] += dur[i]
		cnt[k]++
	}
	for (k in tot)
		printf "E2E-TRACE %s %s %s %.0f %d\n", tag, kind, k, tot[k], cnt[k]
}
