"""The only place that reads and writes users in DynamoDB (the ``UsersTable`` of template.yaml).

Item layout (docs/data-model.md):

- ``pk = "USER#<id>"``: the user, with ``kind = "USER"`` so it appears in the sparse
  ``UsersByCreatedAt`` index admins list from.
- ``pk = "EMAIL#<lower-cased email>"``: claims an email for ``userId``. Created, moved and
  deleted in the same transaction as its user, with conditions, so two users can never hold the
  same email, even when their requests race.
"""

import base64
import binascii
import json
import re
import uuid
from functools import cache
from typing import TYPE_CHECKING, Any

from botocore.exceptions import ClientError

from sample_api import aws
from sample_api.settings import get_settings
from sample_api.users.errors import (
    EmailTaken,
    InvalidPageToken,
    UserChangedConcurrently,
    UserNotFound,
)
from sample_api.users.models import User, UserPage, format_timestamp

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodb.type_defs import AttributeValueTypeDef, TransactWriteItemTypeDef

USER_KIND = "USER"
LIST_INDEX = "UsersByCreatedAt"
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z")


def user_key(user_id: str) -> dict[str, "AttributeValueTypeDef"]:
    return {"pk": {"S": f"USER#{user_id}"}}


def email_key(email: str) -> dict[str, "AttributeValueTypeDef"]:
    # Mailboxes are case-insensitive in practice: "Ada@x.io" and "ada@x.io" are one person.
    return {"pk": {"S": f"EMAIL#{email.lower()}"}}


class DynamoDBUserRepository:
    """The :class:`~sample_api.users.ports.UserRepository` of one DynamoDB table.

    Raises the domain errors of :mod:`sample_api.users.errors`.
    """

    def __init__(self, table_name: str, client: "DynamoDBClient") -> None:
        self.table_name = table_name
        self.client = client

    def get(self, user_id: str) -> User | None:
        if not is_user_id(user_id):
            # Not an id this API issues (and maybe longer than a DynamoDB key may be).
            return None
        answer = self.client.get_item(
            TableName=self.table_name, Key=user_key(user_id), ConsistentRead=True
        )
        item = answer.get("Item")
        return _user_from_item(item) if item else None

    def create(self, user: User) -> None:
        """Store a new user and claim its email, or raise :class:`EmailTaken`."""
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Put": {
                            "TableName": self.table_name,
                            "Item": _item_from_user(user),
                            "ConditionExpression": "attribute_not_exists(pk)",
                        }
                    },
                    self._claim_email(user),
                ]
            )
        except ClientError as error:
            if _cancellation_reasons(error)[1:2] == ["ConditionalCheckFailed"]:
                raise EmailTaken from None
            raise

    def replace(self, current: User, changed: User) -> None:
        """Write ``changed`` over ``current``, moving the email claim if the email changed.

        Conditional on the stored user still being ``current``'s email, so a deleted user is
        never written back and a racing update cannot leave an email claimed twice.
        """
        update: TransactWriteItemTypeDef = {
            "Update": {
                "TableName": self.table_name,
                "Key": user_key(current.id),
                "UpdateExpression": "SET #name = :name, email = :email, updatedAt = :updatedAt",
                "ConditionExpression": "attribute_exists(pk) AND email = :currentEmail",
                "ExpressionAttributeNames": {"#name": "name"},
                "ExpressionAttributeValues": {
                    ":name": {"S": changed.name},
                    ":email": {"S": changed.email},
                    ":updatedAt": {"S": format_timestamp(changed.updated_at)},
                    ":currentEmail": {"S": current.email},
                },
            }
        }
        items: list[TransactWriteItemTypeDef] = [update]
        if email_key(changed.email) != email_key(current.email):
            items += [self._release_email(current), self._claim_email(changed)]
        try:
            self.client.transact_write_items(TransactItems=items)
        except ClientError as error:
            reasons = _cancellation_reasons(error)
            if reasons[2:3] == ["ConditionalCheckFailed"]:
                raise EmailTaken from None
            if "ConditionalCheckFailed" in reasons:
                raise self._gone_or_changed(current.id) from None
            raise

    def delete(self, user: User) -> None:
        """Delete the user and release its email, or raise if it is gone or has changed."""
        try:
            self.client.transact_write_items(
                TransactItems=[
                    {
                        "Delete": {
                            "TableName": self.table_name,
                            "Key": user_key(user.id),
                            "ConditionExpression": "attribute_exists(pk) AND email = :email",
                            "ExpressionAttributeValues": {":email": {"S": user.email}},
                        }
                    },
                    self._release_email(user),
                ]
            )
        except ClientError as error:
            if "ConditionalCheckFailed" in _cancellation_reasons(error):
                raise self._gone_or_changed(user.id) from None
            raise

    def list_page(self, limit: int, next_token: str | None) -> UserPage:
        """Users oldest first; ``next_token`` continues after the last one of the previous page."""
        query: dict[str, Any] = {
            "TableName": self.table_name,
            "IndexName": LIST_INDEX,
            "KeyConditionExpression": "kind = :kind",
            "ExpressionAttributeValues": {":kind": {"S": USER_KIND}},
            # One more than asked tells whether another page exists, without an empty last page.
            "Limit": limit + 1,
        }
        if next_token is not None:
            query["ExclusiveStartKey"] = start_key_from_token(next_token)
        items = self.client.query(**query).get("Items", [])
        users = [_user_from_item(item) for item in items[:limit]]
        more = len(items) > limit
        return UserPage(items=users, next_token=token_after(users[-1]) if more else None)

    def _claim_email(self, user: User) -> "TransactWriteItemTypeDef":
        return {
            "Put": {
                "TableName": self.table_name,
                "Item": {**email_key(user.email), "userId": {"S": user.id}},
                "ConditionExpression": "attribute_not_exists(pk)",
            }
        }

    def _release_email(self, user: User) -> "TransactWriteItemTypeDef":
        return {
            "Delete": {
                "TableName": self.table_name,
                "Key": email_key(user.email),
                # Never release a claim that belongs to someone else.
                "ConditionExpression": "userId = :id",
                "ExpressionAttributeValues": {":id": {"S": user.id}},
            }
        }

    def _gone_or_changed(self, user_id: str) -> UserNotFound | UserChangedConcurrently:
        return UserNotFound() if self.get(user_id) is None else UserChangedConcurrently()


def token_after(user: User) -> str:
    """An opaque token naming the last user of a page (its id and creation time, nothing else)."""
    position = {"id": user.id, "createdAt": format_timestamp(user.created_at)}
    raw = json.dumps(position, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def start_key_from_token(token: str) -> dict[str, "AttributeValueTypeDef"]:
    """The index position a token names, rebuilt by us from validated parts.

    The caller never supplies key attributes or a partition: the query stays on the users
    index whatever the token says, so a forged token can only move within that list.
    """
    try:
        padded = token + "=" * (-len(token) % 4)
        position = json.loads(base64.urlsafe_b64decode(padded.encode("ascii")))
    except (ValueError, UnicodeError, binascii.Error):
        raise InvalidPageToken from None
    if not isinstance(position, dict) or set(position) != {"id", "createdAt"}:
        raise InvalidPageToken
    user_id, created_at = position["id"], position["createdAt"]
    if not (isinstance(created_at, str) and _TIMESTAMP.fullmatch(created_at)):
        raise InvalidPageToken
    if not (isinstance(user_id, str) and is_user_id(user_id)):
        raise InvalidPageToken
    return {
        **user_key(user_id),
        "kind": {"S": USER_KIND},
        "createdAt": {"S": created_at},
    }


def is_user_id(value: str) -> bool:
    """Ids are lower-case canonical UUIDs (``uuid4()``)."""
    try:
        return str(uuid.UUID(value)) == value
    except ValueError:
        return False


def _item_from_user(user: User) -> dict[str, "AttributeValueTypeDef"]:
    return {
        **user_key(user.id),
        "kind": {"S": USER_KIND},
        **{name: {"S": value} for name, value in user.to_json().items()},
    }


def _user_from_item(item: dict[str, Any]) -> User:
    return User.model_validate(
        {name: item[name]["S"] for name in ("id", "name", "email", "createdAt", "updatedAt")}
    )


def _cancellation_reasons(error: ClientError) -> list[str]:
    """Per-item reason codes of a cancelled transaction; re-raises any other error."""
    if error.response.get("Error", {}).get("Code") != "TransactionCanceledException":
        raise error
    reasons = error.response.get("CancellationReasons", [])
    return [str(reason.get("Code", "None")) for reason in reasons]


@cache
def get_user_repository() -> DynamoDBUserRepository:
    """The repository for this function's ``TABLE_NAME``, made once per execution environment."""
    return DynamoDBUserRepository(get_settings().require("table_name"), aws.dynamodb())
