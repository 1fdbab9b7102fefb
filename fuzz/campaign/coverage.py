"""Source coverage of a target's final corpus (llvm-cov), for the report.

The target's replay binary built with --config=coverage-report (clang's
-fprofile-instr-generate -fcoverage-mapping, no engine, no sanitizer) runs
every input of the merged corpus; llvm-profdata merges the raw profiles and
llvm-cov writes an HTML tree (OUT/coverage/<target>/index.html) and the
per-file summary table that report.txt shows.  Paths in the coverage
mapping are relative to the workspace (fuzz/bazelrc), so llvm-cov runs from
there, on the sources as they are now.

The llvm tools must be those of the clang that compiled the binary (the
profile formats change between releases): llvm-profdata-<major>, or an
unversioned one that says it is that release.
"""
import json
import os
import pathlib
import re
import shutil
import subprocess
from typing import Dict, List, Optional

from campaign.targets import inputs_in

CHUNK = 200          # inputs per process: few processes, small command lines
RUN_TIMEOUT = 600
# Not what is fuzzed: the engine's main.
IGNORE = r"(^|/)fuzz/engine/replay_main\.c$"


def clang_major(cc: str = "clang") -> Optional[str]:
    try:
        out = subprocess.run([cc, "--version"], stdout=subprocess.PIPE, text=True,
                             stderr=subprocess.DEVNULL).stdout
    except OSError:
        return None
    m = re.search(r"clang version (\d+)\.", out)
    return m.group(1) if m else None


def llvm_tool(name: str, major: Optional[str]) -> Optional[str]:
    """The llvm tool `name` of clang's release `major`, or None."""
    if major and shutil.which("%s-%s" % (name, major)):
        return shutil.which("%s-%s" % (name, major))
    path = shutil.which(name)
    if path is None:
        return None
    if major is None:
        return path
    out = subprocess.run([path, "--version"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                         text=True).stdout
    return path if re.search(r"LLVM version %s\." % major, out) else None


def tools() -> Dict[str, Optional[str]]:
    major = clang_major()
    return {"major": major, "profdata": llvm_tool("llvm-profdata", major),
            "cov": llvm_tool("llvm-cov", major)}


def _run_inputs(binary: pathlib.Path, files: List[pathlib.Path], prof_dir: pathlib.Path,
                log) -> List[pathlib.Path]:
    """Runs the inputs, CHUNK per process; returns those that failed.  A
    process that fails writes no profile (it aborts), so its chunk is rerun
    one input per process to keep the rest."""
    env = dict(os.environ)
    env["LLVM_PROFILE_FILE"] = str(prof_dir / "cov-%p.profraw")
    failed = []

    def run(chunk: List[pathlib.Path]) -> bool:
        try:
            res = subprocess.run([str(binary)] + [str(p) for p in chunk], env=env, stdout=log,
                                 stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                 timeout=RUN_TIMEOUT)
        except subprocess.TimeoutExpired:
            return False
        return res.returncode == 0

    for i in range(0, len(files), CHUNK):
        chunk = files[i:i + CHUNK]
        if run(chunk):
            continue
        for p in chunk:
            if len(chunk) == 1 or not run([p]):
                failed.append(p)
    return failed


def report(target: str, binary: pathlib.Path, corpus: pathlib.Path, out_dir: pathlib.Path,
           workspace: pathlib.Path, tl: Dict[str, Optional[str]], log_path: pathlib.Path) -> Dict:
    """Writes out_dir/index.html; returns {"html", "table", "lines", "functions",
    "regions", "inputs", "failed", "error"} (what was obtained)."""
    result: Dict = {"inputs": 0, "failed": []}
    if not tl.get("profdata") or not tl.get("cov"):
        result["error"] = ("no llvm-profdata/llvm-cov of clang %s (Debian: llvm-%s, which "
                           "ci/setup installs)" % (tl.get("major") or "?", tl.get("major") or "N"))
        return result
    shutil.rmtree(out_dir, ignore_errors=True)
    prof_dir = out_dir.parent / (".profraw-" + target)
    shutil.rmtree(prof_dir, ignore_errors=True)
    prof_dir.mkdir(parents=True)
    files = inputs_in(corpus)
    result["inputs"] = len(files)
    with open(log_path, "a") as log:
        failed = _run_inputs(binary, files, prof_dir, log)
        result["failed"] = [p.name for p in failed]
        raws = sorted(prof_dir.glob("*.profraw"))
        if not raws:
            result["error"] = "no profile written (every input failed?)"
            return result
        profdata = out_dir.parent / ("%s.profdata" % target)
        cmds = [[tl["profdata"], "merge", "-sparse", "-o", str(profdata)] + [str(r) for r in raws]]
        common = [str(binary), "-instr-profile=%s" % profdata, "-ignore-filename-regex=" + IGNORE]
        cmds.append([tl["cov"], "show"] + common + [
            "-format=html", "-output-dir=%s" % out_dir, "-show-line-counts-or-regions",
            "-project-title=%s (final corpus of the campaign)" % target])
        for cmd in cmds:
            log.write("$ %s\n" % " ".join(cmd))
            log.flush()
            res = subprocess.run(cmd, cwd=workspace, stdout=log, stderr=subprocess.STDOUT)
            if res.returncode != 0:
                result["error"] = "%s failed (exit %d); see %s" % (
                    os.path.basename(cmd[0]), res.returncode, log_path)
                return result
        table = subprocess.run([tl["cov"], "report"] + common, cwd=workspace,
                               stdout=subprocess.PIPE, stderr=log, text=True)
        result["table"] = table.stdout.rstrip()
        export = subprocess.run([tl["cov"], "export", "-summary-only"] + common, cwd=workspace,
                                stdout=subprocess.PIPE, stderr=log, text=True)
    shutil.rmtree(prof_dir, ignore_errors=True)
    try:
        totals = json.loads(export.stdout)["data"][0]["totals"]
        for k in ("lines", "functions", "regions", "branches"):
            result[k] = {"covered": totals[k]["covered"], "count": totals[k]["count"],
                         "percent": totals[k]["percent"]}
    except (ValueError, KeyError, IndexError):
        result["error"] = "llvm-cov export gave no totals"
    if (out_dir / "index.html").is_file():
        result["html"] = out_dir / "index.html"
    return result
