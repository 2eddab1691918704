"""``render_local_files``: the complete set of files, for local environments only."""

from __future__ import annotations

import pytest

from zacatl_infra.local import render_local_files

from ..conftest import ENVIRONMENTS
from .conftest import LOCAL_ENVIRONMENT_NAMES


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_renders_compose_and_kind_files_for_every_service(local_files, env_name):
    files = local_files[env_name]
    written = sorted(str(p.relative_to(files.root)) for p in files.root.rglob("*") if p.is_file())
    per_service = [f"compose/{s.name}.Dockerfile{suffix}" for s in files.env.services for suffix in ("", ".dockerignore")]
    assert written == sorted(["compose/docker-compose.yml", "compose/docker-compose.prod.yml", "compose/.env.example",
                              "kind/cluster.yaml", "kind/local.mk", *per_service])
    for path in files.root.rglob("*"):
        if path.is_file():
            assert "rendered by zacatl-infra" in path.read_text().splitlines()[0], path


def test_refuses_a_cloud_environment_and_writes_nothing(tmp_path):
    with pytest.raises(ValueError, match="environment 'prod': a kind cluster is only for a local environment"):
        render_local_files(ENVIRONMENTS["prod"], tmp_path / "out")
    assert not (tmp_path / "out").exists()


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_the_workload_layer_renders_the_same_files_beside_the_manifests(local_files, workloads_dir, env_name):
    # synth.render_workloads (what `make synth` and `cdk8s synth` run) writes them into dist/<env>/,
    # so the committed dist/ freshness test (tests/test_synth.py) covers them too.
    files = local_files[env_name]
    for path in files.root.rglob("*"):
        if path.is_file():
            assert (workloads_dir / env_name / path.relative_to(files.root)).read_text() == path.read_text(), path
