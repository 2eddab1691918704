"""Production defaults per tier, in one place. Environment files say only what differs.

Every default here is deliberate; the comment beside it says why.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping
from typing import Any, get_args

from pydantic import BaseModel, ValidationError

from ..facts import zacatl
from .environment import EnvironmentConfig, Tier
from .errors import ConfigError, from_validation_error
from .service import ServiceSpec

_SERVICE_DEFAULTS: dict[Tier, dict[str, Any]] = {
    # One replica and small requests: a laptop has little to spare.
    "local": {
        "scaling": {"min_replicas": 1, "max_replicas": 1},
        "resources": {"cpu_request": "100m", "cpu_limit": "500m", "memory_request": "128Mi", "memory_limit": "256Mi"},
    },
    # One replica, may grow to two under load; cheap, and a drain never waits on it.
    "dev": {
        "scaling": {"min_replicas": 1, "max_replicas": 2},
        "resources": {"cpu_request": "100m", "cpu_limit": "500m", "memory_request": "192Mi", "memory_limit": "384Mi"},
    },
    # Two replicas so rollouts and drains are tested as in prod.
    "staging": {
        "scaling": {"min_replicas": 2, "max_replicas": 4},
        "resources": {"cpu_request": "250m", "cpu_limit": "1", "memory_request": "256Mi", "memory_limit": "512Mi"},
    },
    # Three replicas, one per zone, so losing a zone keeps a quorum serving.
    "prod": {
        "scaling": {"min_replicas": 3, "max_replicas": 10},
        "resources": {"cpu_request": "500m", "cpu_limit": "1", "memory_request": "512Mi", "memory_limit": "1Gi"},
    },
}

_ENVIRONMENT_DEFAULTS: dict[Tier, dict[str, Any]] = {
    "local": {"log_level": "debug"},
    "dev": {
        "log_level": "debug",
        # Spot nodes cut dev compute cost by about two thirds; interruptions are acceptable there.
        "cluster": {"node_min": 1, "node_desired": 2, "node_max": 3, "spot": True,
                    "node_instance_types": ("m7i.large", "m6i.large", "m5.large")},
        # A week of daily dumps; too short a stay for Glacier IR's 90-day minimum to pay, so no transition.
        "backups": {"retention_days": 7},
        "alerts": {"monthly_budget_usd": 400},
    },
    "staging": {
        "cluster": {"node_min": 2, "node_desired": 2, "node_max": 4},
        "backups": {"retention_days": 14},
        # Every six hours: staging rehearses restores from recent data without prod's hourly cost.
        "database": {"backup": {"schedule": "15 */6 * * *", "rpo_hours": 6}},
        "alerts": {"monthly_budget_usd": 800},
    },
    "prod": {
        "log_level": "info",
        "cluster": {"node_min": 3, "node_desired": 3, "node_max": 9},
        # A NAT gateway per zone: one zone's outage does not cut the others off the internet.
        "network": {"nat_gateways": 3},
        # Compliance-mode object lock: backups cannot be deleted before retention ends, not even by root.
        # 35 days kept (no Glacier IR: 5 cold days would be billed as 90).
        "backups": {"retention_days": 35, "object_lock": True},
        # Hourly dumps meet the one-hour RPO; minute 5 keeps clear of top-of-the-hour cron storms. The
        # kind is the environment file's choice (prod refuses in_cluster; atlas needs its endpoint service).
        "database": {"backup": {"schedule": "5 * * * *", "rpo_hours": 1}},
        "alerts": {"monthly_budget_usd": 2500},
    },
}


def _merge(base: Mapping[str, Any], overrides: Mapping[str, Any]) -> dict[str, Any]:
    merged = dict(base)
    for key, value in overrides.items():
        if isinstance(value, BaseModel):
            value = value.model_dump(exclude_unset=True)
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = _merge(merged[key], value)
        else:
            merged[key] = value
    return merged


def _known_tier(tier: object, subject: str | None, field: str) -> Tier:
    tiers = get_args(Tier)
    if tier not in tiers:
        near = difflib.get_close_matches(str(tier), tiers, n=1, cutoff=0.3)
        hint = f"; did you mean {near[0]!r}?" if near else ""
        raise ConfigError(subject, [f"field {field}: {tier!r} is not a tier (tiers: {list(tiers)}){hint}"])
    return tier  # type: ignore[return-value]


def service(tier: Tier, /, **fields: Any) -> ServiceSpec:
    """A ServiceSpec with the tier's defaults (replicas, resources) merged under ``fields``.

    Nested settings merge: ``resources={"memory_limit": "2Gi"}`` keeps the other three values.
    """
    prefix = f"services[{fields.get('name', '?')}]"
    tier = _known_tier(tier, None, f"{prefix}.tier")
    try:
        return ServiceSpec.model_validate(_merge(_SERVICE_DEFAULTS[tier], fields))
    except ValidationError as err:
        # No environment yet: the loader names the environment file this service was built in.
        raise from_validation_error(None, err, prefix=prefix, model=ServiceSpec) from None


def environment(tier: Tier, /, **fields: Any) -> EnvironmentConfig:
    """An EnvironmentConfig with the tier's defaults merged under ``fields`` (the model merges them
    itself: ``EnvironmentConfig._tier_defaults``); an unknown tier is refused with a suggestion."""
    name = str(fields.get("name", "?"))
    tier = _known_tier(tier, name, "tier")
    try:
        return EnvironmentConfig.model_validate({"tier": tier, **fields})
    except ValidationError as err:
        raise from_validation_error(name, err, model=EnvironmentConfig) from None


def zacatl_example_backend(tier: Tier, /, **fields: Any) -> ServiceSpec:
    """The reference service: Zacatl's ``examples/fastify-mongodb-react`` backend (``facts.zacatl``).

    What it really reads and serves, at the release ``facts.zacatl.RELEASE``: it listens on 8082,
    reads its database from ``MONGO_URI`` (the default ``database.connection_secret``, filled from a
    Secret, never from the manifests) and serves only its API under ``/api``; it has no health route.
    Readiness therefore calls ``GET /api/greetings``, the route upstream's own compose health check
    calls: a list query that answers 200 only while MongoDB answers. Liveness and startup are TCP
    checks on the port (the port opens only once MongoDB is connected). Pass ``image={"tag": ...}``
    or ``image={"digest": "sha256:..."}``.
    """
    reference: dict[str, Any] = {
        "name": "greetings-api",
        "component": "api",
        "container_port": zacatl.REFERENCE_PORT,
        "health": {"readiness_path": zacatl.REFERENCE_HEALTHCHECK_ROUTE},
        "database": {"name": "greetings"},
    }
    return service(tier, **_merge(reference, fields))
