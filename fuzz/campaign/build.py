"""Builds every target's binaries through Bazel and copies them out.

Up to seven binaries per target, all from the same //fuzz/<t>:<t>_bin:
  <t>.libfuzzer        --config=libfuzzer (+ --config=asan by default)
  <t>.afl              --config=afl, the plain AFL++ build
  <t>.afl-asan         --config=afl-asan: AFL++ with ASan+UBSan
  <t>.afl-cmplog       --config=afl-cmplog: plain, CmpLog compiled in (-c 0)
  <t>.afl-asan-cmplog  --config=afl-asan-cmplog: ASan+UBSan and CmpLog
                  (of the AFL++ ones, only those the instances fuzz are
                  built: afl_worker.binary_kinds)
  <t>.replay      --config=asan, no engine: replays one input with a
                  symbolised stack, for crash triage and regressions/
  <t>.coverage    --config=coverage-report: the replay binary with llvm's
                  source coverage, for the report
The AFL++ ones are built in an output base of their own: --config=afl
swaps the C compiler, which makes Bazel redo its toolchain detection and
would throw away the normal build cache.  Configs may share bazel-bin, so
each binary is copied out right after its build.
"""
import pathlib
import shutil
import subprocess
from typing import Dict, List, Optional


class BuildError(Exception):
    pass


class Bazel:
    def __init__(self, workspace: pathlib.Path, bazel: str, output_base: Optional[str],
                 extra: List[str], log: pathlib.Path):
        self.workspace = workspace
        self.bazel = bazel
        self.output_base = output_base
        self.extra = extra
        self.log = log
        self._afl_base = ""

    def _startup(self, output_base: Optional[str]) -> List[str]:
        return [self.bazel] + (["--output_base=" + output_base] if output_base else [])

    def _run(self, cmd: List[str]) -> str:
        with open(self.log, "a") as log:
            log.write("$ %s\n" % " ".join(cmd))
            log.flush()
            res = subprocess.run(cmd, cwd=self.workspace, stdout=subprocess.PIPE,
                                 stderr=log, text=True)
        if res.returncode != 0:
            tail = self.log.read_text(errors="replace").splitlines()[-25:]
            raise BuildError("command failed (exit %d): %s\n%s" % (
                res.returncode, " ".join(cmd), "\n".join(tail)))
        return res.stdout

    def afl_output_base(self) -> str:
        if self.output_base:
            return self.output_base.rstrip("/") + "-afl"
        if not self._afl_base:
            base = self._run(self._startup(None) + ["info", "output_base"]).strip()
            self._afl_base = base + "-afl"
        return self._afl_base

    def build(self, labels: List[str], flags: List[str], output_base: Optional[str]) -> pathlib.Path:
        start = self._startup(output_base)
        self._run(start + ["build"] + flags + self.extra + labels)
        out = self._run(start + ["info"] + flags + self.extra + ["bazel-bin"]).strip()
        return pathlib.Path(out)


def build_all(bazel: Bazel, targets, kinds: Dict[str, List[str]], bindir: pathlib.Path,
              say) -> Dict[tuple, pathlib.Path]:
    """kinds: binary kind -> Bazel flags.  Returns (target name, kind) -> binary."""
    bindir.mkdir(parents=True, exist_ok=True)
    labels = [t.bin_label for t in targets]
    built = {}
    for kind, flags in kinds.items():
        output_base = bazel.afl_output_base() if kind.startswith("afl") else bazel.output_base
        say("building %s binaries: bazel %s%s build %s" % (
            kind, "--output_base=%s " % output_base if output_base else "",
            " ".join(flags + bazel.extra), " ".join(labels)))
        bazel_bin = bazel.build(labels, flags, output_base)
        for t in targets:
            src = bazel_bin / "fuzz" / t.name / (t.name + "_bin")
            dst = bindir / ("%s.%s" % (t.name, kind))
            if dst.exists():
                dst.unlink()
            shutil.copy2(src, dst)
            dst.chmod(0o755)
            built[(t.name, kind)] = dst
    return built
