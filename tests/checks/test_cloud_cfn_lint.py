"""cfn-lint over every environment's template, in one run: no errors, only allow-listed warnings."""

from __future__ import annotations

import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

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
def test_templates_have_no_cfn_lint_errors_and_only_allowed_warnings(cloud_dir: Path, templates: dict):
    # Every template of the assembly: the environments' stacks and their DR stacks.
    paths = [str(p) for p in sorted(cloud_dir.glob("*.template.json"))]
    assert len(paths) >= len(templates)
    cfn_lint = Path(sys.executable).parent / "cfn-lint"
    result = subprocess.run([str(cfn_lint), "--format", "json", *paths], capture_output=True, text=True, timeout=300)
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
