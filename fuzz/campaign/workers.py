"""Fuzzing processes and their statistics.

A Pair is one target fuzzed by one engine; it owns one or more workers
(processes).  Every worker runs in a session of its own, so that stopping
it (SIGINT, then SIGKILL) reaches its children too, and nothing else.

libFuzzer stops at its first crash, and its periodic status lines grow
rare (they come at powers of two of the run count), so each libFuzzer
worker runs in slices of at most `slice_secs` and is restarted after a
slice or a crash; new inputs persist in the pair's corpus directory.
AFL++ keeps going after crashes and writes its own statistics files.
"""
import hashlib
import math
import os
import pathlib
import re
import shutil
import signal
import subprocess
import time
from typing import Dict, List, Optional

from campaign.targets import Target, inputs_in

LIBFUZZER_STATUS = re.compile(
    r"^#(\d+)\s+(?:INITED|NEW|REDUCE|pulse|DONE|RELOAD)\s+cov: (\d+) ft: (\d+) "
    r"corp: (\d+)/\S+.*?exec/s: (\d+)")
LIBFUZZER_FINAL_EXECS = re.compile(r"^stat::number_of_executed_units:\s+(\d+)")
# What libFuzzer writes through -artifact_prefix on a failure (slow-unit-* is not one).
ARTIFACT_PREFIXES = ("crash-", "leak-", "timeout-", "oom-")

AFL_ENV = {
    "AFL_NO_UI": "1",                              # we are not on a terminal
    "AFL_SKIP_CPUFREQ": "1",                       # shared machines: no governor control
    "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES": "1",  # core_pattern is not ours to change
    "AFL_AUTORESUME": "1",                         # a second campaign continues the first
    "AFL_TRY_AFFINITY": "1",                       # bind to a free core if there is one
}


# Every engine process this campaign started, for a last-resort cleanup.
_started: List[subprocess.Popen] = []


def kill_all() -> None:
    """SIGKILL to the session of every engine process we started and that still runs."""
    for proc in _started:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()


def sha1_of(path: pathlib.Path) -> str:
    return hashlib.sha1(path.read_bytes()).hexdigest()


def _stop_process(proc: subprocess.Popen, grace: float) -> None:
    """SIGINT to the worker's own session (lets engines save state), then SIGKILL."""
    if proc.poll() is not None:
        return
    try:
        os.killpg(proc.pid, signal.SIGINT)
        proc.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait()
    except ProcessLookupError:
        pass


class Pair:
    """One target under one engine: its directories, workers and totals."""

    def __init__(self, target: Target, engine: str, workdir: pathlib.Path,
                 binary: pathlib.Path, leave_out=frozenset()):
        self.target = target
        self.leave_out = leave_out      # seed files not to fuzz from (they crash now)
        self.engine = engine
        self.workdir = workdir          # OUT/<target>
        self.binary = binary
        self.workers: List["Worker"] = []
        self.corpus_dir = workdir / "corpus"   # grows; merged at the end; resumed from
        self.engine_dir = workdir / engine
        self.engine_dir.mkdir(parents=True, exist_ok=True)
        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        self.corpus_at_start = self.corpus_size()
        self.fuzzed = 0.0  # seconds this pair's workers ran
        self.crashes_at_start = self.crash_count()

    @property
    def key(self) -> str:
        return "%s/%s" % (self.target.name, self.engine)

    @property
    def artifacts(self) -> pathlib.Path:
        return self.engine_dir / "artifacts"

    @property
    def afl_out(self) -> pathlib.Path:
        return self.engine_dir / "out"

    def crash_files(self) -> List[pathlib.Path]:
        if self.engine == "libfuzzer":
            return [p for p in inputs_in(self.artifacts) if p.name.startswith(ARTIFACT_PREFIXES)]
        found = []
        for sub in ("crashes", "hangs"):
            for d in sorted(self.afl_out.glob("*/" + sub)):
                found += [p for p in inputs_in(d) if p.name.startswith("id:")]
        return found

    def crash_count(self) -> int:
        return len(self.crash_files())

    def corpus_size(self) -> int:
        if self.engine == "afl":
            # From the files, not the workers: a resumed campaign starts with a queue.
            counts = [int(read_afl_stats(d).get("corpus_count", "0") or 0)
                      for d in sorted(self.afl_out.glob("*")) if d.is_dir()]
            return max(counts or [0])
        return len(inputs_in(self.corpus_dir))

    def snapshot(self) -> Dict[str, float]:
        stats = [w.stats() for w in self.workers]
        rates = [s["rate"] for s in stats if "rate" in s]
        return {
            "execs": sum(s.get("execs", 0) for s in stats),
            # AFL++ measures its own speed; for libFuzzer the caller takes differences.
            "rate": sum(rates) if rates else None,
            "coverage": max([s.get("coverage", 0) for s in stats] or [0]),
            "features": max([s.get("features", 0) for s in stats] or [0]),
            "corpus": self.corpus_size(),
            "crashes": self.crash_count(),
            "running": sum(1 for w in self.workers if w.running()),
        }

    def prepare_seeds(self) -> pathlib.Path:
        """The committed seeds and past crashes, in one directory (afl-fuzz takes
        only one), less those that crash today: an engine cannot start from an
        input that crashes.  AFL++ also gets the working corpus, which libFuzzer
        is given directly."""
        seeds = self.engine_dir / "seeds"
        shutil.rmtree(seeds, ignore_errors=True)
        seeds.mkdir(parents=True)
        dirs = [self.target.corpus, self.target.regressions]
        if self.engine == "afl":
            dirs.append(self.corpus_dir)
        for d in dirs:
            for p in inputs_in(d):
                if p.stat().st_size > 0 and p not in self.leave_out:
                    shutil.copyfile(p, seeds / sha1_of(p))
        if not any(seeds.iterdir()):
            (seeds / "one-byte").write_bytes(b"\0")
        return seeds


class Worker:
    engine = ""

    def __init__(self, pair: Pair, index: int):
        self.pair = pair
        self.index = index
        self.proc: Optional[subprocess.Popen] = None
        self.finished = False
        self.error: Optional[str] = None
        self.note: Optional[str] = None
        self.log_path: pathlib.Path = pair.engine_dir / ("worker%d.log" % index)

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def _spawn(self, cmd: List[str], env: Dict[str, str]) -> None:
        with open(self.log_path, "a") as log:
            log.write("$ %s\n" % " ".join(cmd))
            log.flush()
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.pair.engine_dir,
                                         env=env, start_new_session=True)
        _started.append(self.proc)
        self.started = time.time()

    def log_tail(self, n: int = 15) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-n:])
        except OSError:
            return ""

    def stop(self, grace: float = 15.0) -> None:
        if self.proc is not None:
            _stop_process(self.proc, grace)

    def start(self, deadline: float) -> None:
        raise NotImplementedError

    def poll(self, deadline: float, stopping: bool) -> None:
        raise NotImplementedError

    def stats(self) -> Dict[str, float]:
        raise NotImplementedError


class LibFuzzerWorker(Worker):
    engine = "libfuzzer"

    def __init__(self, pair: Pair, index: int, seeds: pathlib.Path, slice_secs: int,
                 max_crashes: int):
        super().__init__(pair, index)
        self.seeds = seeds
        self.slice_secs = slice_secs
        self.max_crashes = max_crashes
        self.execs_before = 0     # executions of finished slices
        self.execs = 0            # of the current slice
        self.cov = 0
        self.ft = 0
        self.offset = 0
        self.partial = ""
        self.crashes_before = 0
        self.inited = False       # the current slice got past loading its corpus

    def start(self, deadline: float) -> None:
        remaining = int(deadline - time.time())
        if remaining < 2:
            self.finished = True
            return
        p = self.pair
        p.artifacts.mkdir(parents=True, exist_ok=True)
        cmd = [str(p.binary), "-artifact_prefix=%s/" % p.artifacts,
               "-max_total_time=%d" % min(remaining, self.slice_secs),
               "-print_final_stats=1", "-timeout=25"]
        if p.target.dict:
            cmd.append("-dict=%s" % p.target.dict)
        # New inputs go to the first directory; the others are only read.
        cmd += [str(p.corpus_dir), str(self.seeds)]
        env = dict(os.environ)
        env.setdefault("ASAN_OPTIONS", "detect_leaks=1")
        env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
        self.crashes_before = p.crash_count()
        self.inited = False
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
            m = LIBFUZZER_STATUS.match(line)
            if m:
                self.inited = True
                self.execs = int(m.group(1))
                self.cov = int(m.group(2))
                self.ft = int(m.group(3))
                continue
            m = LIBFUZZER_FINAL_EXECS.match(line)
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
            self.note = "not restarted: %d crash files already (--max-crashes)" % self.pair.crash_count()
            self.finished = True
        else:
            self.start(deadline)

    def _quarantine(self) -> bool:
        """A slice that crashed while loading its corpus crashed on a corpus input
        (found by an earlier campaign with another build, say).  libFuzzer names
        the artifact after the input's SHA-1: move that input aside so the next
        slice can start.  True if one was moved."""
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
        return {"execs": self.execs_before + self.execs, "coverage": self.cov, "features": self.ft}


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

    def __init__(self, pair: Pair, index: int, seeds: pathlib.Path):
        super().__init__(pair, index)
        self.name = "main" if index == 0 else "s%d" % index
        self.seeds = seeds
        # A resumed instance carries on counting from its last run.
        self.execs_before = float(read_afl_stats(pair.afl_out / self.name).get("execs_done", 0))

    def start(self, deadline: float) -> None:
        remaining = int(deadline - time.time())
        if remaining < 5:
            self.finished = True
            return
        p = self.pair
        cmd = ["afl-fuzz", "-i", str(self.seeds), "-o", str(p.afl_out),
               "-M" if self.index == 0 else "-S", self.name, "-V", str(remaining)]
        if p.target.dict:
            cmd += ["-x", str(p.target.dict)]
        cmd += ["--", str(p.binary)]
        env = dict(os.environ)
        env.update(AFL_ENV)
        self._spawn(cmd, env)

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
                "rate": num("execs_per_sec") if self.running() else 0}
