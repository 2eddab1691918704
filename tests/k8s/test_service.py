"""ZacatlService's Deployment, Service, ConfigMap and ServiceAccount, in every environment."""

from __future__ import annotations

import pytest

from zacatl_infra import naming
from zacatl_infra.k8s.service import APP_SHUTDOWN_SECONDS, PRE_STOP_SLEEP_SECONDS

from ..conftest import ENVIRONMENT_NAMES


def _pods(workloads, environments, env_name):
    env = environments[env_name]
    for spec in env.services:
        deployment = workloads[env_name].one("Deployment", spec.name)
        yield env, spec, deployment, deployment["spec"]["template"]["spec"]


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_image_comes_from_naming_and_is_pulled_if_not_present(workloads, environments, env_name):
    for env, spec, _, pod in _pods(workloads, environments, env_name):
        container = pod["containers"][0]
        assert container["image"] == naming.image_uri(env, spec)
        assert container["imagePullPolicy"] == "IfNotPresent"


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_probes_use_the_health_paths_with_deliberate_timings(workloads, environments, env_name):
    for _, spec, _, pod in _pods(workloads, environments, env_name):
        container = pod["containers"][0]
        startup, readiness, liveness = (container[k] for k in ("startupProbe", "readinessProbe", "livenessProbe"))
        assert startup["httpGet"]["path"] == spec.health.startup
        assert readiness["httpGet"]["path"] == spec.health.readiness_path
        assert liveness["httpGet"]["path"] == spec.health.liveness_path
        assert {p["httpGet"]["port"] for p in (startup, readiness, liveness)} == {spec.container_port}
        # Startup allows at least two minutes to boot; readiness reacts faster than liveness restarts.
        assert startup["periodSeconds"] * startup["failureThreshold"] >= 120
        assert readiness["periodSeconds"] * readiness["failureThreshold"] < (
            liveness["periodSeconds"] * liveness["failureThreshold"])
        assert all(p["timeoutSeconds"] < p["periodSeconds"] for p in (startup, readiness, liveness))


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_requests_and_limits_come_from_the_spec(workloads, environments, env_name):
    from zacatl_infra.config.quantity import cpu_millicores, memory_bytes

    for _, spec, _, pod in _pods(workloads, environments, env_name):
        resources = pod["containers"][0]["resources"]
        assert cpu_millicores(resources["requests"]["cpu"]) == cpu_millicores(spec.resources.cpu_request)
        assert cpu_millicores(resources["limits"]["cpu"]) == cpu_millicores(spec.resources.cpu_limit)
        assert memory_bytes(resources["requests"]["memory"]) == memory_bytes(spec.resources.memory_request)
        assert memory_bytes(resources["limits"]["memory"]) == memory_bytes(spec.resources.memory_limit)


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_security_context_meets_pod_security_restricted(workloads, environments, env_name):
    for _, _, _, pod in _pods(workloads, environments, env_name):
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["runAsUser"] >= 10000
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        assert pod["automountServiceAccountToken"] is False
        for container in pod["containers"]:
            context = container["securityContext"]
            assert context["runAsNonRoot"] is True and context["runAsUser"] >= 10000
            assert context["allowPrivilegeEscalation"] is False
            assert context["privileged"] is False
            assert context["readOnlyRootFilesystem"] is True
            assert context["capabilities"] == {"drop": ["ALL"]}
            assert context["seccompProfile"] == {"type": "RuntimeDefault"}


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_tmp_is_a_size_limited_empty_dir(workloads, environments, env_name):
    for _, _, _, pod in _pods(workloads, environments, env_name):
        mounts = {m["mountPath"]: m["name"] for m in pod["containers"][0]["volumeMounts"]}
        volumes = {v["name"]: v for v in pod["volumes"]}
        assert "/tmp" in mounts
        assert volumes[mounts["/tmp"]]["emptyDir"]["sizeLimit"]


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_rolling_update_surges_one_and_never_drops_a_pod(workloads, environments, env_name):
    for _, _, deployment, _ in _pods(workloads, environments, env_name):
        strategy = deployment["spec"]["strategy"]
        assert strategy["type"] == "RollingUpdate"
        assert strategy["rollingUpdate"] == {"maxSurge": 1, "maxUnavailable": 0}


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_pods_spread_over_zones_hard_only_in_prod_and_over_nodes(workloads, environments, env_name):
    for env, spec, deployment, pod in _pods(workloads, environments, env_name):
        spread = {c["topologyKey"]: c for c in pod["topologySpreadConstraints"]}
        selector = deployment["spec"]["selector"]["matchLabels"]
        zone, host = spread["topology.kubernetes.io/zone"], spread["kubernetes.io/hostname"]
        assert zone["whenUnsatisfiable"] == ("DoNotSchedule" if env.tier == "prod" else "ScheduleAnyway")
        assert host["whenUnsatisfiable"] == "ScheduleAnyway"
        assert zone["labelSelector"]["matchLabels"] == host["labelSelector"]["matchLabels"] == selector


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_termination_grace_covers_pre_stop_and_fastify_close(workloads, environments, env_name):
    for _, _, _, pod in _pods(workloads, environments, env_name):
        command = pod["containers"][0]["lifecycle"]["preStop"]["exec"]["command"]
        assert command[0] == "sleep"
        sleep = int(command[1])
        assert sleep >= 5
        assert pod["terminationGracePeriodSeconds"] > sleep + APP_SHUTDOWN_SECONDS
        assert sleep == PRE_STOP_SLEEP_SECONDS


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_platform_env_vars_configmap_and_secrets_reach_the_container(workloads, environments, env_name):
    for env, spec, _, pod in _pods(workloads, environments, env_name):
        container = pod["containers"][0]
        variables = {v["name"]: v for v in container["env"]}
        assert variables["NODE_ENV"]["value"] == ("development" if env.is_local else "production")
        assert variables["PORT"]["value"] == str(spec.container_port)
        assert variables["SERVICE_NAME"]["value"] == spec.name
        assert variables["LOG_LEVEL"]["value"] == env.log_level
        config_map = workloads[env_name].one("ConfigMap", container["envFrom"][0]["configMapRef"]["name"])
        assert config_map["data"] == spec.env
        for ref in spec.all_secrets:
            source = variables[ref.env_var]["valueFrom"]["secretKeyRef"]
            assert source == {"name": naming.kubernetes_secret_name(spec), "key": ref.key, "optional": False}


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_no_secret_value_is_set_inline(workloads, environments, env_name):
    for env, spec, _, pod in _pods(workloads, environments, env_name):
        secret_vars = {ref.env_var for ref in spec.all_secrets}
        assert "MONGODB_URI" in secret_vars or spec.database is None
        for variable in pod["containers"][0]["env"]:
            if variable["name"] in secret_vars:
                assert "value" not in variable and "secretKeyRef" in variable["valueFrom"]


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_settings_change_rolls_the_pods(workloads, environments, env_name):
    for _, _, deployment, _ in _pods(workloads, environments, env_name):
        assert deployment["spec"]["template"]["metadata"]["annotations"]["zacatl.io/settings-hash"]


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_service_account_is_named_by_naming_and_mounts_no_token(workloads, environments, env_name):
    for _, spec, _, pod in _pods(workloads, environments, env_name):
        account = workloads[env_name].one("ServiceAccount", naming.service_account(spec))
        assert pod["serviceAccountName"] == account["metadata"]["name"]
        assert account["automountServiceAccountToken"] is spec.automount_service_account_token is False


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_cluster_ip_service_selects_the_pods_on_stable_labels(workloads, environments, env_name):
    for _, spec, deployment, pod in _pods(workloads, environments, env_name):
        service = workloads[env_name].one("Service", spec.name)
        assert service["spec"]["type"] == "ClusterIP"
        assert service["spec"]["selector"] == deployment["spec"]["selector"]["matchLabels"]
        assert set(service["spec"]["selector"]) <= {"app.kubernetes.io/name", "app.kubernetes.io/instance"}
        assert service["spec"]["ports"][0]["targetPort"] == spec.container_port


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_replicas_belong_to_the_hpa_when_there_is_one(workloads, environments, env_name):
    for _, spec, deployment, _ in _pods(workloads, environments, env_name):
        if workloads[env_name].find("HorizontalPodAutoscaler", spec.name):
            assert "replicas" not in deployment["spec"]
        else:
            assert deployment["spec"]["replicas"] == spec.scaling.min_replicas
