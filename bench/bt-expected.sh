# bt-expected.sh - sourced by the binary-trees runner and test: the exact
# stdout the spec (/work/shared/bench/binary-trees.md) requires of
# `prog N [WORKERS]`, computed from its formulas, and a checker for the
# stderr stats line.  Independent of the programs under test.

# bt_expected N: print the expected stdout (the same for any WORKERS).
bt_expected() {
	local n=$1 max st d it
	max=$((n < 6 ? 6 : n))
	st=$((max + 1))
	printf 'stretch tree of depth %d\t check: %d\n' "$st" $(((1 << (st + 1)) - 1))
	for ((d = 4; d <= max; d += 2)); do
		it=$((1 << (max - d + 4)))
		printf '%d\t trees of depth %d\t check: %d\n' "$it" "$d" \
			$((it * ((1 << (d + 1)) - 1)))
	done
	printf 'long lived tree of depth %d\t check: %d\n' "$max" $(((1 << (max + 1)) - 1))
}

# bt_stats_ok FILE: succeed if FILE (a run's stderr) has exactly one line
# `stats: collector=NAME collections=N pause_total_ms=X pause_max_ms=Y
# [key=value ...]` in that order, with numeric N, X, Y.
bt_stats_ok() {
	local num='[0-9]+(\.[0-9]+)?'
	[ "$(grep -c '^stats: ' "$1")" = 1 ] &&
		grep -qE "^stats: collector=[a-z0-9_-]+ collections=[0-9]+ pause_total_ms=$num pause_max_ms=$num( [a-z0-9_]+=[^ =]+)*\$" "$1"
}

# bt_stat FILE KEY: the value of KEY on FILE's stats line ("" if none).
bt_stat() {
	sed -n "s/^stats:.* $2=\([^ ]*\).*/\1/p" "$1" | head -n 1
}
