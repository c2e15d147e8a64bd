"""The Word report (report.docx) for committee papers: the same sections as the HTML, charts as
PNG images drawn offline with Pillow. python-docx escapes XML; :func:`t` also drops control
characters, which are invalid in XML.

Accessibility (public bodies publish to WCAG 2.2 AA): every chart carries alternative text that gives
its figures (built from the rows the chart draws), every table's first row is a marked header row
(repeated on each page and named as the header row for Word's accessibility checker), and the
sections are real headings.
"""
from __future__ import annotations

import io
from pathlib import Path

from kilvoice.report import charts
from kilvoice.report.render import (clean_text, counts_text, crosswalk_cell, held_by, holds_text, links_lines, lookups,
                                    sections, stance_cell, stance_header, stance_text,
                                    summary_rows, theme_groups)


def t(value) -> str:
    return clean_text(value)


def _table(doc, header: list[str], rows: list[list], widths: list[float] | None = None):
    from docx.shared import Cm, Pt

    table = doc.add_table(rows=1, cols=len(header))
    table.style = "Table Grid"
    mark_header_row(table)
    for cell, text in zip(table.rows[0].cells, header):
        cell.text = ""
        run = cell.paragraphs[0].add_run(t(text))
        run.bold = True
    for row in rows:
        cells = table.add_row().cells
        for cell, value in zip(cells, row):
            cell.text = t(value)
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(9)
    if widths:
        table.autofit = False
        for col, w in zip(table.columns, widths):
            col.width = Cm(w)
        for row in table.rows:
            for cell, w in zip(row.cells, widths):
                cell.width = Cm(w)
    doc.add_paragraph()
    return table


def mark_header_row(table) -> None:
    """The first row is the header: ``w:tblHeader`` (repeat as header row, which screen readers and
    Word's accessibility checker read as the header) and the table look's ``firstRow`` flag."""
    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    tr_pr = table.rows[0]._tr.get_or_add_trPr()
    if tr_pr.find(qn("w:tblHeader")) is None:
        flag = OxmlElement("w:tblHeader")
        flag.set(qn("w:val"), "true")
        tr_pr.append(flag)
    tbl_pr = table._tbl.tblPr
    look = tbl_pr.find(qn("w:tblLook"))
    if look is None:
        look = OxmlElement("w:tblLook")
        tbl_pr.append(look)
    look.set(qn("w:firstRow"), "1")


def _picture(doc, png: bytes | None, caption: str, alt: str) -> None:
    """A chart, its alternative text (``descr`` of ``wp:docPr``, which Word shows as Alt Text) and
    its caption."""
    from docx.shared import Cm

    if not png:
        return
    shape = doc.add_picture(io.BytesIO(png), width=Cm(16))
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", t(alt))
    doc_pr.set("title", t(caption))
    doc.add_paragraph(t(caption), style="Caption")


def _chart(doc, rows: list[tuple[str, int]], title: str, caption: str) -> None:
    """A bar chart and its alternative text, both from the same rows."""
    _picture(doc, charts.bar_png(rows, title), caption, charts.bar_alt(rows, title))


def _quote(doc, q: dict) -> None:
    p = doc.add_paragraph(style="Quote")
    p.add_run(f"“{t(q['text'])}”")
    p.add_run(f" — {t(q['attribution'])} [{t(q['statement_id'])}]").italic = True


def render_docx(ctx: dict):
    """The report as a python-docx Document."""
    from docx import Document
    from docx.shared import Pt

    doc = Document()
    doc.styles["Normal"].font.name = "Arial"
    doc.styles["Normal"].font.size = Pt(10)
    look = lookups(ctx)
    titles = dict(sections(ctx))
    s, m = ctx["summary"], ctx["method"]
    doc.add_heading(t(f"{ctx['title']}: what residents said"), level=0)
    doc.add_paragraph(t(f"Run {ctx['run_id']}, generated {ctx['generated_at']} by kilvoice."))

    doc.add_heading(titles["summary"], level=1)
    doc.add_paragraph(t(
        f"{s['conversations_analysed']} conversations were analysed ({s['conversations_received']} received, "
        f"{s['statements']} statements, {s['themes']} themes). The words most, many, some and a few describe how "
        "many conversations raised each issue; the count is beside them."))
    _table(doc, ["Issue", "Raised in", "Conversations", stance_header(ctx["key_issues"])],
           [[k["theme"], k["band"], k["conversations"], stance_cell(k["stance"], ctx["key_issues"])]
            for k in ctx["key_issues"]])
    if s.get("catch_all_note"):
        doc.add_paragraph(t(s["catch_all_note"]))
    _chart(doc, charts.theme_rows(ctx), "Conversations raising each theme",
           "Figure 1. Conversations raising each theme (a conversation counts once per theme).")

    doc.add_heading(titles["method"], level=1)
    who = (f" from {len(m['organisations'])} organisations ({'; '.join(m['organisations'])})"
           if m.get("organisations") else "")
    when = f" between {m['first_date']} and {m['last_date']}" if m.get("first_date") else ""
    doc.add_paragraph(t(
        f"{s['conversations_received']} conversations were held{when} {held_by(s)}{who}. They asked residents what "
        "is strong about their area and what would make it better for the next generation, and wrote notes. "
        "Personal data was removed before analysis; the notes were split into statements, grouped into themes "
        "by a topic model and linked to the Keep it Local "
        "principles and the council's strategies."))
    for c in m["caveats"]:
        doc.add_paragraph(t(c), style="List Bullet")
    doc.add_paragraph(t("Prevalence words: " + "; ".join(f"{w} = {x}" for w, x in m["bands"].items()) + "."))
    _table(doc, ["What", "Count"], summary_rows(s))

    doc.add_heading(titles["reach"], level=1)
    _chart(doc, charts.reach_rows(ctx, "area"), "Conversations by area", "Figure 2. Conversations by area.")
    _chart(doc, charts.reach_rows(ctx, "setting"), "Conversations by setting", "Figure 3. Conversations by setting.")
    for key, label in (("area", "Area"), ("setting", "Setting"), ("age_band", "Age band")):
        doc.add_heading(f"By {label.lower()}", level=2)
        _table(doc, [label, "Conversations"], [[r["value"], r["conversations"]] for r in ctx["reach"][key]])
    doc.add_heading("Barely heard", level=2)
    bh = ctx["barely_heard"]
    heard = [f"{label}: {', '.join(bh[key])}" for key, label in
             (("area", "Areas"), ("setting", "Settings"), ("age_band", "Age bands")) if bh.get(key)]
    for h in heard:
        doc.add_paragraph(t(h), style="List Bullet")
    if not heard:
        doc.add_paragraph("No area, setting or age band was much less heard than the others.")

    doc.add_heading(titles["themes"], level=1)
    for group, members in theme_groups(ctx):
        if group:
            doc.add_heading(t(f"{group['title']} ({group['id']}; {group['n_conversations']} conversations)"), level=2)
        for th in members:
            signed = " — signed off" if th.get("signed_off") else ""
            doc.add_heading(t(f"{th['title']} ({th['id']}){signed}"), level=3)
            if th["description"]:
                doc.add_paragraph(t(th["description"]))
            doc.add_paragraph(t(f"{th['band'].capitalize()} conversations: {th['n_conversations']} conversations, "
                                f"{th['size']} statements ({stance_text(th['stance'])}). "
                                f"Areas: {counts_text(th['areas'], 10)}."))
            if th.get("holds"):
                doc.add_paragraph(t(holds_text(th["holds"])))
            for q in th["quotes"]:
                _quote(doc, q)
            for line in links_lines(th, look, t):
                doc.add_paragraph(line)

    comp = ctx.get("comparison")
    if comp:
        doc.add_heading(titles["comparison"], level=1)
        doc.add_paragraph(t(f"Compared with run {comp['earlier_run']}. Themes were matched by shared statements "
                            "and by similar keywords and meaning; shares are of each run's conversations."))
        _table(doc, ["Change", "Theme now", "Theme before", "Share now", "Share before"],
               [[c["status"], f"{c.get('title') or ''} {c.get('theme_id') or ''}".strip(),
                 f"{c.get('earlier_title') or ''} {c.get('earlier_theme_id') or ''}".strip(),
                 f"{100 * c.get('share', 0):.0f}%", f"{100 * c.get('earlier_share', 0):.0f}%"]
                for c in comp["themes"]])

    doc.add_heading(titles["crosswalk"], level=1)
    hm = ctx.get("heatmap")
    if hm:
        _picture(doc, charts.heatmap_png(hm), "Figure 4. Link score of each theme to each principle ("
                 + "; ".join(f"{c['id']}: {c['title']}" for c in hm["columns"]) + ").", charts.heatmap_alt(hm))
    for fw in ctx["frameworks"]:
        doc.add_heading(t(fw["title"]), level=2)
        _table(doc, ["Item", "Linked themes", "Conversations", "Areas"], [
            [f"{i['id']} {i['title']}", crosswalk_cell(i, look),
             i.get("n_conversations", 0), counts_text(i.get("areas") or {}, 4)] for i in fw["items"]],
               widths=[5.0, 5.0, 2.2, 5.3])
    doc.add_heading("Resident themes no framework item covers", level=2)
    for x in ctx["unmapped_themes"]:
        doc.add_paragraph(t(f"{look['theme_titles'].get(x, x)} ({x})"), style="List Bullet")
    if not ctx["unmapped_themes"]:
        doc.add_paragraph("Every theme links to at least one framework item.")

    doc.add_heading(titles["key-issues"], level=1)
    _table(doc, ["Issue", "Theme", "Evidence", "Linked objectives", "Suggested owner", "Status"],
           [[k["id"], f"{k['theme']} ({k['theme_id']})", f"{k['conversations']} conversations",
             "; ".join(f"{o['item_id']} {o['title']}" for o in k["objectives"][:3]) or "none",
             k["owner"], k["status"]] for k in ctx["key_issues"]], widths=[1.3, 3.0, 2.8, 5.9, 2.8, 1.7])

    doc.add_heading(titles["rejects"], level=1)
    if ctx["rejected_files"]:
        _table(doc, ["File", "Code", "Reason"], [[f["path"], f["code"], f["reason"]] for f in ctx["rejected_files"]])
    else:
        doc.add_paragraph("Every file was read.")
    if ctx["rejects"]:
        _table(doc, ["Stage", "Reason code", "Count", "Reason"],
               [[r["stage"], r["code"], r["count"], r["reason"]] for r in ctx["rejects"]])
    if ctx["summary"].get("not_in_english_note"):
        doc.add_paragraph(t(ctx["summary"]["not_in_english_note"]))

    doc.add_heading(titles["decisions"], level=1)
    if ctx["decisions"]:
        _table(doc, ["#", "When", "Who", "Decision", "Reason"],
               [[d["id"], d["created_at"], d["user"], d["decision"], d["reason"]] for d in ctx["decisions"]])
    else:
        doc.add_paragraph("No review decisions have been recorded: the themes and links are as the model found them.")
    return doc


def write_docx(ctx: dict, out: Path) -> list[Path]:
    path = Path(out) / "report.docx"
    tmp = path.with_suffix(".docx.tmp")
    render_docx(ctx).save(str(tmp))
    tmp.replace(path)
    return [path]
