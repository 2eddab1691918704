"""The kind path: the cluster config and the commands of `make local-up`, `make local-down` and the
npm scripts, checked offline (no Docker, no kind here): shapes, names and the files they reference.

Facts: ``zacatl_infra.facts.kind`` (kubernetes-sigs/kind v0.32.0).
"""

from __future__ import annotations

import os
import re
import shlex
import subprocess

import pytest

from zacatl_infra import naming
from zacatl_infra.facts import kind as kind_facts
from zacatl_infra.local import commands, compose, kind, package_scripts

from ..conftest import ENVIRONMENTS
from .conftest import LOCAL_ENVIRONMENT_NAMES, deployment_container


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_cluster_config_runs_the_environments_kubernetes_version_on_kinds_pod_network(local_files, env_name):
    config, env = local_files[env_name].kind_config, local_files[env_name].env
    assert (config["apiVersion"], config["kind"]) == ("kind.x-k8s.io/v1alpha4", "Cluster")
    assert config["name"] == naming.cluster_name(env)
    (node,) = config["nodes"]
    assert re.fullmatch(r"kindest/node:v(\d+\.\d+)\.\d+@sha256:[0-9a-f]{64}", node["image"]).group(1) == \
        env.cluster.kubernetes_version
    assert config["networking"]["podSubnet"] == kind_facts.POD_SUBNET
    # kindnetd enforces NetworkPolicy (facts.kind): the local policies hold on the laptop too.
    assert kind_facts.ENFORCES_NETWORK_POLICY


def test_cluster_config_fails_for_a_cloud_environment():
    with pytest.raises(ValueError, match="environment 'dev': a kind cluster is only for a local environment"):
        kind.cluster_config(ENVIRONMENTS["dev"])


def test_cluster_config_fails_when_kind_runs_another_kubernetes_version():
    env = ENVIRONMENTS[LOCAL_ENVIRONMENT_NAMES[0]]
    older = env.model_copy(update={"cluster": env.cluster.model_copy(update={"kubernetes_version": "1.34"})})
    with pytest.raises(ValueError, match=r"field cluster.kubernetes_version is '1.34', but kind v0.32.0 runs 1.36"):
        kind.cluster_config(older)


def test_cluster_config_fails_for_a_database_range_outside_the_pod_network():
    env = ENVIRONMENTS[LOCAL_ENVIRONMENT_NAMES[0]]
    spec = env.services[0]
    moved = spec.model_copy(update={"database": spec.database.model_copy(update={"egress_cidrs": ("10.96.0.0/12",)})})
    with pytest.raises(ValueError, match=r"database.egress_cidrs has '10.96.0.0/12', outside kind's pod network"):
        kind.cluster_config(env.model_copy(update={"services": (moved,)}))


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_local_up_loads_the_deployments_image_and_creates_its_secret(local_files, workloads, env_name):
    text, env = local_files[env_name].makefile, local_files[env_name].env
    for spec in env.services:
        _, container = deployment_container(workloads, env_name, spec)
        assert f"-t {container['image']} ." in text
        assert f"kind load docker-image {container['image']} " in text
        refs = {(v["valueFrom"]["secretKeyRef"]["name"], v["valueFrom"]["secretKeyRef"]["key"], v["name"])
                for v in container["env"] if "valueFrom" in v}
        for secret_name, key, variable in refs:
            assert f"create secret generic {secret_name} " in text
            assert f'--from-literal={key}="$${variable}"' in text
        assert f"rollout status deployment/{spec.name} " in text
    assert f"port-forward service/{env.services[0].name} {env.services[0].container_port}:80" in text


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_every_kubectl_command_names_the_kind_context(local_files, env_name):
    text = local_files[env_name].makefile
    assert f"LOCAL_CONTEXT := {kind.kube_context(local_files[env_name].env)}" in text
    recipes = [line for line in text.splitlines() if line.startswith("\t")]
    bare = [line for line in recipes if re.search(r"(^|[|;@\s])kubectl\s", line) and "kubectl;" not in line]
    assert not bare, bare


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_make_parses_local_mk_and_plans_every_step_on_files_that_exist(local_files, workloads_dir, env_name, tmp_path):
    # GNU make's dry run (-n) proves the fragment parses and the targets chain; the files the
    # commands name are this package's render and the workload layer's dist/<env>/.
    files = local_files[env_name]
    project = tmp_path / "project"
    (project / "dist").mkdir(parents=True)
    (project / commands.DIST_DIR).symlink_to(workloads_dir / env_name)
    (project / commands.KIND_DIR).symlink_to(files.root / "kind")
    (project / compose.COMPOSE_DIR).symlink_to(files.compose_dir)
    (project / "Makefile").write_text(f"include {commands.KIND_DIR}/{commands.MAKEFILE}\n")
    run = subprocess.run(["make", "-n", "local-up", "local-down"], cwd=project, capture_output=True, text=True,
                         env={**os.environ, "MONGO_URI": "unused-in-a-dry-run"}, timeout=60)
    assert run.returncode == 0, run.stderr
    planned = run.stdout
    for path in set(re.findall(r"(dist/\S+)", planned)):
        assert (project / path.rstrip("/")).exists(), path
    order = [planned.index(step) for step in ("docker build", "kind create cluster", "create secret generic",
                                              "kind load docker-image", "apply -f dist/local/\n", "rollout status",
                                              "port-forward", "kind delete cluster")]
    assert order == sorted(order), planned


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_npm_scripts_run_the_rendered_compose_files(local_files, env_name):
    scripts = package_scripts(local_files[env_name].env)
    assert set(scripts) == {"docker:dev", "docker:prod", "docker:clean"}
    for script in scripts.values():
        for command in script.split(" && "):
            words = shlex.split(command)
            assert words[:4] == ["docker", "compose", "--env-file", ".env"]
            file = words[words.index("-f") + 1]
            assert file.startswith(f"{compose.COMPOSE_DIR}/")
            assert (local_files[env_name].compose_dir / file.rsplit("/", 1)[1]).is_file()
    assert scripts["docker:dev"].endswith(f"{compose.DEVELOPMENT_FILE} up --build")
    assert scripts["docker:prod"].endswith(f"{compose.PRODUCTION_FILE} up --build --wait")
    assert scripts["docker:clean"].count("down --volumes") == 2
