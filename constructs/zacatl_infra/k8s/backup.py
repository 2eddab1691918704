"""Backups that run: one CronJob per backed-up database, dumping it into the environment's bucket.

Each run is one pod: an init container (the official ``mongo`` image) writes ``mongodump
--archive --gzip`` of the service's database to a size-limited scratch volume; only when the dump
exited 0 does the main container (``amazon/aws-cli``) upload it to ``s3://<bucket>/mongodb/<service>/
YYYY/MM/DD/<UTC time>.archive.gz`` as the ServiceAccount ``naming.BACKUP_SERVICE_ACCOUNT``, whose
role (EKS Pod Identity, ``cloud/identity.py``) may only put under that prefix. Streaming the dump
straight into ``aws s3 cp -`` would need no scratch space, but a dump that fails half way would
still complete the upload and count as a fresh backup for the missing-backup alarm; the two-step
pod uploads only whole dumps.
"""

from __future__ import annotations

from datetime import timedelta

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig, ServiceSpec
from ..config.quantity import memory_bytes
from ..config.service import NON_INTERNET_IPV4
from ..facts import backups as facts
from ..facts import eks_pod_identity
from .database import DATABASE_CLIENT_LABEL, database_egress
from .hardening import RUN_AS_USER, SECRET_ENV_SKIP, THIRD_PARTY_IMAGE_SKIPS, container_security, harden, pod_security, resources
from .labels import environment_labels
from .network_policy import AWS_API_PORT

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
    interval = _shortest_gap(env)
    return int(min(MAX_RUN_SECONDS, interval.total_seconds() * RUN_SHARE_OF_INTERVAL))


def _shortest_gap(env: EnvironmentConfig) -> timedelta:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from cronsim import CronSim

    from ..config.database import five_fields

    backup = env.database.backup
    runs = CronSim(five_fields(backup.schedule), datetime(2026, 1, 1, tzinfo=ZoneInfo(backup.time_zone)))
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


def _ip_block(scope: Construct, id_: str, cidr: str, except_: tuple[str, ...] = ()) -> kplus.NetworkPolicyIpBlock:
    factory = kplus.NetworkPolicyIpBlock.ipv6 if ":" in cidr else kplus.NetworkPolicyIpBlock.ipv4
    return factory(scope, id_, cidr, except_=list(except_) or None)


def _public_internet(scope: Construct, id_: str) -> kplus.NetworkPolicyIpBlock:
    """Every IPv4 address but the private, carrier-grade NAT and link-local ranges."""
    return _ip_block(scope, id_, "0.0.0.0/0", NON_INTERNET_IPV4)


def aws_client_egress(scope: Construct, env: EnvironmentConfig, policy: kplus.NetworkPolicy) -> None:
    """Egress an AWS API client needs: the Pod Identity agent (port 80, both families) and HTTPS to
    the VPC (interface endpoints) and the internet (S3's regional endpoint and gateway prefixes)."""
    agent = [kplus.NetworkPolicyPort.tcp(eks_pod_identity.AGENT_PORT)]
    policy.add_egress_rule(_ip_block(scope, "PodIdentityAgentV4", f"{eks_pod_identity.AGENT_IPV4}/32"), agent)
    policy.add_egress_rule(_ip_block(scope, "PodIdentityAgentV6", f"{eks_pod_identity.AGENT_IPV6}/128"), agent)
    https = [kplus.NetworkPolicyPort.tcp(AWS_API_PORT)]
    policy.add_egress_rule(_ip_block(scope, "AwsEndpointsInVpc", env.network.vpc_cidr), https)
    policy.add_egress_rule(_public_internet(scope, "AwsPublicEndpoints"), https)


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
        secret = kplus.Secret.from_secret_name(self, "SecretRef", naming.kubernetes_secret_name(service))
        scratch = kplus.Volume.from_empty_dir(
            self, "Scratch", "dump", size_limit=cdk8s.Size.mebibytes(int(memory_bytes(env.database.dump_scratch_size) // 2**20)))
        tmp = kplus.Volume.from_empty_dir(self, "Tmp", "tmp", size_limit=cdk8s.Size.mebibytes(64))
        account = kplus.ServiceAccount.from_service_account_name(self, "Account", naming.BACKUP_SERVICE_ACCOUNT)
        self.cron_job = kplus.CronJob(
            self, "CronJob",
            metadata=cdk8s.ApiObjectMetadata(name=naming.backup_cronjob_name(service), namespace=ns, labels=labels,
                                             annotations={**THIRD_PARTY_IMAGE_SKIPS, "checkov.io/skip3": SECRET_ENV_SKIP}),
            schedule=cdk8s.Cron.schedule(**_cron_fields(env.database.backup.schedule)),
            time_zone=env.database.backup.time_zone,
            concurrency_policy=kplus.ConcurrencyPolicy.FORBID,
            starting_deadline=cdk8s.Duration.seconds(STARTING_DEADLINE_SECONDS),
            successful_jobs_retained=SUCCESSFUL_JOBS_KEPT, failed_jobs_retained=FAILED_JOBS_KEPT,
            backoff_limit=BACKOFF_LIMIT, active_deadline=cdk8s.Duration.seconds(active_deadline_seconds(env)),
            pod_metadata=cdk8s.ApiObjectMetadata(labels=labels), select=False,
            service_account=account, automount_service_account_token=False,
            restart_policy=kplus.RestartPolicy.NEVER,
            security_context=pod_security(RUN_AS_USER),
            volumes=[scratch, tmp],
            init_containers=[kplus.ContainerProps(
                name="dump", image=facts.MONGO_IMAGE, image_pull_policy=kplus.ImagePullPolicy.IF_NOT_PRESENT,
                command=["mongodump", f"--uri=$({connection.env_var})", f"--db={service.database.name}",
                         f"--archive={DUMP_FILE}", "--gzip"],
                env_variables={connection.env_var: kplus.EnvValue.from_secret_value(
                    kplus.SecretValue(secret=secret, key=connection.key))},
                resources=resources(250, 1000, 256, 1024),
                volume_mounts=[kplus.VolumeMount(path=DUMP_PATH, volume=scratch),
                               kplus.VolumeMount(path="/tmp", volume=tmp)],
                security_context=container_security(RUN_AS_USER),
            )],
            containers=[kplus.ContainerProps(
                name="upload", image=facts.AWS_CLI_IMAGE, image_pull_policy=kplus.ImagePullPolicy.IF_NOT_PRESENT,
                command=["/bin/bash", "-euo", "pipefail", "-c", upload_script(service)],
                env_variables={
                    "BACKUP_BUCKET": kplus.EnvValue.from_value(naming.backup_bucket_name(env)),
                    "AWS_REGION": kplus.EnvValue.from_value(str(env.region)),
                    # The CLI caches credentials and writes its history under HOME; the root filesystem is read-only.
                    "HOME": kplus.EnvValue.from_value("/tmp"),
                },
                resources=resources(100, 500, 128, 512),
                volume_mounts=[kplus.VolumeMount(path=DUMP_PATH, volume=scratch, read_only=True),
                               kplus.VolumeMount(path="/tmp", volume=tmp)],
                security_context=container_security(RUN_AS_USER),
            )],
        )
        harden(self.cron_job, "/spec/jobTemplate/spec/template/spec", 1, 1)

        self.network_policy = kplus.NetworkPolicy(
            self, "NetworkPolicy",
            metadata=cdk8s.ApiObjectMetadata(name=naming.backup_cronjob_name(service), namespace=ns, labels=labels),
            selector=kplus.Pods.select(self, "Pods", labels={"app.kubernetes.io/name": labels["app.kubernetes.io/name"]}),
            ingress=kplus.NetworkPolicyTraffic(default=kplus.NetworkPolicyTrafficDefault.DENY),
            egress=kplus.NetworkPolicyTraffic(default=kplus.NetworkPolicyTrafficDefault.DENY),
        )
        database_egress(self, env, service, self.network_policy)
        aws_client_egress(self, env, self.network_policy)


def _cron_fields(schedule: str) -> dict[str, str]:
    from ..config.database import five_fields

    minute, hour, day, month, week_day = five_fields(schedule).split()
    return {"minute": minute, "hour": hour, "day": day, "month": month, "week_day": week_day}
