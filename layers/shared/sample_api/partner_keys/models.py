"""A partner's secret as Secrets Manager holds it, and the stages a version of it goes through."""

from pydantic import BaseModel, ConfigDict

# Secrets Manager's staging labels: the version in use, and the one a rotation is making.
CURRENT, PENDING = "AWSCURRENT", "AWSPENDING"


class PartnerKey(BaseModel):
    """A partner's secret: which usage plan its key belongs to, and the key (id and value)."""

    model_config = ConfigDict(frozen=True)

    partner: str
    usagePlanId: str  # noqa: N815 - the secret's field names, read by partners too
    apiKeyId: str  # noqa: N815
    apiKey: str | None = None  # noqa: N815 - absent until the first rotation
