"""AWS Backup of an Amazon DocumentDB cluster: a plan on the environment's schedule, a vault with
its own key (locked in prod) and a copy to the DR region when the environment replicates backups."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_backup as backup
from aws_cdk import aws_docdb as docdb
from aws_cdk import aws_events as events
from aws_cdk import aws_events_targets as targets
from aws_cdk import aws_sns as sns
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from ..config.database import five_fields
from ..facts import documentdb
from ..policy import acknowledge, managed_policy_finding
from .keys import customer_key

#: A run that has not started within an hour of its schedule is skipped, not run on top of the next.
START_WINDOW = cdk.Duration.hours(1)
#: DocumentDB snapshots are cluster-storage snapshots; a few hours is ample (and the largest a
#: one-hour schedule leaves before the next run matters less: AWS Backup skips overlapping jobs).
COMPLETION_WINDOW = cdk.Duration.hours(3)
#: In prod, the vault lock can be changed or removed for three days after deployment (the minimum
#: AWS Backup allows), then it is immutable: not even the root user can delete a recovery point early.
LOCK_GRACE = cdk.Duration.days(3)


def aws_backup_schedule(schedule: str) -> events.Schedule:
    """``schedule`` (a Kubernetes CronJob schedule) as an AWS Backup cron expression: the same
    minute, hour, day of month, month and weekday, with ``?`` in the day field left open, as
    EventBridge-style cron expressions require (one of day-of-month and day-of-week must be ``?``).
    Raises ValueError for a schedule AWS Backup cannot run: more than hourly, or both day fields set."""
    minute, hour, day, month, weekday = five_fields(schedule).split()
    if not minute.isdigit():
        # AWS Backup runs a rule at most once an hour (BackupRule ScheduleExpression, "at least 60 minutes").
        raise ValueError(f"schedule {schedule!r} runs more than once an hour; AWS Backup allows at most hourly runs: "
                         "give one minute such as '5 * * * *'")
    if weekday == "*":
        weekday = "?"
    elif day == "*":
        day = "?"
    else:
        raise ValueError(f"schedule {schedule!r} restricts both the day of month and the weekday; AWS Backup "
                         "accepts one of them: use '*' in the other")
    return events.Schedule.expression(f"cron({minute} {hour} {day} {month} {weekday} *)")


def copy_vault_arn(env: EnvironmentConfig) -> str:
    """ARN of the DR stack's copy vault (``naming.documentdb_backup_vault_name`` in the replication region)."""
    region = env.backups.replication_region
    return f"arn:{cdk.Aws.PARTITION}:backup:{region}:{env.account}:backup-vault:{naming.documentdb_backup_vault_name(env)}"


class DocumentDbBackup(Construct):
    """AWS Backup of ``cluster`` (``database.kind`` ``documentdb``).

    - Vault ``naming.documentdb_backup_vault_name(env)``, encrypted with a customer key of its own
      (``keys.customer_key``, retained); in prod a vault lock (compliance mode after ``LOCK_GRACE``)
      with a minimum retention of ``backups.retention_days``.
    - Plan: one rule on ``database.backup.schedule`` in ``database.backup.time_zone``, recovery
      points deleted after ``backups.retention_days``; when ``backups.replication_region`` is set,
      each recovery point is copied to the DR stack's vault of the same name and kept as long.
    - Selection: the cluster by ARN, through a role with AWS Backup's managed backup and restore policies.
    - Failures: an EventBridge rule sends the account's backup and copy jobs that end FAILED,
      ABORTED or EXPIRED (``facts.documentdb``) to ``topic``, the environment's alarm topic.
    DocumentDB's own automated backups (point-in-time restore within the same retention) run besides.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, cluster: docdb.DatabaseCluster,
                 topic: sns.ITopic) -> None:
        super().__init__(scope, id_)
        retention = cdk.Duration.days(env.backups.retention_days)
        self.key = customer_key(self, "Key", env=env, purpose="DocumentDB recovery points (AWS Backup)")
        self.vault = backup.BackupVault(
            self, "Vault", backup_vault_name=naming.documentdb_backup_vault_name(env), encryption_key=self.key,
            lock_configuration=backup.LockConfiguration(min_retention=retention, changeable_for=LOCK_GRACE)
            if env.tier == "prod" else None,
            removal_policy=cdk.RemovalPolicy.RETAIN)
        copy = []
        if env.backups.replication_region:
            copy = [backup.BackupPlanCopyActionProps(
                destination_backup_vault=backup.BackupVault.from_backup_vault_arn(self, "CopyVault", copy_vault_arn(env)),
                delete_after=retention)]
        schedule = env.database.backup
        try:
            expression = aws_backup_schedule(schedule.schedule)
        except ValueError as err:
            raise ValueError(f"environment {env.name!r}: database.backup.schedule: {err}") from None
        self.plan = backup.BackupPlan(self, "Plan", backup_plan_name=naming.documentdb_backup_vault_name(env),
                                      backup_vault=self.vault)
        self.plan.add_rule(backup.BackupPlanRule(
            rule_name="scheduled", schedule_expression=expression,
            schedule_expression_timezone=cdk.TimeZone.of(schedule.time_zone),
            start_window=START_WINDOW, completion_window=COMPLETION_WINDOW, delete_after=retention,
            copy_actions=copy or None))
        self.selection = self.plan.add_selection("Cluster", resources=[backup.BackupResource.from_arn(
            cdk.Stack.of(self).format_arn(service="rds", resource="cluster", resource_name=cluster.cluster_identifier,
                                          arn_format=cdk.ArnFormat.COLON_RESOURCE_NAME))], allow_restores=True)
        failed = list(documentdb.BACKUP_FAILED_STATES)
        self.failures = events.Rule(
            self, "Failures", description=f"zacatl {env.name}: DocumentDB backup or copy job failed",
            # Every backup and copy job of the account and region: each environment has an account of its
            # own, and copy-job events name the vaults differently from backup-job events.
            event_pattern=events.EventPattern(
                source=[documentdb.BACKUP_EVENT_SOURCE],
                detail_type=[documentdb.BACKUP_JOB_EVENT, documentdb.COPY_JOB_EVENT], detail={"state": failed}),
            targets=[targets.SnsTopic(topic)])
        for policy in ("service-role/AWSBackupServiceRolePolicyForBackup", "service-role/AWSBackupServiceRolePolicyForRestores"):
            acknowledge(self.selection, managed_policy_finding(policy), "AWS Backup's own service-role policies, "
                        "maintained by AWS for every resource type it backs up; the plan selects only this cluster")
