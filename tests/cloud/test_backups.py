"""Backup bucket: KMS, versioning, private, TLS-only, lifecycle = retention, access logs, object lock,
replication that works (documented permissions, keys by ARN)."""

from __future__ import annotations

import re

import pytest

from zacatl_infra import naming
from zacatl_infra.cloud.backups import (
    REPLICATION_DESTINATION_ACTIONS,
    REPLICATION_SOURCE_BUCKET_ACTIONS,
    REPLICATION_SOURCE_OBJECT_ACTIONS,
)
from zacatl_infra.config import presets

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from ..day1 import day1
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
def test_lifecycle_expiry_is_the_configured_retention_for_current_and_noncurrent_versions(env_name, templates,
                                                                                          environments):
    backups = environments[env_name].backups
    (rule,) = _bucket(templates[env_name], environments[env_name])[1]["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == backups.retention_days
    assert rule["NoncurrentVersionExpiration"] == {"NoncurrentDays": backups.retention_days}
    # Every committed environment keeps backups too briefly for Glacier IR's 90-day minimum to pay.
    assert backups.cold_after_days is None
    assert "Transitions" not in rule and "NoncurrentVersionTransitions" not in rule


def test_glacier_ir_transition_is_rendered_only_when_it_saves_money():
    from zacatl_infra.cloud.backups import lifecycle_rule
    from zacatl_infra.facts import backups as facts

    # Source: facts.backups (S3 pricing page: Glacier IR bills 90 days minimum). 5 cold days of a
    # 35-day retention are billed as 90: dearer than Standard; 300 cold days of 365 are cheaper.
    assert not facts.glacier_ir_saves_money(5) and facts.glacier_ir_saves_money(300)
    assert facts.glacier_ir_saves_money(90) and not facts.glacier_ir_saves_money(15)
    env = presets.environment("dev", name="qa", account="111111111111", region="eu-west-1",
                              availability_zones=("eu-west-1a", "eu-west-1b"), domain="qa.example.com",
                              backups={"retention_days": 365, "cold_after_days": 65}, **day1("111111111111"),
                              services=(presets.zacatl_example_backend("dev", image={"tag": "1.0.0"}),))
    rule = lifecycle_rule(env)
    assert rule.transitions[0].transition_after.to_days() == 65
    assert rule.expiration.to_days() == 365


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


#: A KMS key ARN (never an alias ARN): IAM authorizes key use only on the key's own ARN.
KEY_ARN = re.compile(r"^arn:aws:kms:[a-z0-9-]+:[0-9]{12}:key/[0-9a-f-]{36}$")


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_replication_to_the_named_replica_bucket_with_its_key_by_arn(env_name, templates, environments):
    env = environments[env_name]
    props = _bucket(templates[env_name], env)[1]
    if env.backups.replication_region is None:
        assert "ReplicationConfiguration" not in props
        return
    (rule,) = props["ReplicationConfiguration"]["Rules"]
    assert rule["Destination"]["Bucket"] == f"arn:aws:s3:::{naming.backup_replica_bucket_name(env)}"
    assert rule["Destination"]["EncryptionConfiguration"]["ReplicaKmsKeyID"] == env.backups.replica_key_arn
    assert KEY_ARN.match(env.backups.replica_key_arn)
    assert rule["SourceSelectionCriteria"] == {"SseKmsEncryptedObjects": {"Status": "Enabled"}}
    assert rule["DeleteMarkerReplication"] == {"Status": "Disabled"}


def _replication_statements(template: dict, bucket: dict) -> list[dict]:
    role_id = bucket["ReplicationConfiguration"]["Role"]["Fn::GetAtt"][0]
    return [s for p in resources(template, "AWS::IAM::Policy").values()
            if {"Ref": role_id} in p["Properties"]["Roles"] for s in p["Properties"]["PolicyDocument"]["Statement"]]


def _actions(statement: dict) -> set[str]:
    actions = statement["Action"]
    return {actions} if isinstance(actions, str) else set(actions)


@pytest.mark.parametrize("env_name", [n for n in CLOUD_ENVIRONMENT_NAMES if n == "prod"])
def test_replication_role_has_the_documented_permissions_object_lock_included(env_name, templates, environments):
    # Source: S3 user guide, "Setting up permissions for live replication" and Object Lock replication
    # (GetObjectRetention, GetObjectLegalHold), read 2026-11-29: without them locked objects fail to replicate.
    env = environments[env_name]
    template = templates[env_name]
    bucket_id, bucket = _bucket(template, env)
    statements = _replication_statements(template, bucket)
    by_actions = {frozenset(_actions(s)): s for s in statements}
    bucket_arn = {"Fn::GetAtt": [bucket_id, "Arn"]}
    assert by_actions[frozenset(REPLICATION_SOURCE_BUCKET_ACTIONS)]["Resource"] == bucket_arn
    assert by_actions[frozenset(REPLICATION_SOURCE_OBJECT_ACTIONS)]["Resource"] == {"Fn::Join": ["", [bucket_arn, "/*"]]}
    assert {"s3:GetObjectRetention", "s3:GetObjectLegalHold"} <= set(REPLICATION_SOURCE_OBJECT_ACTIONS)
    assert by_actions[frozenset(REPLICATION_DESTINATION_ACTIONS)]["Resource"] == (
        f"arn:aws:s3:::{naming.backup_replica_bucket_name(env)}/*")
    assert not any(a in ("s3:ReplicateDelete", "s3:*") for s in statements for a in _actions(s))


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_replication_role_kms_statements_name_key_arns_through_s3_only(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    bucket_id, bucket = _bucket(template, env)
    if env.backups.replication_region is None:
        assert "ReplicationConfiguration" not in bucket
        return
    kms = [s for s in _replication_statements(template, bucket) if any(a.startswith("kms:") for a in _actions(s))]
    assert len(kms) == 2
    for statement in kms:
        resource = statement["Resource"]
        if isinstance(resource, str):  # the replica key, in the other region
            assert KEY_ARN.match(resource) and ":alias/" not in resource
            assert resource == env.backups.replica_key_arn
            assert _actions(statement) == {"kms:Encrypt", "kms:GenerateDataKey"}
            region = env.backups.replication_region
        else:  # the source key, as the key resource's own Arn attribute
            (key_id, attribute) = resource["Fn::GetAtt"]
            assert template["Resources"][key_id]["Type"] == "AWS::KMS::Key" and attribute == "Arn"
            assert _actions(statement) == {"kms:Decrypt"}
            region = env.region
        assert statement["Condition"] == {"StringEquals": {"kms:ViaService": f"s3.{region}.amazonaws.com"}}


def test_prod_replicates_to_eu_central_1(environments):
    assert naming.backup_replica_bucket_name(environments["prod"]).endswith("-333333333333-eu-central-1")
