"""What one Zacatl microservice needs from the platform: the `ServiceSpec` and its parts."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from pydantic import Field, field_validator, model_validator

from ._base import DnsLabel, FrozenModel
from .quantity import cpu_millicores, memory_bytes

_ENV_VAR = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")

#: Variables the platform sets on every container from the spec; a service may not override them,
#: or the manifest would carry two values and Kubernetes keeps the last one silently.
PLATFORM_ENV_VARS = frozenset({"NODE_ENV", "PORT", "SERVICE_NAME", "LOG_LEVEL"})


def _check_cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value)
    except ValueError as err:
        raise ValueError(f"{value!r} is not a CIDR block such as '192.168.248.0/21'") from err
    if network.prefixlen == 0:
        raise ValueError(f"{value!r} allows egress to the whole internet: list the range the peer lives in")
    return value


class ImageRef(FrozenModel):
    """Where the container image comes from.

    ``repository`` defaults to the environment's own ECR repository for the service (see
    ``zacatl_infra.naming.image_repository_uri``). Give a ``digest`` (preferred: immutable) or an
    immutable release ``tag``; both together pin the tag to the digest.
    """

    repository: str | None = None
    tag: str | None = None
    digest: str | None = None

    @field_validator("tag")
    @classmethod
    def _tag_shape(cls, value: str | None) -> str | None:
        if value is not None and not _TAG.match(value):
            raise ValueError(f"{value!r} is not a valid image tag: use letters, digits, '_', '.', '-' (max 128)")
        return value

    @field_validator("digest")
    @classmethod
    def _digest_shape(cls, value: str | None) -> str | None:
        if value is not None and not _DIGEST.match(value):
            raise ValueError(f"{value!r} is not an image digest: expected 'sha256:' and 64 hex characters")
        return value

    @property
    def is_mutable(self) -> bool:
        """True when nothing pins the image: no digest and either no tag or the moving tag `latest`."""
        return self.digest is None and self.tag in (None, "latest")


class HealthProbes(FrozenModel):
    """HTTP paths the service answers for Kubernetes probes.

    Default: ``/health`` for liveness and startup, ``/ready`` for readiness (register both routes in
    the Zacatl app; readiness should fail while MongoDB is unreachable, liveness should not).
    """

    liveness_path: str = "/health"
    readiness_path: str = "/ready"
    startup_path: str | None = None

    @field_validator("liveness_path", "readiness_path", "startup_path")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError(f"{value!r} must be an absolute HTTP path starting with '/'")
        return value

    @property
    def startup(self) -> str:
        """The startup probe path. Default: the liveness path."""
        return self.startup_path or self.liveness_path


class Resources(FrozenModel):
    """CPU and memory requests and limits (Kubernetes quantity strings)."""

    cpu_request: str
    cpu_limit: str
    memory_request: str
    memory_limit: str

    @field_validator("cpu_request", "cpu_limit")
    @classmethod
    def _cpu(cls, value: str) -> str:
        cpu_millicores(value)
        return value

    @field_validator("memory_request", "memory_limit")
    @classmethod
    def _memory(cls, value: str) -> str:
        memory_bytes(value)
        return value

    @model_validator(mode="after")
    def _limits_cover_requests(self) -> Resources:
        if cpu_millicores(self.cpu_limit) < cpu_millicores(self.cpu_request):
            raise ValueError(
                f"cpu_limit {self.cpu_limit!r} is below cpu_request {self.cpu_request!r}: a limit must be >= its request"
            )
        if memory_bytes(self.memory_limit) < memory_bytes(self.memory_request):
            raise ValueError(
                f"memory_limit {self.memory_limit!r} is below memory_request {self.memory_request!r}: "
                "a limit must be >= its request"
            )
        return self


class Scaling(FrozenModel):
    """Replica bounds and autoscaling targets."""

    min_replicas: int = Field(ge=1, le=100)
    max_replicas: int = Field(ge=1, le=100)
    target_cpu_percent: int = Field(default=70, ge=10, le=95)
    target_memory_percent: int = Field(default=80, ge=10, le=95)

    @model_validator(mode="after")
    def _bounds(self) -> Scaling:
        if self.min_replicas > self.max_replicas:
            raise ValueError(
                f"min_replicas ({self.min_replicas}) is above max_replicas ({self.max_replicas}): "
                "min_replicas must be <= max_replicas"
            )
        return self


class SecretRef(FrozenModel):
    """One secret value the service reads from an environment variable.

    The value lives in AWS Secrets Manager under ``naming.secret_id(env, service)`` with JSON key
    ``key`` (cloud environments) or in a locally created Secret (``local``); never in the manifests.
    """

    env_var: str
    key: DnsLabel

    @field_validator("env_var")
    @classmethod
    def _env_var(cls, value: str) -> str:
        if not _ENV_VAR.match(value):
            raise ValueError(f"{value!r} is not an environment variable name: use A-Z, 0-9 and '_'")
        return value


class DatabaseSpec(FrozenModel):
    """The MongoDB database a service uses through Mongoose.

    ``egress_cidrs``: where the database answers (for example the private endpoint range of a
    MongoDB Atlas cluster); the network policy allows egress to them on ``port`` only.
    """

    engine: Literal["mongodb"] = "mongodb"
    name: DnsLabel
    port: int = Field(default=27017, ge=1, le=65535)
    egress_cidrs: tuple[str, ...] = ()
    connection_secret: SecretRef = SecretRef(env_var="MONGODB_URI", key="mongodb-uri")
    backup: bool = True

    @field_validator("egress_cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in value:
            _check_cidr(cidr)
        return value


class Upstream(FrozenModel):
    """Another service or API this service calls; network policy allows egress to it."""

    name: DnsLabel
    cidr: str
    port: int = Field(ge=1, le=65535)

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str) -> str:
        return _check_cidr(value)


class ServiceSpec(FrozenModel):
    """Everything the platform needs to run one Zacatl microservice.

    Build one with ``zacatl_infra.config.presets.service(tier, ...)`` to start from the tier's
    production defaults and say only what differs.
    """

    name: DnsLabel
    image: ImageRef
    # Containers run as non-root, which cannot bind ports below 1024.
    container_port: int = Field(default=8082, ge=1024, le=65535)
    health: HealthProbes = HealthProbes()
    scaling: Scaling
    resources: Resources
    env: dict[str, str] = Field(default_factory=dict)
    secrets: tuple[SecretRef, ...] = ()
    database: DatabaseSpec | None = None
    upstreams: tuple[Upstream, ...] = ()
    #: Path prefix the ingress routes to this service. None: not exposed outside the cluster.
    ingress_path: str | None = "/"
    #: An IAM role bound to the service's ServiceAccount through EKS Pod Identity. Default: none;
    #: secrets reach the pod through External Secrets, so most services need no AWS access at all.
    needs_aws_role: bool = False
    #: Kubernetes API token in the pod. Default: not mounted; Zacatl services do not call the API.
    automount_service_account_token: bool = False

    @field_validator("env")
    @classmethod
    def _env(cls, value: dict[str, str]) -> dict[str, str]:
        for key in value:
            if not _ENV_VAR.match(key):
                raise ValueError(f"{key!r} is not an environment variable name: use A-Z, 0-9 and '_'")
            if key in PLATFORM_ENV_VARS:
                raise ValueError(
                    f"{key!r} is set by the platform from the spec; allowed names exclude {sorted(PLATFORM_ENV_VARS)}"
                )
        return value

    @model_validator(mode="after")
    def _unique_secret_vars(self) -> ServiceSpec:
        names = [s.env_var for s in self.all_secrets]
        duplicates = sorted({n for n in names if names.count(n) > 1} | (set(names) & set(self.env)))
        if duplicates:
            raise ValueError(f"environment variables {duplicates} are defined twice (env, secrets or database)")
        return self

    @property
    def all_secrets(self) -> tuple[SecretRef, ...]:
        """The service's own secrets plus the database connection string, if it has a database."""
        extra = (self.database.connection_secret,) if self.database else ()
        return self.secrets + extra
