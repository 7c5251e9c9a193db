"""A local OIDC issuer: the identity provider the custom authorizer trusts when run locally.

It lives on the gateway's own port under `/_local/oidc`: discovery
(`/.well-known/openid-configuration`), its JWKS, and a token endpoint for the
client-credentials grant (any `client_id`; `sub` is the client id; `scope` as requested).
Its RSA key is kept in `.local/` (git-ignored), so tokens outlive a restart and the token
command can mint them while the gateway is down.
"""

from __future__ import annotations

import base64
import hashlib
import os
import time
import urllib.parse
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

ISSUER_PREFIX = "/_local/oidc"
TOKEN_LIFETIME_SECONDS = 3600 * 12  # a working day: make dev's session tokens outlast a session


def _signing_key(key_file: Path | None) -> rsa.RSAPrivateKey:
    """The issuer's key: read from `key_file`, or made (and saved there, owner-only)."""
    if key_file is not None and key_file.exists():
        loaded = serialization.load_pem_private_key(key_file.read_bytes(), password=None)
        if isinstance(loaded, rsa.RSAPrivateKey):
            return loaded
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    if key_file is not None:
        key_file.parent.mkdir(parents=True, exist_ok=True)
        pem = key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
        descriptor = os.open(key_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as stream:
            stream.write(pem)
    return key


@dataclass
class IssuerResponse:
    status: int
    body: dict[str, Any]


class LocalIssuer:
    def __init__(self, base_url: str, default_audience: str, key_file: Path | None = None) -> None:
        self.url = base_url.rstrip("/") + ISSUER_PREFIX
        self.default_audience = default_audience
        self._key = _signing_key(key_file)
        public = self._key.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        self._kid = hashlib.sha256(public).hexdigest()[:16]

    @property
    def token_endpoint(self) -> str:
        return f"{self.url}/token"

    @property
    def jwks_url(self) -> str:
        return f"{self.url}/.well-known/jwks.json"

    def discovery(self) -> dict[str, Any]:
        return {
            "issuer": self.url,
            "jwks_uri": self.jwks_url,
            "token_endpoint": self.token_endpoint,
            "grant_types_supported": ["client_credentials"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "none"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "response_types_supported": ["token"],
            "subject_types_supported": ["public"],
        }

    def jwks(self) -> dict[str, Any]:
        public = jwt.algorithms.RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {"keys": [{**public, "kid": self._kid, "use": "sig", "alg": "RS256"}]}

    def mint(self, subject: str, scopes: list[str], audience: str | None = None) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "sub": subject,
            "aud": audience or self.default_audience,
            "client_id": subject,
            "scope": " ".join(scopes),
            "iat": now,
            "nbf": now,
            "exp": now + TOKEN_LIFETIME_SECONDS,
            "jti": uuid.uuid4().hex,
        }
        # RFC 9068 access tokens say what they are in `typ`, so no ID token passes for one.
        headers = {"kid": self._kid, "typ": "at+jwt"}
        return jwt.encode(claims, self._key, algorithm="RS256", headers=headers)

    def handle(
        self, method: str, path: str, body: bytes, authorization: str | None = None
    ) -> IssuerResponse | None:
        """Answers a request under the issuer's prefix; None if the path is not the issuer's."""
        route = path[len(ISSUER_PREFIX) :]
        if method == "GET" and route == "/.well-known/openid-configuration":
            return IssuerResponse(200, self.discovery())
        if method == "GET" and route == "/.well-known/jwks.json":
            return IssuerResponse(200, self.jwks())
        if method == "POST" and route == "/token":
            form = dict(urllib.parse.parse_qsl(body.decode(errors="replace")))
            if form.get("grant_type") != "client_credentials":
                return IssuerResponse(400, {"error": "unsupported_grant_type"})
            client_id = form.get("client_id") or _basic_client_id(authorization)
            if not client_id:
                return IssuerResponse(400, {"error": "invalid_client"})
            scopes = form.get("scope", "").split()
            token = self.mint(client_id, scopes, form.get("audience"))
            return IssuerResponse(
                200,
                {
                    "access_token": token,
                    "token_type": "Bearer",
                    "expires_in": TOKEN_LIFETIME_SECONDS,
                    "scope": " ".join(scopes),
                },
            )
        return None


def _basic_client_id(authorization: str | None) -> str | None:
    """The client id of an HTTP Basic `Authorization` header (client_secret_basic)."""
    if not authorization or not authorization.lower().startswith("basic "):
        return None
    try:
        decoded = base64.b64decode(authorization[6:]).decode()
    except (ValueError, UnicodeDecodeError):
        return None
    return urllib.parse.unquote(decoded.partition(":")[0]) or None
