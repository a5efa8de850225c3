#!/usr/bin/env bash
# e2e_monkey.sh - a seeded monkey test of the live demo: the real tricolor
# binary in a private tmux server gets random bursts of every key the help
# lists, junk (printable characters, function and control keys, escape
# sequences) and resizes to random sizes, tiny to huge.  After each burst
# the screen must come back whole: the process alive, the status line with
# a phase, the key bar on the last line, the too-small message below the
# minimum size, and a Tab answered; after q, exit status 0 and a sane tty.
#
# The same seed replays the same run: on failure it prints the seed and
# every action sent, and the command line that replays it.  Environment:
#   MONKEY_SEED     seed (default 1)
#   MONKEY_SECONDS  wall time of the run (default 15)
#   MONKEY_ARGS     extra tricolor arguments (e.g. --verify)
#   MONKEY_VERIFY=1 add --verify and leave out b (the barrier key: only
#                   the hybrid barrier is sound with stacks scanned once),
#                   so that a LOST warning is a real collector defect
# Exits 77 (skip) only if tmux is missing.
set -u

. "$(dirname "$0")/e2e_lib.sh"
seed=${MONKEY_SEED:-1}
seconds=${MONKEY_SECONDS:-15}
args=${MONKEY_ARGS:-}
verify=${MONKEY_VERIFY:-0}
[ "$verify" = 1 ] && args="$args --verify"
e2e_start monkey

RANDOM=$seed
actions=() # everything sent, for the replay
cols=100 lines=30

screen() { tm capture-pane -p -t monkey 2>/dev/null; }
# rnd LO HI: a random integer in [LO, HI] in R.  (Never in a $(...):
# a subshell's RANDOM does not advance the parent's, and the replay would
# not be the same.)
rnd() { R=$(($1 + RANDOM % ($2 - $1 + 1))); }
# pick WORD...: one of the words, in R.
pick() { R=${@:$((1 + RANDOM % $#)):1}; }

fail() {
	echo "not ok 1 - monkey seed $seed: $1"
	echo "# size ${cols}x$lines; screen was:"
	screen | sed 's/^/#   |/'
	echo "# actions sent (seed $seed), oldest first:"
	printf '#   %s\n' "${actions[@]}" | tail -n 400
	if [ -s "$errdir/monkey.err" ]; then
		echo "# stderr of tricolor:"
		sed 's/^/#   /' "$errdir/monkey.err" | head -n 100
	fi
	echo "# replay: MONKEY_SEED=$seed MONKEY_SECONDS=$seconds" \
		"MONKEY_VERIFY=$verify MONKEY_ARGS='${MONKEY_ARGS:-}' $0"
	exit 1
}

# ---- what the monkey sends ---------------------------------------------
# Every key the help lists (q, Q and F10 quit: sent only at the end).
keys_help=(? F1 Space n N m + - = _ ']' '[' '}' '{' g b s z Z h
	Up Down Left Right PPage NPage Home End Tab BTab Enter Escape C-l)
# Junk: other named keys, control characters (not ^C, ^Z, ^\ which
# signal the process, as they would any program), escape sequences.
keys_junk=(F2 F3 F4 F5 F6 F7 F8 F9 F11 F12 IC DC BSpace C-a C-b C-d C-e
	C-f C-g C-h C-j C-k C-n C-o C-p C-r C-s C-q C-t C-u C-v C-w C-x C-y
	M-a M-x M-Up S-Up C-Left S-F3 KP5 KPEnter)
if [ "$verify" = 1 ]; then
	for i in "${!keys_help[@]}"; do
		[ "${keys_help[i]}" = b ] && unset 'keys_help[i]'
	done
	keys_help=("${keys_help[@]}")
fi
printable='acdefghijklmnoprstuvwxyzABCDEFGHIJKLMNOPRSTUVWXYZ0123456789'
[ "$verify" = 1 ] || printable+=b
printable+='!@#$%^&*()-_=+[]{}<>,./?|`~ '"'"'"'

# send KEY...: named keys (each argument is one tmux key name).
send() {
	local k
	for k in "$@"; do
		[ -n "$k" ] || continue
		actions+=("key $k")
		tm send-keys -t monkey -- "$k" || fail "send-keys $k failed"
	done
}
# send_text STRING: literal characters.
send_text() {
	actions+=("text $(printf '%q' "$1")")
	tm send-keys -t monkey -l -- "$1" || fail "send-keys -l failed"
}
resized=0
resize() {
	cols=$1 lines=$2 resized=1
	actions+=("resize ${cols}x$lines")
	tm resize-window -t monkey -x "$cols" -y "$lines" ||
		fail "resize-window failed"
}

burst() {
	local n i s w h
	rnd 0 19
	case $R in
	0 | 1 | 2 | 3 | 4) # keys from the help, fast
		rnd 1 25; n=$R
		for i in $(seq 1 "$n"); do
			send "${keys_help[RANDOM % ${#keys_help[@]}]}"
		done ;;
	5) # raw escape sequences, some cut short
		send_text $'\e[' ; send_text $'\eO'; send_text $'\e[1;5'
		send_text $'\e[99~'; send_text $'\e\e\e' ;;
	6 | 7) # junk keys
		rnd 1 12; n=$R
		for i in $(seq 1 "$n"); do
			send "${keys_junk[RANDOM % ${#keys_junk[@]}]}"
		done ;;
	8) # printable junk in one fast burst (no q or Q), some UTF-8
		s=
		pick '' '' é € 中 🙂; s=$R
		rnd 1 40; n=$R
		for i in $(seq 1 "$n"); do
			s+=${printable:RANDOM % ${#printable}:1}
		done
		send_text "$s" ;;
	9) # one very fast burst: many keys in a single send-keys
		local ks=()
		rnd 20 200; n=$R
		for i in $(seq 1 "$n"); do
			if [ $((RANDOM % 4)) = 0 ]; then
				ks+=("${keys_junk[RANDOM % ${#keys_junk[@]}]}")
			else
				ks+=("${keys_help[RANDOM % ${#keys_help[@]}]}")
			fi
		done
		actions+=("keys ${ks[*]}")
		tm send-keys -t monkey -- "${ks[@]}" ||
			fail "send-keys failed" ;;
	10 | 11 | 12) # a resize to a random size
		rnd 0 5
		case $R in
		0) rnd 1 30; w=$R; rnd 1 8; h=$R ;;
		1) w=1; rnd 1 60; h=$R ;;
		2) rnd 64 90; w=$R; rnd 18 26; h=$R ;;
		3) rnd 200 300; w=$R; rnd 60 100; h=$R ;;
		4) w=20 h=5 ;;
		*) rnd 40 200; w=$R; rnd 10 60; h=$R ;;
		esac
		resize "$w" "$h" ;;
	13) # resizes mid-burst, with keys between
		for i in 1 2 3; do
			rnd 1 220; w=$R; rnd 1 70; h=$R
			resize "$w" "$h"
			send "${keys_help[RANDOM % ${#keys_help[@]}]}"
		done
		rnd 64 160; w=$R; rnd 18 50; h=$R
		resize "$w" "$h" ;;
	14) # mutators to an end
		rnd 1 70; n=$R
		pick + -; s=$R
		send_text "$(printf "%${n}s" | tr ' ' "$s")" ;;
	15) # rate and GOGC to an end
		pick ']' '[' '}' '{'; s=$R
		send_text "$(printf '%20s' | tr ' ' "$s")" ;;
	16) # pause, step, step phases, step mutators
		send Space
		rnd 1 15; n=$R
		for i in $(seq 1 "$n"); do
			pick n N m; send "$R"
		done
		[ $((RANDOM % 2)) = 0 ] && send Space ;;
	17) # inspect: select, Enter, move, Esc
		send Tab Right Down Enter
		[ $((RANDOM % 2)) = 0 ] && send Down Enter
		[ $((RANDOM % 2)) = 0 ] && send Escape ;;
	18) # help, scrolled
		send '?'
		rnd 0 6; n=$R
		for i in $(seq 1 "$n"); do
			pick Up Down PPage NPage Home End; send "$R"
		done ;;
	*) # scenario switches and zoom
		rnd 1 6; n=$R
		for i in $(seq 1 "$n"); do
			pick s z Z g; send "$R"
		done ;;
	esac
}

# ---- what the screen must show -----------------------------------------
# is_too_small_text LINE: LINE (trimmed) is part of the too-small message.
is_too_small_text() {
	local l=$1 m
	l=${l#"${l%%[! ]*}"}
	l=${l%"${l##*[! ]}"}
	[ -z "$l" ] && return 0
	for m in "Terminal too small:" "is ${cols}x$lines; tricolor needs" \
		"at least 64x18." "Enlarge it, or press q."; do
		[[ $m == *"$l"* ]] && return 0
	done
	return 1
}

alive() {
	! screen | grep -q '^EXIT='
}

# screen_ok: the screen is whole for the current size.  (Sets why.)
why=
screen_ok() {
	local s first last l
	s=$(screen)
	why="tricolor exited"
	grep -q '^EXIT=' <<<"$s" && return 1
	# At 1x1 the one cell is the lower right corner, which curses does
	# not write: whatever was last there may stay.
	[ "$cols$lines" = 11 ] && return 0
	why="the screen is empty"
	grep -q '[^ ]' <<<"$s" || return 1
	if [ "$cols" -lt 64 ] || [ "$lines" -lt 18 ]; then
		# Only the too-small message, cut to the width if need be.
		why="too small, but no (or not only) the too-small message"
		if [ "$cols" -ge 23 ] && [ "$lines" -ge 4 ]; then
			grep -q 'Terminal too small:' <<<"$s" || return 1
			grep -q "is ${cols}x$lines;" <<<"$s" || return 1
		fi
		while IFS= read -r l; do
			is_too_small_text "$l" || return 1
		done <<<"$s"
		return 0
	fi
	first=$(sed -n 1p <<<"$s")
	last=$(sed -n "${lines}p" <<<"$s")
	why="the key bar is not on the last line ($lines)"
	grep -Eq '^F1Help.*qQuit' <<<"$last" || return 1
	# The help covers the panes; the inspector's box may cover any.
	grep -Eq 'Help - tricolor|Object [0-9]+\.[0-9]+ \(Esc closes\)' \
		<<<"$s" && return 0
	why="the status line shows no phase and cycle"
	grep -Eq '\[(off|sweep term|mark|mark term|sweep)\]' <<<"$first" ||
		return 1
	grep -Eq 'cycle [0-9]+ +(RUNNING|PAUSED)' <<<"$first" || return 1
	why="line 5 is not the sparklines"
	sed -n 5p <<<"$s" | grep -q '^heap ' || return 1
	why="line 6 is not the last action"
	sed -n 6p <<<"$s" | grep -Eq '^(»|>) ' || return 1
	why="the event log's bottom border is not on line $((lines - 1))"
	sed -n "$((lines - 1))p" <<<"$s" | grep -Eq '^(└(─)+┘|\+-+\+)$' ||
		return 1
	if [ "$verify" = 1 ]; then
		why="the verifier found a lost object or a failed check"
		grep -Eq 'LOST [0-9]|FAILED CHECKS|HEAP FULL' <<<"$s" &&
			return 1
	fi
	return 0
}

# wait_ok SECONDS: poll until the screen is whole (a frame may be due).
wait_ok() {
	local until=$((SECONDS + $1))
	while [ "$SECONDS" -lt "$until" ]; do
		screen_ok && return 0
		alive || break
		sleep 0.1
	done
	screen_ok
}

# responsive: Tab is answered with "» focus: ..." on the status line
# (close help and inspector first; a few tries: an engine message from
# an earlier key may replace the focus message before it is seen).
responsive() {
	local t until
	[ "$cols" -lt 64 ] || [ "$lines" -lt 18 ] && return 0
	send Escape Escape
	for t in 1 2 3; do
		send Tab
		until=$((SECONDS + 10))
		while [ "$SECONDS" -lt "$until" ]; do
			screen | sed -n 6p | grep -Eq '^(»|>) focus: ' &&
				return 0
			alive || return 1
			sleep 0.1
		done
	done
	return 1
}

# ---- the run --------------------------------------------------------------
echo "# monkey seed $seed, $seconds s, tricolor $args"
tm new-session -d -s monkey -x "$cols" -y "$lines" \
	"export LC_ALL=C.UTF-8 TERM=tmux-256color; unset NO_COLOR;
	 $bin --seed $seed $args 2>$errdir/monkey.err; rc=\$?;
	 echo; echo EXIT=\$rc; echo -n 'TTY: '; stty -a | tr ' ;' '\n\n' |
	 grep -Ex -- '-?(icanon|echo|isig|icrnl|opost|ixon)' | tr '\n' ' ';
	 echo; exec sleep 600" || fail "cannot start tmux"
tm set-option -t monkey window-size manual >/dev/null 2>&1 || true
wait_ok 60 || fail "the demo did not start: $why"

end=$((SECONDS + seconds))
bursts=0
while [ "$SECONDS" -lt "$end" ]; do
	resized=0
	burst
	bursts=$((bursts + 1))
	# Check a third of the bursts, and every resize; the others run on
	# into the next burst, so that keys also land mid-frame.
	if [ $((RANDOM % 3)) = 0 ] || [ "$resized" = 1 ]; then
		wait_ok 30 || fail "after burst $bursts: $why"
		responsive || fail "after burst $bursts: Tab got no answer"
		wait_ok 30 || fail "after burst $bursts: $why"
	else
		alive || fail "after burst $bursts: tricolor exited"
	fi
done
# Back to a usable size, then quit.
resize 100 30
send Escape Escape
wait_ok 30 || fail "before quitting: $why"
responsive || fail "before quitting: Tab got no answer"
send q
until=$((SECONDS + 30))
while [ "$SECONDS" -lt "$until" ]; do
	screen | grep -q '^TTY: ' && break
	sleep 0.1
done
s=$(screen)
grep -q '^EXIT=0$' <<<"$s" || fail "q did not exit with status 0"
for m in icanon echo isig icrnl opost ixon; do
	grep '^TTY: ' <<<"$s" | grep -Eq " $m( |$)" ||
		fail "after q the tty lacks $m"
done
echo "ok 1 - monkey seed $seed: $bursts bursts in $seconds s," \
	"${#actions[@]} actions"
