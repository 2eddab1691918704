"""Platform add-ons rendered as Argo CD objects: pinned charts, values from the typed model and naming."""

from __future__ import annotations

import dataclasses

import pytest

from zacatl_infra import naming, sync
from zacatl_infra.k8s.addons import platform_addons
from zacatl_infra.k8s.addons.application import EXACT_VERSION, application_spec

from ...conftest import CLOUD_ENVIRONMENT_NAMES

EXPECTED = {"external-secrets", "aws-load-balancer-controller", "external-dns", "cluster-autoscaler", "reloader",
            "kube-prometheus-stack"}


def _values(workloads, env_name: str, name: str) -> dict:
    return workloads[env_name].one("Application", name)["spec"]["source"]["helm"]["valuesObject"]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_addon_has_one_application_in_the_platform_project(env_name, workloads):
    apps = {a["metadata"]["name"]: a for a in workloads[env_name].find("Application")}
    assert set(apps) == EXPECTED
    for app in apps.values():
        assert app["spec"]["project"] == naming.PLATFORM_PROJECT
        assert app["metadata"]["annotations"][sync.WAVE_ANNOTATION] == str(sync.OPERATORS)
    project = workloads[env_name].one("AppProject", naming.PLATFORM_PROJECT)
    assert set(project["spec"]["sourceRepos"]) == {a["spec"]["source"]["repoURL"] for a in apps.values()}
    assert {d["namespace"] for d in project["spec"]["destinations"]} == {
        a["spec"]["destination"]["namespace"] for a in apps.values()}


def test_local_gets_no_platform_addons(workloads, environments):
    # local has no AWS layer: no Pod Identity, no ALB, no Route 53; a laptop cluster brings its own ingress-nginx.
    assert platform_addons(environments["local"]) == ()
    assert not workloads["local"].find("Application") and not workloads["local"].find("AppProject")


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_load_balancer_controller_values_come_from_the_model(env_name, workloads, environments):
    env = environments[env_name]
    values = _values(workloads, env_name, "aws-load-balancer-controller")
    assert values["clusterName"] == naming.cluster_name(env) and values["region"] == env.region
    # No VPC id at synth (no lookups) and no instance metadata: the VPC is found by the stack's tags.
    assert values["vpcTags"] == naming.stack_tags(env) and "vpcId" not in values
    assert (values["enableWaf"], values["enableWafv2"], values["enableShield"]) == (False, False, False)
    assert values["serviceAccount"]["name"] == naming.LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT[1]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_external_dns_is_limited_to_the_environments_zone(env_name, workloads, environments):
    env = environments[env_name]
    values = _values(workloads, env_name, "external-dns")
    assert values["domainFilters"] == [env.domain]
    assert f"--zone-id-filter={env.dns.hosted_zone_id}" in values["extraArgs"]
    assert values["txtOwnerId"] == naming.cluster_name(env) and values["policy"] in ("sync", "upsert-only")


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_cluster_autoscaler_discovers_this_clusters_node_groups(env_name, workloads, environments):
    env = environments[env_name]
    values = _values(workloads, env_name, "cluster-autoscaler")
    assert values["autoDiscovery"]["clusterName"] == naming.cluster_name(env)
    assert values["awsRegion"] == env.region
    assert values["extraArgs"]["scale-down-unneeded-time"] == f"{env.node_autoscaling.scale_down_unneeded_minutes}m"


def test_cluster_autoscaler_is_left_out_when_node_autoscaling_is_off(environments):
    env = environments["dev"].model_copy(update={
        "node_autoscaling": environments["dev"].node_autoscaling.model_copy(update={"enabled": False})})
    assert "cluster-autoscaler" not in {a.name for a in platform_addons(env)}
    assert "cluster-autoscaler" not in {i.purpose for i in naming.workload_identities(env)}


@pytest.mark.parametrize("version", ["*", "latest", "HEAD", "^1.2.0", "~1.2", ">=1.0.0", "1.2", "1.x", ""])
def test_fails_on_an_unpinned_chart_version(version, environments):
    env = environments["dev"]
    addon = platform_addons(env)[0]

    class Unpinned(type(addon)):
        @property
        def chart(self) -> dict:
            return {**super().chart, "version": version}

    unpinned = Unpinned(**{f.name: getattr(addon, f.name) for f in dataclasses.fields(addon)})
    with pytest.raises(ValueError, match=rf"environment 'dev', add-on '{addon.name}': chart version .* is not an exact"):
        application_spec(env, unpinned)


@pytest.mark.parametrize("version", ["1.2.3", "v3.4.4", "10.1.1", "1.0.0-rc.1"])
def test_exact_versions_are_accepted(version):
    assert EXACT_VERSION.match(version)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_prod_applications_sync_by_hand(env_name, workloads, environments):
    for app in workloads[env_name].find("Application"):
        policy = app["spec"]["syncPolicy"]
        assert ("automated" in policy) is (environments[env_name].tier != "prod")
        assert policy["retry"]["limit"] > 0


#: values.schema.json of charts that ship one (Helm refuses values that fail it, so the sync would fail);
#: sources in tests/data/README.md. The other pinned charts ship no values schema at their version.
VALUES_SCHEMAS = {"external-dns": "external-dns-1.21.1-values.schema.json",
                  "reloader": "reloader-2.2.16-values.schema.json"}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
@pytest.mark.parametrize("addon_name", sorted(VALUES_SCHEMAS))
def test_rendered_values_pass_the_charts_own_values_schema(env_name, addon_name, workloads):
    import json
    from pathlib import Path

    import jsonschema

    from zacatl_infra import facts

    schema_file = Path(__file__).resolve().parents[2] / "data" / VALUES_SCHEMAS[addon_name]
    app = workloads[env_name].one("Application", addon_name)
    version = facts.load("charts")["charts"][addon_name]["version"]
    assert version in schema_file.name and app["spec"]["source"]["targetRevision"] == version
    schema = json.loads(schema_file.read_text())
    errors = [e.message for e in jsonschema.Draft7Validator(schema).iter_errors(app["spec"]["source"]["helm"]["valuesObject"])]
    assert errors == []


def test_the_values_schema_check_rejects_a_bad_value(workloads):
    import json
    from pathlib import Path

    import jsonschema

    schema = json.loads((Path(__file__).resolve().parents[2] / "data" / VALUES_SCHEMAS["external-dns"]).read_text())
    values = {**workloads["dev"].one("Application", "external-dns")["spec"]["source"]["helm"]["valuesObject"],
              "policy": "delete-everything"}
    assert list(jsonschema.Draft7Validator(schema).iter_errors(values))
