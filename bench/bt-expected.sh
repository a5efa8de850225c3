# bt-expected.sh - sourced by the binary-trees runner and test: the exact
# stdout the spec (/work/shared/bench/binary-trees.md) requires of
# `prog N [WORKERS]`, computed from its formulas, a checker for the
# stderr stats line, and the order the runner's rounds run the variants
# in.  Independent of the programs under test.

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

# bt_cycle N: how many rounds of bt_order make a whole cycle for N
# variants: N, or 2N for odd N.
bt_cycle() {
	echo $(($1 % 2 ? 2 * $1 : $1))
}

# bt_order ROUND N: the order of N variants (indices 0..N-1) in round
# ROUND (from 1), on one line.  The rounds follow a Williams design: round
# k+1 runs the sequence 0, 1, N-1, 2, N-2, ... with k added to each index
# (mod N); for odd N, rounds N+1 to 2N run those N reversed.  Over N
# rounds (2N for odd N) each variant runs once in every position and,
# within a round, right after each other variant equally often.  A plain
# rotation (A B C D, B C D A, ...) moves each variant through the
# positions but keeps its neighbours: each would always run right after
# the same other one, and on these machines what ran just before moves a
# run's time (docs/benchmarks.md, "What limits each figure").
bt_order() {
	local n=$2 cycle r k j b out=()
	cycle=$(bt_cycle "$n")
	r=$((($1 - 1) % cycle))
	k=$((r % n))
	for ((j = 0; j < n; j++)); do
		if ((j == 0)); then
			b=0
		elif ((j % 2)); then
			b=$(((j + 1) / 2))
		else
			b=$((n - j / 2))
		fi
		if ((r < n)); then
			out+=($(((b + k) % n)))
		else
			out=($(((b + k) % n)) "${out[@]}")
		fi
	done
	echo "${out[*]}"
}
