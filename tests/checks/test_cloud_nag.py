"""cdk-nag AwsSolutions on every environment: no open finding; each acknowledgement is specific and explained."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def report(cloud_dir: Path) -> dict:
    # Written by every synth; the session synth succeeded, so nothing unacknowledged remained.
    return json.loads((cloud_dir / "validation-report.json").read_text())


@pytest.mark.check
def test_no_policy_plugin_reports_an_open_finding(report):
    assert all(p["conclusion"] == "success" and not p["violations"] for p in report["pluginReports"])


@pytest.mark.check
def test_acknowledgements_name_one_rule_on_one_resource_with_a_reason(report):
    (nag,) = [p for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    for violation in nag["suppressedViolations"]:
        assert violation["acknowledgedId"] == f"AwsSolutions::{violation['ruleName']}"
        assert len(violation["reason"]) >= 40, violation
        # Acknowledged where the resource is built, never on a whole stack.
        assert violation["acknowledgedAt"].count("/") >= 1, violation["acknowledgedAt"]


@pytest.mark.check
def test_what_cdk_deploy_ships_has_passed_cdk_nag(monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys):
    """cdk-nag runs on every cloud synth (decision of issue 10: it costs about 0.1 s a stack, and an
    assembly that `python app.py` wrote can be deployed as is with `cdk deploy --app cdk.out`), so
    also on the path `cdk deploy` takes (CDK_OUTDIR set): with an open finding app.py exits non-zero,
    and the CDK CLI deploys nothing when the app fails."""
    import aws_cdk as cdk
    from aws_cdk import aws_sns as sns

    import zacatl_infra.cloud.stack as stack_module
    from zacatl_infra.synth import main

    from ..conftest import ROOT

    class OnlyAnOpenFinding(cdk.Stack):
        """Stands in for the environment's stack (the real ones are the session's `cdk synth` run):
        what is under test is that the deploy path wires cdk-nag in, whatever the stack holds."""

        def __init__(self, scope, id_, *, env) -> None:  # noqa: ANN001 - EnvironmentStack's signature
            super().__init__(scope, id_)
            sns.Topic(self, "OpenTopic")  # AwsSolutions-SNS3: the topic does not require SSL

    monkeypatch.setattr(stack_module, "EnvironmentStack", OnlyAnOpenFinding)
    monkeypatch.setenv("CDK_OUTDIR", str(tmp_path))
    assert main(["dev"], ROOT) == 1
    assert "synth failed" in capsys.readouterr().err
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (nag,) = [p for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    assert nag["conclusion"] == "failure"
    assert "AwsSolutions-SNS3" in {v["ruleName"] for v in nag["violations"]}
