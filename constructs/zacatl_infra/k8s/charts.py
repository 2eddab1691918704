"""One cdk8s App per environment, one chart per file, named so `kubectl apply -f` goes in order."""

from __future__ import annotations

from pathlib import Path

import cdk8s

from .. import naming, sync
from ..config import EnvironmentConfig
from .backup import DatabaseBackup
from .backup_alerts import BackupAlerts, rules_installable
from .database import InClusterDatabase
from .addons.application import PlatformAddOns
from .migration import DEPLOYMENT_WAVE, IndexMigration
from .namespace import EnvironmentNamespace
from .network_policy import NamespaceNetworkPolicies
from .raw_fields import PlainApiObject, group_version_kind
from .waves import sync_annotations
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
    ``15-database.yaml``, after the add-ons and before the services that connect to it."""

    def __init__(self, scope: cdk8s.App, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_, disable_resource_name_hashes=True)
        self.database = InClusterDatabase(self, "Database", env=env) if naming.runs_in_cluster_database(env) else None
        self.backups = [DatabaseBackup(self, f"Backup-{s.name}", env=env, service=s)
                        for s in naming.backed_up_services(env)]
        # The rule needs the Prometheus Operator's CRD: rendered once a pinned add-on chart installs it.
        self.alerts = BackupAlerts(self, "BackupAlerts", env=env,
                                   missing_after_hours=env.database.backup.missing_after_hours) \
            if self.backups and rules_installable() else None

    @staticmethod
    def renders_anything(env: EnvironmentConfig) -> bool:
        """True when ``env`` has an in-cluster database to run or a database to back up."""
        return naming.runs_in_cluster_database(env) or bool(naming.backed_up_services(env))


class PlatformChart(cdk8s.Chart):
    """The platform add-ons as Argo CD objects (cloud tiers only); see ``addons.application``."""

    def __init__(self, scope: cdk8s.App, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_, disable_resource_name_hashes=True)
        self.addons = PlatformAddOns(self, "AddOns", env=env)


def _order(chart: cdk8s.Chart) -> None:
    """Sync waves and options on the objects of ``chart`` (``waves.sync_annotations``): Namespaces
    first, custom resources skip the dry run."""
    for obj in (c for c in chart.node.find_all() if isinstance(c, cdk8s.ApiObject)):
        # Every object is visited, a subclass's own included; kind and group are read on the Python
        # side when it has them, and an annotation a plain object was created with is not sent again.
        created_with = obj.created_annotations if isinstance(obj, PlainApiObject) else {}
        for key, value in sync_annotations(*group_version_kind(obj)).items():
            if created_with.get(key) != value:
                obj.metadata.add_annotation(key, value)


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
        if self.migration is not None:
            # The new version starts only once the migration Job (an earlier wave) completed.
            cdk8s.ApiObject.of(self.service.deployment).metadata.add_annotation(
                sync.WAVE_ANNOTATION, str(DEPLOYMENT_WAVE))


def environment_app(
    env: EnvironmentConfig, outdir: Path, *, service_class: type[ZacatlService] = ZacatlService
) -> cdk8s.App:
    """The workload layer of ``env``: ``00-namespace.yaml``, ``10-platform.yaml`` (cloud tiers, platform
    only, not for a ``team``: the add-ons' AppProject and Applications), ``15-database.yaml`` (the
    in-cluster MongoDB, backup CronJobs and their alerts), then ``20-<service>.yaml`` each; Argo CD
    sync waves order the apply.

    ``outdir``: the folder ``app.synth()`` writes the YAML files into (one file per chart).
    ``service_class``: Default ``ZacatlService``; a service repository passes its subclass to change
    what every service renders (see docs/workloads.md).
    """
    app = cdk8s.App(
        outdir=str(outdir),
        yaml_output_type=cdk8s.YamlOutputType.FILE_PER_CHART,
        output_file_extension=".yaml",
    )
    charts: list[cdk8s.Chart] = [NamespaceChart(app, "00-namespace", env=env)]
    # A team's repository (``env.team``) renders its namespace and services only: the platform's
    # repository renders the add-ons once per cluster.
    if not env.is_local and env.team is None:
        charts.append(PlatformChart(app, "10-platform", env=env))
    # Nothing to render: no empty file in dist/.
    if DatabaseChart.renders_anything(env):
        charts.append(DatabaseChart(app, "15-database", env=env))
    for spec in env.services:
        charts.append(ServiceChart(app, f"20-{spec.name}", env=env, service_name=spec.name, service_class=service_class))
    for chart in charts:
        _order(chart)
    return app
