"""checkov's Kubernetes checks over every environment's rendered manifests (one checkov run, tests/checks/conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest


@pytest.mark.check
def test_checkov_passes_every_check_it_runs(checkov_reports):
    reports = checkov_reports["kubernetes"]
    assert reports, "checkov returned no Kubernetes report"
    summary = {key: sum(r["summary"][key] for r in reports) for key in ("passed", "failed", "skipped", "parsing_errors")}
    failed = [f"{c['check_id']} {c['resource']} ({c['file_path']}): {c['check_name']}"
              for r in reports for c in r["results"].get("failed_checks", [])]
    print(f"checkov: {summary}")
    assert not failed, "\n".join(failed)
    assert summary["failed"] == 0 and summary["parsing_errors"] == 0, summary
    assert summary["passed"] > 0, "checkov checked nothing: is the folder empty or the framework wrong?"


@pytest.mark.check
def test_checkov_ran_each_framework_on_its_own_folder(checkov_reports, workloads_dir, cloud_dir):
    # One checkov process reads both folders: each framework must have judged only its own files.
    for check_type, folder, suffix in (("kubernetes", workloads_dir, ".yaml"), ("cloudformation", cloud_dir, ".json")):
        results = [c for r in checkov_reports[check_type] for c in r["results"]["passed_checks"]]
        assert results, f"checkov ran no {check_type} check"
        paths = {Path(c["file_abs_path"]) for c in results}
        assert all(p.is_relative_to(folder) and p.suffix == suffix for p in paths), (check_type, sorted(paths)[:5])


_SKIP = re.compile(r"^(CKV_K8S_\d+)=(.+)$")


def test_every_checkov_skip_names_a_check_and_gives_a_reason(workloads):
    skips = [(env_name, obj["kind"], value)
             for env_name, rendered in workloads.items() for obj in rendered.objects
             for key, value in (obj["metadata"].get("annotations") or {}).items() if key.startswith("checkov.io/skip")]
    for env_name, kind, value in skips:
        match = _SKIP.match(value)
        assert match, f"{env_name} {kind}: checkov skip {value!r} is not 'CKV_K8S_<n>=<reason>'"
        assert len(match.group(2).split()) >= 8, f"{env_name} {kind}: the reason for {match.group(1)} is too thin"
