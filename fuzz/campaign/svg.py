"""A line chart as inline SVG, for the HTML report (no plotting library)."""
import html
import math
from typing import List, Sequence, Tuple

COLORS = ["#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#8c564b"]


def _ticks(hi: float, n: int = 5) -> List[float]:
    """About n round tick values from 0 to at least hi."""
    if hi <= 0:
        return [0.0, 1.0]
    raw = hi / n
    mag = 10 ** (len(str(int(raw))) - 1) if raw >= 1 else 1
    step = next(m * mag for m in (1, 2, 2.5, 5, 10) if m * mag >= raw)
    ticks, v = [], 0.0
    while v < hi + step:
        ticks.append(v)
        v += step
    return ticks


def _time_ticks(hi: float, n: int = 5) -> List[float]:
    """Tick values for a time axis in seconds, at round minutes and hours."""
    steps = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600]
    step = next((s for s in steps if s * n >= hi), 43200)
    return [float(step * i) for i in range(math.ceil(hi / step) + 1)]


def _fmt_time(s: float) -> str:
    if s >= 3600:
        return "%dh%02d" % (s // 3600, s % 3600 // 60)
    if s >= 60:
        return "%dm%02d" % (s // 60, s % 60)
    return "%ds" % s


def line_chart(title: str, ylabel: str,
               series: Sequence[Tuple[str, Sequence[Tuple[float, float]]]],
               width: int = 640, height: int = 260) -> str:
    """series: (label, [(seconds, value), ...]).  Returns an <svg> element."""
    left, right, top, bottom = 60, 170, 30, 40
    pw, ph = width - left - right, height - top - bottom
    xs = [x for _, pts in series for x, _ in pts] or [1]
    ys = [y for _, pts in series for _, y in pts] or [1]
    xt, yt = _time_ticks(max(xs) or 1), _ticks(max(ys) or 1)
    xmax, ymax = xt[-1], yt[-1]

    def px(x: float) -> float:
        return left + pw * x / xmax

    def py(y: float) -> float:
        return top + ph - ph * y / ymax

    out = ['<svg xmlns="http://www.w3.org/2000/svg" width="%d" height="%d" '
           'font-family="sans-serif" font-size="11">' % (width, height),
           '<text x="%d" y="18" font-size="13" font-weight="bold">%s</text>' % (
               left, html.escape(title))]
    for y in yt:
        out.append('<line x1="%d" x2="%d" y1="%.1f" y2="%.1f" stroke="#ddd"/>' % (
            left, left + pw, py(y), py(y)))
        out.append('<text x="%d" y="%.1f" text-anchor="end">%g</text>' % (left - 5, py(y) + 4, y))
    for x in xt:
        out.append('<text x="%.1f" y="%d" text-anchor="middle">%s</text>' % (
            px(x), top + ph + 15, _fmt_time(x)))
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#000"/>' % (
        left, left + pw, top + ph, top + ph))
    out.append('<line x1="%d" x2="%d" y1="%d" y2="%d" stroke="#000"/>' % (
        left, left, top, top + ph))
    out.append('<text x="%d" y="%d" text-anchor="middle">time</text>' % (
        left + pw // 2, height - 5))
    out.append('<text transform="translate(14,%d) rotate(-90)" text-anchor="middle">%s</text>' % (
        top + ph // 2, html.escape(ylabel)))
    for i, (label, pts) in enumerate(series):
        color = COLORS[i % len(COLORS)]
        if pts:
            path = " ".join("%.1f,%.1f" % (px(x), py(y)) for x, y in pts)
            out.append('<polyline fill="none" stroke="%s" stroke-width="2" points="%s"/>' % (
                color, path))
        ly = top + 10 + 18 * i
        out.append('<rect x="%d" y="%d" width="12" height="12" fill="%s"/>' % (
            left + pw + 12, ly - 10, color))
        out.append('<text x="%d" y="%d">%s</text>' % (left + pw + 30, ly, html.escape(label)))
    out.append("</svg>")
    return "\n".join(out)
