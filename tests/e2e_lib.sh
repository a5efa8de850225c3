# e2e_lib.sh - what the end-to-end tests of the live demo share, sourced
# by each (e2e_tui.sh, e2e_monkey.sh): the tricolor binary under test
# ($bin), a private tmux server (tm), a scratch directory for tricolor's
# standard error ($errdir), and the cleanup of all three however the test
# ends.  "e2e_start NAME" sets them up; a test that wants to say more as
# it ends (its stderr files, say) defines e2e_at_exit, which the cleanup
# runs before it removes $errdir.
#
# e2e_start exits 77 (automake's skip) when tmux is missing and fails
# with a TAP line when the binary is, so that neither shows as a pass.

# tm ARGS...: tmux, on this test's own server and with no user config.
tm() { tmux -L "$sock" -f /dev/null "$@"; }

e2e_cleanup() {
	tm kill-server >/dev/null 2>&1
	rm -f "$sockpath"
	if declare -F e2e_at_exit >/dev/null; then
		e2e_at_exit
	fi
	rm -rf "$errdir"
}

# e2e_start NAME: $bin, $sock, $sockpath and $errdir, and the traps.
e2e_start() {
	local name=$1

	top_builddir=${top_builddir:-.}
	bin="$top_builddir/tricolor"
	case $bin in /*) ;; *) bin="$PWD/$bin" ;; esac
	if ! command -v tmux >/dev/null 2>&1; then
		echo "# tmux not found: skipping $(basename "$0")"
		exit 77
	fi
	if [ ! -x "$bin" ]; then
		echo "not ok 1 - $bin exists (build it first)"
		exit 1
	fi
	unset TMUX TMUX_PANE # we may be run from inside someone's tmux
	sock="tricolor-$name-$$"
	sockpath="${TMUX_TMPDIR:-/tmp}/tmux-$(id -u)/$sock"
	errdir=$(mktemp -d "${TMPDIR:-/tmp}/tricolor-$name.XXXXXX") || exit 1
	trap e2e_cleanup EXIT
	trap 'exit 130' INT # (exit, so that the EXIT trap cleans up)
	trap 'exit 143' TERM
}
