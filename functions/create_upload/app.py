"""POST /v1/uploads: a presigned POST into the caller's own prefix, bounded in size."""

from typing import Annotated, Any

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.event_handler.openapi.params import Body
from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.api import JSON, build_resolver
from sample_api.files.logic import create_upload
from sample_api.files.models import NewUpload
from sample_api.files.storage import get_upload_signer
from sample_api.handlers import api_handler
from sample_api.identity import caller_from_claims
from sample_api.settings import get_settings

app = build_resolver()


def post_upload(new: Annotated[NewUpload, Body()]) -> Response[str]:
    # The Cognito authorizer verified the token; its `sub` is the only say on the prefix.
    caller = caller_from_claims(app.current_event.request_context.authorizer.claims)
    max_bytes = int(get_settings().require("max_upload_bytes"))
    upload = create_upload(caller.sub, new, get_upload_signer(), max_bytes)
    return Response(status_code=201, content_type=JSON, body=upload.model_dump_json())


app.post("/v1/uploads")(post_upload)


@api_handler("files_bucket_name", "max_upload_bytes")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
