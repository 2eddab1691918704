"""Network policies as rendered: default deny, DNS, the load balancer, callers, the database, upstreams, the
internet and AWS. What the rules allow as a whole is checked by tests/contract/test_network_reachability.py."""

from __future__ import annotations

from pathlib import Path

import pytest

from zacatl_infra import naming
from zacatl_infra.config import presets
from zacatl_infra.config.service import NON_INTERNET_IPV4
from zacatl_infra.k8s import network_policy
from zacatl_infra.k8s.charts import environment_app
from zacatl_infra.k8s.labels import selector_labels
from zacatl_infra.k8s.platform import INGRESS_NGINX_NAMESPACE, MONITORING_NAMESPACE

from ..conftest import ENVIRONMENT_NAMES, load_all


def _namespace_peer(name):
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": name}}, "podSelector": {}}


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_namespace_denies_all_ingress_and_egress_by_default(workloads, env_name):
    deny = workloads[env_name].one("NetworkPolicy", "default-deny")["spec"]
    assert deny["podSelector"] == {}
    assert sorted(deny["policyTypes"]) == ["Egress", "Ingress"]
    assert "ingress" not in deny and "egress" not in deny


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_every_pod_may_reach_cluster_dns_on_53_udp_and_tcp(workloads, env_name):
    dns = workloads[env_name].one("NetworkPolicy", "allow-dns")["spec"]
    assert dns["podSelector"] == {} and dns["policyTypes"] == ["Egress"]
    (rule,) = dns["egress"]
    assert {(p["protocol"], p["port"]) for p in rule["ports"]} == {("UDP", 53), ("TCP", 53)}
    assert rule["to"] == [{"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "kube-system"}},
                           "podSelector": {"matchLabels": {"k8s-app": "kube-dns"}}}]


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_service_port_is_open_to_the_load_balancer_subnets_prometheus_and_callers_only(
        workloads, environments, env_name):
    env = environments[env_name]
    for spec in env.services:
        policy = workloads[env_name].one("NetworkPolicy", spec.name)["spec"]
        deployment = workloads[env_name].one("Deployment", spec.name)
        assert policy["podSelector"] == deployment["spec"]["selector"]
        peers = [peer for rule in policy["ingress"] for peer in rule["from"]]
        assert all(rule["ports"] == [{"port": spec.container_port, "protocol": "TCP"}] for rule in policy["ingress"])
        if spec.ingress_path is None:
            controller = []
        elif env.is_local:
            controller = [_namespace_peer(INGRESS_NGINX_NAMESPACE)]
        else:
            controller = [{"ipBlock": {"cidr": cidr}} for cidr in naming.public_subnet_cidrs(env)]
        callers = [{"podSelector": {"matchLabels": selector_labels(c)}} for c in network_policy.callers(env, spec)]
        assert peers == controller + [_namespace_peer(MONITORING_NAMESPACE)] + callers


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_service_egress_is_the_database_and_upstreams_only(workloads, environments, env_name):
    for spec in environments[env_name].services:
        policy = workloads[env_name].one("NetworkPolicy", spec.name)["spec"]
        assert "Egress" in policy["policyTypes"]
        env = environments[env_name]
        allowed = {(peer["ipBlock"]["cidr"] if "ipBlock" in peer else str(dict(sorted(peer["podSelector"]["matchLabels"].items()))),
                    port["port"], port.get("endPort")) for rule in policy.get("egress", [])
                   for peer in rule["to"] for port in rule["ports"]}
        expected = {(cidr, spec.database.port, None) for cidr in spec.database.egress_cidrs} if spec.database else set()
        if spec.database and env.database.kind == "in_cluster":
            expected.add((str(dict(sorted(DATABASE_LABELS.items()))), 27017, None))
        elif spec.database:  # Atlas: the PrivateLink endpoint's subnets on Atlas's port range (facts.atlas)
            expected |= {(cidr, 1024, 65535) for cidr in naming.private_subnet_cidrs(env)}
        expected |= {(u.cidr, u.port, None) for u in spec.upstreams}
        assert not spec.internet_egress and not spec.needs_aws_role  # the committed services need neither
        assert allowed == expected


from zacatl_infra.k8s.database import DATABASE_LABELS  # noqa: E402


def _render(env):
    docs = environment_app(env, Path("/nonexistent")).synth_yaml()
    return {d["metadata"]["name"]: d["spec"] for d in load_all(docs) if d and d["kind"] == "NetworkPolicy"}


def _staging(*services):
    return presets.environment("staging", name="qa", account="111111111111", region="eu-west-1",
                               availability_zones=("eu-west-1a", "eu-west-1b"), domain="qa.example.com",
                               access={"admin_role_arns": ("arn:aws:iam::111111111111:role/admin",)},
                               dns={"hosted_zone_id": "Z0123456789ABCDEFGHIJ"},
                               gitops={"repo_url": "https://github.com/x/y.git"}, services=services)


def test_database_and_external_upstreams_become_ip_block_egress_rules():
    service = presets.zacatl_example_backend(
        "staging", image={"tag": "1.0.0"},
        database={"name": "greetings", "egress_cidrs": ("192.168.10.0/24",)},
        upstreams=({"name": "billing", "cidr": "172.20.30.0/24", "port": 8443},),
    )
    policy = _render(_staging(service))[service.name]
    assert policy["egress"] == [
        # The staging preset's database is in the cluster: its pods first, then the extra range.
        {"to": [{"podSelector": {"matchLabels": DATABASE_LABELS}}], "ports": [{"port": 27017, "protocol": "TCP"}]},
        {"to": [{"ipBlock": {"cidr": "192.168.10.0/24"}}], "ports": [{"port": 27017, "protocol": "TCP"}]},
        {"to": [{"ipBlock": {"cidr": "172.20.30.0/24"}}], "ports": [{"port": 8443, "protocol": "TCP"}]},
    ]


def test_a_service_upstream_renders_egress_on_the_caller_and_ingress_on_the_callee():
    callee = presets.service("staging", name="ledger-api", image={"tag": "1.0.0"}, container_port=9000,
                             health={"readiness_path": "/ready"}, ingress_path=None)
    caller = presets.service("staging", name="checkout-api", image={"tag": "1.0.0"},
                             health={"readiness_path": "/ready"}, upstreams=({"name": "ledger-api"},))
    policies = _render(_staging(caller, callee))
    assert {"to": [{"podSelector": {"matchLabels": selector_labels(callee)}}],
            "ports": [{"port": 9000, "protocol": "TCP"}]} in policies["checkout-api"]["egress"]
    assert {"from": [{"podSelector": {"matchLabels": selector_labels(caller)}}],
            "ports": [{"port": 9000, "protocol": "TCP"}]} in policies["ledger-api"]["ingress"]


def test_internet_egress_excludes_every_private_range_and_opens_only_its_ports():
    service = presets.service("staging", name="payments-api", image={"tag": "1.0.0"},
                              health={"readiness_path": "/ready"},
                              internet_egress={"ports": (443,), "reason": "Stripe API for card payments"})
    (rule,) = _render(_staging(service))["payments-api"]["egress"]
    assert rule["ports"] == [{"port": 443, "protocol": "TCP"}]
    (peer,) = rule["to"]
    assert peer["ipBlock"]["cidr"] == "0.0.0.0/0"
    assert set(peer["ipBlock"]["except"]) == set(NON_INTERNET_IPV4)


def _opened(rules):
    return {(peer["ipBlock"]["cidr"], port["port"]) for rule in rules for peer in rule["to"] for port in rule["ports"]}


def test_an_aws_role_opens_exactly_the_pod_identity_agent_and_the_vpc_endpoints_on_443():
    from zacatl_infra.facts import eks_pod_identity

    service = presets.service("staging", name="uploads-api", image={"tag": "1.0.0"},
                              health={"readiness_path": "/ready"}, needs_aws_role=True, aws_apis=("s3", "sqs"))
    rules = _render(_staging(service))["uploads-api"]["egress"]
    # EKS user guide, pod-id-agent-setup: the agent listens on 169.254.170.23 and [fd00:ec2::23], port 80.
    # The interface endpoints of aws_apis answer on VPC addresses (cloud/endpoints.py); nothing public.
    assert _opened(rules) == {
        (f"{eks_pod_identity.AGENT_IPV4}/32", 80), (f"{eks_pod_identity.AGENT_IPV6}/128", 80), ("10.0.0.0/16", 443),
    }


def test_aws_apis_over_the_internet_adds_public_addresses_on_443_only():
    service = presets.service("staging", name="ocr-worker", image={"tag": "1.0.0"}, component="worker",
                              health={"readiness_path": None}, needs_aws_role=True,
                              aws_apis_over_internet={"reason": "Amazon Textract, no endpoint declared here"})
    rules = _render(_staging(service))["ocr-worker"]["egress"]
    public = [peer["ipBlock"] for rule in rules for peer in rule["to"] if peer["ipBlock"]["cidr"] == "0.0.0.0/0"]
    assert public == [{"cidr": "0.0.0.0/0", "except": list(NON_INTERNET_IPV4)}]
    assert ("0.0.0.0/0", 443) in _opened(rules) and ("10.0.0.0/16", 443) in _opened(rules)
    assert {port for _, port in _opened(rules)} == {80, 443}
