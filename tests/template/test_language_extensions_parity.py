"""The local gateway unrolls template.yaml's Fn::ForEach loops as SAM CLI's own port of
CloudFormation's language extensions does (the one `sam build` uses)."""

from pathlib import Path

import pytest

from local_gateway.template import parse_template_text, read_template

pytestmark = pytest.mark.domain("core")

ROOT = Path(__file__).resolve().parents[2]


def test_the_repository_template_unrolls_as_sam_clis_port_of_the_transform_does():
    # Given template.yaml with ops/resources.yaml inlined among its resources (as CloudFormation
    # does first), unrolled by the gateway and by SAM CLI's CloudFormation language-extensions
    # package (its Fn::ForEach step alone, other intrinsics left as written)
    from samcli.lib.cfn_language_extensions.models import (
        ResolutionMode,
        TemplateProcessingContext,
    )
    from samcli.lib.cfn_language_extensions.pipeline import ProcessingPipeline
    from samcli.lib.cfn_language_extensions.processors import (
        ForEachProcessor,
        TemplateParsingProcessor,
    )

    path = ROOT / "template.yaml"
    fragment = parse_template_text(path.read_text())
    del fragment["Resources"]["Fn::Transform"]
    fragment["Resources"].update(parse_template_text((ROOT / "ops" / "resources.yaml").read_text()))
    context = TemplateProcessingContext(
        fragment=fragment, parameter_values={}, resolution_mode=ResolutionMode.PARTIAL
    )
    pipeline = ProcessingPipeline([TemplateParsingProcessor(), ForEachProcessor()])
    theirs = pipeline.process_template(context)
    # When the two are compared (the RestApi aside: the gateway also inlines its definition)
    ours = read_template(path)
    # Then they hold the same resources and outputs, the per-function ones among them, from
    # the loops of both files
    assert {k: v for k, v in ours["Resources"].items() if k != "RestApi"} == {
        k: v for k, v in theirs["Resources"].items() if k != "RestApi"
    }
    assert ours.get("Outputs") == theirs.get("Outputs")
    assert {"ListUsersLogGroup", "ListUsersErrorsAlarm", "ListUsersThrottlesAlarm"} <= set(
        ours["Resources"]
    )
