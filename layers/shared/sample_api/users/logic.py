"""The users rules: who may do what, what a new or changed user looks like. No HTTP, no boto3.

Each function takes the repository it works on, so tests and handlers pass the same kind of
object (the handlers pass :func:`sample_api.users.repository.get_user_repository`'s).
"""

import uuid
from collections.abc import Callable
from datetime import UTC, datetime

from sample_api.identity import Caller
from sample_api.observability import logger, metrics
from sample_api.users.errors import EmailTaken, NotAdmin, UserNotFound
from sample_api.users.models import CreateUser, CreateUserV2, UpdateUser, User, UserPage, UserV2
from sample_api.users.ports import UserRepository

Clock = Callable[[], datetime]


def utc_now() -> datetime:
    return datetime.now(UTC)


def create_user(request: CreateUser, repository: UserRepository, clock: Clock = utc_now) -> User:
    """A new user with a fresh id; :class:`EmailTaken` if another user has the email."""
    now = clock()
    user = User(
        id=str(uuid.uuid4()),
        name=request.name,
        email=request.email,
        created_at=now,
        updated_at=now,
    )
    try:
        repository.create(user)
    except EmailTaken:
        metrics.add_metric(name="DuplicateEmailRefused", unit="Count", value=1)
        raise
    metrics.add_metric(name="UserCreated", unit="Count", value=1)
    logger.info("user created", extra={"user_id": user.id})
    return user


def create_user_v2(
    request: CreateUserV2, repository: UserRepository, clock: Clock = utc_now
) -> UserV2:
    """The v1 create under the v2 shape: the same user, the same uniqueness of emails."""
    return UserV2.from_user(create_user(request.as_v1(), repository, clock))


def get_user(user_id: str, repository: UserRepository) -> User:
    user = repository.get(user_id)
    if user is None:
        raise UserNotFound
    return user


def get_user_v2(user_id: str, repository: UserRepository) -> UserV2:
    return UserV2.from_user(get_user(user_id, repository))


def update_user(
    user_id: str, changes: UpdateUser, repository: UserRepository, clock: Clock = utc_now
) -> User:
    """The user with ``changes`` applied; never brings a deleted user back."""
    current = get_user(user_id, repository)
    changed = current.model_copy(
        update={**changes.model_dump(exclude_unset=True), "updated_at": clock()}
    )
    try:
        repository.replace(current, changed)
    except EmailTaken:
        metrics.add_metric(name="DuplicateEmailRefused", unit="Count", value=1)
        raise
    metrics.add_metric(name="UserUpdated", unit="Count", value=1)
    changed_fields = sorted(changes.model_fields_set)
    logger.info("user updated", extra={"user_id": user_id, "fields": changed_fields})
    return changed


def delete_user(user_id: str, caller: Caller, repository: UserRepository) -> None:
    """Admins only."""
    require_admin(caller)
    repository.delete(get_user(user_id, repository))
    metrics.add_metric(name="UserDeleted", unit="Count", value=1)
    logger.info("user deleted", extra={"user_id": user_id})


def list_users(
    caller: Caller, limit: int, next_token: str | None, repository: UserRepository
) -> UserPage:
    """Admins only; one page, oldest users first."""
    require_admin(caller)
    return repository.list_page(limit, next_token)


def require_admin(caller: Caller) -> None:
    if not caller.is_admin:
        raise NotAdmin
