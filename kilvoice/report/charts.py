"""Charts drawn offline: inline SVG for HTML (no scripts, no network, labels escaped) and PNG
images for Word (Pillow, in the SVG charts' layout). Each takes plain rows from the report context.
"""
from __future__ import annotations

import importlib.util
import io
from functools import lru_cache
from pathlib import Path

from markupsafe import Markup, escape

BLUE = "#1d70b8"


def _short(label: str, n: int = 44) -> str:
    label = str(label)
    return label if len(label) <= n else label[: n - 1] + "…"


def theme_rows(ctx: dict) -> list[tuple[str, int]]:
    from kilvoice.report.keyissues import issue_order, leaf_themes

    rows = sorted(leaf_themes(ctx), key=issue_order)
    return [(f"{t['id']} {t['title']}", t["n_conversations"]) for t in rows]


def reach_rows(ctx: dict, key: str) -> list[tuple[str, int]]:
    return [(r["value"], r["conversations"]) for r in ctx["reach"][key]]


def _count(n: int, unit: str) -> str:
    return f"{int(n)} {unit if int(n) != 1 else unit.rstrip('s')}"


def bar_alt(rows: list[tuple[str, int]], title: str, unit: str = "conversations") -> str:
    """Alternative text for a bar chart: every bar's label and figure, largest first, from the same
    rows the chart draws (a screen-reader user gets what a sighted reader gets)."""
    if not rows:
        return ""
    ordered = sorted(rows, key=lambda r: -r[1])
    return (f"Bar chart: {title} ({len(rows)} bars). "
            + "; ".join(f"{label}: {_count(n, unit)}" for label, n in ordered) + ".")


def heatmap_alt(hm: dict | None) -> str:
    """Alternative text for the heat map: each theme's non-zero link scores, from the same rows."""
    if not hm or not hm["rows"] or not hm["columns"]:
        return ""
    ids = [c["id"] for c in hm["columns"]]
    parts = []
    for r in hm["rows"]:
        linked = [f"{c} {s:.2f}" for c, s in zip(ids, r["scores"]) if s > 0]
        parts.append(f"{r['theme_id']} {r['title']}: " + (", ".join(linked) if linked else "no link"))
    return (f"Heat map: {hm['title']}, link score of each of {len(hm['rows'])} themes to each of "
            f"{len(ids)} principles ({', '.join(ids)}); blank cells are not linked. " + "; ".join(parts) + ".")


# -- SVG ------------------------------------------------------------------------------------------
def bar_svg(rows: list[tuple[str, int]], title: str = "", width: int = 720, bar_height: int = 22,
            label_width: int = 300) -> Markup:
    """A horizontal bar chart as inline SVG."""
    if not rows:
        return Markup("")
    top = max(n for _, n in rows) or 1
    h = bar_height * len(rows) + 10
    parts = [f'<svg class="chart" role="img" aria-label="{escape(bar_alt(rows, title))}" width="{width}" height="{h}" '
             f'viewBox="0 0 {width} {h}">', f"<title>{escape(title)}</title>"]
    for i, (label, n) in enumerate(rows):
        y = 5 + i * bar_height
        w = int((width - label_width - 50) * n / top)
        parts.append(f'<text x="{label_width - 6}" y="{y + 15}" text-anchor="end" font-size="12">'
                     f'{escape(_short(label))}</text>')
        parts.append(f'<rect x="{label_width}" y="{y + 3}" width="{max(w, 1)}" height="{bar_height - 6}" '
                     f'fill="{BLUE}"/>')
        parts.append(f'<text x="{label_width + w + 4}" y="{y + 15}" font-size="12">{int(n)}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


bar_chart = bar_svg  # the name used by the first report template


def _shade(v: float, top: float) -> str:
    """White to blue by v / top."""
    f = 0.0 if top <= 0 else max(0.0, min(1.0, v / top))
    r, g, b = (int(255 + (c - 255) * f) for c in (0x1d, 0x70, 0xb8))
    return f"#{r:02x}{g:02x}{b:02x}"


def heatmap_svg(hm: dict | None, cell: int = 54, label_width: int = 300) -> Markup:
    """Themes x principles as an SVG grid; each cell shows the link score (blank when not linked)."""
    if not hm or not hm["rows"] or not hm["columns"]:
        return Markup("")
    cols, rows = hm["columns"], hm["rows"]
    top = max((s for r in rows for s in r["scores"]), default=0) or 1
    head = 34
    width, height = label_width + cell * len(cols) + 10, head + 24 * len(rows) + 10
    parts = [f'<svg class="chart heatmap" role="img" aria-label="{escape(heatmap_alt(hm))}" width="{width}" '
             f'height="{height}" viewBox="0 0 {width} {height}">',
             f"<title>{escape(hm['title'])}: link scores of each theme</title>"]
    for j, c in enumerate(cols):
        x = label_width + j * cell + cell // 2
        parts.append(f'<text x="{x}" y="{head - 10}" text-anchor="middle" font-size="12" font-weight="bold">'
                     f'{escape(c["id"])}<title>{escape(c["title"])}</title></text>')
    for i, r in enumerate(rows):
        y = head + i * 24
        parts.append(f'<text x="{label_width - 6}" y="{y + 16}" text-anchor="end" font-size="12">'
                     f'{escape(_short(r["theme_id"] + " " + r["title"]))}</text>')
        for j, s in enumerate(r["scores"]):
            x = label_width + j * cell
            parts.append(f'<rect x="{x}" y="{y}" width="{cell - 2}" height="22" fill="{_shade(s, top)}" '
                         f'stroke="#b1b4b6" stroke-width="0.5"/>')
            if s > 0:
                colour = "#ffffff" if s / top > 0.6 else "#0b0c0c"
                parts.append(f'<text x="{x + cell // 2 - 1}" y="{y + 15}" text-anchor="middle" font-size="11" '
                             f'fill="{colour}">{s:.2f}</text>')
    parts.append("</svg>")
    return Markup("".join(parts))


# -- PNG (Word) -----------------------------------------------------------------------------------
# Drawn with Pillow in the SVG charts' layout, at twice its size for print: about 20 ms a chart,
# where matplotlib took ~0.5 s a chart and ~0.8 s to import (a cold 10,000-statement run spent
# ~2.5 s of its report step on the Word charts).
SCALE = 2
INK, GREY = "#0b0c0c", "#505a5f"


@lru_cache(maxsize=8)
def _font(size: int, bold: bool = False):
    """DejaVu Sans as matplotlib ships it (found without importing matplotlib), else Pillow's own."""
    from PIL import ImageFont

    spec = importlib.util.find_spec("matplotlib")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        path = Path(folder) / "mpl-data" / "fonts" / "ttf" / ("DejaVuSans-Bold.ttf" if bold else "DejaVuSans.ttf")
        if path.is_file():
            return ImageFont.truetype(str(path), size * SCALE)
    return ImageFont.load_default(size=size * SCALE)


def _canvas(width: int, height: int):
    from PIL import Image, ImageDraw

    img = Image.new("RGB", (width * SCALE, height * SCALE), "white")
    return img, ImageDraw.Draw(img)


def _text(draw, xy: tuple[float, float], text: str, size: int = 12, anchor: str = "la", fill: str = INK,
          bold: bool = False) -> None:
    draw.text((xy[0] * SCALE, xy[1] * SCALE), text, font=_font(size, bold), fill=fill, anchor=anchor)


def _fit(label: str, width: float, size: int = 12) -> str:
    """``label`` shortened (as :func:`_short` does) until it fits ``width`` at ``size``."""
    label, font = _short(label), _font(size)
    while len(label) > 2 and font.getlength(label) > width * SCALE:
        label = _short(label, len(label) - 1)
    return label


def _box(draw, x0: float, y0: float, x1: float, y1: float, fill: str, outline: str | None = None) -> None:
    draw.rectangle([x0 * SCALE, y0 * SCALE, x1 * SCALE, y1 * SCALE], fill=fill, outline=outline)


def _png(img) -> bytes:
    buf = io.BytesIO()
    img.save(buf, format="PNG", dpi=(72 * SCALE, 72 * SCALE))
    return buf.getvalue()


def bar_png(rows: list[tuple[str, int]], title: str, xlabel: str = "conversations", width: int = 720,
            bar_height: int = 22, label_width: int = 300) -> bytes | None:
    """A horizontal bar chart as PNG: the first row at the top, each bar's figure after it."""
    if not rows:
        return None
    top = max(n for _, n in rows) or 1
    head, span = 30, width - label_width - 50
    bottom = head + bar_height * len(rows)
    img, draw = _canvas(width, bottom + 26)
    _text(draw, (width / 2, 8), _short(title, 80), 14, "mt", bold=True)
    for i, (label, n) in enumerate(rows):
        y = head + i * bar_height
        w = max(int(span * n / top), 1)
        _text(draw, (label_width - 6, y + bar_height / 2), _fit(label, label_width - 10), anchor="rm")
        _box(draw, label_width, y + 3, label_width + w, y + bar_height - 3, BLUE)
        _text(draw, (label_width + w + 4, y + bar_height / 2), str(int(n)), anchor="lm")
    _box(draw, label_width - 1, head, label_width, bottom, GREY)
    _text(draw, (label_width + span / 2, bottom + 6), xlabel, anchor="mt", fill=GREY)
    return _png(img)


def heatmap_png(hm: dict | None, cell: int = 54, label_width: int = 300) -> bytes | None:
    """Themes x principles as PNG, the SVG grid's layout: each cell's link score, blank when not linked."""
    if not hm or not hm["rows"] or not hm["columns"]:
        return None
    cols, rows = hm["columns"], hm["rows"]
    top = max((s for r in rows for s in r["scores"]), default=0) or 1
    head = 58
    width = label_width + cell * len(cols) + 10
    img, draw = _canvas(width, head + 24 * len(rows) + 10)
    _text(draw, (width / 2, 8), _short(f"{hm['title']}: link score of each theme", 80), 14, "mt", bold=True)
    for j, c in enumerate(cols):
        _text(draw, (label_width + j * cell + cell / 2, head - 8), str(c["id"]), anchor="mb", bold=True)
    for i, r in enumerate(rows):
        y = head + i * 24
        _text(draw, (label_width - 6, y + 11), _fit(r["theme_id"] + " " + r["title"], label_width - 10),
              anchor="rm")
        for j, s in enumerate(r["scores"]):
            x = label_width + j * cell
            _box(draw, x, y, x + cell - 2, y + 22, _shade(s, top), "#b1b4b6")
            if s > 0:
                _text(draw, (x + cell / 2 - 1, y + 11), f"{s:.2f}", 11, "mm",
                      "#ffffff" if s / top > 0.6 else INK)
    return _png(img)
