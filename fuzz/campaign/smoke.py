"""ci/fuzz-smoke: a short campaign over every target with both engines, and
checks that each target fuzzes as it should.

It runs ci/fuzz-campaign (libFuzzer with ASan+UBSan, AFL++ with its
default instances), --seconds per target and engine, two fuzzers at a
time, then reads the campaign's summary.json and fails when

  - the campaign failed, or left any crash file (new or known);
  - a target/engine ran no executions, or made no progress: found no input
    of its own and (libFuzzer) did not raise its coverage;
  - its exec/s is below 1/5 (--min-fraction) of its baseline in
    fuzz/smoke-baselines.txt, or it has no baseline there.

Baselines are what this script measures (--write-baselines rewrites the
file from a run), so they compare like with like: same settings, same
budget, startup and calibration included.
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import signal
import subprocess
import sys
import tempfile
from typing import Dict, List, Optional, Tuple

BASELINES = "fuzz/smoke-baselines.txt"
JOBS = 2
HEADER = """\
# exec/s of each fuzz target and engine under ci/fuzz-smoke: what the
# campaign's summary reports (executions / wall time of the pair, engine
# startup and calibration included), libFuzzer with ASan+UBSan, AFL++ as
# the campaign runs a pair with one instance (ASan+UBSan binary, CmpLog),
# {seconds} s each, {jobs} at a time, on {machine}.
# ci/fuzz-smoke fails a target/engine measured below {fraction} of its line.
# Regenerate: ci/fuzz-smoke --write-baselines (then review the diff).
#
# target                 engine      exec/s
"""


def read_baselines(path: pathlib.Path) -> Dict[Tuple[str, str], float]:
    out = {}
    for n, line in enumerate(path.read_text().splitlines(), 1):
        line = line.split("#", 1)[0].strip()
        if not line:
            continue
        fields = line.split()
        if len(fields) != 3 or not re.fullmatch(r"\d+(\.\d+)?", fields[2]):
            raise ValueError("%s:%d: want 'target engine exec/s', got %r" % (path, n, line))
        out[(fields[0], fields[1])] = float(fields[2])
    return out


def write_baselines(path: pathlib.Path, pairs: List[dict], seconds: int, fraction: float,
                    machine: str) -> None:
    text = HEADER.format(seconds=seconds, jobs=JOBS, machine=machine,
                         fraction="1/%g" % (1 / fraction) if fraction else fraction)
    for p in sorted(pairs, key=lambda p: (p["target"], p["engine"])):
        text += "%-24s %-11s %d\n" % (p["target"], p["engine"], round(p["exec_per_sec"]))
    path.write_text(text)


def machine_description() -> str:
    model = "?"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                model = " ".join(line.split(":", 1)[1].split())
                break
    except OSError:
        pass
    return "%d x %s" % (os.cpu_count() or 1, model)


def progress_problem(p: dict) -> Optional[str]:
    if p["execs"] <= 0:
        return "ran no executions"
    gained = (p["coverage_start"] is not None and p["coverage"] > p["coverage_start"])
    if p["own_new"] <= 0 and not gained:
        return "made no progress: no input of its own%s" % (
            ", coverage stayed at %d" % p["coverage"] if p["coverage_start"] is not None else "")
    return None


def check(summary: dict, baselines: Dict[Tuple[str, str], float], fraction: float,
          baselines_path: str) -> List[str]:
    failures = []
    for p in summary["pairs"]:
        who = "%s %s" % (p["target"], p["engine"])
        problem = progress_problem(p)
        if problem:
            failures.append("%s: %s (%d execs)" % (who, problem, p["execs"]))
        base = baselines.get((p["target"], p["engine"]))
        if base is None:
            failures.append("%s: no baseline exec/s in %s (measured %d exec/s): add a line "
                            "'%s %s <exec/s>' or run ci/fuzz-smoke --write-baselines" % (
                                who, baselines_path, p["exec_per_sec"], p["target"],
                                p["engine"]))
        elif p["exec_per_sec"] < base * fraction:
            failures.append("%s: %d exec/s, below %g of its baseline %d exec/s (%s)" % (
                who, p["exec_per_sec"], fraction, base, baselines_path))
    return failures


def _run_campaign(cmd: List[str]) -> Tuple[int, bool]:
    """Runs the campaign; SIGINT and SIGTERM are passed on to it rather than
    ending this process alone: it stops its fuzzers and still reports (a
    second one makes it kill them and give up).  Returns its exit status,
    and whether it was interrupted so."""
    proc = subprocess.Popen(cmd)
    interrupted = []

    def forward(signum, _frame):
        interrupted.append(signum)
        proc.send_signal(signum)

    previous = signal.signal(signal.SIGTERM, forward)
    try:
        while True:
            try:
                return proc.wait(), bool(interrupted)
            except KeyboardInterrupt:
                forward(signal.SIGINT, None)
    finally:
        signal.signal(signal.SIGTERM, previous)


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="ci/fuzz-smoke", description=__doc__.split("\n\n")[0].replace("\n", " "),
        epilog="Exit status: 0 pass; 1 a crash, a target without progress or too slow, or "
               "without a baseline; 2 usage; 3 a build or engine failure.")
    ap.add_argument("--seconds", type=int, default=30,
                    help="fuzzing seconds per target and engine (default %(default)s)")
    ap.add_argument("--targets", help="comma-separated targets (default: every fuzz target)")
    ap.add_argument("--out", help="campaign directory (default: a temporary one, removed)")
    ap.add_argument("--output-base", help="passed to ci/fuzz-campaign")
    ap.add_argument("--bazel-arg", action="append", default=[], metavar="ARG",
                    help="passed to ci/fuzz-campaign, repeatable")
    ap.add_argument("--baselines", default=BASELINES,
                    help="baseline file, relative to the workspace (default %(default)s)")
    ap.add_argument("--min-fraction", type=float, default=0.2,
                    help="fail below this fraction of the baseline exec/s (default %(default)s)")
    ap.add_argument("--write-baselines", action="store_true",
                    help="write the measured exec/s as the new baselines (the other checks "
                         "still apply)")
    ap.add_argument("--no-coverage", action="store_true", help="passed to ci/fuzz-campaign")
    return ap


def main(argv: List[str], workspace: pathlib.Path) -> int:
    args = parser().parse_args(argv)
    if args.seconds <= 0 or not 0 < args.min_fraction <= 1:
        print("fuzz-smoke: --seconds wants a positive number, --min-fraction a number in "
              "(0, 1]", file=sys.stderr)
        return 2
    campaign = str(workspace / "ci" / "fuzz-campaign")
    # Every fuzz/<t>/BUILD declaring ipcconf_fuzz_test (campaign/targets.py).
    listed = subprocess.run([campaign, "--list"], stdout=subprocess.PIPE, text=True, check=True)
    names = args.targets.split(",") if args.targets else [
        line.split()[0] for line in listed.stdout.splitlines()]
    if not names:
        print("fuzz-smoke: no fuzz targets found", file=sys.stderr)
        return 2
    baselines_path = workspace / args.baselines
    try:
        baselines = read_baselines(baselines_path) if baselines_path.is_file() else {}
    except ValueError as e:
        print("fuzz-smoke: %s" % e, file=sys.stderr)
        return 2
    # The campaign splits its budget into rounds of JOBS pairs: each pair gets `seconds`.
    pairs = 2 * len(names)
    budget = (pairs + JOBS - 1) // JOBS * args.seconds
    tmp = None
    out = args.out
    if out is None:
        tmp = tempfile.mkdtemp(prefix="ipcconf-fuzz-smoke.")
        out = tmp
    print("fuzz-smoke: %s, libFuzzer+ASan and AFL++, %ds each, %d at a time (%ds)" % (
        ",".join(names), args.seconds, JOBS, budget), flush=True)
    cmd = [campaign, "--targets", ",".join(names), "--engines", "libfuzzer,afl",
           "--jobs", str(JOBS), "--time", "%ds" % budget, "--status-every", "10", "--out", out]
    if args.output_base:
        cmd.append("--output-base=" + args.output_base)
    cmd += ["--bazel-arg=" + a for a in args.bazel_arg]
    if args.no_coverage:
        cmd.append("--no-coverage")
    try:
        rc, interrupted = _run_campaign(cmd)
        summary_path = pathlib.Path(out) / "summary.json"
        if not summary_path.is_file():
            print("fuzz-smoke: FAIL: the campaign wrote no summary (exit %d)" % rc)
            return 3
        summary = json.loads(summary_path.read_text())
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    failures = ["interrupted: the figures cover part of the run only"] if interrupted else []
    crashes = sum(p["crashes"] for p in summary["pairs"])
    if rc != 0 or crashes:
        failures.append("campaign exit %d (%s); %d crash file(s)" % (
            rc, summary["exit"]["meaning"], crashes))
    if args.write_baselines and not interrupted:
        machine = machine_description()
        write_baselines(baselines_path, summary["pairs"], args.seconds, args.min_fraction,
                        machine)
        print("fuzz-smoke: wrote %s" % baselines_path)
        baselines = read_baselines(baselines_path)
    failures += check(summary, baselines, args.min_fraction, args.baselines)
    print()
    print("fuzz-smoke: %-34s %10s %10s %9s %9s" % ("target/engine", "exec/s", "baseline",
                                                  "own finds", "coverage"))
    for p in summary["pairs"]:
        base = baselines.get((p["target"], p["engine"]))
        cov = "%d" % p["coverage"] if p["coverage_start"] is None else "%d->%d" % (
            p["coverage_start"], p["coverage"])
        print("fuzz-smoke: %-34s %10d %10s %9s %9s" % (
            p["key"], p["exec_per_sec"], "-" if base is None else "%d" % base,
            "+%d" % p["own_new"], cov))
    if failures:
        for f in failures:
            print("fuzz-smoke: FAIL: %s" % f)
        return 3 if rc == 3 else 1
    print("fuzz-smoke: PASS: every target ran, found inputs of its own, at least %g of its "
          "baseline exec/s; no crash" % args.min_fraction)
    return 0
