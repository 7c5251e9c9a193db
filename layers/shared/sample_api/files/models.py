"""The upload request and the presigned URL the API answers with."""

from typing import Annotated

from pydantic import BaseModel, ConfigDict, StringConstraints

ContentType = Annotated[str, StringConstraints(max_length=255, pattern=r"^[\w.+-]+/[\w.+-]+$")]


class NewUpload(BaseModel):
    """The body of ``POST /v1/uploads``."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    name: Annotated[str, StringConstraints(min_length=1, max_length=255)]
    contentType: ContentType = "application/octet-stream"  # noqa: N815 - the contract's name


class Upload(BaseModel):
    """Where to PUT the file, the object key it becomes, and for how long the URL works."""

    url: str
    key: str
    expiresIn: int  # noqa: N815
