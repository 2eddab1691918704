"""The DR stack: the replica bucket the prod backups replicate into, created by the project in the
DR region with what S3 replication requires of a destination."""

from __future__ import annotations

import json

import pytest

from zacatl_infra import naming

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from .helpers import one, resources

REPLICATING = [n for n in CLOUD_ENVIRONMENT_NAMES if n == "prod"]


@pytest.fixture(scope="module")
def dr_templates(cloud_dir, environments) -> dict[str, dict]:
    return {name: json.loads((cloud_dir / f"{naming.dr_stack_name(env)}.template.json").read_text())
            for name, env in environments.items() if not env.is_local and env.backups.replication_region}


def test_only_replicating_environments_have_a_dr_stack(cloud_dir, environments, dr_templates):
    assert sorted(dr_templates) == REPLICATING
    for name, env in environments.items():
        exists = (cloud_dir / f"{naming.dr_stack_name(env)}.template.json").exists()
        assert exists == (not env.is_local and env.backups.replication_region is not None), name


@pytest.mark.parametrize("env_name", REPLICATING)
def test_dr_stack_lives_in_the_replication_region_and_deploys_before_the_environment(env_name, cloud_dir, environments):
    env = environments[env_name]
    manifest = json.loads((cloud_dir / "manifest.json").read_text())["artifacts"]
    dr = manifest[naming.dr_stack_name(env)]
    assert dr["environment"] == f"aws://{env.account}/{env.backups.replication_region}"
    # S3 checks the destination exists when the replication rule is written: the DR stack goes first.
    assert naming.dr_stack_name(env) in manifest[naming.stack_name(env)]["dependencies"]


@pytest.mark.parametrize("env_name", REPLICATING)
def test_replica_bucket_meets_what_replication_requires(env_name, dr_templates, environments):
    env = environments[env_name]
    template = dr_templates[env_name]
    _, bucket = one(template, "AWS::S3::Bucket", BucketName=naming.backup_replica_bucket_name(env))
    props = bucket["Properties"]
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}  # replication needs versioning on both sides
    (rule,) = props["BucketEncryption"]["ServerSideEncryptionConfiguration"]
    key_ref = rule["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]
    assert template["Resources"][key_ref["Fn::GetAtt"][0]]["Type"] == "AWS::KMS::Key"
    # A locked source can replicate only into a locked destination, with the same retention.
    assert props.get("ObjectLockEnabled") is (True if env.backups.object_lock else None)
    if env.backups.object_lock:
        assert props["ObjectLockConfiguration"]["Rule"]["DefaultRetention"] == {
            "Mode": "COMPLIANCE", "Days": env.backups.retention_days}
    (lifecycle,) = props["LifecycleConfiguration"]["Rules"]
    assert lifecycle["ExpirationInDays"] == env.backups.retention_days
    assert bucket["DeletionPolicy"] == "Retain"
    _, alias = one(template, "AWS::KMS::Alias", AliasName=naming.backup_replica_key_alias(env))
    assert alias["Properties"]["TargetKeyId"] == key_ref
    outputs = template["Outputs"]
    assert any(o["Value"] == key_ref for o in outputs.values()), "the key ARN the environment file needs is an output"
    assert resources(template, "AWS::S3::BucketPolicy"), "TLS-only bucket policies"
