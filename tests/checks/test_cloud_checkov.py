"""checkov (CloudFormation) over the whole cdk.out folder (the session's one checkov run, tests/jobs.py): nothing fails; skips carry reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from .reports import CheckovPart, checkov_part


@pytest.fixture(scope="module")
def checkov_report(checkov_reports, cloud_dir: Path) -> CheckovPart:
    return checkov_part(checkov_reports, "cloudformation", cloud_dir)


@pytest.mark.check
def test_checkov_finds_no_failed_check(checkov_report, cloud_dir: Path):
    assert not checkov_report.failed, "\n".join(checkov_report.failures())
    assert checkov_report.passed and not checkov_report.parsing_errors, checkov_report.parsing_errors
    # Every template of cdk.out was judged: the environments' stacks and their DR stacks.
    assert checkov_report.files == set(cloud_dir.glob("*.template.json"))


@pytest.mark.check
def test_every_checkov_skip_is_in_the_template_with_a_reason(checkov_report, cloud_dir: Path):
    skips = 0
    # Every template checkov read: the environments' stacks and their DR stacks.
    for path in sorted(cloud_dir.glob("*.template.json")):
        name, template = path.name, json.loads(path.read_text())
        for logical_id, resource in template["Resources"].items():
            for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", []):
                assert len(skip.get("comment", "")) >= 20, f"{name} {logical_id} skips {skip['id']} without a reason"
                skips += 1
    # checkov honours the CDK metadata form: every skip written next to a resource is counted as skipped.
    assert skips > 0 and len(checkov_report.skipped) == skips
