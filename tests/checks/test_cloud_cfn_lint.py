"""cfn-lint over every environment's template, in one run (tests/jobs.py): no errors, only allow-listed warnings."""

from __future__ import annotations

import json
from collections import Counter

import pytest

from ..conftest import ENVIRONMENTS

#: Warnings the CDK itself causes, each with why it is harmless. Nothing else may appear.
ALLOWED_WARNINGS = {
    # The stack pins availability zones in context so synth works offline; the subnets then name
    # them literally. That is the point of pinning, not an accident.
    "W3010": "availability zones are pinned on purpose (offline synth, stable subnets)",
    # aws_eks_v2 adds DependsOn on the node subnets, and CDK's custom-resource provider on its role,
    # although a Ref/GetAtt already orders them. Redundant, not wrong.
    "W3005": "CDK emits DependsOn next to a Ref/GetAtt that already orders the resources",
}


@pytest.mark.check
def test_templates_have_no_cfn_lint_errors_and_only_allowed_warnings(cfn_lint_result, templates: dict):
    # One cfn-lint process over every template of cdk.out (tests/jobs.py); it linted every environment:
    result = cfn_lint_result
    linted = sorted(arg.rsplit("/", 1)[-1] for arg in result.args if arg.endswith(".template.json"))
    # and the DR stack of each environment that replicates its backups (cloud/dr_stack.py).
    dr = [f"zacatl-{name}-dr.template.json" for name in templates if ENVIRONMENTS[name].backups.replication_region]
    assert linted == sorted([f"zacatl-{name}.template.json" for name in templates] + dr), linted
    # Exit code is a bit mask: 2 errors, 4 warnings, 8 informational; anything else means it did not run.
    assert result.returncode & ~(2 | 4 | 8) == 0 and result.stdout, result.stderr
    findings = json.loads(result.stdout)
    errors = [f"{f['Rule']['Id']} {f['Filename']}: {f['Message']}" for f in findings if f["Level"] == "Error"]
    assert not errors, "\n".join(errors)
    warnings = Counter(f["Rule"]["Id"] for f in findings if f["Level"] == "Warning")
    unexpected = sorted(set(warnings) - set(ALLOWED_WARNINGS))
    assert not unexpected, [f["Message"] for f in findings if f["Rule"]["Id"] in unexpected]
    informational = [f for f in findings if f["Level"] not in ("Error", "Warning")]
    assert not informational, informational
