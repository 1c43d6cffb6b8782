"""The documents a customer receives: the packing list and the inspection
report rendered as PDF and CSV from the views of ``gendan.quality``, read
back (pypdf, the csv module) and checked figure by figure, and answered by
``Accept`` through ``document_response``."""

from __future__ import annotations

import csv
import io
from collections.abc import AsyncIterator
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI, Request
from pydantic import BaseModel, ConfigDict
from pypdf import PdfReader

from app.api.documents import csv_export, pdf_inspection, pdf_packing_list
from app.api.documents.negotiate import choose, content_disposition, document_response
from app.api.documents.pdf import FontMissing
from app.api.errors import install_error_handlers
from app.config import Settings

FONT = Settings().pdf_font
CUSTOMER = "北風 Nordwind GmbH"
needs_font = pytest.mark.skipif(
    not FONT.is_file(), reason=f"{FONT} missing: apt-get install fonts-wqy-microhei")


# --- views in the shapes of app/application/quality_views.py ---------------


def carton_range(from_no: int, to_no: int, colour: str, size: str, per_carton: int = 30,
                 net: str = "8.5", gross: str = "9.2", line_no: int = 1) -> dict[str, Any]:
    cartons = to_no - from_no + 1
    cbm = (Decimal("0.60") * Decimal("0.40") * Decimal("0.35") * cartons).quantize(Decimal("0.001"))
    return {"from_no": from_no, "to_no": to_no, "cartons": cartons, "line_no": line_no,
            "sku": "TEE-01", "colour": colour, "size": size,
            "quantity_per_carton": str(per_carton), "quantity": str(per_carton * cartons),
            "net_kg": net, "gross_kg": gross, "length_cm": "60", "width_cm": "40",
            "height_cm": "35", "cbm": str(cbm)}


def packing_view(cartons: list[dict[str, Any]], reference: str = "NW-2026-017") -> dict[str, Any]:
    by_colour_size: dict[tuple[int, str, str], Decimal] = {}
    for c in cartons:
        key = (c["line_no"], c["colour"], c["size"])
        by_colour_size[key] = by_colour_size.get(key, Decimal(0)) + Decimal(c["quantity"])
    quantity = sum(Decimal(c["quantity"]) for c in cartons)
    net = sum(Decimal(c["net_kg"]) * c["cartons"] for c in cartons)
    gross = sum(Decimal(c["gross_kg"]) * c["cartons"] for c in cartons)
    cbm = sum(Decimal(c["cbm"]) for c in cartons)
    return {
        "company": "恒達 Hengda Garments Ltd.", "order_id": "7d0c6c1e-0000-4000-8000-000000000001",
        "reference": reference, "customer": CUSTOMER, "state": "ready_to_ship", "version": 14,
        "revision": 2, "issued_at": "2026-11-29T08:15:00+00:00", "cartons": cartons,
        "totals": {
            "cartons": sum(c["cartons"] for c in cartons), "quantity": str(quantity),
            "net_kg": f"{net:.3f}", "gross_kg": f"{gross:.3f}", "cbm": f"{cbm:.3f}",
            "by_line": [{"line_no": 1, "quantity": str(quantity)}],
            "by_colour_size": [{"line_no": k[0], "colour": k[1], "size": k[2], "quantity": str(q)}
                               for k, q in sorted(by_colour_size.items())],
        },
        "differences": [{"line_no": 1, "colour": "藏青", "size": "L", "ordered": "400",
                         "packed": "390", "cut": "402", "difference": "-10",
                         "within_tolerance": False}],
        "tolerance_percent": "0", "within_tolerance": False,
        "difference_accepted": None, "shippable": False,
    }


def small_packing_view() -> dict[str, Any]:
    return packing_view([carton_range(1, 20, "藏青", "M"),
                         carton_range(21, 33, "藏青", "L", net="9", gross="9.8")])


def long_packing_view() -> dict[str, Any]:
    sizes = ("S", "M", "L", "XL")
    ranges = [carton_range(i * 5 + 1, i * 5 + 5, "藏青" if i % 2 else "white", sizes[i % 4])
              for i in range(120)]
    return packing_view(ranges)


def inspection_view() -> dict[str, Any]:
    plan = {"lot_code_letter": "J", "full_inspection": False}
    return {
        "company": "恒達 Hengda Garments Ltd.", "order_id": "7d0c6c1e-0000-4000-8000-000000000001",
        "reference": "NW-2026-017", "customer": CUSTOMER,
        "inspection_id": "c7ef5084-0415-4e27-9a5a-3b7ec8edee53", "stage": "final",
        "factory": "own:f1", "product": "TEE-01 藏青 polo", "lot_size": 1000, "level": "II",
        "severity": "tightened", "severity_reason": "2 of the last 5 lots not accepted",
        "plans": {
            "critical": {**plan, "aql": "0", "code_letter": "Q", "sample_size": 1000,
                         "accept": 0, "reject": 1, "full_inspection": True},
            "major": {**plan, "aql": "2.5", "code_letter": "J", "sample_size": 80,
                      "accept": 3, "reject": 4},
            "minor": {**plan, "aql": "4", "code_letter": "J", "sample_size": 80,
                      "accept": 5, "reject": 6},
        },
        "defects": {"critical": 0, "major": 9, "minor": 2},
        "class_results": {"critical": "passed", "major": "failed", "minor": "passed"},
        "result": "failed",
        "findings": [{"description": "开线 open seam at the side", "class": "major",
                      "quantity": 9, "photo_ref": "photos/R-1/seam-01.jpg"}],
        "report_ref": "R-1", "inspected_on": "2026-11-29",
        "corrective_actions": [{"action_id": "a1", "what": "Re-sew the side seams",
                                "owner": "factory", "due_on": "2026-12-06",
                                "closed_at": None, "evidence_ref": None}],
        "counts_for_switching": True, "inspector": "qc1",
        "concession": {"reason": "customer accepts 9 open seams, repaired",
                       "evidence_ref": "mail 2026-11-30", "granted_by": "chen"},
        "latest_final": True,
    }


# --- reading a PDF back ----------------------------------------------------


def pdf_pages(data: bytes) -> list[str]:
    assert data.startswith(b"%PDF-")
    return [page.extract_text() for page in PdfReader(io.BytesIO(data)).pages]


def embedded_font_files(data: bytes) -> list[str]:
    """The font-file keys of every font the pages use (FontFile2: TrueType)."""
    found = []
    for page in PdfReader(io.BytesIO(data)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descendants = font.get("/DescendantFonts")
            descriptor = (descendants[0].get_object() if descendants else font)["/FontDescriptor"]
            found += [key for key in ("/FontFile", "/FontFile2", "/FontFile3")
                      if key in descriptor.get_object()]
    return found


def render_pdf(view: dict[str, Any], kind: str) -> bytes:
    build = pdf_packing_list.build if kind == "packing_list" else pdf_inspection.build
    return bytes(build(view, FONT).output())


# --- PDF -------------------------------------------------------------------


@needs_font
def test_the_packing_list_pdf_reads_back_with_the_views_figures() -> None:
    view = small_packing_view()
    pages = pdf_pages(render_pdf(view, "packing_list"))
    text = "\n".join(pages)
    totals = view["totals"]
    assert len(pages) == 1
    for expected in ("Packing List", "NW-2026-017", CUSTOMER, "恒達 Hengda Garments Ltd.",
                     "藏青", "2026-11-29", "1–20", "21–33", "60 × 40 × 35",
                     str(totals["cartons"]), totals["quantity"], totals["net_kg"],
                     totals["gross_kg"], totals["cbm"], "BEYOND TOLERANCE", "Page 1 of 1"):
        assert expected in text, expected
    # The figures of the totals, as the view has them (287.000 = 20×8.5 + 13×9).
    assert (totals["cartons"], totals["quantity"], totals["net_kg"], totals["gross_kg"],
            totals["cbm"]) == (33, "990", "287.000", "311.400", "2.772")
    assert "net 287.000 kg, gross 311.400 kg" in text


@needs_font
def test_a_long_packing_list_spans_pages_each_with_the_table_headings_and_its_number() -> None:
    view = long_packing_view()
    pages = pdf_pages(render_pdf(view, "packing_list"))
    count = len(pages)
    assert count >= 3
    for number, page in enumerate(pages, start=1):
        assert f"Page {number} of {count}" in page
        assert "NW-2026-017" in page and CUSTOMER in page
    # The cartons table runs over all pages but the totals' last one: its
    # headings at the top of each, its last range on the last of them.
    for page in pages[:-1]:
        assert "Pcs/ctn" in page and "Gross kg/ctn" in page
    assert "596–600" in "\n".join(pages[-2:])
    assert f"net {view['totals']['net_kg']} kg" in "\n".join(pages)


@needs_font
def test_the_inspection_report_pdf_reads_back() -> None:
    view = inspection_view()
    pages = pdf_pages(render_pdf(view, "inspection"))
    text = "\n".join(pages)
    for expected in ("Inspection Report", "NW-2026-017", CUSTOMER, "Final", "1000 (100 %)",
                     "tightened: 2 of the last 5 lots not accepted", "开线 open seam",
                     "photos/R-1/seam-01.jpg", "Re-sew the side seams", "2026-12-06",
                     "FAILED", "customer accepts 9 open seams", "mail 2026-11-30",
                     f"Page 1 of {len(pages)}"):
        assert expected in text, expected
    # One row per defect class: class, AQL, letters, sample, Ac, Re, defects, result.
    assert "major 2.5 J J 80 3 4 9 failed" in " ".join(text.split())


@needs_font
def test_the_cjk_font_is_embedded_in_both_documents() -> None:
    for view, kind in ((small_packing_view(), "packing_list"), (inspection_view(), "inspection")):
        files = embedded_font_files(render_pdf(view, kind))
        assert files and set(files) <= {"/FontFile2", "/FontFile3"}


@needs_font
def test_documents_without_findings_actions_or_differences_render() -> None:
    inspection = {**inspection_view(), "customer": None, "findings": [],
                  "corrective_actions": [], "concession": None, "result": "passed"}
    text = "\n".join(pdf_pages(render_pdf(inspection, "inspection")))
    assert "No findings recorded." in text and "PASSED" in text and "Customer: —" in text
    packing = {**small_packing_view(), "differences": [], "within_tolerance": True}
    text = "\n".join(pdf_pages(render_pdf(packing, "packing_list")))
    assert "The packed quantities equal the ordered ones" in text


def test_a_missing_font_is_told_not_crashed(tmp_path: Path) -> None:
    with pytest.raises(FontMissing):
        pdf_packing_list.build(small_packing_view(), tmp_path / "absent.ttc")


# --- CSV -------------------------------------------------------------------


def read_csv(data: bytes) -> list[dict[str, str]]:
    assert data.startswith("\ufeff".encode())  # Excel reads it as UTF-8
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_the_packing_list_csv_round_trips_with_the_same_figures() -> None:
    view = long_packing_view()
    rows = read_csv(csv_export.packing_list_csv(view))
    totals = view["totals"]
    assert len(rows) == 120
    assert rows[1]["colour"] == "藏青" and rows[1]["from_no"] == "6" and rows[1]["to_no"] == "10"
    assert sum(int(r["cartons"]) for r in rows) == totals["cartons"]
    assert sum(Decimal(r["quantity"]) for r in rows) == Decimal(totals["quantity"])
    assert sum(Decimal(r["net_kg_per_carton"]) * int(r["cartons"]) for r in rows) \
        == Decimal(totals["net_kg"])
    assert sum(Decimal(r["gross_kg_per_carton"]) * int(r["cartons"]) for r in rows) \
        == Decimal(totals["gross_kg"])
    assert sum(Decimal(r["cbm"]) for r in rows) == Decimal(totals["cbm"])


def test_the_inspection_csv_has_a_row_per_defect_class() -> None:
    rows = read_csv(csv_export.inspection_csv(inspection_view()))
    assert [(r["class"], r["sample_size"], r["accept"], r["reject"], r["defects"],
             r["class_result"]) for r in rows] == [
        ("critical", "1000", "0", "1", "0", "passed"),
        ("major", "80", "3", "4", "9", "failed"),
        ("minor", "80", "5", "6", "2", "passed")]
    assert {r["result"] for r in rows} == {"failed"}
    assert rows[0]["product"] == "TEE-01 藏青 polo"


def test_csv_cells_a_spreadsheet_would_run_as_formulas_are_quoted() -> None:
    view = packing_view([carton_range(1, 2, "=HYPERLINK(\"http://x\")", "-M")])
    row = read_csv(csv_export.packing_list_csv(view))[0]
    assert row["colour"] == "'=HYPERLINK(\"http://x\")" and row["size"] == "'-M"
    assert row["quantity"] == "60"


# --- negotiation -----------------------------------------------------------


@pytest.mark.parametrize(("accept", "chosen"), [
    (None, "application/json"), ("", "application/json"), ("*/*", "application/json"),
    ("application/pdf", "application/pdf"), ("text/csv", "text/csv"),
    ("text/*", "text/csv"), ("application/*", "application/json"),
    ("application/json;q=0.5, application/pdf", "application/pdf"),
    ("text/csv;q=0.2, */*;q=0.1", "text/csv"),
    ("*/*, application/json;q=0", "text/csv"),
    ("text/html", None), ("application/xml, image/*", None), ("application/pdf;q=0", None),
])
def test_accept_chooses_the_preferred_offered_type(accept: str | None, chosen: str | None) -> None:
    assert choose(accept) == chosen


def test_the_filename_is_ascii_safe_with_the_exact_one_as_filename_star() -> None:
    header = content_disposition("packing-list-北風/17 \"x\"-r2.pdf")
    assert header.startswith('inline; filename="packing-list-_17_x_-r2.pdf"; ')
    assert header.endswith("filename*=UTF-8''packing-list-%E5%8C%97%E9%A2%A8%2F17%20%22x%22-r2.pdf")
    assert header.isascii()


class PackingListPublic(BaseModel):
    model_config = ConfigDict(extra="ignore")
    reference: str
    revision: int


def documents_app(font: Path) -> FastAPI:
    app = FastAPI()
    app.state.settings = Settings(database_url="memory:", pdf_font=font)
    install_error_handlers(app)

    @app.get("/packing-list")
    def packing_list(request: Request) -> Any:
        return document_response(request, small_packing_view(), "packing_list")

    @app.get("/packing-list-model")
    def packing_list_model(request: Request) -> Any:
        return document_response(request, small_packing_view(), "packing_list",
                                 PackingListPublic)

    @app.get("/inspection")
    def inspection(request: Request) -> Any:
        return document_response(request, inspection_view(), "inspection")

    return app


@pytest.fixture
async def client() -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=documents_app(FONT))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        yield client


async def test_json_is_the_default_answer(client: httpx.AsyncClient) -> None:
    for headers in ({}, {"Accept": "*/*"}, {"Accept": "application/json"}):
        r = await client.get("/packing-list", headers=headers)
        assert r.status_code == 200 and r.headers["content-type"] == "application/json"
        assert r.json()["totals"]["net_kg"] == "287.000" and r.json()["customer"] == CUSTOMER
        assert r.headers["cache-control"] == "no-store" and r.headers["vary"] == "Accept"
    r = await client.get("/packing-list-model")
    assert r.json() == {"reference": "NW-2026-017", "revision": 2}


async def test_csv_by_accept(client: httpx.AsyncClient) -> None:
    r = await client.get("/packing-list", headers={"Accept": "text/csv"})
    assert r.status_code == 200 and r.headers["content-type"] == "text/csv; charset=utf-8"
    assert r.headers["content-disposition"].startswith(
        'inline; filename="packing-list-NW-2026-017-r2.csv"')
    assert [row["quantity"] for row in read_csv(r.content)] == ["600", "390"]


@needs_font
async def test_pdf_by_accept(client: httpx.AsyncClient) -> None:
    r = await client.get("/inspection", headers={"Accept": "application/pdf"})
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"].startswith(
        'inline; filename="inspection-report-NW-2026-017-final-c7ef5084.pdf"')
    assert r.headers["cache-control"] == "no-store"
    assert "Inspection Report" in pdf_pages(r.content)[0]


async def test_an_unknown_accept_is_406_problem_json(client: httpx.AsyncClient) -> None:
    r = await client.get("/packing-list", headers={"Accept": "text/html"})
    assert r.status_code == 406
    assert r.headers["content-type"] == "application/problem+json"
    problem = r.json()
    assert problem["type"] == "/problems/not-acceptable" and problem["status"] == 406
    assert problem["available"] == ["application/json", "text/csv", "application/pdf"]
    assert problem["instance"] == "/packing-list"


async def test_a_missing_font_answers_503_for_pdf_and_json_and_csv_still_work(
        tmp_path: Path) -> None:
    transport = httpx.ASGITransport(app=documents_app(tmp_path / "no-such-font.ttc"))
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as client:
        r = await client.get("/packing-list", headers={"Accept": "application/pdf"})
        assert r.status_code == 503
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] == "/problems/pdf-font-missing"
        assert "GENDAN_PDF_FONT" in r.json()["detail"]
        assert "fonts-wqy-microhei" in r.json()["detail"]
        assert (await client.get("/packing-list")).status_code == 200
        assert (await client.get("/inspection", headers={"Accept": "text/csv"})).status_code == 200
