"""The kind path's Secrets: `make local-up` (the real make, stub docker/kind/kubectl from test_kind.py)
creates every Secret the rendered `dist/local/` reads, with the keys it reads; the in-cluster MongoDB's
root password is made once and read back on later runs; the services' connection string names that
MongoDB as the rendered Service and StatefulSet expose it.

Facts (``mongo-root-user.json``, with its source): the official mongo image's entrypoint creates the
``MONGO_INITDB_ROOT_*`` user in the ``admin`` database, and only on a first start with an empty data
directory: so ``authSource=admin``, and a later password change in the Secret would not reach a
database already initialised. Secret references a pod can make: env
``valueFrom.secretKeyRef``, ``envFrom[].secretRef``, volume ``secret`` (Kubernetes API reference,
core/v1 PodSpec, 1.36).
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from zacatl_infra import naming
from zacatl_infra.local import commands

from .conftest import LOCAL_ENVIRONMENT_NAMES
from .test_kind import _make, _project

MONGO_ROOT_USER = json.loads((Path(__file__).parent / "mongo-root-user.json").read_text())
_CREATE = re.compile(r"create secret generic (\S+)((?: --from-literal=\S+)*)")


def _referenced_secrets(node, found: set[tuple[str, str | None]]) -> set[tuple[str, str | None]]:
    """Every (Secret name, key or None for the whole Secret) a manifest's pods read, at any depth."""
    if isinstance(node, dict):
        if "secretKeyRef" in node:
            found.add((node["secretKeyRef"]["name"], node["secretKeyRef"]["key"]))
        if isinstance(node.get("secretRef"), dict):
            found.add((node["secretRef"]["name"], None))
        if isinstance(node.get("secret"), dict) and "secretName" in node["secret"]:
            items = node["secret"].get("items") or [{"key": None}]
            found.update((node["secret"]["secretName"], item["key"]) for item in items)
        for value in node.values():
            _referenced_secrets(value, found)
    elif isinstance(node, list):
        for value in node:
            _referenced_secrets(value, found)
    return found


def test_the_reference_walker_finds_every_form_a_pod_reads_a_secret_in():
    pod = {"containers": [{"env": [{"name": "A", "valueFrom": {"secretKeyRef": {"name": "one", "key": "a"}}}],
                           "envFrom": [{"secretRef": {"name": "two"}}]}],
           "volumes": [{"name": "v", "secret": {"secretName": "three", "items": [{"key": "c", "path": "c"}]}},
                       {"name": "w", "secret": {"secretName": "four"}}]}
    assert _referenced_secrets(pod, set()) == {("one", "a"), ("two", None), ("three", "c"), ("four", None)}


def _created_by_make(calls: list[str]) -> dict[str, dict[str, str]]:
    """Secrets the logged kubectl calls created: name -> {key: value}."""
    created: dict[str, dict[str, str]] = {}
    for call in calls:
        if call.startswith("kubectl ") and (match := _CREATE.search(call)):
            literals = re.findall(r"--from-literal=([^=\s]+)=(\S*)", match.group(2))
            created.setdefault(match.group(1), {}).update(literals)
    return created


def _run_up(tmp_path, local_files, workloads_dir, env_name, **variables) -> tuple[object, list[str]]:
    project = tmp_path / "project"
    if not project.exists():
        _project(tmp_path, workloads_dir, local_files[env_name], env_name)
    log = tmp_path / "calls.log"
    start = len(log.read_text().splitlines()) if log.exists() else 0
    run = _make(project, tmp_path / "bin", log, "local-up", **variables)
    assert run.returncode == 0, run.stdout + run.stderr
    return run, log.read_text().splitlines()[start:]


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_every_secret_dist_local_reads_is_created_with_its_keys(local_files, workloads, workloads_dir, env_name,
                                                               tmp_path):
    # The contract a new user's trial broke: a pod of dist/local/ naming a Secret nobody creates.
    objects = workloads[env_name].objects
    referenced = _referenced_secrets(objects, set())
    assert (naming.IN_CLUSTER_DATABASE_SECRET, "password") in referenced, "the rendered MongoDB reads its root user"
    assert naming.runs_in_cluster_database(local_files[env_name].env) == \
        bool(workloads[env_name].find("StatefulSet", naming.IN_CLUSTER_DATABASE)), "local.mk and dist/local/ agree"
    in_manifests = {o["metadata"]["name"]: set(o.get("data", {})) | set(o.get("stringData", {}))
                    for o in objects if o["kind"] == "Secret"}
    _, calls = _run_up(tmp_path, local_files, workloads_dir, env_name)
    by_make = {name: set(keys) for name, keys in _created_by_make(calls).items()}
    missing = [(name, key) for name, key in sorted(referenced, key=str)
               if name not in in_manifests | by_make or (key is not None and key not in (in_manifests | by_make)[name])]
    assert not missing, f"Secrets read by dist/local/ but created by nobody: {missing}"


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_local_up_twice_creates_the_root_secret_once_and_keeps_its_password(local_files, workloads_dir, env_name,
                                                                          tmp_path):
    assert MONGO_ROOT_USER["root_user_created_only_on_an_empty_data_directory"]
    root = naming.IN_CLUSTER_DATABASE_SECRET
    _, first = _run_up(tmp_path, local_files, workloads_dir, env_name)
    created = _created_by_make(first)
    password = created[root]["password"]
    assert re.fullmatch(r"[0-9a-f]{48}", password), "24 random bytes, hex"
    # A second run, even with a new LOCAL_MONGODB_PASSWORD, must not change what the database runs with.
    run, second = _run_up(tmp_path, local_files, workloads_dir, env_name, **{commands.PASSWORD_VARIABLE: "other"})
    assert not any(_CREATE.search(c) and f" {root} " in c + " " for c in second if "--dry-run" not in c), second
    assert f"Secret {root} keeps the password" in run.stdout
    for calls in (first, second):
        uris = [v for keys in _created_by_make(calls).values() for k, v in keys.items() if v.startswith("mongodb://")]
        assert uris and all(urlsplit(u).password == password for u in uris), uris
    # A fresh cluster takes the given password.
    fresh = tmp_path / "fresh"
    fresh.mkdir()
    _, calls = _run_up(fresh, local_files, workloads_dir, env_name, **{commands.PASSWORD_VARIABLE: "s3cret-pw"})
    assert _created_by_make(calls)[root] == {"username": commands.ROOT_USERNAME, "password": "s3cret-pw"}


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_a_password_that_needs_uri_encoding_is_refused(local_files, workloads_dir, env_name, tmp_path):
    _project(tmp_path, workloads_dir, local_files[env_name], env_name)
    run = _make(tmp_path / "project", tmp_path / "bin", tmp_path / "calls.log", "local-up",
                **{commands.PASSWORD_VARIABLE: "p@ss:word"})
    assert run.returncode != 0 and f"{commands.PASSWORD_VARIABLE} may hold only" in run.stderr
    assert "create secret" not in (tmp_path / "calls.log").read_text()


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_the_connection_string_names_the_rendered_mongodb_as_its_root_user(local_files, workloads, workloads_dir,
                                                                           env_name, tmp_path):
    env, rendered = local_files[env_name].env, workloads[env_name]
    stateful_set = rendered.one("StatefulSet")
    service = rendered.one("Service", stateful_set["spec"]["serviceName"])
    pod_labels = stateful_set["spec"]["template"]["metadata"]["labels"]
    assert service["spec"]["selector"].items() <= pod_labels.items(), "the Service reaches the database pod"
    (mongod,) = stateful_set["spec"]["template"]["spec"]["containers"]
    container_ports = {p["containerPort"] for p in mongod["ports"]}
    _, calls = _run_up(tmp_path, local_files, workloads_dir, env_name)
    created = _created_by_make(calls)
    root = created[naming.IN_CLUSTER_DATABASE_SECRET]
    checked = 0
    for spec in env.services:
        if not spec.database:
            continue
        uri = urlsplit(created[naming.kubernetes_secret_name(spec)][spec.database.connection_secret.key])
        assert uri.scheme == "mongodb"
        assert uri.hostname == f"{service['metadata']['name']}.{service['metadata']['namespace']}.svc"
        assert uri.port in {p["port"] for p in service["spec"]["ports"]} and uri.port in container_ports
        assert uri.path == f"/{spec.database.name}"
        assert parse_qs(uri.query) == {"authSource": [MONGO_ROOT_USER["root_auth_database"]]}
        assert (uri.username, uri.password) == (root["username"], root["password"])
        # The policies let this service's pods reach the pod the URI names, on its port.
        service_pods = rendered.one("Deployment", spec.name)["spec"]["template"]["metadata"]["labels"]
        egress = rendered.one("NetworkPolicy", spec.name)["spec"]["egress"]
        assert any(uri.port in {p["port"] for p in rule.get("ports", [])} and any(
            peer.get("podSelector", {}).get("matchLabels", {}).items() <= pod_labels.items() and "namespaceSelector"
            not in peer for peer in rule.get("to", [])) for rule in egress), egress
        ingress = rendered.one("NetworkPolicy", stateful_set["metadata"]["name"])["spec"]["ingress"]
        assert any(uri.port in {p["port"] for p in rule.get("ports", [])} and any(
            peer.get("podSelector", {}).get("matchLabels", {}).items() <= service_pods.items()
            for peer in rule.get("from", [])) for rule in ingress), ingress
        checked += 1
    assert checked, "the committed local environment has a service with a database"
