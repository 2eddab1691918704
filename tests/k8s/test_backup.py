"""The backup CronJob of every backed-up database: schedule, deadlines, history, security, network."""

from __future__ import annotations

from datetime import timedelta

import pytest

from zacatl_infra import naming
from zacatl_infra.facts import backups as facts
from zacatl_infra.k8s import backup
from zacatl_infra.k8s.database import DATABASE_LABELS

from ..conftest import CLOUD_ENVIRONMENT_NAMES, ENVIRONMENT_NAMES


def _cron_jobs(workloads, env_name):
    return workloads[env_name].find("CronJob")


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_one_cronjob_per_backed_up_database_and_none_without_a_bucket(env_name, workloads, environments):
    env = environments[env_name]
    names = sorted(c["metadata"]["name"] for c in _cron_jobs(workloads, env_name))
    assert names == sorted(naming.backup_cronjob_name(s) for s in naming.backed_up_services(env))
    assert bool(names) == (not env.is_local)  # local has no bucket to write to


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_schedule_time_zone_concurrency_deadlines_and_history(env_name, workloads, environments):
    env = environments[env_name]
    for cron_job in _cron_jobs(workloads, env_name):
        spec = cron_job["spec"]
        assert spec["schedule"] == env.database.backup.schedule
        assert spec["timeZone"] == env.database.backup.time_zone
        assert spec["concurrencyPolicy"] == "Forbid"
        assert spec["startingDeadlineSeconds"] == backup.STARTING_DEADLINE_SECONDS
        assert (spec["successfulJobsHistoryLimit"], spec["failedJobsHistoryLimit"]) == (3, 3)
        job = spec["jobTemplate"]["spec"]
        assert job["backoffLimit"] == 1
        # A run ends before the next is due: with Forbid, a stuck run would otherwise skip it.
        deadline = timedelta(seconds=job["activeDeadlineSeconds"])
        assert deadline < env.database.backup.longest_gap
        assert deadline <= timedelta(hours=6)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_dump_runs_first_and_the_upload_only_after_it_succeeded(env_name, workloads, environments):
    env = environments[env_name]
    for cron_job in _cron_jobs(workloads, env_name):
        pod = cron_job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        service = next(s for s in env.services if naming.backup_cronjob_name(s) == cron_job["metadata"]["name"])
        (dump,) = pod["initContainers"]
        (upload,) = pod["containers"]
        assert dump["image"] == facts.MONGO_IMAGE and upload["image"] == facts.AWS_CLI_IMAGE
        assert dump["command"][0] == "mongodump"
        assert {"--archive=/dump/archive.gz", "--gzip", f"--db={service.database.name}"} <= set(dump["command"])
        assert f"--uri=$({service.database.connection_secret.env_var})" in dump["command"]
        (uri,) = [e for e in dump["env"] if e["name"] == service.database.connection_secret.env_var]
        assert uri["valueFrom"]["secretKeyRef"] == {"name": naming.kubernetes_secret_name(service),
                                                    "key": service.database.connection_secret.key}
        script = upload["command"][-1]
        assert f'key="{naming.backup_key_prefix(service)}$(date -u +%Y/%m/%d/' in script
        assert '"s3://${BACKUP_BUCKET}/${key}"' in script
        assert {"name": "BACKUP_BUCKET", "value": naming.backup_bucket_name(env)} in upload["env"]
        assert pod["restartPolicy"] == "Never"
        assert pod["serviceAccountName"] == naming.BACKUP_SERVICE_ACCOUNT
        assert pod["automountServiceAccountToken"] is False
        scratch = next(v for v in pod["volumes"] if v["name"] == "dump")
        assert "sizeLimit" in scratch["emptyDir"]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_backup_pods_meet_the_restricted_pod_security_standard(env_name, workloads):
    for cron_job in _cron_jobs(workloads, env_name):
        pod = cron_job["spec"]["jobTemplate"]["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for container in pod["containers"] + pod["initContainers"]:
            context = container["securityContext"]
            assert context["allowPrivilegeEscalation"] is False and context["readOnlyRootFilesystem"] is True
            assert context["capabilities"] == {"drop": ["ALL"]} and context["runAsUser"] > 10000
            assert set(container["resources"]["limits"]) == {"cpu", "memory"}
            assert set(container["resources"]["requests"]) == {"cpu", "memory"}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_backup_egress_is_the_database_the_pod_identity_agent_and_https(env_name, workloads, environments):
    env = environments[env_name]
    for cron_job in _cron_jobs(workloads, env_name):
        policy = workloads[env_name].one("NetworkPolicy", cron_job["metadata"]["name"])["spec"]
        pod_labels = cron_job["spec"]["jobTemplate"]["spec"]["template"]["metadata"]["labels"]
        assert policy["podSelector"]["matchLabels"].items() <= pod_labels.items()
        assert "ingress" not in policy and set(policy["policyTypes"]) == {"Ingress", "Egress"}
        ports = {(p["port"], p.get("endPort")) for rule in policy["egress"] for p in rule["ports"]}
        assert (80, None) in ports and (443, None) in ports
        if env.database.kind == "in_cluster":
            assert {"podSelector": {"matchLabels": DATABASE_LABELS}} in [p for r in policy["egress"] for p in r["to"]]
        else:
            assert (1024, 65535) in ports
