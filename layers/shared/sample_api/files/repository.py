"""The files table: one item per (owner, name), written by the upload processor.

Items are keyed by the owner's Cognito ``sub`` (partition) and the file name (sort key), so a
user's files are one Query, by name, and nothing of another user is ever in it.
"""

import base64
import binascii
import json
from functools import cache
from typing import TYPE_CHECKING, Any

from sample_api import aws
from sample_api.files.errors import InvalidPageToken
from sample_api.files.models import FilePage, FileRecord
from sample_api.settings import get_settings

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef

MAX_NAME_LENGTH = 255


class FileRecordRepository:
    """The :class:`~sample_api.files.ports.FileRecords` of one DynamoDB table."""

    def __init__(self, table_name: str, client: "DynamoDBClient") -> None:
        self.table_name = table_name
        self.client = client

    def put(self, owner: str, record: FileRecord) -> None:
        """Records the file, replacing the record of an earlier upload of the same name."""
        self.client.put_item(TableName=self.table_name, Item=_item(owner, record))

    def list_page(self, owner: str, limit: int, next_token: str | None) -> FilePage:
        query: dict[str, Any] = {
            "TableName": self.table_name,
            "KeyConditionExpression": "#owner = :owner",
            "ExpressionAttributeNames": {"#owner": "owner"},
            "ExpressionAttributeValues": {":owner": {"S": owner}},
            # One more than asked tells whether another page exists, without an empty last page.
            "Limit": limit + 1,
        }
        if next_token is not None:
            query["ExclusiveStartKey"] = {
                "owner": {"S": owner},
                "name": {"S": name_from_token(next_token)},
            }
        items = self.client.query(**query).get("Items", [])
        records = [_record(item) for item in items[:limit]]
        more = len(items) > limit
        return FilePage(items=records, next_token=token_after(records[-1].name) if more else None)


def token_after(name: str) -> str:
    """An opaque token naming the last file of a page (its name, nothing else)."""
    raw = json.dumps({"name": name}, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def name_from_token(token: str) -> str:
    """The name a token names; the owner always comes from the caller, never from the token."""
    try:
        padded = token + "=" * (-len(token) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidPageToken from None
    if not isinstance(position, dict) or set(position) != {"name"}:
        raise InvalidPageToken
    name = position["name"]
    if not isinstance(name, str) or not 0 < len(name) <= MAX_NAME_LENGTH:
        raise InvalidPageToken
    return name


def _item(owner: str, record: FileRecord) -> dict[str, "AttributeValueTypeDef"]:
    return {
        "owner": {"S": owner},
        "name": {"S": record.name},
        "size": {"N": str(record.size)},
        "sha256": {"S": record.sha256},
        "contentType": {"S": record.contentType},
        "status": {"S": record.status},
        "createdAt": {"S": record.createdAt},
    }


def _record(item: dict[str, Any]) -> FileRecord:
    return FileRecord(
        name=item["name"]["S"],
        size=int(item["size"]["N"]),
        sha256=item["sha256"]["S"],
        contentType=item["contentType"]["S"],
        status=item["status"]["S"],
        createdAt=item["createdAt"]["S"],
    )


@cache
def get_file_records() -> FileRecordRepository:
    """The repository for this function's ``TABLE_NAME``, made once per execution environment."""
    return FileRecordRepository(get_settings().require("table_name"), aws.dynamodb())
