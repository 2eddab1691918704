"""The cloud side of the environment's MongoDB: the Atlas PrivateLink endpoint, or the root secret
of the in-cluster database."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_kms as kms
from aws_cdk import aws_secretsmanager as secretsmanager
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from ..facts import atlas
from ..policy import acknowledge


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
