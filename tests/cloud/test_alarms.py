"""Alarms reach an encrypted, TLS-only topic; the budget notifies it at 80 % and 100 %."""

from __future__ import annotations

import pytest

from zacatl_infra import naming
from zacatl_infra.cloud.backups import REQUEST_METRICS_ID

from ..conftest import CLOUD_ENVIRONMENT_NAMES
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
def test_missing_backup_alarm_breaches_when_no_object_arrives_within_the_window(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    bucket_id, bucket = one(template, "AWS::S3::Bucket", BucketName=naming.backup_bucket_name(env))
    assert bucket["Properties"]["MetricsConfigurations"] == [{"Id": REQUEST_METRICS_ID}]
    alarm = _alarm(template, "PutRequests")
    assert alarm["Namespace"] == "AWS/S3"
    assert {"Name": "FilterId", "Value": REQUEST_METRICS_ID} in alarm["Dimensions"]
    assert {"Name": "BucketName", "Value": {"Ref": bucket_id}} in alarm["Dimensions"]
    assert alarm["Period"] * alarm["EvaluationPeriods"] == env.backups.window_hours * 3600
    assert alarm["DatapointsToAlarm"] == alarm["EvaluationPeriods"]
    assert alarm["ComparisonOperator"] == "LessThanThreshold" and alarm["Threshold"] == 1
    assert alarm["TreatMissingData"] == "breaching"


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
