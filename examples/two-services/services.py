"""How this repository's services differ from ``ZacatlService``: the gateway drains faster.

The gateway holds no state and retries its calls to greetings-api, so a node drain may take away
half of its pods at once; every other service keeps the library's budget.
"""

from zacatl_infra import ZacatlService
from zacatl_infra.k8s.disruption import DisruptionBudget, ServiceDisruptionBudget

GATEWAY = "gateway"


class TwoServices(ZacatlService):
    """``ZacatlService`` with a looser PodDisruptionBudget for the stateless gateway."""

    def add_disruption_budget(self, budget: DisruptionBudget | None = None) -> ServiceDisruptionBudget:
        if self.spec.name == GATEWAY:
            # Half of the minimum replicas (at least one) may be evicted together: a stateless proxy.
            return super().add_disruption_budget(DisruptionBudget(max_unavailable=max(1, self.spec.scaling.min_replicas // 2)))
        return super().add_disruption_budget(budget)
