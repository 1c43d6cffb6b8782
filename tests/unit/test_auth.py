from __future__ import annotations

import stat
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Annotated

import httpx
import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from fastapi import Depends, FastAPI

from app.api.auth import (
    _REFUSALS,
    ROLES,
    STAFF_ROLES,
    AuthError,
    Principal,
    TokenVerifier,
    issue_token,
    require_roles,
)
from app.api.errors import install_error_handlers
from app.config import Settings


@pytest.fixture(autouse=True)
def _clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    # Settings reads GENDAN_*; a developer's or CI's own values must not leak in.
    import os

    for name in list(os.environ):
        if name.startswith("GENDAN_JWT") or name == "GENDAN_VAR_DIR":
            monkeypatch.delenv(name)


def embedded(tmp_path: Path, **kw: object) -> Settings:
    return Settings(var_dir=tmp_path / "var", **kw)


def test_roles() -> None:
    assert len(ROLES) == 8
    assert set(STAFF_ROLES) == set(ROLES) - {"supplier", "bi"}


def test_embedded_secret_file_is_private_and_reused(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    token = issue_token(settings, "alice", "manager")
    secret_file = tmp_path / "var" / "jwt-secret"
    assert stat.S_IMODE(secret_file.stat().st_mode) == 0o600
    first = secret_file.read_text()
    # A second verifier (another process, a restart) reads the same secret.
    assert TokenVerifier(settings).verify(token) == Principal("alice", "manager", None)
    assert secret_file.read_text() == first
    assert [p.name for p in secret_file.parent.iterdir()] == ["jwt-secret"]


def test_embedded_secret_created_once_under_concurrency(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    with ThreadPoolExecutor(8) as pool:
        verifiers = list(pool.map(lambda _: TokenVerifier(settings), range(16)))
    assert len({v.key for v in verifiers}) == 1
    assert [p.name for p in (tmp_path / "var").iterdir()] == ["jwt-secret"]


def test_configured_secret(tmp_path: Path) -> None:
    settings = embedded(tmp_path, jwt_secret="s" * 32)
    token = issue_token(settings, "bob", "qc")
    assert jwt.decode(token, "s" * 32, algorithms=["HS256"])["role"] == "qc"
    assert TokenVerifier(settings).verify(token).role == "qc"
    assert not (tmp_path / "var" / "jwt-secret").exists()
    with pytest.raises(ValueError):
        TokenVerifier(embedded(tmp_path, jwt_secret="short"))


def test_supplier_token(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    token = issue_token(settings, "u1", "supplier", supplier_id="SUP-1")
    assert TokenVerifier(settings).verify(token) == Principal("u1", "supplier", "SUP-1")


def test_staff_token_supplier_id_is_ignored(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    token = issue_token(settings, "u1", "purchaser", supplier_id="SUP-1")
    assert TokenVerifier(settings).verify(token).supplier_id is None


def _hs(settings: Settings, claims: dict) -> str:
    from app.api.auth import embedded_secret

    return jwt.encode(claims, embedded_secret(settings), algorithm="HS256")


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        ({"sub": "a", "role": "manager", "exp": -3600}, "expired"),
        ({"sub": "a", "role": "manager"}, "exp"),
        ({"role": "manager", "exp": 60}, "sub"),
        ({"sub": "a", "role": "ceo", "exp": 60}, "role"),
        ({"sub": "a", "exp": 60}, "role"),
        ({"sub": "a", "role": "supplier", "exp": 60}, "supplier_id"),
        ({"sub": "", "role": "manager", "exp": 60}, "subject"),
    ],
)
def test_embedded_refuses_bad_claims(tmp_path: Path, claims: dict, reason: str) -> None:
    settings = embedded(tmp_path)
    if "exp" in claims:  # seconds from now, taken when the test runs, not at collection
        claims = {**claims, "exp": int(time.time()) + claims["exp"]}
    with pytest.raises(AuthError, match=reason):
        TokenVerifier(settings).verify(_hs(settings, claims))


def test_embedded_refuses_other_secret_and_garbage(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    other = issue_token(embedded(tmp_path / "other"), "a", "manager")
    verifier = TokenVerifier(settings)
    with pytest.raises(AuthError, match="signature"):
        verifier.verify(other)
    with pytest.raises(AuthError):
        verifier.verify("not-a-jwt")
    claims = {"sub": "a", "role": "manager", "exp": int(time.time()) + 60}
    unsigned = jwt.encode(claims, None, algorithm="none")
    with pytest.raises(AuthError):
        verifier.verify(unsigned)


def test_issue_token_validates(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    with pytest.raises(ValueError):
        issue_token(settings, "a", "ceo")
    with pytest.raises(ValueError):
        issue_token(settings, "a", "supplier")
    with pytest.raises(ValueError):
        issue_token(settings, "", "manager")


# --- production mode ---------------------------------------------------------


def _pem(private_key) -> str:
    return (
        private_key.public_key()
        .public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
        .decode()
    )


@pytest.fixture(scope="module")
def rsa_key():
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key():
    return ec.generate_private_key(ec.SECP256R1())


def _claims(**kw: object) -> dict:
    base = {
        "sub": "carol",
        "role": "accountant",
        "iss": "https://idp.example",
        "aud": "gendan",
        # A day: the claims are built when the tests are collected, and the
        # suite may run for many minutes before these run.
        "exp": int(time.time()) + 86_400,
    }
    base.update(kw)
    return {k: v for k, v in base.items() if v is not None}


def prod(tmp_path: Path, key, **kw: object) -> Settings:
    return Settings(
        var_dir=tmp_path / "var",
        jwt_public_key=_pem(key),
        jwt_issuer="https://idp.example",
        jwt_audience="gendan",
        **kw,
    )


def test_production_rsa(tmp_path: Path, rsa_key) -> None:
    verifier = TokenVerifier(prod(tmp_path, rsa_key))
    token = jwt.encode(_claims(), rsa_key, algorithm="RS256")
    assert verifier.verify(token) == Principal("carol", "accountant", None)
    assert not (tmp_path / "var").exists()  # no embedded secret in production


def test_production_ec_from_file(tmp_path: Path, ec_key) -> None:
    key_file = tmp_path / "idp.pem"
    key_file.write_text(_pem(ec_key))
    settings = Settings(var_dir=tmp_path / "var", jwt_public_key_file=key_file)
    token = jwt.encode(_claims(role="supplier", supplier_id="S9"), ec_key, algorithm="ES256")
    # No issuer/audience configured: neither is checked.
    assert TokenVerifier(settings).verify(token) == Principal("carol", "supplier", "S9")


def test_production_key_with_escaped_newlines(tmp_path: Path, rsa_key) -> None:
    settings = Settings(jwt_public_key=_pem(rsa_key).replace("\n", "\\n"))
    token = jwt.encode(_claims(), rsa_key, algorithm="RS256")
    assert TokenVerifier(settings).verify(token).sub == "carol"


@pytest.mark.parametrize(
    ("claims", "reason"),
    [
        (_claims(iss="https://evil.example"), "issuer"),
        (_claims(iss=None), "iss"),
        (_claims(aud="someone-else"), "(?i)audience"),
        (_claims(aud=None), "aud"),
        (_claims(exp=int(time.time()) - 120), "expired"),
        (_claims(exp=None), "exp"),
    ],
)
def test_production_refuses_bad_claims(tmp_path: Path, rsa_key, claims: dict, reason: str) -> None:
    verifier = TokenVerifier(prod(tmp_path, rsa_key))
    with pytest.raises(AuthError, match=reason):
        verifier.verify(jwt.encode(claims, rsa_key, algorithm="RS256"))


def test_production_refuses_other_key(tmp_path: Path, rsa_key, ec_key) -> None:
    verifier = TokenVerifier(prod(tmp_path, rsa_key))
    other_rsa = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    with pytest.raises(AuthError, match="signature"):
        verifier.verify(jwt.encode(_claims(), other_rsa, algorithm="RS256"))
    with pytest.raises(AuthError, match="not allowed"):
        verifier.verify(jwt.encode(_claims(), ec_key, algorithm="ES256"))


def test_production_algorithms_follow_the_key(tmp_path: Path, rsa_key, ec_key) -> None:
    assert TokenVerifier(prod(tmp_path, rsa_key)).algorithms == ["RS256"]
    assert TokenVerifier(prod(tmp_path, ec_key)).algorithms == ["ES256"]
    with pytest.raises(ValueError, match="fits"):
        TokenVerifier(prod(tmp_path, ec_key, jwt_algorithms=["RS256"]))


def test_production_refuses_hmac_tokens_and_config(tmp_path: Path, rsa_key) -> None:
    settings = prod(tmp_path, rsa_key)
    verifier = TokenVerifier(settings)
    # Algorithm confusion: an HS256 token "signed" with the public key text.
    with pytest.raises(AuthError, match="not allowed"):
        verifier.verify(_forge_hs256(_claims(), _pem(rsa_key)))
    with pytest.raises(ValueError):
        TokenVerifier(prod(tmp_path, rsa_key, jwt_algorithms=["RS256", "HS256"]))
    with pytest.raises(ValueError):
        issue_token(settings, "a", "manager")


def _forge_hs256(claims: dict, secret: str) -> str:
    import base64
    import hashlib
    import hmac
    import json

    def b64(data: bytes) -> str:
        return base64.urlsafe_b64encode(data).rstrip(b"=").decode()

    signing_input = b64(b'{"alg":"HS256","typ":"JWT"}') + "." + b64(json.dumps(claims).encode())
    sig = hmac.new(secret.encode(), signing_input.encode(), hashlib.sha256).digest()
    return signing_input + "." + b64(sig)


# --- FastAPI dependencies ----------------------------------------------------


def _app(settings: Settings) -> FastAPI:
    app = FastAPI()
    install_error_handlers(app)
    app.state.verifier = TokenVerifier(settings)

    @app.get("/managers")
    def managers(p: Annotated[Principal, Depends(require_roles("manager"))]) -> dict:
        return {"sub": p.sub, "role": p.role}

    @app.get("/staff")
    def staff(p: Annotated[Principal, Depends(require_roles(*STAFF_ROLES))]) -> dict:
        return {"sub": p.sub}

    return app


async def test_dependencies(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    app = _app(settings)
    manager = issue_token(settings, "m", "manager")
    bi = issue_token(settings, "b", "bi")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app), base_url="http://t") as c:
        r = await c.get("/managers", headers={"Authorization": f"Bearer {manager}"})
        assert r.status_code == 200 and r.json() == {"sub": "m", "role": "manager"}

        r = await c.get("/managers")
        assert r.status_code == 401
        assert r.headers["content-type"] == "application/problem+json"
        assert r.headers["www-authenticate"] == 'Bearer realm="gendan"'
        assert r.json()["type"] == "/problems/unauthorized"

        r = await c.get("/managers", headers={"Authorization": "Basic dXNlcjpwdw=="})
        assert r.status_code == 401

        r = await c.get("/managers", headers={"Authorization": "Bearer nonsense"})
        assert r.status_code == 401
        assert r.headers["www-authenticate"] == 'Bearer realm="gendan", error="invalid_token"'

        r = await c.get("/managers", headers={"Authorization": f"Bearer {bi}"})
        assert r.status_code == 403
        assert r.headers["content-type"] == "application/problem+json"
        assert r.json()["type"] == "/problems/forbidden"
        assert "bi" in r.json()["detail"]

        r = await c.get("/staff", headers={"Authorization": f"Bearer {bi}"})
        assert r.status_code == 403

        spec = (await c.get("/openapi.json")).json()
    assert spec["components"]["securitySchemes"]["HTTPBearer"]["scheme"] == "bearer"
    assert spec["paths"]["/managers"]["get"]["security"] == [{"HTTPBearer": []}]


def test_require_roles_refuses_unknown_role() -> None:
    with pytest.raises(ValueError):
        require_roles("admin")
    with pytest.raises(ValueError):
        require_roles()


# --- what a refused token is told (issue 9, item 7) --------------------------


def _b64(data: bytes) -> str:
    import base64

    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _raw(header: dict, claims: dict | bytes, signature: bytes = b"sig") -> str:
    import json

    body = claims if isinstance(claims, bytes) else json.dumps(claims).encode()
    return f"{_b64(json.dumps(header).encode())}.{_b64(body)}.{_b64(signature)}"


# The sentences a 401 may carry: ours, one per kind of refusal.
OUR_SENTENCES = {sentence for _, sentence in _REFUSALS} | {
    "the token is not valid", *(f"the token lacks the {c} claim" for c in
                                ("exp", "sub", "iss", "aud", "a required")),
}


@pytest.mark.parametrize("make", [
    lambda s: "not-a-jwt",
    lambda s: "a.b.c",
    lambda s: "...",
    lambda s: "eyJhbGciOiJIUzI1NiJ9.e30.",
    lambda s: _raw({"alg": "HS256"}, b"not json"),
    lambda s: _raw({"alg": "HS256", "kid": "\x00"}, {"sub": "a"}),
    lambda s: _raw({"alg": "none"}, {"sub": "a", "role": "manager", "exp": 9999999999}, b""),
    lambda s: _raw({"alg": "RS256"}, {"sub": "a", "role": "manager", "exp": 9999999999}),
    lambda s: _raw({"alg": "HS256"}, [1, 2]),  # claims not an object
    lambda s: _hs(s, {"sub": "a", "role": "manager", "exp": "soon"}),
    lambda s: _hs(s, {"sub": "a", "role": "manager", "exp": int(time.time()) + 60, "iat": "x"}),
    lambda s: _hs(s, {"sub": "a", "role": "manager", "exp": int(time.time()) + 60,
                      "nbf": int(time.time()) + 3600}),
    lambda s: _hs(s, {"sub": 7, "role": "manager", "exp": int(time.time()) + 60}),
    lambda s: _hs(s, {"sub": "a", "role": "manager", "exp": int(time.time()) - 3600}),
    lambda s: jwt.encode({"sub": "a", "role": "manager", "exp": int(time.time()) + 60},
                         "o" * 32, algorithm="HS256"),  # another secret
])
def test_refusals_are_our_fixed_sentences(tmp_path: Path, make) -> None:
    """Never PyJWT's own text ("Invalid header padding", "Expecting value:
    line 1 column 1", "Not enough segments"...)."""
    settings = embedded(tmp_path)
    with pytest.raises(AuthError) as refused:
        TokenVerifier(settings).verify(make(settings))
    assert refused.value.detail in OUR_SENTENCES
    cause = refused.value.__cause__
    if cause is not None and str(cause):
        assert str(cause) not in refused.value.detail


def test_refusals_name_their_kind(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    verifier = TokenVerifier(settings)
    now = int(time.time())
    cases = {
        "not-a-jwt": "the token is not a well-formed JWT",
        _hs(settings, {"sub": "a", "role": "manager", "exp": now - 3600}): "the token has expired",
        _hs(settings, {"sub": "a", "role": "manager"}): "the token lacks the exp claim",
        _hs(settings, {"sub": "a", "role": "manager", "exp": now + 60, "nbf": now + 3600}):
            "the token is not valid yet",
        issue_token(embedded(tmp_path / "other"), "a", "manager"):
            "the token signature is not valid",
    }
    for token, sentence in cases.items():
        with pytest.raises(AuthError) as refused:
            verifier.verify(token)
        assert refused.value.detail == sentence


def test_wrong_audience_and_issuer_are_fixed_sentences(tmp_path: Path, rsa_key) -> None:
    verifier = TokenVerifier(prod(tmp_path, rsa_key))
    for claims, sentence in (
        (_claims(aud="someone-else"), "the token's audience is not this service"),
        (_claims(iss="https://evil.example"), "the token's issuer is not trusted"),
        (_claims(aud=None), "the token lacks the aud claim"),
    ):
        with pytest.raises(AuthError) as refused:
            verifier.verify(jwt.encode(claims, rsa_key, algorithm="RS256"))
        assert refused.value.detail == sentence


# --- a maximum lifetime --------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "qc", "supplier", "bi"])
def test_tokens_living_longer_than_the_maximum_are_refused(tmp_path: Path, role: str) -> None:
    """24 h by default, for every role; exp - iat, or exp - now without iat."""
    settings = embedded(tmp_path)
    verifier = TokenVerifier(settings)
    now = int(time.time())
    base = {"sub": "a", "role": role, "supplier_id": "SUP-1"}
    for claims in (
        {"iat": now, "exp": now + 24 * 3600 + 1},
        {"exp": now + 25 * 3600},
        # Issued two days ago, one hour left: it was issued for 49 hours.
        {"iat": now - 48 * 3600, "exp": now + 3600},
    ):
        with pytest.raises(AuthError) as refused:
            verifier.verify(_hs(settings, {**base, **claims}))
        assert refused.value.detail == "the token lives longer than the 24 h this service accepts"
    for claims in ({"iat": now, "exp": now + 24 * 3600}, {"exp": now + 23 * 3600},
                   {"iat": now - 3600, "exp": now + 3600}):
        assert verifier.verify(_hs(settings, {**base, **claims})).role == role


def test_maximum_lifetime_is_configurable(tmp_path: Path, rsa_key) -> None:
    settings = embedded(tmp_path, token_max_ttl_hours=1)
    now = int(time.time())
    claims = {"sub": "a", "role": "manager", "iat": now, "exp": now + 2 * 3600}
    with pytest.raises(AuthError, match="longer than the 1 h"):
        TokenVerifier(settings).verify(_hs(settings, claims))
    # The identity provider's tokens are held to it too.
    verifier = TokenVerifier(prod(tmp_path, rsa_key, token_max_ttl_hours=0.5))
    with pytest.raises(AuthError, match="longer than the 0.5 h"):
        verifier.verify(jwt.encode(_claims(iat=now, exp=now + 3600), rsa_key, algorithm="RS256"))
    assert verifier.verify(jwt.encode(_claims(iat=now, exp=now + 1800), rsa_key,
                                      algorithm="RS256")).sub == "carol"
    with pytest.raises(ValueError):
        Settings(token_max_ttl_hours=0)


def test_issue_token_refuses_more_than_the_maximum(tmp_path: Path) -> None:
    settings = embedded(tmp_path)
    with pytest.raises(ValueError, match="longer than the 24 h"):
        issue_token(settings, "a", "manager", ttl=24 * 3600 + 1)
    token = issue_token(settings, "a", "bi", ttl=24 * 3600)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["exp"] - claims["iat"] == 24 * 3600
    assert TokenVerifier(settings).verify(token).role == "bi"


def test_cli_token_refuses_more_than_the_maximum(tmp_path: Path, monkeypatch, capsys) -> None:
    from app.cli import main

    monkeypatch.setenv("GENDAN_VAR_DIR", str(tmp_path / "var"))
    with pytest.raises(SystemExit) as exited:
        main(["token", "--sub", "chen", "--role", "manager", "--ttl", str(25 * 3600)])
    assert exited.value.code != 0
    message = str(exited.value.code)
    assert message.startswith("gendan token: ttl 90000 s is longer than the 24 h")
    assert "\n" not in message
    assert capsys.readouterr().out == ""  # no token printed

    main(["token", "--sub", "chen", "--role", "manager", "--ttl", str(24 * 3600)])
    monkeypatch.setenv("GENDAN_TOKEN_MAX_TTL_HOURS", "2")
    main(["token", "--sub", "chen", "--role", "manager"])  # the default 8 h, shortened
    long_token, short_token = capsys.readouterr().out.split()
    for token, ttl in ((long_token, 24 * 3600), (short_token, 2 * 3600)):
        claims = jwt.decode(token, options={"verify_signature": False})
        assert claims["exp"] - claims["iat"] == ttl
