"""The VPC: pinned zones, private nodes, NAT per config, encrypted flow logs, endpoints."""

from __future__ import annotations

import pytest
from aws_cdk.assertions import Match, Template

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
