"""`zacatl-infra init`: a service repository's deployment folder that synthesizes and tests on first run.

The scaffold is run against this checkout: its `.venv` is this project's (the library installed
editable), its Node toolchain this project's node_modules. Its own Makefile targets run, with the
set-up stamps marked done (`make -o`), since installing what this project already has proves nothing.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from zacatl_infra import snapshots
from zacatl_infra.cli import init, main, scaffold_files

from .conftest import ROOT
from .jobs import cli_env

SCAFFOLD = {".gitignore", "Makefile", "README.md", "app.py", "cdk.json", "cdk8s.yaml", "environments/dev.py",
            "package.json", "pytest.ini", "requirements.txt", "tests/test_snapshots.py"}


def _make(folder: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in cli_env().items() if k != "CI"}  # outside CI, a first run records snapshots
    return subprocess.run(["make", "-o", ".venv/.installed", "-o", "node_modules/.installed", *targets],
                          cwd=folder, env=env, capture_output=True, text=True, timeout=300)


@pytest.fixture(scope="module")
def scaffold(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("billing") / "deploy"
    result = subprocess.run([sys.executable, "-m", "zacatl_infra.cli", "init", str(folder), "--team", "payments",
                             "--service", "billing-worker"], capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    (folder / ".venv").symlink_to(ROOT / ".venv")
    return folder


def test_init_writes_the_scaffold_into_an_empty_folder(scaffold: Path):
    written = {str(p.relative_to(scaffold)) for p in scaffold.rglob("*") if p.is_file() and ".venv" not in p.parts}
    assert written == SCAFFOLD
    assert json.loads((scaffold / "cdk.json").read_text()) == {"app": ".venv/bin/python app.py", "output": "cdk.out"}


def test_init_refuses_to_overwrite_and_writes_nothing(tmp_path: Path):
    (tmp_path / "Makefile").write_text("mine\n")
    with pytest.raises(FileExistsError, match="would overwrite Makefile"):
        init(tmp_path, team="payments", service="billing-worker", requirement="zacatl-infra")
    assert [p.name for p in tmp_path.iterdir()] == ["Makefile"] and (tmp_path / "Makefile").read_text() == "mine\n"


def test_init_command_exits_2_with_the_files_it_would_overwrite(tmp_path: Path, capsys: pytest.CaptureFixture[str]):
    (tmp_path / "cdk.json").write_text("{}\n")
    assert main(["init", str(tmp_path), "--team", "payments"]) == 2
    assert "would overwrite cdk.json; nothing was written" in capsys.readouterr().err
    assert [p.name for p in tmp_path.iterdir()] == ["cdk.json"]


def test_init_fails_on_a_team_name_kubernetes_refuses():
    with pytest.raises(ValueError, match="team 'Payments_Team' is not a DNS-1123 label"):
        scaffold_files(team="Payments_Team", service="x", requirement="zacatl-infra")


def test_scaffold_pins_the_node_toolchain_this_project_locks():
    pinned = json.loads(scaffold_files(team="t", service="s", requirement="r")["package.json"])["devDependencies"]
    locked = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    assert pinned == {name: locked[f"node_modules/{name}"]["version"] for name in ("aws-cdk", "cdk8s-cli", "node")}
    assert pinned["node"].startswith("24.")


def test_scaffold_synthesizes_both_layers_in_its_own_names_and_its_tests_pass(scaffold: Path):
    result = _make(scaffold, "synth", "test")
    assert result.returncode == 0, result.stdout + result.stderr
    assert sorted(p.name for p in (scaffold / "dist" / "dev").iterdir()) == ["00-namespace.yaml", "20-billing-worker.yaml"]
    assert "namespace: zacatl-dev-payments" in (scaffold / "dist" / "dev" / "20-billing-worker.yaml").read_text()
    assert (scaffold / "cdk.out" / "zacatl-dev-payments.template.json").exists()
    assert sorted(p.name for p in (scaffold / "tests" / "snapshots").iterdir()) == ["cloud-dev.json", "k8s-dev.yaml"]

    # The recorded snapshots now guard the output: a changed setting is a difference (checked in
    # this process, through the same function the scaffold's test calls).
    env_file = scaffold / "environments" / "dev.py"
    original = env_file.read_text()
    env_file.write_text(original.replace("container_port=3000", "container_port=3001"))
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.delenv("ZACATL_UPDATE_SNAPSHOTS", raising=False)
            assert snapshots.compare(scaffold, scaffold / "tests" / "snapshots") == ["k8s-dev.yaml"]
    finally:
        env_file.write_text(original)


@pytest.mark.cli
def test_scaffold_cdk_cli_synthesizes_with_a_cdk_json_that_only_names_the_app(scaffold: Path, tmp_path: Path):
    result = subprocess.run(["cdk", "synth", "--output", str(tmp_path), "--no-version-reporting", "--no-notices",
                             "--quiet"], cwd=scaffold, env=cli_env(), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert [p.name for p in tmp_path.glob("*.template.json")] == ["zacatl-dev-payments.template.json"]

