#!/usr/bin/env python3
"""Compiles and links every fuzz target with the OSS-Fuzz compiler settings.

Called by build.sh, which owns the contract (which variables, which
outputs); this file only turns the BUILD graph (build_graph.py) into
compiler calls:

    $CC  $CFLAGS  <project flags> <library flags> -c SRC -o OBJ
    $CXX $CXXFLAGS OBJ... $LIB_FUZZING_ENGINE <linkopts> -pthread -o $OUT/<t>

($CXX links, as OSS-Fuzz requires even for C: $LIB_FUZZING_ENGINE is C++.)
The variables are split on white space, as the shell's word splitting of
an unquoted $CFLAGS would.  Objects go to OBJDIR/<package>/<library>/, so a
source compiled into two libraries with different flags (//impl/ring:ring
and :ring_peer_hooked) gets two objects; OBJDIR must be fresh or belong to
exactly these compiler settings -- build.sh sees to that.  Compiles run in
parallel, one per CPU.  Prints the name of each target it built.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import build_graph  # noqa: E402  pylint: disable=wrong-import-position

# What the top-level .bazelrc gives every C compile: the dialect.  -pthread
# because the ring and sync libraries use threads' memory model and futexes
# (Bazel gets it from their linkopts; compiling with it too is what clang
# documents).  The conventional guard for fuzzing-only code, which OSS-Fuzz
# puts into $CFLAGS but a bare local run may not.
PROJECT_CFLAGS = ["-std=gnu11", "-pthread", "-DFUZZING_BUILD_MODE_UNSAFE_FOR_PRODUCTION"]


def _env_words(name: str) -> list:
    value = os.environ.get(name)
    if value is None:
        sys.exit("compile_targets: %s is not set" % name)
    return value.split()


def _run(cmd: list, cwd: str) -> None:
    proc = subprocess.run(cmd, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                          universal_newlines=True, check=False)
    if proc.stdout:
        sys.stderr.write(proc.stdout)
    if proc.returncode != 0:
        raise RuntimeError("exit %d: %s" % (proc.returncode, " ".join(cmd)))


def _object_path(objdir: str, label: str, src: str) -> str:
    pkg, _, name = label[2:].partition(":")
    return os.path.join(objdir, pkg or "_root", name, os.path.basename(src) + ".o")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", required=True, help="the workspace (the directory with WORKSPACE)")
    ap.add_argument("--objdir", required=True, help="where objects go; fresh, or for these flags")
    ap.add_argument("--out", required=True, help="where the fuzzers go ($OUT)")
    args = ap.parse_args()

    cc, cflags = _env_words("CC"), _env_words("CFLAGS")
    cxx, cxxflags = _env_words("CXX"), _env_words("CXXFLAGS")
    engine = _env_words("LIB_FUZZING_ENGINE")
    if not cc or not cxx:
        sys.exit("compile_targets: CC and CXX must name a compiler")

    ws = build_graph.Workspace(args.root)
    try:
        targets = [ws.resolve(t) for t in ws.fuzz_targets()]
    except build_graph.BuildError as e:
        sys.exit("compile_targets: %s" % e)
    if not targets:
        sys.exit("compile_targets: no fuzz target under %s/fuzz" % args.root)

    compiles = {}  # object -> command; a library shared by targets compiles once
    links = []
    for t in targets:
        objs = []
        for lib in t.libraries:
            for src in lib.sources:
                obj = _object_path(args.objdir, lib.label, src)
                compiles[obj] = (cc + cflags + PROJECT_CFLAGS + lib.flags
                                 + ["-c", src, "-o", obj])
                objs.append(obj)
        links.append((t.name, cxx + cxxflags + objs + engine + t.linkopts
                      + ["-pthread", "-o", os.path.join(args.out, t.name)]))

    for obj in compiles:
        os.makedirs(os.path.dirname(obj), exist_ok=True)
    os.makedirs(args.out, exist_ok=True)
    try:
        with concurrent.futures.ThreadPoolExecutor(max_workers=os.cpu_count() or 1) as pool:
            for f in [pool.submit(_run, cmd, args.root) for cmd in compiles.values()]:
                f.result()
            for f in [pool.submit(_run, cmd, args.root) for _, cmd in links]:
                f.result()
    except RuntimeError as e:
        sys.exit("compile_targets: %s" % e)
    for name, _ in links:
        print(name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
