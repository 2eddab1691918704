"""Alarms of one environment, an encrypted SNS topic for them and the monthly cost budget.

A hot path (every environment synthesizes it, docs/performance.md): the alarms are ``CfnAlarm`` L1s
built in one constructor call each, and the resource-policy statements come from IAM's JSON form.
The ``cloudwatch`` L2 took a ``Metric``, the alarm and two action calls per alarm, each a jsii round
trip (45 a stack before, 27 after) for the same template. The topic and its key stay L2s: they give
the TLS-only policy and the key grants that would be hand-written otherwise.
"""

from __future__ import annotations

from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_iam as iam
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_sns as sns
from aws_cdk import aws_sns_subscriptions as subscriptions
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from ..facts import backups as backup_facts
from .keys import customer_key

#: Node CPU or memory above this for 15 minutes means the node group should grow (or requests are wrong).
NODE_UTILIZATION_PERCENT = 80
#: Container restarts in one namespace within 5 minutes that point at a crash loop, not a single OOM kill.
POD_RESTARTS = 3
#: Period of the Container Insights alarms, in seconds: the evaluation periods above count five minutes each.
CONTAINER_INSIGHTS_PERIOD_SECONDS = 300

def backup_alarm_hours(env: EnvironmentConfig) -> int:
    """Hours without a new dump before the missing-backup alarm fires:
    ``env.database.backup.missing_after_hours`` (the schedule's longest gap plus a grace hour).
    Raises ValueError when that exceeds CloudWatch's evaluation limit
    (``facts.backups.CLOUDWATCH_MAX_EVALUATION_SECONDS``, seven days)."""
    hours = env.database.backup.missing_after_hours
    limit = backup_facts.CLOUDWATCH_MAX_EVALUATION_SECONDS // 3600
    if hours > limit:
        raise ValueError(f"environment {env.name!r}: database.backup.schedule {env.database.backup.schedule!r} leaves "
                         f"{hours} hours between backups; CloudWatch evaluates at most {limit} hours: run it more often")
    return hours


#: Budget notifications: a warning at 80 % and the limit itself, both on actual spend.
BUDGET_THRESHOLDS_PERCENT = (80, 100)


def _allow_services(services: list[str], actions: list[str], resource: str, *, account: str) -> iam.PolicyStatement:
    """Allow ``services`` (AWS service principals) ``actions`` on ``resource`` when acting for ``account``.

    Built from IAM's JSON form in one jsii round trip; ``iam.PolicyStatement`` with one
    ``iam.ServicePrincipal`` each took a round trip per principal more. Renders identically.
    """
    principal = services[0] if len(services) == 1 else sorted(services)
    return iam.PolicyStatement.from_json({
        "Effect": "Allow", "Principal": {"Service": principal}, "Action": actions, "Resource": resource,
        "Condition": {"StringEquals": {"aws:SourceAccount": account}}})


class Alarms(Construct):
    """Alarms to topic ``Topic`` (KMS-encrypted, TLS-only, e-mail subscriptions from ``env.alerts.emails``).

    - Nodes: Container Insights ``node_cpu_utilization`` and ``node_memory_utilization`` above 80 %
      for three 5-minute periods; ``cluster_failed_node_count`` at or above one for two periods.
    - Pods: ``pod_number_of_container_restarts`` in the environment's namespace, three or more in
      5 minutes. Container Insights metrics come from the amazon-cloudwatch-observability add-on;
      while it publishes nothing, these alarms stay in INSUFFICIENT_DATA (missing data is not a breach).
    - Backups, only where a backup writer exists (``naming.backed_up_services``; an alarm on a
      bucket nobody writes to would be in ALARM from its first day): no PutRequests under the dump
      prefix (S3 request metrics filter ``REQUEST_METRICS_ID``) in ``backup_alarm_hours(env)``
      hourly periods; missing data is breaching, because S3 publishes no datapoint at all for an
      hour without requests.
    - Cost: an AWS Budgets monthly cost budget of ``env.alerts.monthly_budget_usd`` that notifies the
      topic at 80 % and 100 % of actual spend.

    ``alarms``: alarm id (``NodeCpu``, ``NodeMemory``, ``PodRestarts``, ``FailedNodes``, ``BackupMissing``)
    -> its ``CfnAlarm``; ``topic``: the ``sns.Topic``; ``key``: the topic's ``kms.Key``.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, cluster_name: str,
                 backup_bucket: s3.IBucket, backup_metrics_filter: str) -> None:
        super().__init__(scope, id_)
        # Alarm messages are transient: nothing encrypted with this key outlives the stack.
        self.key = customer_key(self, "Key", env=env, purpose="alarm topic encryption", retain=False)
        # Alarms and budgets publish to an encrypted topic only if they may use its key.
        self.key.add_to_resource_policy(_allow_services(
            ["cloudwatch.amazonaws.com", "budgets.amazonaws.com"], ["kms:Decrypt", "kms:GenerateDataKey*"], "*",
            account=env.account))
        if env.database.kind == "documentdb":
            # EventBridge delivers AWS Backup failures (cloud/documentdb_backup.py) to the encrypted topic.
            self.key.add_to_resource_policy(_allow_services(
                ["events.amazonaws.com"], ["kms:Decrypt", "kms:GenerateDataKey*"], "*", account=env.account))
        # Named through naming: Alertmanager's configuration carries the same ARN (no lookup at synth).
        self.topic = sns.Topic(self, "Topic", topic_name=naming.alarm_topic_name(env),
                               display_name=f"zacatl {env.name} alarms",
                               master_key=self.key, enforce_ssl=True)
        topic_arn = self.topic.topic_arn
        self.topic.add_to_resource_policy(_allow_services(
            ["budgets.amazonaws.com"], ["sns:Publish"], topic_arn, account=env.account))
        for email in env.alerts.emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))

        # The alarms are L1s (one constructor call each, at the path the L2 used, so the logical
        # ids are unchanged): the L2 route cost a metric, an alarm and two action calls per alarm.
        self.alarms: dict[str, cw.CfnAlarm] = {}

        def alarm(name: str, *, namespace: str, metric: str, statistic: str, period_seconds: int,
                  dimensions: dict[str, str], description: str, threshold: float, periods: int,
                  comparison: str, missing_data: str, datapoints: int | None = None) -> None:
            self.alarms[name] = cw.CfnAlarm(
                Construct(self, name), "Resource",
                alarm_description=f"zacatl {env.name}: {description}",
                namespace=namespace, metric_name=metric, statistic=statistic, period=period_seconds,
                dimensions=[cw.CfnAlarm.DimensionProperty(name=k, value=v) for k, v in dimensions.items()],
                threshold=threshold, evaluation_periods=periods, datapoints_to_alarm=datapoints,
                comparison_operator=comparison, treat_missing_data=missing_data,
                alarm_actions=[topic_arn], ok_actions=[topic_arn])

        for name, metric, statistic, namespace, threshold, periods, description in (
            ("NodeCpu", "node_cpu_utilization", "Average", None, NODE_UTILIZATION_PERCENT, 3,
             "node CPU above 80 % for 15 minutes: scale the node group or review CPU requests"),
            ("NodeMemory", "node_memory_utilization", "Average", None, NODE_UTILIZATION_PERCENT, 3,
             "node memory above 80 % for 15 minutes: pods risk eviction and OOM kills"),
            ("PodRestarts", "pod_number_of_container_restarts", "Sum", naming.namespace(env), POD_RESTARTS, 1,
             "containers restarting in the services' namespace: look for a crash loop"),
            ("FailedNodes", "cluster_failed_node_count", "Maximum", None, 1, 2, "a node is failing its health checks"),
        ):
            alarm(name, namespace="ContainerInsights", metric=metric, statistic=statistic,
                  period_seconds=CONTAINER_INSIGHTS_PERIOD_SECONDS,
                  dimensions={"ClusterName": cluster_name, **({"Namespace": namespace} if namespace else {})},
                  description=description, threshold=threshold, periods=periods,
                  comparison="GreaterThanOrEqualToThreshold", missing_data="missing")

        if naming.backed_up_services(env):
            hours = backup_alarm_hours(env)
            alarm("BackupMissing", namespace="AWS/S3", metric="PutRequests", statistic="Sum", period_seconds=3600,
                  dimensions={"BucketName": backup_bucket.bucket_name, "FilterId": backup_metrics_filter},
                  description=f"no new database dump in {hours} hours", threshold=1, periods=hours,
                  datapoints=hours, comparison="LessThanThreshold", missing_data="breaching")

        budgets.CfnBudget(
            self, "Budget",
            budget=budgets.CfnBudget.BudgetDataProperty(
                budget_name=f"{naming.stack_name(env)}-monthly",
                budget_type="COST", time_unit="MONTHLY",
                budget_limit=budgets.CfnBudget.SpendProperty(amount=env.alerts.monthly_budget_usd, unit="USD"),
            ),
            notifications_with_subscribers=[
                budgets.CfnBudget.NotificationWithSubscribersProperty(
                    notification=budgets.CfnBudget.NotificationProperty(
                        notification_type="ACTUAL", comparison_operator="GREATER_THAN",
                        threshold=percent, threshold_type="PERCENTAGE"),
                    subscribers=[budgets.CfnBudget.SubscriberProperty(subscription_type="SNS", address=topic_arn)],
                )
                for percent in BUDGET_THRESHOLDS_PERCENT
            ],
        )
