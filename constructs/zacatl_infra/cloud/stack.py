"""`EnvironmentStack`: the cloud layer of one environment, wiring the capability constructs."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from .registry import ServiceRepository


class EnvironmentStack(cdk.Stack):
    """Stack ``zacatl-<env>``: everything the environment's workloads need in AWS."""

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        if env.is_local:
            raise ValueError(f"environment {env.name!r}: tier 'local' has no cloud layer")
        super().__init__(
            scope,
            id_,
            stack_name=naming.stack_name(env),
            env=cdk.Environment(account=env.account, region=env.region),
            description=f"zacatl-infra cloud layer of environment {env.name}",
            termination_protection=env.tier == "prod",
        )
        # Pin the zones in context so synth never asks AWS for them (offline, no credentials).
        self.node.set_context(
            f"availability-zones:account={env.account}:region={env.region}", list(env.availability_zones)
        )
        cdk.Tags.of(self).add("zacatl:environment", env.name)
        cdk.Tags.of(self).add("zacatl:managed-by", "zacatl-infra")
        self.repositories = {
            spec.name: ServiceRepository(self, f"Repository-{spec.name}", env=env, service=spec).repository
            for spec in env.services
        }
