"""Pod Identity roles of the platform add-ons: each limited to what its controller calls."""

from __future__ import annotations

import pytest

from zacatl_infra import naming

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from .helpers import one, resources


def _statements(template: dict, role_name: str) -> list[dict]:
    role_id, _ = one(template, "AWS::IAM::Role", RoleName=role_name)
    return [s for p in resources(template, "AWS::IAM::Policy").values()
            if {"Ref": role_id} in p["Properties"]["Roles"] for s in p["Properties"]["PolicyDocument"]["Statement"]]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_external_dns_changes_records_in_the_environments_zone_only(env_name, templates, environments):
    env = environments[env_name]
    for statement in _statements(templates[env_name], f"zacatl-{env.name}-external-dns"):
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if "route53:ChangeResourceRecordSets" in actions:
            assert statement["Resource"] == f"arn:aws:route53:::hostedzone/{env.dns.hosted_zone_id}"
        else:
            assert actions == ["route53:ListHostedZones"]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_cluster_autoscaler_scales_only_this_clusters_groups(env_name, templates, environments):
    env = environments[env_name]
    statements = _statements(templates[env_name], f"zacatl-{env.name}-cluster-autoscaler")
    (write,) = [s for s in statements if "autoscaling:SetDesiredCapacity" in s["Action"]]
    assert write["Condition"] == {"StringEquals": {
        f"aws:ResourceTag/k8s.io/cluster-autoscaler/{naming.cluster_name(env)}": "owned"}}
    reads = {a for s in statements if s is not write for a in s["Action"]}
    assert all(a.split(":")[1].startswith(("Describe", "Get")) for a in reads)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_the_vpc_carries_the_tags_the_load_balancer_controller_finds_it_by(env_name, templates, environments):
    (vpc,) = resources(templates[env_name], "AWS::EC2::VPC").values()
    tags = {t["Key"]: t["Value"] for t in vpc["Properties"]["Tags"]}
    assert naming.stack_tags(environments[env_name]).items() <= tags.items()
    assert len(resources(templates[env_name], "AWS::EC2::VPC")) == 1
