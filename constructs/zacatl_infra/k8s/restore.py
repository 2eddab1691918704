"""The restore path: per backed-up database, a restore Job and a verification Job, rendered under
``dist/<env>/restore/`` and never applied with the rest (kubectl and Argo CD read only the top
folder). ``make restore-manifest ENV=<env> BACKUP=<key>`` prints them with the dump to restore.

- ``<service>-db-restore``: an init container (amazon/aws-cli, as ``naming.RESTORE_SERVICE_ACCOUNT``,
  whose role may only get objects under the dump prefix) downloads ``s3://<bucket>/<BACKUP>``; then
  ``mongorestore --archive --gzip --drop`` loads it into the service's database (its own connection
  string), replacing each collection the dump holds.
- ``<service>-db-verify``: ``mongosh`` prints ``<collection> <count>`` for every collection of the
  service's database and fails when there is none, so "restored" means "data is there".

Run: ``python -m zacatl_infra.k8s.restore <env> <key>`` (what the make target calls).

Jobs and policies are plain ``cdk8s.ApiObject``s (``raw_fields.PlainApiObject``, bodies from
``hardening``) like the backup's: 8 jsii round trips per construct where cdk8s-plus-27 took 33
(verification) and 55 (restore), with byte-identical YAML (docs/performance.md, phase 3).
"""

from __future__ import annotations

import sys
from pathlib import Path

import cdk8s
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig, ServiceSpec
from ..config.quantity import memory_bytes
from ..facts import backups as facts
from .backup import DUMP_FILE, DUMP_PATH, aws_client_egress, job_labels
from .database import database_egress_rules
from .hardening import (
    RUN_AS_USER, SECRET_ENV_SKIP, THIRD_PARTY_IMAGE_SKIPS, TMP_MEBIBYTES, container, empty_dir, mount, pod_spec,
    resources, secret_value, value, workload_spec,
)
from .network_policy import workload_policy
from .raw_fields import PlainApiObject

#: What the rendered manifest carries until an operator names a dump: the Job refuses to run with it.
UNSET_BACKUP = "unset: run make restore-manifest ENV=<env> BACKUP=<key>"
#: The restore's share of the four-hour RTO: a dump that does not load in three hours leaves no
#: time for verification and the switch-back; the Job is stopped and the incident escalates.
RESTORE_DEADLINE_SECONDS = 3 * 3600
VERIFY_DEADLINE_SECONDS = 15 * 60
#: Finished restore Jobs stay a week for their logs, then Kubernetes deletes them.
TTL_SECONDS = 7 * 24 * 3600


def download_script(service: ServiceSpec) -> str:
    """The init container's bash: refuse anything but a dump key of this service, then download it."""
    prefix = naming.backup_key_prefix(service)
    return (
        'case "${BACKUP_KEY}" in\n'
        f'  {prefix}*.archive.gz) ;;\n'
        f'  *) echo "BACKUP_KEY ${{BACKUP_KEY}} is not a dump of {service.name} ({prefix}...archive.gz)" >&2; exit 2 ;;\n'
        'esac\n'
        f'aws s3 cp "s3://${{BACKUP_BUCKET}}/${{BACKUP_KEY}}" {DUMP_FILE} --only-show-errors\n'
    )


def verify_script(service: ServiceSpec) -> str:
    """mongosh JavaScript: one ``<collection> <documents>`` line per collection; exit 1 when empty."""
    assert service.database is not None
    return (
        f'const target = db.getSiblingDB("{service.database.name}");\n'
        'const names = target.getCollectionNames().sort();\n'
        'if (names.length === 0) { print("no collections in " + target.getName()); quit(1); }\n'
        'names.forEach((name) => print(name + " " + target.getCollection(name).countDocuments({})));\n'
    )


def _policy(scope: Construct, env: EnvironmentConfig, service: ServiceSpec, component: str,
            aws: bool) -> PlainApiObject:
    labels = job_labels(env, service, component)
    egress = database_egress_rules(env, service) + (aws_client_egress(env) if aws else [])
    return workload_policy(scope, "NetworkPolicy", name=labels["app.kubernetes.io/name"],
                           namespace=naming.namespace(env), labels=labels, egress=egress)


_SKIPS = {**THIRD_PARTY_IMAGE_SKIPS, "checkov.io/skip3": SECRET_ENV_SKIP}


def _job(scope: Construct, env: EnvironmentConfig, labels: dict[str, str], deadline_seconds: int,
         pod: dict) -> PlainApiObject:
    """Job ``Job`` of ``scope``: one attempt, ``deadline_seconds`` to finish, deleted ``TTL_SECONDS`` after."""
    job = PlainApiObject(
        scope, "Job", api_version="batch/v1", kind="Job",
        metadata=cdk8s.ApiObjectMetadata(name=labels["app.kubernetes.io/name"], namespace=naming.namespace(env),
                                         labels=labels, annotations=dict(_SKIPS)))
    job.add_fields({"spec": workload_spec(
        {"backoffLimit": 0, "activeDeadlineSeconds": deadline_seconds, "ttlSecondsAfterFinished": TTL_SECONDS},
        workload=job, labels=labels, pod=pod)})
    return job


class DatabaseRestore(Construct):
    """The restore Job of ``service`` and its NetworkPolicy (see the module docstring).

    ``backup``: the dump's key. Default ``UNSET_BACKUP``, which the Job refuses (exit 2).
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, service: ServiceSpec,
                 backup: str = UNSET_BACKUP) -> None:
        super().__init__(scope, id_)
        if service not in naming.backed_up_services(env) or service.database is None:
            raise ValueError(f"environment {env.name!r}, service {service.name!r}: no backups to restore from")
        labels = job_labels(env, service, "restore")
        connection = service.database.connection_secret
        download = container(
            "download", facts.AWS_CLI_IMAGE, user=RUN_AS_USER,
            command=["/bin/bash", "-euo", "pipefail", "-c", download_script(service)],
            env=[value("BACKUP_BUCKET", naming.backup_bucket_name(env)), value("BACKUP_KEY", backup),
                 value("AWS_REGION", str(env.region)), value("HOME", "/tmp")],
            resources=resources(100, 500, 128, 512),
            mounts=[mount(DUMP_PATH, "dump"), mount("/tmp", "tmp")],
        )
        restore = container(
            "restore", facts.MONGO_IMAGE, user=RUN_AS_USER,
            command=["mongorestore", f"--uri=$({connection.env_var})", f"--nsInclude={service.database.name}.*",
                     f"--archive={DUMP_FILE}", "--gzip", "--drop"],
            env=[secret_value(connection.env_var, naming.kubernetes_secret_name(service), connection.key)],
            resources=resources(250, 1000, 256, 1024),
            mounts=[mount(DUMP_PATH, "dump", read_only=True), mount("/tmp", "tmp")],
        )
        scratch = int(memory_bytes(env.database.dump_scratch_size) // 2**20)
        self.job = _job(self, env, labels, RESTORE_DEADLINE_SECONDS, pod_spec(
            user=RUN_AS_USER, containers=[restore], init_containers=[download],
            volumes=[empty_dir("dump", scratch), empty_dir("tmp", TMP_MEBIBYTES)],
            restart_policy="Never", service_account=naming.RESTORE_SERVICE_ACCOUNT))
        self.network_policy = _policy(self, env, service, "restore", aws=True)


class DatabaseVerification(Construct):
    """The verification Job of ``service`` (``verify_script``) and its NetworkPolicy."""

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, service: ServiceSpec) -> None:
        super().__init__(scope, id_)
        if service.database is None:
            raise ValueError(f"environment {env.name!r}, service {service.name!r}: no database to verify")
        labels = job_labels(env, service, "verify")
        connection = service.database.connection_secret
        verify = container(
            "verify", facts.MONGO_IMAGE, user=RUN_AS_USER,
            command=["mongosh", f"$({connection.env_var})", "--quiet", "--norc", "--eval", verify_script(service)],
            env=[secret_value(connection.env_var, naming.kubernetes_secret_name(service), connection.key),
                 # mongosh keeps its history and logs under HOME; the root filesystem is read-only.
                 value("HOME", "/tmp")],
            resources=resources(100, 500, 256, 512),
            mounts=[mount("/tmp", "tmp")],
        )
        self.job = _job(self, env, labels, VERIFY_DEADLINE_SECONDS, pod_spec(
            user=RUN_AS_USER, containers=[verify], volumes=[empty_dir("tmp", TMP_MEBIBYTES)], restart_policy="Never"))
        self.network_policy = _policy(self, env, service, "verify", aws=False)


def restore_app(env: EnvironmentConfig, outdir: Path, backup: str = UNSET_BACKUP) -> cdk8s.App:
    """``outdir/10-<service>-restore.yaml`` and ``outdir/20-<service>-verify.yaml`` per backed-up
    service of ``env``; an App with no chart for ``local`` (no bucket to restore from)."""
    app = cdk8s.App(outdir=str(outdir), yaml_output_type=cdk8s.YamlOutputType.FILE_PER_CHART,
                    output_file_extension=".yaml")
    for service in naming.backed_up_services(env):
        restore = cdk8s.Chart(app, f"10-{service.name}-restore", disable_resource_name_hashes=True)
        DatabaseRestore(restore, "Restore", env=env, service=service, backup=backup)
        verify = cdk8s.Chart(app, f"20-{service.name}-verify", disable_resource_name_hashes=True)
        DatabaseVerification(verify, "Verify", env=env, service=service)
    return app


def render_restore(env: EnvironmentConfig, outdir: Path, backup: str = UNSET_BACKUP) -> list[Path]:
    """Writes ``restore_app`` into ``outdir`` (created only when there is something to write);
    returns the files written, in apply order."""
    if not naming.backed_up_services(env):
        return []
    restore_app(env, outdir, backup).synth()
    return sorted(outdir.glob("*.yaml"))


def main(argv: list[str] | None = None, root: Path | None = None) -> int:
    """``<env> <backup key>``: prints the restore and verification manifests of that environment
    with the key filled in, in apply order, to stdout."""
    import tempfile

    from ..config import ConfigError, load_environments

    args = list(sys.argv[1:] if argv is None else argv)
    if len(args) != 2:
        print("usage: python -m zacatl_infra.k8s.restore <env> <backup key under mongodb/<service>/>", file=sys.stderr)
        return 2
    name, backup = args
    try:
        (env,) = load_environments((root or Path.cwd()) / "environments", [name])
    except ConfigError as err:
        print(f"zacatl-infra: {err}", file=sys.stderr)
        return 2
    matching = [s for s in naming.backed_up_services(env) if backup.startswith(naming.backup_key_prefix(s))]
    if not matching or not backup.endswith(".archive.gz"):
        prefixes = [naming.backup_key_prefix(s) for s in naming.backed_up_services(env)]
        print(f"zacatl-infra: BACKUP {backup!r} is not a dump key of {name!r}: expected one under {prefixes} "
              "ending in .archive.gz (aws s3 ls --recursive s3://<bucket>/mongodb/)", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory() as tmp:
        app = cdk8s.App(outdir=tmp, yaml_output_type=cdk8s.YamlOutputType.FILE_PER_CHART, output_file_extension=".yaml")
        service = matching[0]
        restore = cdk8s.Chart(app, "10-restore", disable_resource_name_hashes=True)
        DatabaseRestore(restore, "Restore", env=env, service=service, backup=backup)
        verify = cdk8s.Chart(app, "20-verify", disable_resource_name_hashes=True)
        DatabaseVerification(verify, "Verify", env=env, service=service)
        app.synth()
        print("\n---\n".join(p.read_text().strip() for p in sorted(Path(tmp).glob("*.yaml"))))
    return 0


if __name__ == "__main__":
    sys.exit(main())
