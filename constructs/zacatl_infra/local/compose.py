"""Compose files of the ``local`` environment: development and production-like, from the same spec.

``docker-compose.yml`` (development): each service built to its ``dev`` target with its sources
mounted read-only for hot reload, MongoDB with a named volume and a health check, Redis under the
``redis`` profile (off unless asked for), ``depends_on`` on MongoDB's health.
``docker-compose.prod.yml`` (production-like): each service built to its ``runtime`` target and tagged
as the cluster's ``local`` image, read-only root filesystem with a tmpfs ``/tmp``, the Deployment's
user, no mounts, all capabilities dropped, the spec's memory and CPU limits.

Both give each service exactly the variables its Deployment gets (``runtime.platform_variables`` plus
``spec.env``), its port and readiness path. Secret values never appear: each secret variable is
required from the environment (``${NAME:?...}``, filled from ``.env``, which ``.env.example`` lists).
Paths are relative to the rendered folder ``dist/local/compose/``: the build context is the service's
root (``package.json``, ``src/``), three levels up plus ``ImageRecipe.deployment_dir``.
"""

from __future__ import annotations

import posixpath
from typing import Any

from .. import naming, runtime
from ..config import EnvironmentConfig, ServiceSpec
from ..config.quantity import cpu_millicores, memory_bytes
from ..facts import container_images, zacatl
from . import container

#: Where the compose files are rendered, relative to the deployment project, and the way back.
COMPOSE_DIR = "dist/local/compose"
PROJECT_ROOT = "../../.."


def compose_path(recipe: container.ImageRecipe, file: str) -> str:
    """``file`` of ``COMPOSE_DIR`` as seen from the service's root (where ``package.json`` runs scripts)."""
    return posixpath.normpath(posixpath.join(recipe.deployment_dir, COMPOSE_DIR, file))


def build_context(recipe: container.ImageRecipe) -> str:
    """The service's root as seen from ``COMPOSE_DIR``: compose resolves paths from the file's folder."""
    return posixpath.normpath(posixpath.join(PROJECT_ROOT, recipe.service_root))
DEVELOPMENT_FILE = "docker-compose.yml"
PRODUCTION_FILE = "docker-compose.prod.yml"
ENV_EXAMPLE_FILE = ".env.example"
MONGODB_SERVICE = "mongodb"
MONGODB_VOLUME = "mongodb-data"
REDIS_SERVICE = "redis"
REDIS_PROFILE = "redis"
REDIS_PORT = 6379
#: Variables of the MongoDB container's first start (the official image's entrypoint creates the root
#: user from them); the password is a secret like the service's own.
MONGODB_ROOT_USERNAME = "MONGODB_ROOT_USERNAME"
MONGODB_ROOT_PASSWORD = "MONGODB_ROOT_PASSWORD"
DEFAULT_MONGODB_USERNAME = "zacatl"


def _required(name: str) -> str:
    """Compose interpolation that refuses to start while ``name`` is unset or empty."""
    return f"${{{name}:?set {name} in .env, see {ENV_EXAMPLE_FILE}}}"


def secret_variables(spec: ServiceSpec) -> tuple[str, ...]:
    """Names of the variables of ``spec`` whose values are secrets (its secrets and database URL)."""
    return tuple(ref.env_var for ref in spec.all_secrets)


def service_variables(env: EnvironmentConfig, spec: ServiceSpec) -> dict[str, str]:
    """Name -> compose value of every variable the service's container gets, as its Deployment does:
    the platform's (``runtime.platform_variables``), then ``spec.env`` (the ConfigMap), each ``$``
    escaped as ``$$``; then each secret as a required interpolation (never a value)."""
    plain = {**runtime.platform_variables(env, spec), **spec.env}
    # Compose interpolates `$` everywhere; `$$` is its literal dollar, so a value arrives unchanged.
    variables = {name: value.replace("$", "$$") for name, value in plain.items()}
    for name in secret_variables(spec):
        variables[name] = _required(name)
    return variables


def _healthcheck(spec: ServiceSpec, node: str) -> dict[str, Any]:
    return {
        "test": ["CMD", *container.health_command(spec, node)],
        "interval": f"{container.HEALTH_INTERVAL_SECONDS}s",
        "timeout": f"{container.HEALTH_TIMEOUT_SECONDS}s",
        "retries": container.HEALTH_RETRIES,
        "start_period": f"{container.HEALTH_START_PERIOD_SECONDS}s",
    }


def _mongodb(*, publish: bool) -> dict[str, Any]:
    service: dict[str, Any] = {
        "image": container_images.MONGODB.reference,
        "environment": {
            "MONGO_INITDB_ROOT_USERNAME": _required(MONGODB_ROOT_USERNAME),
            "MONGO_INITDB_ROOT_PASSWORD": _required(MONGODB_ROOT_PASSWORD),
        },
        "volumes": [f"{MONGODB_VOLUME}:{container_images.MONGODB_DATA_DIR}"],
        # ping needs no authentication; it answers once mongod accepts connections.
        "healthcheck": {
            "test": ["CMD", container_images.MONGODB_SHELL, "--quiet", "--eval", "db.adminCommand('ping').ok"],
            "interval": "5s", "timeout": "5s", "retries": 12, "start_period": "20s",
        },
        "restart": "unless-stopped",
    }
    if publish:
        # For mongosh or Compass on the laptop; loopback only, never the LAN.
        port = container_images.MONGODB_PORT
        service["ports"] = [f"127.0.0.1:{port}:{port}"]
    return service


def _build(spec: ServiceSpec, target: str, recipe: container.ImageRecipe) -> dict[str, str]:
    return {"context": build_context(recipe), "dockerfile": compose_path(recipe, container.dockerfile_name(spec)),
            "target": target}


def _app_common(env: EnvironmentConfig, spec: ServiceSpec) -> dict[str, Any]:
    # Imported here, not at the top: k8s.service loads cdk8s and its jsii kernel (Node), which
    # `zacatl-infra init` (package_scripts) must not need.
    from ..k8s.service import APP_SHUTDOWN_SECONDS

    common: dict[str, Any] = {
        "environment": service_variables(env, spec),
        "user": container.user(),
        "ports": [f"127.0.0.1:{spec.container_port}:{spec.container_port}"],
        # Fastify's close and the Mongoose disconnect, as in the cluster (k8s/service.py), plus margin.
        "stop_grace_period": f"{APP_SHUTDOWN_SECONDS + 5}s",
    }
    if spec.database:
        common["depends_on"] = {MONGODB_SERVICE: {"condition": "service_healthy"}}
    return common


def _check_host_ports(env: EnvironmentConfig) -> None:
    """Each published port is taken once on 127.0.0.1; raises ValueError naming the two claimants."""
    taken = {container_images.MONGODB_PORT: MONGODB_SERVICE, REDIS_PORT: REDIS_SERVICE}
    for spec in env.services:
        if spec.container_port in taken:
            raise ValueError(
                f"environment {env.name!r}, service {spec.name!r}: field container_port {spec.container_port} is "
                f"also {taken[spec.container_port]!r}'s; compose publishes every port on 127.0.0.1, so each must differ"
            )
        taken[spec.container_port] = spec.name


def development(env: EnvironmentConfig, recipe: container.ImageRecipe = container.ImageRecipe()) -> dict[str, Any]:
    """``docker-compose.yml`` as data: hot reload from mounted sources, MongoDB, optional Redis.
    Raises ValueError when two services (or one and MongoDB or Redis) would publish the same port."""
    _check_host_ports(env)
    services: dict[str, Any] = {}
    for spec in env.services:
        services[spec.name] = {
            "build": _build(spec, "dev", recipe),
            **_app_common(env, spec),
            "volumes": [f"{build_context(recipe)}/{folder}:/app/{folder}:ro" for folder in recipe.source_dirs],
            "tmpfs": ["/tmp"],
            # The dev stage is the builder image: node is on PATH there, not at the distroless path.
            "healthcheck": _healthcheck(spec, "node"),
        }
    services[MONGODB_SERVICE] = _mongodb(publish=True)
    services[REDIS_SERVICE] = {
        "image": container_images.REDIS.reference,
        "profiles": [REDIS_PROFILE],
        "ports": [f"127.0.0.1:{REDIS_PORT}:{REDIS_PORT}"],
        "healthcheck": {"test": ["CMD", "redis-cli", "ping"], "interval": "5s", "timeout": "3s", "retries": 5},
        "restart": "unless-stopped",
    }
    return {"name": naming.namespace(env), "services": services, "volumes": {MONGODB_VOLUME: {}}}


def production(env: EnvironmentConfig, recipe: container.ImageRecipe = container.ImageRecipe()) -> dict[str, Any]:
    """``docker-compose.prod.yml`` as data: the built runtime image, hardened as the Deployment is.
    Raises ValueError as ``development`` does."""
    from ..k8s.service import TMP_SIZE_MEBIBYTES  # see _app_common

    _check_host_ports(env)
    services: dict[str, Any] = {}
    for spec in env.services:
        services[spec.name] = {
            "build": _build(spec, "runtime", recipe),
            # The tag `make local-up` loads into kind: the image tested here is the one the cluster runs.
            "image": naming.image_uri(env, spec),
            **_app_common(env, spec),
            "read_only": True,
            "tmpfs": [f"/tmp:size={TMP_SIZE_MEBIBYTES}m"],
            "cap_drop": ["ALL"],
            "security_opt": ["no-new-privileges:true"],
            # NODE_OPTIONS sizes the heap from the memory limit: the same limit must hold here.
            "mem_limit": f"{int(memory_bytes(spec.resources.memory_limit)) // 2**20}m",
            "cpus": cpu_millicores(spec.resources.cpu_limit) / 1000,
            "healthcheck": _healthcheck(spec, zacatl.RUNTIME_IMAGE.node),
            "restart": "unless-stopped",
        }
    services[MONGODB_SERVICE] = _mongodb(publish=False)
    return {"name": f"{naming.namespace(env)}-prod", "services": services, "volumes": {MONGODB_VOLUME: {}}}


def env_example(env: EnvironmentConfig) -> str:
    """``.env.example``: every variable of every service, with its value, and every secret empty."""
    lines = [
        f"# Variables of the {env.name!r} environment's services, rendered by zacatl-infra from their specs.",
        "# Copy to .env at the project root and fill in the empty secrets; never commit .env.",
        "# The compose files set the non-secret values themselves (from the spec): they are listed",
        "# for `node --env-file=.env` and as a reference; change them in the spec, not here.",
    ]
    secrets: list[str] = []
    for spec in env.services:
        lines.append(f"\n# {spec.name}")
        for name, value in {**runtime.platform_variables(env, spec), **spec.env}.items():
            lines.append(f"{name}={value}")
        secrets.extend(f"{name}=" for name in secret_variables(spec))
    databases = sorted({s.database.name for s in env.services if s.database})
    lines.append("\n# Secrets: compose refuses to start while one is empty. A database URL on the compose network:")
    for database in databases:
        lines.append(f"#   mongodb://<{MONGODB_ROOT_USERNAME}>:<{MONGODB_ROOT_PASSWORD}>@{MONGODB_SERVICE}:"
                     f"{container_images.MONGODB_PORT}/{database}?authSource=admin")
    lines.extend(sorted(set(secrets)))
    lines.append("\n# The local MongoDB's root user, created on the volume's first start.")
    lines.append(f"{MONGODB_ROOT_USERNAME}={DEFAULT_MONGODB_USERNAME}")
    lines.append(f"{MONGODB_ROOT_PASSWORD}=")
    return "\n".join(lines) + "\n"
