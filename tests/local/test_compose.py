"""The compose files of every local environment: valid Compose, and the same contract as the cluster.

Schema: the Compose specification's JSON schema (``compose-spec/``, compose-spec/compose-spec at
170098ba07d9, Apache-2.0). The contract side is the rendered Deployment of the same service.
"""

from __future__ import annotations

import hashlib
import json
import re
from pathlib import Path

from urllib.parse import urlsplit

import jsonschema
import pytest

from zacatl_infra.config import presets
from zacatl_infra.local import compose

from .conftest import LOCAL_ENVIRONMENT_NAMES, deployment_container

SCHEMA = json.loads((Path(__file__).parent / "compose-spec" / "compose-spec.json").read_text())
#: The schema declares draft-07 under a URL jsonschema does not map to a draft: name the draft here.
VALIDATOR = jsonschema.Draft7Validator(SCHEMA)
FILES = (compose.DEVELOPMENT_FILE, compose.PRODUCTION_FILE)
_INTERPOLATION = re.compile(r"\$\{([A-Z_][A-Z0-9_]*):\?[^}]*\}")


def _pairs(local_files, workloads, env_name: str, file: str):
    """(spec, Deployment pod spec, its container, the compose service) for each service of the environment."""
    services = local_files[env_name].compose(file)["services"]
    for spec in local_files[env_name].env.services:
        pod, container = deployment_container(workloads, env_name, spec)
        yield spec, pod, container, services[spec.name]


def _health_url(service: dict) -> str:
    """The URL a compose health check (``node -e`` with a fetch) requests."""
    test = service["healthcheck"]["test"]
    assert test[0] == "CMD" and test[2] == "-e", test
    (url,) = re.findall(r'fetch\("([^"]+)"', test[3])
    return url


@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_compose_files_validate_against_the_compose_schema(local_files, env_name, file):
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in VALIDATOR.iter_errors(local_files[env_name].compose(file))]
    assert not errors, errors


def test_vendored_schema_is_the_recorded_upstream_copy():
    # compose-spec/README.md records the checksum of schema/compose-spec.json at compose-spec 170098ba07d9.
    digest = hashlib.sha256((Path(__file__).parent / "compose-spec" / "compose-spec.json").read_bytes()).hexdigest()
    assert digest in (Path(__file__).parent / "compose-spec" / "README.md").read_text().replace("\n", "")


def test_schema_check_fails_on_an_invalid_file(local_files):
    broken = local_files[LOCAL_ENVIRONMENT_NAMES[0]].production
    next(iter(broken["services"].values()))["restart_policy"] = "always"  # not a service field
    assert list(VALIDATOR.iter_errors(broken))


@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_each_service_gets_exactly_the_variables_of_its_deployment(local_files, workloads, env_name, file):
    for spec, _, container, service in _pairs(local_files, workloads, env_name, file):
        settings = workloads[env_name].one("ConfigMap", f"{spec.name}-settings").get("data") or {}
        # Deployment: plain values and secretKeyRefs in `env`, the ConfigMap through `envFrom`.
        plain = {v["name"]: v["value"] for v in container["env"] if "value" in v} | settings
        secret = {v["name"] for v in container["env"] if "valueFrom" in v}
        environment = service["environment"]
        assert set(environment) == set(plain) | secret
        assert {k: v.replace("$$", "$") for k, v in environment.items() if k in plain} == plain
        for name in secret:
            assert _INTERPOLATION.fullmatch(environment[name]).group(1) == name, environment[name]


@pytest.mark.parametrize("file", FILES)
@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_port_user_and_health_path_are_the_deployments(local_files, workloads, env_name, file):
    for _, pod, container, service in _pairs(local_files, workloads, env_name, file):
        (port,) = [p["containerPort"] for p in container["ports"]]
        assert [p.rsplit(":", 1)[1] for p in service["ports"]] == [str(port)]
        assert all(p.startswith("127.0.0.1:") for p in service["ports"]), "published beyond loopback"
        security = container["securityContext"]
        assert service["user"] == f"{security['runAsUser']}:{security['runAsGroup']}"
        readiness = container["readinessProbe"]
        url = urlsplit(_health_url(service))
        assert (url.hostname, url.port, url.path) == ("127.0.0.1", readiness["httpGet"]["port"], readiness["httpGet"]["path"])
        # "healthy" in compose means what "ready" means in the cluster; the start period is startup's budget.
        health = service["healthcheck"]
        assert (health["interval"], health["timeout"], health["retries"]) == (
            f"{readiness['periodSeconds']}s", f"{readiness['timeoutSeconds']}s", readiness["failureThreshold"])
        startup = container["startupProbe"]
        assert health["start_period"] == f"{startup['periodSeconds'] * startup['failureThreshold']}s"
        # Compose's stop grace covers the app's own shutdown; the cluster adds the preStop sleep before it.
        pre_stop = container["lifecycle"]["preStop"]["sleep"]["seconds"]
        assert int(service["stop_grace_period"].rstrip("s")) + pre_stop <= pod["terminationGracePeriodSeconds"]


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_production_stack_runs_the_clusters_image_as_hardened_as_the_deployment(local_files, workloads, env_name):
    for _, pod, container, service in _pairs(local_files, workloads, env_name, compose.PRODUCTION_FILE):
        assert service["image"] == container["image"]
        assert service["build"]["target"] == "runtime"
        assert service["read_only"] is container["securityContext"]["readOnlyRootFilesystem"] is True
        assert "volumes" not in service, "the production-like stack mounts nothing into the service"
        assert service["cap_drop"] == container["securityContext"]["capabilities"]["drop"] == ["ALL"]
        assert "no-new-privileges:true" in service["security_opt"]
        # /tmp is the only writable path, capped as the Deployment's emptyDir is.
        (tmp_mount,) = container["volumeMounts"]
        (tmp_volume,) = [v for v in pod["volumes"] if v["name"] == tmp_mount["name"]]
        assert tmp_mount["mountPath"] == "/tmp"
        assert service["tmpfs"] == [f"/tmp:size={tmp_volume['emptyDir']['sizeLimit'].removesuffix('Mi')}m"]
        # NODE_OPTIONS sizes the heap from the memory limit: compose must enforce that same limit.
        assert service["mem_limit"] == container["resources"]["limits"]["memory"].removesuffix("Mi") + "m"
        assert service["cpus"] * 1000 == int(container["resources"]["limits"]["cpu"].removesuffix("m"))


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_development_stack_reloads_from_sources_and_waits_for_a_healthy_mongodb(local_files, env_name):
    dev = local_files[env_name].development
    mongodb = dev["services"][compose.MONGODB_SERVICE]
    volume = mongodb["volumes"][0].split(":")[0]
    assert volume in dev["volumes"], "MongoDB's data is on a named volume"
    assert mongodb["healthcheck"]["test"][:2] == ["CMD", "mongosh"]
    assert dev["services"][compose.REDIS_SERVICE]["profiles"] == [compose.REDIS_PROFILE], "Redis is opt-in"
    for spec in local_files[env_name].env.services:
        service = dev["services"][spec.name]
        assert service["build"]["target"] == "dev"
        assert all(v.endswith(":ro") and v.startswith(f"{compose.PROJECT_ROOT}/") for v in service["volumes"])
        if spec.database:
            assert service["depends_on"] == {compose.MONGODB_SERVICE: {"condition": "service_healthy"}}


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_no_secret_value_in_the_compose_files_or_the_env_example(local_files, env_name):
    files = local_files[env_name]
    secrets = {ref.env_var for spec in files.env.services for ref in spec.all_secrets}
    secrets |= {compose.MONGODB_ROOT_PASSWORD}
    for file in FILES:
        text = (files.compose_dir / file).read_text()
        # Every `$` is a required interpolation or an escaped literal (`$$`): no default value sneaks in.
        assert text.replace("$$", "").count("$") == len(_INTERPOLATION.findall(text)), file
        assert not re.search(r"://[^/\s:@]+:[^/\s@]+@", text), f"{file}: a URL with credentials"
        for service in files.compose(file)["services"].values():
            for name, value in (service.get("environment") or {}).items():
                if name in secrets or "PASSWORD" in name:
                    assert _INTERPOLATION.fullmatch(value), f"{file}: {name} has a literal value"
    example = dict(line.split("=", 1) for line in files.env_example.splitlines() if line and not line.startswith("#"))
    assert {name: example[name] for name in secrets} == dict.fromkeys(secrets, "")


@pytest.mark.parametrize("env_name", LOCAL_ENVIRONMENT_NAMES)
def test_env_example_lists_every_variable_the_compose_files_use(local_files, env_name):
    files = local_files[env_name]
    example = dict(line.split("=", 1) for line in files.env_example.splitlines() if line and not line.startswith("#"))
    for file in FILES:
        text = (files.compose_dir / file).read_text()
        assert set(_INTERPOLATION.findall(text)) <= set(example), file
        for spec in files.env.services:
            environment = files.compose(file)["services"][spec.name]["environment"]
            assert set(environment) <= set(example)
            assert {k: v.replace("$$", "$") for k, v in environment.items() if not _INTERPOLATION.fullmatch(v)} == {
                k: example[k] for k, v in environment.items() if not _INTERPOLATION.fullmatch(v)}


def test_a_service_without_database_neither_waits_for_nor_reads_mongodb():
    env = presets.environment("local", name="local", domain="zacatl.localtest.me", services=(
        presets.service("local", name="worker-api", image={"tag": "dev"}, container_port=3000,
                        health={"readiness_path": "/ready"}),))
    dev, prod = compose.development(env), compose.production(env)
    for stack in (dev, prod):
        assert "depends_on" not in stack["services"]["worker-api"]
        assert "MONGO_URI" not in stack["services"]["worker-api"]["environment"]
        assert stack["services"]["worker-api"]["ports"] == ["127.0.0.1:3000:3000"]
    assert not list(VALIDATOR.iter_errors(dev)) and not list(VALIDATOR.iter_errors(prod))


def test_fails_when_two_services_would_publish_the_same_port():
    env = presets.environment("local", name="local", domain="zacatl.localtest.me", services=tuple(
        presets.service("local", name=name, image={"tag": "dev"}, container_port=3000, health={"readiness_path": "/ready"},
                        ingress_path=f"/{name}") for name in ("a-api", "b-api")))
    with pytest.raises(ValueError, match="service 'b-api': field container_port 3000 is also 'a-api''s"):
        compose.development(env)
    with pytest.raises(ValueError, match="container_port 3000 is also 'a-api''s"):
        compose.production(env)


def test_a_dollar_in_a_setting_reaches_the_container_unchanged():
    env = presets.environment("local", name="local", domain="zacatl.localtest.me", services=(
        presets.service("local", name="shop-api", image={"tag": "dev"}, container_port=3000, env={"PRICE_FORMAT": "$0.00"},
                        health={"readiness_path": "/ready"}),))
    assert compose.development(env)["services"]["shop-api"]["environment"]["PRICE_FORMAT"] == "$$0.00"
    assert "PRICE_FORMAT=$0.00" in compose.env_example(env).splitlines()
