"""checkov (CloudFormation) over the whole cdk.out folder (one checkov run, tests/checks/conftest.py): nothing fails; skips carry reasons."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def checkov_report(checkov_reports) -> list[dict]:
    assert checkov_reports["cloudformation"], "checkov returned no CloudFormation report"
    return checkov_reports["cloudformation"]


@pytest.mark.check
def test_checkov_finds_no_failed_check(checkov_report):
    failed = [f"{c['check_id']} {c['resource']} ({Path(c['file_path']).name}): {c['check_name']}"
              for r in checkov_report for c in r["results"]["failed_checks"]]
    assert not failed, "\n".join(failed)
    assert sum(r["summary"]["passed"] for r in checkov_report) > 0
    assert sum(r["summary"]["parsing_errors"] for r in checkov_report) == 0


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
    assert skips > 0 and sum(r["summary"]["skipped"] for r in checkov_report) == skips
