"""Who can reach whom, evaluated over the rendered NetworkPolicies of each environment as the API
defines them (``reachability.allowed``), not by reading the rule shapes.

Two views of every environment:
- as committed (session fixture ``workloads``): DNS, the load balancer's subnets, Prometheus, the
  database;
- the same environment with three services added (rendered once per environment here): a caller
  that lists the reference service as its upstream, has an AWS role and calls an internet API, a
  worker that declares nothing, and an uploader with an AWS role that calls S3 and SQS through the
  VPC endpoints only. The committed environments run one service, so this is where caller ->
  callee pairs, undeclared pairs, the Pod Identity agent, AWS APIs and internet egress are proven.
"""

from __future__ import annotations

import ipaddress
from pathlib import Path

import pytest

from zacatl_infra import naming
from zacatl_infra.config import EnvironmentConfig, presets
from zacatl_infra.facts import eks_pod_identity
from zacatl_infra.k8s.charts import environment_app
from zacatl_infra.k8s.labels import service_labels
from zacatl_infra.k8s.network_policy import callers
from zacatl_infra.k8s.platform import DNS_NAMESPACE, DNS_POD_LABELS, DNS_PORT, INGRESS_NGINX_NAMESPACE, MONITORING_NAMESPACE

from ..conftest import CLOUD_ENVIRONMENT_NAMES, ENVIRONMENT_NAMES, RenderedEnvironment
from .reachability import External, Pod, allowed

#: An address on the public internet (TEST-NET-3 is documentation space, but it is not private:
#: NetworkPolicy sees it as any other public address).
PUBLIC_IP = "203.0.113.10"
CORE_DNS = Pod(DNS_NAMESPACE, DNS_POD_LABELS)
PROMETHEUS = Pod(MONITORING_NAMESPACE, {"app.kubernetes.io/name": "prometheus"})
INGRESS_NGINX = Pod(INGRESS_NGINX_NAMESPACE, {"app.kubernetes.io/name": "ingress-nginx"})
POD_IDENTITY_AGENT = External(eks_pod_identity.AGENT_IPV4)


def _pod(env: EnvironmentConfig, name: str) -> Pod:
    return Pod(naming.namespace(env), service_labels(env, env.service(name)))


def _policies(rendered: RenderedEnvironment) -> list[dict]:
    return rendered.find("NetworkPolicy")


def _first_host(cidr: str) -> str:
    return str(next(ipaddress.ip_network(cidr).hosts()))


def _with_caller_and_worker(env: EnvironmentConfig) -> EnvironmentConfig:
    reference = env.services[0]
    tier = env.tier
    tag = {"tag": "1.0.0"}
    caller = presets.service(
        tier, name="checkout-api", image=tag, health={"readiness_path": "/ready"}, ingress_path=None,
        upstreams=({"name": reference.name},), needs_aws_role=True, aws_apis=("sts",),
        internet_egress={"ports": (443,), "reason": "Stripe API for card payments"},
    )
    worker = presets.service(tier, name="mailer", component="worker", image=tag, health={"readiness_path": None})
    uploader = presets.service(tier, name="uploads", component="worker", image=tag, health={"readiness_path": None},
                               needs_aws_role=True, aws_apis=("s3", "sqs"))
    data = env.model_dump()
    data["services"] = [s.model_dump() for s in (*env.services, caller, worker, uploader)]
    return EnvironmentConfig.model_validate(data)


@pytest.fixture(scope="module")
def extended(environments) -> dict[str, tuple[EnvironmentConfig, RenderedEnvironment]]:
    result = {}
    for name, env in environments.items():
        bigger = _with_caller_and_worker(env)
        result[name] = (bigger, RenderedEnvironment({"all.yaml": environment_app(bigger, Path("/n")).synth_yaml()}))
    return result


# --- the committed environments -------------------------------------------------------------
@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_every_service_resolves_names_through_cluster_dns(workloads, environments, env_name):
    env, policies = environments[env_name], _policies(workloads[env_name])
    for spec in env.services:
        pod = _pod(env, spec.name)
        assert allowed(policies, pod, CORE_DNS, DNS_PORT, "UDP")
        assert allowed(policies, pod, CORE_DNS, DNS_PORT, "TCP")
        assert not allowed(policies, pod, CORE_DNS, 8080), "only port 53 of CoreDNS is open"
        assert not allowed(policies, pod, Pod(DNS_NAMESPACE, {"k8s-app": "metrics-server"}), DNS_PORT, "UDP")


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_alb_subnets_reach_exactly_the_services_with_an_ingress(workloads, environments, env_name):
    env, policies = environments[env_name], _policies(workloads[env_name])
    subnets = naming.public_subnet_cidrs(env)
    assert subnets
    for spec in env.services:
        pod = _pod(env, spec.name)
        for cidr in subnets:
            assert allowed(policies, External(_first_host(cidr)), pod, spec.container_port) is (
                spec.ingress_path is not None)
        # The rest of the VPC (nodes, other pods by address) is not the load balancer.
        vpc = ipaddress.ip_network(env.network.vpc_cidr)
        private = next(ip for ip in vpc.hosts() if not any(ip in ipaddress.ip_network(c) for c in subnets))
        assert not allowed(policies, External(str(private)), pod, spec.container_port)
        assert not allowed(policies, External(PUBLIC_IP), pod, spec.container_port)


def test_the_laptop_ingress_controller_reaches_the_services_with_an_ingress(workloads, environments):
    env, policies = environments["local"], _policies(workloads["local"])
    for spec in env.services:
        assert allowed(policies, INGRESS_NGINX, _pod(env, spec.name), spec.container_port) is (
            spec.ingress_path is not None)


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_prometheus_scrapes_every_service_and_nothing_else_gets_in(workloads, environments, env_name):
    env, policies = environments[env_name], _policies(workloads[env_name])
    stranger = Pod("default", {"app": "curl"})
    for spec in env.services:
        pod = _pod(env, spec.name)
        assert allowed(policies, PROMETHEUS, pod, spec.container_port)
        assert not allowed(policies, PROMETHEUS, pod, spec.container_port + 1)
        assert not allowed(policies, stranger, pod, spec.container_port)


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_services_reach_their_database_and_only_on_its_port(workloads, environments, env_name):
    env, policies = environments[env_name], _policies(workloads[env_name])
    for spec in env.services:
        pod = _pod(env, spec.name)
        assert spec.database is not None
        for cidr in spec.database.egress_cidrs:
            assert allowed(policies, pod, External(_first_host(cidr)), spec.database.port)
            assert not allowed(policies, pod, External(_first_host(cidr)), 22)
        assert not allowed(policies, pod, External(PUBLIC_IP), 443), "no internet without internet_egress"
        assert not allowed(policies, pod, POD_IDENTITY_AGENT, eks_pod_identity.AGENT_PORT)


# --- the same environments with a caller and a worker added --------------------------------
@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_each_declared_caller_reaches_its_callee_in_both_policies(extended, env_name):
    env, rendered = extended[env_name]
    policies = _policies(rendered)
    pairs = [(caller.name, spec) for spec in env.services for caller in callers(env, spec)]
    assert pairs, "the extended environment declares a caller"
    for caller_name, callee in pairs:
        caller, target = _pod(env, caller_name), _pod(env, callee.name)
        assert allowed(policies, caller, target, callee.container_port)
        assert not allowed(policies, caller, target, callee.container_port + 1)
        # A declaration is one-way: the callee may not open connections back.
        assert not allowed(policies, target, caller, env.service(caller_name).container_port)


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_every_undeclared_pair_of_services_is_denied(extended, env_name):
    env, rendered = extended[env_name]
    policies = _policies(rendered)
    declared = {(c.name, s.name) for s in env.services for c in callers(env, s)}
    undeclared = [(a, b) for a in env.services for b in env.services if a is not b and (a.name, b.name) not in declared]
    assert ("mailer", env.services[0].name) in {(a.name, b.name) for a, b in undeclared}
    for source, target in undeclared:
        assert not allowed(policies, _pod(env, source.name), _pod(env, target.name), target.container_port), (
            f"{source.name} -> {target.name} is not declared but allowed")


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_a_service_with_an_aws_role_reaches_the_pod_identity_agent(extended, env_name):
    env, rendered = extended[env_name]
    policies = _policies(rendered)
    for spec in env.services:
        pod = _pod(env, spec.name)
        reaches = allowed(policies, pod, POD_IDENTITY_AGENT, eks_pod_identity.AGENT_PORT)
        assert reaches is spec.needs_aws_role, spec.name
        assert allowed(policies, pod, External(eks_pod_identity.AGENT_IPV6), eks_pod_identity.AGENT_PORT) is (
            spec.needs_aws_role)
        # AWS APIs: the interface endpoints in the VPC (cloud/endpoints.py), on 443 only.
        endpoint = External(_first_host(env.network.vpc_cidr))
        assert allowed(policies, pod, endpoint, 443) is spec.needs_aws_role
        assert not allowed(policies, pod, endpoint, 80)
        assert not allowed(policies, pod, External("169.254.169.254"), 80), "never the instance metadata service"


#: An address in S3's eu-west-1 range 52.218.0.0/17 (AWS CLI reference, ec2 describe-prefix-lists
#: example: pl-6da54004 com.amazonaws.eu-west-1.s3; ip-ranges.json lists it as service S3, region
#: eu-west-1; read 2026-11-29): where the S3 gateway endpoint sends a pod, which no policy may allow.
S3_PUBLIC_IP = "52.218.0.10"


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_aws_apis_are_reached_through_the_vpc_endpoints_and_never_over_the_internet(extended, env_name):
    env, rendered = extended[env_name]
    policies = _policies(rendered)
    pod = _pod(env, "uploads")
    vpc = ipaddress.ip_network(env.network.vpc_cidr)
    # The endpoints' network interfaces sit in the node subnets: any VPC address on 443 is reachable.
    for address in (_first_host(str(vpc)), str(vpc.broadcast_address - 1)):
        assert allowed(policies, pod, External(address), 443), address
        assert not allowed(policies, pod, External(address), 80), address
    assert allowed(policies, pod, POD_IDENTITY_AGENT, eks_pod_identity.AGENT_PORT)
    for public in (PUBLIC_IP, S3_PUBLIC_IP):
        assert not allowed(policies, pod, External(public), 443), f"{public}: AWS APIs only through the endpoints"


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_internet_egress_opens_its_ports_to_public_addresses_only(extended, env_name):
    env, rendered = extended[env_name]
    policies = _policies(rendered)
    caller = env.service("checkout-api")
    pod = _pod(env, caller.name)
    assert allowed(policies, pod, External(PUBLIC_IP), 443)
    assert not allowed(policies, pod, External(PUBLIC_IP), 80)
    for private in ("172.16.0.10", "192.168.0.10", "100.64.0.10"):
        assert not allowed(policies, pod, External(private), 443), private
    assert not allowed(policies, _pod(env, "mailer"), External(PUBLIC_IP), 443)


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_every_added_service_still_resolves_names(extended, env_name):
    env, rendered = extended[env_name]
    for spec in env.services:
        assert allowed(_policies(rendered), _pod(env, spec.name), CORE_DNS, DNS_PORT, "UDP")
