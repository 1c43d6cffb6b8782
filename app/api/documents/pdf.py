"""The PDF documents' common frame: fpdf2 with one embedded CJK font, the
company, title, order and customer at the top of every page, "Page n of m"
at the bottom, and tables whose headings repeat on every page they span.

fpdf2 because it is pure Python (no system library such as cairo or pango
to install), embeds only the glyphs a document uses from a TrueType
collection (``collection_font_number``: Debian's WenQuanYi Micro Hei is a
.ttc) and writes a ToUnicode map, so the text reads back (``pypdf``), can be
searched and copied, Chinese included.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from fpdf import FPDF
from fpdf.enums import TableCellFillMode, TextMode
from fpdf.fonts import FontFace

FONT = "cjk"
GREY = (225, 225, 225)
FLAG = FontFace(color=(160, 0, 0), fill_color=(255, 228, 228))
DASH = "—"


class FontMissing(Exception):
    """The PDF font file is not there: the service answers 503, not 500."""

    def __init__(self, path: Path):
        super().__init__(path)
        self.path = path


def text(value: Any) -> str:
    """A view value as printed: None as a dash, booleans as yes/no."""
    if value is None or value == "":
        return DASH
    if isinstance(value, bool):
        return "yes" if value else "no"
    return str(value)


class Document(FPDF):
    """One A4 document; landscape for the packing list's wide table."""

    def __init__(self, font: Path, view: dict[str, Any], title: str, *, landscape: bool):
        if not font.is_file():
            raise FontMissing(font)
        super().__init__(orientation="L" if landscape else "P", unit="mm", format="A4")
        self.view = view
        self.doc_title = title
        # One face: the collection has no bold one, so bold text is drawn
        # filled and stroked (``strong``). Loading the face is most of a
        # document's time (~0.2 s of ~0.25 s for one page), so it is loaded once.
        self.add_font(FONT, "", str(font), collection_font_number=0)
        self.set_title(f"{title} {view.get('reference') or ''}".strip())
        self.set_author(str(view.get("company") or ""))
        self.set_creator("gendan")
        self.set_auto_page_break(auto=True, margin=18)
        self.set_margins(12, 12, 12)
        self.add_page()

    # --- the frame of every page ---------------------------------------

    def header(self) -> None:
        view = self.view
        self.set_font(FONT, size=15)
        with self.strong():
            self.cell(self.epw / 2, 8, text(view.get("company")))
        self.cell(self.epw / 2, 8, self.doc_title, align="R", new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=9)
        self.cell(self.epw / 2, 5, f"Order {text(view.get('reference'))}")
        self.cell(self.epw / 2, 5, f"Customer: {text(view.get('customer'))}", align="R",
                  new_x="LMARGIN", new_y="NEXT")
        self.set_draw_color(120, 120, 120)
        self.line(self.l_margin, self.get_y() + 1, self.w - self.r_margin, self.get_y() + 1)
        self.ln(4)

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, size=8)
        self.set_text_color(90, 90, 90)
        view = self.view
        left = f"{text(view.get('company'))} · {self.doc_title} · {text(view.get('reference'))}"
        self.cell(self.epw * 0.7, 5, left)
        # {nb} is replaced by the page count when the document is closed.
        self.cell(self.epw * 0.3, 5, f"Page {self.page_no()} of {{nb}}", align="R")
        self.set_text_color(0, 0, 0)

    # --- building blocks -------------------------------------------------

    def strong(self) -> Any:
        """Bold by stroking the glyphs' outline (the font has no bold face)."""
        return self.local_context(text_mode=TextMode.FILL_STROKE, line_width=0.15)

    def heading(self, title: str) -> None:
        self.ln(3)
        self.set_font(FONT, size=11)
        with self.strong():
            self.cell(0, 7, title, new_x="LMARGIN", new_y="NEXT")
        self.set_font(FONT, size=8.5)

    def paragraph(self, line: str) -> None:
        self.ln(1)
        self.set_font(FONT, size=8.5)
        self.multi_cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT")

    def facts(self, pairs: Sequence[tuple[str, Any]], columns: int = 2) -> None:
        """Label/value pairs in ``columns`` columns, no borders."""
        self.set_font(FONT, size=8.5)
        label = self.epw / 2 * 0.35
        widths = [label, self.epw / columns - label] * columns
        with self.table(col_widths=widths, first_row_as_headings=False, borders_layout="NONE",
                        line_height=5, padding=0.6, text_align="LEFT") as table:
            for start in range(0, len(pairs), columns):
                row = table.row()
                for label, value in pairs[start:start + columns]:
                    row.cell(label, style=FontFace(color=(90, 90, 90)))
                    row.cell(text(value))

    def grid(self, headings: Sequence[str], rows: Iterable[Sequence[Any]],
             widths: Sequence[float], align: Sequence[str],
             flagged: Iterable[bool] | None = None,
             footer: Sequence[tuple[str, int]] | None = None, footer_flagged: bool = False,
             width: float = 1.0) -> None:
        """A bordered table; its headings repeat at the top of every page it
        spans. A flagged row is printed in red; ``footer`` is a last row of
        (text, colspan) cells, e.g. the totals; ``width`` the share of the
        page's width the table takes, from the left margin."""
        self.set_font(FONT, size=8)
        flags = iter(flagged) if flagged is not None else None
        with self.table(col_widths=tuple(widths), text_align=tuple(align), line_height=4.6,
                        headings_style=FontFace(emphasis="", fill_color=GREY),
                        cell_fill_mode=TableCellFillMode.NONE, repeat_headings=1,
                        padding=0.8, width=self.epw * width, align="LEFT") as table:
            table.row(list(headings))
            for values in rows:
                style = FLAG if flags is not None and next(flags) else None
                table.row([text(value) for value in values], style=style)
            if footer:
                row = table.row(style=FLAG if footer_flagged else FontFace(fill_color=GREY))
                for value, span in footer:
                    row.cell(value, colspan=span)

