"""Backups that run: one CronJob per backed-up database, dumping it into the environment's bucket.

Each run is one pod: an init container (the official ``mongo`` image) writes ``mongodump
--archive --gzip`` of the service's database to a size-limited scratch volume; only when the dump
exited 0 does the main container (``amazon/aws-cli``) upload it to ``s3://<bucket>/mongodb/<service>/
YYYY/MM/DD/<UTC time>.archive.gz`` as the ServiceAccount ``naming.BACKUP_SERVICE_ACCOUNT``, whose
role (EKS Pod Identity, ``cloud/identity.py``) may only put under that prefix. Streaming the dump
straight into ``aws s3 cp -`` would need no scratch space, but a dump that fails half way would
still complete the upload and count as a fresh backup for the missing-backup alarm; the two-step
pod uploads only whole dumps.

The CronJob and its NetworkPolicy are plain ``cdk8s.ApiObject``s (``raw_fields.PlainApiObject``,
bodies from ``hardening``), not cdk8s-plus-27's: one per backed-up service per environment, and
plus took 59 jsii round trips for them (a construct per volume, variable and peer) where they now
take 8, with byte-identical YAML (docs/performance.md, phase 3).
"""

from __future__ import annotations

from datetime import timedelta
from functools import cache

import cdk8s
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig, ServiceSpec
from ..config.database import five_fields
from ..config.quantity import memory_bytes
from ..facts import backups as facts
from ..facts import eks_pod_identity
from .database import DATABASE_CLIENT_LABEL, database_egress_rules
from .hardening import (
    RUN_AS_USER, SECRET_ENV_SKIP, THIRD_PARTY_IMAGE_SKIPS, TMP_MEBIBYTES, container, empty_dir, mount, pod_spec,
    resources, secret_value, value, workload_spec,
)
from .labels import environment_labels
from .network_policy import AWS_API_PORT, ip_block, public_internet, tcp, workload_policy
from .raw_fields import PlainApiObject, sorted_with

#: Scratch volume the dump is written to, then read from by the upload.
DUMP_PATH = "/dump"
DUMP_FILE = f"{DUMP_PATH}/archive.gz"
#: A Job that has not started within 10 minutes of its schedule is skipped (and counted as missed),
#: not started late on top of the next one.
STARTING_DEADLINE_SECONDS = 600
#: Finished Jobs kept for `kubectl logs` and for the alert rule's failed-Job series.
SUCCESSFUL_JOBS_KEPT = 3
FAILED_JOBS_KEPT = 3
#: One retry: a transient network error gets a second chance; a broken dump fails fast.
BACKOFF_LIMIT = 1
#: The largest share of the interval between two runs one run may take: the deadline ends a
#: stuck dump before the next run is due (concurrencyPolicy Forbid would otherwise skip it).
RUN_SHARE_OF_INTERVAL = 0.8
#: No run needs more than six hours; a daily schedule gets that, an hourly one 48 minutes.
MAX_RUN_SECONDS = 6 * 3600


def active_deadline_seconds(env: EnvironmentConfig) -> int:
    """Seconds one backup Job may run: 80 % of the shortest interval between runs, at most six hours."""
    interval = _shortest_gap(env.database.backup.schedule, env.database.backup.time_zone)
    return int(min(MAX_RUN_SECONDS, interval.total_seconds() * RUN_SHARE_OF_INTERVAL))


@cache  # one walk per schedule, not one per backed-up service
def _shortest_gap(schedule: str, time_zone: str) -> timedelta:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cronsim import CronSim

    runs = CronSim(five_fields(schedule), datetime(2026, 1, 1, tzinfo=ZoneInfo(time_zone)))
    times = [next(runs) for _ in range(200)]
    return min(b - a for a, b in zip(times, times[1:]))


def upload_script(service: ServiceSpec) -> str:
    """The upload container's bash: a dated key under ``naming.backup_key_prefix(service)``."""
    prefix = naming.backup_key_prefix(service)
    return (
        'key="' + prefix + '$(date -u +%Y/%m/%d/%Y%m%dT%H%M%SZ).archive.gz"\n'
        f'aws s3 cp {DUMP_FILE} "s3://${{BACKUP_BUCKET}}/${{key}}" --only-show-errors\n'
        'echo "uploaded s3://${BACKUP_BUCKET}/${key}"\n'
    )


def job_labels(env: EnvironmentConfig, service: ServiceSpec, component: str) -> dict[str, str]:
    """Labels of a platform database job of ``service``: ``component`` is backup, restore, verify or migrate."""
    return {**environment_labels(env), "app.kubernetes.io/name": f"{service.name}-db-{component}",
            "app.kubernetes.io/instance": service.name, "app.kubernetes.io/component": f"database-{component}",
            DATABASE_CLIENT_LABEL: "true"}


def aws_client_egress(env: EnvironmentConfig) -> list[dict]:
    """Egress rules an AWS API client needs: the Pod Identity agent (port 80, both families) and HTTPS
    to the VPC (interface endpoints) and the internet (S3's regional endpoint and gateway prefixes)."""
    agent = [tcp(eks_pod_identity.AGENT_PORT)]
    https = [tcp(AWS_API_PORT)]
    return [{"ports": agent, "to": [ip_block(f"{eks_pod_identity.AGENT_IPV4}/32")]},
            {"ports": agent, "to": [ip_block(f"{eks_pod_identity.AGENT_IPV6}/128")]},
            {"ports": https, "to": [ip_block(env.network.vpc_cidr)]},
            {"ports": https, "to": [public_internet()]}]


class DatabaseBackup(Construct):
    """CronJob ``naming.backup_cronjob_name(service)`` and its NetworkPolicy.

    - ``schedule`` and ``timeZone`` from ``env.database.backup``; ``concurrencyPolicy: Forbid``;
      ``startingDeadlineSeconds`` 600; 3 successful and 3 failed Jobs kept; ``backoffLimit`` 1;
      ``activeDeadlineSeconds`` from ``active_deadline_seconds`` (before the next run is due).
    - Restricted Pod Security: non-root (``hardening.RUN_AS_USER``), read-only root
      filesystem, no capabilities, RuntimeDefault seccomp, no API token.
    - The dump reads the service's own connection string (``spec.database.connection_secret`` from
      the service's Secret), so it sees exactly the database the service uses.
    - Egress: the database (``database_egress``), the Pod Identity agent and AWS APIs on 443.
    Raises ValueError for ``local`` (no bucket) or a service without ``database.backup``.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, service: ServiceSpec) -> None:
        super().__init__(scope, id_)
        if service not in naming.backed_up_services(env):
            raise ValueError(f"environment {env.name!r}, service {service.name!r}: nothing to back up "
                             "(allowed: a service with database.backup in an AWS tier, which has a bucket)")
        assert service.database is not None
        ns = naming.namespace(env)
        labels = job_labels(env, service, "backup")
        connection = service.database.connection_secret
        secret = naming.kubernetes_secret_name(service)
        scratch = int(memory_bytes(env.database.dump_scratch_size) // 2**20)
        name = naming.backup_cronjob_name(service)
        self.cron_job = PlainApiObject(
            self, "CronJob", api_version="batch/v1", kind="CronJob",
            metadata=cdk8s.ApiObjectMetadata(name=name, namespace=ns, labels=labels,
                                             annotations={**THIRD_PARTY_IMAGE_SKIPS, "checkov.io/skip3": SECRET_ENV_SKIP}),
        )
        dump = container(
            "dump", facts.MONGO_IMAGE, user=RUN_AS_USER,
            command=["mongodump", f"--uri=$({connection.env_var})", f"--db={service.database.name}",
                     f"--archive={DUMP_FILE}", "--gzip"],
            env=[secret_value(connection.env_var, secret, connection.key)],
            resources=resources(250, 1000, 256, 1024),
            mounts=[mount(DUMP_PATH, "dump"), mount("/tmp", "tmp")],
        )
        upload = container(
            "upload", facts.AWS_CLI_IMAGE, user=RUN_AS_USER,
            command=["/bin/bash", "-euo", "pipefail", "-c", upload_script(service)],
            env=[value("BACKUP_BUCKET", naming.backup_bucket_name(env)), value("AWS_REGION", str(env.region)),
                 # The CLI caches credentials and writes its history under HOME; the root filesystem is read-only.
                 value("HOME", "/tmp")],
            resources=resources(100, 500, 128, 512),
            mounts=[mount(DUMP_PATH, "dump", read_only=True), mount("/tmp", "tmp")],
        )
        pod = pod_spec(user=RUN_AS_USER, containers=[upload], init_containers=[dump],
                       volumes=[empty_dir("dump", scratch), empty_dir("tmp", TMP_MEBIBYTES)],
                       restart_policy="Never", service_account=naming.BACKUP_SERVICE_ACCOUNT)
        job = workload_spec({"activeDeadlineSeconds": active_deadline_seconds(env), "backoffLimit": BACKOFF_LIMIT},
                            workload=self.cron_job, labels=labels, pod=pod)
        self.cron_job.add_fields({"spec": sorted_with({
            "schedule": " ".join(five_fields(env.database.backup.schedule).split()),
            "timeZone": env.database.backup.time_zone,
            "concurrencyPolicy": "Forbid",
            "startingDeadlineSeconds": STARTING_DEADLINE_SECONDS,
            "successfulJobsHistoryLimit": SUCCESSFUL_JOBS_KEPT,
            "failedJobsHistoryLimit": FAILED_JOBS_KEPT,
            "suspend": False,
        }, jobTemplate={"spec": job})})
        self.network_policy = workload_policy(
            self, "NetworkPolicy", name=name, namespace=ns, labels=labels,
            egress=[*database_egress_rules(env, service), *aws_client_egress(env)])
