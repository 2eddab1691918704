"""The restore path: restore and verification Jobs render per environment, validate, refuse a wrong
dump, and stay out of what kubectl or Argo CD apply by default."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from zacatl_infra import naming
from zacatl_infra.k8s import restore

from ..checks.test_kubernetes_schemas import CRDS, crd_schemas, validate_object
from ..conftest import CLOUD_ENVIRONMENT_NAMES, ROOT

KEY = "mongodb/greetings-api/2026/11/29/20261129T030000Z.archive.gz"


@pytest.fixture(scope="module")
def restore_dir(workloads_dir) -> Path:
    """The session's render (synth writes dist/<env>/restore/ next to what is applied)."""
    return workloads_dir


def _restore_folders(restore_dir: Path) -> list[Path]:
    return [p / "restore" for p in sorted(restore_dir.iterdir()) if (p / "restore").is_dir()]


def _objects(folder: Path) -> list[dict]:
    return [d for p in sorted(folder.glob("*.yaml")) for d in yaml.safe_load_all(p.read_text()) if d]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_restore_and_verification_jobs_render_per_backed_up_database(env_name, restore_dir, environments):
    env = environments[env_name]
    files = sorted(p.name for p in (restore_dir / env_name / "restore").glob("*.yaml"))
    expected = sorted(f for s in naming.backed_up_services(env) for f in (f"10-{s.name}-restore.yaml",
                                                                          f"20-{s.name}-verify.yaml"))
    assert files == expected
    for service in naming.backed_up_services(env):
        objects = _objects(restore_dir / env_name / "restore")
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
    assert (restore_dir / "local").is_dir() and not (restore_dir / "local" / "restore").exists()


def test_restore_manifests_are_not_in_what_kubectl_or_argo_apply(workloads):
    # kubectl apply -f dist/<env>/ and Argo CD's directory source (recurse off) read the top folder only.
    for rendered in workloads.values():
        assert not [o for o in rendered.objects if o["kind"] == "Job"
                    and o["metadata"]["name"].endswith(("-db-restore", "-db-verify"))]


@pytest.mark.check
def test_restore_manifests_are_valid_on_every_supported_kubernetes_version(restore_dir, environments):
    crds = crd_schemas(CRDS)
    folders = _restore_folders(restore_dir)
    # One restore path per environment that backs a database up, whatever environments/ holds.
    backed_up = sorted(name for name, env in environments.items() if naming.backed_up_services(env))
    assert backed_up and [f.parent.name for f in folders] == backed_up
    failures = [f"{o['kind']}/{o['metadata']['name']}: {e}" for folder in folders
                for o in _objects(folder) for e in validate_object(o, crds)[1]]
    assert not failures, "\n".join(failures)


@pytest.mark.check
def test_checkov_judged_the_restore_manifests(checkov_reports):
    # The session's one checkov run reads the whole rendered tree, restore/ folders included
    # (tests/checks/test_checkov.py fails on any failed check).
    judged = {c["file_path"] for r in checkov_reports["kubernetes"]
              for c in r["results"].get("passed_checks", []) + r["results"].get("skipped_checks", [])}
    restore_files = {f for f in judged if "/restore/" in f}
    assert any(f.endswith("-restore.yaml") for f in restore_files)
    assert any(f.endswith("-verify.yaml") for f in restore_files)


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
