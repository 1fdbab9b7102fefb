"""Planted bugs: the patches in fuzz/planted/ and a scratch copy to apply them to.

Shared by fuzz/planted-bug-demo, fuzz/planted-bug-check and
fuzz/planted-bug-timing.  A planted bug never touches the working tree:
each script copies the tree (tracked files and untracked ones that are not
ignored, as they are on disk, so uncommitted work is included) into a
scratch directory, applies a patch there with `patch -p1`, builds there
with a Bazel output base of its own, and reverses the patch before the
next one.  One scratch copy and one output base serve every bug in turn,
so each later build recompiles only what a patch changed.

A patch file starts with a header that git apply and patch skip, before
its first "diff --git" line:

    Bug: one line: what the mistake is
    Target: the fuzz target that should find it (fuzz/<target>/)
    Crash: a regular expression (Python) that a crash log must match for
           the crash to count as this bug: the patched function in an ASan
           stack, or the target's own check message
    Why realistic: ... (free text, any number of lines)
"""
import dataclasses
import hashlib
import os
import pathlib
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
from typing import Dict, List, Optional, Sequence

PLANTED = pathlib.Path(__file__).resolve().parent
WORKSPACE = PLANTED.parent.parent


class Failure(Exception):
    """A step that cannot go on; the message says which and why."""


@dataclasses.dataclass
class Plant:
    name: str
    patch: pathlib.Path
    bug: str
    target: str
    crash: re.Pattern

    @property
    def target_dir(self) -> str:
        return "fuzz/%s" % self.target

    @property
    def label(self) -> str:
        return "//fuzz/%s:%s" % (self.target, self.target)

    @property
    def diff_digest(self) -> str:
        """SHA-256 (12 hex digits) of the patch from its first "diff --git" on: the
        code change itself, so a timing stays valid while only the header's prose changes."""
        return code_digest(self.patch.read_text(errors="replace"))


def code_digest(patch_text: str) -> str:
    at = patch_text.find("diff --git")
    return hashlib.sha256(patch_text[max(at, 0):].encode()).hexdigest()[:12]


def parse_plant(patch: pathlib.Path) -> Plant:
    fields: Dict[str, str] = {}
    for line in patch.read_text(errors="replace").splitlines():
        if line.startswith("diff --git"):
            break
        m = re.match(r"(Bug|Target|Crash):\s*(.*\S)\s*$", line)
        if m:
            fields[m.group(1)] = m.group(2)
    missing = [k for k in ("Bug", "Target", "Crash") if k not in fields]
    if missing:
        raise Failure("%s: the header lacks %s" % (patch, ", ".join(missing)))
    try:
        crash = re.compile(fields["Crash"])
    except re.error as e:
        raise Failure("%s: Crash: is not a regular expression: %s" % (patch, e))
    return Plant(patch.stem, patch, fields["Bug"], fields["Target"], crash)


def all_plants() -> List[Plant]:
    return [parse_plant(p) for p in sorted(PLANTED.glob("*.patch"))]


def select_plants(spec: str) -> List[Plant]:
    """--plant=: "all", or names separated by commas."""
    plants = all_plants()
    if spec == "all":
        return plants
    by_name = {p.name: p for p in plants}
    chosen = []
    for name in spec.split(","):
        if name not in by_name:
            raise Failure("unknown plant '%s' (there are: %s)" % (
                name, ", ".join(sorted(by_name))))
        chosen.append(by_name[name])
    return chosen


def run(cmd: Sequence[str], cwd: Optional[pathlib.Path] = None, log: Optional[pathlib.Path] = None,
        env: Optional[Dict[str, str]] = None, check: bool = True) -> subprocess.CompletedProcess:
    """Runs cmd; its output goes to log (appended) when given, else is captured."""
    if log is not None:
        with open(log, "a") as f:
            f.write("$ %s\n" % " ".join(cmd))
            f.flush()
            res = subprocess.run(list(cmd), cwd=cwd, stdout=f, stderr=subprocess.STDOUT, env=env,
                                 text=True)
    else:
        res = subprocess.run(list(cmd), cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                             env=env, text=True)
    if check and res.returncode != 0:
        tail = ""
        if log is not None:
            tail = "\n".join(log.read_text(errors="replace").splitlines()[-25:])
        elif res.stdout:
            tail = "\n".join(res.stdout.splitlines()[-25:])
        raise Failure("command failed (exit %d): %s\n%s" % (res.returncode, " ".join(cmd), tail))
    return res


def tree_files() -> List[str]:
    """The working tree's files, relative: git's tracked and untracked-not-ignored ones; without
    git (a tarball, or a machine without it), every file but .git and Bazel's convenience links."""
    if shutil.which("git") is not None and (WORKSPACE / ".git").exists():
        listing = run(["git", "-C", str(WORKSPACE), "ls-files", "-z", "--cached", "--others",
                       "--exclude-standard"]).stdout
        return sorted(set(filter(None, listing.split("\0"))))
    found = []
    for top, dirs, files in os.walk(WORKSPACE):
        rel_top = os.path.relpath(top, WORKSPACE)
        dirs[:] = [d for d in dirs if not (rel_top == "." and (d == ".git" or d.startswith("bazel-")))]
        found += [os.path.normpath(os.path.join(rel_top, f)) for f in files
                  if not (rel_top == "." and f.startswith("bazel-"))]
    return sorted(found)


class Scratch:
    """A copy of the working tree in `root`, with at most one patch applied at a time."""

    def __init__(self, root: pathlib.Path, log: pathlib.Path):
        self.root = root
        self.log = log
        self.applied: Optional[Plant] = None

    def create(self) -> None:
        if self.root.exists():
            shutil.rmtree(self.root)
        self.root.mkdir(parents=True)
        for rel in tree_files():
            src = WORKSPACE / rel
            if not os.path.lexists(src) or src.is_dir():
                continue  # deleted in the working tree (or a submodule)
            dst = self.root / rel
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(src, dst, follow_symlinks=False)

    def _patch(self, plant: Plant, reverse: bool) -> None:
        cmd = ["patch", "-p1", "--forward", "--batch", "--no-backup-if-mismatch", "-i",
               str(plant.patch)]
        if reverse:
            cmd[2:3] = ["--reverse"]
        res = run(cmd, cwd=self.root, check=False)
        if res.returncode != 0:
            raise Failure("%s does not %s the scratch copy of the working tree:\n%s" % (
                plant.patch.name, "reverse out of" if reverse else "apply to", res.stdout))

    def apply(self, plant: Plant) -> None:
        if self.applied is not None:
            self.revert()
        self._patch(plant, reverse=False)
        self.applied = plant

    def revert(self) -> None:
        if self.applied is not None:
            self._patch(self.applied, reverse=True)
            self.applied = None

    def remove(self) -> None:
        shutil.rmtree(self.root, ignore_errors=True)


class Bazel:
    """Bazel in a scratch copy, with output bases of its own (AFL++ builds in <base>-afl)."""

    def __init__(self, scratch: Scratch, output_base: pathlib.Path, bazel: str = "bazel",
                 extra: Sequence[str] = ()):
        self.scratch = scratch
        self.output_base = output_base
        self.bazel = bazel
        self.extra = list(extra)
        self.used_bases = set()

    def base_for(self, flags: Sequence[str]) -> pathlib.Path:
        # --config=afl* swaps the C compiler, which would throw the other
        # configs' cache away at every switch: an output base of its own.
        if any(f.startswith("--config=afl") for f in flags):
            return pathlib.Path(str(self.output_base) + "-afl")
        return self.output_base

    def _cmd(self, flags: Sequence[str], verb: str) -> List[str]:
        base = self.base_for(flags)
        self.used_bases.add(base)
        return [self.bazel, "--output_base=%s" % base, verb] + list(flags) + self.extra

    def build(self, flags: Sequence[str], labels: Sequence[str]) -> pathlib.Path:
        run(self._cmd(flags, "build") + ["--noshow_progress"] + list(labels),
            cwd=self.scratch.root, log=self.scratch.log)
        out = run(self._cmd(flags, "info") + ["bazel-bin"], cwd=self.scratch.root).stdout
        return pathlib.Path(out.strip().splitlines()[-1])

    def query_cmd(self, expression: str) -> List[str]:
        return [self.bazel, "--output_base=%s" % self.output_base, "query", "--noshow_progress",
                expression]

    def test(self, flags: Sequence[str], labels: Sequence[str], log: pathlib.Path) -> bool:
        res = run(self._cmd(flags, "test") + ["--noshow_progress"] + list(labels),
                  cwd=self.scratch.root, log=log, check=False)
        return res.returncode == 0

    def copy_binary(self, flags: Sequence[str], target: str, dest: pathlib.Path,
                    suffix: str = "_bin") -> pathlib.Path:
        """Builds //fuzz/<target>:<target><suffix> with flags and copies it to dest."""
        label = "//fuzz/%s:%s%s" % (target, target, suffix)
        bazel_bin = self.build(flags, [label])
        dest.parent.mkdir(parents=True, exist_ok=True)
        if dest.exists():
            dest.unlink()
        shutil.copy2(bazel_bin / "fuzz" / target / (target + suffix), dest)
        dest.chmod(0o755)
        return dest

    def shutdown(self) -> None:
        for base in sorted(self.used_bases):
            run([self.bazel, "--output_base=%s" % base, "shutdown"], cwd=self.scratch.root,
                check=False)


def target_dict(root: pathlib.Path, target: str) -> Optional[pathlib.Path]:
    d = root / "fuzz" / target / (target + ".dict")
    return d if d.is_file() else None


def target_max_len(root: pathlib.Path, target: str) -> Optional[int]:
    """max_len from fuzz/<target>/<target>.options, as ClusterFuzzLite would pass it."""
    opts = root / "fuzz" / target / (target + ".options")
    if not opts.is_file():
        return None
    m = re.search(r"^\s*max_len\s*=\s*(\d+)", opts.read_text(), re.M)
    return int(m.group(1)) if m else None


def inputs_in(directory: pathlib.Path) -> List[pathlib.Path]:
    """A corpus-like directory's inputs: no README, no dot files."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.is_file() and not p.name.startswith((".", "README")))


def seeds_dir(root: pathlib.Path, target: str, dest: pathlib.Path) -> pathlib.Path:
    """A fresh copy of the target's committed corpus/ (never regressions/, which may
    hold the answer) in dest, for an engine to start from."""
    dest.mkdir(parents=True)
    for f in inputs_in(root / "fuzz" / target / "corpus"):
        shutil.copy2(f, dest / f.name)
    return dest


def afl_run(seeds: pathlib.Path, out: pathlib.Path, binary: pathlib.Path, seed: int,
            budget: int, dictionary: Optional[pathlib.Path]):
    """(command, environment) of AFL++ as a campaign's lone instance runs a target:
    one binary with ASan+UBSan and CmpLog compiled in (-c 0, fuzz/README.md
    "CmpLog"), power schedule fast, stopping at its first crash or after budget s."""
    cmd = ["afl-fuzz", "-i", str(seeds), "-o", str(out), "-M", "main", "-s", str(seed),
           "-V", str(budget), "-p", "fast", "-c", "0", "-l", "2"]
    if dictionary:
        cmd += ["-x", str(dictionary)]
    cmd += ["--", str(binary)]
    # afl-fuzz sets the sanitizer options it needs and refuses others.
    env = {k: v for k, v in os.environ.items()
           if k not in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "MSAN_OPTIONS", "LSAN_OPTIONS")}
    env.update({"AFL_NO_UI": "1", "AFL_SKIP_CPUFREQ": "1", "AFL_NO_AFFINITY": "1",
                "AFL_I_DONT_CARE_ABOUT_MISSING_CRASHES": "1", "AFL_BENCH_UNTIL_CRASH": "1"})
    return cmd, env


# Set in each engine run's environment, which every process it starts inherits.
ENGINE_RUN_VAR = "IPCCONF_PLANTED_ENGINE_RUN"


def run_engine(cmd: Sequence[str], log, env: Dict[str, str], timeout: int) -> int:
    """Runs a fuzzing engine in a process group of its own and, however it ends, kills the
    group and every process that carries this run's tag in its environment: AFL++'s fork
    servers call setsid(), so a persistent-mode child of the CmpLog one can outlive
    afl-fuzz outside the group, stopped, holding its System V shared memory.  The tag
    singles out this run's processes, not those of a trial running beside it on the same
    binaries.  Returns the exit status; raises subprocess.TimeoutExpired."""
    tag = "%d-%s" % (os.getpid(), secrets.token_hex(8))
    env = dict(env, **{ENGINE_RUN_VAR: tag})
    proc = subprocess.Popen(list(cmd), stdout=log, stderr=subprocess.STDOUT, env=env,
                            start_new_session=True)
    try:
        return proc.wait(timeout=timeout)
    finally:
        try:
            os.killpg(proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        proc.wait()
        kill_tagged(tag)


def kill_tagged(tag: str) -> int:
    """SIGKILL (which ends a stopped process too) every process whose environment holds
    ENGINE_RUN_VAR=tag; a few passes, for one that forked while we looked.  Returns how
    many there were."""
    entry = ("%s=%s" % (ENGINE_RUN_VAR, tag)).encode()
    killed = set()
    for _ in range(3):
        found = 0
        for d in pathlib.Path("/proc").iterdir():
            if not d.name.isdigit() or int(d.name) in killed:
                continue
            try:
                if entry not in (d / "environ").read_bytes().split(b"\0"):
                    continue
                os.kill(int(d.name), signal.SIGKILL)
            except (OSError, ValueError):
                continue  # gone, or not ours to read
            killed.add(int(d.name))
            found += 1
        if not found:
            break
    return len(killed)


def replay(binary: pathlib.Path, path: pathlib.Path, timeout: int = 60) -> subprocess.CompletedProcess:
    """One input through a libFuzzer (or replay) binary: its exit status and output."""
    env = dict(os.environ)
    env.setdefault("ASAN_OPTIONS", "detect_leaks=0")
    try:
        return subprocess.run([str(binary), str(path)], stdout=subprocess.PIPE,
                              stderr=subprocess.STDOUT, text=True, errors="replace",
                              timeout=timeout, env=env)
    except subprocess.TimeoutExpired as e:
        out = e.stdout if isinstance(e.stdout, str) else (e.stdout or b"").decode(errors="replace")
        return subprocess.CompletedProcess(e.cmd, -9, out + "\n(timeout)\n")


def attribute(plant: Plant, patched: pathlib.Path, clean: pathlib.Path,
              crash: pathlib.Path) -> str:
    """Why a crash input is, or is not, this plant's bug: "" when it is.

    It is when the patched build crashes on it with a log matching the
    plant's Crash: expression, and the clean build does not crash on it.
    """
    bad = replay(patched, crash)
    if bad.returncode == 0:
        return "does not crash the patched build again"
    if not plant.crash.search(bad.stdout):
        first = next((l for l in bad.stdout.splitlines()
                      if "ERROR:" in l or "fuzz check failed" in l or "SUMMARY" in l),
                     "exit %d" % bad.returncode)
        return "a crash that does not match /%s/: %s" % (plant.crash.pattern, first.strip())
    good = replay(clean, crash)
    if good.returncode != 0:
        return "crashes the clean build too"
    return ""


def update_doc_section(doc: pathlib.Path, section: str, text: str) -> None:
    """Replaces what lies between <!-- section:begin --> and <!-- section:end -->."""
    begin, end = "<!-- %s:begin -->" % section, "<!-- %s:end -->" % section
    old = doc.read_text() if doc.exists() else ""
    if begin in old and end in old:
        head, rest = old.split(begin, 1)
        tail = rest.split(end, 1)[1]
        new = head + begin + "\n" + text.rstrip("\n") + "\n" + end + tail
    else:
        new = old.rstrip("\n") + ("\n\n" if old else "") + begin + "\n" + text.rstrip("\n") + \
            "\n" + end + "\n"
    doc.write_text(new)


def machine() -> str:
    """One line naming the machine, for the docs' "how this was made"."""
    cpu = "unknown CPU"
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    kernel = os.uname().release
    clang = run(["clang", "--version"], check=False).stdout.splitlines()[:1]
    afl = run(["afl-fuzz", "-h"], check=False).stdout
    m = re.search(r"afl-fuzz\S*\s*([0-9][0-9a-z.]*)", re.sub(r"\x1b\[[0-9;]*m", "", afl))
    return "%s, %d cores, Linux %s, %s, AFL++ %s" % (
        cpu, os.cpu_count() or 0, kernel, clang[0] if clang else "clang (unknown version)",
        m.group(1) if m else "(unknown version)")


def say(*args) -> None:
    print(*args, flush=True)


def die(msg: str, code: int = 1) -> None:
    print(msg, file=sys.stderr, flush=True)
    sys.exit(code)


def median(values: List[float]) -> float:
    return statistics.median(values)
