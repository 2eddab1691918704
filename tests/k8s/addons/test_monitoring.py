"""The monitoring add-on (kube-prometheus-stack): values from the typed model, alerts to the alarm topic.

Facts: chart 88.5.3 of prometheus-community/helm-charts (facts/charts.json): ``<kind>SelectorNilUsesHelmValues``
true makes Prometheus select only objects carrying the release's label (templates/prometheus/prometheus.yaml);
kube-state-metrics and node-exporter are dependencies switched by ``kubeStateMetrics.enabled`` and
``nodeExporter.enabled``. Alertmanager's ``sns_configs`` and ``sigv4`` fields: prometheus/alertmanager
docs/configuration.md (SNS receiver, prometheus/alertmanager#2615).
"""

from __future__ import annotations

import pytest

from zacatl_infra import naming, sync
from zacatl_infra.config import ConfigError, presets
from zacatl_infra.k8s.addons import monitoring, platform_addons
from zacatl_infra.k8s.platform import MONITORING_NAMESPACE

from ...conftest import CLOUD_ENVIRONMENT_NAMES


def _values(workloads, env_name: str) -> dict:
    return workloads[env_name].one("Application", "kube-prometheus-stack")["spec"]["source"]["helm"]["valuesObject"]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_prometheus_selects_rules_and_monitors_of_every_namespace(env_name, workloads):
    spec = _values(workloads, env_name)["prometheus"]["prometheusSpec"]
    for kind in ("rule", "serviceMonitor", "podMonitor", "probe", "scrapeConfig"):
        assert spec[f"{kind}SelectorNilUsesHelmValues"] is False, kind
        # An explicit selector or namespace selector would narrow it again.
        assert f"{kind}Selector" not in spec and f"{kind}NamespaceSelector" not in spec, kind


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_the_series_backup_alerts_read_are_collected(env_name, workloads):
    values = _values(workloads, env_name)
    # kube_cronjob_* and kube_job_* series come from kube-state-metrics; node-exporter gives node health.
    assert values["kubeStateMetrics"]["enabled"] is True and values["nodeExporter"]["enabled"] is True
    assert values["grafana"]["enabled"] is False


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_control_plane_targets_eks_hides_are_not_scraped(env_name, workloads):
    values = _values(workloads, env_name)
    # On EKS etcd, scheduler and controller manager are AWS's; kube-proxy listens on 127.0.0.1: each
    # would raise a permanent "target down" alert.
    for component in ("kubeEtcd", "kubeScheduler", "kubeControllerManager", "kubeProxy"):
        assert values[component]["enabled"] is False, component
    rules = values["defaultRules"]["rules"]
    assert not any(rules[r] for r in ("etcd", "kubeSchedulerAlerting", "kubeControllerManager", "kubeProxy"))


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_alertmanager_sends_every_alert_to_the_environments_alarm_topic(env_name, workloads, environments):
    env = environments[env_name]
    config = _values(workloads, env_name)["alertmanager"]["config"]
    receivers = {r["name"]: r for r in config["receivers"]}
    assert config["route"]["receiver"] == monitoring.SNS_RECEIVER
    # Only the always-firing Watchdog and InfoInhibitor are swallowed; everything else reaches SNS.
    assert {r["receiver"] for r in config["route"]["routes"]} == {"null"}
    assert all(m.startswith(('alertname = "Watchdog"', 'alertname = "InfoInhibitor"'))
               for r in config["route"]["routes"] for m in r["matchers"])
    (sns,) = receivers[monitoring.SNS_RECEIVER]["sns_configs"]
    assert sns["topic_arn"] == f"arn:aws:sns:{env.region}:{env.account}:zacatl-{env.name}-alarms"
    assert sns["topic_arn"] == naming.alarm_topic_arn(env)
    # Credentials come from Pod Identity: no keys, no profile, no role to assume in the file.
    assert sns["sigv4"] == {"region": env.region}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_alertmanager_runs_as_the_account_the_cloud_layer_binds(env_name, workloads):
    app = workloads[env_name].one("Application", "kube-prometheus-stack")
    namespace, account = naming.ALERTMANAGER_SERVICE_ACCOUNT
    assert app["spec"]["destination"]["namespace"] == namespace == MONITORING_NAMESPACE
    assert app["spec"]["source"]["helm"]["valuesObject"]["alertmanager"]["serviceAccount"] == {
        "create": True, "name": account}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_retention_fits_the_volume_and_follows_the_tier(env_name, workloads, environments):
    env = environments[env_name]
    spec = _values(workloads, env_name)["prometheus"]["prometheusSpec"]
    tier = monitoring.TIER_DEFAULTS[env.tier]
    assert spec["retention"] == f"{env.monitoring.retention_days or tier.retention_days}d"
    size = int(spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"].removesuffix("Gi"))
    # retentionSize is in GB (10^9) and the volume in GiB (2^30): the cap stays below the disk.
    assert int(spec["retentionSize"].removesuffix("GB")) * 10**9 < size * 2**30 * 0.9
    assert spec["resources"]["requests"]["memory"] == spec["resources"]["limits"]["memory"]


def test_prod_runs_prometheus_and_alertmanager_highly_available(workloads):
    values = _values(workloads, "prod")
    assert values["prometheus"]["prometheusSpec"]["replicas"] >= 2
    assert values["alertmanager"]["alertmanagerSpec"]["replicas"] >= 3


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_volumes_use_an_encrypted_storage_class_rendered_before_the_chart(env_name, workloads):
    (storage_class,) = workloads[env_name].find("StorageClass", monitoring.STORAGE_CLASS)
    assert storage_class["provisioner"] == "ebs.csi.aws.com" and storage_class["parameters"]["encrypted"] == "true"
    app = workloads[env_name].one("Application", "kube-prometheus-stack")
    wave = int(storage_class["metadata"]["annotations"][sync.WAVE_ANNOTATION])
    assert wave < int(app["metadata"]["annotations"][sync.WAVE_ANNOTATION])
    values = app["spec"]["source"]["helm"]["valuesObject"]
    claims = [values["prometheus"]["prometheusSpec"]["storageSpec"], values["alertmanager"]["alertmanagerSpec"]["storage"]]
    assert {c["volumeClaimTemplate"]["spec"]["storageClassName"] for c in claims} == {monitoring.STORAGE_CLASS}


def test_monitoring_settings_override_the_tier(environments):
    env = environments["dev"].model_copy(update={
        "monitoring": environments["dev"].monitoring.model_copy(update={"retention_days": 9, "storage_gib": 40})})
    (addon,) = [a for a in platform_addons(env) if a.name == "kube-prometheus-stack"]
    spec = addon.values["prometheus"]["prometheusSpec"]
    assert spec["retention"] == "9d" and spec["retentionSize"] == "34GB"
    assert spec["storageSpec"]["volumeClaimTemplate"]["spec"]["resources"]["requests"]["storage"] == "40Gi"


@pytest.mark.parametrize(("field", "value"), [("retention_days", 0), ("retention_days", 365), ("storage_gib", 5)])
def test_fails_on_monitoring_settings_out_of_range(field, value, environments):
    dev = environments["dev"]
    fields = dev.model_dump(exclude={"tier"})
    fields["monitoring"] = {field: value}
    with pytest.raises(ConfigError, match=rf"(?s)environment .dev.*field monitoring\.{field}"):
        presets.environment("dev", **fields)


def test_local_has_no_alarm_topic(environments):
    with pytest.raises(ValueError, match="environment 'local': tier 'local' has no alarm topic"):
        naming.alarm_topic_arn(environments["local"])


def _unknown_keys(values: dict, known: set[str], free_form: set[str], prefix: str = "") -> list[str]:
    """Key paths of ``values`` that the chart's default values do not have (Helm ignores those silently)."""
    unknown = []
    for key, value in values.items():
        path = f"{prefix}{key}"
        if path not in known:
            unknown.append(path)
        elif isinstance(value, dict) and path not in free_form:
            unknown += _unknown_keys(value, known, free_form, f"{path}.")
    return unknown


def _value_paths() -> tuple[set[str], set[str], str]:
    import json
    from pathlib import Path

    data = json.loads((Path(__file__).resolve().parents[2] / "data" / "kube-prometheus-stack-88.5.3-value-paths.json").read_text())
    return set(data["paths"]), set(data["free_form"]), data["chart_version"]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_value_key_exists_in_the_pinned_chart(env_name, workloads):
    # The chart ships no values.schema.json: a misspelt key (kubeStateMetric, retentionSise) would be ignored.
    known, free_form, version = _value_paths()
    app = workloads[env_name].one("Application", "kube-prometheus-stack")
    assert app["spec"]["source"]["targetRevision"] == version
    assert _unknown_keys(app["spec"]["source"]["helm"]["valuesObject"], known, free_form) == []


def test_the_value_key_check_catches_a_typo(workloads):
    known, free_form, _ = _value_paths()
    values = _values(workloads, "dev")
    typo = {**values, "prometheus": {"prometheusSpec": {**values["prometheus"]["prometheusSpec"], "retentionSise": "1GB"}}}
    assert _unknown_keys(typo, known, free_form) == ["prometheus.prometheusSpec.retentionSise"]


#: Size in bytes of the chart's largest CRD, crd-prometheuses.yaml at chart 88.5.3 (commit ea930bae), and the
#: limit on all annotations of an object (Kubernetes apimachinery TotalAnnotationSizeLimitB, 256 KiB) that a
#: client-side apply's last-applied-configuration copy must fit in (argoproj/argo-cd#8128,
#: prometheus-community/helm-charts#1500).
LARGEST_CRD_BYTES = 833_082
ANNOTATIONS_LIMIT_BYTES = 262_144


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_the_chart_is_applied_server_side_because_its_crds_exceed_the_annotation_limit(env_name, workloads):
    assert LARGEST_CRD_BYTES > ANNOTATIONS_LIMIT_BYTES
    app = workloads[env_name].one("Application", "kube-prometheus-stack")
    assert "ServerSideApply=true" in app["spec"]["syncPolicy"]["syncOptions"]
