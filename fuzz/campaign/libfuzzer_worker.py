"""A libFuzzer process, and what its log says.

One process per worker for the whole of its time budget: libFuzzer keeps
its in-memory state (corpus weights, value profile, the dictionary it
learns, its mutation statistics) only as long as the process lives, so it
is restarted only after it stopped on a finding (crash, leak, timeout,
OOM); the new process resumes from the corpus directory, which holds
everything found so far.  -reload=1 makes it re-read that directory every
second: inputs other workers, or the corpus exchange with AFL++, put there
are tried and kept if they add coverage ("RELOAD" status lines).

Statistics come from its status lines: they are printed at each new input
and at powers of two of the run count, so the run count shown in progress
lines lags; the final figures (-print_final_stats=1) are exact.
"""
import os
import pathlib
import re
import time
from typing import Dict, Optional

from campaign.targets import inputs_in
from campaign.workers import Pair, Worker, sha1_of

STATUS = re.compile(
    r"^#(\d+)\s+(INITED|NEW|REDUCE|pulse|DONE|RELOAD)\s+cov: (\d+) ft: (\d+) "
    r"corp: (\d+)/\S+.*?exec/s: (\d+)")
FINAL_EXECS = re.compile(r"^stat::number_of_executed_units:\s+(\d+)")


class LibFuzzerWorker(Worker):
    engine = "libfuzzer"

    def __init__(self, pair: Pair, index: int, seeds: pathlib.Path, max_crashes: int):
        super().__init__(pair, index)
        self.seeds = seeds
        self.max_crashes = max_crashes
        # Odd workers use value profiling (comparison operands as features):
        # slower, but it climbs towards magic values and checksums.
        self.value_profile = index % 2 == 1
        self.execs_before = 0     # executions of earlier processes
        self.execs = 0            # of the current process
        self.rate = 0
        self.cov = 0
        self.ft = 0
        self.cov_start: Optional[int] = None
        self.corp = 0
        self.new_inputs = 0       # "NEW": found by this worker's own mutations
        self.adopted = 0          # corpus growth at "RELOAD": other workers' inputs kept
        self.restarts = 0
        self.offset = 0
        self.partial = ""
        self.crashes_before = 0
        self.inited = False       # the current process got past loading its corpus

    def describe(self) -> str:
        return "libFuzzer, -reload=1%s" % (", -use_value_profile=1" if self.value_profile else "")

    def start(self, deadline: float) -> None:
        remaining = int(deadline - time.time())
        if remaining < 2:
            self.finished = True
            return
        p = self.pair
        p.artifacts.mkdir(parents=True, exist_ok=True)
        cmd = [str(p.binaries["libfuzzer"]), "-artifact_prefix=%s/" % p.artifacts,
               "-max_total_time=%d" % remaining, "-print_final_stats=1", "-timeout=25",
               "-reload=1"]
        if self.value_profile:
            cmd.append("-use_value_profile=1")
        if p.target.dict:
            cmd.append("-dict=%s" % p.target.dict)
        # New inputs go to the first directory (the one -reload re-reads); the
        # others are only read at start.
        cmd += [str(p.corpus_dir), str(self.seeds)]
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        self.crashes_before = p.crash_count()
        self.inited = False
        self.corp = 0
        self._spawn(cmd, env)

    def _read_log(self) -> None:
        try:
            with open(self.log_path, errors="replace") as f:
                f.seek(self.offset)
                text = f.read()
                self.offset = f.tell()
        except OSError:
            return
        lines = (self.partial + text).split("\n")
        self.partial = lines.pop()
        for line in lines:
            m = STATUS.match(line)
            if m:
                kind, corp = m.group(2), int(m.group(5))
                if kind == "INITED":
                    self.inited = True
                    if self.cov_start is None:
                        self.cov_start = int(m.group(3))
                elif kind == "NEW":
                    self.new_inputs += 1
                elif kind == "RELOAD" and self.inited:
                    self.adopted += max(0, corp - self.corp)
                self.corp = corp
                self.execs = int(m.group(1))
                self.cov = int(m.group(3))
                self.ft = int(m.group(4))
                self.rate = int(m.group(6))
                continue
            m = FINAL_EXECS.match(line)
            if m:
                self.execs = int(m.group(1))

    def poll(self, deadline: float, stopping: bool) -> None:
        self._read_log()
        if self.proc is None or self.finished or self.proc.poll() is None:
            return
        rc, ran = self.proc.returncode, time.time() - self.started
        self.execs_before += self.execs
        self.execs = 0
        self.proc = None
        found = self.pair.crash_count() - self.crashes_before
        if stopping or deadline - time.time() < 2:
            self.finished = True
        elif rc != 0 and not self.inited and self._quarantine():
            self.start(deadline)
        elif rc != 0 and found == 0 and ran < 5:
            self.error = "libFuzzer exited with status %d after %.1f s, no finding:\n%s" % (
                rc, ran, self.log_tail())
            self.finished = True
        elif self.pair.crash_count() >= self.max_crashes:
            self.note = ("not restarted: %d crash files already (--max-crashes)" %
                         self.pair.crash_count())
            self.finished = True
        elif rc != 0:
            # Stopped on a finding: carry on from the corpus directory.
            self.restarts += 1
            self.start(deadline)
        else:
            self.note = "libFuzzer ended %.0f s before the deadline:\n%s" % (
                deadline - time.time(), self.log_tail(5))
            self.finished = True

    def _quarantine(self) -> bool:
        """A process that crashed while loading its corpus crashed on a corpus
        input (found by an earlier campaign with another build, say).
        libFuzzer names the artifact after the input's SHA-1: move that input
        aside so the next process can start.  True if one was moved."""
        crashed = {a.name.split("-", 1)[1] for a in self.pair.crash_files() if "-" in a.name}
        moved = False
        for p in inputs_in(self.pair.corpus_dir):
            if sha1_of(p) in crashed:
                q = self.pair.engine_dir / "quarantine"
                q.mkdir(exist_ok=True)
                p.rename(q / p.name)
                self.note = "moved corpus inputs that crash on loading to %s" % q
                moved = True
        return moved

    def stats(self) -> Dict[str, float]:
        return {"execs": self.execs_before + self.execs, "coverage": self.cov,
                "features": self.ft, "coverage_start": self.cov_start,
                "rate": self.rate if self.running() else 0, "own_new": self.new_inputs,
                "imported": self.adopted, "restarts": self.restarts}
