#!/usr/bin/env bash
# e2e_tui.sh - end-to-end tests of the live demo: the real tricolor binary
# ($top_builddir/tricolor) inside a private tmux server, driven with
# send-keys and read back with capture-pane.  Every wait polls the screen
# for the expected text with a bounded timeout instead of sleeping blindly.
# Prints TAP-ish lines; exits 77 (skip) only if tmux is missing.
set -u

. "$(dirname "$0")/e2e_lib.sh"
e2e_start e2e
# tricolor's standard error (sanitizer reports, frame stats) goes to a
# file per session, shown at the end so that a failure explains itself.
e2e_at_exit() {
	local f
	for f in "$errdir"/*.err; do
		[ -s "$f" ] || continue
		echo "# stderr of the '$(basename "$f" .err)' session:"
		sed 's/^/#   /' "$f" | head -n 200
	done
}

n=0
failed=0
ok() { n=$((n + 1)); echo "ok $n - $1"; }
not_ok() {
	n=$((n + 1))
	failed=$((failed + 1))
	echo "not ok $n - $1"
	echo "# screen was:"
	screen | sed 's/^/#   /'
}
check() { # check DESCRIPTION COMMAND...
	local what=$1
	shift
	if "$@"; then ok "$what"; else not_ok "$what"; fi
}

target=demo
screen() { tm capture-pane -p -t "$target" 2>/dev/null; }

# wait_for REGEX [SECONDS]: poll the screen until REGEX matches.  The
# bounds are generous (sanitizer builds under a parallel make check are
# slow); a wait returns as soon as the text shows.
wait_for() {
	local re=$1 limit=$((${2:-15} * 20)) i=0
	while [ $i -lt $limit ]; do
		local now
		now=$(screen)
		if grep -Eq -- "$re" <<<"$now"; then
			return 0
		fi
		# tricolor has exited (crashed?): no point in waiting.
		case $re in *EXIT*) ;; *)
			grep -q '^EXIT=' <<<"$now" && return 1 ;;
		esac
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}
# wait_gone REGEX [SECONDS]
wait_gone() {
	local re=$1 limit=$((${2:-15} * 20)) i=0
	while [ $i -lt $limit ]; do
		if ! screen | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# wait_for_row LINE REGEX [SECONDS]: poll until screen line LINE (from 1)
# matches REGEX.
wait_for_row() {
	local line=$1 re=$2 limit=$((${3:-15} * 20)) i=0
	while [ $i -lt $limit ]; do
		if screen | sed -n "${line}p" | grep -Eq -- "$re"; then
			return 0
		fi
		sleep 0.05
		i=$((i + 1))
	done
	return 1
}

# The numbers on the screen.
cycle() { screen | sed -n 's/.*cycle \([0-9][0-9]*\).*/\1/p' | head -1; }
count() { # count white|grey|black|free (from the heap map legend)
	screen | sed -n "s/.* $1 \\([0-9][0-9]*\\) .*/\\1/p" | head -1
}
mutators() { screen | sed -n 's/.*mutators \([0-9][0-9]*\) .*/\1/p' | head -1; }
legend() { screen | grep -E 'free [0-9]+ .*black [0-9]+' | head -1; }
# settle: wait (bounded) until the legend reads the same twice 0.3 s apart:
# the picture drawn from the latest snapshot after a step, and no mutator
# operation still finishing as the pause takes hold.
settle() {
	local a b i
	for i in $(seq 1 30); do
		a=$(legend)
		sleep 0.3
		b=$(legend)
		[ -n "$a" ] && [ "$a" = "$b" ] && return 0
	done
	return 1
}

# start SESSION COLS LINES ARGS...: run tricolor in a new session, then
# report on exit whether the tty modes came back and the exit status.
start() {
	local name=$1 cols=$2 lines=$3
	shift 3
	tm new-session -d -s "$name" -x "$cols" -y "$lines" \
		"export LANG=C.UTF-8 TERM=tmux-256color; s0=\$(stty -g);
		 $bin $* 2>$errdir/$name.err; rc=\$?; s1=\$(stty -g);
		 [ \"\$s0\" = \"\$s1\" ] && echo TTY-RESTORED;
		 echo EXIT=\$rc; exec sleep 600"
	tm set-option -t "$name" window-size manual >/dev/null 2>&1 || true
}

# ---- 1. not a terminal ------------------------------------------------
out=$("$bin" </dev/null 2>&1 >/dev/null)
rc=$?
check "not a terminal: exit 2" test "$rc" -eq 2
check "not a terminal: the message suggests --headless" \
	grep -q -- --headless <<<"$out"
# The suggested command line is one that works: run it (with its
# --seconds cut to 1, if it has one) and expect a clean headless run.
suggested=$(sed -n 's/^ *tricolor \(--headless.*\)$/\1/p' <<<"$out" |
	sed 's/--seconds [0-9]*/--seconds 1/')
run_suggested() { [ -n "$suggested" ] && "$bin" $suggested >/dev/null 2>&1; }
check "not a terminal: the suggested command runs" run_suggested

# ---- 2. the demo starts and every pane shows ---------------------------
start demo 120 40 --mutators 2 --seed 7
target=demo
check "status pane shows the phase timeline and cycle" \
	wait_for 'sweep term .* mark term .*cycle [0-9]+' 30
check "heap map, stacks and event log panes show" \
	wait_for 'Heap: [0-9]+ spans?' 15
check "stacks pane shows" wait_for 'Stacks: .*mutators' 6
check "event log shows" wait_for 'Events' 6
check "key bar shows" wait_for 'F1Help.*qQuit' 6
check "the status line starts with how to begin" \
	wait_for '^» press \? for help' 6
check "heap legend counts colors" wait_for 'free [0-9]+ .*white [0-9]+ .*grey [0-9]+ .*black [0-9]+' 6
check "alive: a gctrace line appears in the event log" \
	wait_for 'gc [0-9]+ @[0-9.]+s' 30
check "a pause whose work the last mutator to stop did names it" \
	wait_for 'stop-the-world pause [0-9.]+ ms \((sweep|mark) termination\); work done by mutator [0-9]+' 30

# ---- 3. space freezes the cycle counter and the heap --------------------
tm send-keys -t demo ' '
check "space pauses" wait_for 'PAUSED' 15
sleep 0.3
c1=$(cycle)
l1=$(legend)
sleep 1.5
c2=$(cycle)
l2=$(legend)
check "paused: the cycle counter holds ($c1 = $c2)" test -n "$c1" -a "$c1" = "$c2"
check "paused: the heap holds ($l1)" test -n "$l1" -a "$l1" = "$l2"

# ---- 4. n while paused turns exactly one grey object black -------------
# Step phases (N) until marking with grey objects queued.
for i in $(seq 1 12); do
	g=$(count grey)
	if screen | grep -q '\[mark\]' && [ "${g:-0}" -gt 0 ]; then
		break
	fi
	before=$(screen | grep -o '\[[a-z ]*\]' | head -1)
	tm send-keys -t demo N
	wait_gone "$(printf '%s' "$before" | sed 's/[][]/\\&/g')" 15 || true
	sleep 0.2
done
settle || true
w0=$(count white) g0=$(count grey) b0=$(count black)
check "paused in mark with grey objects (grey=$g0)" \
	test "${g0:-0}" -gt 0
tm send-keys -t demo n
changed=no
for i in $(seq 1 100); do
	b1=$(count black)
	if [ -n "$b1" ] && [ "$b1" != "$b0" ]; then
		changed=yes
		break
	fi
	sleep 0.05
done
settle || true
w1=$(count white) g1=$(count grey) b1=$(count black)
check "n: black grows by exactly one ($b0 -> $b1)" \
	test "$changed" = yes -a "$((b1 - b0))" -eq 1
# The scanned object's white children turn grey: nothing else changes.
check "n: one grey became black, only white turned grey ($w0/$g0/$b0 -> $w1/$g1/$b1)" \
	test "$((w0 + g0 + b0))" -eq "$((w1 + g1 + b1))" -a "$w1" -le "$w0" \
	-a "$((g1 - g0))" -eq "$((w0 - w1 - 1))"
check "n in mark: the status line says it scanned a grey object" \
	wait_for '^» step: scanned one grey object' 15

# ---- 4a. n says what it did in each phase --------------------------------
# step_to PHASE: press N until the timeline shows [PHASE].
step_to() {
	local i before
	for i in $(seq 1 12); do
		screen | grep -q "\[$1\]" && return 0
		before=$(screen | grep -o '\[[a-z ]*\]' | head -1)
		tm send-keys -t demo N
		wait_gone "$(printf '%s' "$before" | sed 's/[][]/\\&/g')" 15 ||
			true
	done
	screen | grep -q "\[$1\]"
}
check "N steps to sweep" step_to sweep
tm send-keys -t demo n
check "n in sweep: the status line says it swept one span" \
	wait_for '^» step: swept one span' 15
check "N steps to off" step_to off
tm send-keys -t demo n
check "n in off: the status line says it started a cycle" \
	wait_for '^» step: started cycle [0-9]+: sweep termination' 15
check "... which now marks" wait_for '\[mark\]' 15

# ---- 4b. GOGC off: no goal ----------------------------------------------
# } steps GOGC up its ladder: 100, 200, 400, off.  (Still paused, so that
# the heap does not grow meanwhile.)
for i in 1 2 3; do tm send-keys -t demo '}'; done
check "} three times from 100: GOGC off" wait_for 'GOGC off' 15
check "GOGC off: the goal reads off, not a huge number" \
	wait_for 'goal off  in use' 15
# At either end of a ladder a key changes nothing, and says so.
tm send-keys -t demo '}'
check "} at GOGC off says it is already off" \
	wait_for '^» GOGC is already off' 15
for i in 1 2 3; do tm send-keys -t demo '{'; done
check "{ three times: GOGC 100 again" wait_for 'GOGC 100 ' 15
check "... with a goal" wait_for 'goal [0-9.]+[BKMG]  in use' 15
for i in 1 2 3; do tm send-keys -t demo '{'; done
check "{ three more times: GOGC 10" wait_for 'GOGC 10 ' 15
tm send-keys -t demo '{'
check "{ at GOGC 10 says it is already at its minimum" \
	wait_for '^» GOGC is already at its minimum' 15
for i in 1 2 3; do tm send-keys -t demo '}'; done
check "} three times: GOGC 100" wait_for 'GOGC 100 ' 15
tm send-keys -t demo ']'
check "] at rate max says it is already max" \
	wait_for '^» rate is already max' 15
for i in $(seq 1 16); do tm send-keys -t demo '['; done
check "[ sixteen times: rate 1/s" wait_for 'rate 1/s ' 15
tm send-keys -t demo '['
check "[ at 1/s says it is already at its minimum" \
	wait_for '^» rate is already at its minimum' 15
for i in $(seq 1 16); do tm send-keys -t demo ']'; done
check "] sixteen times: rate max" wait_for 'rate max ' 15

# ---- 5. + raises the mutator count ------------------------------------
tm send-keys -t demo ' '
check "space resumes" wait_for 'RUNNING' 15
m0=$(mutators)
tm send-keys -t demo +
check "+ raises the mutators shown ($m0 -> $((m0 + 1)))" \
	wait_for "mutators $((m0 + 1)) " 15
check "the change shows in the status line" wait_for 'mutators .*-> ' 15

# ---- 5c. the last action line follows every key --------------------------
tm send-keys -t demo g
check "g: the status line says so" \
	wait_for '^» forced collection requested' 15
tm send-keys -t demo z
check "z: the status line says so" wait_for '^» zoom out: [0-9]+ objects' 15
tm send-keys -t demo g
check "g again: the status line says so again, not the zoom" \
	wait_for '^» forced collection requested' 15

# ---- 6. ? opens help ---------------------------------------------------
tm send-keys -t demo '?'
check "? opens the help screen" wait_for 'Help - tricolor' 15
check "help lists the keys" wait_for 'scan exactly one grey object' 6
tm send-keys -t demo Escape
check "any key closes help" wait_gone 'Help - tricolor' 15

# ---- 7. resize -----------------------------------------------------------
tm resize-window -t demo -x 40 -y 10
check "40x10 shows the too-small message" wait_for 'Terminal too small' 15
tm resize-window -t demo -x 120 -y 40
check "back to 120x40 restores the layout" wait_for 'Heap: [0-9]+ spans?' 15
check "... and the too-small message is gone" wait_gone 'Terminal too small' 15

# ---- 7a. a shrink mid-frame leaves nothing behind ---------------------
# A frame being written when the terminal shrinks lands where the new size
# puts it: the monkey saw a border glyph stay for good on a 1x51 screen
# after 276x62 (about one shrink in eight).  A resize repaints every cell.
# only_message TEXT: the screen, blanks and newlines left out, is TEXT.
only_message() {
	local i
	for i in $(seq 1 100); do
		[ "$(screen | tr -d ' \n')" = "$1" ] && return 0
		sleep 0.05
	done
	return 1
}
shrinks_clean() { # 30 times 276x62 -> 1x51: only the message's letters
	local i
	for i in $(seq 1 30); do
		tm resize-window -t demo -x 276 -y 62
		wait_for 'Heap: [0-9]+ spans?' 15 || return 1
		tm resize-window -t demo -x 1 -y 51
		only_message TiaE || return 1
	done
}
check "276x62 -> 1x51, 30 times: the too-small message, nothing else" \
	shrinks_clean
tm resize-window -t demo -x 120 -y 40
check "back to 120x40 again" wait_for 'Heap: [0-9]+ spans?' 15

# ---- 7b. ^S does not freeze the screen ---------------------------------
# With XON/XOFF flow control on, ^S stopped the terminal's output: the
# next frame blocked and the demo hung until a ^Q, q included.
tm send-keys -t demo C-s
tm send-keys -t demo Tab
check "^S then Tab: the screen still follows the keys" \
	wait_for '^» focus: stacks' 15
tm send-keys -t demo C-q

# ---- 8. q quits 0 and restores the terminal -----------------------------
tm send-keys -t demo q
check "q exits with status 0" wait_for '^EXIT=0$' 30
check "q leaves the tty modes as they were" wait_for '^TTY-RESTORED$' 6
check "q leaves the alternate screen" wait_gone 'F1Help' 6

# ---- 8b. a resize while the help is open -------------------------------
# The help stays open, and the panes under it follow the new size: at
# the bottom the key bar, on the last line of the new size.
start helpgrow 64 18 --mutators 1 --seed 3
target=helpgrow
check "64x18 starts" wait_for 'Heap: [0-9]+ spans?' 30
tm send-keys -t helpgrow '?'
check "64x18: ? opens the help" wait_for 'Help - tricolor' 15
# At the minimum size the help is taller than the screen: it scrolls.
check "64x18: the help says it scrolls" wait_for 'arrows scroll' 6
tm send-keys -t helpgrow End
check "64x18: End scrolls the help to its last lines" \
	wait_for 'Each heap cell shows two objects' 15
check "... which show the phases and the colors" \
	wait_for 'Phases: off > sweep termination' 6
# "lines FIRST-LAST of ALL" on the help's bottom border
n3='\([0-9]*\)-\([0-9]*\) of \([0-9]*\)'
last=$(screen | sed -n "s/.*lines $n3.*/\\1 \\2 \\3/p")
set -- ${last:-0 0 0}
tm send-keys -t helpgrow Up
check "... an arrow scrolls up a line ($last), the help stays open" \
	wait_for "lines $(($1 - 1))-$(($2 - 1)) of $3 " 15
tm send-keys -t helpgrow Home
check "... Home goes back to the top" wait_for 'A concurrent tri-color' 15
tm resize-window -t helpgrow -x 140 -y 45
check "64x18 -> 140x45 with help open: the help stays open" \
	wait_for 'Help - tricolor' 15
check "... and fills 140x45 (key bar on line 45)" \
	wait_for_row 45 'F1Help.*TabFocus.*qQuit' 15
tm send-keys -t helpgrow Escape
check "... closed, the panes fill 140x45 (event log bottom on line 44)" \
	wait_for_row 44 '^└(─){100,}┘$' 15
check "... with the key bar on line 45" wait_for_row 45 'F1Help.*qQuit' 6
tm send-keys -t helpgrow q
check "helpgrow: q exits 0" wait_for '^EXIT=0$' 30

start helpshrink 140 45 --mutators 1 --seed 3
target=helpshrink
check "140x45 starts" wait_for 'Heap: [0-9]+ spans?' 30
tm send-keys -t helpshrink '?'
check "140x45: ? opens the help" wait_for 'Help - tricolor' 15
tm resize-window -t helpshrink -x 90 -y 26
check "140x45 -> 90x26 with help open: the help stays open" \
	wait_for 'Help - tricolor' 15
check "... and the key bar is on line 26" wait_for_row 26 'F1Help.*qQuit' 15
tm send-keys -t helpshrink Escape
check "... closed, the event log shows" wait_for 'Events' 15
check "... and ends on line 25" wait_for_row 25 '^└(─){80,}┘$' 6
check "... above the key bar on line 26" wait_for_row 26 'F1Help.*qQuit' 6
tm send-keys -t helpshrink q
check "helpshrink: q exits 0" wait_for '^EXIT=0$' 30

# ---- 8c. the status lines at 64x18, 80x24 and 140x45 ---------------------
# With the barrier off the verifier finds lost objects within seconds in
# the graph scenario: the red LOST warning must show at every size, with
# the state, the cycle and the phase, and no line may spill onto the next.
row() { screen | sed -n "${1}p"; }
status_ok() { # status_ok: the four status lines hold what they must
	row 1 | grep -Eq 'cycle [0-9]+  (RUNNING| PAUSED )' &&
		row 1 | grep -Eq '\[(off|sweep term|mark|mark term|sweep)\]' &&
		row 4 | grep -Eq 'LOST [0-9]+( |$)' &&
		row 5 | grep -q '^heap ' &&
		! row 5 | sed 's/heap//; s/pauses//' | grep -q '[A-Za-z0-9]'
}
wait_status() { # wait_status SECONDS
	local i
	for i in $(seq 1 $((${1:-15} * 20))); do
		status_ok && return 0
		sleep 0.05
	done
	return 1
}
start lost 64 18 --barrier off --scenario graph --seed 5
target=lost
check "64x18: the verifier's LOST warning shows" wait_for 'LOST [0-9]+' 60
check "64x18: state, cycle, phase and LOST show, nothing wraps" \
	wait_status 15
tm resize-window -t lost -x 80 -y 24
check "80x24: state, cycle, phase and LOST show, nothing wraps" \
	wait_status 15
check "80x24: and the barrier's value" wait_for 'barrier off' 6
tm resize-window -t lost -x 140 -y 45
check "140x45: state, cycle, phase and LOST show, nothing wraps" \
	wait_status 15
check "140x45: and every field" \
	wait_for 'rate max  GOGC 100  barrier off  LOST [0-9]+' 6
check "140x45: and the scenario" wait_for 'RUNNING  scenario graph' 6
tm send-keys -t lost q
check "lost: q exits" wait_for '^EXIT=' 30

# ---- 9. SIGTERM restores the terminal too --------------------------------
start sig 100 30 --mutators 1
target=sig
check "second demo starts" wait_for 'Heap: [0-9]+ spans?' 30
pid=$(tm list-panes -t sig -F '#{pane_pid}')
# The pane's shell runs tricolor as its child: find it through /proc
# (no dependency on pgrep).
tpid=
for d in /proc/[0-9]*; do
	read -r _ comm _ ppid _ <"$d/stat" 2>/dev/null || continue
	if [ "$ppid" = "$pid" ] && [ "$comm" = "(tricolor)" ]; then
		tpid=${d#/proc/}
		break
	fi
done
[ -n "$tpid" ] && kill -TERM "$tpid"
check "SIGTERM: exits 143 with the terminal restored" wait_for '^EXIT=143$' 30
check "SIGTERM: tty modes restored" wait_for '^TTY-RESTORED$' 6

# ---- 9b. ^\ (SIGQUIT from the keyboard) restores the terminal too -------
# It used to kill the process with a core dump, leaving the screen in
# curses mode and the tty without echo.
start quit 100 30 --mutators 1
target=quit
check "third demo starts" wait_for 'Heap: [0-9]+ spans?' 30
tm send-keys -t quit 'C-\'
check "^\: exits 131 with the terminal restored" wait_for '^EXIT=131$' 30
check "^\: tty modes restored" wait_for '^TTY-RESTORED$' 6
check "^\: the alternate screen is left" wait_gone 'F1Help' 6

# ---- 10. ASCII and monochrome --------------------------------------------
tm new-session -d -s mono -x 100 -y 30 \
	"export LANG=C NO_COLOR=1 TERM=tmux-256color; $bin --mutators 1 2>$errdir/mono.err; echo EXIT=\$?; exec sleep 600"
target=mono
check "C locale + NO_COLOR: ASCII glyphs in the legend" \
	wait_for '\. free [0-9]+ +o white [0-9]+ +% grey [0-9]+ +# black [0-9]+' 30
check "ASCII borders" wait_for '^\+ Stacks: .*\+\+ Heap' 6
# Fully zoomed in, one glyph is one object: singular.
for i in $(seq 1 17); do tm send-keys -t mono Z; done
check "mono: Z to the end says 1 object per cell" \
	wait_for '(^|[^0-9])1 object per cell' 15
check "mono: and that it is already fully in" \
	wait_for 'zoom: already fully in' 15
tm send-keys -t mono q
check "mono: q exits 0" wait_for '^EXIT=0$' 30

# ---- 11. terminal types it cannot draw on: a clear error, not a crash --
# refused SESSION TERM REGEX WHAT: tricolor under TERM exits 1 with a
# message matching REGEX, which says why and suggests --headless.
refused() {
	tm new-session -d -s "$1" -x 200 -y 30 \
		"export LANG=C.UTF-8 TERM=$2; $bin; echo EXIT=\$?; exec sleep 600"
	target=$1
	check "$4: exit 1" wait_for '^EXIT=1$' 30
	check "$4: the message says why and suggests --headless" \
		wait_for "$3" 6
}
refused badterm no-such-terminal "no-such-terminal.*--headless" \
	"unknown TERM"
# One that cannot move its cursor: curses would draw it line by line, a
# garbled line, not a screen.
refused dumbterm dumb "'dumb' cannot move its cursor.*--headless" \
	"TERM=dumb"

echo "1..$n"
[ "$failed" -eq 0 ]
