"""The apply, played offline: every object of dist/<env>/ is either a built-in kind of the cluster's
Kubernetes version or a kind whose CRD a pinned chart installs at an earlier sync wave.

Facts: the kinds each pinned chart installs are in constructs/zacatl_infra/facts/charts.json (read in
each chart at its version, sources there); built-in kinds are those kubernetes-validate has a schema for
at the cluster's version (its bundled OpenAPI of that Kubernetes release). Argo CD's own kinds come from
the argo-cd chart the stack installs before it applies the root Application.
"""

from __future__ import annotations

import copy
import re

import kubernetes_validate
import pytest

from zacatl_infra import facts, sync
from zacatl_infra.k8s.addons.application import EXACT_VERSION

from ..conftest import CLOUD_ENVIRONMENT_NAMES, ENVIRONMENT_NAMES


def _key(obj: dict) -> str:
    return f"{obj['apiVersion'].split('/')[0] if '/' in obj['apiVersion'] else ''}/{obj['kind']}"


def _wave(obj: dict) -> int:
    return int(obj["metadata"].get("annotations", {}).get(sync.WAVE_ANNOTATION, "0"))


def _builtin(obj: dict, version: str) -> bool:
    try:
        kubernetes_validate.validate(obj, version, strict=False)
    except kubernetes_validate.SchemaNotFoundError:
        return False
    except kubernetes_validate.ValidationError:
        pass  # a known kind with a problem: the schema checks report it
    return True


def unresolved(objects: list[dict], kubernetes_version: str) -> list[str]:
    """Objects whose kind neither the cluster nor an earlier-wave Application provides, as messages."""
    charts = facts.load("charts")["charts"]
    # Installed by the stack (cloud/gitops.py) before the root Application exists: wave minus infinity.
    installed = {kind: float("-inf") for kind in charts["argo-cd"]["kinds"]}
    for app in (o for o in objects if o["kind"] == "Application"):
        chart = next(c for c in charts.values() if c["chart"] == app["spec"]["source"]["chart"]
                     and c["repo_url"] == app["spec"]["source"]["repoURL"])
        for kind in chart["kinds"]:
            installed[kind] = min(installed.get(kind, float("inf")), _wave(app))
    problems = []
    for obj in objects:
        if _builtin(obj, kubernetes_version):
            continue
        wave = installed.get(_key(obj))
        if wave is None:
            problems.append(f"{obj['kind']}/{obj['metadata']['name']}: no Application installs {_key(obj)}")
        elif wave >= _wave(obj):
            problems.append(f"{obj['kind']}/{obj['metadata']['name']} (wave {_wave(obj)}): its CRD arrives in wave {wave}")
    return problems


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_every_object_is_builtin_or_installed_by_an_earlier_wave(env_name, workloads, environments):
    objects = workloads[env_name].objects
    assert objects
    assert unresolved(objects, environments[env_name].cluster.kubernetes_version) == []


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_custom_resources_skip_the_dry_run_their_crd_is_not_there_for(env_name, workloads, environments):
    # Argo CD dry-runs every object of a sync first; a kind whose CRD comes in the same sync fails it.
    for obj in workloads[env_name].objects:
        if not _builtin(obj, environments[env_name].cluster.kubernetes_version) and obj["kind"] not in (
                "Application", "AppProject"):
            assert obj["metadata"]["annotations"].get(sync.SYNC_OPTIONS_ANNOTATION) == sync.SKIP_DRY_RUN, obj["kind"]


def test_the_order_check_catches_a_custom_resource_before_its_operator(workloads, environments):
    objects = copy.deepcopy(workloads["dev"].objects)
    store = next(o for o in objects if o["kind"] == "SecretStore")
    store["metadata"].setdefault("annotations", {})[sync.WAVE_ANNOTATION] = str(sync.OPERATORS)
    assert any("SecretStore" in p for p in unresolved(objects, "1.36"))
    without_operator = [o for o in workloads["dev"].objects
                        if not (o["kind"] == "Application" and o["metadata"]["name"] == "external-secrets")]
    assert any("no Application installs external-secrets.io/SecretStore" in p
               for p in unresolved(without_operator, "1.36"))
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    assert unresolved([unknown], "1.36")


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_namespaces_and_projects_come_first_and_workloads_after_the_platform(env_name, workloads):
    waves = {(o["kind"], o["metadata"]["name"]): _wave(o) for o in workloads[env_name].objects}
    # StorageClass: built-in objects an add-on's chart needs (AddOn.manifests) come with the namespaces.
    first_kinds = ("Namespace", "AppProject", "StorageClass")
    first = [w for (kind, _), w in waves.items() if kind in first_kinds]
    operators = [w for (kind, _), w in waves.items() if kind == "Application"]
    rest = [w for (kind, _), w in waves.items() if kind not in (*first_kinds, "Application")]
    assert max(first) < min(operators) < min(rest)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_application_and_helm_release_pins_an_exact_chart_version(env_name, workloads, templates):
    versions = [a["spec"]["source"]["targetRevision"] for a in workloads[env_name].find("Application")]
    versions += [r["Properties"]["Version"] for r in templates[env_name]["Resources"].values()
                 if r["Type"] == "Custom::AWSCDK-EKS-HelmChart"]
    assert versions
    for version in versions:
        assert EXACT_VERSION.match(version) and not re.search(r"[*^~<>]|latest|HEAD", version), version


def test_every_pinned_chart_names_its_source_and_kinds():
    for name, chart in facts.load("charts")["charts"].items():
        assert EXACT_VERSION.match(chart["version"]), name
        assert chart["source"] and isinstance(chart["kinds"], list), name
        assert all(re.match(r"^[a-z0-9.-]+\.[a-z]+/[A-Z][A-Za-z]+$", k) for k in chart["kinds"]), name


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_a_prometheus_rule_of_the_workloads_resolves_through_the_monitoring_addon(env_name, workloads):
    # The backup alerts (issue 12) are a PrometheusRule in the services' wave: its CRD must come from the
    # kube-prometheus-stack Application, which is in an earlier wave, and nothing else.
    from pathlib import Path

    import jsonschema
    import yaml

    rule = {"apiVersion": "monitoring.coreos.com/v1", "kind": "PrometheusRule",
            "metadata": {"name": "probe", "namespace": "zacatl-dev",
                         "annotations": {sync.WAVE_ANNOTATION: str(sync.WORKLOADS)}},
            "spec": {"groups": [{"name": "probe", "rules": [{"alert": "Probe", "expr": "vector(1)"}]}]}}
    crd = yaml.safe_load((Path(__file__).resolve().parents[1] / "crds" / "monitoring.coreos.com" / "prometheusrule.yaml").read_text())
    (served,) = [v for v in crd["spec"]["versions"] if v["served"]]
    jsonschema.Draft7Validator(served["schema"]["openAPIV3Schema"]).validate({k: v for k, v in rule.items() if k != "metadata"})
    objects = workloads[env_name].objects
    version = "1.36"
    assert unresolved([*objects, rule], version) == unresolved(objects, version) == []
    without = [o for o in objects if not (o["kind"] == "Application" and o["metadata"]["name"] == "kube-prometheus-stack")]
    assert any("no Application installs monitoring.coreos.com/PrometheusRule" in p for p in unresolved([*without, rule], version))
