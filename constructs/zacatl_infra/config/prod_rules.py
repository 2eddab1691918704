"""The prod tier's invariants: what a production environment keeps unless a named waiver says why not.

One row per rule; ``EnvironmentConfig`` applies them to every prod-tier environment and
docs/configuration.md lists them from this table. Each row names the rule (the waiver's ``rule``),
what it requires, why, and finds the fields that break it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from .waivers import ProdRule

if TYPE_CHECKING:
    from .environment import EnvironmentConfig

#: Prod keeps database backups at least this long: a month of restore points, so corruption found
#: in a monthly review can still be rolled back.
MIN_PROD_RETENTION_DAYS = 30
#: Replicas a prod service keeps at least: the PodDisruptionBudget lets a drain take one pod, and
#: one must still serve.
MIN_PROD_REPLICAS = 2

Violation = tuple[str, object]
"""(field path, value found)."""


@dataclass(frozen=True)
class ProdInvariant:
    """One rule: ``requires`` is what must hold, ``why`` the failure it prevents, ``check`` the offenders."""

    rule: ProdRule
    requires: str
    why: str
    check: Callable[[EnvironmentConfig], list[Violation]]


def _services(env: EnvironmentConfig, field: str, bad: Callable[[object], bool], get) -> list[Violation]:
    return [(f"services[{s.name}].{field}", get(s)) for s in env.services if get(s) is not None and bad(get(s))]


PROD_RULES: tuple[ProdInvariant, ...] = (
    ProdInvariant("min-replicas", f"every service's scaling.min_replicas >= {MIN_PROD_REPLICAS}",
                  "with one replica the PodDisruptionBudget lets a node drain take the only pod",
                  lambda env: _services(env, "scaling.min_replicas", lambda v: v < MIN_PROD_REPLICAS,
                                        lambda s: s.scaling.min_replicas)),
    ProdInvariant("database-backups", "every service's database.backup is true",
                  "a prod database without backups cannot be restored",
                  lambda env: _services(env, "database.backup", lambda v: v is False,
                                        lambda s: s.database.backup if s.database else None)),
    ProdInvariant("object-lock", "backups.object_lock is true",
                  "without compliance-mode object lock a compromised account can delete every backup",
                  lambda env: [] if env.backups.object_lock else [("backups.object_lock", False)]),
    ProdInvariant("backup-retention", f"backups.retention_days >= {MIN_PROD_RETENTION_DAYS}",
                  "corruption found in a monthly review must still have a clean backup",
                  lambda env: [] if env.backups.retention_days >= MIN_PROD_RETENTION_DAYS
                  else [("backups.retention_days", env.backups.retention_days)]),
    ProdInvariant("on-demand-nodes", "cluster.spot is false",
                  "spot capacity can be reclaimed with two minutes' notice, in every zone at once",
                  lambda env: [("cluster.spot", True)] if env.cluster.spot else []),
    ProdInvariant("nodes-per-zone", "cluster.node_min >= the number of availability_zones",
                  "prod spreads pods over zones as a hard rule; a zone without a node leaves pods Pending",
                  lambda env: [] if env.cluster.node_min >= len(env.availability_zones)
                  else [("cluster.node_min", env.cluster.node_min)]),
    ProdInvariant("nat-per-zone", "network.nat_gateways >= the number of availability_zones",
                  "with a shared NAT gateway one zone's outage cuts every zone off the internet",
                  lambda env: [] if env.network.nat_gateways >= len(env.availability_zones)
                  else [("network.nat_gateways", env.network.nat_gateways)]),
    ProdInvariant("alarm-email", "alerts.emails lists at least one address",
                  "the alarm topic has no subscriber: alarms and the budget notify nobody",
                  lambda env: [] if env.alerts.emails else [("alerts.emails", ())]),
)


def prod_problems(env: EnvironmentConfig) -> list[str]:
    """One line per broken invariant not covered by a waiver, and per waiver that waives nothing.

    ``env`` may be a partial view (the fields that validated): a rule that reads a missing field is
    skipped, and reported once that field is valid.
    """
    problems: list[str] = []
    if not hasattr(env, "tier"):
        return problems
    waived = [w.rule for w in env.waivers]
    for rule in sorted({r for r in waived if waived.count(r) > 1}):
        problems.append(f"field waivers: rule {rule!r} is waived twice; keep one waiver per rule")
    if env.tier != "prod":
        if env.waivers:
            problems.append(f"field waivers: only the prod tier has invariants to waive (tier is {env.tier!r}); "
                            "remove them")
        return problems
    for invariant in PROD_RULES:
        try:
            violations = invariant.check(env)
        except AttributeError:
            continue
        if violations and invariant.rule not in waived:
            for field, value in violations:
                got = "" if value is None else f" (got {value!r})"
                problems.append(
                    f"field {field}: prod requires {invariant.requires}{got}: {invariant.why}. To run without "
                    f"it, add waivers=({{'rule': {invariant.rule!r}, 'reason': '...'}},)")
        elif not violations and invariant.rule in waived:
            problems.append(f"field waivers: the waiver for {invariant.rule!r} waives nothing (the environment "
                            f"already keeps {invariant.requires}); remove it")
    return problems
