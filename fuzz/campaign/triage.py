"""Crash triage: replay, deduplicate by stack, minimise, compare with regressions/.

Every crash file (libFuzzer artifacts, AFL++ crashes/ and hangs/) is
replayed once by the target's ASan replay binary.  Its signature is the
kind of failure plus the top three frames of the symbolised stack that
belong to our code (sanitizer runtime, libc and the replay main are
skipped), so the same bug found a thousand times is one bucket.  The
smallest input of each bucket is minimised by the engine that found it
(libFuzzer -minimize_crash=1, or afl-tmin) and kept if it still fails the
same way.  A bucket is known when one of the target's regressions/ inputs
still produces the same signature, or has the same content; anything else
is new.  AFL++ crashes are minimised with the ASan build when there is one:
an overflow that only ASan sees is kept by afl-tmin only if it sees it too.

check_regressions() replays every regressions/ input, at the start of a
campaign and again at its end: one that fails is a known bug back.
"""
import dataclasses
import hashlib
import os
import pathlib
import re
import shutil
import subprocess
from typing import Dict, List, Optional, Set

from campaign.targets import Target, inputs_in
from campaign import afl_worker
from campaign.afl_worker import afl_env
from campaign.workers import Pair, sha1_of

SANITIZER = re.compile(r"ERROR: (\w+Sanitizer): ([\w-]+)")
UBSAN = re.compile(r"runtime error: (.*)")
CHECK = re.compile(r"fuzz check failed: (.*)")
FRAME = re.compile(r"^\s*#(\d+) 0x[0-9a-f]+ in (\S+)(?: (\S+))?")
NOT_OURS = ("__asan", "__interceptor_", "__sanitizer", "__ubsan", "__lsan", "__msan",
            "__GI_", "__libc_", "__wrap_", "__pthread_kill", "pthread_kill", "gsignal",
            "abort", "raise", "_start", "main",
            "replay_file", "replay_path", "fuzzer::", "memcpy", "memmove", "memset", "memcmp")
REPLAY_TIMEOUT = 25


@dataclasses.dataclass
class Replay:
    failed: bool
    kind: str
    frames: List[str]
    output: str

    @property
    def signature(self) -> str:
        names = [f.split(" ")[0] for f in self.frames[:3]]
        return " | ".join([self.kind] + names)


def replay(binary: pathlib.Path, path: pathlib.Path) -> Replay:
    env = dict(os.environ)
    env["ASAN_OPTIONS"] = "symbolize=1:handle_abort=1:detect_leaks=1:abort_on_error=0"
    env["UBSAN_OPTIONS"] = "halt_on_error=1:print_stacktrace=1:symbolize=1"
    if shutil.which("llvm-symbolizer"):
        env.setdefault("ASAN_SYMBOLIZER_PATH", shutil.which("llvm-symbolizer"))
    try:
        res = subprocess.run([str(binary), str(path)], stdout=subprocess.PIPE,
                             stderr=subprocess.STDOUT, env=env, timeout=REPLAY_TIMEOUT,
                             text=True, errors="replace")
    except subprocess.TimeoutExpired as e:
        out = e.stdout if isinstance(e.stdout, str) else ""
        return Replay(True, "timeout", [], out or "")
    out = res.stdout
    if res.returncode == 0:
        return Replay(False, "", [], out)
    kind = "exit status %d" % res.returncode
    for pattern, fmt in ((CHECK, "fuzz check failed: %s"), (UBSAN, "UBSan: %s"),
                         (SANITIZER, None)):
        m = pattern.search(out)
        if m:
            kind = fmt % m.group(1) if fmt else "%s: %s" % (m.group(1), m.group(2))
            break
    frames = []
    for line in out.splitlines():
        m = FRAME.match(line)
        if m is None:
            continue
        if m.group(1) == "0" and frames:
            break  # a second stack (allocation site etc.): the first one is the crash
        func, where = m.group(2), m.group(3) or ""
        if not func.startswith(NOT_OURS):
            frames.append("%s %s" % (func, os.path.basename(where.rstrip(")"))))
    return Replay(True, kind, frames, out)


@dataclasses.dataclass
class Bucket:
    signature: str
    engine: str
    files: List[pathlib.Path]
    replay: Replay
    kept: Optional[pathlib.Path] = None
    minimised: bool = False
    known: bool = False

    @property
    def new(self) -> bool:
        return self.replay.failed and not self.known

    @property
    def status(self) -> str:
        if not self.replay.failed:
            return "not reproducible"
        return "known" if self.known else "NEW"

    @property
    def ident(self) -> str:
        return hashlib.sha1(self.signature.encode()).hexdigest()[:10]


@dataclasses.dataclass
class Known:
    """What regressions/ already holds: content hashes, and the signatures of
    the inputs that fail today (a bug that came back, or a planted one)."""
    hashes: Set[str]
    signatures: Set[str]
    failing: List[pathlib.Path]
    replayed: int = 0
    why: Dict[str, str] = dataclasses.field(default_factory=dict)  # failing name -> signature


def check_regressions(target: Target, replay_bin: pathlib.Path) -> Known:
    known = Known(set(), set(), [])
    for p in inputs_in(target.regressions):
        known.hashes.add(sha1_of(p))
        known.replayed += 1
        r = replay(replay_bin, p)
        if r.failed:
            known.signatures.add(r.signature)
            known.failing.append(p)
            known.why[p.name] = r.signature
    return known


def _minimise(bucket: Bucket, src: pathlib.Path, dst: pathlib.Path,
              bins: Dict[str, pathlib.Path], log) -> bool:
    if bucket.engine == "libfuzzer" and "libfuzzer" in bins:
        cmd = [str(bins["libfuzzer"]), "-minimize_crash=1", "-max_total_time=60",
               "-runs=1000000", "-exact_artifact_path=%s" % dst, str(src)]
        env = dict(os.environ)
    elif bucket.engine == "afl" and afl_worker.pick_binary(bins, prefer_asan=True):
        cmd = ["afl-tmin", "-i", str(src), "-o", str(dst), "--",
               str(afl_worker.pick_binary(bins, prefer_asan=True))]
        env = afl_env()
    else:
        return False
    log.write("$ %s\n" % " ".join(cmd))
    log.flush()
    try:
        subprocess.run(cmd, stdout=log, stderr=subprocess.STDOUT, cwd=dst.parent, env=env,
                       timeout=300)
    except subprocess.TimeoutExpired:
        return False
    return dst.is_file() and dst.stat().st_size > 0


def triage(target: Target, pairs: List[Pair], bins: Dict[str, pathlib.Path],
           known: Known, workdir: pathlib.Path, log_path: pathlib.Path) -> List[Bucket]:
    replay_bin = bins["replay"]
    buckets: Dict[str, Bucket] = {}
    for pair in pairs:
        for path in pair.crash_files():
            r = replay(replay_bin, path)
            if not r.failed:
                hint = path.name.split("-")[0] if pair.engine == "libfuzzer" else path.parent.name
                r = Replay(False, "does not reproduce (%s from %s)" % (hint, pair.engine), [],
                           r.output)
            b = buckets.setdefault(r.signature, Bucket(r.signature, pair.engine, [], r))
            b.files.append(path)
    if not buckets:
        return []

    out = workdir / "crashes"
    with open(log_path, "a") as log:
        for b in buckets.values():
            b.files.sort(key=lambda p: p.stat().st_size)
            smallest = b.files[0]
            d = out / b.ident
            d.mkdir(parents=True, exist_ok=True)
            kept = smallest
            if b.replay.failed:
                candidate = d / "minimised"
                if _minimise(b, smallest, candidate, bins, log) and \
                        replay(replay_bin, candidate).signature == b.signature:
                    kept = candidate
                    b.minimised = candidate.stat().st_size < smallest.stat().st_size
            data = kept.read_bytes()
            b.kept = d / ("crash-" + hashlib.sha1(data).hexdigest())
            b.kept.write_bytes(data)
            (d / "stack.txt").write_text(b.replay.output)
            b.known = (b.signature in known.signatures or
                       hashlib.sha1(data).hexdigest() in known.hashes or
                       any(sha1_of(f) in known.hashes for f in b.files[:50]))
    return sorted(buckets.values(), key=lambda b: (not b.new, b.signature))
