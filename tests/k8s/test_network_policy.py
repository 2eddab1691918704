"""Network policies: default deny, DNS, ingress from the controller and Prometheus, egress to the database."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from zacatl_infra.config import presets
from zacatl_infra.k8s.charts import environment_app
from zacatl_infra.k8s.platform import INGRESS_NGINX_NAMESPACE, MONITORING_NAMESPACE

from ..conftest import ENVIRONMENT_NAMES


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
def test_service_port_is_open_to_the_ingress_controller_and_prometheus_only(workloads, environments, env_name):
    env = environments[env_name]
    for spec in env.services:
        policy = workloads[env_name].one("NetworkPolicy", spec.name)["spec"]
        deployment = workloads[env_name].one("Deployment", spec.name)
        assert policy["podSelector"] == deployment["spec"]["selector"]
        peers = [peer for rule in policy["ingress"] for peer in rule["from"]]
        assert all(rule["ports"] == [{"port": spec.container_port, "protocol": "TCP"}] for rule in policy["ingress"])
        controller = (_namespace_peer(INGRESS_NGINX_NAMESPACE) if env.is_local
                      else {"ipBlock": {"cidr": env.network.vpc_cidr}})
        expected = ([controller] if spec.ingress_path is not None else []) + [_namespace_peer(MONITORING_NAMESPACE)]
        assert peers == expected


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_service_egress_is_the_database_and_upstreams_only(workloads, environments, env_name):
    for spec in environments[env_name].services:
        policy = workloads[env_name].one("NetworkPolicy", spec.name)["spec"]
        assert "Egress" in policy["policyTypes"]
        allowed = {(peer["ipBlock"]["cidr"], port["port"]) for rule in policy.get("egress", [])
                   for peer in rule["to"] for port in rule["ports"]}
        expected = {(cidr, spec.database.port) for cidr in spec.database.egress_cidrs} if spec.database else set()
        expected |= {(u.cidr, u.port) for u in spec.upstreams}
        assert allowed == expected


def test_database_and_upstream_cidrs_become_egress_rules():
    # The committed environments list no database CIDRs; this one does, so the rule shape is checked.
    service = presets.zacatl_example_backend(
        "staging", image={"tag": "1.0.0"},
        database={"name": "greetings", "egress_cidrs": ("10.20.0.0/24",)},
        upstreams=({"name": "billing", "cidr": "10.30.0.0/24", "port": 8443},),
    )
    env = presets.environment("staging", name="qa", account="111111111111", region="eu-west-1",
                              availability_zones=("eu-west-1a", "eu-west-1b"), domain="qa.example.com",
                              access={"admin_role_arns": ("arn:aws:iam::111111111111:role/admin",)},
                              dns={"hosted_zone_id": "Z0123456789ABCDEFGHIJ"},
                              gitops={"repo_url": "https://github.com/x/y.git"}, services=(service,))
    docs = environment_app(env, Path("/nonexistent")).synth_yaml()
    policy = next(d for d in yaml.safe_load_all(docs)
                  if d and d["kind"] == "NetworkPolicy" and d["metadata"]["name"] == service.name)["spec"]
    assert policy["egress"] == [
        {"to": [{"ipBlock": {"cidr": "10.20.0.0/24"}}], "ports": [{"port": 27017, "protocol": "TCP"}]},
        {"to": [{"ipBlock": {"cidr": "10.30.0.0/24"}}], "ports": [{"port": 8443, "protocol": "TCP"}]},
    ]
