"""What the users logic needs from storage; :mod:`sample_api.users.repository` provides it."""

from typing import Protocol

from sample_api.users.models import User, UserPage


class UserRepository(Protocol):
    """Users by id, each email held by at most one of them.

    Raises :class:`~sample_api.users.errors.EmailTaken` when an email is held already, and
    :class:`~sample_api.users.errors.UserChangedConcurrently` when a user changed between a
    read and a write.
    """

    def get(self, user_id: str) -> User | None: ...

    def create(self, user: User) -> None: ...

    def replace(self, current: User, changed: User) -> None: ...

    def delete(self, user: User) -> None: ...

    def list_page(self, limit: int, next_token: str | None) -> UserPage: ...
