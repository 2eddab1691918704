"""The CDK's built-in CloudFormation validation (schema rules and the CDK default rules) over every
environment, once per test run: `synth_cloud` leaves it out of everyday synths for speed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zacatl_infra.synth import Project, synth_cloud

#: Findings of the built-in engine that the CDK itself acknowledges (pinned availability zones).
CDK_ACKNOWLEDGED = {"W3010"}


@pytest.mark.check
def test_builtin_cloudformation_validation_passes(environments, project: Project, tmp_path: Path):
    # Raises (ValidationFailed) on any error, including CDK default rules made errors by cdk.json.
    synth_cloud(list(environments.values()), tmp_path, project.cdk_context(), builtin_validation=True)
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (builtin,) = [p for p in report["pluginReports"] if p["pluginName"] == "CloudFormation Validate"]
    assert builtin["conclusion"] == "success" and not builtin["violations"]
    assert {v["ruleName"] for v in builtin.get("suppressedViolations", [])} <= CDK_ACKNOWLEDGED
