"""Interface endpoints (AWS PrivateLink) for the AWS APIs the environment's services declare."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from ..facts import aws_endpoints

#: Interface endpoints ``Network`` already gives every environment (image pulls, token exchanges);
#: a service declaring one of them uses that endpoint, a second one would clash on private DNS.
NETWORK_ENDPOINTS = frozenset({"ecr.api", "ecr.dkr", "sts"})


class AwsApiEndpoints(Construct):
    """One interface endpoint per AWS API in ``naming.aws_api_endpoints(env)`` not in ``NETWORK_ENDPOINTS``.

    - Service ``naming.vpc_endpoint_service_name(env, api)``, in the private (node) subnets of every
      zone, private DNS on: the SDK's default regional host names resolve to the endpoint's VPC
      addresses, which is what the services' network policies allow (the VPC range on 443).
    - S3 (``facts.aws_endpoints.GATEWAY_TOO``): private DNS for all resolvers. AWS's default with a
      gateway endpoint in the VPC is "inbound resolver only", which would keep pods on S3's public
      addresses, where no network policy can follow. Nodes then pull ECR image layers through the
      interface endpoint too (0.01 USD a GB, see docs/cloud.md); the free gateway endpoint stays for
      whatever connects to S3's public addresses directly.
    - One security group for all of them: HTTPS (443) from the VPC range (pods have VPC addresses
      under the VPC CNI, nodes too), nothing else; no egress (endpoints only answer).
    ``endpoints``: api name -> endpoint. Empty when no service declares an API beyond the network's.
    Cost: ``facts.aws_endpoints.INTERFACE_ENDPOINT_HOUR_USD`` per endpoint per zone per hour.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, vpc: ec2.IVpc) -> None:
        super().__init__(scope, id_)
        self.endpoints: dict[str, ec2.InterfaceVpcEndpoint] = {}
        apis = [api for api in naming.aws_api_endpoints(env) if api not in NETWORK_ENDPOINTS]
        if not apis:
            self.security_group = None
            return
        self.security_group = ec2.SecurityGroup(
            self, "SecurityGroup", vpc=vpc, allow_all_outbound=False,
            description=f"AWS API interface endpoints of {env.name}: HTTPS from the VPC only")
        cdk.Tags.of(self.security_group).add("Name", naming.aws_api_endpoints_security_group(env))
        # The literal VPC range (the VPC is built from it) rather than a GetAtt, so the rule reads the
        # same in the template, in the network policies and to cdk-nag.
        self.security_group.add_ingress_rule(
            ec2.Peer.ipv4(env.network.vpc_cidr), ec2.Port.tcp(aws_endpoints.PORT),
            "HTTPS from pods and nodes of the VPC to the AWS API endpoints")
        for api in apis:
            self.endpoints[api] = ec2.InterfaceVpcEndpoint(
                self, api, vpc=vpc,
                service=ec2.InterfaceVpcEndpointService(naming.vpc_endpoint_service_name(env, api), aws_endpoints.PORT),
                private_dns_enabled=True,
                private_dns_only_for_inbound_resolver_endpoint=(
                    ec2.VpcEndpointPrivateDnsOnlyForInboundResolverEndpoint.ALL_RESOLVERS
                    if api in aws_endpoints.GATEWAY_TOO else None),
                subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
                security_groups=[self.security_group],
                # The group above already admits exactly the VPC on 443; open=True would add a second rule.
                open=False,
            )
