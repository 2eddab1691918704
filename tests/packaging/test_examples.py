"""examples/two-services builds from the wheel in a fresh virtual environment, and its snapshot test passes.

Packaging mistakes (a module, a template or a data file left out of the wheel) fail here. The fresh
venv gets the wheel only (tests/jobs.py ``example_from_wheel``: how it still sees the pinned
dependencies, and why it cannot see this checkout); the example's synth and its tests run there
once, in the background, and these tests assert on those runs.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ..jobs import EXAMPLE, ExampleRuns, run_in_venv


@pytest.mark.packaging
def test_fresh_venv_imports_the_wheel_not_this_checkout(example_runs: ExampleRuns):
    # find_spec locates the package without importing it (an import starts jsii: seconds).
    result = run_in_venv(example_runs.venv, example_runs.folder, "-c",
                         "import importlib.util; print(importlib.util.find_spec('zacatl_infra').origin)")
    assert result.returncode == 0, result.stderr
    assert Path(result.stdout.strip()).is_relative_to(example_runs.venv), result.stdout


@pytest.mark.packaging
def test_example_has_no_cdk_context_of_its_own():
    assert "context" not in json.loads((EXAMPLE / "cdk.json").read_text())
    assert sorted(p.name for p in (EXAMPLE / "tests" / "snapshots").iterdir()) == ["cloud-dev.json", "k8s-dev.yaml"]


@pytest.mark.packaging
def test_example_synthesizes_both_layers_from_the_wheel(example_runs: ExampleRuns):
    assert example_runs.synth.returncode == 0, example_runs.synth.stderr
    example = example_runs.folder
    assert sorted(p.name for p in (example / "dist" / "dev").iterdir()) == [
        "00-namespace.yaml", "20-gateway.yaml", "20-greetings-api.yaml"]
    assert (example / "cdk.out" / "zacatl-dev-greetings.template.json").exists()


@pytest.mark.packaging
def test_example_snapshot_test_passes_from_the_wheel(example_runs: ExampleRuns):
    result = example_runs.tests
    assert result.returncode == 0, result.stdout + result.stderr
    assert "1 passed" in result.stdout
