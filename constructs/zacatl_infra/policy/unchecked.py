"""Marks a cloud assembly that skipped the policy checks, so the AWS CDK CLI refuses to deploy it.

`python app.py` (``make synth``) writes ``cdk.out/`` for reading and diffing without running cdk-nag,
the EKS rules or the CDK's built-in CloudFormation validation (``synth.py`` says why). Such an
assembly could still be handed to the CLI as it is (``cdk deploy --app cdk.out``), which does not
synthesize again. So the assembly gets a ``validation-report.json`` with one failed report: the AWS
CDK CLI (2.1148: ``deploy``, ``diff``, ``synth``, ``import``, ``rollback``) reads that file from
every assembly it is given and stops with "Synthesis finished with errors" before any AWS call.
`cdk deploy` with the project's ``cdk.json`` runs app.py again with every check on, and that
assembly carries the checks' own report instead. Format: the cloud assembly schema's
``validation-report.schema.json`` (aws-cdk-cli, ``@aws-cdk/cloud-assembly-schema``), the file
aws-cdk-lib writes after its policy plugins run; the ``version`` is the assembly's own.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from aws_cdk import cx_api

#: The file name the CDK gives the validation report inside an assembly.
REPORT_FILE = "validation-report.json"
PLUGIN_NAME = "zacatl-infra"
RULE_NAME = "ChecksSkipped"


def mark_unchecked(assembly: cx_api.CloudAssembly, skipped: list[str]) -> Path:
    """Adds a failed report naming every stack of ``assembly`` and the ``skipped`` checks (for example
    ``["cdk-nag", "the EKS rules"]``) to the assembly's validation report; returns the file.

    A report the policy plugins wrote in this synth is kept and extended; without plugins there is
    none from this synth, and one left by an earlier synth into the same folder is replaced.
    """
    path = Path(assembly.directory) / REPORT_FILE
    stacks = [stack.hierarchical_id for stack in assembly.stacks_recursively]
    ran_plugins = "cdk-nag" not in skipped
    report = json.loads(path.read_text(encoding="utf-8")) if ran_plugins and path.exists() else {
        "version": assembly.version, "title": "Validation Report", "pluginReports": []}
    report["pluginReports"].append({
        "pluginName": PLUGIN_NAME,
        "conclusion": "failure",
        "violations": [{
            "ruleName": RULE_NAME,
            "description": f"synthesized without {', '.join(skipped)} (`python app.py` writes cdk.out/ for "
                           "reading): deploy with `cdk deploy`, which synthesizes again with every check on",
            "severity": "error",
            "violatingConstructs": [{"constructPath": path_} for path_ in stacks],
        }],
    })
    path.write_text(json.dumps(report, indent=2) + "\n", encoding="utf-8")
    return path
