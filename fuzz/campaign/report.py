"""The campaign's summary: report.txt for terminals and CI logs, report.html
with the same tables, a coverage-over-time chart per target, a link to
each target's llvm-cov source coverage, and the crashes with their stacks
and reproduce commands."""
import datetime
import html
import os
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
    rows = [["target/engine", "workers", "execs", "exec/s", "coverage", "corpus",
             "own finds", "imported", "crash files"]]
    for p in summary["pairs"]:
        rows.append([p["key"], str(p["workers"]), human(p["execs"]), human(p["exec_per_sec"]),
                     "%d" % p["coverage"], "%d" % p["corpus"], "+%d" % p["own_new"],
                     "+%d" % p["imported"], "%d (+%d)" % (p["crashes"], p["new_crashes"])])
    return rows


def text_table(rows: List[List[str]]) -> str:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(c.ljust(w) for c, w in zip(r, widths)).rstrip() for r in rows)


def regression_lines(summary) -> List[str]:
    total = sum(r["replayed"] for r in summary["regressions"].values())
    failing = [(t, n, f) for t, r in summary["regressions"].items()
               for n, f in r["failing"].items()]
    out = ["regressions: %d input(s) of regressions/ replayed before and after fuzzing: %s" % (
        total, "%d CRASH AGAIN" % len(failing) if failing else "all pass")]
    for t, n, f in failing:
        out.append("  REGRESSION %s: fuzz/%s/regressions/%s crashes again (%s fuzzing): %s" % (
            t, t, n, f["when"], f["signature"]))
    return out


def exchange_lines(summary) -> List[str]:
    if not summary["exchange"]:
        return ["corpus exchange: none (one engine)"]
    out = ["corpus exchange between the engines (while both ran, and between rounds):"]
    for t, x in summary["exchange"].items():
        out.append("  %s: %d exchanges; AFL++ -> libFuzzer %d inputs (libFuzzer kept %d), "
                   "libFuzzer -> AFL++ %d (AFL++ kept %d)" % (
                       t, x["rounds"], x["to_libfuzzer"], x["libfuzzer_kept"], x["to_afl"],
                       x["afl_kept"]))
    return out


def coverage_summary(c) -> str:
    if "lines" not in c:
        return "not measured: %s" % c.get("error", "?")
    return "lines %d/%d (%.1f%%), functions %d/%d (%.1f%%), regions %.1f%%, from %d inputs%s" % (
        c["lines"]["covered"], c["lines"]["count"], c["lines"]["percent"],
        c["functions"]["covered"], c["functions"]["count"], c["functions"]["percent"],
        c["regions"]["percent"], c["inputs"],
        "; %d failed and are not counted" % len(c["failed"]) if c["failed"] else "")


def result_line(summary) -> str:
    back = sum(len(r["failing"]) for r in summary["regressions"].values())
    return "result: %d new crash(es), %d known regression(s) crashing again; exit %d: %s" % (
        summary["new_crashes"], back, summary["exit"]["code"], summary["exit"]["meaning"])


def write_text(path: pathlib.Path, summary, buckets: Dict[str, List[Bucket]],
               repro: Callable[[str, Bucket], List[str]]) -> str:
    out = ["ipcconf fuzzing campaign, %s" % summary["started"],
           "command:  %s" % summary["command"],
           "fuzzing:  %s of %s planned; output in %s" % (
               duration(summary["fuzzed"]), duration(summary["planned"]), summary["out"]),
           ""]
    out += regression_lines(summary) + ["", text_table(pair_rows(summary)), ""]
    out.append("how each engine ran:")
    for p in summary["pairs"]:
        for s in p["settings"]:
            out.append("  %s: %s" % (p["key"], s))
    out += [""] + exchange_lines(summary) + [""]
    for note in summary["notes"]:
        out.append("note: " + note)
    out.append("corpus after merge and minimisation:")
    for t, m in summary["merges"].items():
        out.append("  %s: %d inputs -> libFuzzer -merge kept %s, afl-cmin kept %s, union %d "
                   "(%s)" % (t, m.get("before", 0), m.get("libfuzzer_kept", "-"),
                             m.get("afl_kept", "-"), m.get("after", 0), m.get("dir", "")))
    if summary["coverage"]:
        out += ["", "source coverage of the final corpus (llvm-cov):"]
        for t, c in summary["coverage"].items():
            out.append("  %s: %s" % (t, coverage_summary(c)))
            if c.get("html"):
                out.append("    HTML: %s" % c["html"])
            if c.get("table"):
                out += ["    " + line for line in c["table"].splitlines()]
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
    out += ["", result_line(summary)]
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
    settings = "".join("<li><b>%s</b>: %s</li>" % (e(p["key"]), e(s))
                       for p in summary["pairs"] for s in p["settings"])
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
    cov = []
    for t, c in summary["coverage"].items():
        link = ""
        if c.get("html"):
            rel = os.path.relpath(str(c["html"]), str(path.parent))
            link = " &mdash; <a href='%s'>source coverage (HTML)</a>" % e(rel)
        cov.append("<h3>%s</h3><p>%s%s</p>%s" % (
            e(t), e(coverage_summary(c)), link,
            "<pre>%s</pre>" % e(c["table"]) if c.get("table") else ""))
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
    regressions = regression_lines(summary)
    page = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>ipcconf fuzzing campaign</title>
<style>
body {{ font-family: sans-serif; margin: 2em; max-width: 70em; }}
table {{ border-collapse: collapse; }} td, th {{ border: 1px solid #ccc; padding: 3px 8px; text-align: right; }}
td:first-child, th:first-child {{ text-align: left; }}
pre {{ background: #f5f5f5; padding: 0.5em; overflow-x: auto; }}
.crash.new h3, .bad {{ color: #b00; }}
</style></head><body>
<h1>ipcconf fuzzing campaign</h1>
<p>Started {started}; fuzzed {fuzzed} of {planned}; output in <code>{out}</code>.<br>
Command: <code>{command}</code></p>
<p class="{result_class}"><b>{result}</b></p>
<h2>Regressions</h2><p class="{reg_class}">{reg_head}</p><ul>{reg_list}</ul>
<h2>Engines</h2>{table}
<ul>{settings}</ul>
<h2>Corpus exchange</h2><ul>{exchange}</ul>
{notes}
<h2>Coverage over time</h2>
<p>libFuzzer counts covered edges of its own instrumentation, AFL++ the edges of its map:
the two are not the same unit.</p>
{charts}
<h2>Source coverage of the final corpus</h2>
{cov}
<h2>Corpus</h2><ul>{merges}</ul>
<h2>Crashes: {ncrash} distinct, {new} new</h2>
{crashes}
</body></html>
""".format(started=e(summary["started"]), fuzzed=duration(summary["fuzzed"]),
           planned=duration(summary["planned"]), out=e(summary["out"]),
           command=e(summary["command"]), table=table, settings=settings,
           result=e(result_line(summary)),
           result_class="bad" if summary["exit"]["code"] else "",
           reg_head=e(regressions[0]), reg_class="bad" if len(regressions) > 1 else "",
           reg_list="".join("<li>%s</li>" % e(r.strip()) for r in regressions[1:]),
           exchange="".join("<li>%s</li>" % e(x.strip()) for x in exchange_lines(summary)),
           notes="".join("<p>note: %s</p>" % e(n) for n in summary["notes"]),
           charts="\n".join(charts), cov="\n".join(cov) or "<p>not measured</p>",
           merges=merges, ncrash=sum(len(b) for b in buckets.values()),
           new=summary["new_crashes"], crashes="\n".join(crash_html) or "<p>none</p>")
    path.write_text(page)


def now() -> str:
    return datetime.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M:%S %Z")
