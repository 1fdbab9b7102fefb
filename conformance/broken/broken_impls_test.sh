#!/bin/bash
# The suite can fail: each deliberately broken implementation must be caught,
# on the clause for the rule it breaks, and a hanging one must become a
# timeout FAIL without hanging the suite.  Also: the loader's errors, and
# --expect.
#
# usage: broken_impls_test.sh IPCCONF NO_SYMBOL_SO BROKEN_SO...
set -u
ipcconf=$1
no_symbol=$2
shift 2
declare -A so
for f in "$@"; do
    name=$(basename "$f" .so)
    so[${name#broken_}]=$f
done
out=${TEST_TMPDIR:-$(mktemp -d)}/out.txt
problems=0

problem() {
    echo "NOT CAUGHT: $*"
    problems=$((problems + 1))
}

# expect_fail NAME "CLAUSE..." [ipcconf run options...]
# The run must exit 1 and report FAIL for every listed clause.
expect_fail() {
    local name=$1 clauses=$2
    shift 2
    echo "=== broken_$name: must fail $clauses"
    "$ipcconf" run --impl "${so[$name]}" "$@" > "$out" 2>&1
    local rc=$?
    cat "$out"
    [ "$rc" -eq 1 ] || problem "broken_$name: exit status $rc, expected 1"
    for c in $clauses; do
        grep -qE "^FAIL +$c " "$out" || problem "broken_$name: clause $c did not FAIL"
    done
}

expect_fail read_no_consume "pipe.read.consumes fifo.read.consumes_shared_stream" --mechanism pipe,fifo
expect_fail read_eagain_blocking "pipe.read.blocks_until_write fifo.read.blocks_until_write" --mechanism pipe,fifo
expect_fail read_eof_when_empty "pipe.read.blocks_until_write fifo.read.blocks_until_write" --mechanism pipe,fifo
# Every end-of-file clause hangs on this one: a shorter bound keeps it quick.
expect_fail read_no_eof "pipe.read.eof_when_no_writer pipe.read.data_before_eof pipe.read.eof_wakes_blocked_reader pipe.read.eof_needs_all_writers pipe.read.eof_on_writer_killed fifo.read.eof_after_writer_close fifo.read.blocked_reader_woken_by_close" --mechanism pipe,fifo --timeout-mul 0.25
expect_fail fifo_open_nowait "fifo.open.read_blocks_until_writer" --mechanism fifo
expect_fail fifo_write_open_no_enxio "fifo.open.nonblock_write_enxio fifo.open.nonblock_write_with_reader" --mechanism fifo
expect_fail write_no_reader_ok "pipe.write.epipe_no_reader pipe.write.sigpipe_kills_writer pipe.write.epipe_wakes_blocked_writer pipe.write.epipe_on_reader_killed fifo.write.epipe_without_reader fifo.write.sigpipe_kills_writer" --mechanism pipe,fifo

# A write that never returns: every clause that writes must become a timeout
# FAIL, and the run must still finish (the Bazel test's own timeout would
# otherwise fire).  A short bound keeps this quick.
expect_fail write_hangs "pipe.io.fifo_order pipe.read.consumes" \
    --clause pipe.io.fifo_order,pipe.read.consumes --timeout-mul 0.25
grep -q "timeout" "$out" || problem "broken_write_hangs: no timeout reported"

# The loader: clear errors, exit status 2, never a crash.
echo "=== loader errors"
"$ipcconf" run --impl "$no_symbol" > "$out" 2>&1
rc=$?
cat "$out"
[ "$rc" -eq 2 ] || problem "no_symbol.so: exit status $rc, expected 2"
grep -q "does not export the symbol ipcconf_iut_v1" "$out" || problem "no_symbol.so: message does not name the missing symbol"
"$ipcconf" run --impl "${so[bad_abi]}" > "$out" 2>&1
rc=$?
cat "$out"
[ "$rc" -eq 2 ] || problem "bad_abi: exit status $rc, expected 2"
grep -q "ABI version mismatch" "$out" || problem "bad_abi: message does not say ABI version mismatch"

# --expect: known failures do not fail the run; a stale entry (XPASS) does.
echo "=== --expect"
expect_file=${TEST_TMPDIR:-/tmp}/expect.txt
printf '# known failures of broken_read_no_consume\npipe.read.consumes  reads never consume\n' > "$expect_file"
"$ipcconf" run --impl "${so[read_no_consume]}" --clause pipe.read.consumes --expect "$expect_file" > "$out" 2>&1
rc=$?
cat "$out"
[ "$rc" -eq 0 ] || problem "--expect: an expected failure gave exit status $rc, expected 0"
grep -qE "^XFAIL +pipe.read.consumes " "$out" || problem "--expect: no XFAIL line"
"$ipcconf" run --impl os --clause pipe.read.consumes --expect "$expect_file" > "$out" 2>&1
rc=$?
cat "$out"
[ "$rc" -eq 1 ] || problem "--expect: an unexpected pass gave exit status $rc, expected 1"
grep -qE "^XPASS +pipe.read.consumes " "$out" || problem "--expect: no XPASS line"

if [ "$problems" -ne 0 ]; then
    echo "$problems problem(s)"
    exit 1
fi
echo "every broken implementation was caught"
