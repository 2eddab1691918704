"""cfn-lint over every environment's template, in one run (tests/jobs.py): no errors, only allow-listed warnings."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pytest

from ..conftest import ENVIRONMENTS
from .reports import cfn_lint_part

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
def test_templates_have_no_cfn_lint_errors_and_only_allowed_warnings(cfn_lint_result, templates: dict, cloud_dir: Path):
    # One cfn-lint process over every template of cdk.out and of the variants (tests/jobs.py); of
    # cdk.out it linted every environment:
    part = cfn_lint_part(cfn_lint_result, cloud_dir)
    # and the DR stack of each environment that replicates its backups (cloud/dr_stack.py).
    dr = [f"zacatl-{name}-dr.template.json" for name in templates if ENVIRONMENTS[name].backups.replication_region]
    linted = sorted(p.name for p in part.linted)
    assert linted == sorted([f"zacatl-{name}.template.json" for name in templates] + dr), linted
    findings = part.findings
    assert not part.errors, "\n".join(part.errors)
    warnings = Counter(f["Rule"]["Id"] for f in findings if f["Level"] == "Warning")
    unexpected = sorted(set(warnings) - set(ALLOWED_WARNINGS))
    assert not unexpected, [f["Message"] for f in findings if f["Rule"]["Id"] in unexpected]
    informational = [f for f in findings if f["Level"] not in ("Error", "Warning")]
    assert not informational, informational
