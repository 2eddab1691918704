"""One deployment target: the `EnvironmentConfig` and the settings of its cluster, network and backups."""

from __future__ import annotations

import difflib
import ipaddress
import re
from collections.abc import Mapping
from types import SimpleNamespace
from typing import Annotated, Any, Literal, get_args

from pydantic import AfterValidator, Field, ValidationInfo, WithJsonSchema, field_validator, model_validator

from ..facts import aws_limits, aws_regions, ec2, eks_versions
from ..facts import backups as backup_facts
from ..facts import documentdb as documentdb_facts
from . import network_layout
from ._base import DnsLabel, FrozenModel
from .database import DatabaseSettings
from .monitoring import MonitoringSettings
from .prod_rules import prod_problems
from .service import AWS_APIS_SCHEMA, ServiceSpec, check_aws_apis, environment_problems
from .types import DnsName, EmailAddress
from .waivers import Waiver

Tier = Literal["local", "dev", "staging", "prod"]
"""Which preset family an environment uses. ``local`` is a laptop cluster with no AWS layer."""

#: Newest Kubernetes version EKS offers (``facts.eks_versions``); the default of new clusters.
NEWEST_EKS_VERSION = eks_versions.NEWEST
#: Oldest version EKS still offers: the oldest the model accepts and the manifests are validated on.
OLDEST_KUBERNETES_VERSION = eks_versions.OLDEST

_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
_ACCOUNT = re.compile(r"^[0-9]{12}$")


def _aws_region(value: str) -> str:
    if not _REGION.match(value):
        raise ValueError(f"{value!r} is not an AWS region name such as 'eu-west-1'")
    if value not in aws_regions.ZONE_LETTERS:
        near = difflib.get_close_matches(value, aws_regions.ZONE_LETTERS, n=1)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ValueError(f"{value!r} is not a region in facts/aws_regions.py (as of "
                         f"{aws_regions.AS_OF.isoformat()}){hint} Add a new region there with its zones")
    return value


AwsRegion = Annotated[str, AfterValidator(_aws_region),
                      WithJsonSchema({"type": "string", "enum": sorted(aws_regions.ZONE_LETTERS)})]
"""An AWS region name listed in ``facts.aws_regions`` (checked offline, so synth needs no AWS call)."""


def _cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value)
    except ValueError as err:
        raise ValueError(f"{value!r} is not a CIDR block such as '10.0.0.0/16'") from err
    return value


#: Architecture of the node group's AMI (AL2023_X86_64_STANDARD in cloud/cluster.py).
NODE_ARCHITECTURE = "x86_64"
#: Most addresses the public API endpoint may be opened to in all: office and VPN egress ranges are
#: small; anything wider is the internet under another name.
MAX_PUBLIC_ENDPOINT_ADDRESSES = 2**16


class ClusterSettings(FrozenModel):
    """The EKS cluster (cloud tiers) or the laptop cluster (``local``)."""

    kubernetes_version: str = Field(
        default=NEWEST_EKS_VERSION,
        description=('Kubernetes minor version of the EKS cluster, one EKS offers (facts/eks_versions.py). Default: '
                     'the newest offered.'),
    )
    public_endpoint_cidrs: tuple[str, ...] = Field(
        default=(),
        description=('IPv4 CIDRs allowed to reach the public API endpoint, at most 65,536 addresses in all. Default: '
                     'none, the endpoint is private only.'),
    )
    node_instance_types: tuple[str, ...] = Field(
        default=("m7i.large",),
        description=('EC2 instance types of the managed node group: known to the EC2 API, x86_64 (the nodes run the '
                     'AL2023 x86_64 AMI), each once.'),
    )
    node_min: int = Field(
        default=2, ge=1,
        description='Fewest nodes the node group scales to; prod needs one per availability zone.',
    )
    node_desired: int = Field(
        default=2, ge=1,
        description='Nodes at creation; node_min <= node_desired <= node_max.',
    )
    node_max: int = Field(default=4, ge=1, description='Most nodes the node group scales to.')
    spot: bool = Field(
        default=False,
        description=('Spot capacity for the managed node group. Default: on-demand; the dev preset uses spot; prod '
                     'refuses it without a waiver.'),
    )

    @field_validator("kubernetes_version")
    @classmethod
    def _version(cls, value: str) -> str:
        # EKS refuses to create a cluster on any other version (facts.eks_versions, as of its AS_OF).
        if value not in eks_versions.OFFERED:
            raise ValueError(
                f"{value!r} is not a Kubernetes version EKS offers (as of {eks_versions.AS_OF.isoformat()}): "
                f"use one of {list(eks_versions.OFFERED)}"
            )
        return value

    @field_validator("public_endpoint_cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in value:
            _cidr(cidr)
            if ipaddress.ip_network(cidr).prefixlen == 0:
                raise ValueError(f"{cidr!r} opens the API endpoint to the whole internet: list office or VPN ranges")
        # Split halves (0.0.0.0/1 + 128.0.0.0/1) open as much as /0: judge the union, not each block.
        networks = [ipaddress.ip_network(c) for c in value]
        if any(n.version != 4 for n in networks):
            raise ValueError("EKS public access CIDRs are IPv4 blocks only: list office or VPN ranges such as "
                             "'203.0.113.0/24'")
        opened = sum(n.num_addresses for n in ipaddress.collapse_addresses(networks))
        if opened > MAX_PUBLIC_ENDPOINT_ADDRESSES:
            raise ValueError(
                f"{list(value)} together open the API endpoint to {opened:,} addresses: list office or VPN ranges, "
                f"at most {MAX_PUBLIC_ENDPOINT_ADDRESSES:,} addresses in all (a /16)")
        return value

    @field_validator("node_instance_types")
    @classmethod
    def _instance_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        if not value:
            raise ValueError("node_instance_types is empty: list at least one EC2 instance type, such as 'm7i.large'")
        for name in value:
            if name not in ec2.INSTANCE_TYPES:
                sizes = sorted(t.split(".", 1)[1] for t in ec2.INSTANCE_TYPES if ec2.family(t) == ec2.family(name))
                near = difflib.get_close_matches(name, ec2.INSTANCE_TYPES, n=3)
                valid = f"{ec2.family(name)} sizes: {', '.join(sizes)}" if sizes else f"did you mean {near}?"
                raise ValueError(f"{name!r} is not an EC2 instance type ({valid}; the EC2 API's list in "
                                 "facts/ec2_instance_types.json)")
            # The node group's AMI is AL2023 x86_64 (cloud/cluster.py): a Graviton type cannot boot it.
            if ec2.architecture(name) != NODE_ARCHITECTURE:
                raise ValueError(f"{name!r} is an {ec2.architecture(name)} (Graviton) type, but the nodes run the "
                                 f"{NODE_ARCHITECTURE} AL2023 AMI: use an x86_64 type such as 'm7i.large'")
        repeated = sorted({n for n in value if value.count(n) > 1})
        if repeated:
            raise ValueError(f"instance types {repeated} are listed twice")
        return value

    @model_validator(mode="after")
    def _node_bounds(self) -> ClusterSettings:
        if not self.node_min <= self.node_desired <= self.node_max:
            raise ValueError(
                f"node counts must satisfy node_min <= node_desired <= node_max "
                f"(got {self.node_min}, {self.node_desired}, {self.node_max})"
            )
        return self


_ROLE_ARN = re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[\w+=,.@/-]+$")
_STS_ARN = re.compile(r"^arn:aws[a-z-]*:sts::")


def _role_arn(value: str) -> str:
    if _STS_ARN.match(value):
        session = re.match(r"^arn:(aws[a-z-]*):sts::([0-9]{12}):assumed-role/([^/]+)/", value)
        role = (f"'arn:{session.group(1)}:iam::{session.group(2)}:role/{session.group(3)}'" if session
                else "(arn:aws:iam::<account>:role/<name>)")
        raise ValueError(
            f"{value!r} is an STS session ARN; EKS access entries accept only the IAM role ARN: use {role}")
    if not _ROLE_ARN.match(value):
        raise ValueError(f"{value!r} is not an IAM role ARN such as 'arn:aws:iam::111111111111:role/platform-admin'")
    return value


IamRoleArn = Annotated[str, AfterValidator(_role_arn)]
"""An IAM role ARN (``arn:aws:iam::<account>:role/<path/name>``); STS session ARNs are refused."""


class AccessSettings(FrozenModel):
    """Who reaches the Kubernetes API, through EKS access entries with EKS access policies.

    The role that creates the cluster (the CloudFormation execution role) never gets standing access:
    ``BootstrapClusterCreatorAdminPermissions`` is false in every tier, so the people and pipelines
    listed here are the only way in. Source: EKS user guide, "Grant IAM users access to Kubernetes
    with EKS access entries" and "Associate access policies with access entries".
    """

    admin_role_arns: tuple[IamRoleArn, ...] = Field(
        default=(),
        description=('IAM roles given AmazonEKSClusterAdminPolicy on the whole cluster through EKS access entries. '
                     'Required (one or more) outside local; no STS session ARNs.'),
    )
    deploy_role_arns: tuple[IamRoleArn, ...] = Field(
        default=(),
        description=("CI/CD roles given AmazonEKSEditPolicy in the environment's and Argo CD's namespaces only "
                     '(pipeline checks, emergency syncs). Default: none.'),
    )
    viewer_role_arns: tuple[IamRoleArn, ...] = Field(
        default=(),
        description='Roles given AmazonEKSViewPolicy on the whole cluster (read-only, no Secrets). Default: none.',
    )
    session_manager_host: bool = Field(
        default=False,
        description=('An SSM Session Manager host in a private subnet, the way into a private-only API endpoint '
                     'without an inbound port. Default: off.'),
    )

    @model_validator(mode="after")
    def _distinct(self) -> AccessSettings:
        roles = [*self.admin_role_arns, *self.deploy_role_arns, *self.viewer_role_arns]
        repeated = sorted({r for r in roles if roles.count(r) > 1})
        if repeated:
            raise ValueError(f"a role may have one access entry only, but {repeated} is listed more than once")
        return self


_REPO_URL = re.compile(r"^(https://[^\s/]+/\S+|ssh://[^\s/]+/\S+|git@[^\s:]+:\S+)$")
_REVISION = re.compile(r"^[A-Za-z0-9._/-]{1,100}$")


class IdentityCenterSettings(FrozenModel):
    """IAM Identity Center, which the EKS Argo CD capability uses for sign-in (its only identity source)."""

    instance_arn: str = Field(
        pattern=r"^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$",
        description='ARN of the IAM Identity Center instance, arn:aws:sso:::instance/ssoins-<16 characters>.',
    )
    region: AwsRegion = Field(
        description="Region the Identity Center instance lives in (often not the cluster's).",
    )
    admin_group_ids: tuple[str, ...] = Field(
        min_length=1,
        description='Identity Center group ids given the Argo CD ADMIN role; at least one.',
    )
    viewer_group_ids: tuple[str, ...] = Field(
        default=(),
        description='Identity Center group ids given the Argo CD VIEWER role. Default: none.',
    )


class GitOpsSettings(FrozenModel):
    """Argo CD, installed by the stack, and the root Application it syncs ``dist/<env>/`` from.

    Two installs: ``capability`` is the EKS managed Argo CD (``AWS::EKS::Capability`` type ARGOCD; AWS
    runs and upgrades it, sign-in through IAM Identity Center, required in ``identity_center``);
    ``helm`` is the upstream argo-cd chart at the version pinned in ``facts/charts.json``.
    """

    install: Literal["capability", "helm"] = Field(
        default="helm",
        description=('How Argo CD is installed: capability (the EKS managed Argo CD, needs identity_center) or helm '
                     '(the pinned upstream chart). Default: helm.'),
    )
    repo_url: str | None = Field(
        default=None,
        description='Git repository Argo CD pulls (https://..., ssh://... or git@host:path). Required outside local.',
    )
    revision: str = Field(
        default="main",
        description='Branch, tag or commit the root Application follows. Default: main.',
    )
    identity_center: IdentityCenterSettings | None = Field(
        default=None,
        description='IAM Identity Center sign-in for the EKS Argo CD capability. Required when install is capability.',
    )

    @field_validator("repo_url")
    @classmethod
    def _repo_url(cls, value: str | None) -> str | None:
        if value is not None and not _REPO_URL.match(value):
            raise ValueError(f"{value!r} is not an https or ssh Git URL (https://host/path, ssh://host/path, git@host:path)")
        return value

    @field_validator("revision")
    @classmethod
    def _revision(cls, value: str) -> str:
        if not _REVISION.match(value) or ".." in value:
            raise ValueError(f"{value!r} is not a Git branch, tag or commit")
        return value

    @model_validator(mode="after")
    def _identity_center(self) -> GitOpsSettings:
        if self.install == "capability" and self.identity_center is None:
            raise ValueError("install 'capability' needs identity_center (the EKS Argo CD capability signs in "
                             "through IAM Identity Center only)")
        return self


class DnsSettings(FrozenModel):
    """The Route 53 public hosted zone that holds the environment's ``domain``.

    Given by id, so synth needs no lookup; external-dns writes the service records into it and the
    ACM certificate is validated through it.
    """

    hosted_zone_id: str | None = Field(
        default=None,
        description=('Route 53 public hosted zone id holding the domain (Z and up to 31 upper-case letters or digits).'
                     ' Required outside local.'),
    )
    zone_name: str | None = Field(
        default=None,
        description="The hosted zone's name, which domain must equal or be under. Default: domain itself.",
    )

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone_id(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^Z[A-Z0-9]{1,31}$", value):
            raise ValueError(f"{value!r} is not a Route 53 hosted zone id such as 'Z0123456789ABCDEFGHIJ'")
        return value


class NodeAutoscalingSettings(FrozenModel):
    """Cluster Autoscaler over the managed node group (bounds: ``cluster.node_min``/``node_max``)."""

    enabled: bool = Field(
        default=True,
        description=('Cluster Autoscaler over the node group between cluster.node_min and node_max; off keeps '
                     'node_desired nodes. Default: on in every cloud tier.'),
    )
    scale_down_unneeded_minutes: int = Field(
        default=10, ge=1, le=120,
        description='Minutes a node must be unneeded before it is removed. Default: 10 (the upstream default).',
    )


class NetworkSettings(FrozenModel):
    """The VPC of a cloud environment."""

    vpc_cidr: str = Field(
        default="10.0.0.0/16",
        description=('IPv4 range of the VPC, /16 to /28, large enough for one public /24 and one node /19 per zone '
                     '(three zones need a /17).'),
    )
    nat_gateways: int = Field(
        default=1, ge=1, le=6,
        description='NAT gateways: one per zone in prod for zone independence, one shared elsewhere to save cost.',
    )
    team_aws_apis: tuple[str, ...] = Field(
        default=(),
        description=("AWS APIs that teams' services (own repositories, ServiceStack) declare in aws_apis: the platform "
                     'creates their interface endpoints in this VPC. Default: none.'),
        json_schema_extra=AWS_APIS_SCHEMA,
    )

    @field_validator("team_aws_apis")
    @classmethod
    def _team_aws_apis(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_aws_apis(value)

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc_cidr(cls, value: str) -> str:
        _cidr(value)
        network = ipaddress.ip_network(value)
        if network.version != 4 or network.prefixlen not in network_layout.VPC_PREFIXES:
            raise ValueError(f"{value!r} must be an IPv4 block from /16 to /28 (the sizes a VPC accepts); the "
                             "subnets need a /17 or larger")
        return value


#: Prod's backup schedule must lose at most this many hours of writes (the seed's RPO).
PROD_MAX_RPO_HOURS = 1
_KMS_KEY_ARN = re.compile(r"^arn:aws[a-z-]*:kms:(?P<region>[a-z0-9-]+):(?P<account>[0-9]{12}):key/(mrk-)?[0-9a-f-]{32,36}$")


class BackupSettings(FrozenModel):
    """Where database backups live, how long they are kept, where they are copied.

    ``retention_days`` is also the bucket's lifecycle expiry and, with ``object_lock``, its
    compliance-mode retention: one number, three places. ``cold_after_days``: days after which
    backups move to S3 Glacier Instant Retrieval. Default None, no transition: Glacier IR bills 90
    days minimum, so a move pays only when an object then stays cold long enough
    (``facts.backups.glacier_ir_saves_money``); a transition that costs more is refused.
    ``replica_key_arn``: the replica bucket's KMS key, by key ARN (IAM ignores aliases for key use);
    the DR stack ``naming.dr_stack_name(env)`` prints it as its ``ReplicaKeyArn`` output.
    """

    retention_days: int = Field(
        default=35, ge=1, le=3650,
        description=('Days a backup is kept: the bucket lifecycle expiry, the Object Lock retention (with '
                     'object_lock) and the replica expiry; prod keeps at least 30.'),
    )
    cold_after_days: int | None = Field(
        default=None, ge=1,
        description=('Days after which backups move to S3 Glacier Instant Retrieval; below retention_days and only '
                     'where it saves money (Glacier IR bills 90 days minimum). Default: none, no transition.'),
    )
    object_lock: bool = Field(
        default=False,
        description=('S3 Object Lock in compliance mode for the retention period. Default: on in the prod preset, '
                     'which refuses it off without a waiver.'),
    )
    replication_region: AwsRegion | None = Field(
        default=None,
        description="Region backups replicate to for disaster recovery, not the environment's own. Default: none.",
    )
    replica_key_arn: str | None = Field(
        default=None,
        description=('KMS key ARN (not an alias) of the replica bucket in replication_region: the ReplicaKeyArn output '
                     'of the DR stack zacatl-<env>-dr. Required with replication_region.'),
    )

    @model_validator(mode="after")
    def _lifecycle(self) -> BackupSettings:
        if self.cold_after_days is not None:
            if self.cold_after_days >= self.retention_days:
                raise ValueError(
                    f"cold_after_days ({self.cold_after_days}) must be below retention_days ({self.retention_days})")
            cold = self.retention_days - self.cold_after_days
            if not backup_facts.glacier_ir_saves_money(cold):
                raise ValueError(
                    f"cold_after_days ({self.cold_after_days}) leaves backups {cold} days in Glacier Instant Retrieval, "
                    f"which bills {backup_facts.GLACIER_IR_MINIMUM_DAYS} days minimum: that costs more than Standard; "
                    "set cold_after_days to None or lengthen retention_days")
        if self.replica_key_arn is not None:
            match = _KMS_KEY_ARN.match(self.replica_key_arn)
            if not match:
                raise ValueError(f"replica_key_arn {self.replica_key_arn!r} is not a KMS key ARN "
                                 "(arn:aws:kms:<region>:<account>:key/<id>); an alias ARN does not grant key use")
            if match["region"] != self.replication_region:
                raise ValueError(f"replica_key_arn is in {match['region']!r}, not in replication_region "
                                 f"{self.replication_region!r}")
        return self


class RegistrySettings(FrozenModel):
    """The environment's ECR registry."""

    replication_region: AwsRegion | None = Field(
        default=None,
        description=('Region the service repositories replicate to, so images survive a regional outage and a standby '
                     'cluster there can pull them. Default: none.'),
    )


class AlertSettings(FrozenModel):
    """Who hears about alarms and how much the environment may cost."""

    emails: tuple[EmailAddress, ...] = Field(
        default=(),
        description='Addresses subscribed to the alarm topic, each once. Prod needs at least one.',
    )
    monthly_budget_usd: int = Field(
        default=500, ge=1,
        description='Monthly cost budget in US dollars; the topic hears at 80 % and 100 % of actual spend.',
    )

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        # One SNS subscription per address: a repeated one is a duplicate construct, refused by the CDK.
        repeated = sorted({e for e in value if value.count(e) > 1})
        if repeated:
            raise ValueError(f"addresses {repeated} are listed twice: list each once")
        return value


#: Names that say which tier an environment is: ``prod`` built on the dev tier would get dev's
#: defaults and escape prod's policies (the first '-'-separated word of the name is compared).
_TIER_BY_NAME: dict[str, Tier] = {"prod": "prod", "production": "prod", "prd": "prod", "staging": "staging",
                                  "stage": "staging", "stg": "staging", "dev": "dev", "development": "dev",
                                  "local": "local"}


class EnvironmentConfig(FrozenModel):
    """One environment: its AWS home, its cluster, and the services it runs.

    The tier's production defaults (``config/presets.py``) apply however it is built: through
    ``presets.environment(tier, ...)`` as the environment files do, or directly,
    ``EnvironmentConfig(tier="prod", ..., services=({...},))`` with typed settings objects or dicts;
    either way the environment says only what differs.
    """

    name: DnsLabel = Field(
        description=("The environment's name: the file name, the namespace and cluster suffix (zacatl-<name>). A name "
                     'that says a tier (prod, staging, dev, local) must use that tier.'),
    )
    tier: Tier = Field(
        description='Preset family: local, dev, staging or prod. Decides the defaults and the prod invariants.',
    )
    team: DnsLabel | None = Field(
        default=None,
        description=("The team or service that owns this configuration in a shared platform environment (a service "
                     "repository; its cloud layer is a ServiceStack). Default: none, the platform's own config. It "
                     "goes into the stack, namespace, role, repository and secret names (see naming)."),
    )
    account: str | None = Field(
        default=None,
        description='AWS account id (12 digits). Required for every tier but local.',
    )
    region: AwsRegion | None = Field(
        default=None,
        description='AWS region (facts/aws_regions.py). Required for every tier but local.',
    )
    availability_zones: tuple[str, ...] = Field(
        default=(),
        description=('Pinned zones of the region, at least two, each once: synth never looks them up, so it works '
                     'offline.'),
    )
    domain: DnsName = Field(
        description=('DNS domain the ingress hosts live under, for example dev.zacatl.example.com; unique across '
                     'environments.'),
    )
    log_level: Literal["fatal", "error", "warn", "info", "debug", "trace"] = Field(
        default="info",
        description='Pino log level of every service (LOG_LEVEL).',
    )
    cluster: ClusterSettings = Field(default=ClusterSettings(), description='The EKS cluster and its nodes.')
    network: NetworkSettings = Field(
        default=NetworkSettings(),
        description='The VPC: its range and NAT gateways.',
    )
    backups: BackupSettings = Field(
        default=BackupSettings(),
        description='Database backups: alarm window, retention, lock and replication.',
    )
    database: DatabaseSettings = Field(
        default=DatabaseSettings(),
        description=('The MongoDB services use (in_cluster or atlas) and its backup schedule, time zone and RPO. '
                     'Default: in the cluster, daily backups at 03:00 UTC.'),
    )
    registry: RegistrySettings = Field(
        default=RegistrySettings(),
        description="The ECR registry's replication.",
    )
    alerts: AlertSettings = Field(
        default=AlertSettings(),
        description='Alarm recipients and the cost budget.',
    )
    access: AccessSettings = Field(
        default=AccessSettings(),
        description='Who reaches the Kubernetes API, through EKS access entries.',
    )
    gitops: GitOpsSettings = Field(
        default=GitOpsSettings(),
        description='Argo CD and the Git repository it syncs dist/<env>/ from.',
    )
    dns: DnsSettings = Field(default=DnsSettings(), description='The Route 53 hosted zone of the domain.')
    node_autoscaling: NodeAutoscalingSettings = Field(
        default=NodeAutoscalingSettings(),
        description='Cluster Autoscaler settings for the node group.',
    )
    monitoring: MonitoringSettings = Field(
        default=MonitoringSettings(),
        description="Prometheus retention and volume size. Default: the tier's (dev 3 days on 20 GiB, staging 7 on 50, prod 15 on 100).",
    )
    services: tuple[ServiceSpec, ...] = Field(
        min_length=1,
        description='The Zacatl services the environment runs, at least one, unique names.',
    )
    waivers: tuple[Waiver, ...] = Field(
        default=(),
        description='Prod invariants this environment does not keep, each with its reason. Default: none.',
    )

    @model_validator(mode="before")
    @classmethod
    def _tier_defaults(cls, data: Any) -> Any:
        """The tier's defaults under what was given, so the model itself applies them.

        ``EnvironmentConfig(tier="prod", ..., cluster=ClusterSettings(spot=False), services=({...},))``
        gets prod's cluster, network, backup and alert defaults under its own settings, and each service
        given as a dict gets prod's replicas and resources under its own (a ``ServiceSpec`` object is
        taken as built). Merging is key by key and idempotent, so ``presets.environment``, which merged
        already, gives the same result. An unknown tier is left to the ``tier`` field's own error.
        """
        if not isinstance(data, Mapping) or data.get("tier") not in get_args(Tier):
            return data
        from . import presets  # presets imports this module; the tables live there, in one place

        tier = data["tier"]
        merged = presets._merge(presets._ENVIRONMENT_DEFAULTS[tier], data)
        services = merged.get("services")
        if isinstance(services, (list, tuple)):
            merged["services"] = tuple(
                presets._merge(presets._SERVICE_DEFAULTS[tier], s) if isinstance(s, Mapping) else s
                for s in services
            )
        return merged

    @field_validator("account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is not None and not _ACCOUNT.match(value):
            raise ValueError(f"{value!r} is not an AWS account id: expected 12 digits")
        return value

    # Checks that read earlier fields (info.data holds those that validated) run as field checks, so
    # they are reported together with other fields' problems instead of after all fields pass.
    @field_validator("tier")
    @classmethod
    def _tier_matches_name(cls, tier: Tier, info: ValidationInfo) -> Tier:
        name = info.data.get("name")
        named = _TIER_BY_NAME.get(name.split("-")[0]) if name else None
        if named is not None and named != tier:
            raise ValueError(f"an environment named {name!r} is built on tier {tier!r}, so it gets {tier}'s "
                             f"defaults and policies: use presets.environment({named!r}, ...) or another name")
        return tier

    @field_validator("availability_zones")
    @classmethod
    def _zones(cls, value: tuple[str, ...], info: ValidationInfo) -> tuple[str, ...]:
        if info.data.get("tier", "local") == "local":
            return value
        problems = []
        if len(value) < 2:
            problems.append("availability_zones needs at least two pinned zones (for example 'eu-west-1a')")
        region = info.data.get("region")
        zones = aws_regions.zones(region) if region else ()
        problems += [f"availability zone {zone!r} is not in region {region!r} (its zones: {list(zones)})"
                     for zone in value if region and zone not in zones]
        repeated = sorted({z for z in value if value.count(z) > 1})
        if repeated:
            problems.append(f"{repeated} listed twice; each zone gets one subnet pair, list distinct zones")
        if problems:
            raise ValueError("\n".join(problems))
        return value

    @field_validator("network")
    @classmethod
    def _subnets_fit(cls, value: NetworkSettings, info: ValidationInfo) -> NetworkSettings:
        zones = len(info.data.get("availability_zones", ()))
        if info.data.get("tier", "local") != "local" and zones and network_layout.allocate(value.vpc_cidr, zones) is None:
            raise ValueError(
                f"field network.vpc_cidr: {value.vpc_cidr!r} has no room for {zones} public "
                f"/{network_layout.PUBLIC_SUBNET_PREFIX} and {zones} node /{network_layout.NODE_SUBNET_PREFIX} "
                f"subnets (one each per zone): use a /{network_layout.largest_prefix_that_fits(zones)} or larger block")
        return value

    @field_validator("services")
    @classmethod
    def _pinned_images(cls, value: tuple[ServiceSpec, ...], info: ValidationInfo) -> tuple[ServiceSpec, ...]:
        if info.data.get("tier", "local") == "local":
            return value
        problems = []
        for service in value:
            if service.image.is_mutable:
                problems.append(f"field services[{service.name}].image: needs a digest or an immutable release tag "
                                f"outside 'local' (got tag {service.image.tag!r})")
            elif service.image.repository and service.image.digest is None:
                # Only the environment's own ECR repositories have immutable tags (cloud/registry.py).
                problems.append(
                    f"field services[{service.name}].image.digest: an image from outside the environment's ECR "
                    f"({service.image.repository}) can have its tag {service.image.tag!r} pushed again; pin "
                    "image.digest ('sha256:...')")
        if problems:
            raise ValueError("\n".join(problems))
        return value

    @field_validator("waivers")
    @classmethod
    def _prod_invariants(cls, value: tuple[Waiver, ...], info: ValidationInfo) -> tuple[Waiver, ...]:
        # The last field: every other field that validated is in info.data, so the prod invariants are
        # judged even when an unrelated field is wrong (a rule whose fields failed is skipped).
        problems = prod_problems(SimpleNamespace(**info.data, waivers=value))
        if problems:
            raise ValueError("\n".join(problems))
        return value

    @model_validator(mode="after")
    def _consistent(self) -> EnvironmentConfig:
        problems: list[str] = []
        if self.tier != "local":
            if self.account is None or self.region is None:
                problems.append("account and region are required for every tier except 'local'")
            if not self.access.admin_role_arns:
                problems.append("field access.admin_role_arns: a cloud environment needs at least one administrator "
                                "role (the creating CloudFormation role gets no standing cluster access)")
            if self.gitops.repo_url is None:
                problems.append("field gitops.repo_url: a cloud environment needs the Git repository Argo CD syncs "
                                f"dist/{self.name}/ from (https://... or ssh://...)")
            if self.dns.hosted_zone_id is None:
                problems.append("field dns.hosted_zone_id: a cloud environment needs the id of the Route 53 zone "
                                f"holding {self.domain!r} (certificates and DNS records go there)")
            zone = self.dns.zone_name or self.domain
            if self.domain != zone and not self.domain.endswith("." + zone):
                problems.append(f"field dns.zone_name: domain {self.domain!r} is not in zone {zone!r}")
        problems.extend(self._database_problems())
        for service in self.services:
            if service.database and not self.is_local:
                vpc = ipaddress.ip_network(self.network.vpc_cidr)
                for cidr in service.database.egress_cidrs:
                    if ipaddress.ip_network(cidr).overlaps(vpc):
                        problems.append(
                            f"service {service.name!r}: database range {cidr} overlaps the VPC {self.network.vpc_cidr}; "
                            "a peered database needs a range of its own (the PrivateLink endpoint's subnets are "
                            "allowed already through database.kind 'atlas')"
                        )
        for field, target in (("registry", self.registry.replication_region),
                              ("backups", self.backups.replication_region)):
            if target is not None and target == self.region:
                problems.append(f"{field}.replication_region {target!r} is the environment's own region; "
                                "disaster recovery needs another region")
        problems.extend(environment_problems(self))
        names = [s.name for s in self.services]
        repeated = sorted({n for n in names if names.count(n) > 1})
        if repeated:
            problems.append(f"service names must be unique (repeated: {repeated})")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _database_problems(self) -> list[str]:
        problems: list[str] = []
        backups, database = self.backups, self.database
        if self.tier == "prod":
            if database.kind == "in_cluster":
                problems.append("database.kind 'in_cluster' is refused in prod: one MongoDB pod on one zonal volume "
                                "cannot survive a zone loss; allowed: 'atlas', 'documentdb'")
            if database.kind == "documentdb" and (database.documentdb is None or database.documentdb.instances < 2):
                count = database.documentdb.instances if database.documentdb else 1
                problems.append(f"database.documentdb.instances {count} is below the prod minimum 2: one instance "
                                "cannot fail over to another zone")
            if database.backup.rpo_hours > PROD_MAX_RPO_HOURS:
                problems.append(f"database.backup.rpo_hours {database.backup.rpo_hours} is above the prod maximum "
                                f"{PROD_MAX_RPO_HOURS}")
        if self.is_local and database.kind != "in_cluster":
            problems.append(f"database.kind {database.kind!r}: a laptop cluster has no AWS network path; allowed: 'in_cluster'")
        if database.kind == "documentdb":
            low, high = documentdb_facts.BACKUP_RETENTION_DAYS
            if not low <= backups.retention_days <= high:
                problems.append(f"backups.retention_days {backups.retention_days} is outside what DocumentDB keeps for "
                                f"point-in-time restore ({low}-{high} days) with database.kind 'documentdb'")
        if backups.replication_region is not None and backups.replica_key_arn is None:
            problems.append("backups.replication_region is set but backups.replica_key_arn is not: deploy the DR stack "
                            "first and copy its ReplicaKeyArn output (docs/disaster-recovery.md)")
        if backups.replica_key_arn is not None and self.account and f":{self.account}:key/" not in backups.replica_key_arn:
            problems.append("backups.replica_key_arn belongs to another account than the environment's")
        return problems

    @property
    def is_local(self) -> bool:
        """True for a laptop cluster: no AWS layer, plain Secrets, nginx ingress."""
        return self.tier == "local"

    def service(self, name: str) -> ServiceSpec:
        """The service called ``name``; raises KeyError naming the services that exist."""
        for spec in self.services:
            if spec.name == name:
                return spec
        raise KeyError(f"environment {self.name!r} has no service {name!r} (has {[s.name for s in self.services]})")
