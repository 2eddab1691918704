"""The Kubernetes layer stays cheap to synthesize: jsii round trips per construct and per environment,
and no cdk8s-plus-27 or generated CRD bindings on the synth path.

Each round trip is a request from Python to the Node kernel and back (a process switch), which is
what a loaded machine makes slow; a count, unlike a time, cannot flake under load. The ceilings are
the counts measured when the objects became plain ``cdk8s.ApiObject``s (issue 10, phase 3,
docs/performance.md) with a little headroom; the comments give the cdk8s-plus-27 / generated-binding
figures they replaced (``tests/profile_synth.py``, cdk8s 2.70.115, cdk8s-plus-27 2.9.5).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import cdk8s
import pytest
import yaml

from zacatl_infra import naming, sync
from zacatl_infra.k8s.addons.application import PlatformAddOns
from zacatl_infra.k8s.backup import DatabaseBackup
from zacatl_infra.k8s.backup_alerts import BackupAlerts
from zacatl_infra.k8s.charts import environment_app
from zacatl_infra.k8s.database import InClusterDatabase
from zacatl_infra.k8s.migration import IndexMigration
from zacatl_infra.k8s.namespace import EnvironmentNamespace
from zacatl_infra.k8s.network_policy import NamespaceNetworkPolicies
from zacatl_infra.k8s.restore import DatabaseRestore, DatabaseVerification
from zacatl_infra.k8s.secrets import AwsSecretStore, ServiceExternalSecret
from zacatl_infra.k8s.service import ZacatlService
from zacatl_infra.k8s.service_account import PlatformServiceAccounts

#: Every kind of request the Python side sends to the kernel (jsii ProcessProvider methods).
_REQUESTS = ("create", "get", "set", "sget", "sset", "invoke", "sinvoke", "begin", "sbegin", "end",
             "callbacks", "complete", "load", "delete")


@contextmanager
def _counting(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    from jsii._kernel.providers.process import ProcessProvider

    trips: list[str] = []
    with monkeypatch.context() as patch:
        for name in _REQUESTS:
            original = getattr(ProcessProvider, name, None)
            if original is not None:
                patch.setattr(ProcessProvider, name, lambda self, *a, __o=original, __n=name, **k: (
                    trips.append(__n), __o(self, *a, **k))[1])
        yield trips


def _chart() -> cdk8s.Chart:
    return cdk8s.Chart(cdk8s.App(), "c", disable_resource_name_hashes=True)


#: name -> (ceiling, what it cost before, how to build it in ``scope`` with id ``id_`` from the environments).
#: dev: in-cluster MongoDB with its gp3 StorageClass and root ExternalSecret, a backed-up service.
CONSTRUCTS: dict[str, tuple[int, str, Callable]] = {
    # StorageClass (7: one patch per top-level field), ExternalSecret, Service, StatefulSet, NetworkPolicy.
    "InClusterDatabase": (22, "plus: 55", lambda s, i, e: InClusterDatabase(s, i, env=e["dev"])),
    "DatabaseBackup": (9, "plus: 55", lambda s, i, e: DatabaseBackup(s, i, env=e["dev"], service=e["dev"].services[0])),
    "DatabaseRestore": (9, "plus: 55", lambda s, i, e: DatabaseRestore(s, i, env=e["dev"], service=e["dev"].services[0])),
    "DatabaseVerification": (9, "plus: 33",
                             lambda s, i, e: DatabaseVerification(s, i, env=e["dev"], service=e["dev"].services[0])),
    "EnvironmentNamespace": (4, "plus: 2", lambda s, i, e: EnvironmentNamespace(s, i, env=e["dev"])),
    "AwsSecretStore": (4, "generated binding: 2", lambda s, i, e: AwsSecretStore(s, i, env=e["dev"])),
    "ServiceExternalSecret": (4, "generated binding: 2",
                              lambda s, i, e: ServiceExternalSecret(s, i, env=e["dev"], spec=e["dev"].services[0])),
    "PlatformServiceAccounts": (7, "plus: 3", lambda s, i, e: PlatformServiceAccounts(s, i, env=e["dev"])),
    "NamespaceNetworkPolicies": (7, "plus: 9", lambda s, i, e: NamespaceNetworkPolicies(s, i, env=e["dev"])),
    "BackupAlerts": (4, "4", lambda s, i, e: BackupAlerts(s, i, env=e["dev"], missing_after_hours=25)),
    "PlatformAddOns": (30, "33", lambda s, i, e: PlatformAddOns(s, i, env=e["dev"])),
}


@pytest.mark.parametrize("name", sorted(CONSTRUCTS))
def test_each_platform_construct_costs_few_round_trips(name, environments, monkeypatch):
    ceiling, _, build = CONSTRUCTS[name]
    chart = _chart()
    build(chart, "warm-up", environments)  # the kernel loads what the first instance touches
    with _counting(monkeypatch) as trips:
        build(chart, "measured", environments)
    assert 1 < len(trips) <= ceiling, trips


def test_the_index_migration_costs_few_round_trips(monkeypatch):
    # Not in a committed environment: a staging service with an index script (as tests/k8s/test_migration.py).
    from zacatl_infra.config import presets

    from ..day1 import day1

    env = presets.environment(
        "staging", name="qa", account="222222222222", region="eu-west-1",
        availability_zones=("eu-west-1a", "eu-west-1b"), domain="qa.example.com", **day1("222222222222"),
        services=(presets.zacatl_example_backend("staging", image={"tag": "1.0.0"},
                                                 database={"index_script": "/app/dist/create-indexes.js"}),))
    chart = _chart()
    IndexMigration(chart, "warm-up", env=env, spec=env.services[0])
    with _counting(monkeypatch) as trips:
        IndexMigration(chart, "measured", env=env, spec=env.services[0])
    # plus: 36 (an EnvValue per variable, a peer per rule).
    assert 1 < len(trips) <= 9, trips


#: Round trips of ``environment_app``, every chart and the sync-wave pass included (YAML rendering is
#: one more). dev runs MongoDB in the cluster, prod uses Atlas; staging costs what prod does, local
#: less than either. With cdk8s-plus: dev 279, prod 218 (staging 218, local 128); now 131 and 110
#: (110, 59).
ENVIRONMENT_CEILINGS = {"dev": 136, "prod": 115}


@pytest.mark.parametrize("env_name", sorted(ENVIRONMENT_CEILINGS))
def test_an_environment_costs_few_round_trips(env_name, environments, monkeypatch, tmp_path: Path):
    with _counting(monkeypatch) as trips:
        app = environment_app(environments[env_name], tmp_path / env_name)
    assert 10 < len(trips) <= ENVIRONMENT_CEILINGS[env_name], len(trips)
    charts = app.charts
    # The only property reads left are each chart's node: the sync-wave pass read every object's
    # apiVersion and kind from the kernel (38-88 reads with cdk8s-plus), and the metadata of each object
    # it annotated; the library's objects now carry their annotations from construction.
    assert trips.count("get") <= len(charts), trips
    # Every committed environment runs or backs up a database: the chart the count includes is there.
    assert "15-database" in [chart.node.id for chart in charts]


def test_an_object_of_a_subclass_still_gets_its_sync_annotations(environments, tmp_path: Path):
    # A service repository's subclass may add objects of its own, not created with the annotations:
    # the sync-wave pass still gives them theirs.
    class WithExtraSecret(ZacatlService):
        def add_network_policy(self):
            cdk8s.ApiObject(self, "Extra", api_version="external-secrets.io/v1", kind="ExternalSecret",
                            metadata=cdk8s.ApiObjectMetadata(name="extra"))
            return super().add_network_policy()

    app = environment_app(environments["staging"], tmp_path, service_class=WithExtraSecret)
    docs = [d for d in yaml.safe_load_all(app.synth_yaml()) if d]
    (extra,) = [d for d in docs if d["metadata"]["name"] == "extra"]
    assert extra["metadata"]["annotations"] == {sync.SYNC_OPTIONS_ANNOTATION: sync.SKIP_DRY_RUN}
    (namespace,) = [d for d in docs if d["kind"] == "Namespace"]
    assert namespace["metadata"]["annotations"] == {sync.WAVE_ANNOTATION: str(sync.NAMESPACES)}


#: What the workload layer no longer loads: cdk8s-plus-27 (about 150-300 ms to import, its jsii
#: assembly included) and the generated External Secrets bindings (about 70-170 ms).
NOT_ON_THE_SYNTH_PATH = ("cdk8s_plus_27", "zacatl_infra.imports")


def test_the_workload_layer_loads_neither_cdk8s_plus_nor_generated_bindings(cdk8s_cli):
    # The session's `cdk8s synth` run (tests/jobs.py), whose import-time log names every module it loaded.
    outdir = cdk8s_cli.check()
    assert list(outdir.glob("*/15-database.yaml")), "no database chart rendered: the test proves nothing"
    modules = {line.rsplit("|", 1)[1].strip() for line in cdk8s_cli.result.stderr.splitlines()
               if line.startswith("import time:") and "|" in line}
    assert {"zacatl_infra.k8s.database", "zacatl_infra.k8s.restore", "cdk8s"} <= modules, sorted(modules)[:20]
    loaded = sorted(m for m in modules if m.startswith(NOT_ON_THE_SYNTH_PATH))
    assert not loaded, f"`cdk8s synth` loaded {loaded}"


def test_an_environment_without_a_database_renders_no_database_chart(tmp_path: Path):
    # environment_app asks DatabaseChart.renders_anything first instead of building and removing an empty chart.
    from zacatl_infra.config import presets

    from ..day1 import day1

    env = presets.environment(
        "staging", name="qa", account="222222222222", region="eu-west-1",
        availability_zones=("eu-west-1a", "eu-west-1b"), domain="qa.example.com", **day1("222222222222"),
        services=(presets.zacatl_example_backend("staging", image={"tag": "1.0.0"}, database=None),))
    assert not naming.backed_up_services(env)
    ids = [chart.node.id for chart in environment_app(env, tmp_path).charts]
    assert ids == ["00-namespace", "10-platform", "20-greetings-api"], ids
