"""cdk-nag AwsSolutions on every environment: no open finding; each acknowledgement is specific and explained;
what `cdk deploy` ships has always passed it."""

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
    """cdk-nag runs on the path `cdk deploy` takes (CDK_OUTDIR set; decision of issue 10, see
    docs/performance.md): with an open finding app.py exits non-zero, and the CDK CLI deploys nothing
    when the app fails."""
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


@pytest.mark.check
def test_cdk_deploy_refuses_an_assembly_that_skipped_cdk_nag(environments, project, tmp_path: Path):
    """`python app.py` skips cdk-nag; its cdk.out/ handed to the CLI as it is (`cdk deploy --app cdk.out`)
    is refused before any AWS call, so nothing unchecked ships (policy/unchecked.py). The real CLI
    (aws-cdk 2.1148.1, package.json) reads the mark; without it, the same command gets as far as asking
    for credentials (checked by hand: "Need to perform AWS calls for account ...")."""
    import subprocess

    from zacatl_infra.policy.unchecked import RULE_NAME
    from zacatl_infra.synth import synth_cloud

    from ..jobs import cli_env

    outdir = tmp_path / "cdk.out"
    synth_cloud([environments["dev"]], outdir, project.cdk_context(), policy_checks=False)
    result = subprocess.run(["cdk", "deploy", "--app", str(outdir), "zacatl-dev", "--require-approval", "never",
                             "--no-notices", "--no-version-reporting"],
                            cwd=tmp_path, env=cli_env(), capture_output=True, text=True, timeout=300)
    output = result.stdout + result.stderr
    assert result.returncode != 0, output
    assert "Synthesis finished with errors" in output and RULE_NAME in output, output
    assert "credentials" not in output, output
