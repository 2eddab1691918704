"""The HorizontalPodAutoscaler of a service (autoscaling/v2, CPU and memory)."""

from __future__ import annotations

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from ..config import EnvironmentConfig, ServiceSpec
from .labels import service_labels

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
        self, scope: Construct, id_: str, *, env: EnvironmentConfig, spec: ServiceSpec, target: kplus.IScalable
    ) -> None:
        super().__init__(scope, id_)
        if not is_autoscaled(spec):
            raise ValueError(
                f"environment {env.name!r}, service {spec.name!r}: scaling.min_replicas ({spec.scaling.min_replicas}) "
                f"equals max_replicas ({spec.scaling.max_replicas}); an autoscaler needs min_replicas < max_replicas"
            )
        self.resource = kplus.HorizontalPodAutoscaler(
            self,
            "Resource",
            metadata=cdk8s.ApiObjectMetadata(name=spec.name, labels=service_labels(env, spec)),
            target=target,
            min_replicas=spec.scaling.min_replicas,
            max_replicas=spec.scaling.max_replicas,
            metrics=[
                kplus.Metric.resource_cpu(kplus.MetricTarget.average_utilization(spec.scaling.target_cpu_percent)),
                kplus.Metric.resource_memory(
                    kplus.MetricTarget.average_utilization(spec.scaling.target_memory_percent)
                ),
            ],
            scale_up=kplus.ScalingRules(
                stabilization_window=cdk8s.Duration.seconds(SCALE_UP_STABILIZATION_SECONDS),
                strategy=kplus.ScalingStrategy.MAX_CHANGE,
                policies=[
                    kplus.ScalingPolicy(replicas=kplus.Replicas.percent(100), duration=cdk8s.Duration.seconds(30)),
                    kplus.ScalingPolicy(replicas=kplus.Replicas.absolute(4), duration=cdk8s.Duration.seconds(30)),
                ],
            ),
            scale_down=kplus.ScalingRules(
                stabilization_window=cdk8s.Duration.seconds(SCALE_DOWN_STABILIZATION_SECONDS),
                strategy=kplus.ScalingStrategy.MIN_CHANGE,
                policies=[kplus.ScalingPolicy(replicas=kplus.Replicas.absolute(1), duration=cdk8s.Duration.minutes(1))],
            ),
        )
