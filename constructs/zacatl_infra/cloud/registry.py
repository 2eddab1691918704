"""ECR repository of one service."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig, ServiceSpec


class ServiceRepository(Construct):
    """The ECR repository a service's images are pushed to, named by ``naming.ecr_repository_name``.

    Immutable tags (a released tag always means the same image) and scan on push.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, service: ServiceSpec) -> None:
        super().__init__(scope, id_)
        self.repository = ecr.Repository(
            self,
            "Resource",
            repository_name=naming.ecr_repository_name(env, service),
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            image_scan_on_push=True,
            # Images outlive a stack rebuild: keep the repository if the stack is deleted.
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
