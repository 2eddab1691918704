"""Backup bucket: KMS, versioning, private, TLS-only, lifecycle, access logs, object lock, replication."""

from __future__ import annotations

import pytest

from zacatl_infra import naming

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from .helpers import one, resources

BLOCK_ALL = {"BlockPublicAcls": True, "BlockPublicPolicy": True, "IgnorePublicAcls": True,
             "RestrictPublicBuckets": True}


def _bucket(template: dict, env) -> tuple[str, dict]:
    logical_id, bucket = one(template, "AWS::S3::Bucket", BucketName=naming.backup_bucket_name(env))
    return logical_id, bucket["Properties"]


def _denies_insecure_transport(template: dict, bucket_id: str) -> bool:
    for policy in resources(template, "AWS::S3::BucketPolicy").values():
        if policy["Properties"]["Bucket"] == {"Ref": bucket_id}:
            return any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
                       for s in policy["Properties"]["PolicyDocument"]["Statement"])
    return False


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_backup_bucket_is_kms_encrypted_versioned_private_and_tls_only(env_name, templates, environments):
    template = templates[env_name]
    bucket_id, props = _bucket(template, environments[env_name])
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "aws:kms"
    assert "KMSMasterKeyID" in rule["ServerSideEncryptionByDefault"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert props["PublicAccessBlockConfiguration"] == BLOCK_ALL
    assert _denies_insecure_transport(template, bucket_id)
    assert template["Resources"][bucket_id]["DeletionPolicy"] == "Retain"


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_lifecycle_moves_to_cold_storage_then_expires_current_and_noncurrent(env_name, templates, environments):
    backups = environments[env_name].backups
    (rule,) = _bucket(templates[env_name], environments[env_name])[1]["LifecycleConfiguration"]["Rules"]
    assert rule["Transitions"] == [{"StorageClass": "GLACIER_IR", "TransitionInDays": backups.cold_after_days}]
    assert rule["ExpirationInDays"] == backups.retention_days
    assert rule["NoncurrentVersionTransitions"] == [
        {"StorageClass": "GLACIER_IR", "TransitionInDays": backups.cold_after_days}]
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": backups.retention_days}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_access_logs_go_to_a_separate_locked_down_bucket(env_name, templates, environments):
    template = templates[env_name]
    logging = _bucket(template, environments[env_name])[1]["LoggingConfiguration"]
    log_id = logging["DestinationBucketName"]["Ref"]
    log_bucket = template["Resources"][log_id]["Properties"]
    assert log_bucket["PublicAccessBlockConfiguration"] == BLOCK_ALL
    assert log_bucket["VersioningConfiguration"] == {"Status": "Enabled"}
    assert log_bucket["BucketEncryption"]["ServerSideEncryptionConfiguration"][0][
        "ServerSideEncryptionByDefault"]["SSEAlgorithm"] == "AES256"
    assert _denies_insecure_transport(template, log_id)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_object_lock_in_compliance_mode_only_where_configured(env_name, templates, environments):
    env = environments[env_name]
    props = _bucket(templates[env_name], env)[1]
    if env.backups.object_lock:
        assert props["ObjectLockEnabled"] is True
        assert props["ObjectLockConfiguration"]["Rule"]["DefaultRetention"] == {
            "Mode": "COMPLIANCE", "Days": env.backups.retention_days}
    else:
        assert "ObjectLockEnabled" not in props and "ObjectLockConfiguration" not in props


def test_object_lock_is_on_in_prod_only(environments):
    # By tier, not by name: a new environment file is checked without editing this test.
    cloud = {n: e for n, e in environments.items() if not e.is_local}
    assert {n: e.backups.object_lock for n, e in cloud.items()} == {n: e.tier == "prod" for n, e in cloud.items()}
    assert any(e.tier == "prod" for e in cloud.values())


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_replication_to_the_named_replica_bucket_only_where_configured(env_name, templates, environments):
    env = environments[env_name]
    props = _bucket(templates[env_name], env)[1]
    if env.backups.replication_region is None:
        assert "ReplicationConfiguration" not in props
        return
    (rule,) = props["ReplicationConfiguration"]["Rules"]
    assert rule["Destination"]["Bucket"] == f"arn:aws:s3:::{naming.backup_replica_bucket_name(env)}"
    assert rule["Destination"]["EncryptionConfiguration"]["ReplicaKmsKeyID"] == (
        f"arn:aws:kms:{env.backups.replication_region}:{env.account}:{naming.backup_replica_key_alias(env)}")
    assert rule["SourceSelectionCriteria"] == {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
    assert rule["DeleteMarkerReplication"] == {"Status": "Disabled"}


def test_prod_replicates_to_eu_central_1(environments):
    assert naming.backup_replica_bucket_name(environments["prod"]).endswith("-333333333333-eu-central-1")
