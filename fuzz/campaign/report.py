"""The campaign's summary: report.txt for terminals and CI logs, report.html
with the same tables, a coverage-over-time chart per target, and the
crashes with their stacks and reproduce commands."""
import datetime
import html
import pathlib
from typing import Callable, Dict, List

from campaign import svg
from campaign.triage import Bucket

ENGINE_UNITS = {"libfuzzer": "libFuzzer cov (edges)", "afl": "AFL++ edges (map)"}


def human(n: float) -> str:
    for unit, div in (("G", 1e9), ("M", 1e6), ("k", 1e3)):
        if n >= div:
            return "%.1f%s" % (n / div, unit)
    return "%d" % n


def duration(s: float) -> str:
    s = int(s)
    return "%dh%02dm%02ds" % (s // 3600, s % 3600 // 60, s % 60) if s >= 3600 else \
        "%dm%02ds" % (s // 60, s % 60)


def pair_rows(summary) -> List[List[str]]:
    rows = [["target/engine", "workers", "execs", "exec/s", "coverage", "corpus (+new)",
             "crash files"]]
    for p in summary["pairs"]:
        rows.append([p["key"], str(p["workers"]), human(p["execs"]), human(p["exec_per_sec"]),
                     "%d" % p["coverage"], "%d (+%d)" % (p["corpus"], p["new_inputs"]),
                     "%d (+%d)" % (p["crashes"], p["new_crashes"])])
    return rows


def text_table(rows: List[List[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def write_text(path: pathlib.Path, summary, buckets: Dict[str, List[Bucket]],
               repro: Callable[[str, Bucket], List[str]]) -> str:
    out = ["ipcconf fuzzing campaign, %s" % summary["started"],
           "command:  %s" % summary["command"],
           "fuzzing:  %s of %s planned; output in %s" % (
               duration(summary["fuzzed"]), duration(summary["planned"]), summary["out"]),
           "", text_table(pair_rows(summary)), ""]
    for note in summary["notes"]:
        out.append("note: " + note)
    out.append("corpus after merge and minimisation:")
    for t, m in summary["merges"].items():
        out.append("  %s: %d inputs -> libFuzzer -merge kept %s, afl-cmin kept %s, union %d "
                   "(%s)" % (t, m.get("before", 0), m.get("libfuzzer_kept", "-"),
                             m.get("afl_kept", "-"), m.get("after", 0), m.get("dir", "")))
    out.append("")
    total = sum(len(b) for b in buckets.values())
    out.append("crashes: %d distinct" % total)
    for t, bs in buckets.items():
        for b in bs:
            out.append("  [%s] %s: %s" % (b.status, t, b.signature))
            out.append("      found %d time(s) by %s; kept %s (%d bytes%s)" % (
                len(b.files), b.engine, b.kept, b.kept.stat().st_size,
                ", minimised" if b.minimised else ""))
            for line in repro(t, b):
                out.append("      " + line)
    new = sum(1 for bs in buckets.values() for b in bs if b.new)
    out += ["", "result: %d new crash(es)" % new]
    text = "\n".join(out) + "\n"
    path.write_text(text)
    return text


def write_html(path: pathlib.Path, summary, buckets: Dict[str, List[Bucket]],
               repro: Callable[[str, Bucket], List[str]]) -> None:
    e = html.escape
    rows = pair_rows(summary)
    table = "<table><tr>%s</tr>%s</table>" % (
        "".join("<th>%s</th>" % e(c) for c in rows[0]),
        "".join("<tr>%s</tr>" % "".join("<td>%s</td>" % e(c) for c in r) for r in rows[1:]))
    charts = []
    for t in summary["targets"]:
        series = []
        for key, pts in summary["timeline"].items():
            target, engine = key.split("/")
            if target == t:
                series.append((ENGINE_UNITS.get(engine, engine), [(x, c) for x, c in pts]))
        charts.append(svg.line_chart("%s: coverage over time" % t, "coverage", series))
    merges = "".join(
        "<li><b>%s</b>: %d inputs &rarr; libFuzzer -merge kept %s, afl-cmin kept %s, "
        "union <b>%d</b> in <code>%s</code></li>" % (
            e(t), m.get("before", 0), m.get("libfuzzer_kept", "-"), m.get("afl_kept", "-"),
            m.get("after", 0), e(str(m.get("dir", "")))) for t, m in summary["merges"].items())
    crash_html = []
    for t, bs in buckets.items():
        for b in bs:
            crash_html.append(
                "<div class='crash %s'><h3>[%s] %s</h3><p><code>%s</code></p>"
                "<p>found %d time(s) by %s; kept <code>%s</code> (%d bytes%s)</p>"
                "<pre>%s</pre><details><summary>replay output</summary><pre>%s</pre>"
                "</details></div>" % (
                    "new" if b.new else "old", e(b.status), e(t), e(b.signature), len(b.files),
                    e(b.engine), e(str(b.kept)), b.kept.stat().st_size,
                    ", minimised" if b.minimised else "", e("\n".join(repro(t, b))),
                    e(b.replay.output[-6000:])))
    new = sum(1 for bs in buckets.values() for b in bs if b.new)
    page = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>ipcconf fuzzing campaign</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 70em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 3px 8px; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
pre {{ background: #f5f5f5; padding: 0.5em; overflow-x: auto; }}
.crash.new h3 {{ color: #b00; }}
</style></head><body>
<h1>ipcconf fuzzing campaign</h1>
<p>Started {started}; fuzzed {fuzzed} of {planned}; output in <code>{out}</code>.<br>
Command: <code>{command}</code></p>
<h2>Engines</h2>{table}
{notes}
<h2>Coverage over time</h2>
<p>libFuzzer counts covered edges of its own instrumentation, AFL++ the edges of its map:
the two are not the same unit.</p>
{charts}
<h2>Corpus</h2><ul>{merges}</ul>
<h2>Crashes: {ncrash} distinct, {new} new</h2>
{crashes}
</body></html>
""".format(started=e(summary["started"]), fuzzed=duration(summary["fuzzed"]),
           planned=duration(summary["planned"]), out=e(summary["out"]),
           command=e(summary["command"]), table=table,
           notes="".join("<p>note: %s</p>" % e(n) for n in summary["notes"]),
           charts="\n".join(charts), merges=merges,
           ncrash=sum(len(b) for b in buckets.values()), new=new,
           crashes="\n".join(crash_html) or "<p>none</p>")
    path.write_text(page)


def now() -> str:
    return datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
