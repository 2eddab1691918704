"""The ``documentdb`` database kind over a synthesized template: cluster, secret and rotation,
network path, alarms and the checkers. No committed environment uses DocumentDB, so the module
synthesizes one (``tests/documentdb.py``) with cdk-nag attached, as app.py does."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from zacatl_infra import naming
from zacatl_infra.cloud.app import cloud_app
from zacatl_infra.cloud.documentdb_backup import aws_backup_schedule
from zacatl_infra.cloud.stack import EnvironmentStack
from zacatl_infra.facts import documentdb as facts
from zacatl_infra.policy.nag import add_policy_plugins
from zacatl_infra.synth import render_workloads

from ..checks.reports import cfn_lint_part, checkov_part
from ..checks.test_cloud_cfn_lint import ALLOWED_WARNINGS
from ..documentdb import REPLICATED, documentdb_environment
from ..variants import DOCUMENTDB
from .helpers import one, resources


def _synth(env, outdir: Path) -> dict:  # noqa: ANN001 - an EnvironmentConfig
    app = cloud_app(outdir=outdir)
    # An open cdk-nag finding fails this synth (the same plugins app.py adds).
    add_policy_plugins(app)
    EnvironmentStack(app, env.name, env=env)
    app.synth()
    return json.loads((outdir / f"{env.name}.template.json").read_text())


@pytest.fixture(scope="module")
def prod(variants) -> tuple[object, dict, Path]:
    """Prod on DocumentDB, backups replicated to eu-central-1 (so the DR stack is synthesized too):
    synthesized once per run, by tests/variants.py with this module's ``_synth``, into the folder the
    session's checkov and cfn-lint runs read."""
    env = documentdb_environment("prod", backups=REPLICATED)
    outdir = variants.folder(DOCUMENTDB)
    return env, json.loads((outdir / f"{env.name}.template.json").read_text()), outdir


@pytest.fixture(scope="module")
def dev_template(tmp_path_factory) -> dict:
    return _synth(documentdb_environment("dev", instances=1), tmp_path_factory.mktemp("docdb-dev"))


@pytest.fixture(scope="module")
def workloads(prod, tmp_path_factory) -> list[dict]:
    env, _, _ = prod
    outdir = tmp_path_factory.mktemp("docdb-k8s")
    render_workloads([env], outdir)
    return [d for f in sorted((outdir / env.name).glob("*.yaml")) for d in yaml.safe_load_all(f.read_text()) if d]


def _cluster(template: dict) -> dict:
    (cluster,) = resources(template, "AWS::DocDB::DBCluster").values()
    return cluster


def _subnet_cidrs(template: dict, refs: list[dict]) -> list[str]:
    return sorted(template["Resources"][r["Ref"]]["Properties"]["CidrBlock"] for r in refs)


def test_prod_cluster_is_encrypted_protected_and_keeps_the_configured_point_in_time_window(prod):
    env, template, _ = prod
    cluster = _cluster(template)
    props = cluster["Properties"]
    assert props["DBClusterIdentifier"] == naming.documentdb_cluster_identifier(env)
    assert props["EngineVersion"] == facts.ENGINE_VERSION
    assert props["StorageEncrypted"] is True and props["DeletionProtection"] is True
    # Point-in-time restore reaches back exactly the backup retention (DocumentDB backup docs).
    assert props["BackupRetentionPeriod"] == env.backups.retention_days
    assert cluster["DeletionPolicy"] == cluster["UpdateReplacePolicy"] == "Snapshot"
    key = template["Resources"][props["KmsKeyId"]["Fn::GetAtt"][0]]
    assert key["Type"] == "AWS::KMS::Key" and key["Properties"]["EnableKeyRotation"] is True
    assert key["DeletionPolicy"] == "Retain"
    instances = list(resources(template, "AWS::DocDB::DBInstance").values())
    assert len(instances) == env.database.documentdb.instances >= 2
    assert {i["Properties"]["DBInstanceClass"] for i in instances} == {env.database.documentdb.instance_class}
    assert all(i["DeletionPolicy"] == "Retain" for i in instances)


def test_dev_cluster_can_be_deleted_but_leaves_a_final_snapshot(dev_template):
    cluster = _cluster(dev_template)
    assert cluster["Properties"]["DeletionProtection"] is False and cluster["DeletionPolicy"] == "Snapshot"
    (instance,) = resources(dev_template, "AWS::DocDB::DBInstance").values()
    assert instance["DeletionPolicy"] == "Delete"


def test_parameter_group_requires_tls_and_turns_audit_events_on(prod):
    _, template, _ = prod
    group = template["Resources"][_cluster(template)["Properties"]["DBClusterParameterGroupName"]["Ref"]]
    assert group["Properties"]["Family"] == facts.parameter_group_family(facts.ENGINE_VERSION) == "docdb5.0"
    params = group["Properties"]["Parameters"]
    assert dict([facts.TLS_PARAMETER, facts.AUDIT_PARAMETER]).items() <= params.items()
    assert sorted(_cluster(template)["Properties"]["EnableCloudwatchLogsExports"]) == ["audit", "profiler"]


def test_cluster_sits_in_the_private_subnets_and_admits_27017_only_from_the_cluster_and_rotation(prod):
    env, template, _ = prod
    props = _cluster(template)["Properties"]
    subnets = template["Resources"][props["DBSubnetGroupName"]["Ref"]]["Properties"]["SubnetIds"]
    # The workload layer's egress names exactly these ranges (naming.private_subnet_cidrs).
    assert _subnet_cidrs(template, subnets) == sorted(naming.private_subnet_cidrs(env))
    (group_ref,) = props["VpcSecurityGroupIds"]
    group_id = group_ref["Fn::GetAtt"][0]
    group = template["Resources"][group_id]["Properties"]
    assert group["SecurityGroupEgress"][0]["CidrIp"] == "255.255.255.255/32"  # CDK's "no egress" marker
    cluster_id, _ = one(template, "AWS::EKS::Cluster", Name=naming.cluster_name(env))
    rules = list(group.get("SecurityGroupIngress", [])) + [
        r["Properties"] for r in resources(template, "AWS::EC2::SecurityGroupIngress").values()
        if r["Properties"]["GroupId"] == {"Fn::GetAtt": [group_id, "GroupId"]}]
    assert all((r["IpProtocol"], r["FromPort"], r["ToPort"]) == ("tcp", facts.PORT, facts.PORT) for r in rules)
    assert all("CidrIp" not in r and "CidrIpv6" not in r for r in rules)
    sources = {json.dumps(r["SourceSecurityGroupId"]) for r in rules}
    rotation = resources(template, "AWS::SecretsManager::RotationSchedule")
    (schedule,) = rotation.values()
    rotation_group = schedule["Properties"]["HostedRotationLambda"]["VpcSecurityGroupIds"]
    assert sources == {json.dumps({"Fn::GetAtt": [cluster_id, "ClusterSecurityGroupId"]}), json.dumps(rotation_group)}


def test_master_secret_is_named_by_naming_encrypted_kept_and_rotated_by_the_hosted_mongodb_rotation(prod):
    env, template, _ = prod
    secret_id, secret = one(template, "AWS::SecretsManager::Secret", Name=naming.documentdb_secret_id(env))
    assert secret["DeletionPolicy"] == "Retain" and "KmsKeyId" in secret["Properties"]
    (attachment_id, attachment), = resources(template, "AWS::SecretsManager::SecretTargetAttachment").items()
    assert attachment["Properties"]["SecretId"] == {"Ref": secret_id}
    assert attachment["Properties"]["TargetType"] == "AWS::DocDB::DBCluster"
    (schedule,) = resources(template, "AWS::SecretsManager::RotationSchedule").values()
    props = schedule["Properties"]
    assert props["SecretId"] == {"Ref": attachment_id}
    assert props["HostedRotationLambda"]["RotationType"] == "MongoDBSingleUser"
    assert props["RotationRules"]["ScheduleExpression"] == "rate(30 days)"
    # The hosted rotation's Lambda runs in the private subnets, where it reaches the cluster.
    lambda_subnets = props["HostedRotationLambda"]["VpcSubnetIds"]["Fn::Join"][1][::2]
    assert _subnet_cidrs(template, lambda_subnets) == sorted(naming.private_subnet_cidrs(env))


def test_each_instance_has_cpu_connection_and_memory_alarms_with_documentdbs_dimension(prod):
    _, template, _ = prod
    topic_id, _ = one(template, "AWS::SNS::Topic")
    instances = resources(template, "AWS::DocDB::DBInstance")
    alarms = [a["Properties"] for a in resources(template, "AWS::CloudWatch::Alarm").values()
              if a["Properties"].get("Namespace") == facts.METRICS_NAMESPACE]
    # Source: facts.documentdb.METRICS_SOURCE (AWS/DocDB, per-instance dimension DBInstanceIdentifier).
    expected = {(m, i) for m in facts.METRICS for i in instances}
    seen = set()
    for alarm in alarms:
        (dimension,) = alarm["Dimensions"]
        assert dimension["Name"] == facts.INSTANCE_DIMENSION
        seen.add((alarm["MetricName"], dimension["Value"]["Ref"]))
        assert alarm["AlarmActions"] == alarm["OKActions"] == [{"Ref": topic_id}]
    assert seen == expected and len(alarms) == len(expected)


def test_documentdb_only_environment_has_no_dump_writer_and_no_missing_dump_alarm(prod, workloads):
    env, template, _ = prod
    assert naming.backed_up_services(env) == ()
    assert not [a for a in resources(template, "AWS::CloudWatch::Alarm").values()
                if a["Properties"].get("MetricName") == "PutRequests"]
    assert not [d for d in workloads if d["kind"] == "CronJob"]
    roles = {str(r["Properties"].get("RoleName")) for r in resources(template, "AWS::IAM::Role").values()}
    assert not any(name.endswith(("-database-backup", "-database-restore")) for name in roles)


def test_external_secret_builds_mongo_uri_from_a_secret_of_the_same_template(prod, workloads):
    env, template, _ = prod
    names = {r["Properties"].get("Name") for r in resources(template, "AWS::SecretsManager::Secret").values()}
    (external,) = [d for d in workloads if d["kind"] == "ExternalSecret"]
    remote = {d["remoteRef"]["key"] for d in external["spec"]["data"]}
    assert naming.documentdb_secret_id(env) in remote and remote <= names
    spec = env.services[0]
    uri = external["spec"]["target"]["template"]["data"][spec.database.connection_secret.key]
    # AWS's documented replica-set options (facts.documentdb.CONNECTION_SOURCE), and the service's database.
    assert uri.startswith("mongodb://") and f"/{spec.database.name}?" in uri
    assert set(facts.CONNECTION_OPTIONS.split("&")) <= set(uri.split("?", 1)[1].split("&"))
    assert external["spec"]["target"]["template"]["mergePolicy"] == "Replace"
    # The Deployment reads MONGO_URI from that key of that Secret.
    (deployment,) = [d for d in workloads if d["kind"] == "Deployment"]
    env_vars = {e["name"]: e for c in deployment["spec"]["template"]["spec"]["containers"] for e in c.get("env", [])}
    ref = env_vars[spec.database.connection_secret.env_var]["valueFrom"]["secretKeyRef"]
    assert (ref["name"], ref["key"]) == (external["spec"]["target"]["name"], spec.database.connection_secret.key)


def test_external_secrets_role_may_read_the_master_secret(prod):
    env, template, _ = prod
    secret_id, _ = one(template, "AWS::SecretsManager::Secret", Name=naming.documentdb_secret_id(env))
    # The attachment's Ref is the secret's ARN too (CloudFormation, SecretTargetAttachment return values).
    (attachment_id,) = resources(template, "AWS::SecretsManager::SecretTargetAttachment")
    role_name = f"{naming.stack_name(env)}-external-secrets"
    (role_id, _), = [(k, r) for k, r in resources(template, "AWS::IAM::Role").items()
                     if r["Properties"].get("RoleName") == role_name]
    statements = [s for p in resources(template, "AWS::IAM::Policy").values() if {"Ref": role_id} in p["Properties"]["Roles"]
                  for s in p["Properties"]["PolicyDocument"]["Statement"] if "secretsmanager:GetSecretValue" in s["Action"]]
    readable = [r for s in statements for r in (s["Resource"] if isinstance(s["Resource"], list) else [s["Resource"]])]
    assert {"Ref": secret_id} in readable or {"Ref": attachment_id} in readable


def test_service_egress_opens_27017_to_the_private_subnets_only(prod, workloads):
    env, _, _ = prod
    spec = env.services[0]
    (policy,) = [d for d in workloads if d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == spec.name]
    database = [r for r in policy["spec"]["egress"] if {"port": facts.PORT, "protocol": "TCP"} in r["ports"]]
    assert sorted(r["to"][0]["ipBlock"]["cidr"] for r in database) == sorted(naming.private_subnet_cidrs(env))
    assert all(r["ports"] == [{"port": facts.PORT, "protocol": "TCP"}] for r in database)


@pytest.mark.check
def test_cfn_lint_and_checkov_pass_the_documentdb_template(prod, variants, checkov_reports, cfn_lint_result):
    # Judged in the session's single checkov and cfn-lint runs: the folder this module's tests read
    # (``prod``) is the one tests/variants.py wrote with this module's _synth and the checkers read.
    _, _, folder = prod
    assert folder == variants.folder(DOCUMENTDB)
    templates = sorted(p.name for p in folder.glob("*.template.json"))  # the environment's stack and its DR stack
    assert len(templates) == 2, templates
    lint = cfn_lint_part(cfn_lint_result, folder)
    assert sorted(p.name for p in lint.linted) == templates
    assert not lint.errors, lint.errors
    assert {f["Rule"]["Id"] for f in lint.findings} <= set(ALLOWED_WARNINGS), lint.findings
    checkov = checkov_part(checkov_reports, "cloudformation", folder)
    assert not checkov.failed, "\n".join(checkov.failures())
    assert not checkov.parsing_errors and sorted(p.name for p in checkov.files) == templates
    (cluster,) = [c for name in templates for c in resources(json.loads((folder / name).read_text()), "AWS::DocDB::DBCluster")]
    assert f"AWS::DocDB::DBCluster.{cluster}" in checkov.resources, "checkov did not judge the DocumentDB cluster"


def test_aws_backup_plan_runs_on_the_configured_schedule_into_a_locked_vault_and_copies_to_the_dr_vault(prod):
    env, template, outdir = prod
    (plan,) = resources(template, "AWS::Backup::BackupPlan").values()
    (rule,) = plan["Properties"]["BackupPlan"]["BackupPlanRule"]
    schedule = env.database.backup
    assert rule["ScheduleExpression"] == aws_backup_schedule(schedule.schedule).expression_string
    assert rule["ScheduleExpressionTimezone"] == schedule.time_zone
    assert rule["Lifecycle"]["DeleteAfterDays"] == env.backups.retention_days
    vault_id, vault = one(template, "AWS::Backup::BackupVault", BackupVaultName=naming.documentdb_backup_vault_name(env))
    assert rule["TargetBackupVault"] == {"Fn::GetAtt": [vault_id, "BackupVaultName"]}
    assert "EncryptionKeyArn" in vault["Properties"] and vault["DeletionPolicy"] == "Retain"
    lock = vault["Properties"]["LockConfiguration"]
    assert lock["MinRetentionDays"] == env.backups.retention_days and lock["ChangeableForDays"] == 3
    (copy,) = rule["CopyActions"]
    assert copy["Lifecycle"]["DeleteAfterDays"] == env.backups.retention_days
    destination = json.dumps(copy["DestinationBackupVaultArn"])
    assert env.backups.replication_region in destination and naming.documentdb_backup_vault_name(env) in destination
    # The copy vault exists, under that name, in the DR stack the environment's stack depends on.
    dr = json.loads((outdir / f"{naming.dr_stack_name(env)}.template.json").read_text())
    one(dr, "AWS::Backup::BackupVault", BackupVaultName=naming.documentdb_backup_vault_name(env))
    (selection,) = resources(template, "AWS::Backup::BackupSelection").values()
    (arn,) = selection["Properties"]["BackupSelection"]["Resources"]
    (cluster_id,) = resources(template, "AWS::DocDB::DBCluster")
    # A DBCluster's Ref is its identifier; DocumentDB cluster ARNs are RDS ARNs (arn:...:rds:...:cluster:<id>).
    prefix, ref = arn["Fn::Join"][1]
    assert prefix.endswith(f":rds:{env.region}:{env.account}:cluster:") and ref == {"Ref": cluster_id}


def test_dev_vault_has_no_lock_and_no_copy(dev_template):
    (vault,) = resources(dev_template, "AWS::Backup::BackupVault").values()
    assert "LockConfiguration" not in vault["Properties"]
    (plan,) = resources(dev_template, "AWS::Backup::BackupPlan").values()
    assert "CopyActions" not in plan["Properties"]["BackupPlan"]["BackupPlanRule"][0]


@pytest.mark.parametrize(("schedule", "expected"), [
    ("5 * * * *", "cron(5 * * * ? *)"), ("0 3 * * 1-5", "cron(0 3 ? * 1-5 *)"), ("@daily", "cron(0 0 * * ? *)")])
def test_kubernetes_schedules_become_aws_backup_cron_expressions(schedule, expected):
    assert aws_backup_schedule(schedule).expression_string == expected


@pytest.mark.parametrize(("schedule", "expected"), [
    ("0 3 1 * 1", "restricts both the day of month and the weekday"),
    ("*/30 * * * *", "runs more than once an hour")])
def test_fails_a_schedule_aws_backup_cannot_express(schedule, expected):
    with pytest.raises(ValueError, match=expected):
        aws_backup_schedule(schedule)


def test_failed_backup_and_copy_jobs_reach_the_alarm_topic_through_eventbridge(prod):
    _, template, _ = prod
    topic_id, _ = one(template, "AWS::SNS::Topic")
    (rule,) = [r["Properties"] for r in resources(template, "AWS::Events::Rule").values()
               if r["Properties"].get("EventPattern", {}).get("source") == [facts.BACKUP_EVENT_SOURCE]]
    pattern = rule["EventPattern"]
    # Source: facts.documentdb.BACKUP_EVENTS_SOURCE (AWS Backup's EventBridge events).
    assert sorted(pattern["detail-type"]) == sorted([facts.BACKUP_JOB_EVENT, facts.COPY_JOB_EVENT])
    assert sorted(pattern["detail"]["state"]) == sorted(facts.BACKUP_FAILED_STATES)
    assert [t["Arn"] for t in rule["Targets"]] == [{"Ref": topic_id}]
    # The topic is KMS-encrypted: EventBridge may use its key.
    key_id = template["Resources"][topic_id]["Properties"]["KmsMasterKeyId"]["Fn::GetAtt"][0]
    statements = template["Resources"][key_id]["Properties"]["KeyPolicy"]["Statement"]
    assert any(s.get("Principal") == {"Service": "events.amazonaws.com"} and "kms:GenerateDataKey*" in s["Action"]
               for s in statements)
