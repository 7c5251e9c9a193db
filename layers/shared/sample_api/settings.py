"""The function's configuration, read from its environment once per execution environment.

Each function checks the settings it needs when Lambda initializes it
(:func:`sample_api.handlers.api_handler` and :func:`~sample_api.handlers.lambda_handler` call
:func:`require_settings` at import): a variable its template entry forgot, or one that does not
parse, fails the init with a message naming the variable, not the first request.
"""

import os
from functools import cache

from pydantic import BaseModel, ConfigDict, Field, ValidationError


class SettingsError(RuntimeError):
    """The environment lacks a variable the function needs, or holds one that does not parse."""


class MissingSetting(SettingsError):
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

    @classmethod
    def variable(cls, field: str) -> str:
        """The environment variable behind a field: ``table_name`` -> ``TABLE_NAME``."""
        return str(cls.model_fields[field].alias)

    def require(self, field: str) -> str:
        """The value of an optional setting, or a :class:`MissingSetting` naming its variable."""
        value = getattr(self, field)
        if not value:
            raise MissingSetting(
                f"environment variable {self.variable(field)} is not set for this function"
            )
        return str(value)


@cache
def get_settings() -> Settings:
    """Parse the environment on first use; later calls reuse the result (warm invocations).

    A variable that does not parse is a :class:`SettingsError` naming it (never its value).
    """
    try:
        return Settings.model_validate(dict(os.environ))
    except ValidationError as error:
        problems = "; ".join(f"{problem['loc'][0]}: {problem['msg']}" for problem in error.errors())
        raise SettingsError(f"environment variable not usable: {problems}") from None


def require_settings(*fields: str) -> Settings:
    """The settings, checked for every field a function needs; called at its init.

    Raises :class:`MissingSetting` naming every variable of ``fields`` that is unset or
    empty, or :class:`SettingsError` for one that does not parse.
    """
    unknown = [field for field in fields if field not in Settings.model_fields]
    if unknown:
        raise ValueError(f"not settings: {', '.join(unknown)}")  # a typo in the handler
    settings = get_settings()
    missing = [Settings.variable(field) for field in fields if not getattr(settings, field)]
    if missing:
        raise MissingSetting(
            f"environment variable {', '.join(missing)} is not set for this function"
        )
    return settings
