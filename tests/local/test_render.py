"""``render_local_files``: the complete set of files, for local environments only."""

from __future__ import annotations

import pytest
import yaml

from zacatl_infra import naming
from zacatl_infra.local import ImageRecipe, compose, package_scripts, render_local_files

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


@pytest.mark.parametrize("deployment_dir", [".", "deploy", "infra/deploy"])
def test_every_path_resolves_in_a_service_repository_laid_out_that_way(environments, tmp_path, deployment_dir):
    # A service repository: package.json and src/ at its root, the deployment project (the folder
    # holding dist/) in `deployment_dir`, as `zacatl-infra init deploy` lays it out.
    root = tmp_path / "service"
    (root / "src").mkdir(parents=True)
    (root / "package.json").write_text("{}")
    env = environments[LOCAL_ENVIRONMENT_NAMES[0]]
    recipe = ImageRecipe(deployment_dir=deployment_dir)
    project = root / deployment_dir
    render_local_files(env, project / "dist" / "local", recipe)
    compose_dir = project / compose.COMPOSE_DIR
    for file in (compose.DEVELOPMENT_FILE, compose.PRODUCTION_FILE):
        for spec in env.services:
            service = yaml.safe_load((compose_dir / file).read_text())["services"][spec.name]
            # Compose resolves paths from the file's folder; the Dockerfile from the build context.
            context = (compose_dir / service["build"]["context"]).resolve()
            assert context == root.resolve()
            assert (context / service["build"]["dockerfile"]).is_file()
            for volume in service.get("volumes", []):
                assert (compose_dir / volume.split(":")[0]).resolve() == (root / "src").resolve()
    # npm scripts run from the service's root, make from the deployment project.
    for script in package_scripts(env, recipe).values():
        for command in script.split(" && "):
            words = command.split()
            assert (root / words[words.index("-f") + 1]).is_file()
    makefile = (project / "dist" / "local" / "kind" / "local.mk").read_text()
    for spec in env.services:
        build = next(line for line in makefile.splitlines() if f"-t {naming.image_uri(env, spec)} " in line)
        words = build.split()
        assert (project / words[words.index("-f") + 1]).is_file()
        assert (project / words[-1]).resolve() == root.resolve()
    ignored = (compose_dir / f"{env.services[0].name}.Dockerfile.dockerignore").read_text().splitlines()
    assert deployment_dir in ignored or deployment_dir == "."


@pytest.mark.parametrize("deployment_dir", ["../deploy", "/srv/deploy", "deploy/../.."])
def test_recipe_refuses_a_deployment_folder_outside_the_service(deployment_dir):
    with pytest.raises(ValueError, match=f"deployment_dir {deployment_dir!r} must be a folder inside"):
        ImageRecipe(deployment_dir=deployment_dir)
