"""Who is calling: bearer tokens (JWT) turned into a ``Principal``.

Two modes, chosen by the settings (SPEC.md §2 for the roles):

- production: an external identity provider signs tokens with its private
  key; we verify them with ``GENDAN_JWT_PUBLIC_KEY[_FILE]`` (asymmetric
  algorithms only, so a public key can never be used as an HMAC secret).
- embedded: HS256 with ``GENDAN_JWT_SECRET``, or a random secret made once
  under ``var/``; ``gendan token`` issues tokens with ``issue_token``.

The HTTP errors (``Unauthorized``, ``Forbidden``) are plain exceptions here;
``app.api.errors`` turns them into problem+json.
"""

from __future__ import annotations

import os
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Callable

import jwt
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from cryptography.hazmat.primitives.serialization import load_pem_public_key
from fastapi import Depends, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer

from app.config import Settings
from app.domain import roles

# SPEC.md §2, defined once in the domain (the gates check the same sets).
ROLES, STAFF_ROLES = roles.ROLES, roles.STAFF

SECRET_FILE_NAME = "jwt-secret"
# RFC 7518 §3.2: an HS256 key must be at least as long as the hash (256 bits).
MIN_SECRET_BYTES = 32
# Clock skew tolerated between the identity provider and this host.
LEEWAY_SECONDS = 30
# Verified tokens remembered per process (TokenVerifier.verify): ~300 bytes each.
VERIFIED_TOKENS_KEPT = 4096
# Algorithms that need a public key; anything else (HS*, "none") is refused in
# production mode to rule out algorithm-confusion attacks.
_ASYMMETRIC = frozenset(
    "RS256 RS384 RS512 PS256 PS384 PS512 ES256 ES256K ES384 ES512 EdDSA".split()
)
# Which algorithms each key type can verify. The default setting lists RS256,
# ES256 and EdDSA; only those that fit the configured key are kept, so a token
# whose header names another family is refused as "algorithm not allowed".
_EC_CURVE_ALGORITHMS = {
    "secp256r1": "ES256",
    "secp256k1": "ES256K",
    "secp384r1": "ES384",
    "secp521r1": "ES512",
}


# What a refused token is told: one fixed sentence per kind of refusal, never
# PyJWT's own text (which names its parser's internals). Subclasses first:
# InvalidSignatureError is a DecodeError.
_REFUSALS: tuple[tuple[type[Exception], str], ...] = (
    (jwt.ExpiredSignatureError, "the token has expired"),
    (jwt.InvalidSignatureError, "the token signature is not valid"),
    (jwt.InvalidAlgorithmError, "the token's algorithm is not allowed"),
    (jwt.InvalidAudienceError, "the token's audience is not this service"),
    (jwt.InvalidIssuerError, "the token's issuer is not trusted"),
    (jwt.ImmatureSignatureError, "the token is not valid yet"),
    (jwt.InvalidIssuedAtError, "the token's issue time (iat) is not valid"),
    (jwt.exceptions.InvalidSubjectError, "the token's subject (sub) is not valid"),
    (jwt.DecodeError, "the token is not a well-formed JWT"),
)
# The claims a token may lack: the verifier's required ones and those the
# issuer and audience settings require.
_CLAIMS = ("exp", "sub", "iss", "aud")


def _refusal(exc: jwt.PyJWTError) -> str:
    if isinstance(exc, jwt.MissingRequiredClaimError):
        claim = exc.claim if exc.claim in _CLAIMS else "a required"
        return f"the token lacks the {claim} claim"
    for kind, sentence in _REFUSALS:
        if isinstance(exc, kind):
            return sentence
    return "the token is not valid"


def _fits(key: Any, algorithm: str) -> bool:
    if isinstance(key, rsa.RSAPublicKey):
        return algorithm[:2] in ("RS", "PS")
    if isinstance(key, ec.EllipticCurvePublicKey):
        return _EC_CURVE_ALGORITHMS.get(key.curve.name) == algorithm
    if isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
        return algorithm == "EdDSA"
    return False


@dataclass(frozen=True)
class Principal:
    sub: str
    role: str
    supplier_id: str | None


class AuthError(Exception):
    """A token we do not accept; ``detail`` says why (safe to show)."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class Unauthorized(Exception):
    """401: no credentials, or credentials we refuse.

    ``invalid_token`` adds ``error="invalid_token"`` to WWW-Authenticate
    (RFC 6750 §3.1); a request without a token gets no error code.
    """

    def __init__(self, detail: str, *, invalid_token: bool = False):
        super().__init__(detail)
        self.detail = detail
        self.invalid_token = invalid_token


class Forbidden(Exception):
    """403: a known caller whose role may not do this."""

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


def is_production_mode(settings: Settings) -> bool:
    return bool(settings.jwt_public_key or settings.jwt_public_key_file)


def embedded_secret(settings: Settings) -> str:
    """The HS256 secret: ``jwt_secret``, else the one stored under var_dir.

    The stored secret is created once. It is written to a private temporary
    file (O_CREAT|O_EXCL, 0600) and then hard-linked to its final name: the
    link either fails because another process won the race (we then read
    theirs) or publishes a complete file, so no reader sees it half written.
    """
    if settings.jwt_secret:
        if len(settings.jwt_secret.encode()) < MIN_SECRET_BYTES:
            raise ValueError(f"GENDAN_JWT_SECRET must be at least {MIN_SECRET_BYTES} bytes")
        return settings.jwt_secret
    var_dir = Path(settings.var_dir)
    var_dir.mkdir(parents=True, exist_ok=True)
    path = var_dir / SECRET_FILE_NAME
    if not path.exists():
        _create_secret_file(path)
    secret = path.read_text(encoding="ascii").strip()
    if len(secret) < MIN_SECRET_BYTES:
        raise RuntimeError(f"{path} is empty or too short; delete it to make a new secret")
    return secret


def _create_secret_file(path: Path) -> None:
    tmp = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_urlsafe(48) + "\n")
            f.flush()
            os.fsync(f.fileno())
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass  # another process created it first: use theirs
    finally:
        tmp.unlink(missing_ok=True)


def _load_public_key(settings: Settings) -> Any:
    if settings.jwt_public_key:
        pem = settings.jwt_public_key
        # Environment variables often carry the PEM with literal "\n".
        if "\\n" in pem and "\n" not in pem:
            pem = pem.replace("\\n", "\n")
    else:
        assert settings.jwt_public_key_file is not None
        pem = Path(settings.jwt_public_key_file).read_text(encoding="ascii")
    try:
        return load_pem_public_key(pem.encode("ascii"))
    except ValueError as exc:
        raise ValueError(f"the JWT public key is not a PEM public key: {exc}") from exc


class TokenVerifier:
    """Checks a bearer token and returns its Principal (``verify``).

    Built once at start-up; a misconfiguration raises ValueError then, not at
    the first request.
    """

    def __init__(self, settings: Settings):
        self.production = is_production_mode(settings)
        self.max_lifetime = max_lifetime_seconds(settings)
        self.issuer = settings.jwt_issuer
        self.audience = settings.jwt_audience
        if self.production:
            refused = [a for a in settings.jwt_algorithms if a not in _ASYMMETRIC]
            if refused or not settings.jwt_algorithms:
                raise ValueError(
                    f"GENDAN_JWT_ALGORITHMS must list asymmetric algorithms only, got {refused}"
                )
            self.key: Any = _load_public_key(settings)
            self.algorithms = [a for a in settings.jwt_algorithms if _fits(self.key, a)]
            if not self.algorithms:
                raise ValueError(
                    f"none of GENDAN_JWT_ALGORITHMS {settings.jwt_algorithms} fits the "
                    f"{type(self.key).__name__} public key"
                )
        else:
            self.key = embedded_secret(settings)
            self.algorithms = ["HS256"]
        # token -> (its Principal, its exp) for tokens that passed every check
        self._verified: dict[str, tuple[Principal, int]] = {}

    def verify(self, token: str) -> Principal:
        """The token's Principal. A token that verified once is not checked
        again while it lives: clients send the same bearer token with every
        request, and its signature, claims and lifetime checks cost more
        than the rest of the request's authentication (issue 14). Only its
        expiry changes with time (a token valid once stays so until ``exp``:
        ``nbf``, ``iat`` and the lifetime only ever get easier to meet), so
        that is checked on every use, as PyJWT does, with the same leeway;
        an expired one takes the full check again, which refuses it."""
        known = self._verified.get(token)
        if known is not None and known[1] > time.time() - LEEWAY_SECONDS:
            return known[0]
        principal, expires = self._verify(token)
        if len(self._verified) >= VERIFIED_TOKENS_KEPT:
            self._verified.clear()  # bounded: a flood of new tokens costs a re-check each
        self._verified[token] = (principal, expires)
        return principal

    def _verify(self, token: str) -> tuple[Principal, int]:
        try:
            claims = jwt.decode(
                token,
                self.key,
                algorithms=self.algorithms,
                issuer=self.issuer,
                audience=self.audience,
                leeway=LEEWAY_SECONDS,
                options={
                    "require": ["exp", "sub"],
                    # Without a configured audience a token's `aud` is not ours
                    # to judge (PyJWT would otherwise refuse any token with one).
                    "verify_aud": self.audience is not None,
                },
            )
        except jwt.PyJWTError as exc:
            raise AuthError(_refusal(exc)) from exc
        except (TypeError, ValueError) as exc:
            # Malformed input PyJWT does not wrap; never a 500 for a bad token.
            raise AuthError("the token is not valid") from exc
        self._check_lifetime(claims)
        return _principal(claims), int(claims["exp"])

    def _check_lifetime(self, claims: dict[str, Any]) -> None:
        """exp - iat (exp - now without iat) within ``token_max_ttl_hours``:
        a token that would stay valid for months is refused even though its
        signature is good. PyJWT has checked that both are integers."""
        issued = claims.get("iat")
        start = int(issued) if issued is not None else time.time()
        if int(claims["exp"]) - start > self.max_lifetime:
            raise AuthError(f"the token lives longer than the "
                            f"{_hours(self.max_lifetime)} this service accepts")


def max_lifetime_seconds(settings: Settings) -> int:
    """The longest a token may be valid (exp - iat), for every role."""
    return int(settings.token_max_ttl_hours * 3600)


def _hours(seconds: int) -> str:
    return f"{seconds / 3600:g} h"


def _principal(claims: dict[str, Any]) -> Principal:
    sub, role, supplier_id = claims.get("sub"), claims.get("role"), claims.get("supplier_id")
    if not isinstance(sub, str) or not sub:
        raise AuthError("the token has no subject")
    if role not in ROLES:
        raise AuthError(f"the token's role must be one of {', '.join(ROLES)}")
    if role == "supplier":
        if not isinstance(supplier_id, str) or not supplier_id:
            raise AuthError("a supplier token must carry supplier_id")
        return Principal(sub=sub, role=role, supplier_id=supplier_id)
    # supplier_id only scopes suppliers; on a staff token it means nothing.
    return Principal(sub=sub, role=role, supplier_id=None)


def issue_token(
    settings: Settings,
    sub: str,
    role: str,
    supplier_id: str | None = None,
    ttl: int = 3600,
) -> str:
    """An HS256 token for embedded mode (``gendan token``)."""
    if is_production_mode(settings):
        raise ValueError("tokens come from the identity provider when a public key is set")
    if not sub:
        raise ValueError("sub must not be empty")
    if role not in ROLES:
        raise ValueError(f"role must be one of {', '.join(ROLES)}")
    if role == "supplier" and not supplier_id:
        raise ValueError("a supplier token needs supplier_id")
    if ttl <= 0:
        raise ValueError("ttl must be positive")
    if ttl > max_lifetime_seconds(settings):
        raise ValueError(f"ttl {ttl} s is longer than the {_hours(max_lifetime_seconds(settings))}"
                         f" a token may live (GENDAN_TOKEN_MAX_TTL_HOURS)")
    now = int(time.time())
    claims: dict[str, Any] = {"sub": sub, "role": role, "iat": now, "exp": now + ttl}
    if supplier_id is not None:
        claims["supplier_id"] = supplier_id
    # Embedded tokens carry iss/aud when configured, so the verifier's checks
    # (which apply in both modes) accept them.
    if settings.jwt_issuer:
        claims["iss"] = settings.jwt_issuer
    if settings.jwt_audience:
        claims["aud"] = settings.jwt_audience
    return jwt.encode(claims, embedded_secret(settings), algorithm="HS256")


# auto_error=False: FastAPI's own answer would not be problem+json; we only
# use HTTPBearer so that OpenAPI documents the bearer security scheme.
_bearer = HTTPBearer(auto_error=False, description="JWT: `Authorization: Bearer <token>`")


# The dependencies below are ``async``: FastAPI runs a plain ``def``
# dependency in the threadpool, a trip per dependency per request, and what
# they do (a signature check of a few tens of microseconds, a set lookup)
# costs less than the trip.
async def get_principal(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)] = None,
) -> Principal:
    """FastAPI dependency: the authenticated caller, or 401."""
    if credentials is None:
        raise Unauthorized("a bearer token is required")
    verifier: TokenVerifier | None = getattr(request.app.state, "verifier", None)
    if verifier is None:
        raise RuntimeError("app.state.verifier is not set")
    try:
        return verifier.verify(credentials.credentials)
    except AuthError as exc:
        raise Unauthorized(exc.detail, invalid_token=True) from exc


def require_roles(*roles: str) -> Callable[..., Principal]:
    """A dependency giving the Principal when its role is one of ``roles``.

    ``Annotated[Principal, Depends(require_roles("manager", "supervisor"))]``
    """
    # Checked at import time, so a typo fails start-up rather than a request.
    check = role_check(*roles)

    async def dependency(principal: Annotated[Principal, Depends(get_principal)]) -> Principal:
        return check(principal)

    dependency.__name__ = f"require_{'_'.join(roles)}"
    return dependency


def role_check(*roles: str) -> Callable[[Principal], Principal]:
    """The Principal when its role is one of ``roles``, else Forbidden."""
    if not roles:
        raise ValueError("require_roles needs at least one role")
    unknown = set(roles) - set(ROLES)
    if unknown:
        raise ValueError(f"unknown roles {sorted(unknown)}")
    allowed = frozenset(roles)

    def check(principal: Principal) -> Principal:
        if principal.role not in allowed:
            raise Forbidden(
                f"role {principal.role!r} may not do this (allowed: {', '.join(roles)})"
            )
        return principal

    return check
