"""Fuzzing processes, engine-neutral: pairs, workers and stopping them.

A Pair is one target fuzzed by one engine; it owns one or more workers
(processes: libfuzzer_worker.py, afl_worker.py).  Every worker runs in a
session of its own, so that stopping it (SIGINT, then SIGKILL) reaches its
children too, and nothing else.

Not all descendants stay in that session: AFL++'s fork servers start new
ones, and when afl-fuzz exits, a persistent-mode child of its CmpLog fork
server can be left behind, stopped (SIGSTOP) between two runs, for ever.
So the campaign makes itself the "child subreaper" of its descendants
(prctl(2)): orphans become its children, and reap_orphans() ends them.
"""
import ctypes
import hashlib
import os
import pathlib
import shutil
import signal
import subprocess
import time
from typing import Dict, List, Optional

from campaign.targets import Target, inputs_in

# Every engine process this campaign started, for a last-resort cleanup.
_started: List[subprocess.Popen] = []
PR_SET_CHILD_SUBREAPER = 36


def register(proc: subprocess.Popen) -> None:
    """An engine process started outside a Worker, for kill_all()."""
    _started.append(proc)


def become_subreaper() -> bool:
    """Adopt our orphaned descendants (see above).  Call it after the builds:
    the Bazel server detaches from its client, and must not become ours."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return libc.prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) == 0
    except (OSError, AttributeError):
        return False


def reap_orphans() -> int:
    """SIGKILL and reap every child of ours that no running worker owns:
    what engines left behind.  Returns how many there were."""
    live = {p.pid for p in _started if p.returncode is None and p.poll() is None}
    children = set()
    for task in pathlib.Path("/proc/self/task").iterdir():
        try:
            children.update(int(x) for x in (task / "children").read_text().split())
        except (OSError, ValueError):
            pass
    ended = 0
    for pid in sorted(children - live):
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        try:
            os.waitpid(pid, 0)
            ended += 1
        except ChildProcessError:
            pass
    return ended


def kill_all() -> None:
    """SIGKILL to the session of every engine process we started and that
    still runs, and to whatever they left behind."""
    for proc in _started:
        if proc.poll() is None:
            try:
                os.killpg(proc.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            proc.wait()
    reap_orphans()


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
    """One target under one engine: its directories, binaries, workers and totals.

    binaries: binary kind -> path; the libFuzzer pair has "libfuzzer", the
    AFL++ pair those of "afl", "afl-asan", "afl-cmplog" and "afl-asan-cmplog"
    that were built (build_kinds() in cli.py)."""

    def __init__(self, target: Target, engine: str, workdir: pathlib.Path,
                 binaries: Dict[str, pathlib.Path], leave_out=frozenset()):
        self.target = target
        self.leave_out = leave_out      # seed files not to fuzz from (they crash now)
        self.engine = engine
        self.workdir = workdir          # OUT/<target>
        self.binaries = binaries
        self.workers: List["Worker"] = []
        self.corpus_dir = workdir / "corpus"   # libFuzzer's; merged at the end; resumed from
        self.engine_dir = workdir / engine
        self.engine_dir.mkdir(parents=True, exist_ok=True)
        self.corpus_dir.mkdir(parents=True, exist_ok=True)
        self.fuzzed = 0.0  # seconds this pair's workers ran
        self.crashes_at_start = self.crash_count()
        self.own_at_start = self.own_inputs()

    @property
    def key(self) -> str:
        return "%s/%s" % (self.target.name, self.engine)

    @property
    def artifacts(self) -> pathlib.Path:
        return self.engine_dir / "artifacts"

    @property
    def afl_out(self) -> pathlib.Path:
        return self.engine_dir / "out"

    @property
    def foreign_dir(self) -> pathlib.Path:
        """Where the corpus exchange puts libFuzzer's finds for AFL++'s main
        instance (-F).  AFL++ names the imports after this directory's name:
        queue entries ",sync:libfuzzer_0,..." (see afl_worker.py)."""
        return self.engine_dir / "libfuzzer"

    def crash_files(self) -> List[pathlib.Path]:
        if self.engine == "libfuzzer":
            # What libFuzzer writes through -artifact_prefix on a failure.
            return [p for p in inputs_in(self.artifacts)
                    if p.name.startswith(("crash-", "leak-", "timeout-", "oom-"))]
        found = []
        for sub in ("crashes", "hangs"):
            for d in sorted(self.afl_out.glob("*/" + sub)):
                found += [p for p in inputs_in(d) if p.name.startswith("id:")]
        return found

    def crash_count(self) -> int:
        return len(self.crash_files())

    def own_inputs(self) -> int:
        """Inputs this engine found itself by mutation (not seeds, not imports),
        from the files, so that a resumed campaign counts from where it was."""
        if self.engine == "afl":
            return sum(1 for q in self.afl_out.glob("*/queue") for p in q.glob("id:*")
                       if ",orig:" not in p.name and ",sync:" not in p.name)
        return sum(w.stats().get("own_new", 0) for w in self.workers)

    def corpus_size(self) -> int:
        if self.engine == "afl":
            from campaign.afl_worker import read_afl_stats  # cycle: afl_worker needs Pair
            # From the files, not the workers: a resumed campaign starts with a queue.
            counts = [int(float(read_afl_stats(d).get("corpus_count", "0") or 0))
                      for d in sorted(self.afl_out.glob("*")) if d.is_dir()]
            return max(counts or [0])
        return len(inputs_in(self.corpus_dir))

    def prepare_seeds(self) -> pathlib.Path:
        """The committed seeds and past crashes, in one directory (afl-fuzz takes
        only one), less those that crash today: an engine cannot start from an
        input that crashes.  AFL++ also gets libFuzzer's working corpus, which
        libFuzzer is given directly."""
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

    def snapshot(self) -> Dict[str, float]:
        stats = [w.stats() for w in self.workers]
        own = self.own_inputs()
        if self.engine == "afl":
            own -= self.own_at_start
        return {
            "execs": sum(s.get("execs", 0) for s in stats),
            "rate": sum(s.get("rate", 0) for s in stats),
            "coverage": max([s.get("coverage", 0) for s in stats] or [0]),
            "features": max([s.get("features", 0) for s in stats] or [0]),
            # Coverage when the first process had loaded its seeds (libFuzzer only).
            "coverage_start": min([s["coverage_start"] for s in stats
                                   if s.get("coverage_start") is not None], default=None),
            "corpus": self.corpus_size(),
            "own_new": own,
            "imported": sum(s.get("imported", 0) for s in stats),
            "crashes": self.crash_count(),
            "running": sum(1 for w in self.workers if w.running()),
        }


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
        self.started = 0.0

    def running(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def describe(self) -> str:
        """One line: how this worker fuzzes (for the report)."""
        return self.engine

    def _spawn(self, cmd: List[str], env: Dict[str, str]) -> None:
        with open(self.log_path, "a") as log:
            log.write("$ %s\n" % " ".join(cmd))
            log.flush()
            self.proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                         stdin=subprocess.DEVNULL, cwd=self.pair.engine_dir,
                                         env=env, start_new_session=True)
        register(self.proc)
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
