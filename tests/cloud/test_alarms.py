"""Alarms reach an encrypted, TLS-only topic; the budget notifies it at 80 % and 100 %."""

from __future__ import annotations

import pytest

import aws_cdk as cdk
from aws_cdk.assertions import Template
from pydantic import ValidationError

from zacatl_infra import naming
from zacatl_infra.cloud.backups import REQUEST_METRICS_ID
from zacatl_infra.cloud.stack import EnvironmentStack
from zacatl_infra.config import presets
from zacatl_infra.config.database import BackupSchedule
from zacatl_infra.facts import backups as backup_facts

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from ..day1 import day1
from .helpers import one, resources


def _topic(template: dict) -> tuple[str, dict]:
    return one(template, "AWS::SNS::Topic")


def _alarm(template: dict, metric: str) -> dict:
    return one(template, "AWS::CloudWatch::Alarm", MetricName=metric)[1]["Properties"]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_topic_is_kms_encrypted_tls_only_and_mails_the_configured_addresses(env_name, templates, environments):
    template = templates[env_name]
    topic_id, topic = _topic(template)
    assert "KmsMasterKeyId" in topic["Properties"]
    (policy,) = resources(template, "AWS::SNS::TopicPolicy").values()
    assert any(s["Effect"] == "Deny" and s["Condition"] == {"Bool": {"aws:SecureTransport": "false"}}
               for s in policy["Properties"]["PolicyDocument"]["Statement"])
    emails = sorted(s["Properties"]["Endpoint"] for s in resources(template, "AWS::SNS::Subscription").values()
                    if s["Properties"]["Protocol"] == "email")
    assert emails == sorted(environments[env_name].alerts.emails)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_alarm_notifies_the_topic(env_name, templates):
    template = templates[env_name]
    topic_id, _ = _topic(template)
    alarms = resources(template, "AWS::CloudWatch::Alarm").values()
    assert len(alarms) == 5
    for alarm in alarms:
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": topic_id}]
        assert alarm["Properties"]["OKActions"] == [{"Ref": topic_id}]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_node_and_pod_alarms_read_container_insights_of_this_cluster(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    cluster_id, _ = one(template, "AWS::EKS::Cluster", Name=naming.cluster_name(env))
    for metric, threshold in (("node_cpu_utilization", 80), ("node_memory_utilization", 80),
                              ("cluster_failed_node_count", 1), ("pod_number_of_container_restarts", 3)):
        alarm = _alarm(template, metric)
        assert alarm["Namespace"] == "ContainerInsights"
        assert {"Name": "ClusterName", "Value": {"Ref": cluster_id}} in alarm["Dimensions"]
        assert alarm["Threshold"] == threshold
        assert alarm["ComparisonOperator"] == "GreaterThanOrEqualToThreshold"
    restarts = _alarm(template, "pod_number_of_container_restarts")
    assert {"Name": "Namespace", "Value": naming.namespace(env)} in restarts["Dimensions"]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_missing_backup_alarm_breaches_when_no_dump_arrives_within_the_schedule_window(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    bucket_id, bucket = one(template, "AWS::S3::Bucket", BucketName=naming.backup_bucket_name(env))
    # Only dumps count: the request-metrics filter covers the prefix the backup CronJob writes under.
    assert bucket["Properties"]["MetricsConfigurations"] == [{"Id": REQUEST_METRICS_ID, "Prefix": naming.BACKUP_KEY_PREFIX}]
    alarm = _alarm(template, "PutRequests")
    assert alarm["Namespace"] == "AWS/S3"
    assert {"Name": "FilterId", "Value": REQUEST_METRICS_ID} in alarm["Dimensions"]
    assert {"Name": "BucketName", "Value": {"Ref": bucket_id}} in alarm["Dimensions"]
    window = alarm["Period"] * alarm["EvaluationPeriods"]
    # The window is the schedule's longest gap plus a grace hour: never shorter than the gap (the
    # alarm would fire between healthy runs), never past CloudWatch's limit (facts.backups).
    assert window == env.database.backup.missing_after_hours * 3600
    assert window >= env.database.backup.longest_gap.total_seconds()
    assert window <= backup_facts.CLOUDWATCH_MAX_EVALUATION_SECONDS
    assert alarm["DatapointsToAlarm"] == alarm["EvaluationPeriods"]
    assert alarm["ComparisonOperator"] == "LessThanThreshold" and alarm["Threshold"] == 1
    assert alarm["TreatMissingData"] == "breaching"


def test_every_allowed_schedule_fits_cloudwatchs_evaluation_limit():
    # Source: CloudWatch PutMetricAlarm (facts.backups): Period x EvaluationPeriods <= 604,800 s.
    # rpo_hours is capped at 167, and a schedule may not leave a gap above its RPO, so the alarm's
    # window (gap + 1 h) never exceeds 168 h: a weekly schedule is refused rather than un-alarmable.
    assert (167 + 1) * 3600 == backup_facts.CLOUDWATCH_MAX_EVALUATION_SECONDS == 604_800
    assert BackupSchedule(schedule="0 3 * * *", rpo_hours=167).missing_after_hours == 25
    with pytest.raises(ValidationError, match="leaves up to 7 days, 0:00:00 between backups"):
        BackupSchedule(schedule="0 0 * * 0", rpo_hours=167)
    with pytest.raises(ValidationError, match="less than or equal to 167"):
        BackupSchedule(schedule="0 0 * * 0", rpo_hours=168)


@pytest.fixture(scope="module")
def template_without_backups(project) -> dict:
    """dev with its one service's backups turned off: no backup writer anywhere in the environment."""
    env = presets.environment(
        "dev", name="nowriter", account="111111111111", region="eu-west-1",
        availability_zones=("eu-west-1a", "eu-west-1b"), domain="qa.example.com", **day1("111111111111"),
        services=(presets.zacatl_example_backend("dev", image={"tag": "1.0.0"}, database={"backup": False}),))
    app = cdk.App(context=project.cdk_context())
    stack = EnvironmentStack(app, "nowriter", env=env)
    return Template.from_stack(stack).to_json()


def test_no_backup_writer_means_no_missing_backup_alarm_and_no_backup_role(template_without_backups, templates,
                                                                         environments):
    alarms = resources(template_without_backups, "AWS::CloudWatch::Alarm").values()
    assert [a for a in alarms if a["Properties"].get("MetricName") == "PutRequests"] == []
    assert len(alarms) == 4
    roles = {r["Properties"].get("RoleName") for r in resources(template_without_backups, "AWS::IAM::Role").values()}
    assert not any(str(name).endswith(("-database-backup", "-database-restore")) for name in roles)
    # And the other way round: every committed cloud environment has a writer, so each has the alarm.
    for name, template in templates.items():
        assert naming.backed_up_services(environments[name])
        _alarm(template, "PutRequests")


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_monthly_budget_notifies_the_topic_at_80_and_100_percent(env_name, templates, environments):
    template = templates[env_name]
    topic_id, _ = _topic(template)
    _, budget = one(template, "AWS::Budgets::Budget")
    props = budget["Properties"]
    assert props["Budget"]["BudgetLimit"] == {"Amount": environments[env_name].alerts.monthly_budget_usd, "Unit": "USD"}
    assert props["Budget"]["TimeUnit"] == "MONTHLY" and props["Budget"]["BudgetType"] == "COST"
    thresholds = sorted(n["Notification"]["Threshold"] for n in props["NotificationsWithSubscribers"])
    assert thresholds == [80, 100]
    for notification in props["NotificationsWithSubscribers"]:
        assert notification["Subscribers"] == [{"SubscriptionType": "SNS", "Address": {"Ref": topic_id}}]
