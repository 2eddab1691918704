"""The environment's MongoDB on the Kubernetes side: the in-cluster StatefulSet (``in_cluster``)
and the network path every database client (a service, the backup and restore jobs) gets.

Why the official image and not an operator: a one-member StatefulSet of ``mongo`` is all that
``local`` and ``dev`` need, and config refuses ``in_cluster`` in prod. The MongoDB Community
Operator would add a controller, its CRDs and a replica-set agent to install and upgrade for a
database that holds only development data; the official image is the one Docker and MongoDB keep
current, with nothing else to run. A replicated prod database is Atlas (``config/database.py``).

Every object is a plain ``cdk8s.ApiObject`` with a dict body (``raw_fields.PlainApiObject``), not
cdk8s-plus-27's StatefulSet, Service and NetworkPolicy nor the generated External Secrets binding
(STYLE.md's defaults): plus built a construct per volume, probe, variable and peer, 54-55 jsii
round trips for this construct where the plain objects take 16-21 (11 without the StorageClass and
root ExternalSecret of a laptop), with byte-identical YAML (issue 10's phase 3,
docs/performance.md), and the workload layer no longer imports cdk8s-plus-27 nor the bindings at all.
The pod fields plus wrote by default are written out by ``hardening``.
"""

from __future__ import annotations

import cdk8s
from constructs import Construct

from .. import naming, sync
from ..config import EnvironmentConfig, ServiceSpec
from ..config.quantity import cpu_millicores, memory_bytes
from ..facts import atlas, documentdb
from ..facts import backups as facts
from . import network_policy, secrets
from .hardening import (
    RUN_AS_USER, THIRD_PARTY_IMAGE_SKIPS, TMP_MEBIBYTES, container, empty_dir, mount, pod_spec, resources,
    secret_value, workload_spec,
)
from .labels import environment_labels
from .network_policy import tcp
from .raw_fields import PlainApiObject, sorted_fields
from .waves import sync_annotations

#: Labels of the in-cluster MongoDB pods (clients' egress and its own ingress select on them).
DATABASE_LABELS = {"app.kubernetes.io/name": naming.IN_CLUSTER_DATABASE, "app.kubernetes.io/instance": naming.IN_CLUSTER_DATABASE}
#: Readiness: mongosh's ping answers only once mongod accepts commands (the port opens earlier,
#: while the entrypoint's first-boot initialisation still runs on localhost only).
_PING = ["mongosh", "--quiet", "--norc", "--eval", "db.adminCommand({ping: 1}).ok"]
#: Size cap of the ``/data/configdb`` volume the official image declares: it is the default data path
#: of a config server (``--configsvr``) only, so a standalone mongod keeps nothing there that grows.
CONFIG_DB_MEBIBYTES = 16


def database_egress_rules(env: EnvironmentConfig, spec: ServiceSpec) -> list[dict]:
    """NetworkPolicy egress rules a client of ``spec.database`` needs, from ``env.database.kind``:

    - ``in_cluster``: the MongoDB pods (``DATABASE_LABELS``) on 27017;
    - ``atlas``: the private subnets (``naming.private_subnet_cidrs``), where the PrivateLink
      endpoint has its interfaces, on 1024-65535 (``facts.atlas``: Atlas maps each node to a port);
    - ``documentdb``: the private subnets, where the cluster's instances are, on 27017 only;
    - and every extra ``spec.database.egress_cidrs`` range on ``spec.database.port``.
    No rule for a service without a database.
    """
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
            self.storage_class = PlainApiObject(
                self, "StorageClass", api_version="storage.k8s.io/v1", kind="StorageClass",
                metadata=cdk8s.ApiObjectMetadata(
                    name=STORAGE_CLASS, labels=environment_labels(env),
                    # Cluster-wide, like the namespace: in the first wave, before anything claims a volume.
                    annotations={sync.WAVE_ANNOTATION: str(sync.NAMESPACES)}),
                fields={"allowVolumeExpansion": True, "parameters": {"encrypted": "true", "type": "gp3"},
                        "provisioner": EBS_CSI_PROVISIONER, "reclaimPolicy": "Retain",
                        "volumeBindingMode": "WaitForFirstConsumer"})
        self.external_secret = None if env.is_local else PlainApiObject(
            self, "RootSecret", api_version=secrets.API_VERSION, kind=secrets.EXTERNAL_SECRET,
            metadata=cdk8s.ApiObjectMetadata(name=naming.IN_CLUSTER_DATABASE_SECRET, namespace=ns, labels=labels,
                                             annotations=sync_annotations(secrets.API_VERSION, secrets.EXTERNAL_SECRET)),
            fields={"spec": secrets.external_secret_spec(
                env, naming.IN_CLUSTER_DATABASE_SECRET,
                [(key, naming.in_cluster_database_secret_id(env), key) for key in ("username", "password")])},
        )
        self.service = PlainApiObject(
            self, "Service", api_version="v1", kind="Service",
            metadata=cdk8s.ApiObjectMetadata(name=name, namespace=ns, labels=labels),
            # Headless: mongodb.<namespace>.svc resolves to the pod itself. It selects on the stable
            # labels only, so renaming a construct never leaves the Service without endpoints.
            fields={"spec": sorted_fields({
                "clusterIP": "None", "externalIPs": [], "type": "ClusterIP", "selector": DATABASE_LABELS,
                "ports": [{"name": "mongodb", "port": facts.MONGO_PORT}],
            })},
        )
        self.stateful_set = PlainApiObject(
            self, "StatefulSet", api_version="apps/v1", kind="StatefulSet",
            metadata=cdk8s.ApiObjectMetadata(name=name, namespace=ns, labels=labels, annotations={
                **THIRD_PARTY_IMAGE_SKIPS,
                "checkov.io/skip3": "CKV_K8S_35=the root user reaches the entrypoint as env vars by design: "
                                    "the official image reads MONGO_INITDB_ROOT_* only from the environment",
            }),
        )
        timing = {"periodSeconds": 10, "timeoutSeconds": 5, "initialDelaySeconds": 0, "successThreshold": 1}
        tcp_check = {"tcpSocket": {"port": facts.MONGO_PORT}}
        mongod = container(
            "mongod", facts.MONGO_IMAGE, user=RUN_AS_USER,
            env=[secret_value(variable, naming.IN_CLUSTER_DATABASE_SECRET, key) for variable, key in (
                (facts.MONGO_ROOT_USERNAME_VARIABLE, "username"), (facts.MONGO_ROOT_PASSWORD_VARIABLE, "password"))],
            resources=resources(int(cpu_millicores(settings.cpu_request)), int(cpu_millicores(settings.cpu_limit)),
                                int(memory_bytes(settings.memory_request) // 2**20),
                                int(memory_bytes(settings.memory_limit) // 2**20)),
            mounts=[mount("/tmp", "tmp"), mount("/data/configdb", "configdb")],
            ports=[{"containerPort": facts.MONGO_PORT}],
            # A first boot initialises the data directory: up to 10 minutes before liveness starts.
            startupProbe={**tcp_check, **timing, "failureThreshold": 60},
            livenessProbe={**tcp_check, **timing, "failureThreshold": 3},
            readinessProbe={"exec": {"command": _PING}, **timing, "failureThreshold": 3},
        )
        pod = pod_spec(
            user=RUN_AS_USER, containers=[mongod],
            volumes=[empty_dir("tmp", TMP_MEBIBYTES), empty_dir("configdb", CONFIG_DB_MEBIBYTES)],
            # mongod flushes its journal and closes cleanly on SIGTERM; big caches need time.
            grace_seconds=60,
        )
        pod["containers"][0]["volumeMounts"].append({"name": "data", "mountPath": facts.MONGO_DATA_PATH})
        claim: dict = {
            "metadata": {"name": "data", "labels": labels},
            "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": settings.storage_size}}},
        }
        if storage_class:
            claim["spec"]["storageClassName"] = storage_class
        spec = workload_spec({
            "minReadySeconds": 0, "podManagementPolicy": "OrderedReady", "replicas": 1,
            "selector": {"matchLabels": DATABASE_LABELS}, "serviceName": name,
            "updateStrategy": {"rollingUpdate": {"partition": 0}, "type": "RollingUpdate"},
        }, workload=self.stateful_set, labels=labels, pod=pod)
        spec["volumeClaimTemplates"] = [claim]
        self.stateful_set.add_fields({"spec": spec})

        self.network_policy = PlainApiObject(
            self, "NetworkPolicy", api_version=network_policy.API_VERSION, kind=network_policy.KIND,
            metadata=cdk8s.ApiObjectMetadata(name=name, namespace=ns, labels=labels),
            fields={"spec": sorted_fields({
                "ingress": [{"from": [{"podSelector": {"matchLabels": client}}], "ports": [tcp(facts.MONGO_PORT)]}
                            for client in database_client_labels(env)],
                "podSelector": {"matchLabels": DATABASE_LABELS},
                "policyTypes": ["Egress", "Ingress"],
            })},
        )
