"""`ZacatlService`: one ServiceSpec in, every Kubernetes object the microservice needs out."""

from __future__ import annotations

import hashlib
import json

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from .. import naming, runtime
from ..config import EnvironmentConfig, ServiceSpec
from ..config.quantity import cpu_millicores, memory_bytes
from ..facts import eks_versions, kubernetes_features, reloader, zacatl
from .autoscaling import ServiceAutoscaler, is_autoscaled
from .disruption import DisruptionBudget, ServiceDisruptionBudget
from .ingress import ServiceIngress
from .labels import selector_labels, service_labels
from .network_policy import ServiceNetworkPolicy
from .raw_fields import RawFieldsOverlay
from .secrets import ServiceExternalSecret

#: Non-root user and group of the container: the image's own ``nonroot`` user (distroless, 65532),
#: which owns the app's files; above 10000, so it maps to no user on the node.
RUN_AS_USER = zacatl.RUNTIME_IMAGE.user_id
RUN_AS_GROUP = zacatl.RUNTIME_IMAGE.group_id
#: The preStop sleep: kube-proxy and the ALB need a few seconds to drop a terminating pod's
#: endpoint; Fastify keeps serving meanwhile instead of refusing requests still in flight to it.
#: The kubelet sleeps itself (the ``sleep`` lifecycle action): the distroless image has no binary to run.
PRE_STOP_SLEEP_SECONDS = 10
#: How long a Zacatl service may take to close after SIGTERM (Fastify's close with in-flight
#: requests and the Mongoose disconnect; close-with-grace's default delay is 10 s).
APP_SHUTDOWN_SECONDS = 15
#: The kubelet kills the container after this: preStop + shutdown + 5 s margin.
TERMINATION_GRACE_SECONDS = PRE_STOP_SLEEP_SECONDS + APP_SHUTDOWN_SECONDS + 5
#: Size cap of the writable /tmp (the root filesystem is read-only).
TMP_SIZE_MEBIBYTES = 64

# Probe timings. Startup: up to 5 s x 30 = 150 s to boot and connect to MongoDB before the kubelet
# gives up; liveness and readiness only start after it succeeds, so they need no initial delay.
# Readiness: out of the endpoints after 2 failures (about 10 s). Liveness: restart after 3 missed
# checks 10 s apart (30 s); it must not check MongoDB, or a database outage restarts every pod.
_STARTUP = {"period": 5, "timeout": 3, "failures": 30}
_READINESS = {"period": 5, "timeout": 3, "failures": 2}
_LIVENESS = {"period": 10, "timeout": 3, "failures": 3}


def _probe(path: str | None, port: int, period: int, timeout: int, failures: int) -> kplus.Probe:
    """An HTTP GET of ``path`` on ``port``, or a TCP connect to ``port`` when ``path`` is None."""
    timings = {
        "period_seconds": cdk8s.Duration.seconds(period),
        "timeout_seconds": cdk8s.Duration.seconds(timeout),
        "failure_threshold": failures,
        "success_threshold": 1,
        "initial_delay_seconds": cdk8s.Duration.seconds(0),
    }
    if path is None:
        return kplus.Probe.from_tcp_socket(port=port, **timings)
    return kplus.Probe.from_http_get(path, port=port, **timings)


def _checkov_skips(env: EnvironmentConfig, spec: ServiceSpec) -> dict[str, str]:
    """checkov findings this Deployment accepts on purpose, each with the reason a reviewer reads."""
    skips = [
        # IfNotPresent is right for an immutable reference; Always adds a registry round trip to every
        # pod start and makes rescheduling depend on ECR being reachable.
        "CKV_K8S_15=imagePullPolicy IfNotPresent: the image is pinned by digest or by a tag in an ECR "
        "repository with immutable tags, so Always could never fetch anything different",
        # Zacatl's examples read MONGO_URI (and other secrets) from the environment at start-up.
        "CKV_K8S_35=secrets are env vars by design: each comes from a secretKeyRef to the Secret that "
        "External Secrets fills (made by hand in local); no value is in the manifest, no API token is mounted",
    ]
    if spec.image.digest is None:
        reason = (
            "local images are built on the laptop and loaded into the cluster; they have no registry digest"
            if env.is_local
            # The model refuses a tag without digest from any other repository outside local.
            else "the tag lives in the environment's ECR repository, whose tags are immutable (cloud layer), "
            "so it cannot move"
        )
        skips.append(f"CKV_K8S_43={reason}")
    return {f"checkov.io/skip{i}": skip for i, skip in enumerate(skips, start=1)}


class ZacatlService(Construct):
    """A Zacatl microservice: ServiceAccount, ConfigMap, ExternalSecret, Deployment, Service, Ingress,
    HorizontalPodAutoscaler, PodDisruptionBudget and NetworkPolicy.

    Args:
        env: the environment the service runs in (namespace, tier, log level, image registry).
        spec: the service; its tier preset already set replicas and resources.
        disruption_budget: Default: ``disruption.default_budget`` (one pod at a time; a majority of
            ``min_replicas`` in prod). A budget that would block every eviction raises ValueError.

    Each optional object is made by an ``add_*`` method a subclass may override (or make a no-op):
    ``add_ingress``, ``add_autoscaler``, ``add_disruption_budget``, ``add_network_policy``.
    """

    def __init__(
        self, scope: Construct, id_: str, *, env: EnvironmentConfig, spec: ServiceSpec,
        disruption_budget: DisruptionBudget | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self.env = env
        self.spec = spec
        labels = service_labels(env, spec)
        metadata = cdk8s.ApiObjectMetadata(name=spec.name, labels=labels)

        self.service_account = kplus.ServiceAccount(
            self,
            "ServiceAccount",
            metadata=cdk8s.ApiObjectMetadata(name=naming.service_account(spec), labels=labels),
            automount_token=spec.automount_service_account_token,
        )
        self.settings = kplus.ConfigMap(
            self,
            "Settings",
            metadata=cdk8s.ApiObjectMetadata(name=f"{spec.name}-settings", labels=labels),
            data=dict(spec.env),
        )
        # In local the same Secret is created by hand (docs/workloads.md); the Deployment is unchanged.
        self.external_secret = (
            ServiceExternalSecret(self, "ExternalSecret", env=env, spec=spec)
            if spec.all_secrets and not env.is_local
            else None
        )
        self.deployment = self._deployment(labels)
        self.service = kplus.Service(
            self,
            "Service",
            metadata=metadata,
            type=kplus.ServiceType.CLUSTER_IP,
            ports=[kplus.ServicePort(name="http", port=80, target_port=spec.container_port)],
        )
        for key, value in selector_labels(spec).items():
            self.service.select_label(key, value)

        self.ingress = self.add_ingress()
        self.autoscaler = self.add_autoscaler()
        self.disruption_budget = self.add_disruption_budget(disruption_budget)
        self.network_policy = self.add_network_policy()

    # --- hooks: override in a subclass to change or drop one object -------------------------------
    def add_ingress(self) -> ServiceIngress | None:
        """The service's Ingress. Default: one when ``spec.ingress_path`` is set, none otherwise."""
        if self.spec.ingress_path is None:
            return None
        return ServiceIngress(self, "Ingress", env=self.env, spec=self.spec, service=self.service)

    def add_autoscaler(self) -> ServiceAutoscaler | None:
        """The HPA. Default: one when min_replicas < max_replicas; with min == max (local) it could not
        scale, and the Deployment carries the fixed replica count instead."""
        if not is_autoscaled(self.spec):
            return None
        return ServiceAutoscaler(self, "Autoscaler", env=self.env, spec=self.spec, target=self.deployment)

    def add_disruption_budget(self, budget: DisruptionBudget | None = None) -> ServiceDisruptionBudget:
        """The PodDisruptionBudget. Default: ``disruption.default_budget``."""
        return ServiceDisruptionBudget(self, "DisruptionBudget", env=self.env, spec=self.spec, budget=budget)

    def add_network_policy(self) -> ServiceNetworkPolicy:
        """The service's NetworkPolicy (the namespace chart denies everything else)."""
        return ServiceNetworkPolicy(self, "NetworkPolicy", env=self.env, spec=self.spec)

    # --- the Deployment ---------------------------------------------------------------------------
    def _deployment(self, labels: dict[str, str]) -> kplus.Deployment:
        env, spec = self.env, self.spec
        if eks_versions.minor(env.cluster.kubernetes_version) < eks_versions.minor(
                kubernetes_features.SLEEP_ACTION.enabled_by_default_since):
            raise ValueError(
                f"environment {env.name!r}, service {spec.name!r}: cluster.kubernetes_version "
                f"{env.cluster.kubernetes_version!r} has no preStop sleep action; allowed: "
                f"{kubernetes_features.SLEEP_ACTION.enabled_by_default_since} or newer"
            )
        secret = kplus.Secret.from_secret_name(self, "SecretRef", naming.kubernetes_secret_name(spec))
        env_vars = {
            name: kplus.EnvValue.from_value(value) for name, value in runtime.platform_variables(env, spec).items()
        }
        for ref in spec.all_secrets:
            env_vars[ref.env_var] = kplus.EnvValue.from_secret_value(
                kplus.SecretValue(secret=secret, key=ref.key), optional=False
            )
        tmp = kplus.Volume.from_empty_dir(self, "Tmp", "tmp", size_limit=cdk8s.Size.mebibytes(TMP_SIZE_MEBIBYTES))
        # A changed setting must roll the pods: envFrom is read only at container start.
        settings_hash = hashlib.sha256(json.dumps(spec.env, sort_keys=True).encode()).hexdigest()[:16]

        annotations = _checkov_skips(env, spec)
        if spec.all_secrets:
            # A rotated secret (External Secrets refreshes the Secret) rolls the pods through Stakater
            # Reloader, a platform add-on; env vars are read only when a container starts.
            annotations[reloader.SECRET_RELOAD_ANNOTATION] = naming.kubernetes_secret_name(spec)
        deployment = kplus.Deployment(
            self,
            "Deployment",
            metadata=cdk8s.ApiObjectMetadata(name=spec.name, labels=labels, annotations=annotations),
            # Select on the stable app.kubernetes.io labels, not the construct-path label plus adds.
            select=False,
            # With an HPA the replica count is the HPA's: rendering one would reset it on every apply.
            replicas=None if is_autoscaled(spec) else spec.scaling.min_replicas,
            strategy=kplus.DeploymentStrategy.rolling_update(
                # One extra pod at a time and never one less: capacity holds during a rollout.
                max_surge=kplus.PercentOrAbsolute.absolute(1),
                max_unavailable=kplus.PercentOrAbsolute.absolute(0),
            ),
            progress_deadline=cdk8s.Duration.minutes(10),
            min_ready=cdk8s.Duration.seconds(0),
            pod_metadata=cdk8s.ApiObjectMetadata(labels=labels, annotations={"zacatl.io/settings-hash": settings_hash}),
            service_account=self.service_account,
            automount_service_account_token=spec.automount_service_account_token,
            termination_grace_period=cdk8s.Duration.seconds(TERMINATION_GRACE_SECONDS),
            security_context=kplus.PodSecurityContextProps(
                ensure_non_root=True, user=RUN_AS_USER, group=RUN_AS_GROUP, fs_group=RUN_AS_GROUP,
                fs_group_change_policy=kplus.FsGroupChangePolicy.ON_ROOT_MISMATCH,
            ),
            volumes=[tmp],
            containers=[
                kplus.ContainerProps(
                    name="app",
                    image=naming.image_uri(env, spec),
                    image_pull_policy=kplus.ImagePullPolicy.IF_NOT_PRESENT,
                    port_number=spec.container_port,
                    env_variables=env_vars,
                    env_from=[kplus.Env.from_config_map(self.settings)],
                    resources=kplus.ContainerResources(
                        cpu=kplus.CpuResources(
                            request=kplus.Cpu.millis(int(cpu_millicores(spec.resources.cpu_request))),
                            limit=kplus.Cpu.millis(int(cpu_millicores(spec.resources.cpu_limit))),
                        ),
                        memory=kplus.MemoryResources(
                            request=cdk8s.Size.mebibytes(int(memory_bytes(spec.resources.memory_request) // 2**20)),
                            limit=cdk8s.Size.mebibytes(int(memory_bytes(spec.resources.memory_limit) // 2**20)),
                        ),
                    ),
                    startup=_probe(spec.health.startup, spec.container_port, **_STARTUP),
                    readiness=_probe(spec.health.readiness_path, spec.container_port, **_READINESS),
                    liveness=_probe(spec.health.liveness_path, spec.container_port, **_LIVENESS),
                    volume_mounts=[kplus.VolumeMount(path="/tmp", volume=tmp)],
                    security_context=kplus.ContainerSecurityContextProps(
                        ensure_non_root=True,
                        read_only_root_filesystem=True,
                        allow_privilege_escalation=False,
                        privileged=False,
                        user=RUN_AS_USER,
                        group=RUN_AS_GROUP,
                    ),
                )
            ],
        )
        deployment.select(kplus.LabelSelector.of(labels=selector_labels(spec)))

        # Fields cdk8s-plus-27 cannot express, patched onto the serialized object (some are newer than 1.27).
        pod = "/spec/template/spec"
        container = f"{pod}/containers/0/securityContext"
        RawFieldsOverlay(deployment).add_json_patch(
            cdk8s.JsonPatch.add(f"{pod}/securityContext/seccompProfile", {"type": "RuntimeDefault"}),
            cdk8s.JsonPatch.add(f"{container}/seccompProfile", {"type": "RuntimeDefault"}),
            cdk8s.JsonPatch.add(f"{container}/capabilities", {"drop": ["ALL"]}),
            # Service links inject a variable per Service of the namespace into Node's environment.
            cdk8s.JsonPatch.add(f"{pod}/enableServiceLinks", False),
            cdk8s.JsonPatch.add(f"{pod}/topologySpreadConstraints", _spread(env, spec)),
            cdk8s.JsonPatch.add(f"{pod}/containers/0/lifecycle",
                                {"preStop": {"sleep": {"seconds": PRE_STOP_SLEEP_SECONDS}}}),
            # The quantities exactly as the environment file wrote them: plus renders memory in whole
            # MiB (512Ki became 0Mi) and CPU in millicores.
            cdk8s.JsonPatch.replace(f"{pod}/containers/0/resources", {
                "limits": {"cpu": spec.resources.cpu_limit, "memory": spec.resources.memory_limit},
                "requests": {"cpu": spec.resources.cpu_request, "memory": spec.resources.memory_request},
            }),
        )
        return deployment


def _spread(env: EnvironmentConfig, spec: ServiceSpec) -> list[dict]:
    """Spread pods over zones, then nodes.

    Zones are a hard rule only in prod: it has three replicas and a node group in each of three
    zones, and a zone outage must not find every pod in the lost zone. Elsewhere (one or two
    replicas, fewer nodes, spot capacity in dev, no zones on a laptop) a hard rule could leave pods
    Pending, so it is a preference. Nodes are a preference everywhere: during a node rotation a
    hard per-node rule can block the surge pod of a rollout.

    Both count only pods of the same ReplicaSet (``matchLabelKeys: [pod-template-hash]``): without
    it, the old ReplicaSet's pods satisfy the skew during a rollout and, once they are gone, the new
    pods can sit in fewer zones than before.
    """
    selector = {"matchLabels": selector_labels(spec)}
    per_replica_set = [kubernetes_features.POD_TEMPLATE_HASH_LABEL]
    zone_rule = "DoNotSchedule" if env.tier == "prod" else "ScheduleAnyway"
    return [
        {"maxSkew": 1, "topologyKey": "topology.kubernetes.io/zone", "whenUnsatisfiable": zone_rule,
         "labelSelector": selector, "matchLabelKeys": per_replica_set},
        {"maxSkew": 1, "topologyKey": "kubernetes.io/hostname", "whenUnsatisfiable": "ScheduleAnyway",
         "labelSelector": selector, "matchLabelKeys": per_replica_set},
    ]
