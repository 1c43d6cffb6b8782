"""Reference data the domain checks values against: regions, currencies,
Incoterms, payment methods, and money rounding.

Pure Python on purpose (no FastAPI/pydantic here): the aggregates and the
projections both use it, and it must stay cheap to import and to test.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

import pycountry
from iso4217 import Currency

REGIONS: tuple[str, ...] = (
    "Europe",
    "North America",
    "South America",
    "Middle East",
    "Asia",
    "Africa",
    "Oceania",
)

# Every assigned ISO 3166-1 alpha-2 code, once. Continents follow the UN M49
# scheme, with the trade-usage "Middle East" carved out of Asia/Europe, and
# these choices where M49 and sales territories disagree:
# - Middle East: Gulf states, Levant, Iraq, Iran, Yemen, Oman, Turkey (TR) and
#   Cyprus (CY); Egypt (EG) stays in Africa.
# - Central America and the Caribbean count as North America; so do
#   Greenland (GL), Bermuda (BM) and Saint Pierre and Miquelon (PM).
# - Russia (RU) counts as Europe (its trade goes through European ports);
#   the Caucasus (AM AZ GE) and Kazakhstan (KZ) count as Asia.
# - British Indian Ocean Territory (IO): M49 says Africa, but it lies south of
#   the Maldives, so Asia.
# - Australia's Indian Ocean islands (CX CC) and Heard/McDonald (HM) go with
#   Australia (Oceania); US Minor Outlying Islands (UM) are mostly Pacific.
# - Bouvet Island (BV) and South Georgia (GS): South America (M49).
# - French Southern Territories (TF), Saint Helena (SH): Africa (M49).
# - Antarctica (AQ) has no M49 region; most stations are supplied from
#   Australia/New Zealand, so Oceania.
_REGION_CODES: dict[str, frozenset[str]] = {
    "Europe": frozenset(
        "AD AL AT AX BA BE BG BY CH CZ DE DK EE ES FI FO FR GB GG GI GR HR HU IE"
        " IM IS IT JE LI LT LU LV MC MD ME MK MT NL NO PL PT RO RS RU SE SI SJ SK"
        " SM UA VA".split()
    ),
    "North America": frozenset(
        "AG AI AW BB BL BM BQ BS BZ CA CR CU CW DM DO GD GL GP GT HN HT JM KN KY"
        " LC MF MQ MS MX NI PA PM PR SV SX TC TT US VC VG VI".split()
    ),
    "South America": frozenset(
        "AR BO BR BV CL CO EC FK GF GS GY PE PY SR UY VE".split()
    ),
    "Middle East": frozenset(
        "AE BH CY IL IQ IR JO KW LB OM PS QA SA SY TR YE".split()
    ),
    "Asia": frozenset(
        "AF AM AZ BD BN BT CN GE HK ID IN IO JP KG KH KP KR KZ LA LK MM MN MO MV"
        " MY NP PH PK SG TH TJ TL TM TW UZ VN".split()
    ),
    "Africa": frozenset(
        "AO BF BI BJ BW CD CF CG CI CM CV DJ DZ EG EH ER ET GA GH GM GN GQ GW KE"
        " KM LR LS LY MA MG ML MR MU MW MZ NA NE NG RE RW SC SD SH SL SN SO SS ST"
        " SZ TD TF TG TN TZ UG YT ZA ZM ZW".split()
    ),
    "Oceania": frozenset(
        "AQ AS AU CC CK CX FJ FM GU HM KI MH MP NC NF NR NU NZ PF PG PN PW SB TK"
        " TO TV UM VU WF WS".split()
    ),
}
_REGION_BY_CODE: dict[str, str] = {
    code: region for region, codes in _REGION_CODES.items() for code in codes
}


def region_of(country: str) -> str | None:
    """The sales region of an ISO 3166-1 alpha-2 code ("NG" -> "Africa").

    Exact upper-case only: pycountry's lookup is case-insensitive, but the
    events store codes verbatim and "ng" must not become a second spelling.
    """
    if not isinstance(country, str) or len(country) != 2 or not country.isupper():
        return None
    if pycountry.countries.get(alpha_2=country) is None:
        return None  # e.g. "XK" (Kosovo) is user-assigned, not ISO-assigned
    return _REGION_BY_CODE.get(country)


def currency_minor_units(code: str) -> int | None:
    """ISO 4217 minor units (USD 2, JPY 0, KWD 3); None for an unknown code
    or one without minor units (XAU, XDR...: "N.A." in the standard)."""
    if not isinstance(code, str):
        return None
    try:
        exponent = Currency(code).exponent  # enum lookup: exact upper-case
    except ValueError:
        return None
    return exponent


INCOTERMS_2020: frozenset[str] = frozenset(
    "EXW FCA CPT CIP DAP DPU DDP FAS FOB CFR CIF".split()
)

PAYMENT_METHODS: frozenset[str] = frozenset(
    "CASH TT LC DP DA MONEYGRAM WESTERN_UNION PAYPAL CREDIT_CARD CHEQUE".split()
)
# The only methods accepted above the large-amount threshold (G3).
SAFE_LARGE_AMOUNT_METHODS: frozenset[str] = frozenset({"CASH", "TT", "LC"})


def _exponent(currency: str) -> Decimal:
    minor = currency_minor_units(currency)
    if minor is None:
        raise ValueError(f"{currency!r} is not an ISO 4217 currency with minor units")
    return Decimal(1).scaleb(-minor)  # 2 -> Decimal("0.01"), 0 -> Decimal("1")


def quantize_money(amount: Decimal, currency: str) -> Decimal:
    """Round to the currency's minor units, halves away from zero
    (commercial rounding: 0.125 USD -> 0.13). ValueError for an unknown
    currency or an amount that is not a finite number."""
    if not amount.is_finite():
        raise ValueError(f"{amount} is not a finite amount")
    try:
        return amount.quantize(_exponent(currency), rounding=ROUND_HALF_UP)
    except InvalidOperation as exc:  # more digits than the decimal context holds
        raise ValueError(f"{amount} is too large to be an amount") from exc


def has_valid_minor_units(amount: Decimal, currency: str) -> bool:
    """True when ``amount`` needs no rounding in ``currency``.

    Compares values, not spelling: "12.500" USD is fine (it is 12.50), while
    "12.505" USD and "100.5" JPY are not. False for an unknown currency and
    for NaN/Infinity.
    """
    if currency_minor_units(currency) is None or not amount.is_finite():
        return False
    try:
        return amount.quantize(_exponent(currency)) == amount
    except InvalidOperation:
        return False
