"""The optional way into a private-only endpoint: an SSM Session Manager host with no inbound port."""

from __future__ import annotations

import json

import pytest

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from .helpers import resources


def _host(template: dict) -> dict[str, dict]:
    return {k: r for k, r in template["Resources"].items() if k.startswith("SessionManagerHost")}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_session_host_exactly_where_configured(env_name, templates, environments):
    env = environments[env_name]
    assert bool(_host(templates[env_name])) is env.access.session_manager_host
    # The private-only endpoint (prod) must have a way in.
    if not env.cluster.public_endpoint_cidrs:
        assert env.access.session_manager_host


def test_prod_session_host_opens_no_port_and_holds_no_cluster_access(templates):
    template = templates["prod"]
    host = _host(template)
    (instance,) = [r["Properties"] for r in host.values() if r["Type"] == "AWS::EC2::Instance"]
    (group_id,) = [k for k, r in host.items() if r["Type"] == "AWS::EC2::SecurityGroup"]
    assert "SecurityGroupIngress" not in template["Resources"][group_id]["Properties"]
    assert not [r for r in resources(template, "AWS::EC2::SecurityGroupIngress").values()
                if r["Properties"]["GroupId"] == {"Fn::GetAtt": [group_id, "GroupId"]}]
    subnets = {k for k, r in resources(template, "AWS::EC2::Subnet").items() if "nodes" in k.lower()}
    (interface,) = instance["NetworkInterfaces"]
    assert interface["SubnetId"]["Ref"] in subnets and interface["AssociatePublicIpAddress"] is False
    assert interface["GroupSet"] == [{"Fn::GetAtt": [group_id, "GroupId"]}]
    assert instance["DisableApiTermination"] is True
    assert all(b["Ebs"]["Encrypted"] for b in instance["BlockDeviceMappings"])
    (template_id,) = [k for k, r in host.items() if r["Type"] == "AWS::EC2::LaunchTemplate"]
    assert template["Resources"][template_id]["Properties"]["LaunchTemplateData"]["MetadataOptions"]["HttpTokens"] == "required"
    (role_id,) = [k for k, r in host.items() if r["Type"] == "AWS::IAM::Role"]
    entries = json.dumps([e["Properties"]["PrincipalArn"] for e in resources(template, "AWS::EKS::AccessEntry").values()])
    assert role_id not in entries, "the host's own role must not reach the cluster"
    # It reaches the API endpoint on 443 (operators bring their admin role into the session).
    assert [r for r in resources(template, "AWS::EC2::SecurityGroupIngress").values()
            if r["Properties"].get("SourceSecurityGroupId") == {"Fn::GetAtt": [group_id, "GroupId"]}
            and r["Properties"]["FromPort"] == 443]
