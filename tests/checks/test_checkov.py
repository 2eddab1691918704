"""checkov's Kubernetes checks over every environment's rendered manifests (the session's one checkov run, tests/jobs.py)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from .reports import checkov_part


@pytest.mark.check
def test_checkov_passes_every_check_it_runs(checkov_reports, workloads_dir, environments):
    part = checkov_part(checkov_reports, "kubernetes", workloads_dir)
    print(f"checkov: {len(part.passed)} passed, {len(part.skipped)} skipped over {len(part.files)} files")
    assert not part.failed, "\n".join(part.failures())
    assert not part.parsing_errors, part.parsing_errors
    assert part.passed, "checkov checked nothing: is the folder empty or the framework wrong?"
    # Every environment's manifests were read, not only some.
    assert {p.relative_to(workloads_dir).parts[0] for p in part.files} == set(environments)


@pytest.mark.check
def test_checkov_ran_each_framework_on_its_own_files(checkov_reports, workloads_dir, cloud_dir, variants):
    # One checkov process reads the layers and the variants: each framework judged only its own files.
    own = {"kubernetes": lambda p: p.is_relative_to(workloads_dir) and p.suffix == ".yaml",
           "cloudformation": lambda p: (p.is_relative_to(cloud_dir) or p.is_relative_to(variants.outdir))
           and p.name.endswith(".template.json"),
           # The variants' repository-root Dockerfiles, and the compose ones of dist/<local env>/compose/.
           "dockerfile": lambda p: (p.is_relative_to(variants.outdir) and p.name == "Dockerfile")
           or (p.is_relative_to(workloads_dir) and p.name.endswith(".Dockerfile"))}
    for check_type, is_own in own.items():
        results = [c for r in checkov_reports[check_type] for c in r["results"]["passed_checks"]]
        assert results, f"checkov ran no {check_type} check"
        paths = {Path(c["file_abs_path"]) for c in results}
        assert all(is_own(p) for p in paths), (check_type, sorted(p for p in paths if not is_own(p))[:5])


_SKIP = re.compile(r"^(CKV_K8S_\d+)=(.+)$")


def test_every_checkov_skip_names_a_check_and_gives_a_reason(workloads):
    skips = [(env_name, obj["kind"], value)
             for env_name, rendered in workloads.items() for obj in rendered.objects
             for key, value in (obj["metadata"].get("annotations") or {}).items() if key.startswith("checkov.io/skip")]
    for env_name, kind, value in skips:
        match = _SKIP.match(value)
        assert match, f"{env_name} {kind}: checkov skip {value!r} is not 'CKV_K8S_<n>=<reason>'"
        assert len(match.group(2).split()) >= 8, f"{env_name} {kind}: the reason for {match.group(1)} is too thin"
