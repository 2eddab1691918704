"""`EnvironmentStack`: the cloud layer of one environment, wiring the capability constructs."""

from __future__ import annotations

import aws_cdk as cdk
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from .alarms import Alarms
from .backups import REQUEST_METRICS_ID, BackupBucket
from .certificates import IngressCertificate
from .endpoints import AwsApiEndpoints
from .cluster import Cluster
from .database import AtlasPrivateEndpoint, DocumentDbCluster, InClusterDatabaseSecret
from .dr_stack import DisasterRecoveryStack
from .gitops import GitOps
from .identity import ServiceSecrets, WorkloadIdentities
from .network import Network
from .registry import RegistryReplication, ServiceRepository
from .session_host import SessionManagerHost


class EnvironmentStack(cdk.Stack):
    """Stack ``zacatl-<env>``: everything the environment's workloads need in AWS.

    ``env``: a cloud-tier ``EnvironmentConfig`` (account, region and pinned zones set; no lookups at
    synth). It builds the VPC, the EKS cluster with its access entries and managed add-ons, Argo CD
    and the root Application, ECR repositories, KMS keys, backups, Pod Identity roles, the ingress
    certificate and the alarms (docs/cloud.md lists every resource with its rough monthly cost).
    Termination protection is on in prod. Raises ``ValueError`` for a ``local`` environment, which has
    no cloud layer.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        if env.is_local:
            raise ValueError(f"environment {env.name!r}: tier 'local' has no cloud layer")
        super().__init__(
            scope,
            id_,
            stack_name=naming.stack_name(env),
            env=cdk.Environment(account=env.account, region=env.region),
            description=f"zacatl-infra cloud layer of environment {env.name}",
            termination_protection=env.tier == "prod",
        )
        # Pin the zones in context so synth never asks AWS for them (offline, no credentials).
        self.node.set_context(
            f"availability-zones:account={env.account}:region={env.region}", list(env.availability_zones)
        )
        # The replica bucket must exist before this stack writes its replication rule.
        self.dr_stack = DisasterRecoveryStack(scope, naming.dr_stack_name(env), env=env) \
            if env.backups.replication_region else None
        if self.dr_stack is not None:
            self.add_stack_dependency(self.dr_stack, "the backup bucket replicates into the DR stack's bucket")
        for key, value in naming.stack_tags(env).items():
            cdk.Tags.of(self).add(key, value)
        self.repositories = {
            spec.name: ServiceRepository(self, f"Repository-{spec.name}", env=env, service=spec).repository
            for spec in env.services
        }
        self.registry_replication = (
            RegistryReplication(self, "RegistryReplication", env=env) if env.registry.replication_region else None
        )
        self.network = Network(self, "Network", env=env)
        self.api_endpoints = AwsApiEndpoints(self, "AwsApiEndpoints", env=env, vpc=self.network.vpc)
        self.cluster = Cluster(self, "Cluster", env=env, vpc=self.network.vpc, log_key=self.network.log_key)
        self.gitops = GitOps(self, "GitOps", env=env, cluster=self.cluster.cluster, log_key=self.network.log_key)
        self.session_host = (SessionManagerHost(self, "SessionManagerHost", env=env, vpc=self.network.vpc,
                                                cluster=self.cluster.cluster)
                             if env.access.session_manager_host else None)
        self.certificate = (IngressCertificate(self, "Certificate", env=env)
                            if naming.certificate_domains(env) else None)
        self.backups = BackupBucket(self, "Backups", env=env)
        self.secrets = ServiceSecrets(self, "Secrets", env=env)
        self.database = AtlasPrivateEndpoint(self, "Database", env=env, vpc=self.network.vpc,
                                             cluster=self.cluster.cluster) if env.database.kind == "atlas" else None
        self.database_secret = InClusterDatabaseSecret(self, "DatabaseSecret", env=env, key=self.secrets.key) \
            if naming.runs_in_cluster_database(env) else None
        self.documentdb = DocumentDbCluster(self, "DocumentDb", env=env, vpc=self.network.vpc,
                                            cluster=self.cluster.cluster, log_key=self.network.log_key) \
            if env.database.kind == "documentdb" else None
        readable = dict(self.secrets.secrets)
        if self.database_secret is not None:
            readable[naming.IN_CLUSTER_DATABASE] = self.database_secret.secret
        if self.documentdb is not None:
            readable[naming.DOCUMENTDB] = self.documentdb.secret
        self.alarms = Alarms(self, "Alarms", env=env, cluster_name=self.cluster.cluster.cluster_name,
                             backup_bucket=self.backups.bucket, backup_metrics_filter=REQUEST_METRICS_ID)
        self.documentdb_alarms = self.documentdb_backup = None
        if self.documentdb is not None:
            # Imported only here: AWS Backup and EventBridge bindings are loaded for a DocumentDB environment only.
            from .database_alarms import DocumentDbAlarms
            from .documentdb_backup import DocumentDbBackup

            self.documentdb_alarms = DocumentDbAlarms(self, "DocumentDbAlarms", env=env, cluster=self.documentdb.cluster,
                                                      topic=self.alarms.topic)
            self.documentdb_backup = DocumentDbBackup(self, "DocumentDbBackup", env=env, cluster=self.documentdb.cluster,
                                                      topic=self.alarms.topic)
        self.identities = WorkloadIdentities(
            self, "Identities", env=env, cluster=self.cluster.cluster, backup_bucket=self.backups.bucket,
            backup_key=self.backups.key, secrets=readable, alarm_topic=self.alarms.topic)

        cdk.CfnOutput(self, "ClusterName", value=self.cluster.cluster.cluster_name)
        cdk.CfnOutput(self, "BackupBucketName", value=self.backups.bucket.bucket_name)
        cdk.CfnOutput(self, "AlarmTopicArn", value=self.alarms.topic.topic_arn)
        if self.certificate:
            cdk.CfnOutput(self, "CertificateArn", value=self.certificate.certificate.certificate_arn)
        for name, repository in self.repositories.items():
            cdk.CfnOutput(self, f"RepositoryUri-{name}", value=repository.repository_uri)
