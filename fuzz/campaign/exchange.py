"""Corpus exchange between libFuzzer and AFL++ while a campaign runs.

Each engine finds inputs the other misses (libFuzzer's value profile and
comparison tracing, AFL++'s CmpLog and schedules), so every --exchange-every
seconds, for each target fuzzed by both:

  AFL++ -> libFuzzer: entries new in any instance's queue/ are copied into
  libFuzzer's corpus directory, which its -reload=1 re-reads every second;
  libFuzzer keeps those that add coverage ("RELOAD" in its log).
  libFuzzer -> AFL++: files new in that corpus directory are copied into
  the directory AFL++'s main instance imports with -F; it keeps those that
  add coverage (queue entries ",sync:libfuzzer_0,").

Files are named by the SHA-1 of their content and copied once: an input is
never sent back to the engine it came from, nor sent twice.  Copies are
written beside their destination and renamed into it, so no engine reads
half a file.  Both engines notice new files by modification time; AFL++
skips files not newer than the newest it took last time (whole seconds), so
each batch for it gets a modification time later than the batch before.
"""
import hashlib
import os
import pathlib
import time
from typing import Dict, Set

from campaign.afl_worker import FOREIGN_TAG
from campaign.targets import inputs_in
from campaign.workers import Pair, sha1_of


def _read(path: pathlib.Path):
    """The file's bytes, or None if it went away (libFuzzer replaces corpus
    files with smaller ones that reach the same features)."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None


class Exchange:
    def __init__(self, libfuzzer: Pair, afl: Pair):
        self.lf = libfuzzer
        self.afl = afl
        self.tmp = libfuzzer.workdir / "exchange-tmp"
        self.tmp.mkdir(parents=True, exist_ok=True)
        afl.foreign_dir.mkdir(parents=True, exist_ok=True)
        self.seen_queue: Set[pathlib.Path] = set()   # AFL++ queue files already looked at
        # libFuzzer corpus file names looked at.  What is there at the start
        # AFL++ gets as seeds anyway (Pair.prepare_seeds).
        self.seen_corpus: Set[str] = {p.name for p in inputs_in(libfuzzer.corpus_dir)}
        self.from_afl: Set[str] = set()              # hashes of everything AFL++ has had
        self.in_corpus: Set[str] = {sha1_of(p) for p in inputs_in(libfuzzer.corpus_dir)}
        self.in_foreign: Set[str] = {p.name for p in inputs_in(afl.foreign_dir)}
        self.last_mtime = 0
        self.rounds = 0
        self.to_libfuzzer = 0
        self.to_afl = 0

    def _put(self, data: bytes, dst_dir: pathlib.Path, name: str, mtime: int = 0) -> None:
        tmp = self.tmp / name
        tmp.write_bytes(data)
        if mtime:
            os.utime(tmp, (mtime, mtime))
        os.rename(tmp, dst_dir / name)

    def step(self) -> Dict[str, int]:
        """One exchange in both directions; returns what moved this time."""
        self.rounds += 1
        moved = {"to_libfuzzer": 0, "to_afl": 0}
        for queue in sorted(self.afl.afl_out.glob("*/queue")):
            for p in sorted(queue.glob("id:*")):
                if p in self.seen_queue:
                    continue
                self.seen_queue.add(p)
                data = _read(p)
                if data is None:
                    continue
                h = hashlib.sha1(data).hexdigest()
                self.from_afl.add(h)
                # Seeds (",orig:") came from libFuzzer's corpus and the
                # committed one already; imports came from libFuzzer.
                if ",orig:" in p.name or FOREIGN_TAG in p.name or h in self.in_corpus:
                    continue
                self._put(data, self.lf.corpus_dir, h)
                self.in_corpus.add(h)
                moved["to_libfuzzer"] += 1
        mtime = max(int(time.time()), self.last_mtime + 1)
        for p in inputs_in(self.lf.corpus_dir):
            if p.name in self.seen_corpus:
                continue
            self.seen_corpus.add(p.name)
            data = _read(p)
            if data is None:
                continue
            h = hashlib.sha1(data).hexdigest()
            self.in_corpus.add(h)
            if h in self.from_afl or h in self.in_foreign or not data:
                continue
            self._put(data, self.afl.foreign_dir, h, mtime)
            self.in_foreign.add(h)
            moved["to_afl"] += 1
        if moved["to_afl"]:
            self.last_mtime = mtime
        self.to_libfuzzer += moved["to_libfuzzer"]
        self.to_afl += moved["to_afl"]
        return moved

    def summary(self) -> Dict[str, int]:
        lf = self.lf.snapshot()
        afl = self.afl.snapshot()
        return {"rounds": self.rounds, "to_libfuzzer": self.to_libfuzzer,
                "to_afl": self.to_afl,
                # What each engine kept because it added coverage.
                "libfuzzer_kept": lf["imported"], "afl_kept": afl["imported"]}
