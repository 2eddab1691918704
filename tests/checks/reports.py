"""One part of the session's single checkov or cfn-lint report: the files under one folder.

The session runs each checker once over every environment and every variant the tests build
(tests/jobs.py, tests/variants.py); each test judges its own files from that run. A part also says
what was judged (files, resources, checks run), so a test can prove its input was read and not
silently left out: an empty part is a failure, never a pass.
"""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass
from pathlib import Path


@dataclass(frozen=True)
class CheckovPart:
    """checkov's results for the files under ``folder``, from one framework's reports."""

    folder: Path
    passed: list[dict]
    failed: list[dict]
    skipped: list[dict]
    parsing_errors: list[str]

    @property
    def files(self) -> set[Path]:
        """Every file with at least one check run on it (passed, failed or skipped)."""
        return {Path(c["file_abs_path"]) for c in self.passed + self.failed + self.skipped}

    @property
    def resources(self) -> set[str]:
        """checkov's resource ids judged (``AWS::DocDB::DBCluster.<logical id>``, ``Deployment.<ns>.<name>``)."""
        return {c["resource"] for c in self.passed + self.failed + self.skipped}

    def failures(self) -> list[str]:
        return [f"{c['check_id']} {c['resource']} ({Path(c['file_abs_path']).name}): {c['check_name']}"
                for c in self.failed]


def _under(path: str, folder: Path) -> bool:
    return Path(path).is_relative_to(folder)


def checkov_part(reports: dict[str, list[dict]], check_type: str, folder: Path) -> CheckovPart:
    """The ``check_type`` ("kubernetes", "cloudformation", "dockerfile") results of files under ``folder``."""
    typed = reports.get(check_type, [])
    assert typed, f"checkov returned no {check_type} report"

    def results(key: str) -> list[dict]:
        return [c for r in typed for c in r["results"].get(key, []) if _under(c["file_abs_path"], folder)]

    errors = [p for r in typed for p in r["results"].get("parsing_errors", []) if _under(p, folder)]
    return CheckovPart(folder, results("passed_checks"), results("failed_checks"), results("skipped_checks"), errors)


@dataclass(frozen=True)
class CfnLintPart:
    """cfn-lint's findings for some of the templates of the session's single run."""

    linted: list[Path]
    findings: list[dict]

    @property
    def errors(self) -> list[str]:
        return [f"{f['Rule']['Id']} {Path(f['Filename']).name}: {f['Message']}" for f in self.findings
                if f["Level"] == "Error"]


def cfn_lint_part(result: subprocess.CompletedProcess[str], folder: Path) -> CfnLintPart:
    """The templates under ``folder`` that the run linted, and their findings.

    cfn-lint prints findings only; a template it was given but could not read is an E0000 error
    finding, so "linted" is "passed on its command line", and a test asserts its files are there."""
    # Exit code is a bit mask: 2 errors, 4 warnings, 8 informational; anything else means it did not run.
    assert result.returncode & ~(2 | 4 | 8) == 0 and result.stdout, result.stderr
    linted = [Path(a) for a in result.args if a.endswith(".template.json") and _under(a, folder)]
    findings = [f for f in json.loads(result.stdout) if _under(f["Filename"], folder)]
    return CfnLintPart(sorted(linted), findings)
