"""What can go wrong with users, each a category of :mod:`sample_api.errors` (so, one status)."""

from sample_api.errors import BadRequest, Conflict, Forbidden, NotFound


class UserNotFound(NotFound):
    code = "USER_NOT_FOUND"

    def __init__(self) -> None:
        super().__init__("No user has this id.")


class EmailTaken(Conflict):
    code = "EMAIL_TAKEN"

    def __init__(self) -> None:
        super().__init__("Another user already has this email address.")


class UserChangedConcurrently(Conflict):
    code = "USER_CHANGED_CONCURRENTLY"

    def __init__(self) -> None:
        super().__init__("The user changed while this request ran; read it and try again.")


class NotAdmin(Forbidden):
    code = "NOT_ADMIN"

    def __init__(self) -> None:
        super().__init__("Only members of the admins group may do this.")


class InvalidPageToken(BadRequest):
    code = "INVALID_NEXT_TOKEN"

    def __init__(self) -> None:
        super().__init__("next_token is not one this API returned; start again without it.")
