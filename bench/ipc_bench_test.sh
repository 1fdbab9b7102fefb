#!/bin/sh
# ipc_bench end to end, as its users meet it: a --quick run completes,
# prints a row for every transport, writes its CSV and SVG, and leaves no
# private directory or queue behind; a run interrupted with SIGINT (in the
# System V queue's measurement) dies of the signal and leaves nothing
# behind either; bad options get a message and exit 2.  No figure is
# judged: the machine may be loaded.
set -u
bin=$1
fail=0

# A short TMPDIR of our own (ipc_bench ignores long ones, like Bazel's, for /tmp),
# so that whatever it leaves behind is ours to see.
dir=$(mktemp -d /tmp/ipcb-test.XXXXXX) || exit 2
trap 'rm -rf "$dir"' EXIT

check() {
    if eval "$2"; then
        echo "PASS $1"
    else
        echo "FAIL $1"
        fail=1
        return 1
    fi
}

leftovers() {
    ls -d "$dir"/ipcconf-bench.* 2>/dev/null
}

# System V queues that process $1 sent to or received from last: ours, left behind.
queues_of() {
    ipcs -q -p 2>/dev/null | awk -v p="$1" '$1 ~ /^[0-9]+$/ && ($3 == p || $4 == p)'
}

# --- a whole quick run ---
TMPDIR=$dir "$bin" --quick --csv "$dir/out.csv" --svg "$dir/out.svg" >"$dir/out.txt" 2>"$dir/err.txt" &
pid=$!
wait "$pid"
status=$?
check "quick run exits 0 (got $status)" '[ "$status" -eq 0 ]'
"$bin" --list | awk '{ print $1 }' >"$dir/names"
check "--list names the transports" '[ "$(wc -l <"$dir/names")" -ge 10 ]'
while read -r name; do
    # Its own row in the first block (round trip p50, two CPUs or one): a label, then figures.
    check "a row for $name" 'grep -q "^$name  *[0-9n]" "$dir/out.txt"'
    check "CSV rows for $name" 'grep -q "^rt_p50,[12],8,$name," "$dir/out.csv"'
done <"$dir/names"
check "no measurement failed" '! grep -q "failed" "$dir/out.txt" && ! grep -qE "^ipc_bench: (round trip|streaming), " "$dir/err.txt"' ||
    { grep "failed" "$dir/out.txt"; grep -E "^ipc_bench: " "$dir/err.txt"; } | sed 's/^/    /'
check "sizes 8 B to 1 MiB in the table" 'grep -q "^  *8 B .*1 MiB" "$dir/out.txt"'
check "SVG complete" 'head -c 64 "$dir/out.svg" | grep -q "<?xml" && tail -n 1 "$dir/out.svg" | grep -q "</svg>"'
check "nothing left in TMPDIR" '[ -z "$(leftovers)" ]'
check "no System V queue left" '[ -z "$(queues_of "$pid")" ]'

# --- a run interrupted in the System V queue's measurement ---
mkfifo "$dir/progress"
TMPDIR=$dir "$bin" --quick --verbose --transports sysv-msgq >/dev/null 2>"$dir/progress" &
pid=$!
seen=0
# Waits for the event itself: the line saying the queue's measurement starts.
while IFS= read -r line; do
    case $line in
    *sysv-msgq*)
        seen=1
        kill -INT "$pid"
        break
        ;;
    esac
done <"$dir/progress"
wait "$pid"
status=$?
check "interrupted run reached sysv-msgq" '[ "$seen" -eq 1 ]'
check "interrupted run dies of SIGINT (status $status)" '[ "$status" -eq 130 ]'
check "nothing left in TMPDIR after SIGINT" '[ -z "$(leftovers)" ]'
check "no System V queue left after SIGINT" '[ -z "$(queues_of "$pid")" ]'

# --- bad input: a clear message and exit 2 ---
"$bin" --sizes 3 >/dev/null 2>"$dir/bad.txt"
status=$?
check "--sizes 3 refused with exit 2" '[ "$status" -eq 2 ] && grep -q "outside 8 B to 1 MiB" "$dir/bad.txt"'
"$bin" --only sideways >/dev/null 2>"$dir/bad.txt"
status=$?
check "--only sideways refused with exit 2" '[ "$status" -eq 2 ] && grep -q "neither latency nor stream" "$dir/bad.txt"'

exit "$fail"
