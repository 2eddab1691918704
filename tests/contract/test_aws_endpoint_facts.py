"""The AWS API names ``aws_apis`` accepts (``facts/aws_endpoints.py``) against aws-cdk-lib's own list of
interface endpoint services at the pinned release (aws/aws-cdk: aws-ec2/lib/vpc-endpoint.ts,
``InterfaceVpcEndpointAwsService``): every name is one AWS serves as an interface endpoint, on 443,
with private DNS (the usual host name resolving to the endpoint), which the network policies rely on."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2

from zacatl_infra.facts import aws_endpoints


def _cdk_services() -> dict[str, ec2.InterfaceVpcEndpointAwsService]:
    found = {}
    for attribute in dir(ec2.InterfaceVpcEndpointAwsService):
        value = getattr(ec2.InterfaceVpcEndpointAwsService, attribute)
        if isinstance(value, ec2.InterfaceVpcEndpointAwsService):
            found[value.short_name] = value
    return found


def test_every_accepted_api_is_an_interface_endpoint_service_of_the_pinned_cdk():
    services = _cdk_services()
    assert len(services) > 100, "the CDK list was read"
    missing = sorted(set(aws_endpoints.INTERFACE_ENDPOINT_APIS) - set(services))
    assert not missing, missing


def test_every_accepted_api_supports_private_dns_on_443():
    services = _cdk_services()
    for api in aws_endpoints.INTERFACE_ENDPOINT_APIS:
        assert services[api].private_dns_default is True, api
        assert services[api].port == aws_endpoints.PORT, api


def test_prices_are_positive_and_sourced():
    assert 0 < aws_endpoints.INTERFACE_ENDPOINT_HOUR_USD < 1 and 0 < aws_endpoints.INTERFACE_ENDPOINT_GB_USD < 1
    assert all(s.read_on == aws_endpoints.AS_OF for s in (*aws_endpoints.SOURCES, *aws_endpoints.PRICE_SOURCES))
