"""Index creation before a new version serves: the migration Job is an Argo CD PreSync hook.

Argo CD runs a sync in phases, PreSync before Sync, and waves only order objects within a phase
(Argo CD docs, "Sync Phases and Waves", read 2026-11-29): so a PreSync hook runs before every
object of the service, whatever wave those carry.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from zacatl_infra.config import presets
from zacatl_infra.facts import zacatl
from zacatl_infra.k8s import migration
from zacatl_infra.k8s.charts import environment_app

from ..checks.test_kubernetes_schemas import CRDS, crd_schemas, validate_object

SCRIPT = "/app/dist/create-indexes.js"


@pytest.fixture(scope="module")
def objects() -> list[dict]:
    env = presets.environment(
        "staging", name="qa", account="222222222222", region="eu-west-1",
        availability_zones=("eu-west-1a", "eu-west-1b"), domain="qa.example.com",
        services=(presets.zacatl_example_backend("staging", image={"tag": "1.0.0"},
                                                 database={"index_script": SCRIPT}),))
    docs = environment_app(env, Path("/nonexistent")).synth_yaml()
    return [d for d in yaml.safe_load_all(docs) if d]


def _one(objects, kind, name):
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def test_migration_job_is_a_presync_hook_replaced_on_every_sync(objects):
    job = _one(objects, "Job", "greetings-api-db-migrate")
    annotations = job["metadata"]["annotations"]
    assert annotations[migration.HOOK] == "PreSync"
    assert annotations[migration.HOOK_DELETE_POLICY] == "BeforeHookCreation"
    policy = _one(objects, "NetworkPolicy", "greetings-api-db-migrate")["metadata"]["annotations"]
    assert policy[migration.HOOK] == "PreSync"
    # Within PreSync the policy's wave comes first: the Job's pod needs its egress when it starts.
    assert int(policy[migration.SYNC_WAVE]) < int(annotations[migration.SYNC_WAVE])


def test_the_service_itself_syncs_after_the_hook(objects):
    deployment = _one(objects, "Deployment", "greetings-api")
    assert migration.HOOK not in (deployment["metadata"].get("annotations") or {})


def test_the_job_runs_the_index_script_in_the_services_image_with_its_contract(objects):
    job = _one(objects, "Job", "greetings-api-db-migrate")
    deployment = _one(objects, "Deployment", "greetings-api")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    (app,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == app["image"]
    assert container["command"] == [zacatl.RUNTIME_IMAGE.node, SCRIPT]  # no shell in the distroless image
    variables = {e["name"]: e.get("value") for e in container["env"]}
    assert variables[zacatl.APP_ENV.name] == "qa"
    assert zacatl.DATABASE_URL.name in variables
    assert job["spec"]["backoffLimit"] == 0 and job["spec"]["activeDeadlineSeconds"] == migration.DEADLINE_SECONDS


def test_no_index_script_means_no_migration_job(workloads):
    for rendered in workloads.values():
        assert not [o for o in rendered.objects if o["metadata"]["name"].endswith("-db-migrate")]


@pytest.mark.check
def test_migration_objects_are_valid(objects):
    crds = crd_schemas(CRDS)
    hooks = [o for o in objects if o["metadata"]["name"].endswith("-db-migrate")]
    assert len(hooks) == 2
    assert not [e for o in hooks for e in validate_object(o, crds)[1]]
