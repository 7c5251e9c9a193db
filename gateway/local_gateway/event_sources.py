"""What invokes functions besides the API: SQS event source mappings, S3 notifications through
SQS, and EventBridge Scheduler schedules, one background poller each.

`pollers_for` reads them from a template; the gateway starts them with `make dev` and replaces
them on a template reload.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from local_gateway.errors import TemplateError
from local_gateway.function_specs import FunctionSpec
from local_gateway.local_aws import client
from local_gateway.provisioning import LocalResources
from local_gateway.resource_names import function_name_of
from local_gateway.s3_notifications import S3NotificationPoller, notification_pollers
from local_gateway.schedules import ScheduleRunner
from local_gateway.sqs_poller import EventSourceMapping, SqsPoller
from local_gateway.template import LoadedTemplate

Poller = SqsPoller | S3NotificationPoller | ScheduleRunner
Invoke = Callable[[str, dict[str, Any]], Any]  # (function logical id, event) -> its result


def pollers_for(
    template: LoadedTemplate,
    resources: LocalResources,
    functions: dict[str, FunctionSpec],
    invoke: Invoke,
    *,
    endpoint_url: str,
    region: str,
) -> list[Poller]:
    """Every poller of the template, unstarted, invoking through `invoke`."""
    function_by_name = {spec.name: key for key, spec in functions.items()}
    function_by_arn = {spec.arn: key for key, spec in functions.items()}
    return [
        *sqs_pollers(template, resources, function_by_name, invoke, endpoint_url, region),
        *notification_pollers(
            template,
            resources.physical_ids,
            function_by_name,
            function_by_arn,
            client("sqs", endpoint_url, region),
            client("s3", endpoint_url, region),
            invoke,
        ),
        ScheduleRunner(client("scheduler", endpoint_url, region), function_by_arn, invoke),
    ]


def sqs_pollers(
    template: LoadedTemplate,
    resources: LocalResources,
    function_by_name: dict[str, str],
    invoke: Invoke,
    endpoint_url: str,
    region: str,
) -> list[SqsPoller]:
    """One poller per SQS event source mapping (`function_by_name`: physical name → logical id)."""
    queue_urls = {
        template.context.resource_attributes[k]("Arn"): resources.physical_ids[k]
        for k in template.of_type("AWS::SQS::Queue")
    }
    pollers = []
    for logical_id in template.of_type("AWS::Lambda::EventSourceMapping"):
        where = f"Resources.{logical_id}.Properties"
        properties = template.resolve(template.properties(logical_id), where)
        source = str(properties.get("EventSourceArn", ""))
        if source not in queue_urls:
            raise TemplateError(f"{where}.EventSourceArn", f"{source} is no queue of the template")
        function = function_by_name.get(function_name_of(str(properties.get("FunctionName", ""))))
        if function is None:
            raise TemplateError(f"{where}.FunctionName", "names no function of the template")
        mapping = EventSourceMapping.from_properties(
            properties, function=function, queue_url=queue_urls[source]
        )
        pollers.append(SqsPoller(client("sqs", endpoint_url, region), mapping, invoke))
    return pollers
