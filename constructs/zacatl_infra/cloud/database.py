"""The cloud side of the environment's MongoDB: the Atlas PrivateLink endpoint, the Amazon
DocumentDB cluster, or the root secret of the in-cluster database."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_docdb as docdb
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from ..config.database import DocumentDbSettings
from ..facts import atlas, documentdb
from ..policy import acknowledge
from .keys import customer_key


class AtlasPrivateEndpoint(Construct):
    """An interface VPC endpoint to the Atlas PrivateLink service ``env.database.atlas.endpoint_service_name``.

    - In every private subnet (``naming.private_subnet_cidrs``), one interface per zone, so a zone
      outage leaves the others connected; the workload layer's database egress names those ranges.
    - Its security group admits TCP 1024-65535 (the ports Atlas maps cluster nodes to,
      ``facts.atlas``) from the cluster security group only, which every node (and so every pod on
      the VPC CNI) carries; it has no egress.
    - No private DNS: Atlas's private-endpoint-aware connection strings resolve to the endpoint's
      addresses through Atlas's own DNS records.
    Raises ValueError when ``env.database.kind`` is not ``atlas``.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, vpc: ec2.IVpc,
                 cluster: eks.ICluster) -> None:
        super().__init__(scope, id_)
        settings = env.database.atlas
        if env.database.kind != "atlas" or settings is None:
            raise ValueError(f"environment {env.name!r}: database.kind is {env.database.kind!r}; "
                             "an Atlas private endpoint needs kind 'atlas' with atlas.endpoint_service_name")
        low, high = atlas.PRIVATE_ENDPOINT_PORTS
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
            description=f"zacatl {env.name}: MongoDB Atlas private endpoint, from the cluster nodes only")
        self.security_group.add_ingress_rule(
            ec2.Peer.security_group_id(cluster.cluster_security_group_id), ec2.Port.tcp_range(low, high),
            "MongoDB Atlas node ports from the EKS nodes and pods")
        self.endpoint = ec2.InterfaceVpcEndpoint(
            self, "Endpoint", vpc=vpc,
            service=ec2.InterfaceVpcEndpointService(settings.endpoint_service_name),
            subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            security_groups=[self.security_group], private_dns_enabled=False, open=False,
        )
        cdk.CfnOutput(cdk.Stack.of(self), "AtlasPrivateEndpointId", value=self.endpoint.vpc_endpoint_id,
                      description="give this id to Atlas (Network Access > Private Endpoint) to accept the connection")


class InClusterDatabaseSecret(Construct):
    """Secret ``naming.in_cluster_database_secret_id(env)``: the in-cluster MongoDB's root user as JSON
    keys ``username`` (``root``) and ``password`` (generated, 32 characters, no punctuation so it needs
    no escaping in a connection string). External Secrets copies it into the Kubernetes Secret
    ``naming.IN_CLUSTER_DATABASE_SECRET``; kept when the stack is deleted."""

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, key: kms.IKey) -> None:
        super().__init__(scope, id_)
        self.secret = secretsmanager.Secret(
            self, "Resource", secret_name=naming.in_cluster_database_secret_id(env),
            description=f"root user of the in-cluster MongoDB of {env.name}",
            encryption_key=key,
            generate_secret_string=secretsmanager.SecretStringGenerator(
                secret_string_template='{"username": "root"}', generate_string_key="password",
                exclude_punctuation=True, password_length=32),
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        acknowledge(self.secret, "SMG4", "mongod reads the root password only when its data directory is "
                    "initialised; a rotation Lambda could not change the user inside the running database")


#: Characters a password must not hold to go into a connection string unescaped (the URI's own
#: delimiters, the percent sign, quotes and blanks); the ExternalSecret's template inserts it as is.
EXCLUDED_PASSWORD_CHARACTERS = "\"@/\\:?#[]%&=+ '`$~|<>{}()!;*^,"
#: Audit and profiler logs are kept a year, like the other audit trails of the environment.
LOG_RETENTION = logs.RetentionDays.ONE_YEAR


class DocumentDbCluster(Construct):
    """Amazon DocumentDB cluster ``naming.documentdb_cluster_identifier(env)`` for ``database.kind`` ``documentdb``.

    - ``documentdb.instances`` instances of ``documentdb.instance_class`` in the private subnets
      (DocumentDB spreads them over the subnet group's zones), engine ``documentdb.engine_version``
      (``facts.documentdb``), storage encrypted with a customer key of its own (``keys.customer_key``).
    - A cluster parameter group with ``tls`` ``enabled``: connections without TLS are refused.
    - Backup retention, the window of point-in-time restore, of ``backups.retention_days``.
    - Prod: deletion protection, cluster removal policy SNAPSHOT (a final snapshot on delete),
      instances RETAIN; other tiers: no deletion protection, SNAPSHOT.
    - Master user in Secrets Manager (``naming.documentdb_secret_id(env)``, encrypted with that key)
      rotated every 30 days by Secrets Manager's hosted rotation for MongoDB single users, whose
      Lambda runs in the private subnets with a security group of its own.
    - Its security group admits TCP 27017 only from the cluster security group (every node and pod
      on the VPC CNI) and from the rotation Lambda.
    Raises ValueError when ``env.database.kind`` is not ``documentdb``.
    """

    #: Days between rotations of the master password: monthly, within common password policies.
    ROTATION_DAYS = 30

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, vpc: ec2.IVpc,
                 cluster: eks.ICluster, log_key: kms.IKey) -> None:
        super().__init__(scope, id_)
        if env.database.kind != "documentdb":
            raise ValueError(f"environment {env.name!r}: database.kind is {env.database.kind!r}; "
                             "a DocumentDB cluster needs kind 'documentdb'")
        settings = env.database.documentdb or DocumentDbSettings()
        prod = env.tier == "prod"
        # Retained (customer_key's default): snapshots and the retained prod instances need it to be read.
        self.key = key = customer_key(self, "Key", env=env, purpose="DocumentDB storage and master secret encryption")
        private = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
            description=f"zacatl {env.name}: DocumentDB, from the cluster nodes only")
        self.security_group.add_ingress_rule(
            ec2.Peer.security_group_id(cluster.cluster_security_group_id), ec2.Port.tcp(documentdb.PORT),
            "DocumentDB from the EKS nodes and pods")
        self.parameter_group = docdb.ClusterParameterGroup(
            self, "Parameters", family=documentdb.parameter_group_family(settings.engine_version),
            parameters=dict((documentdb.TLS_PARAMETER, documentdb.AUDIT_PARAMETER, documentdb.PROFILER_PARAMETER)),
            description=f"zacatl {env.name}: DocumentDB with TLS required, audit and profiler logs")
        identifier = naming.documentdb_cluster_identifier(env)
        # DocumentDB exports audit and profiler logs to these fixed names; creating them first gives
        # them the environment's log key and a retention (no log-retention Lambda, no logs kept forever).
        self.log_groups = [logs.LogGroup(
            self, f"{kind.capitalize()}Logs", log_group_name=f"/aws/docdb/{identifier}/{kind}",
            encryption_key=log_key, retention=LOG_RETENTION, removal_policy=cdk.RemovalPolicy.RETAIN)
            for kind in ("audit", "profiler")]
        self.cluster = docdb.DatabaseCluster(
            self, "Resource",
            db_cluster_name=identifier, instance_identifier_base=f"{identifier}-",
            master_user=docdb.Login(username="zacatl", secret_name=naming.documentdb_secret_id(env), kms_key=key,
                                    # characters a connection string would need to escape
                                    exclude_characters=EXCLUDED_PASSWORD_CHARACTERS),
            engine_version=settings.engine_version,
            instance_type=ec2.InstanceType(settings.instance_class.removeprefix("db.")),
            instances=settings.instances,
            vpc=vpc, vpc_subnets=private, security_group=self.security_group,
            kms_key=key, storage_encrypted=True,
            parameter_group=self.parameter_group,
            backup=docdb.BackupProps(retention=cdk.Duration.days(env.backups.retention_days)),
            deletion_protection=prod,
            removal_policy=cdk.RemovalPolicy.SNAPSHOT,
            instance_removal_policy=cdk.RemovalPolicy.RETAIN if prod else cdk.RemovalPolicy.DESTROY,
            export_audit_logs_to_cloud_watch=True, export_profiler_logs_to_cloud_watch=True,
            copy_tags_to_snapshot=True,
        )
        for group in self.log_groups:
            self.cluster.node.add_dependency(group)
        resource = self.cluster.node.default_child
        acknowledge(resource, "DOC2", "the port is not a secret worth hiding: Zacatl's contract and every MongoDB "
                    "driver default to 27017, and the security group admits it from the cluster nodes only")
        acknowledge(resource, "DOC3", "the rule cannot resolve the secret reference (an intrinsic); the master "
                    "secret has a hosted rotation schedule every 30 days, asserted by tests/cloud/test_documentdb.py")
        for event in ("authenticate", "createIndex", "dropCollection"):
            acknowledge(resource, f"DOC5[LogExport::{event}]", "DocumentDB exports only 'audit' and 'profiler'; "
                        "these events are in the audit export, which the parameter group's audit_logs turns on")
        assert self.cluster.secret is not None  # a generated master password always has a secret
        self.secret = self.cluster.secret
        # Kept: a retained prod instance or a restored snapshot still answers to this user. (``secret``
        # is the attachment to the cluster; the secret itself is the cluster's child "Secret".)
        generated = self.cluster.node.find_child("Secret")
        assert isinstance(generated, secretsmanager.Secret)
        generated.apply_removal_policy(cdk.RemovalPolicy.RETAIN)
        self.rotation_security_group = ec2.SecurityGroup(
            self, "RotationSecurityGroup", vpc=vpc, allow_all_outbound=True,
            description=f"zacatl {env.name}: DocumentDB password rotation (DocumentDB and Secrets Manager)")
        self.security_group.add_ingress_rule(
            self.rotation_security_group, ec2.Port.tcp(documentdb.PORT), "password rotation Lambda")
        self.secret.add_rotation_schedule(
            "Rotation", automatically_after=cdk.Duration.days(self.ROTATION_DAYS),
            hosted_rotation=secretsmanager.HostedRotation.mongo_db_single_user(
                exclude_characters=EXCLUDED_PASSWORD_CHARACTERS, vpc=vpc, vpc_subnets=private,
                security_groups=[self.rotation_security_group]))
