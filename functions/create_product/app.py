"""POST /v1/products: a partner adds a product (scope products:write, checked by the authorizer)."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.api import JSON, build_resolver
from sample_api.handlers import api_handler
from sample_api.products.logic import create_product
from sample_api.products.models import NewProduct
from sample_api.products.repository import get_product_repository

app = build_resolver()


def post_product(new: Annotated[NewProduct, Body()]) -> Response[str]:
    product = create_product(new, get_product_repository())
    return Response(status_code=201, content_type=JSON, body=product.model_dump_json())


app.post("/v1/products")(post_product)


@api_handler("table_name")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
