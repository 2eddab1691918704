"""What one Zacatl microservice needs from the platform: the `ServiceSpec` and its parts."""

from __future__ import annotations

import ipaddress
import re
from typing import Literal

from typing import TYPE_CHECKING, Any

from pydantic import Field, field_validator, model_validator

from ..facts import aws_endpoints, nodejs, zacatl
from ._base import DnsLabel, FrozenModel
from .quantity import cpu_millicores, memory_bytes
from .types import CpuQuantity, DnsName, HttpPath, ImageRepository, MemoryQuantity

if TYPE_CHECKING:
    from .environment import EnvironmentConfig

_ENV_VAR = re.compile(r"^[A-Z_][A-Z0-9_]*$")
_DIGEST = re.compile(r"^sha256:[0-9a-f]{64}$")
_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")

#: Variables the platform sets on every container from the environment and the spec (the Zacatl
#: contract, ``facts.zacatl``); neither ``env`` nor a secret may set them, or the manifest would
#: carry two values and Kubernetes would keep one of them silently.
PLATFORM_ENV_VARS = frozenset(
    v.name for v in (zacatl.NODE_ENV, zacatl.PORT, zacatl.APP_ENV, zacatl.SERVICE_NAME, zacatl.LOG_LEVEL)
)
#: Set by the platform unless the service sets them in ``env``: the heap size from the memory limit,
#: and the release (the image tag) for the log lines.
DEFAULTED_ENV_VARS = frozenset({nodejs.OPTIONS_VARIABLE, zacatl.APP_VERSION.name})
#: Ranges that are never "the internet": RFC 1918, carrier-grade NAT (RFC 6598) and link-local
#: (which holds the instance metadata service and the Pod Identity agent).
NON_INTERNET_IPV4 = ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10", "169.254.0.0/16")


def _check_cidr(value: str) -> str:
    try:
        network = ipaddress.ip_network(value)
    except ValueError as err:
        raise ValueError(f"{value!r} is not a CIDR block such as '192.168.248.0/21'") from err
    if network.prefixlen == 0:
        raise ValueError(f"{value!r} allows egress to the whole internet: list the range the peer lives in")
    return value


def _check_reason(value: str | None, what: str) -> str | None:
    """A written reason for an opt-in: None (allowed outside prod) or 10 characters or more."""
    if value is not None and len(value.strip()) < 10:
        raise ValueError(f"{value!r} is not a reason: say which {what} is called and why (10 characters or more)")
    return value


def check_aws_apis(value: tuple[str, ...]) -> tuple[str, ...]:
    """``value`` if every name is in ``facts.aws_endpoints.INTERFACE_ENDPOINT_APIS`` once; ValueError otherwise."""
    known = aws_endpoints.INTERFACE_ENDPOINT_APIS
    for api in value:
        if api not in known:
            raise ValueError(f"{api!r} is not an AWS API with a VPC interface endpoint known here; allowed: "
                             f"{sorted(known)} (zacatl_infra.facts.aws_endpoints), or aws_apis_over_internet")
    repeated = sorted({a for a in value if value.count(a) > 1})
    if repeated:
        raise ValueError(f"AWS APIs {repeated} are listed twice")
    return value


#: The JSON Schema of a list of AWS API names: editors complete them; ``check_aws_apis`` gives the error.
AWS_APIS_SCHEMA = {"items": {"type": "string", "enum": sorted(aws_endpoints.INTERFACE_ENDPOINT_APIS)}}


class ImageRef(FrozenModel):
    """Where the container image comes from.

    ``repository`` defaults to the environment's own ECR repository for the service (see
    ``zacatl_infra.naming.image_repository_uri``). Give a ``digest`` (preferred: immutable) or an
    immutable release ``tag``; both together pin the tag to the digest.
    """

    repository: ImageRepository | None = Field(
        default=None,
        description=("Image repository without tag or digest. Default: the environment's own ECR repository (immutable"
                     ' tags); any other needs a digest outside local.'),
    )
    tag: str | None = Field(
        default=None,
        description='Image tag, immutable release tags only outside local (not latest).',
    )
    digest: str | None = Field(
        default=None,
        description='Image digest sha256:<64 hex>; pins the image exactly.',
    )

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
    """What the kubelet (and the ALB) ask the service to learn whether it is up and ready.

    Zacatl registers no health route of its own (``facts.zacatl.FRAMEWORK_HEALTH_ROUTES``), so the
    readiness path has no default: name a route the service really serves, one that fails while
    MongoDB is unreachable (docs/workloads.md shows the small route to add). None makes readiness a
    TCP check on the port, for a service with no HTTP route at all; an Ingress needs a path.

    ``liveness_path``: Default None, a TCP check on the port: the port opens only after the database
    connected, and stays open while the process lives. Give a path only for a route that never
    touches MongoDB, or a database outage restarts every pod.
    ``startup_path``: Default None, the same check as liveness.
    """

    readiness_path: HttpPath | None = Field(
        description=('HTTP path readiness (and the load balancer) calls; a route that fails while MongoDB is '
                     'unreachable. None: TCP check, only without an Ingress.'),
    )
    liveness_path: HttpPath | None = Field(
        default=None,
        description=('HTTP path of the liveness check. Default: None, a TCP check on the port; never a route that '
                     'touches MongoDB.'),
    )
    startup_path: HttpPath | None = Field(
        default=None,
        description='HTTP path of the startup check. Default: the liveness check.',
    )

    @property
    def startup(self) -> str | None:
        """The startup probe path; None for a TCP check. Default: the liveness check."""
        return self.startup_path or self.liveness_path


class Resources(FrozenModel):
    """CPU and memory requests and limits (Kubernetes quantity strings)."""

    cpu_request: CpuQuantity = Field(
        description="CPU request as Kubernetes writes it ('250m', '0.5'), at least 1m; rendered exactly.",
    )
    cpu_limit: CpuQuantity = Field(description='CPU limit, at least the request; rendered exactly.')
    memory_request: MemoryQuantity = Field(
        description="Memory request ('512Mi', '1Gi'), at least 64Mi, whole bytes; rendered exactly.",
    )
    memory_limit: MemoryQuantity = Field(
        description='Memory limit, at least the request; 75 % of it becomes the Node.js heap cap.',
    )

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

    min_replicas: int = Field(ge=1, le=100, description='Fewest replicas; prod keeps at least 2.')
    max_replicas: int = Field(
        ge=1, le=100,
        description='Most replicas the autoscaler may run; at least min_replicas.',
    )
    target_cpu_percent: int = Field(
        default=70, ge=10, le=95,
        description='Average CPU utilization of the requests the autoscaler aims for.',
    )
    target_memory_percent: int = Field(
        default=80, ge=10, le=95,
        description='Average memory utilization of the requests the autoscaler aims for.',
    )

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

    env_var: str = Field(description='Environment variable the value is given in; not one the platform sets.')
    key: DnsLabel = Field(
        description="JSON key in the service's Secrets Manager secret (or key of the local Secret).",
    )

    @field_validator("env_var")
    @classmethod
    def _env_var(cls, value: str) -> str:
        if not _ENV_VAR.match(value):
            raise ValueError(f"{value!r} is not an environment variable name: use A-Z, 0-9 and '_'")
        return value


class DatabaseSpec(FrozenModel):
    """The MongoDB database a service uses through Mongoose.

    The network path comes from the environment's ``database.kind``: egress to the in-cluster
    MongoDB pods, or to the Atlas PrivateLink endpoint's subnets (``naming.private_subnet_cidrs``).
    ``egress_cidrs``: extra ranges where the database also answers (for example an Atlas peering
    block); the network policy allows egress to them on ``port`` only. Default: none.
    """

    engine: Literal["mongodb"] = Field(
        default="mongodb",
        description='Database engine; MongoDB through Mongoose.',
    )
    name: DnsLabel = Field(description='Database name.')
    port: int = Field(
        default=27017, ge=1, le=65535,
        description='TCP port the network policy opens to egress_cidrs.',
    )
    egress_cidrs: tuple[str, ...] = Field(
        default=(),
        description=("Extra ranges where the database answers (for example an Atlas peering block), on port; the "
                     "path to the environment's database.kind is added by itself. Must not overlap the VPC."),
    )
    connection_secret: SecretRef = Field(
        default=SecretRef(env_var=zacatl.DATABASE_URL.name, key="mongodb-uri"),
        description=("The variable the app reads its connection string from. Default: Zacatl's MONGO_URI from the key "
                     "mongodb-uri of the service's secret."),
    )
    backup: bool = Field(
        default=True,
        description=("Back the database up daily into the environment's backup bucket; prod refuses it off without a "
                     'waiver.'),
    )
    index_script: str | None = Field(
        default=None,
        description=("Path, in the service's image, of a Node script that creates the declared indexes and exits "
                     "(Zacatl's MongooseIndexManager.createMissing()); run in a migration Job before a new version "
                     "serves. Zacatl creates no index on boot when APP_ENV is production, prod or staging. "
                     "Default: none, no Job."),
    )

    @field_validator("index_script")
    @classmethod
    def _script(cls, value: str | None) -> str | None:
        if value is not None and not value.startswith("/"):
            raise ValueError(f"{value!r} must be an absolute path inside the service's image")
        return value

    @field_validator("egress_cidrs")
    @classmethod
    def _cidrs(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for cidr in value:
            _check_cidr(cidr)
        return value


class Upstream(FrozenModel):
    """A peer this service calls; the network policies allow exactly that traffic.

    Two kinds:
    - another service of the same environment: ``Upstream(name="ledger-api")``. The caller's policy
      allows egress to the callee's pods (by their selector labels) on the callee's container port,
      and the callee's policy admits the caller's pods on that port; both come from this one
      declaration. Traffic sent to the callee's Service (port 80) reaches its pods on the container
      port after kube-proxy's DNAT, which is what NetworkPolicy sees.
    - an external peer by range: ``Upstream(name="billing-vpn", cidr="10.30.0.0/24", port=8443)``.
    For an internet API with no stable range, use ``ServiceSpec.internet_egress``.
    """

    name: DnsLabel = Field(description='Another service of the environment, or a name for an external peer.')
    cidr: str | None = Field(
        default=None,
        description="External peer's range. Default: none, the peer is a service of the environment.",
    )
    port: int | None = Field(
        default=None, ge=1, le=65535,
        description="External peer's TCP port; only with cidr.",
    )

    @field_validator("cidr")
    @classmethod
    def _cidr(cls, value: str | None) -> str | None:
        return None if value is None else _check_cidr(value)

    @model_validator(mode="after")
    def _kind(self) -> Upstream:
        if self.cidr is not None and self.port is None:
            raise ValueError(f"upstream {self.name!r}: an external peer (cidr {self.cidr}) needs a port")
        if self.cidr is None and self.port is not None:
            raise ValueError(
                f"upstream {self.name!r}: port {self.port} is only for an external peer with a cidr; a service "
                "of the environment is called on its own container_port"
            )
        return self

    @property
    def is_service(self) -> bool:
        """True for another service of the environment, False for an external range."""
        return self.cidr is None


class InternetEgress(FrozenModel):
    """Opt-in egress to the public internet on a few TCP ports, for an API with no stable range.

    Rendered as narrowly as NetworkPolicy allows: ``0.0.0.0/0`` except every private, carrier-grade
    NAT and link-local range (``NON_INTERNET_IPV4``), on ``ports`` only (NetworkPolicy cannot match
    host names). ``reason`` says who is called and why (for example "Stripe API for card payments");
    the prod tier refuses the opt-in without one.
    """

    ports: tuple[int, ...] = Field(default=(443,), description='TCP ports opened to public addresses.')
    reason: str | None = Field(default=None, description='Which API is called and why; required in prod.')

    @field_validator("ports")
    @classmethod
    def _ports(cls, value: tuple[int, ...]) -> tuple[int, ...]:
        if not value:
            raise ValueError("internet egress needs at least one port (for HTTPS: 443)")
        for port in value:
            if not 1 <= port <= 65535:
                raise ValueError(f"{port} is not a TCP port: allowed 1 to 65535")
        return value

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None) -> str | None:
        return _check_reason(value, "API")


class AwsApisOverInternet(FrozenModel):
    """Opt-in: AWS APIs through their public regional endpoints, for an API with no VPC endpoint here.

    Opens 443 to the public internet (``0.0.0.0/0`` except ``NON_INTERNET_IPV4``; AWS API addresses
    cannot be listed), like ``InternetEgress``. ``reason`` says which API and why it has no endpoint;
    the prod tier refuses the opt-in without one. Prefer ``ServiceSpec.aws_apis``.
    """

    reason: str | None = Field(
        default=None,
        description='Which AWS API is called over the internet and why it has no VPC endpoint; required in prod.',
    )

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None) -> str | None:
        return _check_reason(value, "AWS API")


class ServiceSpec(FrozenModel):
    """Everything the platform needs to run one Zacatl microservice.

    Build one with ``zacatl_infra.config.presets.service(tier, ...)`` to start from the tier's
    production defaults and say only what differs.
    """

    name: DnsLabel = Field(
        description="The service's name: Deployment, Service, ServiceAccount and ECR repository suffix.",
    )
    image: ImageRef = Field(description='Where the container image comes from.')
    component: Literal["api", "worker"] = Field(
        default="api",
        description=('What the service is: the app.kubernetes.io/component label. A worker has no Ingress. Default: '
                     'api.'),
    )
    # Containers run as non-root, which cannot bind ports below 1024.
    container_port: int = Field(
        default=zacatl.REFERENCE_PORT, ge=1024, le=65535,
        description='Port the app listens on (PORT); 1024 or above, the container runs as non-root.',
    )
    health: HealthProbes = Field(description='Readiness, liveness and startup checks.')
    scaling: Scaling = Field(description='How many replicas run and when the autoscaler adds more.')
    resources: Resources = Field(description='CPU and memory requests and limits.')
    env: dict[str, str] = Field(
        default_factory=dict,
        description=("Plain environment variables (a ConfigMap); not the platform's own (NODE_ENV, PORT, APP_ENV, "
                     'SERVICE_NAME, LOG_LEVEL).'),
    )
    secrets: tuple[SecretRef, ...] = Field(
        default=(),
        description='Secret values given as environment variables, by reference.',
    )
    database: DatabaseSpec | None = Field(
        default=None,
        description='The MongoDB database the service uses. Default: none.',
    )
    upstreams: tuple[Upstream, ...] = Field(
        default=(),
        description='Peers the service calls; the network policies allow exactly that traffic.',
    )
    internet_egress: InternetEgress | None = Field(
        default=None,
        description='Public internet egress for an API with no stable range. Default: none.',
    )
    ingress_path: HttpPath | None = Field(
        default="/",
        description='Path prefix the ingress routes to this service. None: not exposed outside the cluster.',
    )
    host: DnsName | None = Field(
        default=None,
        description=("Public host of the Ingress: the environment's domain or a name under it. Default: "
                     '<name>.<domain>.'),
    )
    needs_aws_role: bool = Field(
        default=False,
        description=('An IAM role bound to the ServiceAccount through EKS Pod Identity; opens egress to the agent and '
                     'to the VPC endpoints of aws_apis on 443. Needs aws_apis or aws_apis_over_internet. Default: none.'),
    )
    aws_apis: tuple[str, ...] = Field(
        default=(),
        description=("AWS APIs the service calls, by VPC endpoint service name ('s3', 'sqs', 'sts'); each gets an "
                     'interface endpoint with private DNS in the VPC. Only with needs_aws_role. Default: none.'),
        json_schema_extra=AWS_APIS_SCHEMA,
    )
    aws_apis_over_internet: AwsApisOverInternet | None = Field(
        default=None,
        description=('Opt-in: AWS APIs over their public endpoints (the internet on 443), for an API with no VPC '
                     'endpoint; reason required in prod. Default: none.'),
    )
    automount_service_account_token: bool = Field(
        default=False,
        description='Kubernetes API token in the pod. Default: not mounted; Zacatl services do not call the API.',
    )

    @model_validator(mode="before")
    @classmethod
    def _worker_has_no_ingress(cls, data: Any) -> Any:
        if isinstance(data, dict) and data.get("component") == "worker" and "ingress_path" not in data:
            return {**data, "ingress_path": None}
        return data

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

    @field_validator("aws_apis")
    @classmethod
    def _aws_apis(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return check_aws_apis(value)

    @model_validator(mode="after")
    def _consistent(self) -> ServiceSpec:
        names = [s.env_var for s in self.all_secrets]
        duplicates = sorted({n for n in names if names.count(n) > 1} | (set(names) & set(self.env)))
        if duplicates:
            raise ValueError(f"environment variables {duplicates} are defined twice (env, secrets or database)")
        for i, ref in enumerate(self.secrets):
            if ref.env_var in PLATFORM_ENV_VARS | DEFAULTED_ENV_VARS:
                raise ValueError(f"secrets[{i}].env_var {ref.env_var!r} is set by the platform; allowed names "
                                 f"exclude {sorted(PLATFORM_ENV_VARS | DEFAULTED_ENV_VARS)}")
        if self.database and self.database.connection_secret.env_var in PLATFORM_ENV_VARS | DEFAULTED_ENV_VARS:
            raise ValueError(
                f"database.connection_secret.env_var {self.database.connection_secret.env_var!r} is set by the "
                f"platform; allowed names exclude {sorted(PLATFORM_ENV_VARS | DEFAULTED_ENV_VARS)}"
            )
        if self.component == "worker" and self.ingress_path is not None:
            raise ValueError(f"ingress_path {self.ingress_path!r}: a worker serves no Ingress; use component 'api'")
        if self.ingress_path is not None and self.health.readiness_path is None:
            raise ValueError("health.readiness_path is None, but the Ingress's load balancer health check needs an "
                             "HTTP path: name a route the service serves")
        calls_aws = bool(self.aws_apis) or self.aws_apis_over_internet is not None
        if calls_aws and not self.needs_aws_role:
            raise ValueError("aws_apis and aws_apis_over_internet need needs_aws_role: AWS calls are signed with the "
                             "role's credentials")
        if self.needs_aws_role and not calls_aws:
            raise ValueError("needs_aws_role: name the AWS APIs the service calls in aws_apis (for example "
                             "('s3', 'sqs')), or opt in to aws_apis_over_internet with a reason; the network policy "
                             "opens exactly those")
        upstream_names = [u.name for u in self.upstreams]
        repeated = sorted({n for n in upstream_names if upstream_names.count(n) > 1})
        if repeated:
            raise ValueError(f"upstreams {repeated} are listed twice")
        return self

    def public_host(self, domain: str) -> str:
        """The Ingress host: ``host`` if set, else ``<name>.<domain>``. Read it through ``naming.host``."""
        return self.host or f"{self.name}.{domain}"

    @property
    def all_secrets(self) -> tuple[SecretRef, ...]:
        """The service's own secrets plus the database connection string, if it has a database."""
        extra = (self.database.connection_secret,) if self.database else ()
        return self.secrets + extra


def _in_domain(host: str, domain: str) -> bool:
    return host == domain or host.endswith(f".{domain}")


def environment_problems(env: EnvironmentConfig) -> list[str]:
    """What makes the services of ``env`` unable to work together; one line per problem.

    Called by ``EnvironmentConfig``'s validation, which prefixes the environment's name. Checks:
    an upstream names a service of the environment (not itself); a host lies in ``env.domain`` (the
    hosted zone); no two Ingresses claim the same host and path; prod's internet egress and AWS APIs
    over the internet say why.
    """
    problems: list[str] = []
    names = {s.name for s in env.services}
    routes: dict[tuple[str, str], str] = {}
    for spec in env.services:
        where = f"service {spec.name!r}"
        for i, upstream in enumerate(spec.upstreams):
            if upstream.is_service and upstream.name not in names - {spec.name}:
                problems.append(
                    f"{where}: field upstreams[{i}].name: {upstream.name!r} is not another service of this "
                    f"environment (services: {sorted(names - {spec.name})}); an external peer needs cidr and port"
                )
        if spec.host is not None and not _in_domain(spec.host, env.domain):
            problems.append(f"{where}: field host: {spec.host!r} is outside the environment's domain "
                            f"{env.domain!r}; allowed: {env.domain!r} or a name ending in '.{env.domain}'")
        if spec.ingress_path is not None:
            route = (spec.public_host(env.domain), spec.ingress_path)
            if route in routes:
                problems.append(f"{where}: field host: {route[0]}{route[1]} is already routed to service "
                                f"{routes[route]!r}")
            routes[route] = spec.name
        if spec.internet_egress is not None and env.tier == "prod" and spec.internet_egress.reason is None:
            problems.append(f"{where}: field internet_egress.reason: prod opens the internet only with a written "
                            "reason (which API, and why); got none")
        if spec.aws_apis_over_internet is not None and env.tier == "prod" and spec.aws_apis_over_internet.reason is None:
            problems.append(f"{where}: field aws_apis_over_internet.reason: prod opens AWS APIs over the internet only "
                            "with a written reason (which API, and why it has no VPC endpoint); got none")
    return problems
