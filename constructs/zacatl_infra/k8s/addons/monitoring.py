"""Monitoring: the kube-prometheus-stack chart (Prometheus Operator, Prometheus, Alertmanager,
kube-state-metrics, node-exporter) in namespace ``monitoring``.

- Prometheus selects every PrometheusRule, ServiceMonitor, PodMonitor, Probe and ScrapeConfig in every
  namespace (the chart's ``*SelectorNilUsesHelmValues`` off), so the environment's own rules (the backup
  alerts) need no chart label.
- kube-state-metrics is on: the backup alerts read its CronJob and Job series.
- Alertmanager sends every alert to the environment's SNS alarm topic (``naming.alarm_topic_arn``), the
  topic the CloudWatch alarms use, so one set of subscribers gets both. It signs with SigV4 using the
  credentials of its ServiceAccount's EKS Pod Identity role (``naming.ALERTMANAGER_SERVICE_ACCOUNT``;
  the cloud layer allows that role to publish to that topic only). Alertmanager v0.34.0 (the chart's)
  calls SNS through aws-sdk-go-v2 (config v1.32.33, credentials v1.19.32 in its go.mod at tag v0.34.0),
  whose default chain has read EKS Pod Identity credentials since release-2023-11-14, the minimum for
  Go v2 in the EKS user guide's list of Pod Identity SDK versions (awsdocs/amazon-eks-user-guide
  latest/ug/manage-access/aws-access/service-accounts.adoc).
- Grafana is off: the chart's Grafana would need its own admin secret, persistence and a way in (an
  Ingress with authentication); alerts, not dashboards, are what this stack must deliver. Turn it on in
  a subclass or use Amazon Managed Grafana against this Prometheus.
- EKS runs the control plane: etcd, the scheduler and the controller manager cannot be scraped, and
  kube-proxy serves its metrics on 127.0.0.1 only. Their ServiceMonitors and rules are off, or their
  "target down" alerts would fire forever.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ... import naming
from ...config import EnvironmentConfig
from .addon import AddOn

#: StorageClass of the Prometheus and Alertmanager volumes: gp3 on the EBS CSI driver (an EKS managed
#: add-on of the stack), encrypted. EKS marks no StorageClass as default from Kubernetes 1.30 on (EKS
#: user guide, "Store Kubernetes volumes with Amazon EBS"), so the volumes name one.
STORAGE_CLASS = "zacatl-monitoring-gp3"
EBS_CSI_PROVISIONER = "ebs.csi.aws.com"
#: Prometheus stops at this share of its volume (``retentionSize``): the write-ahead log and compaction
#: need headroom, and a full volume stops ingestion altogether.
RETENTION_SIZE_SHARE = 0.85
#: Alertmanager keeps silences and notification state on a small volume of its own.
ALERTMANAGER_STORAGE_GIB = 2


@dataclass(frozen=True)
class TierDefaults:
    """Per tier: retention (days), Prometheus volume (GiB), replicas and memory (MiB, request = limit
    so the pod is never OOM-killed for a neighbour's burst), CPU request (millicores, no CPU limit:
    throttling Prometheus delays rule evaluation)."""

    retention_days: int
    storage_gib: int
    prometheus_replicas: int
    prometheus_cpu_m: int
    prometheus_memory_mib: int
    alertmanager_replicas: int


#: dev keeps three days (enough to debug yesterday), staging a week, prod 15 days on two Prometheus
#: replicas (Alertmanager deduplicates their alerts) and three Alertmanagers (a gossip cluster keeps
#: notifying when one node goes). Memory grows with the series count; 4 GiB leaves room on the default
#: m7i.large nodes (8 GiB) for the services.
TIER_DEFAULTS: dict[str, TierDefaults] = {
    "dev": TierDefaults(3, 20, 1, 200, 1536, 1),
    "staging": TierDefaults(7, 50, 1, 300, 2048, 1),
    "prod": TierDefaults(15, 100, 2, 500, 4096, 3),
}

#: Prometheus Operator objects Prometheus picks up cluster-wide (chart values ``<kind>Selector...``).
SELECTED_KINDS = ("rule", "serviceMonitor", "podMonitor", "probe", "scrapeConfig")
#: Alertmanager's receiver name for the SNS topic; ``null`` swallows the always-firing Watchdog.
SNS_RECEIVER = "sns"


def settings(env: EnvironmentConfig) -> TierDefaults:
    """The tier's defaults with ``env.monitoring`` overrides applied."""
    base = TIER_DEFAULTS[env.tier]
    return TierDefaults(
        retention_days=env.monitoring.retention_days or base.retention_days,
        storage_gib=env.monitoring.storage_gib or base.storage_gib,
        prometheus_replicas=base.prometheus_replicas, prometheus_cpu_m=base.prometheus_cpu_m,
        prometheus_memory_mib=base.prometheus_memory_mib, alertmanager_replicas=base.alertmanager_replicas)


def alertmanager_config(env: EnvironmentConfig) -> dict[str, Any]:
    """Alertmanager's configuration file: every alert to the SNS alarm topic, grouped by namespace and
    alert name; critical alerts silence the matching warnings."""
    return {
        "global": {"resolve_timeout": "5m"},
        "route": {
            "receiver": SNS_RECEIVER,
            "group_by": ["namespace", "alertname"],
            "group_wait": "30s", "group_interval": "5m",
            # E-mail subscribers: a still-firing alert is repeated twice a day, not every few minutes.
            "repeat_interval": "12h",
            "routes": [{"receiver": "null", "matchers": ['alertname = "Watchdog"']},
                       {"receiver": "null", "matchers": ['alertname = "InfoInhibitor"']}],
        },
        "inhibit_rules": [
            {"source_matchers": ["severity = critical"], "target_matchers": ["severity =~ warning|info"],
             "equal": ["namespace", "alertname"]},
            {"source_matchers": ["alertname = InfoInhibitor"], "target_matchers": ["severity = info"],
             "equal": ["namespace"]},
        ],
        "receivers": [
            {"name": "null"},
            {"name": SNS_RECEIVER, "sns_configs": [{
                "topic_arn": naming.alarm_topic_arn(env),
                # No keys and no role_arn: the SDK's default chain reads the Pod Identity credentials.
                "sigv4": {"region": env.region},
                "subject": f"[{env.name}] " + '{{ .Status | toUpper }} {{ .CommonLabels.alertname }}',
                "send_resolved": True,
            }]},
        ],
    }


def _volume(gib: int) -> dict[str, Any]:
    return {"volumeClaimTemplate": {"spec": {
        "storageClassName": STORAGE_CLASS, "accessModes": ["ReadWriteOnce"],
        "resources": {"requests": {"storage": f"{gib}Gi"}}}}}


def storage_class(env: EnvironmentConfig) -> dict[str, Any]:
    """The encrypted gp3 StorageClass ``STORAGE_CLASS`` the chart's volumes use (the chart makes none)."""
    return {
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClass",
        "metadata": {"name": STORAGE_CLASS},
        "provisioner": EBS_CSI_PROVISIONER,
        "parameters": {"type": "gp3", "encrypted": "true"},
        # Retain: deleting the Application keeps the metrics volume; the volume binds in the pod's zone.
        "reclaimPolicy": "Retain", "volumeBindingMode": "WaitForFirstConsumer", "allowVolumeExpansion": True,
    }


def values(env: EnvironmentConfig) -> dict[str, Any]:
    """Chart values from the typed model (``settings(env)``, ``naming``)."""
    tier = settings(env)
    memory = f"{tier.prometheus_memory_mib}Mi"
    _, account = naming.ALERTMANAGER_SERVICE_ACCOUNT
    return {
        "fullnameOverride": "kube-prometheus-stack",
        "crds": {"enabled": True},
        "grafana": {"enabled": False},
        "kubeStateMetrics": {"enabled": True},
        "nodeExporter": {"enabled": True},
        "kubeEtcd": {"enabled": False},
        "kubeScheduler": {"enabled": False},
        "kubeControllerManager": {"enabled": False},
        "kubeProxy": {"enabled": False},
        "defaultRules": {"rules": {"etcd": False, "kubeSchedulerAlerting": False, "kubeSchedulerRecording": False,
                                   "kubeControllerManager": False, "kubeProxy": False, "windows": False}},
        "prometheus": {"prometheusSpec": {
            # False: an unset selector selects every object in every namespace, not only the chart's own.
            **{f"{kind}SelectorNilUsesHelmValues": False for kind in SELECTED_KINDS},
            "retention": f"{tier.retention_days}d",
            "retentionSize": f"{int(tier.storage_gib * RETENTION_SIZE_SHARE)}GB",
            "replicas": tier.prometheus_replicas,
            "externalLabels": {"cluster": naming.cluster_name(env), "environment": env.name},
            "resources": {"requests": {"cpu": f"{tier.prometheus_cpu_m}m", "memory": memory}, "limits": {"memory": memory}},
            "storageSpec": _volume(tier.storage_gib),
        }},
        "alertmanager": {
            "serviceAccount": {"create": True, "name": account},
            "config": alertmanager_config(env),
            "alertmanagerSpec": {
                "replicas": tier.alertmanager_replicas,
                "resources": {"requests": {"cpu": "50m", "memory": "128Mi"}, "limits": {"memory": "256Mi"}},
                "storage": _volume(ALERTMANAGER_STORAGE_GIB),
            },
        },
    }


def addon(env: EnvironmentConfig) -> AddOn:
    """Chart ``kube-prometheus-stack`` (prometheus-community) in namespace ``monitoring``, Alertmanager's
    ServiceAccount bound by Pod Identity; with the StorageClass its volumes use."""
    namespace, _ = naming.ALERTMANAGER_SERVICE_ACCOUNT
    return AddOn(name="kube-prometheus-stack", chart_key="kube-prometheus-stack", namespace=namespace,
                 service_account=naming.ALERTMANAGER_SERVICE_ACCOUNT, values=values(env),
                 manifests=(storage_class(env),))
