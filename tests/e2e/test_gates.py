"""Gates G1-G5 over HTTP: each refused with 409 problem+json naming its rule,
then passed once its condition is met (issue 2, "Rules enforced here")."""

from __future__ import annotations

from tests.e2e.helpers import (
    PROBLEM,
    SHIPMENT,
    alert_codes,
    approve_pre_production_sample,
    command,
    create_order,
    draft_notice,
    lifecycle,
    new_customer,
    order_body,
    pay,
    refused,
)

LOW_COSTS = [{"item": "fabric", "amount": "8100.00", "currency": "USD"}]  # margin 0.0470


def costs(amount: str) -> dict:
    return {"costs": [{"item": "fabric", "amount": amount, "currency": "USD"}]}


# ---- G1 -------------------------------------------------------------------------


async def test_g1_confirmation_needs_signed_pi_or_waiver(api):
    order = await lifecycle(api, "pi_issued")
    problem = await refused(api, order["id"], "/confirmation", {}, rule="G1")
    assert problem["type"] == "/problems/gate-violation"
    assert "not signed back" in problem["detail"]
    # A blank waiver is no waiver.
    await refused(api, order["id"], "/confirmation", {"waiver_reason": "   "}, rule="G1")
    await command(api, order["id"], "/cost-analysis", costs("8000.00"))  # G2
    confirmed = await command(api, order["id"], "/confirmation",
                              {"waiver_reason": "repeat customer, PI agreed by phone"})
    assert confirmed["state"] == "confirmed"


async def test_g1_signed_pi_passes(api):
    order = await lifecycle(api, "costed")
    await command(api, order["id"], "/confirmation", {})


async def test_g1_release_before_confirmation(api):
    order = await lifecycle(api, "costed")
    await refused(api, order["id"], "/production-release", {}, rule="G1")
    await command(api, order["id"], "/confirmation", {})
    await command(api, order["id"], "/cost-analysis", costs("8000.00"))  # detailed (G2)
    await draft_notice(api, order["id"])
    released = await command(api, order["id"], "/production-release", {})
    assert released["state"] == "in_production"


# ---- G2 -------------------------------------------------------------------------


async def test_g2_low_margin_refused_at_confirmation_until_approved(api):
    order = await lifecycle(api, "costed", costs=LOW_COSTS)
    assert order["margin"] == "0.0470"
    problem = await refused(api, order["id"], "/confirmation", {}, rule="G2")
    assert "0.0470" in problem["detail"]
    await command(api, order["id"], "/margin-approval", {"reason": "opening a new market"})
    await command(api, order["id"], "/confirmation", {})


async def test_g2_exactly_five_percent_needs_no_approval(api):
    # (8500 - 8075) / 8500 = 0.05 exactly.
    order = await lifecycle(api, "costed", costs=[
        {"item": "fabric", "amount": "8075.00", "currency": "USD"}])
    assert (order["margin"], order["needs_margin_approval"]) == ("0.0500", False)
    await command(api, order["id"], "/confirmation", {})
    await command(api, order["id"], "/cost-analysis", costs("8075.00"))  # detailed
    await draft_notice(api, order["id"])
    await command(api, order["id"], "/production-release", {})


async def test_g2_new_analysis_after_approval_needs_a_new_approval(api):
    order = await lifecycle(api, "costed", costs=LOW_COSTS)
    oid = order["id"]
    await command(api, oid, "/margin-approval", {"reason": "strategic"})
    await command(api, oid, "/confirmation", {})
    # The detailed analysis after confirmation is still below 5 %.
    detailed = await command(api, oid, "/cost-analysis", costs("8200.00"), role="accountant")
    assert (detailed["margin"], detailed["margin_approved"]) == ("0.0352", False)
    await refused(api, oid, "/production-release", {}, rule="G2")
    await command(api, oid, "/margin-approval", {"reason": "still strategic"})
    await draft_notice(api, oid)
    released = await command(api, oid, "/production-release", {})
    assert released["state"] == "in_production"


async def test_g2_confirmation_needs_an_analysis_and_release_a_detailed_one(api):
    """Plan 5 form 4: a rough analysis at quotation, a detailed one after
    confirmation (issue 10, point 4)."""
    order = await lifecycle(api, "pi_signed")
    oid = order["id"]
    problem = await refused(api, oid, "/confirmation", {}, rule="G2")
    assert problem["detail"] == "Confirmation needs a cost analysis"
    # The merchandiser makes the rough analysis at the quotation stage.
    await command(api, oid, "/cost-analysis", costs("7000.00"), role="merchandiser")
    await command(api, oid, "/confirmation", {})
    problem = await refused(api, oid, "/production-release", {}, rule="G2")
    assert "detailed cost analysis" in problem["detail"] and "rough" in problem["detail"]
    await command(api, oid, "/cost-analysis", costs("7000.00"), role="merchandiser")
    await draft_notice(api, oid)
    released = await command(api, oid, "/production-release", {})
    assert (released["state"], released["cost_analyses"]) == ("in_production", 2)


async def test_g2_a_better_analysis_lifts_the_need_for_approval(api):
    order = await lifecycle(api, "costed", costs=LOW_COSTS)
    await refused(api, order["id"], "/confirmation", {}, rule="G2")
    await command(api, order["id"], "/cost-analysis", costs("7500.00"))
    await command(api, order["id"], "/confirmation", {})


# ---- G3 -------------------------------------------------------------------------

# 20000 m x USD 0.85 = USD 17000.00, above the USD 10000 large-amount threshold.
LARGE_LINES = [{"sku": "NW-45G", "quantity": "20000", "unit": "m", "unit_price": "0.85"}]


async def test_g3_dp_refused_above_the_threshold_at_creation(api):
    customer_id = await new_customer(api, "DE")
    body = order_body(customer_id, lines=LARGE_LINES, payment_terms={"method": "DP"})
    r = await api.post("/v1/orders", body)
    assert r.status_code == 409, r.text
    assert r.headers["content-type"].startswith(PROBLEM)
    assert r.json()["rule"] == "G3"
    # The same order on T/T is fine; D/P below the threshold too.
    await create_order(api, customer_id, lines=LARGE_LINES,
                       payment_terms={"method": "TT", "deposit_percent": "30"})
    await create_order(api, customer_id, payment_terms={"method": "DP"})


async def test_g3_dp_refused_above_the_threshold_at_amendment(api):
    order = await create_order(api, lines=LARGE_LINES)
    await refused(api, order["id"], "/payment-terms", {"method": "DP"}, rule="G3",
                  method="PUT")
    amended = await command(api, order["id"], "/payment-terms",
                            {"method": "LC", "issuing_bank_country": "DE"},
                            role="supervisor", method="PUT")
    assert amended["payment_terms"]["method"] == "LC"


async def test_g3_dp_refused_for_african_customers_at_any_amount(api):
    for country in ("NG", "ZA", "KE"):
        customer_id = await new_customer(api, country)
        small = order_body(customer_id, payment_terms={"method": "DP"}, lines=[
            {"sku": "S", "quantity": "10", "unit": "pcs", "unit_price": "1.00"}])
        r = await api.post("/v1/orders", small)
        assert r.status_code == 409, r.text
        assert r.json()["rule"] == "G3"
        assert "Africa" in r.json()["detail"]
    # ...and when amended to D/P.
    order = await create_order(api, country="EG")
    await refused(api, order["id"], "/payment-terms", {"method": "DP"}, rule="G3",
                  method="PUT")


async def test_g3_nigerian_lc_needs_a_third_country_confirming_bank(api):
    order = await lifecycle(api, "costed", country="NG",
                            payment_terms={"method": "LC", "issuing_bank_country": "NG"})
    oid = order["id"]
    problem = await refused(api, oid, "/confirmation", {}, rule="G3")
    assert "Nigeria" in problem["detail"]
    # A Nigerian confirming bank is no third-country bank.
    await command(api, oid, "/payment-terms", {"method": "LC", "issuing_bank_country": "NG",
                                               "confirming_bank_country": "NG"}, method="PUT")
    await refused(api, oid, "/confirmation", {}, rule="G3")
    # Nor is a Chinese one: China is the company's own country (GENDAN_COMPANY_COUNTRY).
    await command(api, oid, "/payment-terms", {"method": "LC", "issuing_bank_country": "NG",
                                               "confirming_bank_country": "CN"}, method="PUT")
    problem = await refused(api, oid, "/confirmation", {}, rule="G3")
    assert "in CN is not in a third country" in problem["detail"]
    amended = await command(api, oid, "/payment-terms", {
        "method": "LC", "issuing_bank_country": "NG", "confirming_bank_country": "GB"},
        method="PUT")
    assert amended["payment_terms"]["confirming_bank_country"] == "GB"
    confirmed = await command(api, oid, "/confirmation", {})
    assert confirmed["state"] == "confirmed"


async def test_g3_da_refused_for_african_customers_as_dp_is(api):
    """Plan 5: no documentary collection (託收) with African customers: D/A
    is collection too (issue 10, point 1)."""
    small = [{"sku": "S", "quantity": "10", "unit": "pcs", "unit_price": "1.00"}]
    customer_id = await new_customer(api, "NG")
    r = await api.post("/v1/orders", order_body(customer_id, payment_terms={"method": "DA"},
                                                lines=small))
    assert r.status_code == 409, r.text
    assert (r.json()["rule"], "Africa" in r.json()["detail"]) == ("G3", True)
    # ...at amendment too; the same small D/A order for a German customer passes.
    order = await lifecycle(api, "costed", customer_id=customer_id, lines=small, costs=[
        {"item": "fabric", "amount": "5.00", "currency": "USD"}])
    await refused(api, order["id"], "/payment-terms", {"method": "DA"}, rule="G3",
                  method="PUT")
    await create_order(api, country="DE", payment_terms={"method": "DA"}, lines=small)
    await command(api, order["id"], "/confirmation", {})


# ---- G4 -------------------------------------------------------------------------


async def test_g4_no_shipment_with_balance_due_until_a_manager_approves(api):
    order = await lifecycle(api, "ready_to_ship")  # G11 and G12 passed
    oid = order["id"]
    problem = await refused(api, oid, "/shipments", SHIPMENT, rule="G4")
    assert "5950.00 USD" in problem["detail"]
    approved = await command(api, oid, "/shipment-without-balance",
                             {"reason": "customer's L/C arrives next week"})
    assert approved["shipment_without_balance_approved"] is True
    assert "shipment_without_balance" in alert_codes(approved)
    [alert] = approved["alerts"]
    assert alert["for_role"] == "accountant"
    shipped = await command(api, oid, "/shipments", SHIPMENT, role="purchaser")
    assert shipped["state"] == "shipped"
    assert "shipment_without_balance" in alert_codes(shipped)
    # The balance arriving after shipment settles the alert.
    paid = await pay(api, oid, "balance", None)
    assert paid["balance_due"] == "0.00"
    assert paid["alerts"] == []


async def test_g4_balance_in_full_passes(api):
    order = await lifecycle(api, "balance_paid")
    shipped = await command(api, order["id"], "/shipments", SHIPMENT)
    assert (shipped["state"], shipped["alerts"]) == ("shipped", [])


# ---- G5 -------------------------------------------------------------------------


async def test_g5_release_needs_an_approved_pre_production_sample(api):
    order = await create_order(api)
    oid = order["id"]
    await command(api, oid, "/proforma-invoice", {})
    await command(api, oid, "/cost-analysis", costs("7000.00"))
    await command(api, oid, "/confirmation", {"waiver_reason": "PI agreed by e-mail"})
    await command(api, oid, "/cost-analysis", costs("7000.00"))  # detailed (G2)
    await refused(api, oid, "/production-release", {}, rule="G5")
    # An approved approval sample and a rejected pre-production one do not count.
    for stage, decision in (("approval", "approved"), ("pre_production", "rejected")):
        sample = await command(api, oid, "/samples", {"stage": stage}, role="merchandiser",
                               status=201)
        await command(api, oid, f"/samples/{sample['sample_id']}/decision",
                      {"decision": decision, "comments": "colour off",
                       "evidence_ref": "mail-2026-11-03"})
    await refused(api, oid, "/production-release", {}, rule="G5")
    await approve_pre_production_sample(api, oid)
    await draft_notice(api, oid)
    await command(api, oid, "/production-release", {})


async def test_a_release_needs_the_production_notice(api):
    """Issue 11: the merchandiser's notice is what the release approves; the
    gates are checked first, then the notice (409, no rule)."""
    order = await lifecycle(api, "deposit_paid")
    problem = await refused(api, order["id"], "/production-release", {}, role="supervisor")
    assert problem["type"] == "/problems/invalid-state" and "rule" not in problem
    assert "production notice" in problem["detail"]
    await draft_notice(api, order["id"])
    released = await command(api, order["id"], "/production-release", {}, role="supervisor")
    assert released["state"] == "in_production"


async def test_g5_does_not_apply_without_samples(api):
    order = await lifecycle(api, "detailed", samples_required=False)
    assert order["samples"] == []
    await draft_notice(api, order["id"])
    await command(api, order["id"], "/production-release", {})


# ---- several gates at once ------------------------------------------------------


async def test_the_lowest_numbered_gate_is_named(api):
    order = await create_order(api, country="NG",
                               payment_terms={"method": "LC", "issuing_bank_country": "NG"})
    oid = order["id"]
    # Release: not confirmed (G1), no analysis (G2), no sample (G5).
    await refused(api, oid, "/production-release", {}, rule="G1")
    await command(api, oid, "/cost-analysis", {"costs": LOW_COSTS})
    # Confirm: no PI (G1), low margin (G2), Nigerian L/C (G3).
    await refused(api, oid, "/confirmation", {}, rule="G1")
    await refused(api, oid, "/confirmation", {"waiver_reason": "urgent"}, rule="G2")
    await command(api, oid, "/margin-approval", {"reason": "strategic"})
    await refused(api, oid, "/confirmation", {"waiver_reason": "urgent"}, rule="G3")


async def test_release_names_g2_before_g5(api):
    order = await create_order(api)  # samples required, none approved
    oid = order["id"]
    await command(api, oid, "/cost-analysis", costs("7000.00"))  # rough
    await command(api, oid, "/confirmation", {"waiver_reason": "framework contract"})
    await refused(api, oid, "/production-release", {}, rule="G2")
    await command(api, oid, "/cost-analysis", costs("7000.00"))  # detailed
    await refused(api, oid, "/production-release", {}, rule="G5")


async def test_g5_an_approval_needs_the_customers_evidence(api):
    """SPEC §1: a customer's approval is recorded with its evidence (issue
    10, point 3); a rejection may have none."""
    order = await create_order(api)
    oid = order["id"]
    for stage in ("approval", "pre_production"):
        sample = await command(api, oid, "/samples", {"stage": stage}, role="merchandiser",
                               status=201)
        decision = f"/samples/{sample['sample_id']}/decision"
        for body in ({"decision": "approved"}, {"decision": "approved", "evidence_ref": None},
                     {"decision": "approved", "comments": "OK by phone"}):
            problem = await refused(api, oid, decision, body, status=422, role="supervisor")
            assert [e["field"] for e in problem["errors"]] == ["evidence_ref"], problem
        if stage == "approval":
            await command(api, oid, decision, {"decision": "rejected", "comments": "too thin"},
                          role="supervisor")
    approved = await command(api, oid, decision, {"decision": "approved",
                                                  "evidence_ref": "mail-2026-11-05"},
                             role="supervisor")
    assert [s["status"] for s in approved["samples"]] == ["rejected", "approved"]


# ---- soft rule and money rules --------------------------------------------------


async def test_production_without_deposit_raises_an_alert(api):
    order = await lifecycle(api, "detailed")
    notice = await draft_notice(api, order["id"])
    released = await command(api, order["id"], "/production-release", {})
    assert released["state"] == "in_production"
    assert released["version"] == notice["version"] + 2  # the release and its alert
    assert alert_codes(released) == {"production_without_deposit"}
    [alert] = released["alerts"]
    assert "2550.00" in alert["message"] and alert["for_role"] == "accountant"
    paid = await pay(api, order["id"], "deposit", "2550.00")
    assert paid["alerts"] == []


async def test_a_payment_in_another_currency_is_refused(api):
    order = await lifecycle(api, "confirmed")
    problem = await refused(api, order["id"], "/payments", {
        "kind": "deposit", "amount": "2550.00", "currency": "EUR",
        "received_on": "2027-01-10", "reference": "TT-9"}, status=422, role="accountant")
    assert problem["errors"][0]["field"] == "currency"


async def test_overpayment_is_refused(api):
    order = await lifecycle(api, "confirmed")
    await refused(api, order["id"], "/payments", {
        "kind": "balance", "amount": "8500.01", "currency": "USD",
        "received_on": "2027-01-10", "reference": "TT-9"}, status=422, role="accountant")


async def test_reference_is_unique_per_customer(api):
    customer_id = await new_customer(api)
    other_customer_id = await new_customer(api)
    body = order_body(customer_id)
    assert (await api.post("/v1/orders", body)).status_code == 201
    again = await api.post("/v1/orders", {**body, "incoterm": "CIF"})
    assert again.status_code == 409, again.text
    assert again.headers["content-type"].startswith(PROBLEM)
    assert again.json()["type"] == "/problems/conflict"
    # Case and blanks do not make a new reference.
    shouted = await api.post("/v1/orders", {**body, "reference": f" {body['reference'].lower()} "})
    assert shouted.status_code == 409
    other = await api.post("/v1/orders", {**body, "customer_id": other_customer_id})
    assert other.status_code == 201, other.text
