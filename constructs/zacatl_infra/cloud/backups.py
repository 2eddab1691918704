"""The S3 bucket of one environment's database backups, its access-log bucket and optional replication."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from ..policy import acknowledge, arn_reference
from .keys import customer_key

#: Id of the S3 request-metrics filter over the whole bucket (the alarm on missing backups reads it).
REQUEST_METRICS_ID = "AllObjects"
#: Server access logs are kept one year: long enough for an audit of who read a backup.
ACCESS_LOG_RETENTION = cdk.Duration.days(365)


class BackupBucket(Construct):
    """Bucket ``naming.backup_bucket_name(env)`` for MongoDB dumps written by the backup job.

    - SSE-KMS with a customer-managed key (rotation on, bucket keys to cut KMS request cost),
      versioning, all public access blocked, TLS-only bucket policy.
    - Lifecycle: to S3 Glacier Instant Retrieval after ``backups.cold_after_days``, deleted after
      ``backups.retention_days``; noncurrent versions follow the same schedule.
    - Server access logs to a separate bucket (SSE-S3, the only encryption S3 log delivery
      supports) that is itself private, versioned and TLS-only.
    - Object Lock in compliance mode for ``backups.retention_days`` when ``backups.object_lock``
      (the prod preset): not even the root user can delete a backup early.
    - Cross-region replication to ``naming.backup_replica_bucket_name(env)`` when
      ``backups.replication_region`` is set; that bucket and its key alias
      ``naming.backup_replica_key_alias(env)`` live in the other region (see docs/cloud.md).
    - Request metrics over the whole bucket, so an alarm can see that no backup arrived.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        backups = env.backups
        # Retained: without the key no backup can be read again.
        self.key = customer_key(self, "Key", env=env, purpose="database backup encryption")
        self.access_logs = s3.Bucket(
            self,
            "AccessLogs",
            # S3 server access logging delivers only to buckets with SSE-S3 default encryption.
            encryption=s3.BucketEncryption.S3_MANAGED,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            lifecycle_rules=[s3.LifecycleRule(expiration=ACCESS_LOG_RETENTION,
                                              noncurrent_version_expiration=cdk.Duration.days(30))],
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        self.access_logs.node.default_child.add_metadata("checkov", {"skip": [
            {"id": "CKV_AWS_18", "comment": "access-log bucket: logging it to itself would loop"},
        ]})

        self.bucket = s3.Bucket(
            self,
            "Resource",
            bucket_name=naming.backup_bucket_name(env),
            encryption=s3.BucketEncryption.KMS,
            encryption_key=self.key,
            bucket_key_enabled=True,
            block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
            enforce_ssl=True,
            versioned=True,
            object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
            server_access_logs_bucket=self.access_logs,
            server_access_logs_prefix="backups/",
            object_lock_enabled=backups.object_lock or None,
            object_lock_default_retention=(
                s3.ObjectLockRetention.compliance(cdk.Duration.days(backups.retention_days))
                if backups.object_lock else None
            ),
            lifecycle_rules=[s3.LifecycleRule(
                id="cold-then-expire",
                transitions=[s3.Transition(storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                                           transition_after=cdk.Duration.days(backups.cold_after_days))],
                expiration=cdk.Duration.days(backups.retention_days),
                noncurrent_version_transitions=[s3.NoncurrentVersionTransition(
                    storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                    transition_after=cdk.Duration.days(backups.cold_after_days))],
                noncurrent_version_expiration=cdk.Duration.days(backups.retention_days),
                abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
            )],
            metrics=[s3.BucketMetrics(id=REQUEST_METRICS_ID)],
            replication_rules=self._replication(env),
            # Backups must survive the stack; a prod bucket under object lock could not be emptied anyway.
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        role = self.bucket.node.try_find_child("ReplicationRole")
        if role is not None:
            reason = ("S3 replication's documented role policy: read every object version of the backup bucket, "
                      "write replicas into the one replica bucket with its one key")
            for finding in (f"IAM5[Resource::{arn_reference(self.bucket)}/*]",
                            f"IAM5[Resource::arn:aws:s3:::{naming.backup_replica_bucket_name(env)}/*]",
                            "IAM5[Action::kms:GenerateDataKey*]", "IAM5[Action::kms:ReEncrypt*]"):
                acknowledge(role, finding, reason)

    def _replication(self, env: EnvironmentConfig) -> list[s3.ReplicationRule] | None:
        region = env.backups.replication_region
        if region is None:
            return None
        # The replica bucket and its key live in another region, so they are referenced by name, not by object.
        destination = s3.Bucket.from_bucket_attributes(
            self, "Replica", bucket_name=naming.backup_replica_bucket_name(env), region=region, account=env.account)
        replica_key_arn = cdk.Stack.of(self).format_arn(
            service="kms", region=region, account=env.account, resource=naming.backup_replica_key_alias(env))
        replica_key = kms.Key.from_key_arn(self, "ReplicaKey", replica_key_arn)
        return [s3.ReplicationRule(
            destination=destination,
            kms_key=replica_key,
            sse_kms_encrypted_objects=True,
            priority=0,
            # A delete marker in the source must not hide the disaster-recovery copy.
            delete_marker_replication=False,
        )]
