"""Which fuzz targets exist.

A target is a directory fuzz/<name>/ whose BUILD calls ipcconf_fuzz_test()
with name = "<name>"; its seeds are in corpus/, past crashes in
regressions/, and its dictionary, if any, is <name>.dict (or the only
*.dict there).  Adding such a directory is all it takes for the campaign
to pick a new target up.
"""
import dataclasses
import pathlib
import re
from typing import List, Optional


@dataclasses.dataclass(frozen=True)
class Target:
    name: str
    dir: pathlib.Path

    @property
    def corpus(self) -> pathlib.Path:
        return self.dir / "corpus"

    @property
    def regressions(self) -> pathlib.Path:
        return self.dir / "regressions"

    @property
    def dict(self) -> Optional[pathlib.Path]:
        own = self.dir / (self.name + ".dict")
        if own.is_file():
            return own
        dicts = sorted(self.dir.glob("*.dict"))
        return dicts[0] if len(dicts) == 1 else None

    @property
    def label(self) -> str:
        return "//fuzz/%s:%s" % (self.name, self.name)

    @property
    def bin_label(self) -> str:
        return self.label + "_bin"


def discover(workspace: pathlib.Path) -> List[Target]:
    found = []
    for d in sorted((workspace / "fuzz").iterdir()):
        build = d / "BUILD"
        if not build.is_file():
            continue
        text = build.read_text(errors="replace")
        if "ipcconf_fuzz_test(" in text and re.search(
                r'\bname\s*=\s*"%s"' % re.escape(d.name), text):
            found.append(Target(d.name, d))
    return found


def inputs_in(directory: pathlib.Path) -> List[pathlib.Path]:
    """The input files of a corpus-like directory: no README, no dot files."""
    if not directory.is_dir():
        return []
    return sorted(p for p in directory.iterdir()
                  if p.is_file() and not p.name.startswith((".", "README")))
