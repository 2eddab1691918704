"""Alarms of one environment, an encrypted SNS topic for them and the monthly cost budget."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_budgets as budgets
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
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
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, cluster_name: str,
                 backup_bucket: s3.IBucket, backup_metrics_filter: str) -> None:
        super().__init__(scope, id_)
        # Alarm messages are transient: nothing encrypted with this key outlives the stack.
        self.key = customer_key(self, "Key", env=env, purpose="alarm topic encryption", retain=False)
        # Alarms and budgets publish to an encrypted topic only if they may use its key.
        self.key.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal("cloudwatch.amazonaws.com"), iam.ServicePrincipal("budgets.amazonaws.com")],
            actions=["kms:Decrypt", "kms:GenerateDataKey*"],
            resources=["*"],
            conditions={"StringEquals": {"aws:SourceAccount": env.account}},
        ))
        if env.database.kind == "documentdb":
            # EventBridge delivers AWS Backup failures (cloud/documentdb_backup.py) to the encrypted topic.
            self.key.add_to_resource_policy(iam.PolicyStatement(
                principals=[iam.ServicePrincipal("events.amazonaws.com")],
                actions=["kms:Decrypt", "kms:GenerateDataKey*"], resources=["*"],
                conditions={"StringEquals": {"aws:SourceAccount": env.account}}))
        # Named through naming: Alertmanager's configuration carries the same ARN (no lookup at synth).
        self.topic = sns.Topic(self, "Topic", topic_name=naming.alarm_topic_name(env),
                               display_name=f"zacatl {env.name} alarms",
                               master_key=self.key, enforce_ssl=True)
        self.topic.add_to_resource_policy(iam.PolicyStatement(
            principals=[iam.ServicePrincipal("budgets.amazonaws.com")],
            actions=["sns:Publish"],
            resources=[self.topic.topic_arn],
            conditions={"StringEquals": {"aws:SourceAccount": env.account}},
        ))
        for email in env.alerts.emails:
            self.topic.add_subscription(subscriptions.EmailSubscription(email))

        action = cw_actions.SnsAction(self.topic)
        five_minutes = cdk.Duration.minutes(5)

        def insights(metric: str, statistic: str, **dimensions: str) -> cw.Metric:
            return cw.Metric(namespace="ContainerInsights", metric_name=metric, statistic=statistic,
                             period=five_minutes, dimensions_map={"ClusterName": cluster_name, **dimensions})

        self.alarms: dict[str, cw.Alarm] = {}
        for name, metric, threshold, periods, description in (
            ("NodeCpu", insights("node_cpu_utilization", "Average"), NODE_UTILIZATION_PERCENT, 3,
             "node CPU above 80 % for 15 minutes: scale the node group or review CPU requests"),
            ("NodeMemory", insights("node_memory_utilization", "Average"), NODE_UTILIZATION_PERCENT, 3,
             "node memory above 80 % for 15 minutes: pods risk eviction and OOM kills"),
            ("PodRestarts", insights("pod_number_of_container_restarts", "Sum", Namespace=naming.namespace(env)),
             POD_RESTARTS, 1, "containers restarting in the services' namespace: look for a crash loop"),
            ("FailedNodes", insights("cluster_failed_node_count", "Maximum"), 1, 2,
             "a node is failing its health checks"),
        ):
            self.alarms[name] = metric.create_alarm(
                self, name, alarm_description=f"zacatl {env.name}: {description}", threshold=threshold,
                evaluation_periods=periods,
                comparison_operator=cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
                treat_missing_data=cw.TreatMissingData.MISSING)

        if naming.backed_up_services(env):
            hours = backup_alarm_hours(env)
            put_requests = cw.Metric(
                namespace="AWS/S3", metric_name="PutRequests", statistic="Sum", period=cdk.Duration.hours(1),
                dimensions_map={"BucketName": backup_bucket.bucket_name, "FilterId": backup_metrics_filter})
            self.alarms["BackupMissing"] = put_requests.create_alarm(
                self, "BackupMissing",
                alarm_description=f"zacatl {env.name}: no new database dump in {hours} hours",
                threshold=1, evaluation_periods=hours, datapoints_to_alarm=hours,
                comparison_operator=cw.ComparisonOperator.LESS_THAN_THRESHOLD,
                treat_missing_data=cw.TreatMissingData.BREACHING)

        for alarm in self.alarms.values():
            alarm.add_alarm_action(action)
            alarm.add_ok_action(action)

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
                    subscribers=[budgets.CfnBudget.SubscriberProperty(subscription_type="SNS",
                                                                      address=self.topic.topic_arn)],
                )
                for percent in BUDGET_THRESHOLDS_PERCENT
            ],
        )
