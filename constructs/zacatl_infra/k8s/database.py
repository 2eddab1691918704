"""The environment's MongoDB on the Kubernetes side: the in-cluster StatefulSet (``in_cluster``)
and the network path every database client (a service, the backup and restore jobs) gets.

Why the official image and not an operator: a one-member StatefulSet of ``mongo`` is all that
``local`` and ``dev`` need, and config refuses ``in_cluster`` in prod. The MongoDB Community
Operator would add a controller, its CRDs and a replica-set agent to install and upgrade for a
database that holds only development data; the official image is the one Docker and MongoDB keep
current, with nothing else to run. A replicated prod database is Atlas (``config/database.py``).
"""

from __future__ import annotations

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from .. import naming, sync
from ..config import EnvironmentConfig, ServiceSpec
from ..config.quantity import cpu_millicores, memory_bytes
from ..facts import atlas, documentdb
from ..facts import backups as facts
from ..imports.io import external_secrets as eso
from .hardening import RUN_AS_USER, THIRD_PARTY_IMAGE_SKIPS, container_security, harden, pod_security, resources
from .labels import environment_labels
from .secrets import REFRESH_INTERVAL

#: Labels of the in-cluster MongoDB pods (clients' egress and its own ingress select on them).
DATABASE_LABELS = {"app.kubernetes.io/name": naming.IN_CLUSTER_DATABASE, "app.kubernetes.io/instance": naming.IN_CLUSTER_DATABASE}
#: Readiness: mongosh's ping answers only once mongod accepts commands (the port opens earlier,
#: while the entrypoint's first-boot initialisation still runs on localhost only).
_PING = ["mongosh", "--quiet", "--norc", "--eval", "db.adminCommand({ping: 1}).ok"]


def database_egress(scope: Construct, env: EnvironmentConfig, spec: ServiceSpec,
                    policy: kplus.NetworkPolicy, *, prefix: str = "Database") -> None:
    """Adds to ``policy`` the egress a client of ``spec.database`` needs, from ``env.database.kind``:

    - ``in_cluster``: the MongoDB pods (``DATABASE_LABELS``) on 27017;
    - ``atlas``: the private subnets (``naming.private_subnet_cidrs``), where the PrivateLink
      endpoint has its interfaces, on 1024-65535 (``facts.atlas``: Atlas maps each node to a port);
    - ``documentdb``: the private subnets, where the cluster's instances are, on 27017 only;
    - and every extra ``spec.database.egress_cidrs`` range on ``spec.database.port``.
    """
    database = spec.database
    if database is None:
        return
    if env.database.kind == "in_cluster":
        policy.add_egress_rule(kplus.Pods.select(scope, f"{prefix}Pods", labels=DATABASE_LABELS),
                               [kplus.NetworkPolicyPort.tcp(facts.MONGO_PORT)])
    elif env.database.kind == "documentdb":
        for i, cidr in enumerate(naming.private_subnet_cidrs(env)):
            policy.add_egress_rule(kplus.NetworkPolicyIpBlock.ipv4(scope, f"{prefix}Endpoint{i}", cidr),
                                   [kplus.NetworkPolicyPort.tcp(documentdb.PORT)])
    else:
        low, high = atlas.PRIVATE_ENDPOINT_PORTS
        for i, cidr in enumerate(naming.private_subnet_cidrs(env)):
            policy.add_egress_rule(kplus.NetworkPolicyIpBlock.ipv4(scope, f"{prefix}Endpoint{i}", cidr),
                                   [kplus.NetworkPolicyPort.tcp_range(low, high)])
    for i, cidr in enumerate(database.egress_cidrs):
        block = (kplus.NetworkPolicyIpBlock.ipv6 if ":" in cidr else kplus.NetworkPolicyIpBlock.ipv4)(
            scope, f"{prefix}{i}", cidr)
        policy.add_egress_rule(block, [kplus.NetworkPolicyPort.tcp(database.port)])


def database_egress_rules(env: EnvironmentConfig, spec: ServiceSpec) -> list[dict]:
    """The same egress as ``database_egress``, as NetworkPolicy rules (for objects written as plain fields)."""
    database = spec.database
    if database is None:
        return []
    rules: list[dict] = []
    if env.database.kind == "in_cluster":
        rules.append({"ports": [{"port": facts.MONGO_PORT, "protocol": "TCP"}],
                      "to": [{"podSelector": {"matchLabels": dict(sorted(DATABASE_LABELS.items()))}}]})
    elif env.database.kind == "documentdb":
        rules += [{"ports": [{"port": documentdb.PORT, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": cidr}}]}
                  for cidr in naming.private_subnet_cidrs(env)]
    else:
        low, high = atlas.PRIVATE_ENDPOINT_PORTS
        rules += [{"ports": [{"endPort": high, "port": low, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": cidr}}]}
                  for cidr in naming.private_subnet_cidrs(env)]
    rules += [{"ports": [{"port": database.port, "protocol": "TCP"}], "to": [{"ipBlock": {"cidr": cidr}}]}
              for cidr in database.egress_cidrs]
    return rules


def database_client_labels(env: EnvironmentConfig) -> list[dict[str, str]]:
    """Pod labels of everything that connects to the in-cluster database: each service with a
    database, and the backup, restore and migration jobs (``zacatl.io/database-client``)."""
    from .labels import selector_labels

    return [selector_labels(s) for s in env.services if s.database] + [{DATABASE_CLIENT_LABEL: "true"}]


#: The encrypted gp3 class the in-cluster database's volume uses in AWS tiers, on the EBS CSI driver
#: (an EKS managed add-on of ``cloud/cluster.py``).
STORAGE_CLASS = "zacatl-database-gp3"
EBS_CSI_PROVISIONER = "ebs.csi.aws.com"

#: Label every platform job that talks to the database carries (backup, restore, verify, migrate).
DATABASE_CLIENT_LABEL = "zacatl.io/database-client"


class InClusterDatabase(Construct):
    """MongoDB ``naming.IN_CLUSTER_DATABASE`` for ``database.kind`` ``in_cluster``.

    - StatefulSet of one pod from ``facts.backups.MONGO_IMAGE``, as ``hardening.RUN_AS_USER``, read-only root filesystem (``/tmp`` and ``/data/configdb`` are emptyDirs), restricted
      Pod Security; a PersistentVolumeClaim per pod of ``in_cluster.storage_size`` on
      ``in_cluster.storage_class`` for ``/data/db``. Default: in AWS tiers an encrypted gp3 class
      ``STORAGE_CLASS`` rendered here (reclaim policy Retain: deleting the claim keeps the volume;
      a ``team`` environment uses the class its platform environment renders, as a class is cluster-wide);
      in ``local`` the laptop cluster's default class.
    - Root user from the Secret ``naming.IN_CLUSTER_DATABASE_SECRET`` (keys ``username``,
      ``password``): an ExternalSecret from ``naming.in_cluster_database_secret_id(env)`` in AWS
      tiers, made by hand in ``local`` (docs/disaster-recovery.md).
    - Probes: TCP on 27017 for startup (10 minutes: a first boot initialises the data directory)
      and liveness, mongosh ``ping`` for readiness.
    - A headless Service ``mongodb`` (``mongodb.<namespace>.svc``) and a NetworkPolicy admitting
      27017 only from ``database_client_labels``.
    No PodDisruptionBudget: with one pod it would block every node drain.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        if env.database.kind != "in_cluster":
            raise ValueError(f"environment {env.name!r}: database.kind is {env.database.kind!r}; "
                             "an in-cluster MongoDB needs kind 'in_cluster'")
        settings = env.database.in_cluster
        name, ns = naming.IN_CLUSTER_DATABASE, naming.namespace(env)
        labels = {**environment_labels(env), **DATABASE_LABELS, "app.kubernetes.io/component": "database"}
        storage_class = settings.storage_class
        self.storage_class = None
        if storage_class is None and not env.is_local and env.team is not None:
            # A team shares the platform's cluster: the platform environment renders the class.
            storage_class = STORAGE_CLASS
        elif storage_class is None and not env.is_local:
            # EKS marks no StorageClass as default from Kubernetes 1.30 on, and its gp2 class is not
            # encrypted: the database gets an encrypted gp3 class of its own on the EBS CSI driver.
            storage_class = STORAGE_CLASS
            self.storage_class = kplus.k8s.KubeStorageClass(
                self, "StorageClass", metadata=kplus.k8s.ObjectMeta(
                    name=STORAGE_CLASS, labels=environment_labels(env),
                    # Cluster-wide, like the namespace: in the first wave, before anything claims a volume.
                    annotations={sync.WAVE_ANNOTATION: str(sync.NAMESPACES)}),
                provisioner=EBS_CSI_PROVISIONER, parameters={"type": "gp3", "encrypted": "true"},
                reclaim_policy="Retain", volume_binding_mode="WaitForFirstConsumer", allow_volume_expansion=True)
        self.external_secret = None if env.is_local else eso.ExternalSecret(
            self, "RootSecret",
            metadata=cdk8s.ApiObjectMetadata(name=naming.IN_CLUSTER_DATABASE_SECRET, namespace=ns, labels=labels),
            spec=eso.ExternalSecretSpec(
                refresh_interval=REFRESH_INTERVAL,
                secret_store_ref=eso.ExternalSecretSpecSecretStoreRef(
                    name=naming.secret_store_name(env), kind=eso.ExternalSecretSpecSecretStoreRefKind.SECRET_STORE),
                target=eso.ExternalSecretSpecTarget(
                    name=naming.IN_CLUSTER_DATABASE_SECRET,
                    creation_policy=eso.ExternalSecretSpecTargetCreationPolicy.OWNER,
                    deletion_policy=eso.ExternalSecretSpecTargetDeletionPolicy.RETAIN),
                data=[eso.ExternalSecretSpecData(
                    secret_key=key, remote_ref=eso.ExternalSecretSpecDataRemoteRef(
                        key=naming.in_cluster_database_secret_id(env), property=key))
                    for key in ("username", "password")],
            ),
        )
        self.service = kplus.Service(
            self, "Service", metadata=cdk8s.ApiObjectMetadata(name=name, namespace=ns, labels=labels),
            cluster_ip="None", ports=[kplus.ServicePort(name="mongodb", port=facts.MONGO_PORT)])
        for key, value in DATABASE_LABELS.items():
            self.service.select_label(key, value)

        secret = kplus.Secret.from_secret_name(self, "SecretRef", naming.IN_CLUSTER_DATABASE_SECRET)
        data = kplus.Volume.from_empty_dir(self, "Tmp", "tmp", size_limit=cdk8s.Size.mebibytes(64))
        config = kplus.Volume.from_empty_dir(self, "ConfigDb", "configdb", size_limit=cdk8s.Size.mebibytes(16))
        timing = {"period_seconds": cdk8s.Duration.seconds(10), "timeout_seconds": cdk8s.Duration.seconds(5),
                  "initial_delay_seconds": cdk8s.Duration.seconds(0), "success_threshold": 1}
        self.stateful_set = kplus.StatefulSet(
            self, "StatefulSet",
            metadata=cdk8s.ApiObjectMetadata(name=name, namespace=ns, labels=labels, annotations={
                **THIRD_PARTY_IMAGE_SKIPS,
                "checkov.io/skip3": "CKV_K8S_35=the root user reaches the entrypoint as env vars by design: "
                                    "the official image reads MONGO_INITDB_ROOT_* only from the environment",
            }),
            service=self.service, select=False, replicas=1,
            pod_metadata=cdk8s.ApiObjectMetadata(labels=labels),
            automount_service_account_token=False,
            # mongod flushes its journal and closes cleanly on SIGTERM; big caches need time.
            termination_grace_period=cdk8s.Duration.seconds(60),
            security_context=pod_security(RUN_AS_USER),
            volumes=[data, config],
            containers=[kplus.ContainerProps(
                name="mongod", image=facts.MONGO_IMAGE, image_pull_policy=kplus.ImagePullPolicy.IF_NOT_PRESENT,
                port_number=facts.MONGO_PORT,
                env_variables={
                    facts.MONGO_ROOT_USERNAME_VARIABLE: kplus.EnvValue.from_secret_value(
                        kplus.SecretValue(secret=secret, key="username")),
                    facts.MONGO_ROOT_PASSWORD_VARIABLE: kplus.EnvValue.from_secret_value(
                        kplus.SecretValue(secret=secret, key="password")),
                },
                resources=resources(int(cpu_millicores(settings.cpu_request)), int(cpu_millicores(settings.cpu_limit)),
                                    int(memory_bytes(settings.memory_request) // 2**20),
                                    int(memory_bytes(settings.memory_limit) // 2**20)),
                startup=kplus.Probe.from_tcp_socket(port=facts.MONGO_PORT, failure_threshold=60, **timing),
                liveness=kplus.Probe.from_tcp_socket(port=facts.MONGO_PORT, failure_threshold=3, **timing),
                readiness=kplus.Probe.from_command(_PING, failure_threshold=3, **timing),
                volume_mounts=[kplus.VolumeMount(path="/tmp", volume=data),
                               kplus.VolumeMount(path="/data/configdb", volume=config)],
                security_context=container_security(RUN_AS_USER),
            )],
        )
        self.stateful_set.select(kplus.LabelSelector.of(labels=DATABASE_LABELS))
        # The StatefulSet adds its construct-path label to the Service's selector; select on the
        # stable labels only, so renaming a construct never leaves the Service without endpoints.
        cdk8s.ApiObject.of(self.service).add_json_patch(
            cdk8s.JsonPatch.remove("/spec/selector/cdk8s.io~1metadata.addr"))
        claim: dict = {
            "metadata": {"name": "data", "labels": labels},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": settings.storage_size}}},
        }
        if storage_class:
            claim["spec"]["storageClassName"] = storage_class
        harden(self.stateful_set, "/spec/template/spec", 1, 0,
               cdk8s.JsonPatch.add("/spec/volumeClaimTemplates", [claim]),
               cdk8s.JsonPatch.add("/spec/template/spec/containers/0/volumeMounts/-",
                                   {"name": "data", "mountPath": facts.MONGO_DATA_PATH}))

        self.network_policy = kplus.NetworkPolicy(
            self, "NetworkPolicy", metadata=cdk8s.ApiObjectMetadata(name=name, namespace=ns, labels=labels),
            selector=kplus.Pods.select(self, "Pods", labels=DATABASE_LABELS),
            ingress=kplus.NetworkPolicyTraffic(default=kplus.NetworkPolicyTrafficDefault.DENY),
            egress=kplus.NetworkPolicyTraffic(default=kplus.NetworkPolicyTrafficDefault.DENY),
        )
        for i, client in enumerate(database_client_labels(env)):
            self.network_policy.add_ingress_rule(kplus.Pods.select(self, f"Client{i}", labels=client),
                                                 [kplus.NetworkPolicyPort.tcp(facts.MONGO_PORT)])
