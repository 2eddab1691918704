"""One cdk8s App per environment, one chart per file, named so `kubectl apply -f` goes in order."""

from __future__ import annotations

from pathlib import Path

import cdk8s

from .. import naming
from ..config import EnvironmentConfig
from .backup import DatabaseBackup
from .backup_alerts import BackupAlerts
from .database import InClusterDatabase
from .migration import IndexMigration
from .namespace import EnvironmentNamespace
from .network_policy import NamespaceNetworkPolicies
from .secrets import AwsSecretStore
from .service import ZacatlService
from .service_account import PlatformServiceAccounts


class NamespaceChart(cdk8s.Chart):
    """Environment-wide objects; its file sorts first so the namespace exists before anything in it.

    The Namespace, then (cloud tiers) the SecretStore and the platform ServiceAccounts, then the
    namespace's default-deny and DNS network policies.
    """

    def __init__(self, scope: cdk8s.App, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_, disable_resource_name_hashes=True)
        self.environment_namespace = EnvironmentNamespace(self, "Namespace", env=env)
        self.secret_store = None if env.is_local else AwsSecretStore(self, "SecretStore", env=env)
        self.service_accounts = PlatformServiceAccounts(self, "ServiceAccounts", env=env)
        self.network_policies = NamespaceNetworkPolicies(self, "NetworkPolicies", env=env)


class DatabaseChart(cdk8s.Chart):
    """The environment's MongoDB (``in_cluster``), its backup CronJobs and their alert rule:
    ``10-database.yaml``, after the namespace and before the services that connect to it."""

    def __init__(self, scope: cdk8s.App, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_, disable_resource_name_hashes=True)
        self.database = InClusterDatabase(self, "Database", env=env) if env.database.kind == "in_cluster" else None
        self.backups = [DatabaseBackup(self, f"Backup-{s.name}", env=env, service=s)
                        for s in naming.backed_up_services(env)]
        self.alerts = BackupAlerts(self, "BackupAlerts", env=env,
                                   missing_after_hours=env.database.backup.missing_after_hours) if self.backups else None


class ServiceChart(cdk8s.Chart):
    """Everything one service needs, in the environment's namespace."""

    def __init__(
        self, scope: cdk8s.App, id_: str, *, env: EnvironmentConfig, service_name: str,
        service_class: type[ZacatlService] = ZacatlService,
    ) -> None:
        super().__init__(scope, id_, namespace=naming.namespace(env), disable_resource_name_hashes=True)
        self.service = service_class(self, "Service", env=env, spec=env.service(service_name))
        spec = env.service(service_name)
        self.migration = IndexMigration(self, "IndexMigration", env=env, spec=spec) \
            if spec.database and spec.database.index_script else None


def environment_app(
    env: EnvironmentConfig, outdir: Path, *, service_class: type[ZacatlService] = ZacatlService
) -> cdk8s.App:
    """The workload layer of ``env``: ``00-namespace.yaml`` first, ``10-database.yaml`` (the in-cluster
    MongoDB, backup CronJobs and their alerts), then ``20-<service>.yaml`` each.

    ``service_class``: Default ``ZacatlService``; a service repository passes its subclass to change
    what every service renders (see docs/workloads.md).
    """
    app = cdk8s.App(
        outdir=str(outdir),
        yaml_output_type=cdk8s.YamlOutputType.FILE_PER_CHART,
        output_file_extension=".yaml",
    )
    NamespaceChart(app, "00-namespace", env=env)
    DatabaseChart(app, "10-database", env=env)
    for spec in env.services:
        ServiceChart(app, f"20-{spec.name}", env=env, service_name=spec.name, service_class=service_class)
    return app
