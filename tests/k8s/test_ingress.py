"""Ingress: ALB with TLS in AWS environments, ingress-nginx on a laptop."""

from __future__ import annotations

import json

import pytest

from zacatl_infra import naming

from ..conftest import CLOUD_ENVIRONMENT_NAMES, ENVIRONMENT_NAMES


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_ingress_class_is_alb_in_aws_and_nginx_in_local(workloads, environments, env_name):
    env = environments[env_name]
    for spec in env.services:
        ingresses = workloads[env_name].find("Ingress", spec.name)
        if spec.ingress_path is None:
            assert ingresses == []
            continue
        (ingress,) = ingresses
        assert ingress["spec"]["ingressClassName"] == ("nginx" if env.is_local else "alb")
        rule = ingress["spec"]["rules"][0]
        assert rule["host"] == naming.host(env, spec)
        path = rule["http"]["paths"][0]
        assert path["path"] == spec.ingress_path and path["pathType"] == "Prefix"
        assert path["backend"]["service"]["name"] == spec.name


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_alb_ingress_is_https_internet_facing_to_pod_ips(workloads, environments, env_name):
    env = environments[env_name]
    for spec in env.services:
        ingress = workloads[env_name].one("Ingress", spec.name)
        notes = ingress["metadata"]["annotations"]
        assert notes["alb.ingress.kubernetes.io/scheme"] == "internet-facing"
        assert notes["alb.ingress.kubernetes.io/target-type"] == "ip"
        assert {"HTTPS": 443} in json.loads(notes["alb.ingress.kubernetes.io/listen-ports"])
        assert notes["alb.ingress.kubernetes.io/ssl-redirect"] == "443"
        assert notes["alb.ingress.kubernetes.io/ssl-policy"].startswith("ELBSecurityPolicy-TLS13")
        assert notes["alb.ingress.kubernetes.io/healthcheck-path"] == spec.health.readiness_path
        assert notes["alb.ingress.kubernetes.io/group.name"] == naming.namespace(env)
        assert ingress["spec"]["tls"] == [{"hosts": [naming.host(env, spec)]}]


def test_local_ingress_has_no_alb_annotations(workloads, environments):
    for spec in environments["local"].services:
        annotations = workloads["local"].one("Ingress", spec.name)["metadata"].get("annotations") or {}
        assert not [k for k in annotations if k.startswith("alb.")]


def test_a_service_host_override_reaches_the_rule_and_the_certificate():
    from pathlib import Path

    import yaml

    from zacatl_infra.config import presets
    from zacatl_infra.k8s.charts import environment_app

    spec = presets.zacatl_example_backend("staging", image={"tag": "1.0.0"}, host="greetings.qa.example.com",
                                          database={"egress_cidrs": ("192.168.248.0/21",)})
    env = presets.environment("staging", name="qa", account="111111111111", region="eu-west-1",
                              availability_zones=("eu-west-1a", "eu-west-1b"), domain="qa.example.com",
                              access={"admin_role_arns": ("arn:aws:iam::111111111111:role/admin",)}, dns={"hosted_zone_id": "Z0123456789ABCDEFGHIJ"}, gitops={"repo_url": "https://github.com/x/y.git"}, 
                              services=(spec,))
    assert naming.host(env, spec) == "greetings.qa.example.com"
    (ingress,) = [d for d in yaml.safe_load_all(environment_app(env, Path("/n")).synth_yaml())
                  if d and d["kind"] == "Ingress"]
    assert ingress["spec"]["rules"][0]["host"] == "greetings.qa.example.com"
    assert ingress["spec"]["tls"] == [{"hosts": ["greetings.qa.example.com"]}]


def test_public_subnets_are_the_first_blocks_of_the_vpc_one_per_zone():
    from zacatl_infra.config import presets

    env = presets.environment(
        "prod", name="qa", account="111111111111", region="eu-west-1",
        availability_zones=("eu-west-1a", "eu-west-1b", "eu-west-1c"), domain="qa.example.com",
        network={"vpc_cidr": "10.8.0.0/17"}, alerts={"emails": ("oncall@qa.example.com",)},
        database={"kind": "atlas", "atlas": {"endpoint_service_name": "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"}},
        access={"admin_role_arns": ("arn:aws:iam::111111111111:role/admin",)}, dns={"hosted_zone_id": "Z0123456789ABCDEFGHIJ"}, gitops={"repo_url": "https://github.com/x/y.git"}, 
        services=(presets.zacatl_example_backend("prod", image={"tag": "1.0.0"},
                                                 database={"egress_cidrs": ("192.168.248.0/21",)}),))
    assert naming.public_subnet_cidrs(env) == ("10.8.0.0/24", "10.8.1.0/24", "10.8.2.0/24")
