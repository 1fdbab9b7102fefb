"""Merging and minimising a target's corpus at the end of a campaign.

Everything the campaign found (the working corpus, every AFL++ queue) plus
the committed seeds is reduced twice: by libFuzzer's -merge=1 (keeps the
inputs that add a libFuzzer feature: edges, counters, comparisons) and by
afl-cmin (keeps the inputs that add an AFL++ edge).  The result is the
union of both, so neither engine loses coverage it had, named by content
hash.  It replaces the working corpus, which is what a later campaign on
the same --out resumes from.
"""
import pathlib
import shutil
import subprocess
from typing import Dict, Optional

from campaign.afl_worker import afl_env
from campaign.targets import Target, inputs_in
from campaign.workers import sha1_of


def _gather(dst: pathlib.Path, sources) -> int:
    """Copies every input of `sources` into dst, named by content (dedupes)."""
    shutil.rmtree(dst, ignore_errors=True)
    dst.mkdir(parents=True)
    for d in sources:
        for p in inputs_in(d):
            shutil.copyfile(p, dst / sha1_of(p))
    return len(inputs_in(dst))


def merge(target: Target, workdir: pathlib.Path, libfuzzer: Optional[pathlib.Path],
          afl: Optional[pathlib.Path], log: pathlib.Path, timeout: int = 1800) -> Dict[str, int]:
    work = workdir / "merge"
    shutil.rmtree(work, ignore_errors=True)
    work.mkdir(parents=True)
    sources = [workdir / "corpus", target.corpus] + sorted(
        (workdir / "afl" / "out").glob("*/queue"))
    result = {"before": _gather(work / "all", sources)}

    kept = []
    with open(log, "a") as logf:
        if libfuzzer is not None:
            out = work / "libfuzzer"
            out.mkdir()
            cmd = [str(libfuzzer), "-merge=1", "-merge_control_file=%s" % (work / "merge.ctl"),
                   str(out), str(work / "all")]
            logf.write("$ %s\n" % " ".join(cmd))
            logf.flush()
            subprocess.run(cmd, stdout=logf, stderr=subprocess.STDOUT, cwd=work, timeout=timeout)
            result["libfuzzer_kept"] = len(inputs_in(out))
            kept.append(out)
        if afl is not None:
            out = work / "afl-cmin"
            cmd = ["afl-cmin", "-i", str(work / "all"), "-o", str(out), "--", str(afl)]
            logf.write("$ %s\n" % " ".join(cmd))
            logf.flush()
            env = afl_env()
            # afl-cmin refuses /tmp outright (shared-directory races); --out is the
            # user's choice, so let it be.
            env["AFL_ALLOW_TMP"] = "1"
            subprocess.run(cmd, stdout=logf, stderr=subprocess.STDOUT, cwd=work, env=env,
                           timeout=timeout)
            result["afl_kept"] = len(inputs_in(out))
            kept.append(out)

    final = workdir / "merged"
    if kept and any(inputs_in(d) for d in kept):
        result["after"] = _gather(final, kept)
        # Resume point of the next campaign on this --out.
        _gather(workdir / "corpus", [final])
    else:
        result["after"] = _gather(final, [work / "all"])
    shutil.rmtree(work / "all", ignore_errors=True)
    return result
