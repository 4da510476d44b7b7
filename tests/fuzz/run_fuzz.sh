#!/usr/bin/env bash
# Run one libFuzzer harness for a bounded time: new inputs go to WORK (in the
# build tree), the committed seed corpus is only read. Fails on any crash,
# leak, sanitizer report, timeout or out-of-memory.
# Usage: run_fuzz.sh HARNESS SEED_DIR WORK_DIR SECONDS
set -euo pipefail
harness=$1 seeds=$2 work=$3 secs=$4
[ -x "$harness" ] || { echo "FAIL: $harness not built"; exit 1; }
[ -n "$(ls -A "$seeds" 2>/dev/null)" ] || { echo "FAIL: empty seed corpus $seeds"; exit 1; }
mkdir -p "$work"
log=$work.log
rc=0
"$harness" -max_total_time="$secs" -rss_limit_mb=1024 -malloc_limit_mb=512 -timeout=10 \
	-print_final_stats=1 "$work" "$seeds" >"$log" 2>&1 || rc=$?
grep -E '^(INFO: seed corpus|#[0-9]+.*DONE|Done [0-9]+ runs|stat::number_of_executed_units|stat::new_units_added)' "$log" || true
if [ "$rc" -ne 0 ]; then
	tail -n 60 "$log"
	echo "FAIL: $(basename "$harness") exited $rc"
	exit 1
fi
