"""Every name that crosses the AWS and Kubernetes layers, computed once from the typed config.

Both `cloud/` and `k8s/` call these functions and never build such names themselves; the
cross-layer contract tests prove both sides agree.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass
from typing import Literal

from .config import EnvironmentConfig, ServiceSpec
# The subnet sizes are decided with the VPC layout the model checks; both layers read them from here.
from .config.network_layout import NODE_SUBNET_PREFIX, PUBLIC_SUBNET_PREFIX, allocate
from .facts import aws_limits

PROJECT = "zacatl"


#: Longest namespace name Kubernetes accepts (a DNS-1123 label: 63 characters).
MAX_NAMESPACE = 63


def _owner(env: EnvironmentConfig) -> str:
    """``zacatl-<env>`` for the platform, ``zacatl-<env>-<team>`` for a team in a shared environment.

    Raises ValueError when the team's name makes it longer than a namespace may be (63 characters).
    """
    if env.team is None:
        return f"{PROJECT}-{env.name}"
    owner = f"{PROJECT}-{env.name}-{env.team}"
    if len(owner) > MAX_NAMESPACE:
        raise ValueError(f"environment {env.name!r}: field team: {env.team!r} makes the namespace {owner!r} "
                         f"{len(owner)} characters long; Kubernetes allows {MAX_NAMESPACE}")
    return owner


def stack_name(env: EnvironmentConfig) -> str:
    """CloudFormation stack of the cloud layer: ``zacatl-<env>`` (platform) or ``zacatl-<env>-<team>``."""
    return _owner(env)


def cluster_name(env: EnvironmentConfig) -> str:
    """EKS cluster name: ``zacatl-<env>`` (shared by every team of the environment)."""
    return f"{PROJECT}-{env.name}"


def namespace(env: EnvironmentConfig) -> str:
    """Namespace the services run in: ``zacatl-<env>``, or ``zacatl-<env>-<team>`` for a team's
    configuration, so two repositories on one cluster never own the same namespaced objects."""
    return _owner(env)


def service_account(service: ServiceSpec) -> str:
    """Kubernetes ServiceAccount of a service (EKS Pod Identity binds IAM roles to it by this name)."""
    return service.name


def ecr_repository_prefix(env: EnvironmentConfig) -> str:
    """Prefix shared by every ECR repository of the environment (replication filters on it)."""
    return f"{PROJECT}-{env.name}/"


def ecr_repository_name(env: EnvironmentConfig, service: ServiceSpec) -> str:
    """ECR repository of a service in the environment's account: ``zacatl-<env>/<service>``, or
    ``zacatl-<env>/<team>/<service>`` for a team (still under the prefix the platform replicates)."""
    team = "" if env.team is None else f"{env.team}/"
    return f"{ecr_repository_prefix(env)}{team}{service.name}"


def image_repository_uri(env: EnvironmentConfig, service: ServiceSpec) -> str:
    """Where the service's image is pulled from: its own ``image.repository`` or the environment's ECR."""
    if service.image.repository:
        return service.image.repository
    if env.is_local:
        # A laptop cluster loads images built locally (kind load / k3d image import).
        return f"{PROJECT}/{service.name}"
    return f"{env.account}.dkr.ecr.{env.region}.amazonaws.com/{ecr_repository_name(env, service)}"


def image_uri(env: EnvironmentConfig, service: ServiceSpec) -> str:
    """Full image reference: ``repo:tag@digest``, ``repo@digest`` or ``repo:tag``."""
    ref = image_repository_uri(env, service)
    if service.image.tag:
        ref += f":{service.image.tag}"
    if service.image.digest:
        ref += f"@{service.image.digest}"
    return ref if (service.image.tag or service.image.digest) else f"{ref}:latest"


def backup_bucket_name(env: EnvironmentConfig) -> str:
    """S3 bucket of the environment's database backups; account and region make it globally unique."""
    return f"{PROJECT}-{env.name}-backups-{env.account}-{env.region}"


def backup_replica_bucket_name(env: EnvironmentConfig) -> str:
    """Disaster-recovery copy of the backup bucket in ``env.backups.replication_region``.

    Created by the DR stack ``dr_stack_name(env)`` in that region (``cloud/dr_stack.py``).
    """
    if env.backups.replication_region is None:
        raise ValueError(f"environment {env.name!r}: backups.replication_region is not set, so there is no replica bucket")
    return f"{PROJECT}-{env.name}-backups-replica-{env.account}-{env.backups.replication_region}"


def backup_replica_key_alias(env: EnvironmentConfig) -> str:
    """KMS key alias (in the replication region) of the replica bucket's key, for people; IAM and S3
    replication name the key by ARN (``env.backups.replica_key_arn``)."""
    return f"alias/{PROJECT}-{env.name}-backups-replica"


def dr_stack_name(env: EnvironmentConfig) -> str:
    """CloudFormation stack in ``env.backups.replication_region`` holding the replica bucket and its key."""
    return f"{PROJECT}-{env.name}-dr"


#: Key prefix of every database dump in the backup bucket; the backup role may put only under it.
BACKUP_KEY_PREFIX = "mongodb/"


def backup_key_prefix(service: ServiceSpec) -> str:
    """Where one service's database dumps go: ``mongodb/<service>/``, then ``YYYY/MM/DD/<time>.archive.gz``."""
    return f"{BACKUP_KEY_PREFIX}{service.name}/"


def runs_in_cluster_database(env: EnvironmentConfig) -> bool:
    """True when ``env``'s own manifests run its MongoDB (StatefulSet ``IN_CLUSTER_DATABASE``, root
    user from Secret ``IN_CLUSTER_DATABASE_SECRET``): ``database.kind`` ``in_cluster`` and a service
    reads a database. The cloud layer then creates the root user's secret, the workload layer the
    StatefulSet, and the kind path the root Secret; all three ask here."""
    return env.database.kind == "in_cluster" and any(s.database for s in env.services)


def backed_up_services(env: EnvironmentConfig) -> tuple[ServiceSpec, ...]:
    """Services whose database the backup CronJob dumps (``database.backup``); empty for ``local``,
    which has no bucket. A backup writer exists in ``env`` exactly when this is not empty: the
    cloud layer creates the missing-backup alarm and the backup role only then. Empty for
    ``database.kind`` ``documentdb`` too: AWS Backup and DocumentDB's own point-in-time restore
    back it up, not a dump CronJob."""
    if env.is_local or env.database.kind == "documentdb":
        return ()
    return tuple(s for s in env.services if s.database and s.database.backup)


def backup_cronjob_name(service: ServiceSpec) -> str:
    """CronJob that dumps the service's database: ``<service>-db-backup``."""
    return f"{service.name}-db-backup"


#: The in-cluster MongoDB (``database.kind`` ``in_cluster``): StatefulSet and Service name, and the
#: Secret holding its root user (keys ``username``, ``password``).
IN_CLUSTER_DATABASE = "mongodb"
IN_CLUSTER_DATABASE_SECRET = "mongodb-root"


def in_cluster_database_secret_id(env: EnvironmentConfig) -> str:
    """Secrets Manager secret with the in-cluster MongoDB's root user (generated by the stack):
    ``zacatl/<env>/mongodb``, or ``zacatl/<env>/<team>/mongodb`` for a team."""
    team = "" if env.team is None else f"{env.team}/"
    return f"{PROJECT}/{env.name}/{team}{IN_CLUSTER_DATABASE}"


#: The Amazon DocumentDB cluster (``database.kind`` ``documentdb``), its Secrets Manager secret's last
#: path segment.
DOCUMENTDB = "documentdb"


def documentdb_cluster_identifier(env: EnvironmentConfig) -> str:
    """DocumentDB cluster identifier: ``zacatl-<env>`` (its CloudWatch metrics carry it)."""
    return _owner(env)


def documentdb_secret_id(env: EnvironmentConfig) -> str:
    """Secrets Manager secret of the DocumentDB master user (``username``, ``password``, ``host``,
    ``port``; rotated): ``zacatl/<env>/documentdb``, or ``zacatl/<env>/<team>/documentdb`` for a team.
    The services' ExternalSecrets build ``MONGO_URI`` from it."""
    team = "" if env.team is None else f"{env.team}/"
    return f"{PROJECT}/{env.name}/{team}{DOCUMENTDB}"


def documentdb_backup_vault_name(env: EnvironmentConfig) -> str:
    """AWS Backup vault of the DocumentDB recovery points: ``zacatl-<env>-documentdb``; the DR stack's
    copy vault in ``backups.replication_region`` has the same name."""
    return f"{_owner(env)}-{DOCUMENTDB}"


def secret_id(env: EnvironmentConfig, service: ServiceSpec) -> str:
    """AWS Secrets Manager secret holding the service's secret values as JSON keys:
    ``zacatl/<env>/<service>``, or ``zacatl/<env>/<team>/<service>`` for a team."""
    team = "" if env.team is None else f"{env.team}/"
    return f"{PROJECT}/{env.name}/{team}{service.name}"


def kubernetes_secret_name(service: ServiceSpec) -> str:
    """The Kubernetes Secret a service reads its secret values from (made by ExternalSecret or by hand)."""
    return f"{service.name}-secrets"


def host(env: EnvironmentConfig, service: ServiceSpec) -> str:
    """Public host name of a service's ingress: ``service.host`` if set (config keeps it inside
    ``env.domain``), else ``<service>.<domain>``."""
    return service.public_host(env.domain)


def public_subnet_cidrs(env: EnvironmentConfig) -> tuple[str, ...]:
    """The public subnet of each pinned availability zone, in zone order: the first ``/24`` blocks of
    the VPC range (``10.0.0.0/24``, ``10.0.1.0/24``, ... for ``10.0.0.0/16``).

    The cloud layer creates exactly these subnets (``cloud/network.py``); the internet-facing ALB
    has its addresses there and, with target-type ip, sends to pods from them, so the workload
    layer's network policies admit load-balancer traffic from these ranges and no others. Empty
    for ``local`` (no VPC).
    """
    if env.is_local:
        return ()
    blocks = ipaddress.ip_network(env.network.vpc_cidr).subnets(new_prefix=PUBLIC_SUBNET_PREFIX)
    return tuple(str(next(blocks)) for _ in env.availability_zones)


def private_subnet_cidrs(env: EnvironmentConfig) -> tuple[str, ...]:
    """The private (node) subnet of each pinned zone, in zone order, as ``config.network_layout``
    allocates them after the public ones: ``10.0.32.0/19``, ``10.0.64.0/19``, ... for ``10.0.0.0/16``.

    The cloud layer creates exactly these (``cloud/network.py``); nodes, pods and the Atlas
    PrivateLink endpoint's interfaces live there, so the database egress of ``atlas`` names them.
    Empty for ``local``.
    """
    if env.is_local:
        return ()
    zones = len(env.availability_zones)
    subnets = allocate(env.network.vpc_cidr, zones)
    if subnets is None:  # the config refuses such a range; kept for callers outside validation
        raise ValueError(f"environment {env.name!r}: network.vpc_cidr {env.network.vpc_cidr} does not fit {zones} zones")
    return tuple(str(s) for s in subnets[zones:])


def aws_api_endpoints(env: EnvironmentConfig) -> tuple[str, ...]:
    """Every AWS API some service of ``env`` declares in ``aws_apis``, plus ``network.team_aws_apis``
    (what teams' services in their own repositories call), sorted, without repeats
    (``('s3', 'sqs', 'sts')``). The cloud layer gives each one an interface endpoint in the VPC
    (``cloud/endpoints.py``); the workload layer opens the VPC range on 443 to the services that
    declare them. Empty for ``local`` (no VPC) and for a team's configuration (its ServiceStack has
    no VPC: the platform environment lists the team's APIs in ``network.team_aws_apis``).
    """
    if env.is_local or env.team is not None:
        return ()
    return tuple(sorted({api for s in env.services for api in s.aws_apis} | set(env.network.team_aws_apis)))


def vpc_endpoint_service_name(env: EnvironmentConfig, api: str) -> str:
    """The VPC endpoint service of an AWS API in the environment's region: ``com.amazonaws.<region>.<api>``
    (``api`` as in ``facts.aws_endpoints.INTERFACE_ENDPOINT_APIS``)."""
    return f"com.amazonaws.{env.region}.{api}"


def aws_api_endpoints_security_group(env: EnvironmentConfig) -> str:
    """Name tag of the security group on the services' AWS API endpoints: ``zacatl-<env>-aws-api-endpoints``.

    A tag, not the group's name: a named security group cannot be replaced in one deploy.
    """
    return f"{stack_name(env)}-aws-api-endpoints"


def secret_store_name(env: EnvironmentConfig) -> str:
    """External Secrets store (in the environment's namespace) backed by AWS Secrets Manager."""
    return "aws-secrets-manager"


#: ServiceAccount of the database backup job in the environment's namespace.
BACKUP_SERVICE_ACCOUNT = "database-backup"
#: ServiceAccount of the restore job (rendered under dist/<env>/restore/, applied only to restore).
RESTORE_SERVICE_ACCOUNT = "database-restore"
#: Platform add-ons that call AWS, by (namespace, ServiceAccount); their charts create the accounts.
EXTERNAL_SECRETS_SERVICE_ACCOUNT = ("external-secrets", "external-secrets")
LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT = ("kube-system", "aws-load-balancer-controller")
EXTERNAL_DNS_SERVICE_ACCOUNT = ("external-dns", "external-dns")
CLUSTER_AUTOSCALER_SERVICE_ACCOUNT = ("kube-system", "cluster-autoscaler")
#: Namespace of the Prometheus stack (kube-prometheus-stack); the workload NetworkPolicies admit it.
MONITORING_NAMESPACE = "monitoring"
#: Alertmanager publishes to the environment's alarm topic (``alarm_topic_arn``) as this account.
ALERTMANAGER_SERVICE_ACCOUNT = (MONITORING_NAMESPACE, "alertmanager")
#: Namespace Argo CD runs in (chart install) or watches (EKS capability); Applications live there.
ARGOCD_NAMESPACE = "argocd"
#: Argo CD's name for the cluster it runs in. The chart install registers it under this name; the EKS
#: capability registers nothing by itself (EKS user guide, "Register target clusters"), so the stack adds a
#: cluster Secret of this name whose server is the cluster ARN. Applications address it by name only.
ARGOCD_IN_CLUSTER = "in-cluster"
#: Argo CD project of the platform add-ons. The root Application, which syncs the environment's
#: workloads, stays in Argo CD's ``default`` project (cloud/gitops.py).
PLATFORM_PROJECT = "platform"


def root_application(env: EnvironmentConfig) -> str:
    """The root (app of apps) Application the stack registers; it syncs ``dist/<env>/``."""
    return f"{PROJECT}-{env.name}-root"


def gitops_path(env: EnvironmentConfig) -> str:
    """Path in the repository that the root Application syncs: ``dist/<env>``."""
    return f"dist/{env.name}"


def certificate_domains(env: EnvironmentConfig) -> tuple[str, ...]:
    """Every host an Ingress of ``env`` serves (``naming.host`` of each exposed service), sorted."""
    return tuple(sorted({host(env, s) for s in env.services if s.ingress_path is not None}))


def stack_tags(env: EnvironmentConfig) -> dict[str, str]:
    """Tags on every resource of the environment's stack, the VPC included.

    The load balancer controller finds its VPC by these tags (``--aws-vpc-tags``), so it needs neither
    a VPC id known at synth (there are no lookups) nor the instance metadata service.
    """
    return {f"{PROJECT}:environment": env.name, f"{PROJECT}:managed-by": "zacatl-infra"}


def alarm_topic_name(env: EnvironmentConfig) -> str:
    """SNS topic every alert of the environment goes to (CloudWatch alarms, budgets, Alertmanager):
    ``zacatl-<env>-alarms``."""
    return f"{PROJECT}-{env.name}-alarms"


def _partition(region: str) -> str:
    # ARN partitions by region prefix (AWS General Reference, "Amazon Resource Names"); synth knows no other way.
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def alarm_topic_arn(env: EnvironmentConfig) -> str:
    """ARN of ``alarm_topic_name(env)`` in the environment's account and region, written into the
    Alertmanager configuration (no lookup at synth). Raises ValueError for ``local`` (no AWS layer)."""
    if env.is_local or env.region is None or env.account is None:
        raise ValueError(f"environment {env.name!r}: tier 'local' has no alarm topic")
    return f"arn:{_partition(env.region)}:sns:{env.region}:{env.account}:{alarm_topic_name(env)}"


def txt_owner_id(env: EnvironmentConfig) -> str:
    """external-dns ownership id written in its TXT records, so two clusters never fight over a record."""
    return cluster_name(env)


@dataclass(frozen=True)
class WorkloadIdentity:
    """A Kubernetes ServiceAccount that gets an IAM role through an EKS Pod Identity association.

    The cloud layer creates the role and the association; the workload layer (or the add-on's
    chart) creates the ServiceAccount. Both read this list, so the two can never drift apart.
    """

    namespace: str
    service_account: str
    purpose: Literal["service", "database-backup", "database-restore", "external-secrets", "load-balancer-controller",
                     "external-dns", "cluster-autoscaler", "alertmanager"]
    role_name: str


def workload_identities(env: EnvironmentConfig) -> tuple[WorkloadIdentity, ...]:
    """Every ServiceAccount of ``env`` that needs AWS access. Empty for ``local`` (no AWS layer)."""
    if env.is_local:
        return ()
    ns = namespace(env)
    prefix = _owner(env)
    identities = [
        WorkloadIdentity(ns, service_account(s), "service", f"{prefix}-svc-{s.name}")
        for s in env.services
        if s.needs_aws_role
    ]
    if backed_up_services(env):
        identities.append(WorkloadIdentity(ns, BACKUP_SERVICE_ACCOUNT, "database-backup", f"{prefix}-database-backup"))
        identities.append(WorkloadIdentity(ns, RESTORE_SERVICE_ACCOUNT, "database-restore", f"{prefix}-database-restore"))
    if env.team is not None:
        # The platform's add-ons serve every team; their identities belong to the platform stack.
        return tuple(identities)
    identities.append(WorkloadIdentity(*EXTERNAL_SECRETS_SERVICE_ACCOUNT, "external-secrets",
                                       external_secrets_role_name(env)))
    identities.append(
        WorkloadIdentity(*LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT, "load-balancer-controller", f"{prefix}-lb-controller")
    )
    identities.append(WorkloadIdentity(*EXTERNAL_DNS_SERVICE_ACCOUNT, "external-dns", f"{prefix}-external-dns"))
    if env.node_autoscaling.enabled:
        identities.append(
            WorkloadIdentity(*CLUSTER_AUTOSCALER_SERVICE_ACCOUNT, "cluster-autoscaler", f"{prefix}-cluster-autoscaler"))
    identities.append(WorkloadIdentity(*ALERTMANAGER_SERVICE_ACCOUNT, "alertmanager", f"{prefix}-alertmanager"))
    return tuple(identities)


def external_secrets_role_name(env: EnvironmentConfig) -> str:
    """IAM role of the platform's External Secrets controller: ``zacatl-<env>-external-secrets``.

    The same for a team's configuration: teams grant this platform role read access to their secrets.
    """
    return f"{PROJECT}-{env.name}-external-secrets"


def _derived_names(env: EnvironmentConfig) -> list[tuple[str, str, int, str]]:
    """(what, name, limit, fields to shorten) for every AWS name derived from ``env``'s settings."""
    names = [
        ("CloudFormation stack", stack_name(env), aws_limits.STACK_NAME_MAX, "name"),
        ("EKS cluster", cluster_name(env), aws_limits.EKS_CLUSTER_NAME_MAX, "name"),
        ("S3 backup bucket", backup_bucket_name(env), aws_limits.BUCKET_NAME_MAX, "name"),
        ("budget", f"{stack_name(env)}-monthly", aws_limits.BUDGET_NAME_MAX, "name"),
    ]
    if env.backups.replication_region is not None:
        names.append(("S3 replica bucket", backup_replica_bucket_name(env), aws_limits.BUCKET_NAME_MAX,
                      "name (or backups.replication_region)"))
        names.append(("KMS alias", backup_replica_key_alias(env), aws_limits.KMS_ALIAS_MAX, "name"))
    for spec in env.services:
        names.append(("ECR repository", ecr_repository_name(env, spec), aws_limits.ECR_REPOSITORY_NAME_MAX,
                      f"name or services[{spec.name}].name"))
        names.append(("Secrets Manager secret", secret_id(env, spec), aws_limits.SECRET_NAME_MAX,
                      f"name or services[{spec.name}].name"))
    for identity in workload_identities(env):
        fields = f"name or services[{identity.service_account}].name" if identity.purpose == "service" else "name"
        names.append((f"IAM role ({identity.purpose})", identity.role_name, aws_limits.IAM_ROLE_NAME_MAX, fields))
    return names


def name_length_problems(env: EnvironmentConfig) -> list[str]:
    """One line per AWS name derived from ``env`` that is longer than AWS allows, naming the field to
    shorten and by how many characters. Empty for ``local`` (no AWS names) and for a fitting env.

    Limits and their sources: ``facts.aws_limits``.
    """
    if env.is_local:
        return []
    return [
        f"field {fields}: the {what} name {name!r} is {len(name)} characters, {len(name) - limit} over the "
        f"{limit} AWS allows: shorten {fields} by {len(name) - limit} characters"
        for what, name, limit, fields in _derived_names(env)
        if len(name) > limit
    ]
