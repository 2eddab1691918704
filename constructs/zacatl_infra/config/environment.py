"""One deployment target: the `EnvironmentConfig` and the settings of its cluster, network and backups."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..facts import eks_versions
from ._base import DnsLabel, FrozenModel
from .monitoring import MonitoringSettings
from .service import ServiceSpec, environment_problems

Tier = Literal["local", "dev", "staging", "prod"]
"""Which preset family an environment uses. ``local`` is a laptop cluster with no AWS layer."""

#: Newest Kubernetes version EKS offers (``facts.eks_versions``); the default of new clusters.
NEWEST_EKS_VERSION = eks_versions.NEWEST
#: Oldest version EKS still offers: the oldest the model accepts and the manifests are validated on.
OLDEST_KUBERNETES_VERSION = eks_versions.OLDEST

_REGION = re.compile(r"^[a-z]{2}(-gov)?-[a-z]+-[0-9]$")
_ACCOUNT = re.compile(r"^[0-9]{12}$")
_DOMAIN = re.compile(r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?\.)+[a-z]{2,}$")


def _aws_region(value: str) -> str:
    if not _REGION.match(value):
        raise ValueError(f"{value!r} is not an AWS region name such as 'eu-west-1'")
    return value


AwsRegion = Annotated[str, AfterValidator(_aws_region)]
"""An AWS region name; checked by shape only, so synth needs no AWS call."""


def _cidr(value: str) -> str:
    try:
        ipaddress.ip_network(value)
    except ValueError as err:
        raise ValueError(f"{value!r} is not a CIDR block such as '10.0.0.0/16'") from err
    return value


class ClusterSettings(FrozenModel):
    """The EKS cluster (cloud tiers) or the laptop cluster (``local``)."""

    kubernetes_version: str = NEWEST_EKS_VERSION
    #: CIDRs allowed to reach the public API endpoint. Default: none, the endpoint is private only.
    public_endpoint_cidrs: tuple[str, ...] = ()
    node_instance_types: tuple[str, ...] = ("m7i.large",)
    node_min: int = Field(default=2, ge=1)
    node_desired: int = Field(default=2, ge=1)
    node_max: int = Field(default=4, ge=1)
    #: Spot capacity for the managed node group. Default: on-demand; the dev preset allows spot.
    spot: bool = False

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
        raise ValueError(
            f"{value!r} is an STS session ARN; EKS access entries accept only the IAM role ARN "
            "(arn:aws:iam::<account>:role/<name>)")
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

    #: Roles given ``AmazonEKSClusterAdminPolicy`` on the whole cluster. Required (one or more) outside ``local``.
    admin_role_arns: tuple[IamRoleArn, ...] = ()
    #: CI/CD roles given ``AmazonEKSEditPolicy`` in the environment's namespace and Argo CD's namespace
    #: only (deploys go through GitOps; this is for pipeline checks and emergency syncs). Default: none.
    deploy_role_arns: tuple[IamRoleArn, ...] = ()
    #: Roles given ``AmazonEKSViewPolicy`` on the whole cluster (read-only, no Secrets). Default: none.
    viewer_role_arns: tuple[IamRoleArn, ...] = ()
    #: An SSM Session Manager host in a private subnet, the way into a private-only API endpoint that
    #: opens no inbound port. Default: off (deploys need no way in: Argo CD pulls from Git).
    session_manager_host: bool = False

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

    #: ARN of the Identity Center instance, ``arn:aws:sso:::instance/ssoins-<16 hex>``.
    instance_arn: str = Field(pattern=r"^arn:aws[a-z-]*:sso:::instance/(sso)?ins-[a-zA-Z0-9-.]{16}$")
    #: Region the Identity Center instance lives in (often not the cluster's).
    region: AwsRegion
    #: Identity Center group ids given the Argo CD ADMIN role. At least one.
    admin_group_ids: tuple[str, ...] = Field(min_length=1)
    #: Identity Center group ids given the Argo CD VIEWER role. Default: none.
    viewer_group_ids: tuple[str, ...] = ()


class GitOpsSettings(FrozenModel):
    """Argo CD, installed by the stack, and the root Application it syncs ``dist/<env>/`` from.

    Two installs: ``capability`` is the EKS managed Argo CD (``AWS::EKS::Capability`` type ARGOCD; AWS
    runs and upgrades it, sign-in through IAM Identity Center, required in ``identity_center``);
    ``helm`` is the upstream argo-cd chart at the version pinned in ``facts/charts.json``.
    """

    install: Literal["capability", "helm"] = "helm"
    #: Git repository Argo CD pulls: ``https://...``, ``ssh://...`` or ``git@host:path``. Required outside ``local``.
    repo_url: str | None = None
    #: Branch, tag or commit the root Application follows. Default: ``main``.
    revision: str = "main"
    #: Required when ``install`` is ``capability``.
    identity_center: IdentityCenterSettings | None = None

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

    #: Route 53 hosted zone id, ``Z`` and up to 31 upper-case letters or digits. Required outside ``local``.
    hosted_zone_id: str | None = None
    #: The zone's name, which ``domain`` must equal or be under. Default: ``domain`` itself.
    zone_name: str | None = None

    @field_validator("hosted_zone_id")
    @classmethod
    def _zone_id(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^Z[A-Z0-9]{1,31}$", value):
            raise ValueError(f"{value!r} is not a Route 53 hosted zone id such as 'Z0123456789ABCDEFGHIJ'")
        return value


class NodeAutoscalingSettings(FrozenModel):
    """Cluster Autoscaler over the managed node group (bounds: ``cluster.node_min``/``node_max``)."""

    #: Off means the node group stays at ``node_desired``. Default: on in every cloud tier.
    enabled: bool = True
    #: How long a node must be unneeded before it is removed. Default: 10 minutes (the upstream default).
    scale_down_unneeded_minutes: int = Field(default=10, ge=1, le=120)


class NetworkSettings(FrozenModel):
    """The VPC of a cloud environment."""

    vpc_cidr: str = "10.0.0.0/16"
    #: NAT gateways: one per zone in prod for zone independence, one shared elsewhere to save cost.
    nat_gateways: int = Field(default=1, ge=1, le=6)

    @field_validator("vpc_cidr")
    @classmethod
    def _vpc_cidr(cls, value: str) -> str:
        _cidr(value)
        prefix = ipaddress.ip_network(value).prefixlen
        if not 16 <= prefix <= 20:
            raise ValueError(f"{value!r} must be a /16 to /20 block to leave room for the cluster's pods")
        return value


class BackupSettings(FrozenModel):
    """Database backups: how soon a missing one alarms, how long they are kept, where they are copied."""

    #: An alarm fires when no new backup object arrives within this many hours.
    window_hours: int = Field(default=26, ge=1, le=24 * 8)
    retention_days: int = Field(default=35, ge=1, le=3650)
    #: Days after which backups move to colder storage (S3 Glacier Instant Retrieval).
    cold_after_days: int = Field(default=30, ge=1)
    #: S3 Object Lock in compliance mode for the retention period. Default: on in the prod preset.
    object_lock: bool = False
    #: Region for cross-region replication (disaster recovery). Default: none.
    replication_region: AwsRegion | None = None

    @model_validator(mode="after")
    def _cold_before_expiry(self) -> BackupSettings:
        if self.cold_after_days >= self.retention_days:
            raise ValueError(
                f"cold_after_days ({self.cold_after_days}) must be below retention_days ({self.retention_days})"
            )
        return self


class RegistrySettings(FrozenModel):
    """The environment's ECR registry."""

    #: Region the service repositories replicate to, so images survive a regional outage and a
    #: standby cluster there can pull them. Default: none (nodes pull in their own region).
    replication_region: AwsRegion | None = None


class AlertSettings(FrozenModel):
    """Who hears about alarms and how much the environment may cost."""

    emails: tuple[str, ...] = ()
    monthly_budget_usd: int = Field(default=500, ge=1)

    @field_validator("emails")
    @classmethod
    def _emails(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for email in value:
            if not re.match(r"^[^@\s]+@[^@\s]+\.[a-z]{2,}$", email):
                raise ValueError(f"{email!r} is not an email address")
        return value


class EnvironmentConfig(FrozenModel):
    """One environment: its AWS home, its cluster, and the services it runs.

    Build one with ``zacatl_infra.config.presets.environment(tier, ...)`` so the tier's
    production defaults apply and the environment file says only what differs.
    """

    name: DnsLabel
    tier: Tier
    #: AWS account id. Required for every tier but ``local``.
    account: str | None = None
    region: AwsRegion | None = None
    #: Pinned zones: synth never looks them up, so it works offline without credentials.
    availability_zones: tuple[str, ...] = ()
    #: DNS domain the ingress hosts live under, for example ``dev.zacatl.example.com``.
    domain: str
    log_level: Literal["fatal", "error", "warn", "info", "debug", "trace"] = "info"
    cluster: ClusterSettings = ClusterSettings()
    network: NetworkSettings = NetworkSettings()
    backups: BackupSettings = BackupSettings()
    registry: RegistrySettings = RegistrySettings()
    alerts: AlertSettings = AlertSettings()
    access: AccessSettings = AccessSettings()
    gitops: GitOpsSettings = GitOpsSettings()
    dns: DnsSettings = DnsSettings()
    node_autoscaling: NodeAutoscalingSettings = NodeAutoscalingSettings()
    monitoring: MonitoringSettings = MonitoringSettings()
    services: tuple[ServiceSpec, ...] = Field(min_length=1)

    @field_validator("account")
    @classmethod
    def _account(cls, value: str | None) -> str | None:
        if value is not None and not _ACCOUNT.match(value):
            raise ValueError(f"{value!r} is not an AWS account id: expected 12 digits")
        return value

    @field_validator("domain")
    @classmethod
    def _domain(cls, value: str) -> str:
        if not _DOMAIN.match(value):
            raise ValueError(f"{value!r} is not a lowercase DNS domain such as 'dev.zacatl.example.com'")
        return value

    @model_validator(mode="after")
    def _consistent(self) -> EnvironmentConfig:
        problems: list[str] = []
        if self.tier != "local":
            if self.account is None or self.region is None:
                problems.append("account and region are required for every tier except 'local'")
            if len(self.availability_zones) < 2:
                problems.append("availability_zones needs at least two pinned zones (for example 'eu-west-1a')")
            for zone in self.availability_zones:
                if self.region and not (zone.startswith(self.region) and len(zone) == len(self.region) + 1):
                    problems.append(f"availability zone {zone!r} is not in region {self.region!r}")
            if not self.access.admin_role_arns:
                problems.append("access.admin_role_arns: a cloud environment needs at least one administrator "
                                "role (the creating CloudFormation role gets no standing cluster access)")
            if self.gitops.repo_url is None:
                problems.append("gitops.repo_url: a cloud environment needs the Git repository Argo CD syncs "
                                f"dist/{self.name}/ from (https://... or ssh://...)")
            if self.dns.hosted_zone_id is None:
                problems.append("dns.hosted_zone_id: a cloud environment needs the id of the Route 53 zone "
                                f"holding {self.domain!r} (certificates and DNS records go there)")
            zone = self.dns.zone_name or self.domain
            if self.domain != zone and not self.domain.endswith("." + zone):
                problems.append(f"dns.zone_name: domain {self.domain!r} is not in zone {zone!r}")
            for service in self.services:
                if service.image.is_mutable:
                    problems.append(
                        f"service {service.name!r}: image needs a digest or an immutable release tag outside "
                        f"'local' (got tag {service.image.tag!r})"
                    )
        for service in self.services:
            if service.database and not service.database.egress_cidrs:
                problems.append(
                    f"service {service.name!r}: database.egress_cidrs is empty, so the network policy lets no "
                    "traffic reach MongoDB; list the range it answers from (for example Atlas's peering block)"
                )
            if service.database and not self.is_local:
                vpc = ipaddress.ip_network(self.network.vpc_cidr)
                for cidr in service.database.egress_cidrs:
                    if ipaddress.ip_network(cidr).overlaps(vpc):
                        problems.append(
                            f"service {service.name!r}: database range {cidr} overlaps the VPC {self.network.vpc_cidr}; "
                            "a peered or private-link database needs a range of its own"
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
            raise ValueError("; ".join(problems))
        return self

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
