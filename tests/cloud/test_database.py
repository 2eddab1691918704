"""The cloud side of the database: the Atlas PrivateLink endpoint and the in-cluster root secret."""

from __future__ import annotations

import pytest

from zacatl_infra import naming
from zacatl_infra.facts import atlas

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from .helpers import one, resources


def _subnet_cidrs(template: dict, refs: list[dict]) -> list[str]:
    return sorted(template["Resources"][r["Ref"]]["Properties"]["CidrBlock"] for r in refs)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_atlas_endpoint_sits_in_the_private_subnets_and_admits_only_the_cluster(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    endpoints = [r for r in resources(template, "AWS::EC2::VPCEndpoint").values()
                 if ".vpce-svc-" in str(r["Properties"]["ServiceName"])]
    if env.database.kind != "atlas":
        assert endpoints == []
        return
    (endpoint,) = endpoints
    props = endpoint["Properties"]
    assert props["ServiceName"] == env.database.atlas.endpoint_service_name
    assert props["VpcEndpointType"] == "Interface" and props["PrivateDnsEnabled"] is False
    # The workload layer's egress names exactly these ranges (naming.private_subnet_cidrs).
    assert _subnet_cidrs(template, props["SubnetIds"]) == sorted(naming.private_subnet_cidrs(env))
    (group_ref,) = props["SecurityGroupIds"]
    group = template["Resources"][group_ref["Fn::GetAtt"][0]]["Properties"]
    (rule,) = group["SecurityGroupIngress"]
    cluster_id, _ = one(template, "AWS::EKS::Cluster", Name=naming.cluster_name(env))
    assert rule["SourceSecurityGroupId"] == {"Fn::GetAtt": [cluster_id, "ClusterSecurityGroupId"]}
    assert (rule["IpProtocol"], rule["FromPort"], rule["ToPort"]) == ("tcp", *atlas.PRIVATE_ENDPOINT_PORTS)
    assert "CidrIp" not in rule


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_template_private_subnets_are_the_ranges_naming_derives(env_name, templates, environments):
    env = environments[env_name]
    private = [r["Properties"] for r in resources(templates[env_name], "AWS::EC2::Subnet").values()
               if {"Key": "aws-cdk:subnet-type", "Value": "Private"} in r["Properties"].get("Tags", [])]
    ordered = [p["CidrBlock"] for p in sorted(private, key=lambda p: p["AvailabilityZone"])]
    assert ordered == list(naming.private_subnet_cidrs(env))


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_in_cluster_database_has_a_generated_retained_root_secret(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    secrets = [r for r in resources(template, "AWS::SecretsManager::Secret").values()
               if r["Properties"]["Name"] == naming.in_cluster_database_secret_id(env)]
    if env.database.kind != "in_cluster":
        assert secrets == []
        return
    (secret,) = secrets
    generate = secret["Properties"]["GenerateSecretString"]
    assert generate["GenerateStringKey"] == "password" and generate["ExcludePunctuation"] is True
    assert '"username": "root"' in generate["SecretStringTemplate"]
    assert "KmsKeyId" in secret["Properties"] and secret["DeletionPolicy"] == "Retain"
