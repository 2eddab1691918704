"""Backup failure alerting inside the cluster: a PrometheusRule on the backup CronJobs.

Needs the Prometheus Operator's CRDs (``monitoring.coreos.com/v1``) and kube-state-metrics in the
cluster, both from a monitoring platform add-on (kube-prometheus-stack); the alerts go to the same
Alertmanager receivers as every other alert of the stack (routing by ``severity`` and
``namespace``). Series names: ``facts.backups`` (kube-state-metrics).

``rules_installable()`` says whether a pinned chart (``facts/charts.json``) installs the
PrometheusRule kind; until one does, the environment charts render no rule (applying it would fail
with "no matches for kind" and leave the sync failed), and the rule appears by itself once the
monitoring add-on is added.
"""

from __future__ import annotations

import cdk8s
from constructs import Construct

from .. import naming, sync
from ..config import EnvironmentConfig
from ..facts import backups as facts
from .labels import environment_labels
from .raw_fields import PlainApiObject
from .waves import sync_annotations

#: The rule syncs last: until the monitoring add-on has installed its CRD the apply fails, and in the
#: last wave that failure holds back nothing else of the environment.
ALERTS_WAVE = sync.WORKLOADS + 10
API_VERSION = "monitoring.coreos.com/v1"
KIND = "PrometheusRule"
#: Severity label Alertmanager routes on: a missing or failed backup pages the on-call in prod.
SEVERITY = {"prod": "critical"}
DEFAULT_SEVERITY = "warning"


def rules_installable() -> bool:
    """True when some pinned chart of ``facts/charts.json`` installs ``monitoring.coreos.com/PrometheusRule``."""
    from .. import facts

    kind = f"{API_VERSION.split('/')[0]}/{KIND}"
    return any(kind in chart["kinds"] for chart in facts.load("charts")["charts"].values())


def backup_rules(env: EnvironmentConfig, missing_after_hours: int) -> list[dict]:
    """The alerting rules, one group: ``DatabaseBackupFailed`` (a Job of a backup CronJob has a
    failed pod count above zero) and ``DatabaseBackupMissing`` (no successful run for
    ``missing_after_hours``, or never a successful run that long after the CronJob appeared)."""
    ns = naming.namespace(env)
    names = "|".join(naming.backup_cronjob_name(s) for s in naming.backed_up_services(env))
    severity = SEVERITY.get(env.tier, DEFAULT_SEVERITY)
    seconds = missing_after_hours * 3600
    owner = f'{facts.KSM_JOB_OWNER}{{namespace="{ns}", owner_kind="CronJob", owner_name=~"{names}"}}'
    labels = {"severity": severity, "namespace": ns, "zacatl_environment": env.name}
    return [
        {
            "alert": "DatabaseBackupFailed",
            "expr": (f'max by (namespace, owner_name, job_name) ({facts.KSM_JOB_FAILED}{{namespace="{ns}"}} '
                     f"* on (namespace, job_name) group_left (owner_name) {owner}) > 0"),
            "labels": labels,
            "annotations": {
                "summary": "a database backup Job failed",
                "description": "Job {{ $labels.job_name }} of CronJob {{ $labels.owner_name }} in {{ $labels.namespace }} "
                               "failed: kubectl -n {{ $labels.namespace }} logs job/{{ $labels.job_name }} --all-containers",
            },
        },
        {
            "alert": "DatabaseBackupMissing",
            "expr": (f'time() - {facts.KSM_CRONJOB_LAST_SUCCESS}{{namespace="{ns}", cronjob=~"{names}"}} > {seconds}'),
            "labels": labels,
            "annotations": {
                "summary": f"no successful database backup in {missing_after_hours} hours",
                "description": "CronJob {{ $labels.cronjob }} in {{ $labels.namespace }} last succeeded "
                               "{{ $value | humanizeDuration }} ago (docs/disaster-recovery.md)",
            },
        },
        {
            "alert": "DatabaseBackupNeverSucceeded",
            "expr": f'absent({facts.KSM_CRONJOB_LAST_SUCCESS}{{namespace="{ns}", cronjob=~"{names}"}})',
            "for": f"{missing_after_hours}h",
            "labels": labels,
            "annotations": {
                "summary": f"no database backup CronJob of {ns} has ever succeeded in {missing_after_hours} hours",
                "description": "check that the CronJobs exist and run: kubectl -n " + ns + " get cronjobs",
            },
        },
    ]


class BackupAlerts(Construct):
    """PrometheusRule ``database-backups`` in the environment's namespace (``backup_rules``)."""

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, missing_after_hours: int) -> None:
        super().__init__(scope, id_)
        if not naming.backed_up_services(env):
            raise ValueError(f"environment {env.name!r}: no backup CronJob to alert on")
        self.resource = PlainApiObject(
            self, "Resource", api_version=API_VERSION, kind=KIND,
            metadata=cdk8s.ApiObjectMetadata(name="database-backups", namespace=naming.namespace(env),
                                             labels=environment_labels(env),
                                             annotations={sync.WAVE_ANNOTATION: str(ALERTS_WAVE),
                                                          **sync_annotations(API_VERSION, KIND)}),
            fields={"spec": {"groups": [{"name": "database-backups", "rules": backup_rules(env, missing_after_hours)}]}})
