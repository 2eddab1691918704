"""The PodDisruptionBudget of a service (policy/v1): drains proceed, a quorum keeps serving."""

from __future__ import annotations

from dataclasses import dataclass

import cdk8s
from constructs import Construct

from ..config import EnvironmentConfig, ServiceSpec
from .labels import selector_labels, service_labels
from .raw_fields import PlainApiObject, sorted_fields


@dataclass(frozen=True)
class DisruptionBudget:
    """Exactly one of ``min_available`` or ``max_unavailable``, in pods."""

    min_available: int | None = None
    max_unavailable: int | None = None


def default_budget(env: EnvironmentConfig, spec: ServiceSpec) -> DisruptionBudget:
    """The budget a tier gets unless the service asks otherwise.

    - one replica: ``maxUnavailable: 1``; anything stricter would block every node drain;
    - prod with three or more replicas: ``minAvailable`` = a majority of ``min_replicas``
      (2 of 3), so voluntary evictions never leave less than a quorum serving;
    - otherwise (staging's two): ``maxUnavailable: 1``, one pod moves at a time.
    """
    replicas = spec.scaling.min_replicas
    if env.tier == "prod" and replicas >= 3:
        return DisruptionBudget(min_available=replicas // 2 + 1)
    return DisruptionBudget(max_unavailable=1)


def validate_budget(env: EnvironmentConfig, spec: ServiceSpec, budget: DisruptionBudget) -> None:
    """Raises ValueError for a budget that cannot work, above all one that would block every eviction."""
    where = f"environment {env.name!r}, service {spec.name!r}: pod disruption budget"
    replicas = spec.scaling.min_replicas
    if (budget.min_available is None) == (budget.max_unavailable is None):
        raise ValueError(
            f"{where} needs exactly one of min_available or max_unavailable "
            f"(got min_available={budget.min_available}, max_unavailable={budget.max_unavailable})"
        )
    if budget.max_unavailable is not None and budget.max_unavailable < 1:
        raise ValueError(
            f"{where} max_unavailable ({budget.max_unavailable}) would block every eviction and hang node "
            "drains; allowed: 1 or more"
        )
    if budget.min_available is not None and not 0 <= budget.min_available < replicas:
        raise ValueError(
            f"{where} min_available ({budget.min_available}) is not below scaling.min_replicas ({replicas}): "
            f"it would block every eviction and hang node drains; allowed: 0 to {replicas - 1}"
        )


class ServiceDisruptionBudget(Construct):
    """Limits voluntary evictions (node drains, cluster upgrades) of the service's pods.

    Args:
        budget: Default: ``default_budget(env, spec)``. Validated by ``validate_budget``.

    Unhealthy pods may always be evicted (``unhealthyPodEvictionPolicy: AlwaysAllow``): a crash-looping
    pod must never hold a drain hostage.
    """

    def __init__(
        self, scope: Construct, id_: str, *, env: EnvironmentConfig, spec: ServiceSpec,
        budget: DisruptionBudget | None = None,
    ) -> None:
        super().__init__(scope, id_)
        self.budget = budget or default_budget(env, spec)
        validate_budget(env, spec, self.budget)
        # A plain ApiObject, like the service's other objects (why: ``raw_fields``).
        self.resource = PlainApiObject(
            self, "Resource", api_version="policy/v1", kind="PodDisruptionBudget",
            metadata=cdk8s.ApiObjectMetadata(name=spec.name, labels=service_labels(env, spec)),
            fields={"spec": sorted_fields({
                "selector": {"matchLabels": selector_labels(spec)},
                "minAvailable": self.budget.min_available,
                "maxUnavailable": self.budget.max_unavailable,
                "unhealthyPodEvictionPolicy": "AlwaysAllow",
            })},
        )
