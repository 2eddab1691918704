"""The S3 bucket of one environment's database backups, its access-log bucket and optional replication."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from ..policy import acknowledge_all, arn_reference
from .keys import customer_key

#: Id of the S3 request-metrics filter over the dump prefix (the alarm on missing backups reads it).
REQUEST_METRICS_ID = "DatabaseDumps"
#: Server access logs are kept one year: long enough for an audit of who read a backup.
ACCESS_LOG_RETENTION = cdk.Duration.days(365)

#: What S3 replication needs on the source bucket and its object versions, Object Lock included
#: (GetObjectRetention, GetObjectLegalHold): without those two, locked objects are not replicated
#: and the replication status says FAILED. Source: S3 user guide, "Setting up permissions for live
#: replication" and "Configuring Object Lock ... replication", read 2026-11-29.
REPLICATION_SOURCE_BUCKET_ACTIONS = ("s3:GetReplicationConfiguration", "s3:ListBucket")
REPLICATION_SOURCE_OBJECT_ACTIONS = (
    "s3:GetObjectVersionForReplication", "s3:GetObjectVersionAcl", "s3:GetObjectVersionTagging",
    "s3:GetObjectRetention", "s3:GetObjectLegalHold",
)
#: On the destination: write replicas (with their retention settings) and their tags; deletes are
#: not replicated (DeleteMarkerReplication off), so s3:ReplicateDelete is not granted.
REPLICATION_DESTINATION_ACTIONS = ("s3:ReplicateObject", "s3:ReplicateTags")


def lifecycle_rule(env: EnvironmentConfig) -> s3.LifecycleRule:
    """Expiry at ``backups.retention_days`` (current and noncurrent versions), Glacier IR only when
    ``backups.cold_after_days`` is set (the config refuses a transition that costs more than it saves:
    Glacier Instant Retrieval bills every object for 90 days, ``facts.backups``)."""
    backups = env.backups
    transitions, noncurrent = None, None
    if backups.cold_after_days is not None:
        after = cdk.Duration.days(backups.cold_after_days)
        transitions = [s3.Transition(storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL, transition_after=after)]
        noncurrent = [s3.NoncurrentVersionTransition(storage_class=s3.StorageClass.GLACIER_INSTANT_RETRIEVAL,
                                                     transition_after=after)]
    return s3.LifecycleRule(
        id="retention",
        transitions=transitions,
        expiration=cdk.Duration.days(backups.retention_days),
        noncurrent_version_transitions=noncurrent,
        noncurrent_version_expiration=cdk.Duration.days(backups.retention_days),
        abort_incomplete_multipart_upload_after=cdk.Duration.days(1),
    )


def access_log_bucket(scope: Construct, id_: str) -> s3.Bucket:
    """A private, versioned, TLS-only bucket for S3 server access logs, kept ``ACCESS_LOG_RETENTION``.

    SSE-S3, because S3 server access logging delivers only to buckets with SSE-S3 default encryption.
    """
    bucket = s3.Bucket(
        scope,
        id_,
        encryption=s3.BucketEncryption.S3_MANAGED,
        block_public_access=s3.BlockPublicAccess.BLOCK_ALL,
        enforce_ssl=True,
        versioned=True,
        object_ownership=s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
        lifecycle_rules=[s3.LifecycleRule(expiration=ACCESS_LOG_RETENTION,
                                          noncurrent_version_expiration=cdk.Duration.days(30))],
        removal_policy=cdk.RemovalPolicy.RETAIN,
    )
    bucket.node.default_child.add_metadata("checkov", {"skip": [
        {"id": "CKV_AWS_18", "comment": "access-log bucket: logging it to itself would loop"},
    ]})
    return bucket


class BackupBucket(Construct):
    """Bucket ``naming.backup_bucket_name(env)`` for MongoDB dumps written by the backup CronJob.

    - SSE-KMS with a customer-managed key (rotation on, bucket keys to cut KMS request cost),
      versioning, all public access blocked, TLS-only bucket policy.
    - Lifecycle (``lifecycle_rule``): deleted after ``backups.retention_days``; Glacier IR only when
      ``backups.cold_after_days`` is set and pays.
    - Server access logs to a separate bucket (SSE-S3, the only encryption S3 log delivery
      supports) that is itself private, versioned and TLS-only.
    - Object Lock in compliance mode for ``backups.retention_days`` when ``backups.object_lock``
      (the prod preset): not even the root user can delete a backup early.
    - Cross-region replication to ``naming.backup_replica_bucket_name(env)`` (created by the DR stack,
      ``cloud/dr_stack.py``) when ``backups.replication_region`` is set, through ``replication_role``:
      the documented source and destination permissions, Object Lock included, and KMS on the two
      keys by key ARN (``backups.replica_key_arn``), each only through S3 in its own region.
    - Request metrics over ``naming.BACKUP_KEY_PREFIX``, so an alarm can see that no dump arrived.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        backups = env.backups
        # Retained: without the key no backup can be read again.
        self.key = customer_key(self, "Key", env=env, purpose="database backup encryption")
        self.access_logs = access_log_bucket(self, "AccessLogs")
        self.replication_role = self._replication_role(env) if backups.replication_region else None

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
            lifecycle_rules=[lifecycle_rule(env)],
            metrics=[s3.BucketMetrics(id=REQUEST_METRICS_ID, prefix=naming.BACKUP_KEY_PREFIX)],
            replication_role=self.replication_role,
            replication_rules=self._replication(env),
            # Backups must survive the stack; a prod bucket under object lock could not be emptied anyway.
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        if self.replication_role is not None:
            self._grant_replication(env, self.replication_role)

    def _replication_role(self, env: EnvironmentConfig) -> iam.Role:
        return iam.Role(self, "ReplicationRole", assumed_by=iam.ServicePrincipal("s3.amazonaws.com").with_conditions(
            {"StringEquals": {"aws:SourceAccount": env.account}}),
            description=f"S3 replication of the {env.name} backup bucket to {env.backups.replication_region}")

    def _grant_replication(self, env: EnvironmentConfig, role: iam.Role) -> None:
        replica_region = env.backups.replication_region
        assert replica_region is not None and env.backups.replica_key_arn is not None  # ensured by the config
        replica_arn = f"arn:aws:s3:::{naming.backup_replica_bucket_name(env)}"
        role.add_to_policy(iam.PolicyStatement(actions=list(REPLICATION_SOURCE_BUCKET_ACTIONS),
                                               resources=[self.bucket.bucket_arn]))
        role.add_to_policy(iam.PolicyStatement(actions=list(REPLICATION_SOURCE_OBJECT_ACTIONS),
                                               resources=[self.bucket.arn_for_objects("*")]))
        role.add_to_policy(iam.PolicyStatement(actions=list(REPLICATION_DESTINATION_ACTIONS),
                                               resources=[f"{replica_arn}/*"]))
        # KMS by key ARN: a key policy or IAM statement naming an alias grants nothing for Decrypt or
        # Encrypt (KMS authorizes key use on the key's own ARN). With bucket keys, the encryption
        # context is the bucket ARN; per-object keys use the object ARN: both are allowed.
        role.add_to_policy(iam.PolicyStatement(
            actions=["kms:Decrypt"], resources=[self.key.key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"s3.{env.region}.amazonaws.com"}}))
        role.add_to_policy(iam.PolicyStatement(
            actions=["kms:Encrypt", "kms:GenerateDataKey"], resources=[env.backups.replica_key_arn],
            conditions={"StringEquals": {"kms:ViaService": f"s3.{replica_region}.amazonaws.com"}}))
        reason = ("S3 replication's documented role policy: read every object version (with its Object Lock "
                  "retention) of this one backup bucket, write replicas into the one replica bucket")
        acknowledge_all(role, {f"IAM5[Resource::{arn_reference(self.bucket)}/*]": reason,
                               f"IAM5[Resource::{replica_arn}/*]": reason})

    def _replication(self, env: EnvironmentConfig) -> list[s3.ReplicationRule] | None:
        region = env.backups.replication_region
        if region is None:
            return None
        # The replica bucket and its key live in another region (the DR stack), so they are imported by name and ARN.
        destination = s3.Bucket.from_bucket_attributes(
            self, "Replica", bucket_name=naming.backup_replica_bucket_name(env), region=region, account=env.account)
        assert env.backups.replica_key_arn is not None  # ensured by the config
        replica_key = kms.Key.from_key_arn(self, "ReplicaKey", env.backups.replica_key_arn)
        return [s3.ReplicationRule(
            destination=destination,
            kms_key=replica_key,
            sse_kms_encrypted_objects=True,
            priority=0,
            # A delete marker in the source must not hide the disaster-recovery copy.
            delete_marker_replication=False,
        )]
