#!/bin/bash
# The command line as a user meets it: listing, usage errors and their exit
# status, reports, and that every seed rule has a clause.
# usage: cli_test.sh IPCCONF IPCCONF_WITH_STRAY_CLAUSE
set -u
ipcconf=$1
stray=$2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
problems=0
problem() {
    echo "PROBLEM: $*"
    problems=$((problems + 1))
}

# status_is EXPECTED MESSAGE_REGEX ARGS...: exit status and a message on stderr.
status_is() {
    local want=$1 pattern=$2
    shift 2
    "$ipcconf" "$@" > "$tmp/stdout" 2> "$tmp/stderr"
    local rc=$?
    [ "$rc" -eq "$want" ] || problem "ipcconf $*: exit status $rc, expected $want"
    if [ -n "$pattern" ]; then
        grep -qE -e "$pattern" "$tmp/stderr" "$tmp/stdout" ||
            problem "ipcconf $*: output does not match /$pattern/: $(cat "$tmp/stderr")"
    fi
}

status_is 0 "^ipcconf [0-9]" --version
status_is 0 "usage: ipcconf list" --help
status_is 2 "no command given"
status_is 2 "unknown command 'frobnicate'" frobnicate
status_is 2 "unknown option '--bogus'" run --bogus
status_is 2 "needs a value" run --impl
status_is 2 "unknown mechanism 'pipes'" run --mechanism pipes
status_is 2 "--timeout-mul 'abc'" run --timeout-mul abc
status_is 2 "--timeout-mul '0'" run --timeout-mul 0
status_is 2 "unknown implementation 'nosuch'" run --impl nosuch
status_is 2 "no readable file" run --impl ./nosuch.so
status_is 2 "no clause matches" run --clause no.such.clause
status_is 2 "has no reason" run --expect <(echo pipe.read.consumes)
status_is 2 "cannot read expectations file" run --expect "$tmp/missing.txt"

# A clause whose mechanism is not registered is a hard error, never silently skipped.
for cmd in list run; do
    "$stray" $cmd > "$tmp/stdout" 2> "$tmp/stderr"
    rc=$?
    [ "$rc" -eq 2 ] || problem "stray clause: '$cmd' exit status $rc, expected 2"
    grep -q "nosuch.read.anything.*names mechanism 'nosuch', which is not registered" "$tmp/stderr" ||
        problem "stray clause: '$cmd' does not name the clause and its mechanism: $(cat "$tmp/stderr")"
done
status_is 0 "--mechanism M,\.\.\. +mechanisms in this binary: pipe, fifo, signal, msgq, mq, shm, sem, socket, ring" --help
status_is 2 "unknown mechanism 'pipes' \(in this binary: pipe, fifo, signal, msgq, mq, shm, sem, socket, ring\)" run --mechanism pipes

# list: ID<TAB>MECHANISM<TAB>CITATIONS<TAB>TITLE, at least 40 for pipes and FIFOs.
"$ipcconf" list --mechanism pipe,fifo > "$tmp/list" || problem "list failed"
n=$(wc -l < "$tmp/list")
[ "$n" -ge 40 ] || problem "list --mechanism pipe,fifo: $n clauses, expected at least 40"
awk -F'\t' 'NF != 4 || $1 !~ /^(pipe|fifo)\.[a-z_0-9]+\.[a-z_0-9]+$/ || $2 == "" || $3 !~ /seed:|POSIX|\([0-9]\)/ || $4 == "" {
    print "malformed list line: " $0; bad = 1 } END { exit bad }' "$tmp/list" || problem "list lines malformed"
[ "$(cut -f1 "$tmp/list" | sort | uniq -d | wc -l)" -eq 0 ] || problem "duplicate clause ids"
for rule in P1 P2 P3 P4 P5 P6 P7 P8 P9 P10 F1 F2 F3 F4 F5 F6; do
    cut -f3 "$tmp/list" | grep -qE "seed:$rule([^0-9]|$)" || problem "no clause cites seed:$rule"
done
"$ipcconf" list --mechanism fifo | cut -f2 | grep -qv '^fifo$' && problem "list --mechanism fifo printed another mechanism"

# run: the summary's last line, and the reports.
"$ipcconf" run --impl os --clause pipe.io.fifo_order --junit "$tmp/r.xml" --json "$tmp/r.json" > "$tmp/out" 2>&1 ||
    problem "run of one passing clause failed: $(cat "$tmp/out")"
tail -n 1 "$tmp/out" | grep -qxE "1 passed, 0 failed, 0 skipped" || problem "last line: $(tail -n 1 "$tmp/out")"
grep -qE "^system: .*PIPE_BUF [0-9]+ bytes" "$tmp/out" || problem "the report does not name the limits"
python3 - "$tmp/r.xml" "$tmp/r.json" <<'PY' || problem "reports malformed"
import json, sys, xml.etree.ElementTree as ET
cases = ET.parse(sys.argv[1]).getroot().findall(".//testcase")
assert [c.get("name") for c in cases] == ["pipe.io.fifo_order"], cases
doc = json.load(open(sys.argv[2]))
assert doc["results"][0]["id"] == "pipe.io.fifo_order" and doc["results"][0]["verdict"] == "PASS", doc
PY

# Bazel's --test_filter reaches the suite as TESTBRIDGE_TEST_ONLY.
TESTBRIDGE_TEST_ONLY=pipe.read.consumes "$ipcconf" run --impl os > "$tmp/out" 2>&1
grep -q "running 1 clauses" "$tmp/out" || problem "TESTBRIDGE_TEST_ONLY not honoured: $(head -3 "$tmp/out")"

if [ "$problems" -ne 0 ]; then
    echo "$problems problem(s)"
    exit 1
fi
echo "command line OK"
