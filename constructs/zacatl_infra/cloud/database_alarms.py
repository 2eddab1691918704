"""CloudWatch alarms on an Amazon DocumentDB cluster's instances, to the environment's alarm topic."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_cloudwatch as cw
from aws_cdk import aws_cloudwatch_actions as cw_actions
from aws_cdk import aws_docdb as docdb
from aws_cdk import aws_sns as sns
from constructs import Construct

from ..config import EnvironmentConfig
from ..facts import documentdb

#: CPU above this for 15 minutes: queries need an index or the instance class is too small.
CPU_PERCENT = 80
#: Connections above this: a connection leak or pools sized past what the instance serves well
#: (the smallest classes accept a few hundred; size this to the class before relying on it).
CONNECTIONS = 500
#: Freeable memory below this for 15 minutes: the working set no longer fits; queries hit storage.
FREEABLE_MEMORY_BYTES = 256 * 2**20


class DocumentDbAlarms(Construct):
    """Per instance of ``cluster``, three alarms in ``facts.documentdb.METRICS_NAMESPACE`` with the
    dimension ``facts.documentdb.INSTANCE_DIMENSION`` (the instance identifier):
    ``CPUUtilization`` >= ``CPU_PERCENT``, ``DatabaseConnections`` >= ``CONNECTIONS``,
    ``FreeableMemory`` <= ``FREEABLE_MEMORY_BYTES``; three 5-minute periods; missing data is not a
    breach. Alarm and OK actions go to ``topic``."""

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, cluster: docdb.DatabaseCluster,
                 topic: sns.ITopic) -> None:
        super().__init__(scope, id_)
        action = cw_actions.SnsAction(topic)
        self.alarms: dict[str, cw.Alarm] = {}
        above = cw.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD
        below = cw.ComparisonOperator.LESS_THAN_OR_EQUAL_TO_THRESHOLD
        for i, instance in enumerate(cluster.instance_identifiers):
            for metric, statistic, threshold, operator, why in (
                ("CPUUtilization", "Average", CPU_PERCENT, above, "CPU above 80 % for 15 minutes"),
                ("DatabaseConnections", "Maximum", CONNECTIONS, above, "connections above 500: look for a leak"),
                ("FreeableMemory", "Minimum", FREEABLE_MEMORY_BYTES, below,
                 "freeable memory below 256 MiB: the working set no longer fits"),
            ):
                name = f"{metric}{i}"
                alarm = cw.Metric(
                    namespace=documentdb.METRICS_NAMESPACE, metric_name=metric, statistic=statistic,
                    period=cdk.Duration.minutes(5), dimensions_map={documentdb.INSTANCE_DIMENSION: instance},
                ).create_alarm(self, name, threshold=threshold, evaluation_periods=3, comparison_operator=operator,
                               treat_missing_data=cw.TreatMissingData.MISSING,
                               alarm_description=f"zacatl {env.name}: DocumentDB instance {i}: {why}")
                alarm.add_alarm_action(action)
                alarm.add_ok_action(action)
                self.alarms[name] = alarm
