"""`AwsApiEndpoints`: nothing without a declared API; the platform's `network.team_aws_apis` gets
endpoints too; a team's configuration creates none (its stack has no VPC)."""

from __future__ import annotations

import aws_cdk as cdk
import pytest
from aws_cdk.assertions import Template

from zacatl_infra import naming
from zacatl_infra.cloud.endpoints import AwsApiEndpoints
from zacatl_infra.cloud.network import Network
from zacatl_infra.config import ConfigError, presets

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from .helpers import resources
from .test_network import PLATFORM


def _staging(**fields):
    return presets.environment(
        "staging", name="qa", account="111111111111", region="eu-west-1",
        availability_zones=("eu-west-1a", "eu-west-1b"), domain="qa.example.com", **PLATFORM,
        services=(presets.zacatl_example_backend("staging", image={"tag": "1.0.0"},
                                                 database={"egress_cidrs": ("192.168.248.0/21",)}),),
        **fields)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_no_declared_api_means_no_extra_endpoint_and_no_group(env_name, templates, environments):
    assert naming.aws_api_endpoints(environments[env_name]) == ()
    assert not [k for k in templates[env_name]["Resources"] if k.startswith("AwsApiEndpoints")]


def test_the_platform_creates_the_endpoints_its_teams_declare():
    env = _staging(network={"team_aws_apis": ("sqs", "sts", "kms")})
    assert naming.aws_api_endpoints(env) == ("kms", "sqs", "sts")
    stack = cdk.Stack(cdk.App(), "Endpoints", env=cdk.Environment(account=env.account, region=env.region))
    endpoints = AwsApiEndpoints(stack, "AwsApiEndpoints", env=env, vpc=Network(stack, "Network", env=env).vpc)
    # STS is the network's own endpoint: a second one would clash on its private DNS name.
    assert set(endpoints.endpoints) == {"kms", "sqs"}
    names = sorted(r["Properties"]["ServiceName"] for k, r in
                   resources(Template.from_stack(stack).to_json(), "AWS::EC2::VPCEndpoint").items()
                   if k.startswith("AwsApiEndpoints"))
    assert names == [naming.vpc_endpoint_service_name(env, api) for api in ("kms", "sqs")]


def test_a_teams_configuration_creates_no_endpoint():
    platform = _staging()
    team = platform.model_copy(update={"team": "payments"})
    assert naming.aws_api_endpoints(team) == ()


def test_fails_on_an_unknown_team_api():
    with pytest.raises(ConfigError, match=r"network.team_aws_apis.*'dynamo' is not an AWS API"):
        _staging(network={"team_aws_apis": ("dynamo",)})
