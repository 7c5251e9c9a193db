"""GET /v1/files/{name}: a redirect to a short-lived presigned GET URL of the caller's file."""

from typing import Any
from urllib.parse import unquote

from aws_lambda_powertools.event_handler import Response
from aws_lambda_powertools.utilities.typing import LambdaContext

from sample_api.api import JSON, build_resolver
from sample_api.files.logic import create_download
from sample_api.files.storage import get_download_signer
from sample_api.handlers import api_handler

app = build_resolver()


def get_file(name: str) -> Response[str]:
    # API Gateway passes the path segment as the client sent it, percent-encoding kept (the
    # proxy event's `path` and `pathParameters` alike); the stored key is the decoded name.
    decoded = unquote(name)
    # The Cognito authorizer verified the token; its `sub` is the only say on the prefix.
    sub = app.current_event.request_context.authorizer.claims["sub"]
    download = create_download(sub, decoded, get_download_signer())
    # 307: clients follow it with the same GET (and drop Authorization, another origin).
    return Response(
        status_code=307,
        content_type=JSON,
        body=download.model_dump_json(),
        headers={"Location": download.url, "Cache-Control": "no-store"},
    )


app.get("/v1/files/<name>")(get_file)


@api_handler("files_bucket_name")
def handler(event: dict[str, Any], context: LambdaContext) -> dict[str, Any]:
    return app.resolve(event, context)
