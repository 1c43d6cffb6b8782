"""The inspection report a customer receives: the lot, the ISO 2859-1 plan
and judgement per defect class, the findings with their photos, the
corrective actions and any concession."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from app.api.documents.pdf import Document, text

TITLE = "Inspection Report 检验报告"
STAGES = {"incoming": "Incoming (materials)", "pre_production": "Pre-production",
          "first_piece": "First piece", "inline": "Inline", "final": "Final"}
CLASSES = ("critical", "major", "minor")


def _sample(plan: dict[str, Any]) -> str:
    size = text(plan.get("sample_size"))
    return f"{size} (100 %)" if plan.get("full_inspection") else size


def build(view: dict[str, Any], font: Path) -> Document:
    pdf = Document(font, view, TITLE, landscape=False)
    severity = f"{text(view.get('severity'))}: {text(view.get('severity_reason'))}"
    pdf.facts([
        ("Order reference", view.get("reference")), ("Customer", view.get("customer")),
        ("Product", view.get("product")), ("Factory", view.get("factory")),
        ("Stage", STAGES.get(view.get("stage") or "", view.get("stage"))),
        ("Inspected on", view.get("inspected_on")),
        ("Lot size", view.get("lot_size")), ("Inspection level", view.get("level")),
        ("Report reference", view.get("report_ref")), ("Inspector", view.get("inspector")),
    ], columns=2)
    pdf.facts([("Severity", severity)], columns=1)

    pdf.heading("Sampling plans and results (ISO 2859-1, single sampling)")
    plans, defects, results = view.get("plans") or {}, view.get("defects") or {}, \
        view.get("class_results") or {}
    classes = [c for c in CLASSES if c in plans] + [c for c in plans if c not in CLASSES]
    pdf.grid(
        ("Class", "AQL", "Lot letter", "Code letter", "Sample size", "Ac", "Re", "Defects",
         "Result"),
        ([c, plans[c].get("aql"), plans[c].get("lot_code_letter"), plans[c].get("code_letter"),
          _sample(plans[c]), plans[c].get("accept"), plans[c].get("reject"), defects.get(c),
          results.get(c)] for c in classes),
        (3, 2, 2, 2, 3, 1.3, 1.3, 2, 2.4),
        ("LEFT", "RIGHT", "CENTER", "CENTER", "RIGHT", "RIGHT", "RIGHT", "RIGHT", "LEFT"),
        flagged=(results.get(c) == "failed" for c in classes),
        footer=[("Overall result", 8), (text(view.get("result")).upper(), 1)],
        footer_flagged=view.get("result") == "failed",
    )

    pdf.heading("Findings")
    findings = view.get("findings") or []
    if findings:
        pdf.grid(("Description", "Class", "Quantity", "Photo"),
                 ([f.get("description"), f.get("class"), f.get("quantity"), f.get("photo_ref")]
                  for f in findings),
                 (8, 2, 2, 4), ("LEFT", "LEFT", "RIGHT", "LEFT"))
    else:
        pdf.paragraph("No findings recorded.")

    pdf.heading("Corrective actions")
    actions = view.get("corrective_actions") or []
    if actions:
        pdf.grid(("Action", "Owner", "Due", "Closed", "Evidence"),
                 ([a.get("what"), a.get("owner"), a.get("due_on"),
                   str(a.get("closed_at") or "")[:10] or "open", a.get("evidence_ref")]
                  for a in actions),
                 (8, 2, 2.5, 2.5, 3), ("LEFT", "LEFT", "LEFT", "LEFT", "LEFT"),
                 flagged=(not a.get("closed_at") for a in actions))
    else:
        pdf.paragraph("None.")

    concession = view.get("concession")
    if concession:
        pdf.heading("Concession")
        pdf.paragraph(f"Granted by {text(concession.get('granted_by'))}: "
                      f"{text(concession.get('reason'))} "
                      f"(customer's acceptance: {text(concession.get('evidence_ref'))}).")
    return pdf
