"""The cross-layer contract of AWS API access: every AWS API a service declares has a VPC endpoint in
the same environment's template, and that service's egress is exactly the Pod Identity agent plus
the VPC range on 443 (plus the internet on 443 only with ``aws_apis_over_internet``).

The committed environments declare no AWS API yet, so the contract is also proven on the prod
environment with three such services added, synthesized once per run through the real path
(``synth.synth_cloud``: cdk-nag AwsSolutions and the EKS rules fail the synth on any open finding)
by the session's variants process (tests/variants.py), and judged in the same cfn-lint and checkov
runs as the committed templates.

Facts: ``zacatl_infra.facts.aws_endpoints`` (why S3 needs an interface endpoint with private DNS for
all resolvers), ``facts.eks_pod_identity`` (the agent's addresses).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zacatl_infra import naming
from zacatl_infra.cloud.endpoints import NETWORK_ENDPOINTS
from zacatl_infra.config import EnvironmentConfig, presets
from zacatl_infra.config.service import NON_INTERNET_IPV4
from zacatl_infra.facts import aws_endpoints, eks_pod_identity
from zacatl_infra.k8s.charts import environment_app

from ..checks.reports import cfn_lint_part, checkov_part
from ..checks.test_cloud_cfn_lint import ALLOWED_WARNINGS
from ..cloud.helpers import resources
from ..conftest import CLOUD_ENVIRONMENT_NAMES, RenderedEnvironment
from ..variants import AWS_APIS

AGENT = {(f"{eks_pod_identity.AGENT_IPV4}/32", eks_pod_identity.AGENT_PORT),
         (f"{eks_pod_identity.AGENT_IPV6}/128", eks_pod_identity.AGENT_PORT)}


def _with_aws_callers(env: EnvironmentConfig) -> EnvironmentConfig:
    tier, tag = env.tier, {"digest": "sha256:" + "c" * 64}
    worker = {"component": "worker", "image": tag, "health": {"readiness_path": None}, "needs_aws_role": True}
    added = (
        presets.service(tier, name="uploads", aws_apis=("s3", "sqs"), **worker),
        presets.service(tier, name="notifier", aws_apis=("sns", "sqs", "sts"), **worker),
        presets.service(tier, name="ocr", aws_apis=("s3",),
                        aws_apis_over_internet={"reason": "Amazon Textract: called rarely, no endpoint paid for"},
                        **worker),
    )
    data = env.model_dump()
    data["services"] = [s.model_dump() for s in (*env.services, *added)]
    return EnvironmentConfig.model_validate(data)


@pytest.fixture(scope="module")
def extended(environments, variants) -> tuple[EnvironmentConfig, dict, RenderedEnvironment, Path]:
    env = _with_aws_callers(environments["prod"])
    # synth_cloud([env], ...) in tests/variants.py: it fails when cdk-nag or the EKS rules report an open finding.
    template_path = variants.folder(AWS_APIS) / f"{naming.stack_name(env)}.template.json"
    workloads = RenderedEnvironment({"all.yaml": environment_app(env, Path("/n")).synth_yaml()})
    return env, json.loads(template_path.read_text()), workloads, template_path


def _service_name(value: str | dict) -> str:
    """A literal endpoint service name, or the CDK's ``Fn::Join`` of one with the region token resolved."""
    if isinstance(value, dict):
        return "".join(p if isinstance(p, str) else "<region>" for p in value["Fn::Join"][1])
    return value


def _endpoints_by_api(env: EnvironmentConfig, template: dict) -> dict[str, list[dict]]:
    found: dict[str, list[dict]] = {}
    for endpoint in resources(template, "AWS::EC2::VPCEndpoint").values():
        name = _service_name(endpoint["Properties"]["ServiceName"])
        for api in aws_endpoints.INTERFACE_ENDPOINT_APIS:
            if name in (naming.vpc_endpoint_service_name(env, api), f"com.amazonaws.<region>.{api}"):
                found.setdefault(api, []).append(endpoint["Properties"])
    return found


def _interface(endpoints: list[dict]) -> dict:
    (interface,) = [e for e in endpoints if e.get("VpcEndpointType") == "Interface"]
    return interface


def _assert_every_declared_api_has_an_interface_endpoint(env: EnvironmentConfig, template: dict) -> int:
    by_api = _endpoints_by_api(env, template)
    private_subnets = {k for k, r in resources(template, "AWS::EC2::Subnet").items()
                       if not r["Properties"].get("MapPublicIpOnLaunch") and
                       any(t == {"Key": "aws-cdk:subnet-type", "Value": "Private"} for t in r["Properties"]["Tags"])}
    checked = 0
    for spec in env.services:
        for api in spec.aws_apis:
            endpoint = _interface(by_api.get(api, []))
            assert endpoint["PrivateDnsEnabled"] is True, (spec.name, api)
            assert {s["Ref"] for s in endpoint["SubnetIds"]} == private_subnets, (spec.name, api)
            if api in aws_endpoints.GATEWAY_TOO:
                # Without it AWS keeps in-VPC names on the gateway's public addresses (facts.aws_endpoints).
                assert endpoint["DnsOptions"] == {"PrivateDnsOnlyForInboundResolverEndpoint": "AllResolvers"}
            checked += 1
    return checked


def _egress(rendered: RenderedEnvironment, name: str) -> set[tuple[str, int]]:
    spec = rendered.one("NetworkPolicy", name)["spec"]
    return {(peer["ipBlock"]["cidr"], port["port"]) for rule in spec.get("egress", [])
            for peer in rule["to"] if "ipBlock" in peer for port in rule["ports"]}


# --- the committed environments -------------------------------------------------------------
@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_committed_environments_have_an_endpoint_for_every_declared_api(env_name, templates, environments, workloads):
    env = environments[env_name]
    _assert_every_declared_api_has_an_interface_endpoint(env, templates[env_name])
    for spec in env.services:
        if spec.needs_aws_role:
            expected = AGENT | {(env.network.vpc_cidr, aws_endpoints.PORT)}
            if spec.aws_apis_over_internet is not None:
                expected |= {("0.0.0.0/0", aws_endpoints.PORT)}
            opened = {(cidr, port) for cidr, port in _egress(workloads[env_name], spec.name)
                      if port in (eks_pod_identity.AGENT_PORT, aws_endpoints.PORT)}
            assert opened == expected, spec.name


# --- prod with three AWS callers added --------------------------------------------------------
def test_every_declared_api_has_one_private_dns_interface_endpoint_in_the_node_subnets(extended):
    env, template, _, _ = extended
    assert _assert_every_declared_api_has_an_interface_endpoint(env, template) == 6
    by_api = _endpoints_by_api(env, template)
    # One endpoint per API, shared by every service that declares it; the network's STS is reused.
    assert all(len([e for e in found if e.get("VpcEndpointType") == "Interface"]) == 1 for found in by_api.values())
    assert set(by_api) == {"s3", "sqs", "sns", "sts"} | NETWORK_ENDPOINTS
    # The free gateway endpoint stays for S3's public addresses (nodes, tools outside the policies).
    assert {e.get("VpcEndpointType", "Gateway") for e in by_api["s3"]} == {"Gateway", "Interface"}


def test_the_vpc_resolves_the_endpoints_private_dns_names(extended):
    # AWS PrivateLink Guide, "Create an interface endpoint" (read 2026-11-29): private DNS needs both
    # DNS attributes of the VPC on; without them the SDK's host names keep resolving to public addresses.
    _, template, _, _ = extended
    (vpc,) = resources(template, "AWS::EC2::VPC").values()
    assert vpc["Properties"]["EnableDnsHostnames"] is True and vpc["Properties"]["EnableDnsSupport"] is True


def test_the_endpoints_admit_https_from_the_vpc_only(extended):
    env, template, _, _ = extended
    by_api = _endpoints_by_api(env, template)
    groups = {g["Fn::GetAtt"][0] for api in ("s3", "sqs", "sns") for g in _interface(by_api[api])["SecurityGroupIds"]}
    (group_id,) = groups
    group = template["Resources"][group_id]["Properties"]
    assert {"Key": "Name", "Value": naming.aws_api_endpoints_security_group(env)} in group["Tags"]
    (ingress,) = group["SecurityGroupIngress"]
    assert (ingress["CidrIp"], ingress["IpProtocol"], ingress["FromPort"], ingress["ToPort"]) == (
        env.network.vpc_cidr, "tcp", aws_endpoints.PORT, aws_endpoints.PORT)
    # allow_all_outbound=False: the CDK's placeholder rule that matches no traffic (ICMP type 252 to 255.255.255.255).
    (egress,) = group["SecurityGroupEgress"]
    assert egress["CidrIp"] == "255.255.255.255/32"
    assert not [r for r in resources(template, "AWS::EC2::SecurityGroupIngress").values()
                if r["Properties"].get("GroupId") == {"Fn::GetAtt": [group_id, "GroupId"]}]


def test_each_aws_caller_egress_is_exactly_the_agent_and_the_vpc_on_443(extended):
    env, _, workloads, _ = extended
    vpc = (env.network.vpc_cidr, aws_endpoints.PORT)
    assert _egress(workloads, "uploads") == AGENT | {vpc}
    assert _egress(workloads, "notifier") == AGENT | {vpc}
    # The opt-in adds public addresses on 443, and nothing else.
    assert _egress(workloads, "ocr") == AGENT | {vpc, ("0.0.0.0/0", aws_endpoints.PORT)}
    public = [peer["ipBlock"] for rule in workloads.one("NetworkPolicy", "ocr")["spec"]["egress"]
              for peer in rule["to"] if peer["ipBlock"]["cidr"] == "0.0.0.0/0"]
    assert public == [{"cidr": "0.0.0.0/0", "except": list(NON_INTERNET_IPV4)}]


@pytest.mark.check
def test_the_extended_template_passes_cfn_lint(extended, cfn_lint_result):
    *_, path = extended
    part = cfn_lint_part(cfn_lint_result, path.parent)
    # The prod stack and, as prod replicates its backups, its DR stack.
    assert part.linted == sorted(path.parent.glob("*.template.json")) and path in part.linted
    assert not part.errors, part.errors
    assert {f["Rule"]["Id"] for f in part.findings} <= set(ALLOWED_WARNINGS), part.findings


@pytest.mark.check
def test_the_extended_template_passes_checkov(extended, checkov_reports):
    env, template, _, path = extended
    part = checkov_part(checkov_reports, "cloudformation", path.parent)
    assert not part.failed, "\n".join(part.failures())
    assert part.passed and not part.parsing_errors and part.files == set(path.parent.glob("*.template.json"))
    # What this template adds was judged, not only what every prod stack has: checkov has no check
    # on AWS::EC2::VPCEndpoint itself, so the endpoints' security group stands for them.
    groups = {g["Fn::GetAtt"][0] for e in resources(template, "AWS::EC2::VPCEndpoint").values()
              for g in e["Properties"].get("SecurityGroupIds", [])}
    assert groups and {f"AWS::EC2::SecurityGroup.{g}" for g in groups} <= part.resources, groups
