"""ZacatlService's Deployment, Service, ConfigMap and ServiceAccount, in every environment."""

from __future__ import annotations

import pytest

import cdk8s

from zacatl_infra import naming
from zacatl_infra.config import presets
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
    def target(probe):
        # (path or None for TCP, port): exactly one handler per probe.
        assert len({"httpGet", "tcpSocket", "exec", "grpc"} & set(probe)) == 1, probe
        if "tcpSocket" in probe:
            return None, probe["tcpSocket"]["port"]
        return probe["httpGet"]["path"], probe["httpGet"]["port"]

    for _, spec, _, pod in _pods(workloads, environments, env_name):
        container = pod["containers"][0]
        startup, readiness, liveness = (container[k] for k in ("startupProbe", "readinessProbe", "livenessProbe"))
        assert target(startup) == (spec.health.startup, spec.container_port)
        assert target(readiness) == (spec.health.readiness_path, spec.container_port)
        assert target(liveness) == (spec.health.liveness_path, spec.container_port)
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
        # Skew is counted per ReplicaSet, so a rollout cannot leave the new pods in fewer zones.
        assert all(c["matchLabelKeys"] == ["pod-template-hash"] for c in pod["topologySpreadConstraints"])


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_termination_grace_covers_pre_stop_and_fastify_close(workloads, environments, env_name):
    for _, _, _, pod in _pods(workloads, environments, env_name):
        # The kubelet's own sleep action: the distroless image has no sleep binary to exec.
        assert pod["containers"][0]["lifecycle"] == {"preStop": {"sleep": {"seconds": PRE_STOP_SLEEP_SECONDS}}}
        sleep = pod["containers"][0]["lifecycle"]["preStop"]["sleep"]["seconds"]
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
        assert config_map.get("data", {}) == spec.env
        for ref in spec.all_secrets:
            source = variables[ref.env_var]["valueFrom"]["secretKeyRef"]
            assert source == {"name": naming.kubernetes_secret_name(spec), "key": ref.key, "optional": False}


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_no_secret_value_is_set_inline(workloads, environments, env_name):
    for env, spec, _, pod in _pods(workloads, environments, env_name):
        secret_vars = {ref.env_var for ref in spec.all_secrets}
        assert "MONGO_URI" in secret_vars or spec.database is None
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


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_heap_is_sized_from_the_memory_limit(workloads, environments, env_name):
    from zacatl_infra.config.quantity import memory_bytes
    from zacatl_infra.facts import nodejs

    for _, spec, _, pod in _pods(workloads, environments, env_name):
        variables = {v["name"]: v.get("value") for v in pod["containers"][0]["env"]}
        flag, _, mebibytes = variables["NODE_OPTIONS"].partition("=")
        assert flag == nodejs.HEAP_FLAG
        limit_mib = memory_bytes(pod["containers"][0]["resources"]["limits"]["memory"]) / 2**20
        # Source of the fraction: nodejs.org/api/cli.html (1536 MiB heap on a 2 GiB machine).
        assert int(mebibytes) == int(limit_mib * 0.75)
        assert int(mebibytes) < limit_mib


def test_without_an_hpa_the_deployment_keeps_min_replicas():
    # A subclass that drops the HPA must not leave the replica count to a library default.
    from zacatl_infra.k8s.service import ZacatlService

    class NoAutoscaler(ZacatlService):
        def add_autoscaler(self):
            return None

    # 3, not 2: cdk8s-plus's Deployment rendered 2 when nothing else said.
    env = _single_service_env(presets.zacatl_example_backend(
        "staging", image={"tag": "1.0.0"}, database={"egress_cidrs": ("192.168.248.0/21",)},
        scaling={"min_replicas": 3, "max_replicas": 6}))
    spec = env.services[0]
    chart = cdk8s.Chart(cdk8s.App(), "c", namespace="ns", disable_resource_name_hashes=True)
    NoAutoscaler(chart, "s", env=env, spec=spec)
    rendered = cdk8s.Testing.synth(chart)
    assert not [d for d in rendered if d["kind"] == "HorizontalPodAutoscaler"]
    (deployment,) = [d for d in rendered if d["kind"] == "Deployment"]
    assert deployment["spec"]["replicas"] == spec.scaling.min_replicas


def test_a_service_that_sets_node_options_keeps_its_own():
    from zacatl_infra import runtime

    spec = presets.zacatl_example_backend("dev", image={"tag": "1.0.0"}, env={"NODE_OPTIONS": "--enable-source-maps"},
                                          database={"egress_cidrs": ("192.168.248.0/21",)})
    assert runtime.node_options(spec) is None
    env = _single_service_env(spec)
    pod = _render(env).one("Deployment", spec.name)["spec"]["template"]["spec"]
    assert "NODE_OPTIONS" not in {v["name"] for v in pod["containers"][0]["env"]}
    assert _render(env).one("ConfigMap", f"{spec.name}-settings")["data"] == {"NODE_OPTIONS": "--enable-source-maps"}


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_secret_rotation_rolls_the_pods_through_reloader(workloads, environments, env_name):
    from zacatl_infra.facts import reloader

    for _, spec, deployment, _ in _pods(workloads, environments, env_name):
        annotations = deployment["metadata"]["annotations"]
        if spec.all_secrets:
            # On the Deployment's own metadata, naming the Secret its env vars come from (Reloader README).
            assert annotations[reloader.SECRET_RELOAD_ANNOTATION] == naming.kubernetes_secret_name(spec)
        else:
            assert reloader.SECRET_RELOAD_ANNOTATION not in annotations


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_component_label_says_what_the_service_is(workloads, environments, env_name):
    for _, spec, deployment, pod in _pods(workloads, environments, env_name):
        assert deployment["metadata"]["labels"]["app.kubernetes.io/component"] == spec.component
    worker = presets.service("dev", name="mailer", component="worker", image={"tag": "1.0.0"},
                             health={"readiness_path": None})
    rendered = _render(_single_service_env(worker))
    deployment = rendered.one("Deployment", "mailer")
    assert deployment["metadata"]["labels"]["app.kubernetes.io/component"] == "worker"
    assert rendered.find("Ingress") == []
    readiness = deployment["spec"]["template"]["spec"]["containers"][0]["readinessProbe"]
    assert readiness["tcpSocket"] == {"port": worker.container_port}


def test_fails_when_the_cluster_version_has_no_sleep_action():
    # The model refuses such versions; a construct given one anyway must not fall back to an exec hook.
    from zacatl_infra.k8s.service import ZacatlService

    env = environment_with_version(_single_service_env(presets.zacatl_example_backend(
        "dev", image={"tag": "1.0.0"}, database={"egress_cidrs": ("192.168.248.0/21",)})), "1.29")
    chart = cdk8s.Chart(cdk8s.App(), "c")
    with pytest.raises(ValueError, match="has no preStop sleep action; allowed: 1.30 or newer"):
        ZacatlService(chart, "s", env=env, spec=env.services[0])


def _single_service_env(spec):
    return presets.environment("dev", name="qa", account="111111111111", region="eu-west-1",
                               availability_zones=("eu-west-1a", "eu-west-1b"), domain="qa.example.com",
                               access={"admin_role_arns": ("arn:aws:iam::111111111111:role/admin",)}, dns={"hosted_zone_id": "Z0123456789ABCDEFGHIJ"}, gitops={"repo_url": "https://github.com/x/y.git"}, 
                               services=(spec,))


def _render(env):
    from pathlib import Path

    from zacatl_infra.k8s.charts import environment_app

    from ..conftest import RenderedEnvironment

    app = environment_app(env, Path("/nonexistent"))
    return RenderedEnvironment({"all.yaml": app.synth_yaml()})


def environment_with_version(env, version):
    """``env`` with a cluster version the model would refuse, bypassing validation on purpose."""
    return env.model_copy(update={"cluster": env.cluster.model_copy(update={"kubernetes_version": version})})


@pytest.mark.parametrize(("cpu", "memory"), [("250m", "600000Ki"), ("1", "1Gi"), ("0.5", "1536Mi"), ("1500m", "2G")])
def test_resources_render_exactly_as_written(cpu, memory):
    # Quantities are kept as the file wrote them (config/quantity.py): cdk8s-plus alone renders memory
    # in whole MiB (600000Ki became 585Mi, 512Ki became 0Mi) and CPU in millicores.
    spec = presets.zacatl_example_backend("dev", image={"tag": "1.0.0"}, database={"egress_cidrs": ("192.168.248.0/21",)},
                                          resources={"cpu_request": cpu, "cpu_limit": cpu,
                                                     "memory_request": memory, "memory_limit": memory})
    container = _render(_single_service_env(spec)).one("Deployment")["spec"]["template"]["spec"]["containers"][0]
    assert container["resources"] == {"limits": {"cpu": cpu, "memory": memory},
                                      "requests": {"cpu": cpu, "memory": memory}}


#: jsii round trips (requests from Python to the Node kernel) one ZacatlService may cost, all objects
#: included. Through cdk8s-plus it was 92 (docs/performance.md); each round trip is a process switch,
#: which is what a loaded machine makes slow. A count, not a time: it cannot flake under load.
ROUND_TRIPS_PER_SERVICE = 36


def test_a_service_costs_few_jsii_round_trips(environments, monkeypatch):
    from jsii._kernel.providers.process import ProcessProvider

    from zacatl_infra.k8s.service import ZacatlService

    env = environments["staging"]
    spec = env.services[0]
    chart = cdk8s.Chart(cdk8s.App(), "c", namespace="ns", disable_resource_name_hashes=True)
    ZacatlService(chart, "warm-up", env=env, spec=spec)
    trips = []
    for name in ("create", "get", "set", "sget", "sset", "invoke", "sinvoke", "begin", "sbegin", "end",
                 "callbacks", "complete", "load", "delete"):
        original = getattr(ProcessProvider, name, None)
        if original is not None:
            monkeypatch.setattr(ProcessProvider, name, lambda self, *a, __o=original, __n=name, **k: (
                trips.append(__n), __o(self, *a, **k))[1])
    service = ZacatlService(chart, "s", env=env, spec=spec)
    monkeypatch.undo()
    assert spec.all_secrets and service.ingress and service.autoscaler  # every object of a service is counted
    assert 10 < len(trips) <= ROUND_TRIPS_PER_SERVICE, trips
