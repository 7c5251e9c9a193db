"""What the user asked for, checked and spelled out in every name the files need.

``ROUTE="GET /v1/invoices/{id}"`` is one of the shapes the scaffold knows: read one item of a
collection, create one, delete one. The names (function folder, logical ids, operation id,
model names) follow the repository's own: ``get_invoice``, ``GetInvoiceFunction``,
``getInvoice``, ``Invoice``.
"""

import keyword
import re
from dataclasses import dataclass

METHODS = {"GET", "POST", "DELETE"}
AUTHS = ("cognito", "jwt")
NAME = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
PATH = re.compile(
    r"^/(?P<version>v[0-9]+)/(?P<collection>[a-z][a-z0-9-]*)(?:/\{(?P<parameter>[a-z][A-Za-z0-9]*)\})?$"
)
SCOPE = re.compile(r"^[a-z][a-z0-9-]*:[a-z][a-z0-9-]*$")
# Kind of route for each (method, whether the path ends with a parameter).
KINDS = {("GET", True): "read", ("POST", False): "create", ("DELETE", True): "delete"}
SHAPES = "GET or DELETE /v1/<items>/{<param>}, POST /v1/<items>"


class RouteError(ValueError):
    """An argument that cannot make a route; the message says what to give instead."""


@dataclass(frozen=True)
class Route:
    name: str  # get_invoice: the function's folder and module names
    method: str  # GET
    path: str  # /v1/invoices/{id}
    domain: str  # invoices: the package under the layer
    auth: str  # cognito | jwt
    scope: str  # the JWT scope that opens the route ("" for cognito)
    kind: str  # read | create | delete
    parameter: str  # id ("" for a collection route)

    @property
    def logical(self) -> str:
        """GetInvoice: the prefix of the route's logical ids."""
        return camel(self.name)

    @property
    def operation_id(self) -> str:
        logical = self.logical
        return logical[0].lower() + logical[1:]

    @property
    def collection(self) -> str:
        """/v1/invoices: the path without its parameter."""
        return self.path.split("/{")[0]

    @property
    def noun(self) -> str:
        """invoice: one item of the domain."""
        return singular(self.domain)

    @property
    def model(self) -> str:
        """Invoice: the model of one item (and of its schema in the contract)."""
        return camel(self.noun)

    @property
    def table(self) -> str:
        """InvoicesTable: the domain's table."""
        return f"{camel(self.domain)}Table"

    @property
    def handler_path(self) -> str:
        """/v1/invoices/<invoice_id>: the path as Powertools' resolver spells it."""
        return self.collection + (f"/<{self.noun}_id>" if self.parameter else "")

    @property
    def route_key(self) -> str:
        return f"{self.method} {self.path}"


def camel(snake: str) -> str:
    return "".join(word.capitalize() for word in snake.split("_"))


def singular(plural: str) -> str:
    if plural.endswith("ies"):
        return plural[:-3] + "y"
    if plural.endswith(("sses", "shes", "ches", "xes")):
        return plural[:-2]
    if plural.endswith("s") and not plural.endswith("ss"):
        return plural[:-1]
    return plural


def parse_route(
    route: str, *, name: str = "", domain: str = "", auth: str = "cognito", scope: str = ""
) -> Route:
    """The route asked for, or a RouteError saying what is wrong with it."""
    parts = route.split()
    if len(parts) != 2:
        raise RouteError(
            f'ROUTE must be "METHOD /path", e.g. "GET /v1/invoices/{{id}}": got {route!r}'
        )
    method, path = parts[0].upper(), parts[1]
    if method not in METHODS:
        raise RouteError(
            f"{method}: make route scaffolds {SHAPES}; write other routes by hand "
            '(docs/how-to/add-a-lambda-route.md, "Routes it does not scaffold")'
        )
    match = PATH.match(path)
    if match is None:
        raise RouteError(
            f"{path}: make route scaffolds {SHAPES} (lower-case collection, camelCase parameter)"
        )
    parameter = match["parameter"] or ""
    kind = KINDS.get((method, bool(parameter)))
    if kind is None:
        raise RouteError(f"{method} {path}: make route scaffolds {SHAPES}")
    domain = domain or match["collection"].replace("-", "_")
    if not NAME.match(domain) or keyword.iskeyword(domain):
        raise RouteError(f"DOMAIN={domain}: a Python package name in snake_case, e.g. invoices")
    noun = singular(domain)
    name = (
        name
        or {"read": f"get_{noun}", "create": f"create_{noun}", "delete": f"delete_{noun}"}[kind]
    )
    if not NAME.match(name) or keyword.iskeyword(name):
        raise RouteError(f"NAME={name}: a function name in snake_case, e.g. get_invoice")
    if auth not in AUTHS:
        raise RouteError(f"AUTH={auth}: one of {', '.join(AUTHS)}")
    if auth == "jwt" and not SCOPE.match(scope):
        raise RouteError(
            f"AUTH=jwt needs SCOPE=<resource>:<action> (e.g. invoices:read), got {scope!r}"
        )
    if auth == "cognito" and scope:
        raise RouteError("SCOPE= is for AUTH=jwt: Cognito users are not given scopes")
    return Route(name, method, path, domain, auth, scope, kind, parameter)
