"""ci/fuzz-campaign: an overnight fuzzing campaign over the fuzz/ targets.

Builds each target's binaries, fuzzes every target with every engine for
--time, printing progress, then merges and minimises the corpus, triages
the crashes and writes OUT/report.txt and OUT/report.html.  Exit status:
0 no new crash, 1 a new crash (one that no regressions/ input already
covers), 2 bad usage, 3 a build or engine failure, 130 interrupted twice.
Run again with the same --out to resume from the corpus it left.
"""
import argparse
import math
import os
import pathlib
import re
import shutil
import signal
import sys
import time
from typing import Dict, List

from campaign import build, corpus, report, targets, triage
from campaign.workers import AflWorker, LibFuzzerWorker, Pair, kill_all, sha1_of

ENGINES = ("libfuzzer", "afl")
POLL_SECS = 1.0


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
        description="Fuzz the fuzz/<target>/ harnesses with libFuzzer and AFL++ for a time "
                    "budget, then merge the corpus, triage crashes and write a report.",
        epilog="Example: ci/fuzz-campaign --targets framing_decode,framing_roundtrip "
               "--engines libfuzzer,afl --jobs 2 --time 8h --out /var/tmp/fuzz. "
               "Exit status: 0 no new crash, 1 new crash, 2 usage, 3 build/engine failure.")
    ap.add_argument("--targets", help="comma-separated targets (default: all; see --list)")
    ap.add_argument("--engines", default="libfuzzer,afl",
                    help="comma-separated engines among %s (default: both)" % ", ".join(ENGINES))
    ap.add_argument("--jobs", type=positive_int, default=os.cpu_count() or 1,
                    help="fuzzing processes at a time, over all target/engine pairs "
                         "(default: CPUs, %(default)s)")
    ap.add_argument("--time", type=parse_duration, default=parse_duration("10m"),
                    help="fuzzing time budget, e.g. 90s, 30m, 8h (default 10m)")
    ap.add_argument("--out", default="/var/tmp/ipcconf-fuzz-campaign",
                    help="campaign directory; reuse it to resume (default: %(default)s)")
    ap.add_argument("--sanitizer", choices=("asan", "none"), default="asan",
                    help="sanitizers in the libFuzzer binaries (default asan = ASan+UBSan)")
    ap.add_argument("--afl-sanitizer", choices=("asan", "none"), default="none",
                    help="sanitizers in the AFL++ binaries (default none: faster)")
    ap.add_argument("--slice", type=positive_int, default=120, metavar="SECS",
                    help="restart libFuzzer processes after this long (default %(default)s)")
    ap.add_argument("--status-every", type=positive_int, metavar="SECS",
                    help="seconds between progress lines (default 30, 10 for runs under 5m)")
    ap.add_argument("--max-crashes", type=positive_int, default=20, metavar="N",
                    help="stop restarting a libFuzzer pair after N crash files (default 20)")
    ap.add_argument("--bazel", default="bazel", help="the bazel command (default: bazel)")
    ap.add_argument("--output-base", help="Bazel output base for the libFuzzer and replay "
                    "builds; AFL++ builds use <it>-afl (default: Bazel's own, and <it>-afl)")
    ap.add_argument("--bazel-arg", action="append", default=[], metavar="ARG",
                    help="extra flag for every bazel build, repeatable "
                         "(e.g. --bazel-arg=--define=ipcconf_plant=framing_length)")
    ap.add_argument("--no-build", action="store_true",
                    help="use the binaries a previous run left in OUT/bin")
    ap.add_argument("--update-corpus", action="store_true",
                    help="add the merged corpus's new inputs to fuzz/<target>/corpus/")
    ap.add_argument("--list", action="store_true", help="list the fuzz targets and exit")
    return ap


def say(msg: str) -> None:
    print("[fuzz-campaign] %s" % msg, flush=True)


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


def plan(pairs: List[Pair], jobs: int, total: int):
    """Rounds of (pair, workers): all pairs at once when jobs allow, else time slices."""
    if jobs >= len(pairs):
        per = [jobs // len(pairs) + (1 if i < jobs % len(pairs) else 0)
               for i in range(len(pairs))]
        return [(list(zip(pairs, per)), total)]
    nrounds = math.ceil(len(pairs) / jobs)
    return [([(p, 1) for p in pairs[i * jobs:(i + 1) * jobs]], total // nrounds)
            for i in range(nrounds)]


class Progress:
    """Samples every pair: prints progress lines and keeps the coverage timeline."""

    def __init__(self, pairs: List[Pair], t0: float, every: int, csv: pathlib.Path):
        self.t0 = t0
        self.every = every
        self.last_print = 0.0
        self.prev: Dict[str, tuple] = {}
        self.timeline: Dict[str, list] = {p.key: [] for p in pairs}
        self.rates: Dict[str, float] = {}
        self.csv = open(csv, "w")
        self.csv.write("seconds,target,engine,workers,execs,execs_per_sec,coverage,features,"
                       "corpus,crash_files\n")

    def sample(self, pairs: List[Pair], now: float, force: bool = False) -> None:
        if not force and now - self.last_print < self.every:
            return
        self.last_print = now
        t = now - self.t0
        for p in pairs:
            s = p.snapshot()
            pt, pe = self.prev.get(p.key, (now, s["execs"]))
            if now - pt >= 2 or p.key not in self.rates:
                self.rates[p.key] = (s["execs"] - pe) / (now - pt) if now > pt else 0.0
                self.prev[p.key] = (now, s["execs"])
            rate = self.rates[p.key] if s["rate"] is None else s["rate"]
            self.timeline[p.key].append((t, s["coverage"]))
            self.csv.write("%.0f,%s,%s,%d,%d,%.0f,%d,%d,%d,%d\n" % (
                t, p.target.name, p.engine, s["running"], s["execs"], rate, s["coverage"],
                s["features"], s["corpus"], s["crashes"]))
            cov = ("cov %d ft %d" % (s["coverage"], s["features"]) if p.engine == "libfuzzer"
                   else "edges %d/%d" % (s["coverage"], s["features"]))
            late = p.engine == "afl" and s["running"] and s["execs"] < 1000
            if late:
                rate = 0  # only calibration so far
            print("[%s] %-28s x%d  execs %7s  exec/s %6s  %-16s  corpus %d (+%d)  crashes %d%s"
                  % (report.duration(t), p.key, s["running"], report.human(s["execs"]),
                     report.human(rate), cov, s["corpus"], s["corpus"] - p.corpus_at_start,
                     s["crashes"], "  (AFL++ reports after its first minute)" if late else ""),
                  flush=True)
        self.csv.flush()


def fuzz(pairs: List[Pair], args, stop: Stop, progress: Progress, notes: List[str]) -> float:
    """Runs the schedule; returns the seconds actually fuzzed.  Raises on engine failure."""
    fuzzed = 0.0
    failures = []
    for round_pairs, secs in plan(pairs, args.jobs, args.time):
        if stop.requested:
            break
        start = time.time()
        deadline = start + secs
        workers = []
        for pair, n in round_pairs:
            seeds = pair.prepare_seeds()
            for i in range(n):
                w = (LibFuzzerWorker(pair, i, seeds, args.slice, args.max_crashes)
                     if pair.engine == "libfuzzer" else AflWorker(pair, i, seeds))
                pair.workers.append(w)
                workers.append(w)
        say("fuzzing %s for %s" % (", ".join("%s x%d" % (p.key, n) for p, n in round_pairs),
                                  report.duration(secs)))
        for w in workers:
            w.start(deadline)
        active = [p for p, _ in round_pairs]
        progress.sample(active, time.time(), force=True)
        while not all(w.finished for w in workers):
            time.sleep(POLL_SECS)
            now = time.time()
            # Engines stop themselves at the deadline; this is the backstop.
            if stop.requested or now > deadline + 30:
                for w in workers:
                    w.stop()
            for w in workers:
                w.poll(deadline, stop.requested or now > deadline)
            progress.sample(active, now)
        progress.sample(active, time.time(), force=True)
        fuzzed += time.time() - start
        for pair, _ in round_pairs:
            pair.fuzzed += time.time() - start
        for w in workers:
            if w.error:
                failures.append("%s worker %d: %s" % (w.pair.key, w.index, w.error))
            if w.note:
                notes.append("%s worker %d: %s" % (w.pair.key, w.index, w.note))
    if failures:
        raise RuntimeError("\n".join(failures))
    return fuzzed


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
    every = args.status_every or (10 if args.time < 300 else 30)

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
        return run(args, workspace, out, chosen, engines, every)
    except KeyboardInterrupt:
        kill_all()
        print("ci/fuzz-campaign: aborted; no report written", file=sys.stderr)
        return 130
    finally:
        lock.unlink()


def run(args, workspace, out, chosen, engines, every) -> int:
    stop = Stop()
    t_begin = time.time()
    started = report.now()
    bins_dir = out / "bin"
    san = ["--config=asan"]
    kinds = {"replay": san + ["--strip=never"]}
    if "libfuzzer" in engines:
        kinds["libfuzzer"] = ["--config=libfuzzer"] + (san if args.sanitizer == "asan" else [])
    if "afl" in engines:
        kinds["afl"] = ["--config=afl"] + (san if args.afl_sanitizer == "asan" else [])
    bins = {}
    if args.no_build:
        for t in chosen:
            for k in kinds:
                p = bins_dir / ("%s.%s" % (t.name, k))
                if not p.is_file():
                    print("ci/fuzz-campaign: --no-build, but %s is missing" % p, file=sys.stderr)
                    return 2
                bins[(t.name, k)] = p
    else:
        bazel = build.Bazel(workspace, args.bazel, args.output_base, args.bazel_arg,
                            out / "build.log")
        try:
            bins = build.build_all(bazel, chosen, kinds, bins_dir, say)
        except build.BuildError as e:
            say("build failed: %s" % e)
            return 3

    notes: List[str] = []
    known = {}
    for t in chosen:
        known[t.name] = triage.check_regressions(t, bins[(t.name, "replay")])
        for p in known[t.name].failing:
            msg = "%s: regression input %s fails today (a known bug is back?); " \
                  "not used as a seed" % (t.name, p.name)
            say(msg)
            notes.append(msg)
    pairs = []
    for t in chosen:
        for e in engines:
            pairs.append(Pair(t, e, out / t.name, bins[(t.name, e)],
                              frozenset(known[t.name].failing)))
    for t in chosen:
        resumed = len(targets.inputs_in(out / t.name / "corpus"))
        if resumed:
            say("%s: resuming from %d inputs in %s" % (t.name, resumed, out / t.name / "corpus"))

    progress = Progress(pairs, time.time(), every, out / "timeline.csv")
    status = 0
    try:
        fuzzed = fuzz(pairs, args, stop, progress, notes)
    except RuntimeError as e:
        say("an engine failed:\n%s" % e)
        notes.append("engine failure: %s" % str(e).splitlines()[0])
        fuzzed, status = time.time() - t_begin, 3

    # Before the merge: it replaces the working corpus.
    finals = {p.key: p.snapshot() for p in pairs}
    merges, buckets = {}, {}
    for t in chosen:
        lf = bins.get((t.name, "libfuzzer"))
        afl = bins.get((t.name, "afl"))
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

    summary = {
        "started": started, "command": " ".join(["ci/fuzz-campaign"] + sys.argv[1:]),
        "out": str(out), "planned": args.time, "fuzzed": fuzzed, "notes": notes,
        "targets": [t.name for t in chosen], "timeline": progress.timeline, "merges": merges,
        "pairs": [],
    }
    for p in pairs:
        s = finals[p.key]
        summary["pairs"].append({
            "key": p.key, "workers": len(p.workers), "execs": s["execs"],
            "exec_per_sec": s["execs"] / p.fuzzed if p.fuzzed else 0, "coverage": s["coverage"],
            "corpus": s["corpus"], "new_inputs": max(0, s["corpus"] - p.corpus_at_start),
            "crashes": s["crashes"], "new_crashes": s["crashes"] - p.crashes_at_start})
    repro = repro_lines(args, bins_dir)
    text = report.write_text(out / "report.txt", summary, buckets, repro)
    report.write_html(out / "report.html", summary, buckets, repro)
    print()
    print(text, end="")
    say("report: %s and %s" % (out / "report.txt", out / "report.html"))
    if any(b.new for bs in buckets.values() for b in bs):
        return 1
    return status
