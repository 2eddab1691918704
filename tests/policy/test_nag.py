"""cdk-nag runs on every synth: a non-compliant resource fails it, and the prefixed acknowledgement
silences exactly the rule it names."""

from __future__ import annotations

import json
from pathlib import Path

import aws_cdk as cdk
import pytest
from aws_cdk import aws_s3 as s3

from zacatl_infra.policy import acknowledge, add_policy_plugins


def _nag_findings(tmp_path: Path, acknowledged: tuple[str, ...] = ()) -> tuple[set[str], set[str]]:
    """(unacknowledged, acknowledged) AwsSolutions rules of a stack holding one plain bucket."""
    app = cdk.App(outdir=str(tmp_path))
    bucket = s3.Bucket(cdk.Stack(app, "nag"), "Plain")  # no access logs (S1), no TLS-only policy (S10)
    for rule in acknowledged:
        acknowledge(bucket, rule, "deliberately non-compliant bucket of this test")
    add_policy_plugins(app)
    failed = False
    try:
        app.synth()
    except RuntimeError as err:
        failed = str(err).startswith("ValidationFailed")
    report = json.loads((tmp_path / "validation-report.json").read_text())
    (nag,) = [p for p in report["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    open_ = {v["ruleName"] for v in nag["violations"]}
    assert failed == bool(open_)
    return open_, {v["ruleName"] for v in nag.get("suppressedViolations", [])}


def test_a_non_compliant_resource_fails_synth(tmp_path):
    open_, acknowledged = _nag_findings(tmp_path)
    assert {"AwsSolutions-S1", "AwsSolutions-S10"} <= open_
    assert acknowledged == set()


def test_prefixed_acknowledgement_silences_exactly_that_rule(tmp_path):
    open_, acknowledged = _nag_findings(tmp_path, acknowledged=("S1",))
    assert acknowledged == {"AwsSolutions-S1"}
    assert "AwsSolutions-S1" not in open_ and "AwsSolutions-S10" in open_


def test_acknowledging_every_finding_lets_synth_succeed(tmp_path):
    open_, acknowledged = _nag_findings(tmp_path, acknowledged=("S1", "S10"))
    assert open_ == set() and acknowledged == {"AwsSolutions-S1", "AwsSolutions-S10"}


def test_an_acknowledgement_needs_a_reason():
    with pytest.raises(ValueError, match="needs a reason"):
        acknowledge(cdk.Stack(cdk.App(), "s"), "S1", "because")
