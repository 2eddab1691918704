"""The synth pipeline: committed dist/ is fresh, failures change nothing, both CLIs work offline."""

from __future__ import annotations

import filecmp
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from zacatl_infra.synth import Project, synth_all

from .conftest import ENVIRONMENT_NAMES, ENVIRONMENTS, ROOT


def _tree(folder: Path) -> dict[str, str]:
    return {str(p.relative_to(folder)): p.read_text() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_committed_dist_equals_a_fresh_synth(workloads_dir: Path):
    committed, fresh = _tree(ROOT / "dist"), _tree(workloads_dir)
    stale = sorted(k for k in committed.keys() | fresh.keys() if committed.get(k) != fresh.get(k))
    assert not stale, f"dist/ is stale in {stale}: run `make synth` and commit dist/"


def test_kubectl_apply_order_puts_namespace_first(workloads):
    for env_name, rendered in workloads.items():
        first = next(iter(rendered.files))
        assert first == "00-namespace.yaml", env_name
        assert [o["kind"] for o in rendered.objects].index("Namespace") == 0, env_name


@pytest.fixture
def scratch_project(tmp_path: Path) -> Project:
    """A copy of the project's inputs and committed dist/, to break on purpose."""
    for name in ("environments", "dist"):
        shutil.copytree(ROOT / name, tmp_path / name)
    shutil.copy(ROOT / "cdk.json", tmp_path / "cdk.json")
    return Project(tmp_path)


def _run_app(project: Project) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if k not in ("CDK_OUTDIR", "CDK8S_OUTDIR")}
    code = f"import sys; from pathlib import Path; from zacatl_infra.synth import main; sys.exit(main([], Path({str(project.root)!r})))"
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env, timeout=240)


def test_invalid_environment_fails_with_one_clear_error_and_leaves_dist(scratch_project: Project):
    before = _tree(scratch_project.dist_dir)
    staging = scratch_project.environments_dir / "staging.py"
    staging.write_text(staging.read_text().replace(
        'image={"tag": "1.4.0"}', 'image={"tag": "1.4.0"}, scaling={"min_replicas": 9, "max_replicas": 2}'))
    result = _run_app(scratch_project)
    assert result.returncode == 2
    assert "environment 'staging' is invalid" in result.stderr
    assert "min_replicas (9) is above max_replicas (2)" in result.stderr
    assert _tree(scratch_project.dist_dir) == before
    assert not list(scratch_project.root.glob(".dist-*")), "staging folder left behind"


def test_construct_error_leaves_dist_untouched(scratch_project: Project, monkeypatch: pytest.MonkeyPatch):
    before = _tree(scratch_project.dist_dir)

    def broken(envs, outdir):
        (outdir / "dev").mkdir(parents=True)
        (outdir / "dev" / "00-namespace.yaml").write_text("half written\n")
        raise RuntimeError("construct failed half way")

    monkeypatch.setattr("zacatl_infra.synth.render_workloads", broken)
    with pytest.raises(RuntimeError, match="half way"):
        synth_all(scratch_project)
    assert _tree(scratch_project.dist_dir) == before
    assert not list(scratch_project.root.glob(".dist-*"))


def test_full_synth_swaps_in_every_environment_and_prunes_removed_ones(scratch_project: Project):
    (scratch_project.dist_dir / "retired").mkdir()
    (scratch_project.dist_dir / "retired" / "00-namespace.yaml").write_text("old\n")
    (scratch_project.dist_dir / "dev" / "00-namespace.yaml").write_text("stale\n")
    synth_all(scratch_project)
    assert sorted(p.name for p in scratch_project.dist_dir.iterdir()) == ENVIRONMENT_NAMES
    assert not filecmp.dircmp(scratch_project.dist_dir / "dev", ROOT / "dist" / "dev").diff_files


def _cli_env() -> dict[str, str]:
    """No AWS credentials at all: synth must need none."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_") and k not in ("CDK_OUTDIR", "CDK8S_OUTDIR")}
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    env["AWS_CONFIG_FILE"] = env["AWS_SHARED_CREDENTIALS_FILE"] = "/dev/null"
    env["PATH"] = f"{ROOT / 'node_modules' / '.bin'}:{ROOT / '.venv' / 'bin'}:{env['PATH']}"
    return env


@pytest.mark.cli
def test_cdk_cli_synthesizes_every_stack_offline(tmp_path: Path, templates):
    result = subprocess.run(
        ["cdk", "synth", "--output", str(tmp_path), "--no-version-reporting", "--no-notices", "--quiet"],
        cwd=ROOT, env=_cli_env(), capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stderr
    written = sorted(p.name.removesuffix(".template.json") for p in tmp_path.glob("*.template.json"))
    # Each environment's stack, plus the DR stack of each environment that replicates its backups.
    dr = [f"zacatl-{name}-dr" for name in templates if ENVIRONMENTS[name].backups.replication_region]
    assert written == sorted([f"zacatl-{name}" for name in templates] + dr)
    assert not (tmp_path / "00-namespace.yaml").exists()


@pytest.mark.cli
def test_cdk8s_cli_renders_every_environment(workloads_dir: Path):
    outdir = ROOT / "cdk8s.out"
    result = subprocess.run(["cdk8s", "synth", "--no-check-upgrade"], cwd=ROOT, env=_cli_env(),
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    assert _tree(outdir) == _tree(workloads_dir)
