"""The backup PrometheusRule: valid against the Prometheus Operator's CRD, PromQL that parses, series
that kube-state-metrics really exports (facts.backups), and rendered only where it can be applied."""

from __future__ import annotations

import cdk8s
import promql_parser
import pytest

from zacatl_infra import naming
from zacatl_infra.facts import backups as facts
from zacatl_infra.k8s import backup_alerts
from zacatl_infra.k8s.backup_alerts import API_VERSION, KIND, BackupAlerts

from ..checks.test_kubernetes_schemas import CRDS, crd_schemas, validate_object
from ..conftest import CLOUD_ENVIRONMENT_NAMES, ENVIRONMENT_NAMES


@pytest.fixture(scope="module")
def rules(environments) -> dict[str, dict]:
    """The PrometheusRule of each cloud environment, rendered on its own (see the last test for why)."""
    rendered = {}
    for name in CLOUD_ENVIRONMENT_NAMES:
        env = environments[name]
        chart = cdk8s.Chart(cdk8s.App(), "rules")
        BackupAlerts(chart, "BackupAlerts", env=env, missing_after_hours=env.database.backup.missing_after_hours)
        (rendered[name],) = chart.to_json()
    return rendered


def _alerts(rule: dict) -> dict[str, dict]:
    return {r["alert"]: r for g in rule["spec"]["groups"] for r in g["rules"]}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_failed_and_missing_runs_alert_on_this_environments_cronjobs(env_name, rules, workloads, environments):
    env = environments[env_name]
    alerts = _alerts(rules[env_name])
    assert set(alerts) == {"DatabaseBackupFailed", "DatabaseBackupMissing", "DatabaseBackupNeverSucceeded"}
    names = [c["metadata"]["name"] for c in workloads[env_name].find("CronJob")]
    assert names
    for alert in alerts.values():
        promql_parser.parse(alert["expr"])  # raises on a syntax error (no promtool on PyPI or npm)
        assert f'namespace="{naming.namespace(env)}"' in alert["expr"]
        assert all(name in alert["expr"] for name in names)
        assert alert["labels"]["severity"] == ("critical" if env.tier == "prod" else "warning")
    assert facts.KSM_JOB_FAILED in alerts["DatabaseBackupFailed"]["expr"]
    assert facts.KSM_JOB_OWNER in alerts["DatabaseBackupFailed"]["expr"]
    hours = env.database.backup.missing_after_hours
    assert alerts["DatabaseBackupMissing"]["expr"].endswith(f"> {hours * 3600}")
    assert facts.KSM_CRONJOB_LAST_SUCCESS in alerts["DatabaseBackupMissing"]["expr"]
    assert alerts["DatabaseBackupNeverSucceeded"]["for"] == f"{hours}h"


def test_the_parser_rejects_broken_promql():
    with pytest.raises(Exception):
        promql_parser.parse("time( - kube_cronjob_status_last_successful_time")


@pytest.mark.check
def test_rules_validate_against_the_vendored_crd(rules):
    crds = crd_schemas(CRDS)
    assert (API_VERSION, KIND) in crds
    for rule in rules.values():
        how, errors = validate_object(rule, crds)
        assert how == "crd" and not errors, errors


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_rendered_exactly_where_a_backup_cronjob_exists_and_the_crd_is_installable(env_name, workloads):
    # The monitoring add-on (kube-prometheus-stack, facts/charts.json) installs the CRD.
    assert backup_alerts.rules_installable()
    rendered = workloads[env_name]
    assert bool(rendered.find(KIND, "database-backups")) == bool(rendered.find("CronJob"))


def test_without_a_chart_that_installs_the_crd_no_rule_renders(environments, monkeypatch):
    from pathlib import Path

    import yaml

    from zacatl_infra.k8s import charts

    monkeypatch.setattr(charts, "rules_installable", lambda: False)
    docs = yaml.safe_load_all(charts.environment_app(environments["prod"], Path("/nonexistent")).synth_yaml())
    assert not [d for d in docs if d and d["kind"] == KIND and d["metadata"]["name"] == "database-backups"]


def test_the_rule_renders_last_and_skips_the_dry_run(environments):
    from pathlib import Path

    import yaml

    from zacatl_infra import sync
    from zacatl_infra.k8s import charts

    docs = [d for d in yaml.safe_load_all(charts.environment_app(environments["prod"], Path("/nonexistent")).synth_yaml())
            if d]
    (rule,) = [d for d in docs if d["kind"] == KIND and d["metadata"]["name"] == "database-backups"]
    annotations = rule["metadata"]["annotations"]
    assert int(annotations[sync.WAVE_ANNOTATION]) == backup_alerts.ALERTS_WAVE
    assert backup_alerts.ALERTS_WAVE > max(int((d["metadata"].get("annotations") or {}).get(sync.WAVE_ANNOTATION, 0))
                                           for d in docs if d is not rule)
    assert annotations[sync.SYNC_OPTIONS_ANNOTATION] == sync.SKIP_DRY_RUN
