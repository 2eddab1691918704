"""`DisasterRecoveryStack`: the replica of an environment's backup bucket, in its DR region."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from .backups import access_log_bucket, lifecycle_rule
from .keys import customer_key


class DisasterRecoveryStack(cdk.Stack):
    """Stack ``naming.dr_stack_name(env)`` in ``env.backups.replication_region``.

    - Bucket ``naming.backup_replica_bucket_name(env)``: versioned (replication requires it), SSE-KMS
      with its own customer-managed key (alias ``naming.backup_replica_key_alias(env)``, output
      ``ReplicaKeyArn``: copy it into ``backups.replica_key_arn``), private, TLS-only, the same
      lifecycle as the source (expiry at ``retention_days``) and, when the source uses Object Lock,
      Object Lock too (S3 refuses to replicate a locked bucket into one without it).
    - Its access logs go to a private, versioned, TLS-only bucket of the same region.
    - With ``database.kind`` ``documentdb``: the AWS Backup vault ``naming.documentdb_backup_vault_name(env)``
      (same key) the environment's backup plan copies DocumentDB recovery points into.

    Deploy it before the environment's stack: S3 checks that the destination exists when the
    replication configuration is written. ``EnvironmentStack`` depends on it, so ``cdk deploy
    --all`` keeps that order. Raises ValueError when the environment replicates nothing.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        region = env.backups.replication_region
        if region is None:
            raise ValueError(f"environment {env.name!r}: backups.replication_region is not set, so there is no DR stack")
        super().__init__(
            scope, id_, stack_name=naming.dr_stack_name(env), env=cdk.Environment(account=env.account, region=region),
            description=f"zacatl-infra disaster-recovery copy of the {env.name} backups",
            termination_protection=env.tier == "prod",
        )
        for key, value in naming.stack_tags(env).items():
            cdk.Tags.of(self).add(key, value)
        backups = env.backups
        self.key = customer_key(self, "Key", env=env, purpose=f"replica of the database backups in {region}")
        kms.Alias(self, "KeyAlias", alias_name=naming.backup_replica_key_alias(env), target_key=self.key)
        self.access_logs = access_log_bucket(self, "AccessLogs")
        self.bucket = s3.Bucket(
            self, "Replica",
            bucket_name=naming.backup_replica_bucket_name(env),
            encryption=s3.BucketEncryption.KMS, encryption_key=self.key, bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL, enforce_ssl=True, versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs, server_access_logs_prefix="replica/",
            object_lock_enabled=backups.object_lock or None,
            object_lock_default_retention=(
                s3.ObjectLockRetention.compliance(cdk.Duration.days(backups.retention_days))
                if backups.object_lock else None),
            lifecycle_rules=[lifecycle_rule(env)],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        # DocumentDB recovery points are copied here by the environment's AWS Backup plan.
        self.vault = None
        if env.database.kind == "documentdb":
            from aws_cdk import aws_backup as backup  # AWS Backup's bindings: loaded for DocumentDB only

            self.vault = backup.BackupVault(
                self, "DocumentDbVault", backup_vault_name=naming.documentdb_backup_vault_name(env),
                encryption_key=self.key, removal_policy=cdk.RemovalPolicy.RETAIN)
        cdk.CfnOutput(self, "ReplicaBucketName", value=self.bucket.bucket_name)
        cdk.CfnOutput(self, "ReplicaKeyArn", value=self.key.key_arn,
                      description="copy into backups.replica_key_arn of the environment file")
