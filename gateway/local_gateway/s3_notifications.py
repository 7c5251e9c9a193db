"""S3 event notifications to Lambda: a bucket's `LambdaConfigurations` delivered to their functions.

S3 invokes the function asynchronously with one record per event, and Lambda retries a failed
invocation (`MaximumRetryAttempts` of the function's `AWS::Lambda::EventInvokeConfig`, 2 by
default) before handing it to the on-failure destination, if there is one.
https://docs.aws.amazon.com/AmazonS3/latest/userguide/notification-content-structure.html
https://docs.aws.amazon.com/lambda/latest/dg/invocation-async-error-handling.html

Locally moto plays S3's part: each bucket's Lambda configurations become queue configurations
(same events and filters, the configuration id kept) on a queue of the gateway's own, and a
poller delivers what arrives there to the function, as the SQS pollers deliver queued messages.
Retries are immediate here (Lambda waits a minute, then two).
"""

from __future__ import annotations

import json
import logging
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from local_gateway.background import BackgroundPoller
from local_gateway.errors import TemplateError
from local_gateway.resource_names import function_name_of
from local_gateway.template import LoadedTemplate

log = logging.getLogger("local_gateway.s3")

DEFAULT_RETRIES = 2  # Lambda's default for asynchronous invocations

Invoke = Callable[[str, dict[str, Any]], Any]


@dataclass(frozen=True)
class NotificationTarget:
    """Where one configuration's events go: a function, its retries and on-failure queue."""

    function: str  # logical id
    function_arn: str
    retries: int = DEFAULT_RETRIES
    on_failure_queue_url: str | None = None


@dataclass(frozen=True)
class BucketNotifications:
    bucket: str
    queue_url: str
    targets: Mapping[str, NotificationTarget]  # by configuration id


def subscribe(
    s3: Any, sqs: Any, bucket: str, configurations: list[tuple[dict[str, Any], NotificationTarget]]
) -> BucketNotifications:
    """Points the bucket's Lambda configurations at a queue of the gateway's own in moto."""
    queue_name = f"{bucket[:60]}-s3-notifications"
    queue_url = sqs.create_queue(QueueName=queue_name)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    targets: dict[str, NotificationTarget] = {}
    queue_configurations = []
    for index, (configuration, target) in enumerate(configurations):
        configuration_id = str(configuration.get("Id") or f"{target.function}-{index}")
        targets[configuration_id] = target
        entry: dict[str, Any] = {
            "Id": configuration_id,
            "QueueArn": queue_arn,
            "Events": [configuration["Event"]],
        }
        rules = ((configuration.get("Filter") or {}).get("S3Key") or {}).get("Rules")
        if rules:
            # CloudFormation's S3Key.Rules is the API's Key.FilterRules.
            entry["Filter"] = {"Key": {"FilterRules": [dict(rule) for rule in rules]}}
        queue_configurations.append(entry)
    s3.put_bucket_notification_configuration(
        Bucket=bucket, NotificationConfiguration={"QueueConfigurations": queue_configurations}
    )
    return BucketNotifications(bucket, queue_url, targets)


def lambda_record(record: Mapping[str, Any]) -> dict[str, Any]:
    """The record as S3 hands it to Lambda, with the fields moto's message leaves out."""
    complete = json.loads(json.dumps(record))
    complete.setdefault("userIdentity", {"principalId": "AWS:LOCAL"})
    complete.setdefault("requestParameters", {"sourceIPAddress": "127.0.0.1"})
    request_id = uuid.uuid4().hex.upper()[:16]
    complete.setdefault("responseElements", {"x-amz-request-id": request_id, "x-amz-id-2": ""})
    s3 = complete.setdefault("s3", {})
    s3.setdefault("bucket", {}).setdefault("ownerIdentity", {"principalId": "LOCAL"})
    s3.setdefault("object", {}).setdefault("sequencer", f"{uuid.uuid4().int:016X}"[:16])
    return dict(complete)


def on_failure_record(
    event: dict[str, Any], target: NotificationTarget, attempts: int, error: Exception
) -> dict[str, Any]:
    """What Lambda sends an on-failure destination after the last retry."""
    return {
        "version": "1.0",
        "timestamp": datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "requestContext": {
            "requestId": str(uuid.uuid4()),
            "functionArn": f"{target.function_arn}:$LATEST",
            "condition": "RetriesExhausted",
            "approximateInvokeCount": attempts,
        },
        "requestPayload": event,
        "responseContext": {
            "statusCode": 200,
            "executedVersion": "$LATEST",
            "functionError": "Unhandled",
        },
        "responsePayload": {"errorMessage": str(error), "errorType": type(error).__name__},
    }


class S3NotificationPoller(BackgroundPoller):
    """Delivers one bucket's notifications to their functions; `start()` runs it in a thread."""

    def __init__(self, sqs: Any, notifications: BucketNotifications, invoke: Invoke) -> None:
        self.sqs = sqs
        self.notifications = notifications
        self.invoke = invoke
        self.thread_name = f"s3-notifications-{notifications.bucket}"
        super().__init__()

    def poll_once(self, *, wait_seconds: int = 0) -> int:
        """Deliver what is waiting; returns how many messages were handled."""
        messages = self.sqs.receive_message(
            QueueUrl=self.notifications.queue_url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=wait_seconds,
            AttributeNames=["ApproximateReceiveCount"],
        ).get("Messages", [])
        for message in messages:
            self._deliver(message)
        return len(messages)

    def _deliver(self, message: Mapping[str, Any]) -> None:
        body = json.loads(message["Body"])
        attempts = int(message.get("Attributes", {}).get("ApproximateReceiveCount", 1))
        for record in body.get("Records", []):  # S3's test event has none
            configuration_id = record.get("s3", {}).get("configurationId", "")
            target = self.notifications.targets.get(configuration_id)
            if target is None:
                continue
            event = {"Records": [lambda_record(record)]}
            try:
                self.invoke(target.function, event)
            except Exception as error:
                if attempts <= target.retries:
                    log.warning("%s failed (attempt %d); retrying", target.function, attempts)
                    self.sqs.change_message_visibility(
                        QueueUrl=self.notifications.queue_url,
                        ReceiptHandle=message["ReceiptHandle"],
                        VisibilityTimeout=0,
                    )
                    return
                log.error("%s failed %d times on an S3 event: %s", target.function, attempts, error)
                if target.on_failure_queue_url is not None:
                    failure = on_failure_record(event, target, attempts, error)
                    self.sqs.send_message(
                        QueueUrl=target.on_failure_queue_url, MessageBody=json.dumps(failure)
                    )
        self.sqs.delete_message(
            QueueUrl=self.notifications.queue_url, ReceiptHandle=message["ReceiptHandle"]
        )


def notification_pollers(
    template: LoadedTemplate,
    physical_ids: Mapping[str, str],
    function_by_name: Mapping[str, str],
    function_by_arn: Mapping[str, str],
    sqs: Any,
    s3: Any,
    invoke: Invoke,
) -> list[S3NotificationPoller]:
    """One poller per bucket whose notifications invoke functions of the template."""
    queue_urls = {
        template.context.resource_attributes[k]("Arn"): physical_ids[k]
        for k in template.of_type("AWS::SQS::Queue")
    }
    invoke_configs: dict[str, dict[str, Any]] = {}
    for logical_id in template.of_type("AWS::Lambda::EventInvokeConfig"):
        where = f"Resources.{logical_id}.Properties"
        properties = template.resolve(template.properties(logical_id), where)
        function = function_by_name.get(str(properties.get("FunctionName", "")).rsplit(":", 1)[-1])
        if function is not None:
            invoke_configs[function] = properties
    pollers = []
    for logical_id in template.of_type("AWS::S3::Bucket"):
        where = f"Resources.{logical_id}.Properties.NotificationConfiguration"
        configuration = template.resolved_property(logical_id, "NotificationConfiguration")
        subscriptions = []
        for index, entry in enumerate((configuration or {}).get("LambdaConfigurations") or []):
            arn = str(entry.get("Function", ""))
            # SAM points the notification at the function's alias (AutoPublishAlias): locally a
            # function has one version, so a qualified ARN names the function.
            function = function_by_arn.get(arn) or function_by_name.get(function_name_of(arn))
            if function is None:
                raise TemplateError(
                    f"{where}.LambdaConfigurations[{index}].Function",
                    f"{arn} is no function of the template",
                )
            invoke_config = invoke_configs.get(function, {})
            on_failure = (
                (invoke_config.get("DestinationConfig") or {}).get("OnFailure") or {}
            ).get("Destination")
            target = NotificationTarget(
                function=function,
                function_arn=arn,
                retries=int(invoke_config.get("MaximumRetryAttempts", DEFAULT_RETRIES)),
                on_failure_queue_url=queue_urls.get(str(on_failure)) if on_failure else None,
            )
            subscriptions.append((dict(entry), target))
        if subscriptions:
            notifications = subscribe(s3, sqs, physical_ids[logical_id], subscriptions)
            pollers.append(S3NotificationPoller(sqs, notifications, invoke))
    return pollers
