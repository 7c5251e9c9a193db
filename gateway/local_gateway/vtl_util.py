"""`$util` of API Gateway's mapping templates: its six functions, with the semantics of
API Gateway's Java engine (Apache Commons Lang's JavaScript escaping, java.net.URLEncoder).
"""

from __future__ import annotations

import base64
import binascii
import json
import urllib.parse
from typing import Any

from local_gateway.vtl_values import java_string, to_vtl


class Util:
    """`$util`: the six functions API Gateway offers, with Java's semantics."""

    def escapeJavaScript(self, value: Any) -> str | None:  # noqa: N802
        """Escape with JavaScript string rules (Apache Commons Lang `escapeJavaScript`).

        As the AWS docs warn, a single quote becomes `\\'`, which is not valid JSON.
        """
        if value is None:
            return None
        return escape_javascript(value if isinstance(value, str) else java_string(value))

    def parseJson(self, text: str | None) -> Any:  # noqa: N802
        return None if text is None else to_vtl(json.loads(text))

    # On a null argument each function gives null, which renders as nothing (as recorded:
    # `EncodedBodyAccess=$util.urlEncode($input.body.testAccess)` sends `EncodedBodyAccess=`).

    def urlEncode(self, text: Any) -> str | None:  # noqa: N802
        if text is None:
            return None
        # java.net.URLEncoder: letters, digits and ".-*_" stay; a space becomes "+".
        return urllib.parse.quote_plus(java_string(text), safe="*").replace("~", "%7E")

    def urlDecode(self, text: Any) -> str | None:  # noqa: N802
        return None if text is None else urllib.parse.unquote_plus(java_string(text))

    def base64Encode(self, text: Any) -> str | None:  # noqa: N802
        if text is None:
            return None
        return base64.b64encode(java_string(text).encode("utf-8")).decode("ascii")

    def base64Decode(self, text: Any) -> str | None:  # noqa: N802
        if text is None:
            return None
        try:
            decoded = base64.b64decode(java_string(text), validate=True)
        except binascii.Error as error:
            raise ValueError(f"not base64: {error}") from error
        return decoded.decode("utf-8", errors="replace")


_JAVASCRIPT_ESCAPES = {
    '"': '\\"',
    "'": "\\'",
    "\\": "\\\\",
    "/": "\\/",
    "\b": "\\b",
    "\n": "\\n",
    "\t": "\\t",
    "\f": "\\f",
    "\r": "\\r",
}


def escape_javascript(text: str) -> str:
    """Commons Lang 2 `escapeJavaScript`: quotes, backslash, slash, controls, non-ASCII \\uXXXX."""
    escaped: list[str] = []
    for char in text:
        if char in _JAVASCRIPT_ESCAPES:
            escaped.append(_JAVASCRIPT_ESCAPES[char])
        elif " " <= char <= "~":
            escaped.append(char)
        else:
            # Java strings are UTF-16: a character beyond the BMP is two escaped surrogates.
            encoded = char.encode("utf-16-be")
            for offset in range(0, len(encoded), 2):
                unit = int.from_bytes(encoded[offset : offset + 2], "big")
                escaped.append(f"\\u{unit:04X}")
    return "".join(escaped)
