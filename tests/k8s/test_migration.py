"""Index creation before a new version serves: the migration Job is an Argo CD Sync hook ordered by waves.

Argo CD applies a phase's objects wave by wave and waits for each wave to be healthy (a hook Job:
completed) before the next (Argo CD docs, "Sync Phases and Waves", read 2026-11-29). So the Job
runs after the service's ExternalSecret (its connection string) and before the new Deployment.
"""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from zacatl_infra import sync
from zacatl_infra.config import presets
from zacatl_infra.facts import zacatl
from zacatl_infra.k8s import migration
from zacatl_infra.k8s.charts import environment_app

from ..checks.test_kubernetes_schemas import CRDS, crd_schemas, validate_object
from ..day1 import day1

SCRIPT = "/app/dist/create-indexes.js"


@pytest.fixture(scope="module")
def objects() -> list[dict]:
    env = presets.environment(
        "staging", name="qa", account="222222222222", region="eu-west-1",
        availability_zones=("eu-west-1a", "eu-west-1b"), domain="qa.example.com", **day1("222222222222"),
        services=(presets.zacatl_example_backend("staging", image={"tag": "1.0.0"},
                                                 database={"index_script": SCRIPT}),))
    docs = environment_app(env, Path("/nonexistent")).synth_yaml()
    return [d for d in yaml.safe_load_all(docs) if d]


def _one(objects, kind, name):
    (found,) = [o for o in objects if o["kind"] == kind and o["metadata"]["name"] == name]
    return found


def _wave(obj: dict) -> int:
    return int((obj["metadata"].get("annotations") or {}).get(sync.WAVE_ANNOTATION, "0"))


def test_migration_job_is_a_sync_hook_replaced_on_every_sync(objects):
    job = _one(objects, "Job", "greetings-api-db-migrate")
    annotations = job["metadata"]["annotations"]
    assert annotations[migration.HOOK] == "Sync"
    assert annotations[migration.HOOK_DELETE_POLICY] == "BeforeHookCreation"
    policy = _one(objects, "NetworkPolicy", "greetings-api-db-migrate")
    assert policy["metadata"]["annotations"][migration.HOOK] == "Sync"
    # The policy is in place before the Job's pod starts.
    assert _wave(policy) < _wave(job)


def test_the_job_runs_after_its_secret_and_before_the_new_deployment(objects):
    job = _one(objects, "Job", "greetings-api-db-migrate")
    external_secret = _one(objects, "ExternalSecret", "greetings-api-secrets")
    deployment = _one(objects, "Deployment", "greetings-api")
    assert _wave(external_secret) < _wave(job) < _wave(deployment)
    # And after every add-on (External Secrets' controller included) and the namespace.
    assert all(_wave(o) < _wave(job) for o in objects if o["kind"] in ("Namespace", "Application", "AppProject"))
    assert migration.HOOK not in (deployment["metadata"].get("annotations") or {})


def test_the_job_runs_the_index_script_in_the_services_image_with_its_contract(objects):
    job = _one(objects, "Job", "greetings-api-db-migrate")
    deployment = _one(objects, "Deployment", "greetings-api")
    (container,) = job["spec"]["template"]["spec"]["containers"]
    (app,) = deployment["spec"]["template"]["spec"]["containers"]
    assert container["image"] == app["image"]
    assert container["command"] == [zacatl.RUNTIME_IMAGE.node, SCRIPT]  # no shell in the distroless image
    variables = {e["name"]: e.get("value") for e in container["env"]}
    # The same contract as the Deployment it prepares: a staging-tier "qa" runs as APP_ENV=staging
    # (runtime.app_env), so the index mode the script sees is the one the service boots with.
    app_variables = {e["name"]: e.get("value") for e in app["env"]}
    assert variables[zacatl.APP_ENV.name] == app_variables[zacatl.APP_ENV.name] == "staging"
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
