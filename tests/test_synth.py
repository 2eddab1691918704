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
from .jobs import CliRun


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

    def broken(envs, outdir, **_):
        (outdir / "dev").mkdir(parents=True)
        (outdir / "dev" / "00-namespace.yaml").write_text("half written\n")
        raise RuntimeError("construct failed half way")

    # The cloud layer is not what this test breaks: it comes from the session's synth, not a new one.
    monkeypatch.setattr("zacatl_infra.synth.synth_cloud", lambda envs, outdir, context=None, **_: None)
    monkeypatch.setattr("zacatl_infra.synth.render_workloads", broken)
    with pytest.raises(RuntimeError, match="half way"):
        synth_all(scratch_project)
    assert _tree(scratch_project.dist_dir) == before
    assert not list(scratch_project.root.glob(".dist-*"))


def test_full_synth_swaps_in_every_environment_and_prunes_removed_ones(scratch_project: Project, workloads_dir: Path,
                                                                     monkeypatch: pytest.MonkeyPatch):
    # What is under test is the staging and the swap: each layer's rendering is the session's (each
    # environment is synthesized once per run), copied where synth_all asks for it.
    def render_from_session(envs, outdir, **_):
        for env in envs:
            shutil.copytree(workloads_dir / env.name, outdir / env.name)

    monkeypatch.setattr("zacatl_infra.synth.synth_cloud", lambda envs, outdir, context=None, **_: None)
    monkeypatch.setattr("zacatl_infra.synth.render_workloads", render_from_session)
    (scratch_project.dist_dir / "retired").mkdir()
    (scratch_project.dist_dir / "retired" / "00-namespace.yaml").write_text("old\n")
    (scratch_project.dist_dir / "dev" / "00-namespace.yaml").write_text("stale\n")
    synth_all(scratch_project)
    assert sorted(p.name for p in scratch_project.dist_dir.iterdir()) == ENVIRONMENT_NAMES
    assert not filecmp.dircmp(scratch_project.dist_dir / "dev", ROOT / "dist" / "dev").diff_files


@pytest.mark.cli
def test_cdk_cli_synthesizes_every_stack_offline(cdk_cli: CliRun, templates):
    # The session's cloud layer is this run (tests/jobs.py): `cdk synth` without AWS credentials.
    outdir = cdk_cli.check()
    written = sorted(p.name.removesuffix(".template.json") for p in outdir.glob("*.template.json"))
    # Each environment's stack, plus the DR stack of each environment that replicates its backups.
    dr = [f"zacatl-{name}-dr" for name in templates if ENVIRONMENTS[name].backups.replication_region]
    assert written == sorted([f"zacatl-{name}" for name in templates] + dr)
    assert not (outdir / "00-namespace.yaml").exists()


@pytest.mark.cli
def test_cdk8s_cli_renders_every_environment(cdk8s_cli: CliRun):
    # The session's workload layer is this run; test_committed_dist_equals_a_fresh_synth compares it,
    # file by file, with dist/ as `python app.py` wrote it.
    outdir = cdk8s_cli.check()
    assert sorted(p.name for p in outdir.iterdir() if p.is_dir()) == ENVIRONMENT_NAMES
    assert all(list((outdir / name).glob("*.yaml")) for name in ENVIRONMENT_NAMES)
