"""The rendered Deployment of every service in every environment against the Zacatl runtime contract
(``zacatl_infra.facts.zacatl``: sentzunhat/zacatl v0.0.61, the files each fact names)."""

from __future__ import annotations

import pytest

from zacatl_infra import naming
from zacatl_infra.facts import zacatl

from ..conftest import ENVIRONMENT_NAMES


def _containers(workloads, environments, env_name):
    env = environments[env_name]
    for spec in env.services:
        deployment = workloads[env_name].one("Deployment", spec.name)
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            yield env, spec, deployment["spec"]["template"]["spec"], container


def _commands(node):
    """Every exec command anywhere under a probe or lifecycle hook."""
    if isinstance(node, dict):
        for key, value in node.items():
            if key == "exec":
                yield value["command"]
            else:
                yield from _commands(value)
    elif isinstance(node, list):
        for value in node:
            yield from _commands(value)


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_every_variable_of_the_contract_is_set_from_the_right_source(workloads, environments, env_name):
    for env, spec, _, container in _containers(workloads, environments, env_name):
        variables = {v["name"]: v for v in container["env"]}
        assert len(variables) == len(container["env"]), "a variable is set twice"
        # config.ts of fastify-mongodb-react: MONGO_URI, from the service's Secret, never inline.
        database_variable = spec.database.connection_secret.env_var
        assert database_variable == zacatl.DATABASE_URL.name
        assert variables[database_variable]["valueFrom"]["secretKeyRef"] == {
            "name": naming.kubernetes_secret_name(spec), "key": spec.database.connection_secret.key,
            "optional": False}
        # index-policy.ts and pino/config.ts: APP_ENV is the environment's name, or its tier's where the
        # name would turn index building on boot on in prod or staging (runtime.app_env; the index mode
        # itself is checked by test_index_boot_mode_follows_the_environment).
        expected = env.name if (env.name in zacatl.INDEX_BOOT_OFF_ENVIRONMENTS) is (
            env.tier in ("prod", "staging")) else env.tier
        assert variables[zacatl.APP_ENV.name]["value"] == expected
        # The port the app listens on is the port the container, probes and Service use.
        assert variables[zacatl.PORT.name]["value"] == str(spec.container_port)
        assert [p["containerPort"] for p in container["ports"]] == [spec.container_port]
        # pino/config.ts: only "production" gives JSON logs; local gets pretty output.
        assert variables[zacatl.NODE_ENV.name]["value"] == ("development" if env.is_local else "production")
        assert variables[zacatl.LOG_LEVEL.name]["value"] == env.log_level
        assert variables[zacatl.SERVICE_NAME.name]["value"] == spec.name


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_index_boot_mode_follows_the_environment(workloads, environments, env_name):
    # prod and staging must not build indexes from every booting pod (index-policy.ts: off there).
    for env, _, _, container in _containers(workloads, environments, env_name):
        app_env = {v["name"]: v.get("value") for v in container["env"]}[zacatl.APP_ENV.name]
        assert (app_env in zacatl.INDEX_BOOT_OFF_ENVIRONMENTS) is (env.tier in ("prod", "staging"))


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_no_hook_or_probe_runs_a_binary_the_image_lacks(workloads, environments, env_name):
    image = zacatl.RUNTIME_IMAGE
    for _, _, pod, container in _containers(workloads, environments, env_name):
        hooks = [container.get(k) for k in ("lifecycle", "startupProbe", "readinessProbe", "livenessProbe")]
        for command in _commands(hooks):
            # Distroless: no shell, no coreutils; only the node binary could be started.
            assert command[0] in image.executables, f"{command} needs a binary outside {sorted(image.executables)}"
        assert "sleep" in container["lifecycle"]["preStop"], "the graceful drain is the kubelet's own sleep"
        # The image's files belong to its nonroot user; the pod runs as that user.
        assert pod["securityContext"]["runAsUser"] == container["securityContext"]["runAsUser"] == image.user_id


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_probes_only_call_routes_the_service_declares(workloads, environments, env_name):
    for _, spec, _, container in _containers(workloads, environments, env_name):
        declared = {spec.health.readiness_path, spec.health.liveness_path, spec.health.startup_path} - {None}
        for key in ("startupProbe", "readinessProbe", "livenessProbe"):
            probe = container[key]
            if "httpGet" in probe:
                assert probe["httpGet"]["path"] in declared
        # Liveness must never depend on MongoDB: without a declared liveness route it is a TCP check.
        if spec.health.liveness_path is None:
            assert container["livenessProbe"]["tcpSocket"] == {"port": spec.container_port}


def test_the_reference_backend_probes_a_route_upstream_serves(environments):
    for env in environments.values():
        reference = env.service("greetings-api")
        method_paths = set(zacatl.REFERENCE_ROUTES)
        assert ("GET", reference.health.readiness_path) in method_paths
        assert reference.health.readiness_path == zacatl.REFERENCE_HEALTHCHECK_ROUTE
        assert reference.container_port == zacatl.REFERENCE_PORT
        assert not zacatl.FRAMEWORK_HEALTH_ROUTES, "upstream added health routes: use them"


def test_a_staging_tier_environment_with_another_name_still_builds_no_index_on_boot(environments):
    # A copy of staging called qa (README: adding an environment): APP_ENV=qa would make Zacatl build
    # indexes from every booting pod (index-policy.ts: only production, prod and staging turn it off).
    from zacatl_infra import runtime

    qa = environments["staging"].model_copy(update={"name": "qa"})
    assert runtime.app_env(qa) in zacatl.INDEX_BOOT_OFF_ENVIRONMENTS
    assert runtime.app_env(environments["staging"]) == "staging"
