"""Reads the BUILD files a fuzz target needs, without Bazel.

The ClusterFuzzLite image (OSS-Fuzz's base-builder) has clang but no Bazel,
and this repository builds offline with a Bazel that cannot be fetched
there.  So build.sh compiles the fuzz targets with plain compiler calls, and
this module tells it what to compile: it evaluates BUILD files (Starlark
is close enough to Python for the subset used here), then resolves a fuzz
target's transitive cc_library graph into compile units and link options
with the semantics of Bazel's cc rules:

  - `defines` apply to the library and to everything depending on it,
    `local_defines` and `copts` to the library's own sources only;
  - `strip_include_prefix` and `includes` add include directories to the
    library and its dependents; the workspace root is always one;
  - `linkopts` of every library in the closure go to the link;
  - select() takes its "//conditions:default" branch: the configuration
    a fuzzing build has, with no --define (no planted bug);
  - a library's sources compile the same way for every dependent, so each
    library compiles once per build however many targets use it.

Anything outside that subset (generated sources, external repositories,
Make variables, rules other than cc_library and alias) is an error naming
the BUILD file, never a silent guess.
"""

from __future__ import annotations

import ast
import builtins
import dataclasses
import glob as globmod
import os
from typing import Dict, List, Optional, Tuple

# The fuzz target macro (fuzz/defs.bzl).  Its harness library is srcs plus
# deps; the macro also adds //fuzz/engine:fuzz_check, header-only and under
# the workspace root, so nothing needs compiling for it.
FUZZ_MACRO = "ipcconf_fuzz_test"
C_SOURCE = (".c",)
HEADER = (".h", ".inc")
# Python built-ins that Starlark also has; nothing else of Python's.
STARLARK_BUILTINS = ("len", "list", "dict", "range", "sorted", "str", "int", "bool",
                     "enumerate", "zip", "any", "all", "min", "max", "tuple",
                     "reversed", "hasattr", "getattr", "type", "print")


class BuildError(Exception):
    """A BUILD file this reader cannot turn into compiler calls."""


@dataclasses.dataclass
class Rule:
    kind: str
    pkg: str
    attrs: dict

    @property
    def label(self) -> str:
        return "//%s:%s" % (self.pkg, self.attrs["name"])


@dataclasses.dataclass
class Library:
    """One cc_library (or a fuzz target's harness) ready to compile."""
    label: str
    sources: List[str]     # workspace-relative .c paths
    flags: List[str]       # include dirs, defines, copts, in Bazel's order
    linkopts: List[str]


@dataclasses.dataclass
class FuzzTarget:
    name: str
    libraries: List[Library]   # harness first, then dependencies
    linkopts: List[str]


def _select(branches, no_match_error=""):
    if "//conditions:default" not in branches:
        raise BuildError("select() without a //conditions:default branch")
    return branches["//conditions:default"]


class _Package:
    """The rules of one BUILD file, read by executing it."""

    def __init__(self, root: str, pkg: str):
        self.root = root
        self.pkg = pkg
        self.rules: Dict[str, Rule] = {}
        path = self._build_file()
        with open(path, encoding="utf-8") as f:
            text = f.read()
        tree = ast.parse(text, path)
        env = {"__builtins__": {n: getattr(builtins, n) for n in STARLARK_BUILTINS},
               "select": _select, "glob": self._glob, "load": lambda *a, **k: None,
               "package": lambda **k: None, "licenses": lambda *a: None,
               "exports_files": lambda *a, **k: None}
        # Every other function a BUILD file calls declares a rule (or runs
        # a macro): record its attributes under its name.
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Name)
                    and node.func.id not in STARLARK_BUILTINS):
                env.setdefault(node.func.id, self._recorder(node.func.id))
        try:
            exec(compile(tree, path, "exec"), env)  # pylint: disable=exec-used
        except BuildError as e:
            raise BuildError("%s: %s" % (path, e)) from None
        except Exception as e:  # a construct outside the subset
            raise BuildError("%s: cannot evaluate: %s: %s" % (path, type(e).__name__, e)) from None

    def _build_file(self) -> str:
        for name in ("BUILD.bazel", "BUILD"):
            path = os.path.join(self.root, self.pkg, name)
            if os.path.isfile(path):
                return path
        raise BuildError("no BUILD file in package //%s" % self.pkg)

    def _recorder(self, kind: str):
        def record(**attrs):
            name = attrs.get("name")
            if name is not None:
                self.rules[name] = Rule(kind, self.pkg, attrs)
        return record

    def _glob(self, include, exclude=(), allow_empty=True, exclude_directories=1):
        base = os.path.join(self.root, self.pkg)
        found = set()
        for pattern in include:
            for path in globmod.glob(os.path.join(base, pattern), recursive=True):
                rel = os.path.relpath(path, base)
                if os.path.isfile(path) and not self._in_subpackage(rel):
                    found.add(rel)
        for pattern in exclude:
            for path in globmod.glob(os.path.join(base, pattern), recursive=True):
                found.discard(os.path.relpath(path, base))
        if not found and not allow_empty:
            raise BuildError("glob(%r) matches nothing" % (include,))
        return sorted(found)

    def _in_subpackage(self, rel: str) -> bool:
        d = os.path.dirname(rel)
        while d:
            if any(os.path.isfile(os.path.join(self.root, self.pkg, d, b))
                   for b in ("BUILD", "BUILD.bazel")):
                return True
            d = os.path.dirname(d)
        return False


class Workspace:
    def __init__(self, root: str):
        self.root = root
        self._packages: Dict[str, _Package] = {}

    def package(self, pkg: str) -> _Package:
        if pkg not in self._packages:
            self._packages[pkg] = _Package(self.root, pkg)
        return self._packages[pkg]

    def fuzz_targets(self, under: str = "fuzz") -> List[str]:
        """Packages under `under` whose BUILD calls the fuzz macro with
        name = the directory's name (the convention the campaign and the
        contract test rely on too)."""
        names = []
        for build in sorted(globmod.glob(os.path.join(self.root, under, "*", "BUILD"))):
            pkg = os.path.relpath(os.path.dirname(build), self.root)
            with open(build, encoding="utf-8") as f:
                if FUZZ_MACRO + "(" not in f.read():
                    continue
            t = os.path.basename(pkg)
            rule = self.package(pkg).rules.get(t)
            if rule is None or rule.kind != FUZZ_MACRO:
                raise BuildError("%s calls %s but not with name = %r" % (build, FUZZ_MACRO, t))
            names.append(t)
        return names

    def _rule(self, label: str, pkg: str) -> Rule:
        pkg, name = _split_label(label, pkg)
        rule = self.package(pkg).rules.get(name)
        if rule is None:
            raise BuildError("no rule %s (in //%s/BUILD)" % (label, pkg))
        while rule.kind == "alias":
            rule = self._rule(rule.attrs["actual"], rule.pkg)
        return rule

    def resolve(self, target: str, under: str = "fuzz") -> FuzzTarget:
        """The fuzz target //under/target:target as libraries to compile."""
        top = self._rule("//%s/%s:%s" % (under, target, target), "")
        order: List[Rule] = []         # depth-first, dependents before deps
        deps_of: Dict[str, List[Rule]] = {}
        self._walk(top, order, deps_of, set())
        libraries = [self._library(r, deps_of) for r in order]
        linkopts: List[str] = []
        for lib in libraries:
            for opt in lib.linkopts:
                if opt not in linkopts:
                    linkopts.append(opt)
        return FuzzTarget(target, libraries, linkopts)

    def _walk(self, rule: Rule, order, deps_of, seen) -> List[Rule]:
        """Appends rule and its closure to order; returns that closure."""
        if rule.label in deps_of:
            return [rule] + deps_of[rule.label]
        if rule.label in seen:
            raise BuildError("dependency cycle through %s" % rule.label)
        seen.add(rule.label)
        if rule.kind not in ("cc_library", FUZZ_MACRO):
            raise BuildError("%s is a %s; only cc_library deps can be built without Bazel"
                             % (rule.label, rule.kind))
        order.append(rule)
        closure: List[Rule] = []
        for dep in _strings(rule.attrs.get("deps", []), rule, "deps"):
            for r in self._walk(self._rule(dep, rule.pkg), order, deps_of, seen):
                if r not in closure:
                    closure.append(r)
        deps_of[rule.label] = closure
        return [rule] + closure

    def _library(self, rule: Rule, deps_of) -> Library:
        a = rule.attrs
        for unsupported in ("include_prefix", "implementation_deps", "additional_compiler_inputs"):
            if a.get(unsupported):
                raise BuildError("%s: attribute %s is not supported" % (rule.label, unsupported))
        sources = []
        for src in _strings(a.get("srcs", []), rule, "srcs"):
            path = self._source_path(src, rule)
            if path.endswith(C_SOURCE):
                sources.append(path)
            elif not path.endswith(HEADER):
                raise BuildError("%s: cannot compile %s without Bazel" % (rule.label, src))
        flags = ["-I."]
        for r in [rule] + deps_of[rule.label]:
            flags += ["-I" + d for d in _include_dirs(r)]
        for r in [rule] + deps_of[rule.label]:
            flags += ["-D" + d for d in _strings(r.attrs.get("defines", []), r, "defines")]
        flags = _dedup(flags)
        flags += ["-D" + d for d in _strings(a.get("local_defines", []), rule, "local_defines")]
        flags += _strings(a.get("copts", []), rule, "copts")
        linkopts = _strings(a.get("linkopts", []), rule, "linkopts")
        return Library(rule.label, sources, flags, linkopts)

    def _source_path(self, src: str, rule: Rule) -> str:
        if src.startswith(("//", ":", "@")):
            pkg, name = _split_label(src, rule.pkg)
            path = os.path.join(pkg, name)
        else:
            path = os.path.join(rule.pkg, src)
        if not os.path.isfile(os.path.join(self.root, path)):
            raise BuildError("%s: source %s is not a file in the tree (generated?)"
                             % (rule.label, src))
        return path


def _split_label(label: str, pkg: str) -> Tuple[str, str]:
    if label.startswith("@"):
        raise BuildError("external label %s: not available outside Bazel" % label)
    if label.startswith("//"):
        pkg, _, name = label[2:].partition(":")
        return pkg, name or os.path.basename(pkg)
    if label.startswith(":"):
        return pkg, label[1:]
    return pkg, label


def _strings(value, rule: Rule, attr: str) -> List[str]:
    if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
        raise BuildError("%s: %s is not a list of strings" % (rule.label, attr))
    for v in value:
        if "$(" in v:
            raise BuildError("%s: %s uses a Make variable: %s" % (rule.label, attr, v))
    return list(value)


def _include_dirs(rule: Rule) -> List[str]:
    dirs = [os.path.normpath(os.path.join(rule.pkg, d))
            for d in _strings(rule.attrs.get("includes", []), rule, "includes")]
    prefix: Optional[str] = rule.attrs.get("strip_include_prefix")
    if prefix:
        dirs.append(prefix[1:] if prefix.startswith("/") else os.path.join(rule.pkg, prefix))
    return dirs


def _dedup(items: List[str]) -> List[str]:
    out: List[str] = []
    for i in items:
        if i not in out:
            out.append(i)
    return out
