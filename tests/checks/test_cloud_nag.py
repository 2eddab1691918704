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
