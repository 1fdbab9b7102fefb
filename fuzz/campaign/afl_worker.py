"""AFL++ instances: who runs with which settings, and their statistics.

A pair's instances share one output directory (-o), the first as main
(-M), the others as secondaries (-S), so they import each other's finds.
Their settings differ on purpose (AFL++'s advice for parallel fuzzing):

  CmpLog logs the operands of comparisons so that magic numbers and
  checksums checked against the input are solved rather than guessed.  An
  instance with CmpLog fuzzes a binary built with AFL_LLVM_CMPLOG=1 and
  runs it as its own CmpLog binary (-c 0): AFL++ 4.04c solved nothing when
  given a second CmpLog binary beside a build without it (fuzz/README.md);
  ASan (+ UBSan) binaries see memory errors that do not crash a plain build,
  at a third of the speed or so;
  power schedules (-p) and the dictionary (-x) vary between instances.

A pair with a single instance runs it with both CmpLog and ASan: neither
a checksum nor a silent overflow may stop the only AFL++ of a campaign.
With more, the main runs the fast plain binary with CmpLog, and the
secondaries alternate ASan and plain binaries, schedules and dictionary.
The main instance also imports libFuzzer's finds: -F names the directory
the corpus exchange fills (exchange.py); its queue names them
",sync:libfuzzer_0,".
"""
import dataclasses
import math
import os
import pathlib
import time
from typing import Dict, List, Optional, Tuple

from campaign.workers import Pair, Worker

ENV = {
    "AFL_NO_UI": "1",                              # we are not on a terminal
    "AFL_SKIP_CPUFREQ": "1",                       # shared machines: no governor control
    "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES": "1",  # core_pattern is not ours to change
    "AFL_AUTORESUME": "1",                         # a second campaign continues the first
    "AFL_TRY_AFFINITY": "1",                       # bind to a free core if there is one
}
# afl-fuzz sets the sanitizer options it needs and refuses others.
SANITIZER_ENV = ("ASAN_OPTIONS", "UBSAN_OPTIONS", "MSAN_OPTIONS", "LSAN_OPTIONS")
FOREIGN_TAG = ",sync:libfuzzer_"


def afl_env(sync_minutes: int = 0) -> Dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in SANITIZER_ENV}
    env.update(ENV)
    if sync_minutes:
        # Default 30 min: the main instance syncs every half of it.
        env["AFL_SYNC_TIME"] = str(sync_minutes)
    return env


@dataclasses.dataclass(frozen=True)
class Instance:
    name: str
    binary: str          # binary kind: "afl" or "afl-asan", + "-cmplog" when cmplog is set
    cmplog: str          # "" (off) or the -l level ("2": default, "2AT": +arith, transforms)
    schedule: str        # -p
    dictionary: bool     # -x with the target's dictionary, if it has one

    @property
    def main(self) -> bool:
        return self.name == "main"

    def describe(self) -> str:
        return "%s %s: %s binary, %s, -p %s, %s" % (
            "-M" if self.main else "-S", self.name,
            "ASan+UBSan" if self.binary.startswith("afl-asan") else "plain",
            "CmpLog -l %s" % self.cmplog if self.cmplog else "no CmpLog",
            self.schedule, "dictionary" if self.dictionary else "no dictionary")


# Secondaries after the first, in order: (ASan?, CmpLog level, schedule, dictionary).
_SECONDARIES: List[Tuple[bool, str, str, bool]] = [
    (True, "", "explore", True),
    (False, "2AT", "rare", False),
    (True, "", "exploit", False),
    (False, "", "coe", True),
    (True, "2", "mmopt", True),
    (False, "", "lin", False),
    (True, "", "quad", True),
    (False, "2AT", "seek", True),
]


def binary_kind(asan: bool, cmplog: str) -> str:
    """The build an instance fuzzes: CmpLog is compiled into it (-c 0)."""
    return ("afl-asan" if asan else "afl") + ("-cmplog" if cmplog else "")


def roster(n: int, asan: bool, cmplog: bool) -> List[Instance]:
    """The settings of a pair's n instances (see the module's comment)."""
    if n <= 0:
        return []
    main_level = "2" if cmplog else ""
    # A lone main runs ASan too; the main of several, the fast plain build.
    out = [Instance("main", binary_kind(asan and n == 1, main_level), main_level, "fast", True)]
    for i in range(1, n):
        want_asan, level, schedule, dictionary = _SECONDARIES[(i - 1) % len(_SECONDARIES)]
        level = level if cmplog else ""
        out.append(Instance("s%d" % i, binary_kind(want_asan and asan, level), level,
                            schedule, dictionary))
    return out


def binary_kinds(counts: List[int], asan: bool, cmplog: bool) -> List[str]:
    """Every binary kind the instances fuzz, for pairs of each of these sizes."""
    kinds = {inst.binary for n in counts for inst in roster(n, asan, cmplog)}
    return sorted(kinds)


def pick_binary(bins: Dict[str, pathlib.Path], prefer_asan: bool) -> Optional[pathlib.Path]:
    """One AFL++ build of a target, for a tool that runs inputs through it
    (afl-cmin, afl-tmin): an ASan one when prefer_asan, else the fastest."""
    order = ["afl", "afl-cmplog", "afl-asan", "afl-asan-cmplog"]
    if prefer_asan:
        order = order[2:] + order[:2]
    return next((bins[k] for k in order if k in bins), None)


def read_afl_stats(instance_dir: pathlib.Path) -> Dict[str, str]:
    """fuzzer_stats ("key : value") and the last row of plot_data, whichever is newer."""
    out: Dict[str, str] = {}
    try:
        for line in (instance_dir / "fuzzer_stats").read_text().splitlines():
            k, _, v = line.partition(":")
            out[k.strip()] = v.strip()
    except OSError:
        pass
    try:
        rows = (instance_dir / "plot_data").read_text().splitlines()
        header = [h.strip() for h in rows[0].lstrip("#").split(",")]
        last = [v.strip() for v in rows[-1].split(",")] if len(rows) > 1 else []
        if len(last) == len(header):
            plot = dict(zip(header, last))
            if float(plot.get("total_execs", 0)) >= float(out.get("execs_done", 0)):
                out["execs_done"] = plot["total_execs"]
                out["execs_per_sec"] = plot.get("execs_per_sec", out.get("execs_per_sec", "0"))
                out["edges_found"] = plot.get("edges_found", out.get("edges_found", "0"))
                out["corpus_count"] = plot.get("corpus_count", out.get("corpus_count", "0"))
    except (OSError, IndexError, ValueError):
        pass
    return out


class AflWorker(Worker):
    engine = "afl"

    def __init__(self, pair: Pair, index: int, seeds: pathlib.Path, instance: Instance,
                 sync_minutes: int):
        super().__init__(pair, index)
        self.instance = instance
        self.name = instance.name
        self.seeds = seeds
        self.sync_minutes = sync_minutes
        # A resumed instance carries on counting from its last run.
        self.execs_before = float(read_afl_stats(pair.afl_out / self.name).get("execs_done", 0))
        self.imported_before = self._imported()

    def describe(self) -> str:
        return "AFL++ " + self.instance.describe() + (
            ", imports libFuzzer's finds (-F)" if self._foreign() else "")

    def _foreign(self) -> bool:
        return self.instance.main and self.pair.foreign_dir.is_dir()

    def start(self, deadline: float) -> None:
        remaining = int(deadline - time.time())
        if remaining < 5:
            self.finished = True
            return
        p, inst = self.pair, self.instance
        binary = p.binaries.get(inst.binary)
        if binary is None:
            self.error = "no %s binary was built" % inst.binary
            self.finished = True
            return
        cmd = ["afl-fuzz", "-i", str(self.seeds), "-o", str(p.afl_out),
               "-M" if inst.main else "-S", self.name, "-V", str(remaining),
               "-p", inst.schedule]
        if inst.cmplog:
            cmd += ["-c", "0", "-l", inst.cmplog]
        if inst.dictionary and p.target.dict:
            cmd += ["-x", str(p.target.dict)]
        if self._foreign():
            cmd += ["-F", str(p.foreign_dir)]
        cmd += ["--", str(binary)]
        self._spawn(cmd, afl_env(self.sync_minutes))

    def poll(self, deadline: float, stopping: bool) -> None:
        if self.proc is None or self.finished or self.proc.poll() is None:
            return
        if self.proc.returncode != 0 and not stopping:
            self.error = "afl-fuzz exited with status %d:\n%s" % (
                self.proc.returncode, self.log_tail())
        self.finished = True

    def stats(self) -> Dict[str, float]:
        s = read_afl_stats(self.pair.afl_out / self.name)

        def num(k: str) -> float:
            try:
                v = float(s.get(k, "0").rstrip("%"))
            except ValueError:
                return 0
            return v if math.isfinite(v) else 0  # the first stats say "inf" execs/s

        execs = num("execs_done")
        if execs >= self.execs_before:
            execs -= self.execs_before
        return {"execs": execs, "coverage": num("edges_found"),
                "features": num("total_edges"), "corpus": num("corpus_count"),
                "rate": num("execs_per_sec") if self.running() else 0,
                "imported": self._imported() - self.imported_before}

    def _imported(self) -> int:
        """Queue entries the main instance took from libFuzzer's finds."""
        if not self.instance.main:
            return 0
        return sum(1 for p in (self.pair.afl_out / self.name / "queue").glob("id:*")
                   if FOREIGN_TAG in p.name)
