#!/usr/bin/env bash
# tests/summary.sh DIR LABEL - print check's summary lines from the test
# logs under DIR (automake hides them there) and a total line
# "LABEL: N passed, N failed", with check's line for each test that
# failed.  Exits 1 if any check failed or errored,
# or if an automake test failed without a check summary.
dir=$1
label=${2:-tests}
passed=0
failed=0
shopt -s nullglob
for log in "$dir"/tests/*.log "$dir"/bench/*.log; do
	[ "$(basename "$log")" = test-suite.log ] && continue
	while IFS= read -r line; do
		echo "  $(basename "$log" .log): $line"
		# "100%: Checks: 12, Failures: 0, Errors: 0"
		checks=$(sed -n 's/.*Checks: \([0-9]*\).*/\1/p' <<<"$line")
		fails=$(sed -n 's/.*Failures: \([0-9]*\).*/\1/p' <<<"$line")
		errs=$(sed -n 's/.*Errors: \([0-9]*\).*/\1/p' <<<"$line")
		passed=$((passed + checks - fails - errs))
		failed=$((failed + fails + errs))
	done < <(grep -E '^[0-9]+%: Checks: ' "$log")
	# check's own line for each failed or errored test, so that the
	# output names it: "file.c:LINE:F:case:test:i: message".
	grep -E '^[^ :]+:[0-9]+:[FE]:' "$log" | head -n 20 |
		sed "s|^|  $(basename "$log" .log): |"
	# Scripts (tmux end-to-end tests) print "ok N - ..." / "not ok N - ...".
	p=$(grep -cE '^ok [0-9]+' "$log")
	f=$(grep -cE '^not ok [0-9]+' "$log")
	passed=$((passed + p))
	failed=$((failed + f))
done
for trs in "$dir"/tests/*.trs "$dir"/bench/*.trs; do
	if grep -qE '^:test-result: (FAIL|ERROR)' "$trs"; then
		log=${trs%.trs}.log
		if ! grep -qE '^[0-9]+%: Checks: |^not ok' "$log"; then
			echo "  $(basename "$trs" .trs): FAILED without a summary (crash or timeout); see $log"
			failed=$((failed + 1))
		fi
	fi
done
echo "$label: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
