"""The kind path: the cluster config and the commands of `make local-up`, `make local-down` and the
npm scripts, checked offline (no Docker, no kind here): shapes, names and the files they reference.

Facts: ``zacatl_infra.facts.kind`` (kubernetes-sigs/kind v0.32.0).
"""

from __future__ import annotations

import os
import re
import shlex
import shutil
import subprocess

import pytest

from zacatl_infra import naming
from zacatl_infra.config import presets
from zacatl_infra.facts import kind as kind_facts
from zacatl_infra.local import commands, compose, kind, package_scripts, render_local_files
from zacatl_infra.synth import render_workloads

from ..conftest import ENVIRONMENTS
from .conftest import LOCAL_ENVIRONMENT_NAMES, LocalFiles, deployment_container


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
            # The connection string names the environment's own MongoDB; the rest come from the shell.
            in_cluster = spec.database and variable == spec.database.connection_secret.env_var
            assert (f'--from-literal={key}="mongodb://' if in_cluster else f'--from-literal={key}="$${variable}"') in text
        assert f"rollout status deployment/{spec.name} " in text
    assert f"port-forward service/{env.services[0].name} {env.services[0].container_port}:80" in text


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_every_kubectl_command_names_the_kind_context(local_files, env_name):
    text = local_files[env_name].makefile
    assert f"LOCAL_CONTEXT := {kind.kube_context(local_files[env_name].env)}" in text
    recipes = [line for line in text.splitlines() if line.startswith("\t")]
    bare = [line for line in recipes if re.search(r"(^|[|;@\s])kubectl\s", line) and "kubectl;" not in line]
    assert not bare, bare


#: Stands in for docker, kind and kubectl: logs its name and arguments, answers what local.mk reads. kubectl keeps
#: the Secrets it creates (not the --dry-run ones) in $STUB_STATE/<name>/<key>, as a cluster would, and answers
#: `get secret <name>` and `-o jsonpath={.data.<key>}` (base64, as kubectl prints a Secret's data) from them.
_STUB = """#!/bin/sh
echo "$(basename "$0") $*" >> "$STUB_LOG"
case "$(basename "$0") $*" in
  "kind version") echo "kind v0.32.0 go1.25 linux/amd64" ;;
  "kind get clusters") ;;
  kubectl*" get secret "*)
    name=$(echo "$*" | sed 's/.* get secret \\([^ ]*\\).*/\\1/')
    [ -d "$STUB_STATE/$name" ] || exit 1
    key=$(echo "$*" | sed -n 's/.*jsonpath={[.]data[.]\\([^}]*\\)}.*/\\1/p')
    [ -z "$key" ] || base64 < "$STUB_STATE/$name/$key" | tr -d '\\n' ;;
  kubectl*" get "*) exit 1 ;;
  kubectl*"--dry-run=client -o yaml") echo "kind: Secret" ;;
  kubectl*" create secret generic "*)
    name=""; for arg in "$@"; do
      case "$arg" in
        --from-literal=*) kv="${arg#--from-literal=}"; printf '%s' "${kv#*=}" > "$STUB_STATE/$name/${kv%%=*}" ;;
        -*|create|secret|generic) ;;
        *) [ -n "$name" ] || [ "$prev" != generic ] || { name="$arg"; mkdir -p "$STUB_STATE/$name"; } ;;
      esac; prev="$arg"
    done ;;
  kubectl*"apply -f -") cat > /dev/null ;;
esac
"""


def _project(tmp_path, workloads_dir, files, env_name):
    """A project folder with the rendered files where local.mk expects them, and stub tools on PATH."""
    project, bin_dir = tmp_path / "project", tmp_path / "bin"
    # Copies, never links: the session's rendered folders must stay as they are for the other tests.
    shutil.copytree(workloads_dir / env_name, project / commands.DIST_DIR)
    shutil.copytree(files.root / "kind", project / commands.KIND_DIR, dirs_exist_ok=True)
    shutil.copytree(files.compose_dir, project / compose.COMPOSE_DIR, dirs_exist_ok=True)
    (project / "Makefile").write_text(f"include {commands.KIND_DIR}/{commands.MAKEFILE}\n")
    bin_dir.mkdir()
    for tool in ("docker", "kind", "kubectl"):
        (bin_dir / tool).write_text(_STUB)
        (bin_dir / tool).chmod(0o755)
    return project, bin_dir


def _make(project, bin_dir, log, *targets, **variables):
    env = {k: v for k, v in os.environ.items() if k not in ("MONGO_URI", "MAKEFLAGS", "MFLAGS")}
    state = log.parent / "cluster-state"
    state.mkdir(exist_ok=True)
    env = {k: v for k, v in env.items() if k != commands.PASSWORD_VARIABLE}
    env |= {"PATH": f"{bin_dir}:{env['PATH']}", "STUB_LOG": str(log), "STUB_STATE": str(state), **variables}
    return subprocess.run(["make", *targets], cwd=project, capture_output=True, text=True, env=env, timeout=60)


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_local_up_and_down_run_every_step_in_order_on_files_that_exist(local_files, workloads_dir, env_name, tmp_path):
    # The real make runs local.mk with docker, kind and kubectl replaced by stubs that log each call.
    files = local_files[env_name]
    project, bin_dir = _project(tmp_path, workloads_dir, files, env_name)
    log = tmp_path / "calls.log"
    run = _make(project, bin_dir, log, "local-up", "local-down")
    assert run.returncode == 0, run.stdout + run.stderr
    calls = log.read_text().splitlines()
    for path in {p for call in calls for p in re.findall(r"(dist/\S+)", call)}:
        assert (project / path.rstrip("/")).exists(), path
    kubectl = [c for c in calls if c.startswith("kubectl ")]
    assert kubectl and all(c.startswith(f"kubectl --context {kind.kube_context(files.env)} ") for c in kubectl)
    steps = [r"docker build ", r"kind create cluster ", r" apply -f dist/local/00-namespace\.yaml$",
             rf" create secret generic {naming.IN_CLUSTER_DATABASE_SECRET} ", r" create secret generic \S+-secrets ",
             r"kind load docker-image ", r" apply -f dist/local/$", r" rollout status ",
             r" port-forward ", r"kind delete cluster "]
    order = [next(i for i, c in enumerate(calls) if re.search(step, c)) for step in steps]
    assert order == sorted(order), calls
    # The environment renders its own MongoDB: local.mk starts no second one (it once could, in a
    # namespace the services' NetworkPolicy never admitted).
    assert not any(" run mongodb " in c for c in calls), calls


def _with_ledger(tmp_path):
    """The committed local environment plus a second service with a secret of its own (LEDGER_TOKEN),
    rendered into tmp_path: (env, project, bin_dir)."""
    base = ENVIRONMENTS[LOCAL_ENVIRONMENT_NAMES[0]]
    ledger = presets.service("local", name="ledger-api", image={"tag": "dev"}, container_port=3000,
                             health={"readiness_path": "/ready"}, ingress_path="/ledger",
                             secrets=({"env_var": "LEDGER_TOKEN", "key": "ledger-token"},))
    env = base.model_copy(update={"services": (*base.services, ledger)})
    render_workloads([env], tmp_path / "dist")
    render_local_files(env, tmp_path / "local")
    project, bin_dir = _project(tmp_path, tmp_path / "dist", LocalFiles(env, tmp_path / "local"), env.name)
    return env, project, bin_dir


def test_local_up_stops_before_any_secret_when_a_secret_variable_is_missing(tmp_path):
    _, project, bin_dir = _with_ledger(tmp_path)
    log = tmp_path / "calls.log"
    run = _make(project, bin_dir, log, "local-up")
    assert run.returncode != 0 and "LEDGER_TOKEN: export LEDGER_TOKEN first" in run.stderr
    calls = log.read_text()
    assert "create secret" not in calls and "apply -f dist/local/\n" not in calls
    assert "run mongodb" not in calls


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


def test_local_up_builds_loads_and_waits_for_every_service(tmp_path):
    # Two services, one with a database: each gets its image, Secret and rollout; the first is forwarded.
    env, project, bin_dir = _with_ledger(tmp_path)
    log = tmp_path / "calls.log"
    run = _make(project, bin_dir, log, "local-up", LEDGER_TOKEN="t0ken")
    assert run.returncode == 0, run.stdout + run.stderr
    calls = log.read_text()
    for spec in env.services:
        image = naming.image_uri(env, spec)
        assert f"-t {image} ." in calls and f"kind load docker-image {image} " in calls
        assert f"create secret generic {naming.kubernetes_secret_name(spec)} " in calls
        assert f"rollout status deployment/{spec.name} " in calls
    assert "--from-literal=ledger-token=t0ken" in calls
    assert "port-forward service/greetings-api 8082:80" in calls


def test_local_up_starts_no_mongodb_when_no_service_has_a_database(tmp_path):
    # A service without `database` (the scaffold's first service) reads no MongoDB: none is started.
    base = ENVIRONMENTS[LOCAL_ENVIRONMENT_NAMES[0]]
    worker = presets.service("local", name="billing-worker", image={"tag": "dev"}, container_port=3000,
                             health={"readiness_path": "/ready"})
    env = base.model_copy(update={"services": (worker,)})
    render_workloads([env], tmp_path / "dist")
    render_local_files(env, tmp_path / "local")
    project, bin_dir = _project(tmp_path, tmp_path / "dist", LocalFiles(env, tmp_path / "local"), env.name)
    log = tmp_path / "calls.log"
    run = _make(project, bin_dir, log, "local-up")
    assert run.returncode == 0, run.stdout + run.stderr
    calls = log.read_text()
    assert "run mongodb" not in calls
    # Nothing renders a MongoDB (no 15-database.yaml StatefulSet), so no root Secret is made for one.
    assert not naming.runs_in_cluster_database(env) and not (tmp_path / "dist" / env.name / "15-database.yaml").exists()
    assert naming.IN_CLUSTER_DATABASE_SECRET not in calls
    assert "rollout status deployment/billing-worker " in calls
