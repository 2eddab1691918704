"""Backups across both layers, from the real outputs: the bucket, prefix, ServiceAccount and role the
CronJob uses exist in the same environment's template with exactly the permissions it needs; the
restore Job reads with a role that may only read; retention is the lifecycle expiry; the missing-
backup alarm exists iff a backup writer does."""

from __future__ import annotations

import re

import pytest
import yaml

from zacatl_infra import naming
from zacatl_infra.k8s.restore import restore_app

from ..cloud.helpers import one, pod_identity_associations, resources
from ..conftest import CLOUD_ENVIRONMENT_NAMES

_KEY = re.compile(r'key="(?P<prefix>[^$"]+)\$\(date')


def _role_statements(template: dict, role_name: str) -> list[dict]:
    role_id, _ = one(template, "AWS::IAM::Role", RoleName=role_name)
    return [s for p in resources(template, "AWS::IAM::Policy").values() if {"Ref": role_id} in p["Properties"]["Roles"]
            for s in p["Properties"]["PolicyDocument"]["Statement"]]


def _actions(statement: dict) -> set[str]:
    return {statement["Action"]} if isinstance(statement["Action"], str) else set(statement["Action"])


def _bound_role(template: dict, namespace: str, account: str) -> str:
    """RoleName of the role the Pod Identity association of ``namespace/account`` binds."""
    association = pod_identity_associations(template)[(namespace, account)]
    role_id = association["RoleArn"]["Fn::GetAtt"][0]
    return template["Resources"][role_id]["Properties"]["RoleName"]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_backup_cronjob_writes_where_its_bound_role_may_put_and_nowhere_else(env_name, workloads, templates,
                                                                             environments):
    env = environments[env_name]
    template = templates[env_name]
    namespace = naming.namespace(env)
    cron_jobs = workloads[env_name].find("CronJob")
    assert cron_jobs, "a cloud environment with a database has a backup writer"
    for cron_job in cron_jobs:
        pod = cron_job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        account = pod["serviceAccountName"]
        assert workloads[env_name].one("ServiceAccount", account)
        (upload,) = pod["containers"]
        bucket_name = next(e["value"] for e in upload["env"] if e["name"] == "BACKUP_BUCKET")
        bucket_id, _ = one(template, "AWS::S3::Bucket", BucketName=bucket_name)
        prefix = _KEY.search(upload["command"][-1])["prefix"]
        statements = _role_statements(template, _bound_role(template, namespace, account))
        (s3,) = [s for s in statements if any(a.startswith("s3:") for a in _actions(s))]
        assert _actions(s3) == {"s3:PutObject", "s3:AbortMultipartUpload"}
        resource_prefix = s3["Resource"]["Fn::Join"][1][1].lstrip("/").removesuffix("*")
        assert s3["Resource"]["Fn::Join"][1][0] == {"Fn::GetAtt": [bucket_id, "Arn"]}
        assert prefix.startswith(resource_prefix) and resource_prefix == naming.BACKUP_KEY_PREFIX
        (kms,) = [s for s in statements if any(a.startswith("kms:") for a in _actions(s))]
        key_ref = template["Resources"][bucket_id]["Properties"]["BucketEncryption"][
            "ServerSideEncryptionConfiguration"][0]["ServerSideEncryptionByDefault"]["KMSMasterKeyID"]
        assert kms["Resource"] == key_ref and _actions(kms) == {"kms:GenerateDataKey", "kms:Decrypt"}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_restore_job_reads_with_a_role_that_may_only_get_dumps(env_name, templates, environments, tmp_path):
    env = environments[env_name]
    template = templates[env_name]
    restore_app(env, tmp_path).synth()
    jobs = [d for p in sorted(tmp_path.glob("*-restore.yaml")) for d in yaml.safe_load_all(p.read_text())
            if d and d["kind"] == "Job"]
    assert jobs
    for job in jobs:
        account = job["spec"]["template"]["spec"]["serviceAccountName"]
        statements = _role_statements(template, _bound_role(template, naming.namespace(env), account))
        assert set().union(*map(_actions, statements)) == {"s3:GetObject", "kms:Decrypt"}
        (s3,) = [s for s in statements if "s3:GetObject" in _actions(s)]
        assert s3["Resource"]["Fn::Join"][1][1] == f"/{naming.BACKUP_KEY_PREFIX}*"


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_retention_is_the_lifecycle_expiry_and_the_object_lock_period(env_name, templates, environments):
    env = environments[env_name]
    _, bucket = one(templates[env_name], "AWS::S3::Bucket", BucketName=naming.backup_bucket_name(env))
    (rule,) = bucket["Properties"]["LifecycleConfiguration"]["Rules"]
    assert rule["ExpirationInDays"] == env.backups.retention_days
    if env.backups.object_lock:
        assert bucket["Properties"]["ObjectLockConfiguration"]["Rule"]["DefaultRetention"]["Days"] == rule["ExpirationInDays"]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_missing_backup_alarm_exists_iff_a_backup_cronjob_does(env_name, workloads, templates):
    alarms = [a for a in resources(templates[env_name], "AWS::CloudWatch::Alarm").values()
              if a["Properties"].get("MetricName") == "PutRequests"]
    assert len(alarms) == (1 if workloads[env_name].find("CronJob") else 0)
