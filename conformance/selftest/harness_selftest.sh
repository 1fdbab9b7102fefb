#!/bin/bash
# The harness's promises as a user meets them: runs the `selftest`
# mechanism's clauses (selftest_*_test.c), which exercise the harness rather
# than an implementation, and checks
#   - every clause's verdict and its message, line by line (from --json);
#   - that no object a clause made outlives the run, also after a kill
#     (System V by key in ipcs, POSIX names, sockets, FIFOs, directories);
#   - that names are unique and carry a random part, per run;
#   - that four runs at once all give the same verdicts, with no collision.
# Ends with "N passed, M failed" counting its checks; exit status 1 on any
# problem.  Every run is bounded (timeout 120), so it cannot hang.
# usage: harness_selftest.sh IPCCONF_SELFTEST
set -u
bin=$1
tmp=${TEST_TMPDIR:-$(mktemp -d)}
passed=0
failed=0

ok() {
    passed=$((passed + 1))
}
problem() {
    echo "PROBLEM: $*"
    failed=$((failed + 1))
}

# run_suite DIR: one run of every selftest clause, its list files in DIR.
run_suite() {
    local dir=$1
    mkdir -p "$dir"
    IPCCONF_SELFTEST_OUT=$dir timeout 120 "$bin" run --impl os --mechanism selftest \
        --json "$dir/out.json" > "$dir/stdout" 2>&1
    echo $? > "$dir/rc"
}

# Judges one run's report and objects (see check_run below); prints
# "ok: ..." or "not ok: ..." per check.
cat > "$tmp/verify.py" <<'PY'
import ctypes, errno, json, os, re, subprocess, sys

run_dir_arg, test_tmpdir = sys.argv[1], sys.argv[2]
results = []

def check(cond, what, detail=""):
    results.append((bool(cond), what if cond else "%s: %s" % (what, detail)))

doc = json.load(open(os.path.join(run_dir_arg, "out.json")))
mul = doc["timeout_mul"]
xmul = "%.2g" % mul  # as block.c prints it: %.2g
by_id = {r["id"]: r for r in doc["results"]}

# Lines of a detail, each matched by one regex, in order and all of them.
def lines_are(clause, patterns):
    r = by_id.get(clause)
    if not r:
        check(False, clause + " was run", "missing from the report")
        return None
    lines = r["detail"].split("\n") if r["detail"] else []
    ok = len(lines) == len(patterns) and all(re.fullmatch(p, l) for p, l in zip(patterns, lines))
    check(ok, clause + " message", "got %r, expected lines matching %r" % (lines, patterns))
    return r

def verdict_is(clause, verdict):
    r = by_id.get(clause)
    got = r["verdict"] if r else "(not run)"
    check(got == verdict, "%s is %s" % (clause, verdict), "got " + got)

expected = {
    "selftest.verdict.no_check": "BROKEN",
    "selftest.block.nap": "FAIL",
    "selftest.block.released": "PASS",
    "selftest.block.at_once": "FAIL",
    "selftest.block.never_returns": "FAIL",
    "selftest.objects.ended": "PASS",
    "selftest.objects.killed": "FAIL",
    "selftest.signals.clean_start": "PASS",
    "selftest.signals.sigchld_ignored": "BROKEN",
}
check(sorted(by_id) == sorted(expected), "the run has exactly the selftest clauses",
      "got %s" % sorted(by_id))
for clause, verdict in expected.items():
    verdict_is(clause, verdict)

# 1. No check: BROKEN, from the runner.
lines_are("selftest.verdict.no_check", [r"broken: the clause ran no check"])

# 2. block.h.  A nap shorter than the grace: the helper's own report, then
# the clause's, both saying it did not block.
nap = r"a 30 ms nap returned 0"
lines_are("selftest.block.nap", [
    r"fail: block\.c:\d+: " + nap + r" before the clause's releasing action: it did not block until released",
    r"fail: block\.c:\d+: " + nap + r" while the clause waited 40 ms \(x" + re.escape(xmul)
    + r"\) without releasing it: it did not block",
])
lines_are("selftest.block.released", [])
lines_are("selftest.block.at_once", [
    r"fail: block\.c:\d+: an immediate return returned 5 before the clause's releasing action: it did not block until released",
    r"fail: block\.c:\d+: an immediate return returned 5 after [0-9.]+ ms instead of blocking",
])
# Never returns: a FAIL naming the call and where it was, given by block.h
# at the clause's deadline (300 ms), not by the watchdog's kill after it.
r = lines_are("selftest.block.never_returns", [
    r"fail: block\.c:\d+: timeout: a call that never returns did not return after the releasing action; "
    r"its last step: a call that never returns \(expected to block\)",
])
if r:
    bound = 300 * mul
    check(bound <= r["time_ms"] < bound + 400 * mul,
          "selftest.block.never_returns ends at its 300 ms bound, not later",
          "took %.0f ms (bound %.0f ms)" % (r["time_ms"], bound))

# 3. Objects.  The killed clause: a timeout naming where each process was.
lines_are("selftest.objects.killed", [
    r"fail: timeout: the clause did not finish within %.0f ms \(timeout-mul %s\); killed"
    % (300 * mul, re.escape(xmul)),
    r"  pid \d+ was at: hanging with the objects open until the watchdog kills the clause",
    r"  pid \d+ was at: helper: hanging with the objects open",
])
lines_are("selftest.objects.ended", [])

# 6. A clean signal state in the clause process.
lines_are("selftest.signals.clean_start", [])

# 5. SIGCHLD ignored: a clear BROKEN at once, not a stall until the 2 s bound.
r = lines_are("selftest.signals.sigchld_ignored", [
    r"broken: process\.c:\d+: waiting for pid \d+: not a child, or reaped already \(is SIGCHLD ignored\?\)",
])
if r:
    check(r["time_ms"] < 500 * mul, "selftest.signals.sigchld_ignored does not stall",
          "took %.0f ms of its %.0f ms bound" % (r["time_ms"], 2000 * mul))

# The objects the two object clauses made must all be gone.
libc = ctypes.CDLL(None, use_errno=True)
libc.mq_open.restype = ctypes.c_int
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int]

def ipcs_keys(flag):
    out = subprocess.run(["ipcs", flag], capture_output=True, text=True, check=True).stdout
    return {line.split()[0] for line in out.splitlines() if line.startswith("0x")}

def mq_exists(name):
    # Asked of the kernel: a /dev/mqueue directory need not be the mqueue
    # file system (an empty directory is left on some machines).
    fd = libc.mq_open(name.encode(), os.O_RDONLY)
    if fd >= 0:
        os.close(fd)
        return True
    return ctypes.get_errno() != errno.ENOENT

def still_there(kind, value):
    if kind in ("msg_key", "shm_key", "sem_key"):
        return value in ipcs_keys({"msg_key": "-q", "shm_key": "-m", "sem_key": "-s"}[kind])
    if kind == "posix_shm":
        return os.path.lexists("/dev/shm" + value)
    if kind == "posix_sem":
        return os.path.lexists("/dev/shm/sem." + value[1:])
    if kind == "posix_mq":
        return mq_exists(value)
    return os.path.lexists(value)  # socket, fifo, directories

# A checker that can see nothing proves nothing: it must see objects that do
# exist, of the kinds whose lookup is not a plain path.
ctl = subprocess.run(["ipcmk", "-Q", "-p", "0600"], capture_output=True, text=True)
m = re.search(r"id: (\d+)", ctl.stdout)
if m:
    qid = m.group(1)
    key = [l.split()[0] for l in subprocess.run(["ipcs", "-q"], capture_output=True, text=True).stdout.splitlines()
           if l.startswith("0x") and l.split()[1] == qid]
    check(key and still_there("msg_key", key[0]), "the checker sees an existing System V queue",
          "ipcs did not show queue %s" % qid)
    subprocess.run(["ipcrm", "-q", qid])
else:
    check(False, "ipcmk -Q made a control queue", ctl.stderr.strip())
ctl_mq = "/ipcconf-selftest-control-%d" % os.getpid()
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int, ctypes.c_uint, ctypes.c_void_p]
fd = libc.mq_open(ctl_mq.encode(), os.O_RDWR | os.O_CREAT | os.O_EXCL, 0o600, None)
libc.mq_open.argtypes = [ctypes.c_char_p, ctypes.c_int]
check(fd >= 0 and mq_exists(ctl_mq), "the checker sees an existing POSIX message queue",
      "mq_open: %s" % os.strerror(ctypes.get_errno()))
if fd >= 0:
    os.close(fd)
    libc.mq_unlink(ctl_mq.encode())

kinds = ["msg_key", "shm_key", "sem_key", "posix_shm", "posix_mq", "posix_sem",
         "socket", "fifo", "clause_dir", "run_dir", "socket_dir"]
names = {}
for slug in ("ended", "killed"):
    path = os.path.join(run_dir_arg, slug + ".objects")
    try:
        listed = dict(line.split(" ", 1) for line in open(path).read().splitlines())
    except OSError as e:
        check(False, "the %s clause listed its objects" % slug, str(e))
        continue
    check(sorted(listed) == sorted(kinds), "the %s clause listed every kind" % slug,
          "got %s" % sorted(listed))
    names[slug] = listed
    for kind, value in sorted(listed.items()):
        check(not still_there(kind, value), "%s's %s %s is gone" % (slug, kind, value), "still there")

# 4. Names: a random part, the clause's own part, and within limits.
for slug, listed in names.items():
    for kind in ("posix_shm", "posix_mq", "posix_sem"):
        leaf = kind.split("_")[1]
        check(re.fullmatch(r"/ipcconf-[0-9a-f]{16}-\d+-" + leaf, listed.get(kind, "")),
              "%s's %s has a 64-bit random part" % (slug, kind), listed.get(kind))
    check(re.fullmatch(r".*/ipcconf-[0-9a-f]{16}/c\d+", listed.get("clause_dir", "")),
          "%s's clause directory is under a random run directory" % slug, listed.get("clause_dir"))
    check(listed.get("run_dir", "").startswith(test_tmpdir.rstrip("/") + "/"),
          "%s's run directory is under $TEST_TMPDIR" % slug, listed.get("run_dir"))
    check(len(listed.get("socket", "")) <= 107, "%s's socket path fits sun_path" % slug,
          "%d bytes" % len(listed.get("socket", "")))
if len(names) == 2:
    e, k = names["ended"], names["killed"]
    check(all(e[x] != k[x] for x in kinds[:8] + ["clause_dir"]),
          "two clauses of one run got distinct names", "%s / %s" % (e, k))
# Every name of this run, for comparing runs.
with open(os.path.join(run_dir_arg, "names"), "w") as f:
    for slug, listed in names.items():
        for kind, value in listed.items():
            if kind not in ("run_dir", "socket_dir") and not kind.endswith("_key"):
                f.write(value + "\n")

for good, what in results:
    print(("ok: " if good else "not ok: ") + what)
PY

# check_run DIR NAME: the run in DIR ended by itself with status 1 (there
# are expected failures), its summary says so, and verify.py is content.
check_run() {
    local dir=$1 name=$2 rc
    rc=$(cat "$dir/rc")
    if [ "$rc" -eq 124 ]; then
        problem "$name: did not end within 120 s"
        return
    fi
    [ "$rc" -eq 1 ] && ok || problem "$name: exit status $rc, expected 1: $(tail -n 5 "$dir/stdout")"
    [ "$(tail -n 1 "$dir/stdout")" = "3 passed, 6 failed, 0 skipped" ] && ok ||
        problem "$name: last line '$(tail -n 1 "$dir/stdout")', expected '3 passed, 6 failed, 0 skipped'"
    if ! python3 "$tmp/verify.py" "$dir" "$tmp" > "$dir/verify" 2>&1; then
        problem "$name: verify.py failed: $(cat "$dir/verify")"
        return
    fi
    local n
    n=$(grep -c '^ok: ' "$dir/verify")
    passed=$((passed + n))
    while IFS= read -r line; do
        problem "$name: ${line#not ok: }"
    done < <(grep '^not ok: ' "$dir/verify")
    [ "$n" -gt 0 ] || problem "$name: verify.py made no check"
}

# One run alone.
run_suite "$tmp/alone"
check_run "$tmp/alone" "run alone"

# 7. Four runs at once: the same verdicts, no collision.
for i in 1 2 3 4; do
    run_suite "$tmp/parallel$i" &
done
wait
for i in 1 2 3 4; do
    check_run "$tmp/parallel$i" "parallel run $i"
done

# 4. Across runs every name differs (the random run tag).
dups=$(cat "$tmp"/alone/names "$tmp"/parallel?/names 2>/dev/null | sort | uniq -d)
count=$(cat "$tmp"/alone/names "$tmp"/parallel?/names 2>/dev/null | wc -l)
[ "$count" -eq 60 ] && ok || problem "expected 60 names from 5 runs, got $count"
[ -z "$dups" ] && ok || problem "names shared between runs: $dups"
tags=$(cat "$tmp"/alone/names "$tmp"/parallel?/names 2>/dev/null |
    sed -n 's|^/ipcconf-\([0-9a-f]*\)-.*|\1|p' | sort -u | wc -l)
[ "$tags" -eq 5 ] && ok || problem "expected 5 distinct random tags in POSIX names, got $tags"

# For the log: what one clause made, and where.
echo "objects of selftest.objects.killed in the first run (all checked gone):"
sed 's/^/    /' "$tmp/alone/killed.objects" 2>/dev/null
[ "$failed" -eq 0 ] || { echo; cat "$tmp/alone/stdout"; }
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
