"""The backup PrometheusRule: valid against the Prometheus Operator's CRD, PromQL that parses, and
series that kube-state-metrics really exports (facts.backups)."""

from __future__ import annotations

import promql_parser
import pytest

from zacatl_infra import naming
from zacatl_infra.facts import backups as facts
from zacatl_infra.k8s.backup_alerts import API_VERSION, KIND

from ..checks.test_kubernetes_schemas import CRDS, crd_schemas, validate_object
from ..conftest import CLOUD_ENVIRONMENT_NAMES, ENVIRONMENT_NAMES


def _rules(rendered) -> dict[str, dict]:
    found = [o for o in rendered.objects if o["kind"] == KIND]
    return {r["alert"]: r for o in found for g in o["spec"]["groups"] for r in g["rules"]}


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_a_rule_exactly_where_a_backup_cronjob_exists(env_name, workloads):
    rendered = workloads[env_name]
    assert bool(rendered.find(KIND)) == bool(rendered.find("CronJob"))


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_failed_and_missing_runs_alert_on_this_environments_cronjobs(env_name, workloads, environments):
    env = environments[env_name]
    rules = _rules(workloads[env_name])
    assert set(rules) == {"DatabaseBackupFailed", "DatabaseBackupMissing", "DatabaseBackupNeverSucceeded"}
    names = [c["metadata"]["name"] for c in workloads[env_name].find("CronJob")]
    for rule in rules.values():
        promql_parser.parse(rule["expr"])  # raises on a syntax error (no promtool on PyPI or npm)
        assert f'namespace="{naming.namespace(env)}"' in rule["expr"]
        assert all(name in rule["expr"] for name in names)
        assert rule["labels"]["severity"] == ("critical" if env.tier == "prod" else "warning")
    assert facts.KSM_JOB_FAILED in rules["DatabaseBackupFailed"]["expr"]
    assert facts.KSM_JOB_OWNER in rules["DatabaseBackupFailed"]["expr"]
    hours = env.database.backup.missing_after_hours
    assert rules["DatabaseBackupMissing"]["expr"].endswith(f"> {hours * 3600}")
    assert facts.KSM_CRONJOB_LAST_SUCCESS in rules["DatabaseBackupMissing"]["expr"]
    assert rules["DatabaseBackupNeverSucceeded"]["for"] == f"{hours}h"


def test_the_parser_rejects_broken_promql():
    with pytest.raises(Exception):
        promql_parser.parse("time( - kube_cronjob_status_last_successful_time")


@pytest.mark.check
def test_rules_validate_against_the_vendored_crd(workloads):
    crds = crd_schemas(CRDS)
    assert (API_VERSION, KIND) in crds
    rules = [o for r in workloads.values() for o in r.find(KIND)]
    assert rules
    for rule in rules:
        how, errors = validate_object(rule, crds)
        assert how == "crd" and not errors, errors
