"""The campaign's schedule: which pairs fuzz when, with how many processes,
progress lines, and the corpus exchange while they run.

All pairs run at once when --jobs allows; processes beyond one per pair go
to AFL++ pairs first (a second instance is what lets it run the plain and
the ASan binary side by side), then round-robin.  With fewer jobs than
pairs, the pairs run in rounds that split the time budget; a target's two
engines are next to each other in the list, so they share a round and
exchange inputs while they run.
"""
import math
import pathlib
import time
import types
from typing import Dict, List, Tuple

from campaign import afl_worker, report
from campaign.afl_worker import AflWorker
from campaign.exchange import Exchange
from campaign.libfuzzer_worker import LibFuzzerWorker
from campaign.workers import Pair, reap_orphans

POLL_SECS = 1.0


def plan(pairs: List[Pair], jobs: int, total: int) -> List[Tuple[List[Tuple[Pair, int]], int]]:
    """Rounds of ([(pair, processes)], seconds)."""
    if jobs >= len(pairs):
        base, extra = divmod(jobs, len(pairs))
        per = [base] * len(pairs)
        order = sorted(range(len(pairs)), key=lambda i: pairs[i].engine != "afl")
        for i in order[:extra]:
            per[i] += 1
        return [(list(zip(pairs, per)), total)]
    nrounds = math.ceil(len(pairs) / jobs)
    return [([(p, 1) for p in pairs[i * jobs:(i + 1) * jobs]], total // nrounds)
            for i in range(nrounds)]


def afl_instance_counts(engines: List[str], targets: int, jobs: int) -> List[int]:
    """How many instances the AFL++ pairs get (each count once), for pairs
    ordered as the campaign orders them (target by target, engines in order)."""
    stand_ins = [types.SimpleNamespace(engine=e) for _ in range(targets) for e in engines]
    return sorted({n for r, _ in plan(stand_ins, jobs, 1) for p, n in r if p.engine == "afl"})


def most_afl_instances(engines: List[str], targets: int, jobs: int) -> int:
    """The most instances an AFL++ pair will get (see afl_instance_counts)."""
    return max(afl_instance_counts(engines, targets, jobs), default=0)


class Progress:
    """Samples every pair: prints progress lines and keeps the coverage timeline."""

    def __init__(self, pairs: List[Pair], t0: float, every: int, csv: pathlib.Path):
        self.t0 = t0
        self.every = every
        self.last_print = 0.0
        self.timeline: Dict[str, list] = {p.key: [] for p in pairs}
        self.csv = open(csv, "w")
        self.csv.write("seconds,target,engine,workers,execs,execs_per_sec,coverage,features,"
                       "corpus,own_new,imported,crash_files\n")

    def sample(self, pairs: List[Pair], now: float, force: bool = False) -> None:
        if not force and now - self.last_print < self.every:
            return
        self.last_print = now
        t = now - self.t0
        for p in pairs:
            s = p.snapshot()
            self.timeline[p.key].append((t, s["coverage"]))
            self.csv.write("%.0f,%s,%s,%d,%d,%.0f,%d,%d,%d,%d,%d,%d\n" % (
                t, p.target.name, p.engine, s["running"], s["execs"], s["rate"], s["coverage"],
                s["features"], s["corpus"], s["own_new"], s["imported"], s["crashes"]))
            cov = ("cov %d ft %d" % (s["coverage"], s["features"]) if p.engine == "libfuzzer"
                   else "edges %d/%d" % (s["coverage"], s["features"]))
            late = p.engine == "afl" and s["running"] and s["execs"] < 1000
            print("[%s] %-28s x%d  execs %7s  exec/s %6s  %-16s  corpus %d (own +%d, in +%d)"
                  "  crashes %d%s"
                  % (report.duration(t), p.key, s["running"], report.human(s["execs"]),
                     report.human(0 if late else s["rate"]), cov, s["corpus"], s["own_new"],
                     s["imported"], s["crashes"],
                     "  (AFL++ reports after its first minute)" if late else ""),
                  flush=True)
        self.csv.flush()


def exchange_interval(args, round_secs: int) -> int:
    """--exchange-every, or a sixth of the round within 10..300 s: often enough
    that short runs exchange at all, rarely enough to cost nothing."""
    return args.exchange_every or min(300, max(10, round_secs // 6))


def _workers(pair: Pair, n: int, args, every: int) -> list:
    seeds = pair.prepare_seeds()
    if pair.engine == "libfuzzer":
        return [LibFuzzerWorker(pair, i, seeds, args.max_crashes) for i in range(n)]
    instances = afl_worker.roster(n, any(k.startswith("afl-asan") for k in pair.binaries),
                                  any(k.endswith("-cmplog") for k in pair.binaries))
    # AFL++ syncs its main instance every half of AFL_SYNC_TIME (whole
    # minutes, at least 1): that is when it imports the exchanged inputs.
    sync_minutes = max(1, every // 60)
    return [AflWorker(pair, i, seeds, inst, sync_minutes) for i, inst in enumerate(instances)]


def _exchange(exchanges: List[Exchange], say) -> None:
    for ex in exchanges:
        moved = ex.step()
        if moved["to_libfuzzer"] or moved["to_afl"]:
            say("exchange %s: AFL++ -> libFuzzer %d new, libFuzzer -> AFL++ %d new" % (
                ex.lf.target.name, moved["to_libfuzzer"], moved["to_afl"]))


def fuzz(pairs: List[Pair], exchanges: Dict[str, Exchange], args, stop, progress: Progress,
         notes: List[str], say) -> float:
    """Runs the schedule; returns the seconds actually fuzzed.  Raises on engine failure."""
    fuzzed = 0.0
    failures = []
    for round_pairs, secs in plan(pairs, args.jobs, args.time):
        if stop.requested:
            break
        start = time.time()
        deadline = start + secs
        every = exchange_interval(args, secs)
        workers = []
        for pair, n in round_pairs:
            new = _workers(pair, n, args, every)
            pair.workers += new
            workers += new
        active = [p for p, _ in round_pairs]
        keys = {p.key for p in active}
        live = [ex for ex in exchanges.values() if ex.lf.key in keys and ex.afl.key in keys]
        say("fuzzing %s for %s%s" % (
            ", ".join("%s x%d" % (p.key, n) for p, n in round_pairs), report.duration(secs),
            "; corpus exchange every %ds" % every if live else ""))
        for w in workers:
            say("  %s worker %d: %s" % (w.pair.key, w.index, w.describe()))
        for w in workers:
            w.start(deadline)
        progress.sample(active, time.time(), force=True)
        last_exchange = time.time()
        while not all(w.finished for w in workers):
            time.sleep(POLL_SECS)
            now = time.time()
            # Engines stop themselves at the deadline; this is the backstop.
            if stop.requested or now > deadline + 30:
                for w in workers:
                    w.stop()
            for w in workers:
                w.poll(deadline, stop.requested or now > deadline)
            if live and now - last_exchange >= every and now < deadline - 5:
                _exchange(live, say)
                last_exchange = now
            progress.sample(active, now)
        progress.sample(active, time.time(), force=True)
        leftovers = reap_orphans()
        if leftovers:
            say("ended %d process(es) the engines left behind" % leftovers)
        # Between rounds too: what one engine found seeds the other's next round.
        _exchange(list(exchanges.values()), say)
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
