"""checkov's Kubernetes checks over every environment's rendered manifests, run once."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from ..conftest import ROOT

CHECKOV = ROOT / ".tools" / "checkov" / "bin" / "checkov"


@pytest.mark.check
def test_checkov_passes_every_check_it_runs(workloads_dir):
    assert CHECKOV.exists(), f"{CHECKOV} is missing: run `make setup`"
    result = subprocess.run(
        [str(CHECKOV), "-d", str(workloads_dir), "--framework", "kubernetes", "--skip-download",
         "--quiet", "--compact", "-o", "json"],
        env={**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"},
        capture_output=True, text=True, timeout=600,
    )
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    summary = {key: sum(r["summary"][key] for r in reports) for key in ("passed", "failed", "skipped", "parsing_errors")}
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
              for r in reports for c in r["results"].get("failed_checks", [])]
    print(f"checkov: {summary}")
    assert not failed, "\n".join(failed)
    assert summary["failed"] == 0 and summary["parsing_errors"] == 0, summary
    assert summary["passed"] > 0, "checkov checked nothing: is the folder empty or the framework wrong?"


_SKIP = re.compile(r"^(CKV_K8S_\d+)=(.+)$")


def test_every_checkov_skip_names_a_check_and_gives_a_reason(workloads):
    skips = [(env_name, obj["kind"], value)
             for env_name, rendered in workloads.items() for obj in rendered.objects
             for key, value in (obj["metadata"].get("annotations") or {}).items() if key.startswith("checkov.io/skip")]
    for env_name, kind, value in skips:
        match = _SKIP.match(value)
        assert match, f"{env_name} {kind}: checkov skip {value!r} is not 'CKV_K8S_<n>=<reason>'"
        assert len(match.group(2).split()) >= 8, f"{env_name} {kind}: the reason for {match.group(1)} is too thin"
