"""The VPC: pinned zones, private nodes, NAT per config, encrypted flow logs, endpoints."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Match, Template

from zacatl_infra.config import ConfigError

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from .helpers import resources


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_vpc_spans_the_pinned_zones_with_public_and_private_subnets(env_name, templates, environments):
    env = environments[env_name]
    subnets = resources(templates[env_name], "AWS::EC2::Subnet").values()
    zones = sorted({s["Properties"]["AvailabilityZone"] for s in subnets})
    assert zones == sorted(env.availability_zones)
    assert len(subnets) == 2 * len(env.availability_zones)
    assert all(s["Properties"]["MapPublicIpOnLaunch"] is False for s in subnets)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_nat_gateways_follow_the_config(env_name, templates, environments):
    Template.from_json(templates[env_name]).resource_count_is(
        "AWS::EC2::NatGateway", environments[env_name].network.nat_gateways)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_flow_logs_capture_all_traffic_into_a_kms_encrypted_log_group(env_name, templates):
    template = Template.from_json(templates[env_name])
    template.has_resource_properties("AWS::EC2::FlowLog", {
        "ResourceType": "VPC", "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs"})
    template.has_resource_properties("AWS::Logs::LogGroup", {
        "KmsKeyId": {"Fn::GetAtt": [Match.string_like_regexp("FlowLogKey"), "Arn"]},
        "RetentionInDays": Match.any_value()})


def _service_name(value: str | dict) -> str:
    """An endpoint's service name with the region token dropped: ``com.amazonaws.<region>.s3`` -> ``...s3``."""
    if isinstance(value, dict):
        return "".join(part for part in value["Fn::Join"][1] if isinstance(part, str))
    return value


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_endpoints_for_s3_ecr_and_sts_keep_traffic_off_nat(env_name, templates):
    # The Atlas PrivateLink endpoint (cloud/database.py, tests/cloud/test_database.py) is not one of these.
    endpoints = [e for e in resources(templates[env_name], "AWS::EC2::VPCEndpoint").values()
                 if ".vpce-svc-" not in str(e["Properties"]["ServiceName"])]
    kinds = {(_service_name(e["Properties"]["ServiceName"]).rsplit(".", 1)[-1],
              e["Properties"].get("VpcEndpointType", "Gateway")) for e in endpoints}
    assert kinds == {("s3", "Gateway"), ("api", "Interface"), ("dkr", "Interface"), ("sts", "Interface")}
    interfaces = [e for e in endpoints if e["Properties"].get("VpcEndpointType") == "Interface"]
    assert all(e["Properties"]["PrivateDnsEnabled"] is True for e in interfaces)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_default_security_group_is_stripped(env_name, templates):
    assert resources(templates[env_name], "Custom::VpcRestrictDefaultSG")


#: The day-1 settings every cloud environment needs (issue 7), irrelevant to the VPC.
PLATFORM = {"access": {"admin_role_arns": ("arn:aws:iam::111111111111:role/admin",)},
            "dns": {"hosted_zone_id": "Z0123456789ABCDEFGHIJ"}, "gitops": {"repo_url": "https://github.com/x/y.git"}}


@pytest.mark.parametrize(("prefix", "zones"), [(16, 3), (17, 3), (18, 3), (18, 2), (20, 2)])
def test_model_refuses_exactly_the_vpc_ranges_the_cdk_cannot_split(prefix: int, zones: int):
    # The model's layout walk (config/network_layout.py) against aws-cdk-lib's own allocator: the
    # real Network construct either synthesizes with the predicted subnets or fails for lack of space.
    from aws_cdk import aws_ec2 as ec2

    from zacatl_infra.cloud.network import Network
    from zacatl_infra.config import network_layout, presets

    cidr = f"10.0.0.0/{prefix}"
    predicted = network_layout.allocate(cidr, zones)
    env = presets.environment(
        "staging", name="qa", account="111111111111", region="eu-west-1",
        availability_zones=("eu-west-1a", "eu-west-1b", "eu-west-1c")[:zones], domain="qa.example.com", **PLATFORM,
        services=(presets.zacatl_example_backend("staging", image={"tag": "1.0.0"},
                                                 database={"egress_cidrs": ("192.168.248.0/21",)}),),
    ) if predicted else None
    stack = cdk.Stack(cdk.App(), "Vpc", env=cdk.Environment(account="111111111111", region="eu-west-1"))
    if predicted is None:
        with pytest.raises(ConfigError, match=f"has no room for {zones} public /24 and {zones} node /19"):
            presets.environment(
                "staging", name="qa", account="111111111111", region="eu-west-1",
                availability_zones=("eu-west-1a", "eu-west-1b", "eu-west-1c")[:zones], domain="qa.example.com", **PLATFORM,
                network={"vpc_cidr": cidr},
                services=(presets.zacatl_example_backend("staging", image={"tag": "1.0.0"},
                                                         database={"egress_cidrs": ("192.168.248.0/21",)}),))
        # What the CDK does with the same layout: the error the model now prevents.
        with pytest.raises(Exception, match="exceeds remaining space"):
            ec2.Vpc(stack, "Vpc", ip_addresses=ec2.IpAddresses.cidr(cidr),
                    availability_zones=[f"eu-west-1{z}" for z in "abc"[:zones]],
                    subnet_configuration=[
                        ec2.SubnetConfiguration(name="public", subnet_type=ec2.SubnetType.PUBLIC, cidr_mask=24),
                        ec2.SubnetConfiguration(name="nodes", subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS,
                                                cidr_mask=network_layout.NODE_SUBNET_PREFIX)])
        return
    env = env.model_copy(update={"network": env.network.model_copy(update={"vpc_cidr": cidr})})
    network = Network(stack, "Network", env=env)
    template = Template.from_stack(stack).to_json()
    subnets = sorted(r["Properties"]["CidrBlock"] for r in template["Resources"].values()
                     if r["Type"] == "AWS::EC2::Subnet")
    assert subnets == sorted(str(s) for s in predicted)
    assert len(network.vpc.private_subnets) == zones
