"""The function's configuration, read from its environment once per execution environment."""

import os
from functools import cache

from pydantic import BaseModel, ConfigDict, Field


class MissingSetting(RuntimeError):
    """A function asked for a resource its template entry does not give it."""


class Settings(BaseModel):
    """Every environment variable the template sets, by the name the code uses.

    Resource names are optional because each function only gets the ones it uses
    (least privilege); :meth:`require` turns a missing one into a clear error.
    """

    model_config = ConfigDict(frozen=True, populate_by_name=True, extra="ignore")

    stage: str = Field("local", alias="STAGE")
    service: str = Field("sample-api", alias="POWERTOOLS_SERVICE_NAME")
    cors_allowed_origins: str = Field("", alias="CORS_ALLOWED_ORIGINS")
    table_name: str | None = Field(None, alias="TABLE_NAME")
    idempotency_table_name: str | None = Field(None, alias="IDEMPOTENCY_TABLE_NAME")
    files_bucket_name: str | None = Field(None, alias="FILES_BUCKET_NAME")
    telemetry_queue_url: str | None = Field(None, alias="TELEMETRY_QUEUE_URL")
    max_upload_bytes: int | None = Field(None, alias="MAX_UPLOAD_BYTES", gt=0)
    api_key_grace_seconds: int | None = Field(None, alias="API_KEY_GRACE_SECONDS", ge=0)
    retirement_role_arn: str | None = Field(None, alias="RETIREMENT_ROLE_ARN")

    @property
    def allowed_origins(self) -> list[str]:
        """``CORS_ALLOWED_ORIGINS`` is comma-separated, as the template parameter is."""
        return [origin.strip() for origin in self.cors_allowed_origins.split(",") if origin.strip()]

    def require(self, field: str) -> str:
        """The value of an optional setting, or a :class:`MissingSetting` naming its variable."""
        value = getattr(self, field)
        if not value:
            alias = type(self).model_fields[field].alias
            raise MissingSetting(f"environment variable {alias} is not set for this function")
        return str(value)


@cache
def get_settings() -> Settings:
    """Parse the environment on first use; later calls reuse the result (warm invocations)."""
    return Settings.model_validate(dict(os.environ))
