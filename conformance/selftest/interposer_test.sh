#!/bin/bash
# The harness does not lean on the C library's signal and wait functions.
#
# The `os` implementation is the C library, and signal clauses judge it; the
# harness's own plumbing (reaping, waiting, the watchdog's kill, masks, its
# handlers) goes through raw system calls (conformance/harness/sys.c).  Here
# each LD_PRELOAD shim of interposers/ breaks one family of those functions
# for the whole ipcconf process tree, and the pipe and FIFO suite must still:
#   - end by itself (an outer `timeout` bounds every run, so this test cannot
#     hang), with its closing summary;
#   - report no timeout (neither the watchdog's "fail: timeout: ..." nor a
#     clause's own "fail: FILE:LINE: timeout: ...");
#   - (its wall time is printed beside the plain run's, for a reader: a
#     slowed harness shows there, but a timed test would fail on a busy
#     machine, so no bound is checked beyond the outer one);
#   - fail no clause beyond those failing plainly, except a clause on the
#     shim's allow-list (a clause whose rule really involves the broken
#     function; there is none for pipes and FIFOs).
# Then the other side: the signal mechanism, which judges `os` and so the C
# library, must see each shim: at least one signal clause FAILs under it, and
# that run too ends by itself with its summary.
# First the probe proves each shim effective: under it, every function of
# its family is broken and every function of the other families works;
# otherwise the suite's passing would prove nothing.
#
# usage: interposer_test.sh IPCCONF PROBE SHIM.so...
# The last line is "N passed, M failed", counting shims.
set -u

if [ $# -lt 3 ]; then
    echo "usage: interposer_test.sh IPCCONF PROBE SHIM.so..." >&2
    exit 2
fi
ipcconf=$(readlink -f "$1")
probe=$(readlink -f "$2")
shift 2
tmp=${TEST_TMPDIR:-$(mktemp -d)}
bound=${INTERPOSER_TEST_BOUND:-120}  # seconds; the outer bound of every run

# A shim is built without ASan; under --config=asan, ipcconf and the probe
# carry the ASan runtime, which must not insist on coming first.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}verify_asan_link_order=0"
base_asan_options=$ASAN_OPTIONS

# The family of C library functions each shim breaks (a probe family).
declare -A family=(
    [kill_fails]=kill
    [mask_ignored]=mask
    [sigaction_fails]=sigaction
    [sigwait_stuck]=sigwait
    [wait_lies]=wait
)

# Clauses allowed to FAIL under a shim, because their rule involves a broken
# function: space-separated clause ids.  None of the pipe and FIFO clauses
# calls the C library's signal or wait functions (the clauses catch, ignore,
# mask and send signals through the harness's raw helpers in signals.c), so
# every list is empty.  Never add a clause here to hide a harness path that
# goes through the C library: report it instead.
declare -A allowed=(
    [kill_fails]=""
    [mask_ignored]=""
    [sigaction_fails]=""
    [sigwait_stuck]=""
    [wait_lies]=""
)

now_ms() {
    echo $(($(date +%s%N) / 1000000))
}

# run_suite OUT [LD_PRELOAD [MECHANISMS [TIMEOUT_MUL]]]: ipcconf's pipe and
# FIFO suite (or MECHANISMS) against `os`
# under the outer bound; sets rc and ms.  Bazel's XML_OUTPUT_FILE and test
# filter are kept from ipcconf (it would write its JUnit report over this
# test's, or run only the filtered clauses).
run_suite() {
    local out=$1 preload=${2:-}
    local t0
    t0=$(now_ms)
    timeout -k 5 "$bound" env -u XML_OUTPUT_FILE -u TESTBRIDGE_TEST_ONLY \
        ${preload:+LD_PRELOAD="$preload"} \
        "$ipcconf" run --impl os --mechanism "${3:-pipe,fifo}" ${4:+--timeout-mul "$4"} > "$out" 2>&1
    rc=$?
    ms=$(($(now_ms) - t0))
}

# The clauses a report counts as failed (FAIL, BROKEN, XPASS), sorted.
failed_clauses() {
    sed -nE 's/^(FAIL|BROKEN|XPASS) +([^ ]+)  \(.*/\2/p' "$1" | sort -u
}

# The clauses whose result says "timeout", with the message.
timeout_lines() {
    awk '/^[A-Z]+ +[^ ]+  \(/ { clause = $2 }
         /^ +fail: ([^ :]+:[0-9]+: )?timeout:/ { sub(/^ +/, ""); print clause ": " $0 }' "$1"
}

result_count() {
    grep -cE '^(PASS|FAIL|BROKEN|SKIP|XFAIL|XPASS) +[^ ]+  \(' "$1"
}

summary_line() {
    tail -n 1 "$1" | grep -xE '[0-9]+ passed, [0-9]+ failed, [0-9]+ skipped'
}

# ---- the plain run -------------------------------------------------------

run_suite "$tmp/plain.out"
plain_rc=$rc
plain_ms=$ms
plain_n=$(result_count "$tmp/plain.out")
echo "plain: exit status $plain_rc, $plain_n clauses, ${plain_ms} ms: $(summary_line "$tmp/plain.out" || echo "no summary")"
if [ "$plain_rc" -gt 1 ] || ! summary_line "$tmp/plain.out" > /dev/null || [ "$plain_n" -eq 0 ]; then
    echo "the plain run did not complete; its output:"
    sed 's/^/    /' "$tmp/plain.out"
    echo "0 passed, ${#family[@]} failed"
    exit 1
fi
failed_clauses "$tmp/plain.out" > "$tmp/plain.failed"
if [ -s "$tmp/plain.failed" ]; then
    echo "note: failing in the plain run already (not held against the shims): $(tr '\n' ' ' < "$tmp/plain.failed")"
fi
if [ -n "$(timeout_lines "$tmp/plain.out")" ]; then
    echo "note: the plain run has timeouts already:"
    timeout_lines "$tmp/plain.out" | sed 's/^/    /'
fi

# The plain probe: every function of every family works.
"$probe" all > "$tmp/probe.plain" 2>&1
probe_rc=$?
if [ "$probe_rc" -ne 0 ]; then
    echo "the probe finds C library functions broken without any shim (exit status $probe_rc):"
    grep -v ': works$' "$tmp/probe.plain" | sed 's/^/    /'
    echo "0 passed, ${#family[@]} failed"
    exit 1
fi

# ---- each shim -----------------------------------------------------------

passed=0
failed=0
skipped=0
summary=()
for so in "$@"; do
    so=$(readlink -f "$so")
    name=$(basename "$so" .so)
    fam=${family[$name]:-}
    problems=()
    echo
    echo "=== $name (breaks the $fam family)"
    if [ -z "$fam" ]; then
        echo "    PROBLEM: no family known for shim $name"
        failed=$((failed + 1))
        summary+=("FAIL    $name: unknown shim")
        continue
    fi

    # The ASan runtime installs its own deadly-signal handlers through the C
    # library's sigaction (its interceptor's "real" sigaction is the shim's),
    # and aborts at startup when that fails: under sigaction_fails it must
    # leave SIGSEGV and friends alone.  (Ignored by builds without ASan.)
    export ASAN_OPTIONS=$base_asan_options
    if [ "$name" = sigaction_fails ]; then
        export ASAN_OPTIONS="$ASAN_OPTIONS:handle_segv=0:handle_sigbus=0:handle_sigfpe=0:handle_sigill=0:handle_abort=0"
    fi

    # 1. The shim is effective, and breaks only its own family.
    timeout -k 5 60 env LD_PRELOAD="$so" "$probe" all > "$tmp/probe.$name" 2>&1
    probe_rc=$?
    if grep -q "ASan runtime does not come first" "$tmp/probe.$name"; then
        echo "    SKIP: the ASan runtime refuses a preloaded library even with verify_asan_link_order=0:"
        sed 's/^/        /' "$tmp/probe.$name"
        skipped=$((skipped + 1))
        summary+=("SKIP    $name: ASan runtime does not come first")
        continue
    fi
    own_total=$(grep -c "^probe: $fam: " "$tmp/probe.$name")
    own_broken=$(grep -c "^probe: $fam: .*: BROKEN" "$tmp/probe.$name")
    other_broken=$(grep -E ': BROKEN' "$tmp/probe.$name" | grep -v "^probe: $fam: ")
    # Its own family's lines, and anything else it broke.
    grep -E "^probe: $fam: |: BROKEN" "$tmp/probe.$name" | sed 's/^/    /'
    if [ "$probe_rc" -eq 124 ] || [ "$probe_rc" -eq 137 ]; then
        problems+=("the probe itself hung under the shim (killed by the outer bound)")
    fi
    if [ "$own_total" -eq 0 ] || [ "$own_broken" -ne "$own_total" ]; then
        problems+=("the shim is not effective: $own_broken of $own_total $fam functions broken")
    fi
    if [ -n "$other_broken" ]; then
        problems+=("the shim breaks functions outside its family: $(echo "$other_broken" | tr '\n' ';')")
    fi

    # 2. The suite under the shim.
    run_suite "$tmp/run.$name" "$so"
    n=$(result_count "$tmp/run.$name")
    echo "    suite: exit status $rc, $n clauses, ${ms} ms (plain ${plain_ms} ms): $(summary_line "$tmp/run.$name" || echo "no summary")"
    if grep -q "ASan runtime does not come first" "$tmp/run.$name"; then
        echo "    SKIP: the ASan runtime refuses a preloaded library even with verify_asan_link_order=0"
        skipped=$((skipped + 1))
        summary+=("SKIP    $name: ASan runtime does not come first")
        continue
    fi
    if grep -q "cannot be preloaded" "$tmp/run.$name"; then
        problems+=("the dynamic loader did not preload the shim into ipcconf: $(grep -m1 "cannot be preloaded" "$tmp/run.$name")")
    fi
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        problems+=("the run did not end by itself: killed after the outer bound of ${bound} s")
    elif [ "$rc" -gt 1 ]; then
        problems+=("the run ended with exit status $rc")
    fi
    if ! summary_line "$tmp/run.$name" > /dev/null; then
        problems+=("the run has no closing summary line")
    fi
    if [ "$n" -ne "$plain_n" ]; then
        problems+=("$n clause results, the plain run has $plain_n")
    fi
    timeouts=$(timeout_lines "$tmp/run.$name")
    if [ -n "$timeouts" ]; then
        problems+=("timeouts: $(echo "$timeouts" | tr '\n' ';')")
    fi
    failed_clauses "$tmp/run.$name" > "$tmp/failed.$name"
    unexpected=()
    while read -r clause; do
        [ -z "$clause" ] && continue
        grep -qxF -e "$clause" "$tmp/plain.failed" && continue
        case " ${allowed[$name]} " in
        *" $clause "*) echo "    allowed to fail under $name: $clause" ;;
        *) unexpected+=("$clause") ;;
        esac
    done < "$tmp/failed.$name"
    if [ ${#unexpected[@]} -gt 0 ]; then
        problems+=("clauses failing only under the shim: ${unexpected[*]}")
    fi

    # 3. The signal clauses judge the C library: they must catch the shim.
    # Many wait for a signal the shim stops, until their bound: a short one
    # keeps this quick, and only "some clause fails" is asked of this run.
    run_suite "$tmp/signal.$name" "$so" signal 0.25
    judged=$(failed_clauses "$tmp/signal.$name" | tr '\n' ' ')
    echo "    signal clauses under $name: exit status $rc, ${ms} ms, failing: ${judged:-none}"
    if [ "$rc" -eq 124 ] || [ "$rc" -eq 137 ]; then
        problems+=("the signal run did not end by itself: killed after the outer bound of ${bound} s")
    elif ! summary_line "$tmp/signal.$name" > /dev/null; then
        problems+=("the signal run has no closing summary line")
    elif [ -z "$judged" ]; then
        problems+=("no signal clause failed under $name: the C library it breaks went unjudged")
    fi

    if [ ${#problems[@]} -eq 0 ]; then
        passed=$((passed + 1))
        summary+=("PASS    $name: ${ms} ms (plain ${plain_ms} ms), probe: $own_broken/$own_total $fam functions broken")
    else
        failed=$((failed + 1))
        summary+=("FAIL    $name")
        for p in "${problems[@]}"; do
            echo "    PROBLEM: $p"
            summary+=("        $p")
        done
        echo "    the run's output, failures and timeouts:"
        grep -vE '^PASS ' "$tmp/run.$name" | sed 's/^/        /'
    fi
done

echo
echo "=== summary"
for line in "${summary[@]}"; do
    echo "$line"
done
[ "$skipped" -gt 0 ] && echo "($skipped skipped)"
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
