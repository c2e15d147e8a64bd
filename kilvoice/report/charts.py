"""Charts drawn offline: inline SVG for HTML (no scripts, no network, labels escaped) and PNG
images for Word (matplotlib, Agg backend). Each takes plain rows from the report context.
"""
from __future__ import annotations

import io

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
def _plt():
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    return plt


def _png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=120, bbox_inches="tight")
    _plt().close(fig)
    return buf.getvalue()


def bar_png(rows: list[tuple[str, int]], title: str, xlabel: str = "conversations") -> bytes | None:
    if not rows:
        return None
    plt = _plt()
    fig, ax = plt.subplots(figsize=(6.5, 0.3 * len(rows) + 0.9))
    labels = [_short(label, 46) for label, _ in rows][::-1]
    values = [n for _, n in rows][::-1]
    bars = ax.barh(range(len(rows)), values, color=BLUE)
    ax.set_yticks(range(len(rows)), labels, fontsize=8)
    ax.bar_label(bars, fontsize=7, padding=2)
    ax.set_xlabel(xlabel, fontsize=8)
    ax.set_title(title, fontsize=10)
    ax.tick_params(axis="x", labelsize=7)
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    return _png(fig)


def heatmap_png(hm: dict | None) -> bytes | None:
    if not hm or not hm["rows"] or not hm["columns"]:
        return None
    import numpy as np

    plt = _plt()
    data = np.array([r["scores"] for r in hm["rows"]], dtype=float)
    fig, ax = plt.subplots(figsize=(6.5, 0.3 * len(hm["rows"]) + 1.3))
    ax.imshow(data, cmap="Blues", aspect="auto", vmin=0, vmax=max(float(data.max()), 1e-9))
    ax.set_xticks(range(len(hm["columns"])), [c["id"] for c in hm["columns"]], fontsize=8)
    ax.set_yticks(range(len(hm["rows"])), [_short(f"{r['theme_id']} {r['title']}", 40) for r in hm["rows"]],
                  fontsize=7)
    top = float(data.max()) or 1.0
    for i in range(data.shape[0]):
        for j in range(data.shape[1]):
            if data[i, j] > 0:
                ax.text(j, i, f"{data[i, j]:.2f}", ha="center", va="center", fontsize=6,
                        color="white" if data[i, j] / top > 0.6 else "black")
    ax.set_title(f"{hm['title']}: link score of each theme", fontsize=10)
    return _png(fig)
