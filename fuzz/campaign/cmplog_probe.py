"""The CmpLog self-check: does AFL++'s CmpLog solve a comparison here?

CmpLog is what takes AFL++ past the magic numbers and checksums of the
targets, and when it does nothing, nothing says so: the instances run for
hours with an engine that cannot pass a CRC.  That happened: with AFL++
4.04c, a second CmpLog binary beside the fuzzed one (-c <binary>) solved
no comparison at all (fuzz/README.md, "CmpLog").  So before fuzzing, a
campaign whose AFL++ instances use CmpLog fuzzes
//fuzz/engine:cmplog_probe_bin (cmplog_probe.c: two 32-bit values compared
against the input, which havoc does not guess in a minute and
input-to-state solves in a few executions) the way its instances run it,
-c 0 -l 2, and refuses to go on when the probe's abort() is not reached
within SECONDS.
"""
import os
import pathlib
import re
import shutil
import signal
import subprocess
import time
from typing import Tuple

from campaign import workers
from campaign.afl_worker import afl_env

LABEL = "//fuzz/engine:cmplog_probe_bin"
KIND = "afl-cmplog"
BINARY = "cmplog_probe.afl-cmplog"
SECONDS = 60
# Any input that does not reach the abort(): the probe has no corpus.
SEED = b"\0" * 8


def build(bazel, bindir: pathlib.Path) -> pathlib.Path:
    """Builds the probe with --config=afl-cmplog (in the AFL++ output base)
    and copies it to bindir."""
    bazel_bin = bazel.build([LABEL], ["--config=" + KIND], bazel.afl_output_base())
    dst = bindir / BINARY
    if dst.exists():
        dst.unlink()
    shutil.copy2(bazel_bin / "fuzz" / "engine" / "cmplog_probe_bin", dst)
    dst.chmod(0o755)
    return dst


def run(binary: pathlib.Path, workdir: pathlib.Path, seconds: int = SECONDS) -> Tuple[bool, float, str]:
    """Fuzzes the probe with AFL++ (-c 0 -l 2) until its first crash or
    `seconds`.  Returns (solved, seconds taken, what to show when not)."""
    shutil.rmtree(workdir, ignore_errors=True)
    seeds, out = workdir / "in", workdir / "out"
    seeds.mkdir(parents=True)
    (seeds / "zero").write_bytes(SEED)
    cmd = ["afl-fuzz", "-i", str(seeds), "-o", str(out), "-M", "probe", "-V", str(seconds),
           "-c", "0", "-l", "2", "--", str(binary)]
    env = afl_env()
    env["AFL_BENCH_UNTIL_CRASH"] = "1"  # stop at the first crash
    log_path = workdir / "afl.log"
    start = time.monotonic()
    with open(log_path, "w") as log:
        log.write("$ %s\n" % " ".join(cmd))
        log.flush()
        proc = subprocess.Popen(cmd, stdout=log, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, cwd=workdir, env=env,
                                start_new_session=True)
        workers.register(proc)
        try:
            proc.wait(timeout=seconds + 60)
        except subprocess.TimeoutExpired:
            pass
        finally:
            if proc.poll() is None:
                os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()
            workers.reap_orphans()
    took = time.monotonic() - start
    crashes = sorted((out / "probe" / "crashes").glob("id:*"))
    if crashes:
        return True, took, ""
    text = re.sub(r"\x1b\[[0-9;?]*[A-Za-z]", "", log_path.read_text(errors="replace"))
    tail = [line for line in text.splitlines() if line.strip()][-6:]
    return False, took, "afl-fuzz exit %s; last lines of %s:\n%s" % (
        proc.returncode, log_path, "\n".join(tail))
