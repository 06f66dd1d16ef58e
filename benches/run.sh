#!/usr/bin/env bash
# Benchmark `drippulse enroll` against benches/baseline_enroll.py, an
# operator-style Python script doing the same job, on the built-in sandbox.
#
# Usage: benches/run.sh [--large] [--runs N] [--sizes "10000 100000"] [--work DIR]
#
#   --large    also run 1,000,000 contacts (86 MB of CSV). Each repetition
#              adds 12 to 15 minutes on a 2-core machine, most of it the baseline.
#   --runs N   repetitions of every case (default 3); the table shows medians
#   --sizes    contact counts to run (default "10000 100000")
#   --work     folder for generated files, ledgers and sandbox state
#              (default /tmp/drippulse-bench); it is emptied first
#
# It builds the release binary (CARGO_TARGET_DIR is honored), generates the
# contact files with benches/gen_contacts.py (fixed seed, so every machine
# gets the same bytes), and for every case starts a fresh sandbox on
# 127.0.0.1 with its state in a SQLite file. Each client run is timed with
# GNU time (`/usr/bin/time -v`) for wall time, CPU time and maximum resident
# set size. If it is missing, install the Debian/Ubuntu package `time`
# (`apt-get install time`). The sandbox's CPU time during the run is read
# from /proc, so its share of the work shows.
#
# Cases, per size:
#   dp-b100, dp-b500     drippulse first run, --batch-size 100 or 500, --concurrency 4
#   dp-rerun             the same command again on dp-b100's ledger and sandbox: nothing to send
#   dp-dry-empty         --dry-run with no ledger: read, validate, deduplicate, spool
#   dp-dry-full          --dry-run against dp-b100's ledger: the above plus a lookup per key
#   dp-b500-mem          dp-b500 against a sandbox that keeps its state in memory
#   py-b100              baseline, batch 100, a new connection per request
#   py-b100-session      baseline with --session (keep-alive)
#   py-rerun             the baseline again on py-b100's ledger and sandbox
#   py-b100-session-mem  py-b100-session against an in-memory sandbox
#
# Every run's counts are checked against the generator's own counts (rows,
# invalid rows, case/whitespace duplicates), and after every sending run the
# sandbox must hold exactly one enrollment per distinct valid email: the
# state file is queried directly, or /_sandbox/stats for in-memory state.
# A failed check is shown in the table and makes the script exit 1.
#
# Output: a markdown table on stdout; progress on stderr; every single run
# in WORK/runs.tsv.

set -euo pipefail

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
RUNS=3
SIZES="10000 100000"
WORK=/tmp/drippulse-bench
SEED=42
API_KEY=adcrm_test_bench

while [[ $# -gt 0 ]]; do
    case "$1" in
        --large) SIZES="$SIZES 1000000"; shift ;;
        --runs) RUNS=$2; shift 2 ;;
        --sizes) SIZES=$2; shift 2 ;;
        --work) WORK=$2; shift 2 ;;
        -h|--help) sed -n '2,/^$/p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) echo "unknown option $1: see --help" >&2; exit 2 ;;
    esac
done

if [[ ! -x /usr/bin/time ]]; then
    echo "GNU time is missing at /usr/bin/time: install it with apt-get install time" >&2
    exit 1
fi

log() { echo "[$(date +%H:%M:%S)] $*" >&2; }

log "building the release binary"
(cd "$ROOT" && cargo build --release --quiet)
BIN="${CARGO_TARGET_DIR:-$ROOT/target}/release/drippulse"
[[ "$BIN" = /* ]] || BIN="$ROOT/$BIN"

rm -rf "$WORK"
mkdir -p "$WORK"
RUNS_TSV="$WORK/runs.tsv"
printf 'rows\tcase\trun\twall_s\tmax_rss_kb\tuser_s\tsys_s\tsandbox_cpu_s\tcheck\n' >"$RUNS_TSV"
FAILED=0
CLK_TCK=$(getconf CLK_TCK)

# --- the sandbox ---------------------------------------------------------

SANDBOX_PID=
SANDBOX_URL=

# Starts a sandbox on a free loopback port. $1 is the state file, or empty
# for in-memory state.
start_sandbox() {
    local state=$1 out="$WORK/sandbox.out"
    local args=(sandbox serve --addr 127.0.0.1:0)
    [[ -n "$state" ]] && args+=(--state "$state")
    : >"$out"
    "$BIN" "${args[@]}" >"$out" 2>"$WORK/sandbox.err" &
    SANDBOX_PID=$!
    for _ in $(seq 100); do
        if grep -q '^listening on ' "$out"; then
            SANDBOX_URL=$(sed -n 's/^listening on //p' "$out" | head -1)
            return
        fi
        sleep 0.05
    done
    echo "the sandbox did not print its address within 5 s: see $WORK/sandbox.err" >&2
    exit 1
}

stop_sandbox() {
    if [[ -n "$SANDBOX_PID" ]]; then
        kill "$SANDBOX_PID" 2>/dev/null || true
        wait "$SANDBOX_PID" 2>/dev/null || true
        SANDBOX_PID=
    fi
}
trap stop_sandbox EXIT

# Prints the sandbox's user+system CPU time so far, in clock ticks.
sandbox_ticks() {
    if [[ -z "$SANDBOX_PID" ]]; then
        echo 0
        return
    fi
    # Fields 14 and 15 of /proc/PID/stat are utime and stime. The command
    # name (field 2) has no spaces here, so plain splitting is safe.
    awk '{print $14 + $15}' "/proc/$SANDBOX_PID/stat"
}

# Checks the sandbox's enrollments in workflow $1 against $2 distinct
# emails. $3 is the state file, or empty for in-memory state. Prints "ok"
# or what differs.
check_server() {
    local workflow=$1 expected=$2 state=$3
    if [[ -n "$state" ]]; then
        python3 - "$state" "$workflow" "$expected" <<'EOF'
import sqlite3, sys
state, workflow, expected = sys.argv[1], sys.argv[2], int(sys.argv[3])
db = sqlite3.connect(f"file:{state}?mode=ro", uri=True)
total, distinct = db.execute(
    "SELECT COUNT(*), COUNT(DISTINCT email_lower) FROM enrollments WHERE workflow_id = ?",
    (workflow,)).fetchone()
if total == expected and distinct == expected:
    print("ok")
else:
    print(f"server holds {total} enrollments of {distinct} distinct emails, expected {expected}")
EOF
    else
        python3 - "$SANDBOX_URL/_sandbox/stats" "$expected" <<'EOF'
import json, sys, urllib.request
stats = json.load(urllib.request.urlopen(sys.argv[1], timeout=10))
created, expected = stats["enrollments_created"], int(sys.argv[2])
# In-memory state cannot be queried from outside, so only the count is checked.
print("ok" if created == expected else f"server created {created} enrollments, expected {expected}")
EOF
    fi
}

# --- timing and checks ---------------------------------------------------

# Runs a command under GNU time, with stdout to $WORK/out.json. The
# command is `drippulse DATA_DIR ARGS...` (the binary with the bench's
# environment), `baseline ARGS...` (the Python script), or any program.
# Sets WALL, RSS_KB, USER_S, SYS_S, SANDBOX_S and EXIT_CODE.
timed() {
    local before after
    case "$1" in
        drippulse)
            local data_dir=$2
            shift 2
            set -- env DRIPPULSE_BASE_URL="${SANDBOX_URL:-http://127.0.0.1:9}" \
                DRIPPULSE_API_KEY=$API_KEY DRIPPULSE_DATA_DIR="$data_dir" \
                "$BIN" --output json --no-progress "$@"
            ;;
        baseline)
            shift
            set -- env DRIPPULSE_API_KEY=$API_KEY python3 "$ROOT/benches/baseline_enroll.py" "$@"
            ;;
    esac
    before=$(sandbox_ticks)
    set +e
    /usr/bin/time -v -o "$WORK/time.txt" "$@" >"$WORK/out.json" 2>"$WORK/err.txt"
    EXIT_CODE=$?
    set -e
    after=$(sandbox_ticks)
    SANDBOX_S=$(awk -v a="$after" -v b="$before" -v t="$CLK_TCK" 'BEGIN {printf "%.2f", (a - b) / t}')
    WALL=$(awk -F': ' '/Elapsed \(wall clock\)/ {
        n = split($2, p, ":"); s = 0
        for (i = 1; i <= n; i++) s = s * 60 + p[i]
        printf "%.2f", s }' "$WORK/time.txt")
    RSS_KB=$(awk -F': ' '/Maximum resident set size/ {print $2}' "$WORK/time.txt")
    USER_S=$(awk -F': ' '/User time/ {print $2}' "$WORK/time.txt")
    SYS_S=$(awk -F': ' '/System time/ {print $2}' "$WORK/time.txt")
}

# Compares the JSON summary in $WORK/out.json (one JSON object, pretty-printed
# by drippulse and on one line by the baseline) with expected values given as
# FIELD=VALUE arguments. Prints "ok" or the fields that differ.
check_summary() {
    python3 - "$WORK/out.json" "$@" <<'EOF'
import json, sys
try:
    with open(sys.argv[1]) as f:
        summary = json.load(f)
except (OSError, ValueError) as error:
    print(f"no JSON summary on stdout ({error})")
    sys.exit()
wrong = []
for pair in sys.argv[2:]:
    field, expected = pair.split("=")
    actual = summary.get(field)
    if actual != int(expected):
        wrong.append(f"{field}={actual} (expected {expected})")
print("ok" if not wrong else "; ".join(wrong))
EOF
}

# Records one run: size, case, run number, check result.
record() {
    local rows=$1 name=$2 run=$3 check=$4
    if [[ $EXIT_CODE -ne 0 ]]; then
        check="exit code $EXIT_CODE: $(tail -c 300 "$WORK/err.txt" | tr '\n\t' '  ')"
    fi
    if [[ "$check" != ok ]]; then
        FAILED=1
        log "CHECK FAILED: $rows $name run $run: $check"
    fi
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$rows" "$name" "$run" "$WALL" "$RSS_KB" \
        "$USER_S" "$SYS_S" "$SANDBOX_S" "$check" >>"$RUNS_TSV"
    log "$rows $name run $run: ${WALL} s, $((RSS_KB / 1024)) MB, sandbox ${SANDBOX_S} s CPU, $check"
}

# Joins two check results, keeping every failure.
both() {
    if [[ "$1" == ok && "$2" == ok ]]; then echo ok
    elif [[ "$1" == ok ]]; then echo "$2"
    elif [[ "$2" == ok ]]; then echo "$1"
    else echo "$1; $2"
    fi
}

# --- the cases -----------------------------------------------------------

# Runs every case once for a file of $1 rows; $2 is the run number.
run_cases() {
    local rows=$1 run=$2 csv="$WORK/contacts-$rows.csv"
    local dir="$WORK/case" wf=wf_bench
    local dp_sent=(read="$rows" rejected="$INVALID" duplicates_in_input="$DUPS"
        sent="$DISTINCT" already_enrolled=0 failed=0 unknown=0)
    local py_sent=(rows="$rows" invalid="$INVALID" dup_in_file="$DUPS" sent="$DISTINCT" already_sent=0)

    # drippulse, batch 100, then a rerun and a dry run on the same ledger.
    rm -rf "$dir" && mkdir -p "$dir"
    start_sandbox "$dir/sandbox.sqlite3"
    timed drippulse "$dir/data" enroll --workflow $wf --batch-size 100 --concurrency 4 "$csv"
    record "$rows" dp-b100 "$run" "$(both "$(check_summary "${dp_sent[@]}")" \
        "$(check_server $wf "$DISTINCT" "$dir/sandbox.sqlite3")")"
    timed drippulse "$dir/data" enroll --workflow $wf --batch-size 100 --concurrency 4 "$csv"
    record "$rows" dp-rerun "$run" "$(both "$(check_summary sent=0 already_enrolled="$DISTINCT" \
        rejected="$INVALID" duplicates_in_input="$DUPS" requests=0)" \
        "$(check_server $wf "$DISTINCT" "$dir/sandbox.sqlite3")")"
    timed drippulse "$dir/data" enroll --workflow $wf --dry-run "$csv"
    record "$rows" dp-dry-full "$run" "$(check_summary would_send=0 already_enrolled="$DISTINCT")"
    stop_sandbox

    # drippulse, batch 500, with the sandbox's state in a file and in memory.
    rm -rf "$dir" && mkdir -p "$dir"
    start_sandbox "$dir/sandbox.sqlite3"
    timed drippulse "$dir/data" enroll --workflow $wf --batch-size 500 --concurrency 4 "$csv"
    record "$rows" dp-b500 "$run" "$(both "$(check_summary "${dp_sent[@]}")" \
        "$(check_server $wf "$DISTINCT" "$dir/sandbox.sqlite3")")"
    stop_sandbox

    rm -rf "$dir" && mkdir -p "$dir"
    start_sandbox ""
    timed drippulse "$dir/data" enroll --workflow $wf --batch-size 500 --concurrency 4 "$csv"
    record "$rows" dp-b500-mem "$run" "$(both "$(check_summary "${dp_sent[@]}")" \
        "$(check_server $wf "$DISTINCT" "")")"
    stop_sandbox

    # drippulse dry run with no ledger: no sandbox is needed.
    rm -rf "$dir" && mkdir -p "$dir"
    SANDBOX_URL=
    timed drippulse "$dir/data" enroll --workflow $wf --dry-run "$csv"
    record "$rows" dp-dry-empty "$run" "$(check_summary read="$rows" rejected="$INVALID" \
        duplicates_in_input="$DUPS" would_send="$DISTINCT")"

    # The baseline, batch 100, then its rerun on the same ledger.
    rm -rf "$dir" && mkdir -p "$dir"
    start_sandbox "$dir/sandbox.sqlite3"
    local url="$SANDBOX_URL/api/v1/workflows/$wf/enrollments/bulk"
    timed baseline "$csv" --url "$url" --ledger "$dir/ledger.db" --batch 100
    record "$rows" py-b100 "$run" "$(both "$(check_summary "${py_sent[@]}")" \
        "$(check_server $wf "$DISTINCT" "$dir/sandbox.sqlite3")")"
    timed baseline "$csv" --url "$url" --ledger "$dir/ledger.db" --batch 100
    record "$rows" py-rerun "$run" "$(both "$(check_summary sent=0 already_sent="$DISTINCT" requests=0)" \
        "$(check_server $wf "$DISTINCT" "$dir/sandbox.sqlite3")")"
    stop_sandbox

    # The baseline with keep-alive, state in a file and in memory.
    rm -rf "$dir" && mkdir -p "$dir"
    start_sandbox "$dir/sandbox.sqlite3"
    url="$SANDBOX_URL/api/v1/workflows/$wf/enrollments/bulk"
    timed baseline "$csv" --url "$url" --ledger "$dir/ledger.db" --batch 100 --session
    record "$rows" py-b100-session "$run" "$(both "$(check_summary "${py_sent[@]}")" \
        "$(check_server $wf "$DISTINCT" "$dir/sandbox.sqlite3")")"
    stop_sandbox

    rm -rf "$dir" && mkdir -p "$dir"
    start_sandbox ""
    url="$SANDBOX_URL/api/v1/workflows/$wf/enrollments/bulk"
    timed baseline "$csv" --url "$url" --ledger "$dir/ledger.db" --batch 100 --session
    record "$rows" py-b100-session-mem "$run" "$(both "$(check_summary "${py_sent[@]}")" \
        "$(check_server $wf "$DISTINCT" "")")"
    stop_sandbox
}

for rows in $SIZES; do
    csv="$WORK/contacts-$rows.csv"
    log "generating $rows contacts"
    # The generator reports its exact counts on stderr:
    # "wrote N rows to F: ~D case/ws duplicates, ~I invalid emails".
    counts=$(python3 "$ROOT/benches/gen_contacts.py" "$rows" "$SEED" "$csv" 2>&1)
    DUPS=$(sed -n 's/.*~\([0-9]*\) case\/ws duplicates.*/\1/p' <<<"$counts")
    INVALID=$(sed -n 's/.*~\([0-9]*\) invalid emails.*/\1/p' <<<"$counts")
    DISTINCT=$((rows - DUPS - INVALID))
    log "$rows rows: $DUPS duplicates, $INVALID invalid, $DISTINCT distinct valid"
    echo "$rows $DUPS $INVALID $DISTINCT" >"$WORK/counts-$rows.txt"
    for run in $(seq "$RUNS"); do
        run_cases "$rows" "$run"
    done
done

# --- the table -----------------------------------------------------------

python3 - "$RUNS_TSV" "$RUNS" <<'EOF'
import csv, statistics, sys
runs_tsv, runs = sys.argv[1], sys.argv[2]
groups = {}
with open(runs_tsv) as f:
    for row in csv.DictReader(f, delimiter="\t"):
        groups.setdefault((int(row["rows"]), row["case"]), []).append(row)

def median(rows, field):
    return statistics.median(float(r[field]) for r in rows)

print(f"| contacts | case | wall s | contacts/s | max RSS MB | client CPU s | sandbox CPU s | checks |")
print("|---:|---|---:|---:|---:|---:|---:|---|")
for (size, case), rows in groups.items():
    wall = median(rows, "wall_s")
    rss_mb = median(rows, "max_rss_kb") / 1024
    cpu = statistics.median(float(r["user_s"]) + float(r["sys_s"]) for r in rows)
    sandbox = median(rows, "sandbox_cpu_s")
    failed = [r["check"] for r in rows if r["check"] != "ok"]
    checks = f"ok ({len(rows)} runs)" if not failed else "FAILED: " + " / ".join(sorted(set(failed)))
    rate = f"{size / wall:,.0f}" if wall > 0 else "n/a"
    print(f"| {size:,} | {case} | {wall:.2f} | {rate} | {rss_mb:.1f} | {cpu:.2f} | {sandbox:.2f} | {checks} |")
print()
print(f"Medians of {runs} runs per case; contacts/s is input rows divided by the median wall time.")
EOF

exit $FAILED
