"""One deployment target: the `EnvironmentConfig` and the settings of its cluster, network and backups."""

from __future__ import annotations

import ipaddress
import re
from typing import Annotated, Literal

from pydantic import AfterValidator, Field, field_validator, model_validator

from ..facts import eks_versions
from ._base import DnsLabel, FrozenModel
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
    #: IAM principal ARNs given cluster-admin through EKS access entries.
    admin_principal_arns: tuple[str, ...] = ()
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

    @field_validator("admin_principal_arns")
    @classmethod
    def _arns(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for arn in value:
            if not re.match(r"^arn:aws[a-z-]*:(iam|sts)::[0-9]{12}:(role|user|assumed-role)/.+$", arn):
                raise ValueError(f"{arn!r} is not an IAM role or user ARN")
        return value

    @model_validator(mode="after")
    def _node_bounds(self) -> ClusterSettings:
        if not self.node_min <= self.node_desired <= self.node_max:
            raise ValueError(
                f"node counts must satisfy node_min <= node_desired <= node_max "
                f"(got {self.node_min}, {self.node_desired}, {self.node_max})"
            )
        return self


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
    #: The team or service that owns this configuration in a shared platform environment (a service
    #: repository; its cloud layer is a ``ServiceStack``). Default: none, the platform's own config.
    #: It goes into the stack, namespace, role, repository and secret names (see ``naming``).
    team: DnsLabel | None = None
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
