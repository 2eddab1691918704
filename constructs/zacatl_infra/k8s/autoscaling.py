"""The HorizontalPodAutoscaler of a service (autoscaling/v2, CPU and memory).

A plain ``cdk8s.ApiObject`` rather than cdk8s-plus-27's ``HorizontalPodAutoscaler``: one per
service, and plus took 14 jsii round trips for it where this takes 4 (docs/performance.md,
"Phase 2"; why in ``raw_fields``). The YAML is the same, key for key.
"""

from __future__ import annotations

from typing import Any

import cdk8s
from constructs import Construct

from ..config import EnvironmentConfig, ServiceSpec
from .labels import service_labels
from .raw_fields import PlainApiObject, reference, sorted_fields

#: Scale up on a rise that lasts 30 s: long enough to ignore one noisy metrics sample, short
#: enough that with the 15 s HPA sync and metrics-server's resolution a new pod is asked for
#: well within two minutes.
SCALE_UP_STABILIZATION_SECONDS = 30
#: Scale down only after five quiet minutes (the Kubernetes default), at most one pod a minute,
#: so a traffic dip between two bursts does not drop capacity the next burst needs.
SCALE_DOWN_STABILIZATION_SECONDS = 300


def is_autoscaled(spec: ServiceSpec) -> bool:
    """True when the replica count can move. With min == max (``local``) an HPA could do nothing, and
    an HPA owns the Deployment's replicas, so the fixed count is rendered on the Deployment instead."""
    return spec.scaling.min_replicas < spec.scaling.max_replicas


class ServiceAutoscaler(Construct):
    """Scales ``target`` between ``spec.scaling`` bounds on average CPU and memory utilisation.

    Utilisation is relative to the container's requests, so the targets (default 70 % CPU, 80 %
    memory) leave headroom below the limits. Scale-up may double the pods or add four, whichever is
    more, every 30 s; scale-down removes one pod a minute after five stable minutes.
    """

    def __init__(
        self, scope: Construct, id_: str, *, env: EnvironmentConfig, spec: ServiceSpec, target: cdk8s.ApiObject
    ) -> None:
        """``target``: the workload to scale (the service's Deployment), a ``cdk8s.ApiObject`` or a
        cdk8s-plus workload (``raw_fields.reference``)."""
        super().__init__(scope, id_)
        if not is_autoscaled(spec):
            raise ValueError(
                f"environment {env.name!r}, service {spec.name!r}: scaling.min_replicas ({spec.scaling.min_replicas}) "
                f"equals max_replicas ({spec.scaling.max_replicas}); an autoscaler needs min_replicas < max_replicas"
            )
        scaling = spec.scaling
        self.resource = PlainApiObject(
            self, "Resource", api_version="autoscaling/v2", kind="HorizontalPodAutoscaler",
            metadata=cdk8s.ApiObjectMetadata(name=spec.name, labels=service_labels(env, spec)),
            fields={"spec": sorted_fields({
                "scaleTargetRef": reference(target),
                "minReplicas": scaling.min_replicas,
                "maxReplicas": scaling.max_replicas,
                "metrics": [_utilization("cpu", scaling.target_cpu_percent),
                            _utilization("memory", scaling.target_memory_percent)],
                "behavior": {
                    "scaleUp": {
                        "stabilizationWindowSeconds": SCALE_UP_STABILIZATION_SECONDS,
                        "selectPolicy": "Max",
                        "policies": [{"type": "Percent", "value": 100, "periodSeconds": 30},
                                     {"type": "Pods", "value": 4, "periodSeconds": 30}],
                    },
                    "scaleDown": {
                        "stabilizationWindowSeconds": SCALE_DOWN_STABILIZATION_SECONDS,
                        "selectPolicy": "Min",
                        "policies": [{"type": "Pods", "value": 1, "periodSeconds": 60}],
                    },
                },
            })},
        )


def _utilization(resource: str, percent: int) -> dict[str, Any]:
    """A Resource metric: average use of ``resource`` across the pods, in percent of their requests."""
    target = {"type": "Utilization", "averageUtilization": percent}
    return {"type": "Resource", "resource": {"name": resource, "target": target}}
