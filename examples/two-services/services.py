"""How this repository's services differ from ``ZacatlService``: the gateway may call greetings-api.

Greetings has no public ingress, so the platform's policy lets nothing but Prometheus reach it;
the two rules below open exactly the gateway -> greetings-api path, by the pods' stable labels.
"""

import cdk8s_plus_27 as kplus

from zacatl_infra import ZacatlService
from zacatl_infra.k8s.labels import selector_labels

GATEWAY = "gateway"
BACKEND = "greetings-api"


class TwoServices(ZacatlService):
    """``ZacatlService`` plus the network path from the gateway's pods to the backend's port."""

    def add_network_policy(self):
        policy = super().add_network_policy()
        if self.spec.name == BACKEND:
            gateway = kplus.Pods.select(self, "Gateway", labels=selector_labels(self.env.service(GATEWAY)))
            policy.resource.add_ingress_rule(gateway, [kplus.NetworkPolicyPort.tcp(self.spec.container_port)])
        elif self.spec.name == GATEWAY:
            backend = self.env.service(BACKEND)
            pods = kplus.Pods.select(self, "Backend", labels=selector_labels(backend))
            policy.resource.add_egress_rule(pods, [kplus.NetworkPolicyPort.tcp(backend.container_port)])
        return policy
