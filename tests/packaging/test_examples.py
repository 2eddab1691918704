"""examples/two-services builds from the wheel in a fresh virtual environment, and its snapshot test passes.

Packaging mistakes (a module, a template or a data file left out of the wheel) fail here. The fresh
venv gets the wheel only; its dependencies are seen through a .pth line naming this project's
site-packages (the same pinned versions, requirements.lock), which keeps the test fast and offline.
A .pth line adds a folder without running the .pth files in it, so the editable install of this
checkout stays invisible and the example can only import the wheel.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

from ..conftest import ROOT
from ..jobs import cli_env

EXAMPLE = ROOT / "examples" / "two-services"


@pytest.fixture(scope="module")
def venv(wheel_path: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    work = tmp_path_factory.mktemp("example-venv")
    venv = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True, timeout=120)
    python = venv / "bin" / "python"
    purelib = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                                  check=True, capture_output=True, text=True).stdout.strip())
    (purelib / "zz_project_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", str(wheel_path)], check=True, capture_output=True, text=True, timeout=240)
    return venv


@pytest.fixture(scope="module")
def example(tmp_path_factory: pytest.TempPathFactory) -> Path:
    copy = tmp_path_factory.mktemp("example") / "two-services"
    shutil.copytree(EXAMPLE, copy, ignore=shutil.ignore_patterns("dist", "cdk.out", "cdk8s.out", "__pycache__",
                                                                  ".pytest_cache", ".venv"))
    return copy


def _run(venv: Path, folder: Path, *args: str) -> subprocess.CompletedProcess[str]:
    # CI=1: a missing snapshot is a failure here, never silently recorded.
    env = {**cli_env(), "CI": "1", "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("ZACATL_UPDATE_SNAPSHOTS", None)
    return subprocess.run([str(venv / "bin" / "python"), *args], cwd=folder, env=env, capture_output=True,
                          text=True, timeout=300)


@pytest.mark.packaging
def test_fresh_venv_imports_the_wheel_not_this_checkout(venv: Path, example: Path):
    # find_spec locates the package without importing it (an import starts jsii: seconds).
    result = _run(venv, example, "-c", "import importlib.util; print(importlib.util.find_spec('zacatl_infra').origin)")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(venv), result.stdout


@pytest.mark.packaging
def test_example_has_no_cdk_context_of_its_own():
    assert "context" not in json.loads((EXAMPLE / "cdk.json").read_text())
    assert sorted(p.name for p in (EXAMPLE / "tests" / "snapshots").iterdir()) == ["cloud-dev.json", "k8s-dev.yaml"]


@pytest.mark.packaging
def test_example_synthesizes_both_layers_from_the_wheel(venv: Path, example: Path):
    result = _run(venv, example, "app.py")
    assert result.returncode == 0, result.stderr
    assert sorted(p.name for p in (example / "dist" / "dev").iterdir()) == [
        "00-namespace.yaml", "20-gateway.yaml", "20-greetings-api.yaml"]
    assert (example / "cdk.out" / "zacatl-dev-greetings.template.json").exists()


@pytest.mark.packaging
def test_example_snapshot_test_passes_from_the_wheel(venv: Path, example: Path):
    result = _run(venv, example, "-m", "pytest", "-q", "-p", "no:cacheprovider")
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
