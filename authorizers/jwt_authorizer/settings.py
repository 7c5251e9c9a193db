"""The authorizer's configuration, set by the template from its parameters.

Read once, when Lambda initializes the function (`app` does it at import): a missing or
malformed variable fails the init with a message naming it, not a request.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Self
from urllib.parse import urlsplit

from .policy import ScopeRoutes

REQUIRED = ("OIDC_ISSUER", "OIDC_AUDIENCE", "OIDC_JWKS_URL", "SCOPE_ROUTES")
_LOOPBACK_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


class SettingsError(ValueError):
    """The environment lacks a setting or holds one that cannot be used; the message names it."""


@dataclass(frozen=True)
class AuthorizerSettings:
    """`OIDC_ISSUER`, `OIDC_AUDIENCE`, `OIDC_JWKS_URL` and `SCOPE_ROUTES`, checked."""

    issuer: str
    audience: str
    jwks_url: str
    scope_routes: ScopeRoutes

    @classmethod
    def from_environment(cls, environ: Mapping[str, str]) -> Self:
        """Read the four variables, or raise `SettingsError` naming what is wrong."""
        missing = [name for name in REQUIRED if not environ.get(name)]
        if missing:
            raise SettingsError(f"missing settings: {', '.join(missing)}")
        jwks_url = environ["OIDC_JWKS_URL"]
        url = urlsplit(jwks_url)
        # Plain http only to this machine (the local OIDC issuer); keys must not be spoofable.
        if url.scheme != "https" and not (url.scheme == "http" and url.hostname in _LOOPBACK_HOSTS):
            raise SettingsError("OIDC_JWKS_URL must be https (or http on loopback)")
        try:
            scope_routes = ScopeRoutes.from_json(environ["SCOPE_ROUTES"])
        except (json.JSONDecodeError, ValueError) as error:
            raise SettingsError(f"SCOPE_ROUTES: {error}") from None
        return cls(
            issuer=environ["OIDC_ISSUER"],
            audience=environ["OIDC_AUDIENCE"],
            jwks_url=jwks_url,
            scope_routes=scope_routes,
        )
