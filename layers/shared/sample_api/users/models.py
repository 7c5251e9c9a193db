"""The users API bodies (docs/contract.md, "Bodies"), as pydantic models.

The create and update models are the one source of the request models API Gateway checks
first: `make models` renders them into api/openapi.yaml (``createuser``, ``updateuser``).
"""

from datetime import UTC, datetime
from typing import Annotated, Self

from pydantic import BaseModel, ConfigDict, Field, PlainSerializer, model_validator
from pydantic.json_schema import SkipJsonSchema

NAME_MAX_LENGTH = 100
EMAIL_MAX_LENGTH = 254
# Deliberately loose (one "@", a dot in the domain, no spaces): the mailbox is proven by the
# Cognito sign-up, not by a regex.
EMAIL_PATTERN = r"^[^@\s]+@[^@\s]+\.[^@\s]+$"
# At least one character that is not whitespace.
NAME_PATTERN = r"\S"

Name = Annotated[str, Field(min_length=1, max_length=NAME_MAX_LENGTH, pattern=NAME_PATTERN)]
Email = Annotated[str, Field(max_length=EMAIL_MAX_LENGTH, pattern=EMAIL_PATTERN)]


def format_timestamp(moment: datetime) -> str:
    """ISO-8601 in UTC with microseconds and a "Z": fixed width, so text order is time order."""
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


Timestamp = Annotated[datetime, PlainSerializer(format_timestamp, return_type=str)]


class CreateUser(BaseModel):
    """``POST /v1/users`` body: a name and an email, nothing else."""

    model_config = ConfigDict(extra="forbid", strict=True)

    name: Name
    email: Email


class CreateUserV2(BaseModel):
    """``POST /v2/users`` input, as the request template maps the v1 body: the name in two parts.

    Stored as the v1 name (``first last``, or ``first`` alone when there is no last name), so
    ``UserV2.from_user`` splits it back into the same parts.
    """

    model_config = ConfigDict(extra="forbid", strict=True, populate_by_name=True)

    first_name: str = Field(alias="firstName", max_length=NAME_MAX_LENGTH)
    last_name: str = Field(alias="lastName", max_length=NAME_MAX_LENGTH)
    email: Email

    @model_validator(mode="after")
    def makes_a_valid_name(self) -> Self:
        self.as_v1()  # the combined name follows the v1 rules (length, not blank)
        return self

    def as_v1(self) -> CreateUser:
        name = f"{self.first_name} {self.last_name}" if self.last_name else self.first_name
        return CreateUser(name=name, email=self.email)


class CreateUserV2Event(BaseModel):
    """What the ``POST /v2/users`` integration request template sends the function."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    user: CreateUserV2
    caller: str = Field(min_length=1)
    idempotency_key: str = Field(alias="idempotencyKey")
    request_id: str = Field(alias="requestId")


class UpdateUser(BaseModel):
    """``PUT /v1/users/{id}`` body: the fields to change, at least one, never null."""

    # minProperties tells the gateway what ``changes_something`` checks here.
    model_config = ConfigDict(extra="forbid", strict=True, json_schema_extra={"minProperties": 1})

    # None stands for "left out" only: a null in the body is refused (``changes_something``),
    # so the gateway's schema has no null either.
    name: Name | SkipJsonSchema[None] = None
    email: Email | SkipJsonSchema[None] = None

    @model_validator(mode="after")
    def changes_something(self) -> Self:
        if not self.model_fields_set:
            raise ValueError("give at least one of name, email")
        for field in self.model_fields_set:
            if getattr(self, field) is None:
                raise ValueError(f"{field} may be left out but not null")
        return self


class User(BaseModel):
    """A user as ``/v1`` returns it."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    id: str
    name: str
    email: str
    created_at: Timestamp = Field(alias="createdAt")
    updated_at: Timestamp = Field(alias="updatedAt")

    def to_json(self) -> dict[str, str]:
        return self.model_dump(mode="json", by_alias=True)


class UserV2(BaseModel):
    """A user as ``/v2`` returns it: the v1 name split at its first space."""

    model_config = ConfigDict(populate_by_name=True, frozen=True)

    id: str
    first_name: str = Field(alias="firstName")
    last_name: str = Field(alias="lastName")
    email: str
    created_at: Timestamp = Field(alias="createdAt")

    @classmethod
    def from_user(cls, user: User) -> "UserV2":
        first, _, last = user.name.partition(" ")
        return cls(
            id=user.id,
            first_name=first,
            last_name=last,
            email=user.email,
            created_at=user.created_at,
        )

    def to_json(self) -> dict[str, str]:
        return self.model_dump(mode="json", by_alias=True)


class UserPage(BaseModel):
    """One page of ``GET /v1/users``; ``next_token`` is null on the last page."""

    items: list[User]
    next_token: str | None

    def to_json(self) -> dict[str, object]:
        return {"items": [user.to_json() for user in self.items], "next_token": self.next_token}
