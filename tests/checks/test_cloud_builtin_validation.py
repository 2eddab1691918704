"""The CDK's built-in CloudFormation validation (schema rules and the CDK default rules) over every
environment, once per test run: `python app.py` leaves it out of everyday synths for speed, and
`cdk synth`/`cdk deploy` (CDK_OUTDIR set) turn it on. The session's cloud layer IS that `cdk synth`
run (tests/jobs.py), so its report shows what `cdk deploy` validates."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

#: Findings of the built-in engine that the CDK itself acknowledges (pinned availability zones).
CDK_ACKNOWLEDGED = {"W3010"}


@pytest.mark.check
def test_builtin_cloudformation_validation_passes(cloud_dir: Path, templates: dict):
    # The CLI run failed (ValidationFailed) on any error, including CDK default rules made errors by cdk.json.
    assert templates, "no cloud environment was synthesized"
    report = json.loads((cloud_dir / "validation-report.json").read_text())
    (builtin,) = [p for p in report["pluginReports"] if p["pluginName"] == "CloudFormation Validate"]
    assert builtin["conclusion"] == "success" and not builtin["violations"]
    assert {v["ruleName"] for v in builtin.get("suppressedViolations", [])} <= CDK_ACKNOWLEDGED
