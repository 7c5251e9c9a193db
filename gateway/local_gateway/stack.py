"""The template's stack in the local moto: its resources, API keys, usage plans and secrets.

All of them live in moto, so functions can read and rotate them while the gateway runs. A
reload keeps what exists (and its data) and adds what is new.
"""

from __future__ import annotations

from local_gateway.api_key_store import MotoApiKeys
from local_gateway.local_aws import client
from local_gateway.provisioning import LocalResources, Provisioner
from local_gateway.secrets_rotation import provision_secrets
from local_gateway.template import LoadedTemplate
from local_gateway.usage_plans import UsagePlans, load_usage_plans


def provision_stack(
    template: LoadedTemplate,
    existing: LocalResources,
    usage_plans: UsagePlans,
    *,
    endpoint_url: str,
    region: str,
) -> tuple[LocalResources, MotoApiKeys, UsagePlans]:
    """The template's resources, its key store and its usage plans (with moto's ids), given
    what the last load provisioned (`existing`, `usage_plans`)."""
    resources = Provisioner(template, endpoint_url, existing).provision()
    key_store, plans = MotoApiKeys.provision(
        client("apigateway", endpoint_url, region),
        load_usage_plans(template, usage_plans),
        template,
    )
    # Per request the key check asks moto briefly, once (api_key_store.MotoApiKeys.lookup).
    key_store.apigateway = client("apigateway", endpoint_url, region, timeout_seconds=1.0)
    provision_secrets(template, client("secretsmanager", endpoint_url, region))
    refs = template.context.resource_refs
    resources.physical_ids.update({k: refs[k] for k in resources.physical_ids if k in refs})
    return resources, key_store, plans
