"""What can go wrong with a user's files, as the API answers it."""

from sample_api.errors import BadRequest, NotFound


class InvalidFileName(BadRequest):
    code = "INVALID_FILE_NAME"


class FileNotFound(NotFound):
    pass


class InvalidPageToken(BadRequest):
    code = "INVALID_PAGE_TOKEN"

    def __init__(self) -> None:
        super().__init__("next_token is not one this API gave out.")
