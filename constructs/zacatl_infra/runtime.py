"""The Zacatl runtime contract applied to one service: the plain variables its container is given.

Read by the Deployment (``k8s/service.py``) and by anything else that runs a Zacatl container (a
compose file), so the variable names and values are decided once, from ``facts.zacatl``. Secrets
(the database URL first of all) are not here: they come from a Secret, by reference.
"""

from __future__ import annotations

from .config import EnvironmentConfig, ServiceSpec
from .config.quantity import memory_bytes
from .facts import nodejs, zacatl


def node_env(env: EnvironmentConfig) -> str:
    """``production`` everywhere but ``local``: Zacatl's Pino writes JSON lines only then."""
    return "development" if env.is_local else "production"


def heap_mebibytes(spec: ServiceSpec) -> int:
    """V8 old-space cap: ``nodejs.HEAP_FRACTION`` (75 %) of the memory limit, in whole MiB (floor)."""
    return int(memory_bytes(spec.resources.memory_limit) * nodejs.HEAP_FRACTION) // 2**20


def node_options(spec: ServiceSpec) -> str | None:
    """``NODE_OPTIONS`` the platform sets: the heap cap from the memory limit. None when the service
    sets ``NODE_OPTIONS`` in ``env`` itself (its value, from the ConfigMap, then applies unchanged)."""
    if nodejs.OPTIONS_VARIABLE in spec.env:
        return None
    return f"{nodejs.HEAP_FLAG}={heap_mebibytes(spec)}"


#: Tiers whose services must not build indexes on boot: a migration Job builds them (k8s/migration.py).
INDEX_BUILT_BY_MIGRATION_TIERS = frozenset({"prod", "staging"})


def app_env(env: EnvironmentConfig) -> str:
    """``APP_ENV``: the environment's name, unless that name would switch Zacatl's index boot mode
    against the tier; then the tier's name.

    Zacatl derives its Mongoose index boot mode from ``APP_ENV`` alone (``off`` only for the values in
    ``facts.zacatl.INDEX_BOOT_OFF_ENVIRONMENTS``; index-policy.ts at the release ``facts.zacatl``
    names). A staging-tier environment called ``qa`` would otherwise build indexes from every booting
    pod; it gets ``APP_ENV=staging`` (its log lines still carry the namespace ``zacatl-qa``).
    """
    boot_off = env.name.lower() in zacatl.INDEX_BOOT_OFF_ENVIRONMENTS
    if boot_off is (env.tier in INDEX_BUILT_BY_MIGRATION_TIERS):
        return env.name
    return env.tier


def platform_variables(env: EnvironmentConfig, spec: ServiceSpec) -> dict[str, str]:
    """Name -> value of every plain variable the platform sets on the service's container.

    - ``NODE_ENV``: ``node_env(env)``;
    - ``APP_ENV``: ``app_env(env)``, the environment's name (Zacatl's log field and index boot mode:
      off in prod and staging, where indexes are built by a migration, not by every booting pod);
    - ``PORT``: ``spec.container_port``;
    - ``SERVICE_NAME``: ``spec.name``; ``LOG_LEVEL``: ``env.log_level``;
    - ``APP_VERSION``: the image tag, when there is one and the service does not set it;
    - ``NODE_OPTIONS``: ``node_options(spec)``, unless the service sets it.
    """
    variables = {
        zacatl.NODE_ENV.name: node_env(env),
        zacatl.APP_ENV.name: app_env(env),
        zacatl.PORT.name: str(spec.container_port),
        zacatl.SERVICE_NAME.name: spec.name,
        zacatl.LOG_LEVEL.name: env.log_level,
    }
    if spec.image.tag and zacatl.APP_VERSION.name not in spec.env:
        variables[zacatl.APP_VERSION.name] = spec.image.tag
    options = node_options(spec)
    if options is not None:
        variables[nodejs.OPTIONS_VARIABLE] = options
    return variables
