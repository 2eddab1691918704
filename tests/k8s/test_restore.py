"""The restore path: restore and verification Jobs render per environment, validate, refuse a wrong
dump, and stay out of what kubectl or Argo CD apply by default."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
import yaml

from zacatl_infra import naming
from zacatl_infra.k8s import restore

from ..checks.test_checkov import CHECKOV
from ..checks.test_kubernetes_schemas import CRDS, crd_schemas, validate_object
from ..conftest import CLOUD_ENVIRONMENT_NAMES, ROOT

KEY = "mongodb/greetings-api/2026/11/29/20261129T030000Z.archive.gz"


@pytest.fixture(scope="module")
def restore_dir(environments, tmp_path_factory) -> Path:
    outdir = tmp_path_factory.mktemp("restore")
    for env in environments.values():
        restore.render_restore(env, outdir / env.name)
    return outdir


def _objects(folder: Path) -> list[dict]:
    return [d for p in sorted(folder.glob("*.yaml")) for d in yaml.safe_load_all(p.read_text()) if d]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_restore_and_verification_jobs_render_per_backed_up_database(env_name, restore_dir, environments):
    env = environments[env_name]
    files = sorted(p.name for p in (restore_dir / env_name).glob("*.yaml"))
    expected = sorted(f for s in naming.backed_up_services(env) for f in (f"10-{s.name}-restore.yaml",
                                                                          f"20-{s.name}-verify.yaml"))
    assert files == expected
    for service in naming.backed_up_services(env):
        objects = _objects(restore_dir / env_name)
        job = next(o for o in objects if o["kind"] == "Job" and o["metadata"]["name"] == f"{service.name}-db-restore")
        pod = job["spec"]["template"]["spec"]
        assert pod["serviceAccountName"] == naming.RESTORE_SERVICE_ACCOUNT
        (download,) = pod["initContainers"]
        assert {"name": "BACKUP_KEY", "value": restore.UNSET_BACKUP} in download["env"]
        (mongorestore,) = pod["containers"]
        assert mongorestore["command"][0] == "mongorestore" and "--drop" in mongorestore["command"]
        assert f"--nsInclude={service.database.name}.*" in mongorestore["command"]
        # Restore within the four-hour RTO, leaving time to verify and switch back.
        assert job["spec"]["activeDeadlineSeconds"] <= 3 * 3600 and job["spec"]["backoffLimit"] == 0
        verify = next(o for o in objects if o["kind"] == "Job" and o["metadata"]["name"] == f"{service.name}-db-verify")
        script = verify["spec"]["template"]["spec"]["containers"][0]["command"]
        assert script[0] == "mongosh" and "countDocuments" in script[-1] and "quit(1)" in script[-1]


def test_local_has_no_restore_folder_because_it_has_no_bucket(restore_dir):
    assert not (restore_dir / "local").exists()


def test_restore_manifests_are_not_in_what_kubectl_or_argo_apply(workloads):
    # kubectl apply -f dist/<env>/ and Argo CD's directory source (recurse off) read the top folder only.
    for rendered in workloads.values():
        assert not [o for o in rendered.objects if o["kind"] == "Job"
                    and o["metadata"]["name"].endswith(("-db-restore", "-db-verify"))]


@pytest.mark.check
def test_restore_manifests_are_valid_on_every_supported_kubernetes_version(restore_dir):
    crds = crd_schemas(CRDS)
    failures = [f"{o['kind']}/{o['metadata']['name']}: {e}" for env in restore_dir.iterdir()
                for o in _objects(env) for e in validate_object(o, crds)[1]]
    assert not failures, "\n".join(failures)


@pytest.mark.check
def test_checkov_passes_the_restore_manifests(restore_dir):
    result = subprocess.run(
        [str(CHECKOV), "-d", str(restore_dir), "--framework", "kubernetes", "--skip-download", "--quiet",
         "--compact", "-o", "json"],
        env={**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"}, capture_output=True, text=True, timeout=600)
    report = json.loads(result.stdout)
    reports = report if isinstance(report, list) else [report]
    failed = [f"{c['check_id']} {c['resource']}" for r in reports for c in r["results"].get("failed_checks", [])]
    assert not failed, "\n".join(failed)
    assert sum(r["summary"]["passed"] for r in reports) > 0


def test_the_download_refuses_anything_but_a_dump_of_its_service(environments):
    service = environments["prod"].service("greetings-api")
    script = restore.download_script(service)
    for key, code in ((KEY, 0), (restore.UNSET_BACKUP, 2), ("mongodb/other-api/x.archive.gz", 2),
                      ("mongodb/greetings-api/../../etc/passwd", 2)):
        # Run only the key check of the script (the part before the download) with a real bash.
        check = script.split("aws s3 cp")[0]
        result = subprocess.run(["bash", "-euo", "pipefail", "-c", check], env={"BACKUP_KEY": key},
                                capture_output=True, text=True)
        assert result.returncode == code, (key, result.stderr)


def test_make_restore_manifest_fills_in_the_key_and_refuses_a_wrong_one(capsys):
    assert restore.main(["prod", KEY], ROOT) == 0
    objects = [d for d in yaml.safe_load_all(capsys.readouterr().out) if d]
    job = next(o for o in objects if o["metadata"]["name"] == "greetings-api-db-restore")
    assert {"name": "BACKUP_KEY", "value": KEY} in job["spec"]["template"]["spec"]["initContainers"][0]["env"]
    assert [o["kind"] for o in objects] == ["Job", "NetworkPolicy", "Job", "NetworkPolicy"]
    assert restore.main(["prod", "mongodb/other/x.archive.gz"], ROOT) == 2
    assert "is not a dump key of 'prod'" in capsys.readouterr().err
    assert restore.main(["local", KEY], ROOT) == 2
    assert restore.main(["prod"], ROOT) == 2
