"""`ZacatlService`: one ServiceSpec in, every Kubernetes object the microservice needs out.

The objects are plain ``cdk8s.ApiObject``s with dict bodies (``raw_fields.PlainApiObject``), not
the cdk8s-plus-27 constructs STYLE.md prefers: this is the hot path of a synth (one set per
service per environment), and plus cost 92 jsii round trips per service where plain objects need
30, with byte-identical YAML (measured: docs/performance.md, "Phase 2"; the reasons in
``raw_fields``). Each body writes out the values plus used to default (``dnsPolicy``,
``restartPolicy``, probe ``scheme``, ``externalIPs``, ...), so what is deployed did not change.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

import cdk8s
from constructs import Construct

from .. import naming, runtime
from ..config import EnvironmentConfig, ServiceSpec
from ..facts import eks_versions, kubernetes_features, reloader, zacatl
from .autoscaling import ServiceAutoscaler, is_autoscaled
from .disruption import DisruptionBudget, ServiceDisruptionBudget
from .ingress import ServiceIngress
from .labels import selector_labels, service_labels
from .network_policy import ServiceNetworkPolicy
from .raw_fields import PlainApiObject, sorted_fields
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
#: How long a rollout may make no progress before the Deployment reports it failed.
PROGRESS_DEADLINE_SECONDS = 600
#: The pod-template label cdk8s-plus put on every workload, from the construct path. Nothing
#: selects on it, but removing or changing a pod-template label rolls every pod, so it stays.
ADDRESS_LABEL = "cdk8s.io/metadata.addr"

# Probe timings. Startup: up to 5 s x 30 = 150 s to boot and connect to MongoDB before the kubelet
# gives up; liveness and readiness only start after it succeeds, so they need no initial delay.
# Readiness: out of the endpoints after 2 failures (about 10 s). Liveness: restart after 3 missed
# checks 10 s apart (30 s); it must not check MongoDB, or a database outage restarts every pod.
_STARTUP = {"period": 5, "timeout": 3, "failures": 30}
_READINESS = {"period": 5, "timeout": 3, "failures": 2}
_LIVENESS = {"period": 10, "timeout": 3, "failures": 3}


def _probe(path: str | None, port: int, period: int, timeout: int, failures: int) -> dict[str, Any]:
    """An HTTP GET of ``path`` on ``port``, or a TCP connect to ``port`` when ``path`` is None."""
    handler = ({"tcpSocket": {"port": port}} if path is None
               else {"httpGet": {"path": path, "port": port, "scheme": "HTTP"}})
    return {**handler, "periodSeconds": period, "timeoutSeconds": timeout, "failureThreshold": failures,
            "successThreshold": 1, "initialDelaySeconds": 0}


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
        _check_sleep_action(env, spec)

        self.service_account = PlainApiObject(
            self, "ServiceAccount", api_version="v1", kind="ServiceAccount",
            metadata=cdk8s.ApiObjectMetadata(name=naming.service_account(spec), labels=labels),
            fields={"automountServiceAccountToken": spec.automount_service_account_token},
        )
        self.settings = PlainApiObject(
            self, "Settings", api_version="v1", kind="ConfigMap",
            metadata=cdk8s.ApiObjectMetadata(name=f"{spec.name}-settings", labels=labels),
            fields=sorted_fields({"data": dict(spec.env) or None, "immutable": False}),
        )
        # In local the same Secret is created by hand (docs/workloads.md); the Deployment is unchanged.
        self.external_secret = (
            ServiceExternalSecret(self, "ExternalSecret", env=env, spec=spec)
            if spec.all_secrets and not env.is_local
            else None
        )
        # Created here, so the objects keep their order in the YAML; its spec is written once the
        # hooks below have said whether an HPA owns the replica count.
        self.deployment = PlainApiObject(
            self, "Deployment", api_version="apps/v1", kind="Deployment",
            metadata=cdk8s.ApiObjectMetadata(
                name=spec.name, labels=labels, annotations=_deployment_annotations(env, spec)),
        )
        self.service = PlainApiObject(
            self, "Service", api_version="v1", kind="Service",
            metadata=cdk8s.ApiObjectMetadata(name=spec.name, labels=labels),
            fields={"spec": sorted_fields({
                "externalIPs": [],
                "ports": [{"name": "http", "port": 80, "targetPort": spec.container_port}],
                "selector": selector_labels(spec),
                "type": "ClusterIP",
            })},
        )

        self.ingress = self.add_ingress()
        self.autoscaler = self.add_autoscaler()
        self.disruption_budget = self.add_disruption_budget(disruption_budget)
        self.network_policy = self.add_network_policy()
        self.deployment.add_fields({"spec": self._deployment_spec(labels)})

    # --- hooks: override in a subclass to change or drop one object -------------------------------
    def add_ingress(self) -> ServiceIngress | None:
        """The service's Ingress. Default: one when ``spec.ingress_path`` is set, none otherwise."""
        if self.spec.ingress_path is None:
            return None
        return ServiceIngress(self, "Ingress", env=self.env, spec=self.spec, service=self.service)

    def add_autoscaler(self) -> ServiceAutoscaler | None:
        """The HPA. Default: one when min_replicas < max_replicas; with min == max (local) it could not
        scale, and the Deployment carries the fixed replica count instead. Without an HPA (also when
        an override returns None) the Deployment's ``replicas`` is ``scaling.min_replicas``."""
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
    def _deployment_spec(self, labels: dict[str, str]) -> dict[str, Any]:
        env, spec = self.env, self.spec
        secret_name = naming.kubernetes_secret_name(spec)
        env_vars: list[dict[str, Any]] = [
            {"name": name, "value": value} for name, value in runtime.platform_variables(env, spec).items()
        ]
        env_vars += [
            {"name": ref.env_var,
             "valueFrom": {"secretKeyRef": {"key": ref.key, "name": secret_name, "optional": False}}}
            for ref in spec.all_secrets
        ]
        # A changed setting must roll the pods: envFrom is read only at container start.
        settings_hash = hashlib.sha256(json.dumps(spec.env, sort_keys=True).encode()).hexdigest()[:16]
        resources = spec.resources
        container = {
            "name": "app",
            "image": naming.image_uri(env, spec),
            "imagePullPolicy": "IfNotPresent",
            "ports": [{"containerPort": spec.container_port}],
            "env": env_vars,
            "envFrom": [{"configMapRef": {"name": f"{spec.name}-settings"}}],
            # The quantities exactly as the environment file wrote them (config/quantity.py): converting
            # them (memory in whole MiB, CPU in millicores) turned 512Ki into 0Mi.
            "resources": {
                "limits": {"cpu": resources.cpu_limit, "memory": resources.memory_limit},
                "requests": {"cpu": resources.cpu_request, "memory": resources.memory_request},
            },
            "startupProbe": _probe(spec.health.startup, spec.container_port, **_STARTUP),
            "readinessProbe": _probe(spec.health.readiness_path, spec.container_port, **_READINESS),
            "livenessProbe": _probe(spec.health.liveness_path, spec.container_port, **_LIVENESS),
            "volumeMounts": [{"mountPath": "/tmp", "name": "tmp"}],
            "securityContext": {
                "runAsNonRoot": True, "runAsUser": RUN_AS_USER, "runAsGroup": RUN_AS_GROUP,
                "readOnlyRootFilesystem": True, "allowPrivilegeEscalation": False, "privileged": False,
            },
        }
        pod_labels = {**labels, ADDRESS_LABEL: cdk8s.Names.to_label_value(self.deployment)}
        deployment_spec = sorted_fields({
            # With an HPA the replica count is the HPA's: rendering one would reset it on every apply.
            "replicas": None if self.autoscaler is not None else spec.scaling.min_replicas,
            "minReadySeconds": 0,
            "progressDeadlineSeconds": PROGRESS_DEADLINE_SECONDS,
            # The stable app.kubernetes.io labels: a Deployment's selector is immutable.
            "selector": {"matchLabels": selector_labels(spec)},
            # One extra pod at a time and never one less: capacity holds during a rollout.
            "strategy": {"type": "RollingUpdate", "rollingUpdate": {"maxSurge": 1, "maxUnavailable": 0}},
            "template": {
                "metadata": {"labels": pod_labels, "annotations": {"zacatl.io/settings-hash": settings_hash}},
                "spec": {
                    "serviceAccountName": naming.service_account(spec),
                    "automountServiceAccountToken": spec.automount_service_account_token,
                    "terminationGracePeriodSeconds": TERMINATION_GRACE_SECONDS,
                    "securityContext": {
                        "runAsNonRoot": True, "runAsUser": RUN_AS_USER, "runAsGroup": RUN_AS_GROUP,
                        "fsGroup": RUN_AS_GROUP, "fsGroupChangePolicy": "OnRootMismatch",
                    },
                    "dnsPolicy": "ClusterFirst",
                    "hostNetwork": False,
                    "restartPolicy": "Always",
                    "setHostnameAsFQDN": False,
                    "volumes": [{"name": "tmp", "emptyDir": {"sizeLimit": f"{TMP_SIZE_MEBIBYTES}Mi"}}],
                    "containers": [container],
                },
            },
        })
        # Written after the sorted fields, where the JSON patches onto plus's output used to put
        # them, so the YAML is unchanged.
        pod = deployment_spec["template"]["spec"]
        pod["securityContext"]["seccompProfile"] = {"type": "RuntimeDefault"}
        context = pod["containers"][0]["securityContext"]
        context["seccompProfile"] = {"type": "RuntimeDefault"}
        context["capabilities"] = {"drop": ["ALL"]}
        # Service links inject a variable per Service of the namespace into Node's environment.
        pod["enableServiceLinks"] = False
        pod["topologySpreadConstraints"] = _spread(env, spec)
        pod["containers"][0]["lifecycle"] = {"preStop": {"sleep": {"seconds": PRE_STOP_SLEEP_SECONDS}}}
        return deployment_spec


def _check_sleep_action(env: EnvironmentConfig, spec: ServiceSpec) -> None:
    if eks_versions.minor(env.cluster.kubernetes_version) < eks_versions.minor(
            kubernetes_features.SLEEP_ACTION.enabled_by_default_since):
        raise ValueError(
            f"environment {env.name!r}, service {spec.name!r}: cluster.kubernetes_version "
            f"{env.cluster.kubernetes_version!r} has no preStop sleep action; allowed: "
            f"{kubernetes_features.SLEEP_ACTION.enabled_by_default_since} or newer"
        )


def _deployment_annotations(env: EnvironmentConfig, spec: ServiceSpec) -> dict[str, str]:
    annotations = _checkov_skips(env, spec)
    if spec.all_secrets:
        # A rotated secret (External Secrets refreshes the Secret) rolls the pods through Stakater
        # Reloader, a platform add-on; env vars are read only when a container starts.
        annotations[reloader.SECRET_RELOAD_ANNOTATION] = naming.kubernetes_secret_name(spec)
    return annotations


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
