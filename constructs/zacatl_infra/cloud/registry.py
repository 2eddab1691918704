"""ECR repository of one service."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ecr as ecr
from aws_cdk import aws_kms as kms
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig, ServiceSpec
from .keys import customer_key

#: Release tags kept per repository: far more releases than anyone rolls back across.
KEEP_RELEASE_TAGS = 30
#: Untagged images (superseded pushes, build leftovers) are deleted after this many days.
UNTAGGED_EXPIRY_DAYS = 3


class ServiceRepository(Construct):
    """The ECR repository a service's images are pushed to, named by ``naming.ecr_repository_name``.

    Immutable tags (a released tag always means the same image), scan on push, KMS encryption with
    ``encryption_key`` (default: a key of its own, rotation on). Lifecycle: untagged images expire
    after ``UNTAGGED_EXPIRY_DAYS`` days and only the newest ``KEEP_RELEASE_TAGS`` tagged images are
    kept. Kept when the stack is deleted. Cross-region copies: see ``RegistryReplication``.

    ``env`` and ``service``: the environment and the ``ServiceSpec`` whose images it holds; together
    they give the repository name (``zacatl-<env>/<service>``, or with the team for a ``ServiceStack``).
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, service: ServiceSpec,
                 encryption_key: kms.IKey | None = None) -> None:
        super().__init__(scope, id_)
        self.key = encryption_key or customer_key(self, "Key", env=env, purpose=f"images of {service.name}")
        self.repository = ecr.Repository(
            self,
            "Resource",
            repository_name=naming.ecr_repository_name(env, service),
            image_tag_mutability=ecr.TagMutability.IMMUTABLE,
            image_scan_on_push=True,
            encryption=ecr.RepositoryEncryption.KMS,
            encryption_key=self.key,
            lifecycle_rules=[
                ecr.LifecycleRule(rule_priority=1, description="expire untagged images",
                                  tag_status=ecr.TagStatus.UNTAGGED,
                                  max_image_age=cdk.Duration.days(UNTAGGED_EXPIRY_DAYS)),
                ecr.LifecycleRule(rule_priority=2, description=f"keep the newest {KEEP_RELEASE_TAGS} release tags",
                                  tag_status=ecr.TagStatus.TAGGED, tag_pattern_list=["*"],
                                  max_image_count=KEEP_RELEASE_TAGS),
            ],
            # Images outlive a stack rebuild: keep the repository if the stack is deleted.
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )


class RegistryReplication(Construct):
    """Replicates every repository of the environment (``naming.ecr_repository_prefix``) to
    ``env.registry.replication_region`` in the same account.

    ECR replication is a registry-wide setting (one per account and region); each environment has
    an account of its own, so the environment stack owns it. Replicas are encrypted with the
    destination registry's default encryption; tag immutability and scanning are set there by an
    ECR repository creation template (see docs/cloud.md).
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        if env.registry.replication_region is None:
            raise ValueError(f"environment {env.name!r}: registry.replication_region is not set")
        self.resource = ecr.CfnReplicationConfiguration(
            self,
            "Resource",
            replication_configuration=ecr.CfnReplicationConfiguration.ReplicationConfigurationProperty(
                rules=[
                    ecr.CfnReplicationConfiguration.ReplicationRuleProperty(
                        destinations=[ecr.CfnReplicationConfiguration.ReplicationDestinationProperty(
                            region=env.registry.replication_region, registry_id=env.account)],
                        repository_filters=[ecr.CfnReplicationConfiguration.RepositoryFilterProperty(
                            filter=naming.ecr_repository_prefix(env), filter_type="PREFIX_MATCH")],
                    )
                ]
            ),
        )
