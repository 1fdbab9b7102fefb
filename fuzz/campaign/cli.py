"""ci/fuzz-campaign: an overnight fuzzing campaign over the fuzz/ targets.

Builds each target's binaries, replays every regressions/ input, fuzzes
every target with every engine for --time (exchanging inputs between the
engines), printing progress, then merges and minimises the corpus, triages
the crashes, measures the final corpus's source coverage, replays
regressions/ again and writes OUT/report.txt, OUT/report.html and
OUT/summary.json.  Run again with the same --out to resume from the corpus
it left.  Exit status: see EXIT_CODES.
"""
import argparse
import json
import os
import pathlib
import re
import shutil
import signal
import sys
import time
from typing import Dict, List

from campaign import (afl_worker, build, cmplog_probe, corpus, coverage, report, schedule,
                      targets, triage)
from campaign.exchange import Exchange
from campaign.workers import Pair, become_subreaper, kill_all, reap_orphans, sha1_of

ENGINES = ("libfuzzer", "afl")

EXIT_CODES = [
    (0, "no new crash, and every regressions/ input passes"),
    (1, "a new crash: one that no regressions/ input covers"),
    (2, "bad usage"),
    (3, "a build or engine failure (when no crash made it 1, 4 or 5)"),
    (4, "a known regression is back: a regressions/ input crashes again (named in the "
        "report), and no new crash"),
    (5, "both 1 and 4"),
    (130, "interrupted twice (no report)"),
]


def parse_duration(text: str) -> int:
    m = re.fullmatch(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s?)?", text.strip())
    if not text.strip() or m is None:
        raise argparse.ArgumentTypeError("not a duration: %r (e.g. 90s, 30m, 8h, 1h30m)" % text)
    h, mi, s = (int(g or 0) for g in m.groups())
    total = h * 3600 + mi * 60 + s
    if total <= 0:
        raise argparse.ArgumentTypeError("duration must be positive: %r" % text)
    return total


def positive_int(text: str) -> int:
    try:
        v = int(text)
    except ValueError:
        v = 0
    if v <= 0:
        raise argparse.ArgumentTypeError("not a positive integer: %r" % text)
    return v


def parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="ci/fuzz-campaign",
        formatter_class=argparse.RawDescriptionHelpFormatter,
        description="Fuzz the fuzz/<target>/ harnesses with libFuzzer and AFL++ for a time "
                    "budget, exchanging inputs between the engines, then merge the corpus, "
                    "triage crashes, measure source coverage and write a report.  Every "
                    "regressions/ input is replayed before and after fuzzing.",
        epilog="Example: ci/fuzz-campaign --targets framing_decode,framing_roundtrip "
               "--engines libfuzzer,afl --jobs 2 --time 8h --out /var/tmp/fuzz\n\n"
               "Exit status:\n" + "\n".join("  %3d  %s" % c for c in EXIT_CODES))
    ap.add_argument("--targets", help="comma-separated targets (default: all; see --list)")
    ap.add_argument("--engines", default="libfuzzer,afl",
                    help="comma-separated engines among %s (default: both)" % ", ".join(ENGINES))
    ap.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1,
                    help="fuzzing processes at a time, over all target/engine pairs; extra "
                         "ones go to AFL++ first (default: CPUs, %(default)s)")
    ap.add_argument("--time", type=parse_duration, default=parse_duration("10m"),
                    help="fuzzing time budget, e.g. 90s, 30m, 8h (default 10m)")
    ap.add_argument("--out", default="/var/tmp/ipcconf-fuzz-campaign",
                    help="campaign directory; reuse it to resume (default: %(default)s)")
    ap.add_argument("--sanitizer", choices=("asan", "none"), default="asan",
                    help="sanitizers in the libFuzzer binaries (default asan = ASan+UBSan)")
    ap.add_argument("--afl-sanitizer", choices=("asan", "none"), default="asan",
                    help="asan (default): some AFL++ instances run an ASan+UBSan build (the "
                         "only one, if a pair has one); none: all run the plain build")
    ap.add_argument("--no-cmplog", action="store_true",
                    help="no AFL++ CmpLog build, no -c (default: CmpLog on the main instance "
                         "and some secondaries)")
    ap.add_argument("--exchange-every", type=positive_int, metavar="SECS",
                    help="seconds between corpus exchanges of libFuzzer and AFL++ (default: "
                         "a sixth of each round's time, within 10..300)")
    ap.add_argument("--no-coverage", action="store_true",
                    help="skip the llvm-cov source coverage report")
    ap.add_argument("--status-every", type=positive_int, metavar="SECS",
                    help="seconds between progress lines (default 30, 10 for runs under 5m)")
    ap.add_argument("--max-crashes", type=positive_int, default=20, metavar="N",
                    help="stop restarting a libFuzzer worker after N crash files (default 20)")
    ap.add_argument("--bazel", default="bazel", help="the bazel command (default: bazel)")
    ap.add_argument("--output-base", help="Bazel output base for the libFuzzer, replay and "
                    "coverage builds; AFL++ builds use <it>-afl (default: Bazel's own, and "
                    "<it>-afl)")
    ap.add_argument("--bazel-arg", action="append", default=[], metavar="ARG",
                    help="extra flag for every bazel build, repeatable "
                         "(e.g. --bazel-arg=--jobs=1)")
    ap.add_argument("--no-build", action="store_true",
                    help="use the binaries a previous run left in OUT/bin")
    ap.add_argument("--update-corpus", action="store_true",
                    help="add the merged corpus's new inputs to fuzz/<target>/corpus/")
    ap.add_argument("--list", action="store_true", help="list the fuzz targets and exit")
    return ap


T0 = time.time()


def say(msg: str) -> None:
    """A line of the campaign's own, with the time since it started."""
    print("[fuzz-campaign %s] %s" % (report.duration(time.time() - T0), msg), flush=True)


class Stop:
    """First SIGINT/SIGTERM: stop fuzzing and still write the report.  Second: give up."""

    def __init__(self):
        self.requested = False
        signal.signal(signal.SIGINT, self._handler)
        signal.signal(signal.SIGTERM, self._handler)

    def _handler(self, signum, frame):
        if self.requested:
            raise KeyboardInterrupt
        self.requested = True
        say("stopping: fuzzers are told to finish; the report follows (again to abort)")


def repro_lines(args, bins_dir: pathlib.Path):
    extra = " ".join(args.bazel_arg)

    def lines(target: str, b: triage.Bucket) -> List[str]:
        kept = b.kept.resolve()
        return ["reproduce: bazel run --config=asan --strip=never %s//fuzz/%s:%s_bin -- %s" % (
                    extra + " " if extra else "", target, target, kept),
                "       or: %s %s" % ((bins_dir / ("%s.replay" % target)).resolve(), kept),
                "keep it:   cp %s fuzz/%s/regressions/%s" % (kept, target, kept.name)]
    return lines


def update_corpus(target: targets.Target, merged: pathlib.Path) -> int:
    have = {sha1_of(p) for p in targets.inputs_in(target.corpus)}
    added = 0
    for p in targets.inputs_in(merged):
        if p.name not in have:
            shutil.copyfile(p, target.corpus / p.name)
            added += 1
    return added


def main(argv: List[str], workspace: pathlib.Path) -> int:
    args = parser().parse_args(argv)
    known = targets.discover(workspace)
    if args.list:
        for t in known:
            print("%-24s %s" % (t.name, t.dir.relative_to(workspace)))
        return 0
    by_name = {t.name: t for t in known}
    names = args.targets.split(",") if args.targets else list(by_name)
    unknown = [n for n in names if n not in by_name]
    if unknown or not names:
        print("ci/fuzz-campaign: unknown target(s) %s; known: %s" % (
            ", ".join(unknown) or "(none given)", ", ".join(by_name)), file=sys.stderr)
        return 2
    engines = [e for e in args.engines.split(",") if e]
    if not engines or any(e not in ENGINES for e in engines):
        print("ci/fuzz-campaign: --engines takes %s, not %r" % (" and/or ".join(ENGINES),
                                                               args.engines), file=sys.stderr)
        return 2
    needed = (["afl-fuzz", "afl-cmin", "afl-tmin"] if "afl" in engines else []) + \
        ([] if args.no_build else [args.bazel])
    missing = [c for c in needed if shutil.which(c) is None]
    if missing:
        print("ci/fuzz-campaign: not found: %s (Debian: apt install afl++ bazel-bootstrap)" %
              ", ".join(missing), file=sys.stderr)
        return 2
    chosen = [by_name[n] for n in names]
    args.status_every = args.status_every or (10 if args.time < 300 else 30)

    out = pathlib.Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    lock = out / ".lock"
    try:
        fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
        os.write(fd, str(os.getpid()).encode())
        os.close(fd)
    except FileExistsError:
        print("ci/fuzz-campaign: %s is in use by another campaign (remove %s if not)" % (
            out, lock), file=sys.stderr)
        return 2
    try:
        return run(args, workspace, out, chosen, engines)
    except KeyboardInterrupt:
        kill_all()
        print("ci/fuzz-campaign: aborted; no report written", file=sys.stderr)
        return 130
    except BaseException:
        kill_all()  # never leave fuzzers running, whatever went wrong
        raise
    finally:
        lock.unlink()


def build_kinds(args, engines: List[str], ntargets: int) -> Dict[str, List[str]]:
    """Binary kind -> Bazel flags (see build.py)."""
    san = ["--config=asan"]
    kinds = {"replay": san + ["--strip=never"]}
    if "libfuzzer" in engines:
        kinds["libfuzzer"] = ["--config=libfuzzer"] + (san if args.sanitizer == "asan" else [])
    if "afl" in engines:
        # Only the builds the instances fuzz (afl_worker.roster): a lone
        # instance runs ASan+UBSan with CmpLog compiled in, the main of
        # several the plain build with CmpLog, secondaries vary.
        counts = schedule.afl_instance_counts(engines, ntargets, args.jobs) or [1]
        for kind in afl_worker.binary_kinds(counts, args.afl_sanitizer == "asan",
                                            not args.no_cmplog):
            kinds[kind] = ["--config=" + kind]
    if not args.no_coverage:
        kinds["coverage"] = ["--config=coverage-report"]
    return kinds


def replay_regressions(chosen, bins, when: str) -> Dict[str, triage.Known]:
    known = {}
    for t in chosen:
        known[t.name] = k = triage.check_regressions(t, bins[(t.name, "replay")])
        for p in k.failing:
            say("REGRESSION %s: %s crashes again (%s fuzzing): %s" % (
                t.name, p.relative_to(t.dir.parent.parent), when, k.why[p.name]))
    return known


def run(args, workspace, out, chosen, engines) -> int:
    stop = Stop()
    t_begin = time.time()
    started = report.now()
    bins_dir = out / "bin"
    kinds = build_kinds(args, engines, len(chosen))
    bins = {}
    uses_cmplog = any(k.endswith("-cmplog") for k in kinds)
    probe = bins_dir / cmplog_probe.BINARY
    if args.no_build:
        wanted = [bins_dir / ("%s.%s" % (t.name, k)) for t in chosen for k in kinds]
        for p in wanted + ([probe] if uses_cmplog else []):
            if not p.is_file():
                print("ci/fuzz-campaign: --no-build, but %s is missing" % p, file=sys.stderr)
                return 2
        bins = {(t.name, k): bins_dir / ("%s.%s" % (t.name, k)) for t in chosen for k in kinds}
    else:
        bazel = build.Bazel(workspace, args.bazel, args.output_base, args.bazel_arg,
                            out / "build.log")
        try:
            bins = build.build_all(bazel, chosen, kinds, bins_dir, say)
            if uses_cmplog:
                say("building the CmpLog probe: %s" % cmplog_probe.LABEL)
                cmplog_probe.build(bazel, bins_dir)
        except build.BuildError as e:
            say("build failed: %s" % e)
            return 3

    notes: List[str] = []
    become_subreaper()  # after the builds: see workers.py
    if uses_cmplog:
        solved, took, why = cmplog_probe.run(probe, out / "cmplog-probe")
        if not solved:
            say("AFL++'s CmpLog does not work here: in %.0f s it did not solve the probe's "
                "two 32-bit comparisons (fuzz/campaign/cmplog_probe.py), so it would not pass "
                "a checksum either.  Fuzz without it: --no-cmplog.\n%s" % (took, why))
            return 3
        say("CmpLog works: AFL++ solved the probe's comparisons in %.1f s" % took)
    say("replaying every regressions/ input before fuzzing")
    known = replay_regressions(chosen, bins, "before")
    pairs: List[Pair] = []
    exchanges: Dict[str, Exchange] = {}
    for t in chosen:
        for e in engines:
            binaries = {k: bins[(t.name, k)] for k in kinds if k.startswith(e)}
            pairs.append(Pair(t, e, out / t.name, binaries, frozenset(known[t.name].failing)))
        mine = {p.engine: p for p in pairs if p.target == t}
        if len(mine) == 2:
            exchanges[t.name] = Exchange(mine["libfuzzer"], mine["afl"])
    for t in chosen:
        resumed = len(targets.inputs_in(out / t.name / "corpus"))
        if resumed:
            say("%s: resuming from %d inputs in %s" % (t.name, resumed, out / t.name / "corpus"))

    progress = schedule.Progress(pairs, time.time(), args.status_every, out / "timeline.csv")
    engine_failed = False
    try:
        fuzzed = schedule.fuzz(pairs, exchanges, args, stop, progress, notes, say)
    except RuntimeError as e:
        say("an engine failed:\n%s" % e)
        notes.append("engine failure: %s" % str(e).splitlines()[0])
        fuzzed, engine_failed = time.time() - t_begin, True

    # Before the merge: it replaces the working corpus.
    finals = {p.key: p.snapshot() for p in pairs}
    exchanged = {t: ex.summary() for t, ex in exchanges.items()}
    merges, buckets, covs = {}, {}, {}
    tools = coverage.tools()
    for t in chosen:
        lf = bins.get((t.name, "libfuzzer"))
        afl = afl_worker.pick_binary({k: v for (n, k), v in bins.items() if n == t.name},
                                     prefer_asan=False)
        say("%s: merging and minimising the corpus" % t.name)
        try:
            m = corpus.merge(t, out / t.name, lf, afl, out / t.name / "merge.log")
        except Exception as e:  # a merge failure must not lose the crash report
            m = {"error": str(e)}
            notes.append("%s: corpus merge failed: %s" % (t.name, e))
        m["dir"] = out / t.name / "merged"
        merges[t.name] = m
        if args.update_corpus and "error" not in m:
            say("%s: added %d inputs to %s" % (t.name, update_corpus(t, m["dir"]), t.corpus))
        say("%s: triaging crashes" % t.name)
        tbins = {k: bins[(t.name, k)] for k in kinds}
        buckets[t.name] = triage.triage(t, [p for p in pairs if p.target == t], tbins,
                                        known[t.name], out / t.name, out / t.name / "triage.log")
        if "coverage" in kinds:
            say("%s: source coverage of the final corpus" % t.name)
            src = m["dir"] if targets.inputs_in(m["dir"]) else out / t.name / "corpus"
            covs[t.name] = coverage.report(t.name, bins[(t.name, "coverage")], src,
                                           out / "coverage" / t.name, workspace, tools,
                                           out / t.name / "coverage.log")
            if covs[t.name].get("error"):
                notes.append("%s: coverage: %s" % (t.name, covs[t.name]["error"]))

    reap_orphans()
    say("replaying every regressions/ input after fuzzing")
    known_after = replay_regressions(chosen, bins, "after")
    regressions = {}
    for t in chosen:
        before, after = known[t.name].why, known_after[t.name].why
        regressions[t.name] = {
            "replayed": known[t.name].replayed,
            "failing": {n: {"signature": before.get(n) or after.get(n),
                            "when": " and ".join(w for w, d in (("before", before),
                                                                ("after", after)) if n in d)}
                        for n in sorted(set(before) | set(after))}}

    new = sum(1 for bs in buckets.values() for b in bs if b.new)
    back = sum(len(r["failing"]) for r in regressions.values())
    code = (1 if new else 0) + (4 if back else 0)
    if code == 0 and engine_failed:
        code = 3
    summary = {
        "started": started, "command": " ".join(["ci/fuzz-campaign"] + sys.argv[1:]),
        "out": str(out), "planned": args.time, "fuzzed": fuzzed, "notes": notes,
        "targets": [t.name for t in chosen], "timeline": progress.timeline, "merges": merges,
        "exchange": exchanged, "coverage": covs,
        "regressions": regressions, "new_crashes": new,
        "exit": {"code": code, "meaning": dict(EXIT_CODES)[code]}, "pairs": [],
    }
    for p in pairs:
        s = finals[p.key]
        summary["pairs"].append({
            "key": p.key, "target": p.target.name, "engine": p.engine,
            "workers": len({w.index for w in p.workers}),
            "settings": sorted({w.describe() for w in p.workers}),
            "seconds": p.fuzzed, "execs": s["execs"],
            "exec_per_sec": s["execs"] / p.fuzzed if p.fuzzed else 0,
            "coverage": s["coverage"], "coverage_start": s["coverage_start"],
            "corpus": s["corpus"], "own_new": s["own_new"], "imported": s["imported"],
            "crashes": s["crashes"], "new_crashes": s["crashes"] - p.crashes_at_start})
    repro = repro_lines(args, bins_dir)
    text = report.write_text(out / "report.txt", summary, buckets, repro)
    report.write_html(out / "report.html", summary, buckets, repro)
    (out / "summary.json").write_text(json.dumps(
        {k: v for k, v in summary.items() if k != "timeline"}, indent=1, default=str) + "\n")
    print()
    print(text, end="")
    say("report: %s and %s" % (out / "report.txt", out / "report.html"))
    return code
