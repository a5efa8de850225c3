#!/usr/bin/env bash
# run-binarytrees.sh - compare the binary-trees variants (tricolor, Boehm,
# Go, glibc malloc) on this machine, the way the spec asks
# (/work/shared/bench/binary-trees.md, docs/benchmarks.md):
#
#   - rounds change the order of the variants so that each runs in every
#     position and right after every other variant equally often (a
#     Williams design, bt_order in bt-expected.sh: A B D C, B C A D,
#     C D B A, D A C B for four; a rotation would keep each variant's
#     neighbour, and what ran just before moves a run's time here);
#   - every run's stdout is compared with the spec's formulas and its
#     stderr must carry one well-formed `stats:` line; a run that fails
#     either is reported and makes the script exit 1;
#   - per depth and worker count it prints the median wall time, CPU time
#     (user + system, all threads: /usr/bin/time %U + %S; steadier than
#     wall on a shared machine) with the system part apart (on a VM guest
#     the first touch of fresh memory lands there, and its cost depends
#     on what ran before: docs/benchmarks.md, "What limits each figure"),
#     peak RSS (/usr/bin/time %M) and max pause
#     (the stats line's pause_max_ms) of each variant, and its wall-time
#     and peak-RSS ratios to Boehm in every round and their medians;
#   - for every tricolor run whose longest pause was over 1 ms, where that
#     pause went (the stats line's pause_max_* fields) and the time the
#     host said it took from the machine's CPUs during the run (the steal
#     counter of /proc/stat), per round and again after the table;
#   - last, tricolor against the issue's targets in this run: wall time no
#     worse than Boehm's (median of the rounds' ratios) and peak RSS at most
#     1.2x Boehm's (every round) at depths 18 and 20, and every pause under
#     1 ms at every depth, each "met" or "MISSED".
#
# Usage: run-binarytrees.sh [-b BINDIR] [-d "DEPTHS"] [-w "WORKERS"]
#                           [-r ROUNDS] [-v "VARIANTS"] [-o RESULTS.tsv]
#                           [-S SMOKE_DEPTH]
#        run-binarytrees.sh -R RESULTS.tsv
# -S first runs tricolor at SMOKE_DEPTH with the verifier off and on
# (TRICOLOR_VERIFY=0/1), 1 and 4 workers, and stops if any run is wrong.
# -R runs nothing: it prints the table and the targets again from a
# results file that -o wrote.
# Defaults (or the environment BT_DEPTHS, BT_WORKERS, BT_ROUNDS,
# BT_VARIANTS): depths "16 18", workers "1 4", all variants whose program
# was built, and one whole cycle of the balanced order, or as many as
# make at least 3 rounds: 4 rounds for four variants, 6 for three, 4 for
# two or one.  About 2 minutes on 2 cores.  ROUNDS must be 1 or more.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
# shellcheck source=bench/bt-expected.sh
. "$here/bt-expected.sh"

bindir=${BT_BINDIR:-$here}
depths=${BT_DEPTHS:-16 18}
workers_list=${BT_WORKERS:-1 4}
rounds=${BT_ROUNDS:-}
variants=${BT_VARIANTS:-tricolor boehm go malloc}
results=""
smoke=""
report_only=""

usage() {
	sed -n '2,/^set -uo/p' "$0" | sed -n 's/^# \{0,1\}//p' >&2
	exit 2
}

while getopts "b:d:w:r:v:o:S:R:h" opt; do
	case $opt in
	R) report_only=$OPTARG ;;
	b) bindir=$OPTARG ;;
	d) depths=$OPTARG ;;
	w) workers_list=$OPTARG ;;
	r) rounds=$OPTARG ;;
	v) variants=$OPTARG ;;
	o) results=$OPTARG ;;
	S) smoke=$OPTARG ;;
	*) usage ;;
	esac
done
case $rounds in 0* | *[!0-9]*) usage ;; esac
if [ -n "$report_only" ]; then
	# The depths, worker counts and variants the file holds, in order.
	results=$report_only
	[ -r "$results" ] || {
		echo "run-binarytrees: cannot read $results" >&2
		exit 2
	}
	depths=$(awk -F'\t' '!s[$2]++ { printf "%s ", $2 }' "$results")
	workers_list=$(awk -F'\t' '!s[$3]++ { printf "%s ", $3 }' "$results")
	read -r -a present <<<"$(awk -F'\t' '!s[$4]++ { printf "%s ", $4 }' "$results")"
	if [ ${#present[@]} -eq 0 ]; then
		echo "run-binarytrees: no results in $results" >&2
		exit 2
	fi
fi
for x in $depths $workers_list $smoke; do
	case $x in '' | *[!0-9]*) usage ;; esac
done

# The median of a[1..k] ("-" if k is 0), for the awk programs below.
awk_median='
function median(a, k,   i, j, t) {
	for (i = 2; i <= k; i++)
		for (j = i; j > 1 && a[j - 1] > a[j]; j--) {
			t = a[j]; a[j] = a[j - 1]; a[j - 1] = t
		}
	if (k == 0) return "-"
	return k % 2 ? a[(k + 1) / 2] : (a[k / 2] + a[k / 2 + 1]) / 2
}
'

# report: the table of medians and per-round ratios, from $results for
# $depths, $workers_list and ${present[@]}.
report() {
	# Summary: medians per (depth, workers, variant), and ratios to Boehm
	# computed within each round (only ratios within one run are stable).
	echo
	echo "| depth | workers | variant | wall s | vs Boehm | CPU s (system) | peak RSS MiB | RSS vs Boehm | max pause ms (median, worst) | GCs | wall vs Boehm per round | RSS vs Boehm per round |"
	echo "|---|---|---|---|---|---|---|---|---|---|---|---|"
	for depth in $depths; do
		for w in $workers_list; do
			for v in "${present[@]}"; do
				awk -F'\t' -v d="$depth" -v w="$w" -v v="$v" "$awk_median"'
				$9 == "ok" && $2 == d && $3 == w && $4 == "boehm" {
					bw[$1] = $5; br[$1] = $6
				}
				$9 == "ok" && $2 == d && $3 == w && $4 == v {
					nw++; wall[nw] = $5; rss[nw] = $6; rnd[nw] = $1
					if ($10 != "" && $10 != "-") { nc++; cpu[nc] = $10 + 0 }
					if ($11 != "" && $11 != "-") { ns++; sys[ns] = $11 + 0 }
					if ($8 != "-") { np++; pm[np] = $8 + 0; if ($8 + 0 > worst) worst = $8 + 0 }
					gc[nw] = $7
				}
				END {
					if (nw == 0) { printf "| %s | %s | %s | (no valid run) |||||||||\n", d, w, v; exit }
					per = ""; perr = ""
					for (i = 1; i <= nw; i++) {
						if (rnd[i] in bw && bw[rnd[i]] > 0) {
							nr++; rw[nr] = wall[i] / bw[rnd[i]]
							per = per sprintf("%s%.2f", nr > 1 ? " " : "", rw[nr])
							if (br[rnd[i]] != "-" && rss[i] != "-") {
								nrr++; rr[nrr] = rss[i] / br[rnd[i]]
								perr = perr sprintf("%s%.2f", nrr > 1 ? " " : "", rr[nrr])
							}
						}
					}
					mw = median(wall, nw); mr = (rss[1] == "-") ? "-" : sprintf("%.1f", median(rss, nw))
					mg = median(gc, nw)
					printf "| %s | %s | %s | %.3f | %s | %s | %s | %s | %s | %s | %s | %s |\n", d, w, v, mw,
						nr ? sprintf("%.2fx", median(rw, nr)) : "-",
						nc ? sprintf("%.2f", median(cpu, nc)) \
						   (ns ? sprintf(" (%.2f)", median(sys, ns)) : "") : "-", mr,
						nrr ? sprintf("%.2fx", median(rr, nrr)) : "-",
						np ? sprintf("%.3f, %.3f", median(pm, np), worst) : "-",
						mg, nr ? per : "-", nrr ? perr : "-"
				}' "$results"
			done
		done
	done
}

# targets: tricolor against Boehm in $results, as the issue states its
# targets (docs/benchmarks.md, "In short").  Wall: the median of the
# rounds' ratios; peak RSS: every round; pauses: every tricolor run.
targets() {
	echo
	echo "targets, tricolor against Boehm in this run:"
	awk -F'\t' -v depths="$depths" -v workers="$workers_list" "$awk_median"'
	$9 == "ok" && $4 == "boehm" { bw[$1, $2, $3] = $5; br[$1, $2, $3] = $6 }
	$9 == "ok" && $4 == "tricolor" {
		n++; rd[n] = $1; dp[n] = $2; wk[n] = $3; wl[n] = $5; rs[n] = $6
		if ($8 != "-" && $8 + 0 >= worst) {
			worst = $8 + 0; where = sprintf("round %s d%s w%s", $1, $2, $3)
		}
		runs++
	}
	function verdict(ok) { return ok ? "met" : "MISSED" }
	END {
		nd = split(depths, D, " "); nw = split(workers, W, " ")
		for (a = 1; a <= nd; a++) for (b = 1; b <= nw; b++) {
			d = D[a]; w = W[b]
			if (d != 18 && d != 20) continue
			k = 0; kr = 0; rmax = 0
			for (i = 1; i <= n; i++) {
				if (dp[i] != d || wk[i] != w || !((rd[i], d, w) in bw)) continue
				k++; r[k] = wl[i] / bw[rd[i], d, w]
				if (rs[i] != "-" && br[rd[i], d, w] != "-") {
					kr++; q[kr] = rs[i] / br[rd[i], d, w]
					if (q[kr] > rmax) rmax = q[kr]
				}
			}
			if (k == 0) {
				printf "  d%s w%s: no round with both tricolor and Boehm\n", d, w
				continue
			}
			m = median(r, k)
			printf "  wall no worse than Boehm, d%s w%s: median %.2fx  %s\n", d, w, m, verdict(m <= 1.0)
			if (kr) {
				mq = median(q, kr)
				printf "  peak RSS at most 1.2x Boehm, d%s w%s: median %.2fx, worst round %.2fx  %s\n", d, w, mq, rmax, verdict(rmax <= 1.2)
			}
		}
		if (runs)
			printf "  every pause under 1 ms: worst %.3f ms (%s)  %s\n", worst, where, verdict(worst < 1.0)
		else
			print "  every pause under 1 ms: no tricolor run"
	}' "$results"
}

if [ -n "$report_only" ]; then
	report
	targets
	exit 0
fi

binary_of() {
	case $1 in
	tricolor) echo "$bindir/binarytrees" ;;
	boehm) echo "$bindir/binarytrees-boehm" ;;
	go) echo "$bindir/binarytrees-go" ;;
	malloc) echo "$bindir/binarytrees-malloc" ;;
	*) echo "" ;;
	esac
}

present=()
for v in $variants; do
	b=$(binary_of "$v")
	if [ -z "$b" ]; then
		echo "run-binarytrees: unknown variant '$v'" >&2
		exit 2
	elif [ -x "$b" ]; then
		present+=("$v")
	else
		echo "run-binarytrees: skipping $v: $b not built" >&2
	fi
done
if [ ${#present[@]} -eq 0 ]; then
	echo "run-binarytrees: no variant built in $bindir" >&2
	exit 2
fi

tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
keep=$results
[ -n "$results" ] || results=$tmp/results.tsv
: >"$results"
have_time=0
[ -x /usr/bin/time ] && have_time=1

# The steal counter (all CPUs, USER_HZ ticks; empty without /proc/stat).
steal_ticks() {
	awk '$1 == "cpu" { print $9; exit }' /proc/stat 2>/dev/null
}
hz=$(getconf CLK_TCK 2>/dev/null || echo 100)

# late_verdict LATE REACH LOOK CPU WAIT NUDGE [SLEEP SWITCHES [GCCPU
# GCWAIT]]: what held a pause's slowest late mutator, by the share of the
# wait after the look (REACH - LOOK) it spent on a CPU and queued for one,
# and how long moving it off its CPU took (tricolor.h, tc_pause_info: a
# move that waits about as long as the stop did means that CPU ran
# nothing, its vCPU held by the host, whether or not the guest charged the
# time to the mutator; queued behind another thread, the mutator waited
# on that thread first, as the guest counts it).  "-" for WAIT or NUDGE:
# not measured (for NUDGE, also a mutator not moved: the runtime leaves
# one it sees on its CPU, so a mutator charged the wait as CPU may have
# run or been held).  A look that came after most of the pause (the
# collector off its CPU too; it is due 0.05 ms in) says so, and what the
# collector's own sleep until it says when most of the delay was that
# sleep ending late (SLEEP, ms past due; "-": it did not sleep): never
# switched out (SWITCHES 0) means its vCPU did not run, the host held it.
# A stop reached 0.2 ms or more in with no look at all (LATE and LOOK 0:
# every mutator had stopped by the time the collector got to look) says that
# the collector did not look, and why, from its sleep as above or else
# from its own CPU time (GCCPU, the stop's work left out) and time queued
# (GCWAIT) over the pause: charged the wait as CPU without looking, which
# a running collector does 0.05 ms in, its vCPU was held by the host.
late_verdict() {
	awk -v n="$1" -v r="$2" -v l="$3" -v c="$4" -v q="$5" -v m="$6" \
		-v s="${7:--}" -v x="${8:--}" -v g="${9:--}" -v gq="${10:--}" '
	# ", WHAT ending S ms past due", and whether the collector was
	# switched out in that sleep at all.
	function slept(what,   t) {
		t = sprintf(", %s ending %s ms past due", what, s)
		if (x == "0") t = t " without a switch: its vCPU held by the host"
		else if (x != "-") t = t sprintf(", switched out %s times", x)
		return t
	}
	BEGIN {
		w = r - l
		if (n == 0 && (r < 0.2 || l > 0)) { print "no late mutator"; exit }
		if (n == 0) {
			w = r - 0.05
			v = "no look: every mutator stopped before the collector looked, due 0.05 ms in"
			if (s != "-" && s >= w / 2) v = v slept("its sleep until then")
			else if (g != "-" && g >= w / 2) v = v "; the collector charged the wait as CPU without looking: its vCPU held by the host"
			else if (gq != "-" && gq >= w / 2) v = v "; the collector queued behind other threads"
			else if (g != "-" && gq != "-") v = v "; the collector neither ran nor queued: asleep (on the scheduler" "\047" "s lock, say), or its vCPU held by the host"
			print v
			exit
		}
		pre = ""
		if (l >= 0.2 && l > w) {
			pre = "the look itself late"
			if (s != "-" && s >= (l - 0.05) / 2)
				pre = pre slept("the collector" "\047" "s sleep")
			pre = pre "; after it, "
		}
		held = m != "-" && m + 0 >= w / 2
		if (w <= 0) { v = "no wait after the look" }
		else if (c >= w / 2 && m == "-") { v = "it ran, or its vCPU was held by the host with the time charged to it as CPU" }
		else if (c >= w / 2) { v = held ? "its vCPU held by the host, the time charged to it as CPU" : "it ran, no safepoint" }
		else if (q != "-" && q >= w / 2) { v = "queued behind other threads" }
		else if (held) { v = "its vCPU held by the host" }
		else if (q == "-") { v = "off its CPU, queueing not measured" }
		else if (m == "-") { v = "neither ran nor queued: asleep, or its vCPU held by the host" }
		else { v = "neither ran nor queued: asleep" }
		print pre v
	}'
}

# work_verdict PAUSE REACH RUNNER GCCPU GCWAIT: the stop's own work, from
# the moment every mutator was found stopped (REACH) to the release, when
# it was at least half the pause: its length, and who ran it (RUNNER: 0
# the collector, else the mutator that did).  With the verifier off the
# work walks no heap (sweep termination resets the cycle's counters and
# each mutator's; mark termination flushes each mutator's buffers and
# caches and flips the sweep generation), so a long one most likely had
# its thread kept from running: on the collector, its CPU time and queueing
# over the pause say how, by late_verdict's rule; a mutator's work is
# timed by the wall clock alone (its CPU clock is not read in a pause:
# two system calls on every stop).  Prints nothing for a shorter work.
work_verdict() {
	awk -v p="$1" -v r="$2" -v who="$3" -v c="$4" -v q="${5:--}" 'BEGIN {
		w = p - r
		if (w < p / 2) exit
		if (who != 0) v = sprintf("on mutator %s, its wall time: its CPU time is not read in a pause", who)
		else if (c >= w / 2) v = "the collector ran, or its vCPU was held by the host with the time charged to it as CPU"
		else if (q != "-" && q >= w / 2) v = "the collector queued behind other threads"
		else if (q == "-") v = "the collector off its CPU, queueing not measured"
		else v = "the collector neither ran nor queued: its vCPU held by the host"
		printf "; the stop%ss own work after every mutator stopped %.3f ms (%s)", "\047", w, v
	}'
}

# lock_verdict LOCK CPU WAIT [GCWAIT]: what kept the collector from the
# scheduler's lock while it waited to make a stop's request (from its
# look 0.05 ms in until it took the lock at LOCK): the thread that held
# it, on a CPU or queued for one, by the same rule as a late mutator's;
# or, once the holder had let go, the collector itself queued for a CPU
# (GCWAIT); or neither.  "-" for WAIT or GCWAIT: not measured.
lock_verdict() {
	awk -v l="$1" -v c="$2" -v q="$3" -v g="${4:--}" 'BEGIN {
		w = l - 0.05
		if (w <= 0) { v = "no wait after the look" }
		else if (c >= w / 2) { v = "it ran, or its vCPU was held by the host with the time charged to it as CPU" }
		else if (q != "-" && q >= w / 2) { v = "queued behind other threads" }
		else if (g != "-" && g >= w / 2) { v = "let go; the collector then queued behind other threads" }
		else if (q == "-") { v = "off its CPU, queueing not measured" }
		else { v = "neither ran nor queued: asleep, or its vCPU held by the host" }
		print v
	}'
}

if [ -n "$smoke" ]; then
	b=$(binary_of tricolor)
	bt_expected "$smoke" >"$tmp/expected"
	for verify in 0 1; do
		for w in 1 4; do
			TRICOLOR_VERIFY=$verify "$b" "$smoke" "$w" \
				>"$tmp/out" 2>"$tmp/err"
			rc=$?
			if [ $rc -ne 0 ] || ! cmp -s "$tmp/out" "$tmp/expected" ||
				! bt_stats_ok "$tmp/err"; then
				echo "smoke: binarytrees $smoke $w with" \
					"TRICOLOR_VERIFY=$verify FAILED (exit $rc)" >&2
				diff "$tmp/expected" "$tmp/out" >&2
				cat "$tmp/err" >&2
				exit 1
			fi
			echo "smoke: binarytrees $smoke $w TRICOLOR_VERIFY=$verify:" \
				"stdout ok; $(cat "$tmp/err")"
		done
	done
fi

n=${#present[@]}
# bt_order balances a whole cycle of rounds (bt_cycle).
cycle=$(bt_cycle "$n")
if [ -z "$rounds" ]; then
	rounds=$cycle
	while [ "$rounds" -lt 3 ]; do
		rounds=$((rounds + cycle))
	done
fi
echo "binary-trees: variants ${present[*]}; depths $depths; workers" \
	"$workers_list; $rounds rounds in a balanced order (a whole cycle is" \
	"$cycle for $n variants); $(nproc) CPUs"
failures=0
for ((round = 1; round <= rounds; round++)); do
	for depth in $depths; do
		bt_expected "$depth" >"$tmp/expected"
		for w in $workers_list; do
			order=()
			for i in $(bt_order "$round" "$n"); do
				order+=("${present[$i]}")
			done
			for v in "${order[@]}"; do
				b=$(binary_of "$v")
				s0=$(steal_ticks)
				t0=$(date +%s%N)
				if [ $have_time = 1 ]; then
					/usr/bin/time -f '%M %U %S' -o "$tmp/time" \
						"$b" "$depth" "$w" >"$tmp/out" 2>"$tmp/err"
				else
					"$b" "$depth" "$w" >"$tmp/out" 2>"$tmp/err"
				fi
				rc=$?
				t1=$(date +%s%N)
				s1=$(steal_ticks)
				steal=-
				[ -n "$s0" ] && [ -n "$s1" ] &&
					steal=$(((s1 - s0) * 1000 / hz))
				wall=$(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }')
				rss=-
				cpu=-
				sys=-
				# /usr/bin/time's last line: peak RSS, user and system time.
				[ $have_time = 1 ] && read -r rss cpu sys < <(tail -n 1 "$tmp/time" |
					awk '{ printf "%.1f %.2f %.2f\n", $1 / 1024, $2 + $3, $3 }')
				ok=ok
				if [ $rc -ne 0 ]; then
					ok="FAIL(exit $rc)"
				elif ! cmp -s "$tmp/out" "$tmp/expected"; then
					ok="FAIL(stdout)"
				elif ! bt_stats_ok "$tmp/err"; then
					ok="FAIL(stats line)"
				fi
				pmax=$(bt_stat "$tmp/err" pause_max_ms)
				coll=$(bt_stat "$tmp/err" collections)
				printf 'round %d  d%-2d w%d  %-8s %8.3f s  cpu %6s s (sys %5s) %8s MiB  GCs %5s  max pause %8s ms  %s\n' \
					"$round" "$depth" "$w" "$v" "$wall" "$cpu" "$sys" "$rss" \
					"${coll:--}" "${pmax:--}" "$ok"
				# Where a tricolor pause over 1 ms went (tc_pause_info).
				if [ -n "$(bt_stat "$tmp/err" pause_max_reach_ms)" ] &&
					awk -v p="${pmax:-0}" 'BEGIN { exit !(p > 1) }'; then
					runner=$(bt_stat "$tmp/err" pause_max_runner)
					by=
					if [ -n "$runner" ] && [ "$runner" != 0 ]; then
						by=" (its work on mutator $runner)"
					fi
					reach=$(bt_stat "$tmp/err" pause_max_reach_ms)
					look=$(bt_stat "$tmp/err" pause_max_late_look_ms)
					nlate=$(bt_stat "$tmp/err" pause_max_late)
					lcpu=$(bt_stat "$tmp/err" pause_max_late_cpu_ms)
					lwait=$(bt_stat "$tmp/err" pause_max_late_wait_ms)
					gcwait=$(bt_stat "$tmp/err" pause_max_gc_wait_ms)
					nudge=$(bt_stat "$tmp/err" pause_max_nudge_ms)
					# The request's wait for the scheduler's lock,
					# when the collector waited 0.05 ms and looked.
					lockpart=
					lkcpu=$(bt_stat "$tmp/err" pause_max_lock_cpu_ms)
					if [ -n "$lkcpu" ] && [ "$lkcpu" != - ]; then
						lk=$(bt_stat "$tmp/err" pause_max_lock_ms)
						lkwait=$(bt_stat "$tmp/err" pause_max_lock_wait_ms)
						lkgc=$(bt_stat "$tmp/err" pause_max_lock_gc_wait_ms)
						lkwho=$(bt_stat "$tmp/err" pause_max_lock_holder)
						if [ -n "$lkwho" ] && [ "$lkwho" != - ]; then
							lkwho="mutator $lkwho"
						else
							lkwho="a thread that is not an attached mutator"
						fi
						lockpart="request at $lk after a wait for the scheduler's lock, held by $lkwho, then at most $lkcpu ms CPU, ${lkwait:--} ms queued, the collector queued ${lkgc:--} ms ($(lock_verdict "$lk" "$lkcpu" "${lkwait:--}" "${lkgc:--}")); "
					fi
					gccpu=$(bt_stat "$tmp/err" pause_max_gc_cpu_ms)
					# The collector's own CPU over the pause: a
					# mutator's run of the work is in gccpu as
					# its wall time, from reach to the release.
					gcown=$(awk -v c="$gccpu" -v p="$pmax" -v r="$reach" \
						-v who="${runner:-0}" 'BEGIN {
						if (c == "" || c == "-") { print "-"; exit }
						o = c
						if (who != 0) o = c - (p - r)
						printf "%.3f\n", o < 0 ? 0 : o }')
					workpart=$(work_verdict "$pmax" "$reach" "${runner:-0}" "$gccpu" "${gcwait:--}")
					printf 'round %d  d%-2d w%d  %-8s %s ms: %sreach %s, last stop %s; at %s, %s late, then at most %s ms CPU, %s ms queued, moved off its CPU in %s ms (%s); collector CPU %s, queued %s%s%s; host steal in the run %s ms\n' \
						"$round" "$depth" "$w" "$v" "$pmax" \
						"$lockpart" "$reach" \
						"$(bt_stat "$tmp/err" pause_max_last_stop_ms)" \
						"$look" "$nlate" "$lcpu" "${lwait:--}" \
						"${nudge:--}" \
						"$(late_verdict "$nlate" "$reach" "$look" "$lcpu" "${lwait:--}" "${nudge:--}" "$(bt_stat "$tmp/err" pause_max_sleep_late_ms)" "$(bt_stat "$tmp/err" pause_max_sleep_switches)" "$gcown" "${gcwait:--}")" \
						"$gccpu" "${gcwait:--}" "$by" "$workpart" "$steal" |
						tee -a "$tmp/long"
				fi
				printf '%d\t%d\t%d\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
					"$round" "$depth" "$w" "$v" "$wall" "$rss" \
					"${coll:--}" "${pmax:--}" "$ok" "$cpu" "$sys" >>"$results"
				if [ "$ok" != ok ]; then
					failures=$((failures + 1))
					echo "--- expected vs actual stdout, stderr:" >&2
					diff "$tmp/expected" "$tmp/out" >&2
					cat "$tmp/err" >&2
				fi
			done
		done
	done
done

report
echo
if [ -s "$tmp/long" ]; then
	echo "tricolor pauses over 1 ms, where each went (ms from the stop request:"
	echo "if the collector waited 0.05 ms for the scheduler's lock to make the"
	echo "request, when it made it, who held the lock and the CPU and queueing"
	echo "that thread had meanwhile, and the collector's own queueing, with"
	echo "what that says of them;"
	echo "the collector, or the last mutator to stop, found every mutator"
	echo "stopped; the last one stopped; the collector's look 50 us in or as"
	echo "soon after as it ran (if much later, whether its sleep until then"
	echo "ended late, and whether it was switched out in it at all; 0.000"
	echo "if every mutator had stopped before it looked, and then what kept"
	echo "it from looking), the mutators it found still running, and the"
	echo "most CPU any of them got from then on, and the most time any was"
	echo "queued for a CPU, with what that says of the slowest; the"
	echo "collector's CPU time over the pause, plus the stop's work if a"
	echo "mutator did it (named; its wall time), and the collector's time"
	echo "queued for a CPU; when the stop's own work, after every mutator"
	echo "stopped, was half the pause or more, how long it took and who ran"
	echo "it; tricolor.h, tc_pause_info;"
	echo "and the time the host said it took from this machine's CPUs during"
	echo "the run, /proc/stat's steal, in steps of 10 ms):"
	cat "$tmp/long"
fi
targets
echo
[ -n "$keep" ] && echo "raw results: $keep"
echo "$rounds rounds; $failures failed run(s)"
[ "$failures" -eq 0 ]
