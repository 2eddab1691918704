"""PodDisruptionBudget: never blocks a drain, keeps a quorum in prod, rejects budgets that cannot work."""

from __future__ import annotations

import cdk8s
import pytest

from zacatl_infra.config import presets
from zacatl_infra.k8s.disruption import DisruptionBudget, default_budget, validate_budget
from zacatl_infra.k8s.service import ZacatlService

from ..conftest import ENVIRONMENT_NAMES


def _allowed_evictions(pdb: dict, replicas: int) -> int:
    spec = pdb["spec"]
    if "maxUnavailable" in spec:
        return spec["maxUnavailable"]
    return replicas - spec["minAvailable"]


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_pdb_always_allows_an_eviction(workloads, environments, env_name):
    for spec in environments[env_name].services:
        pdb = workloads[env_name].one("PodDisruptionBudget", spec.name)
        assert pdb["apiVersion"] == "policy/v1"
        assert _allowed_evictions(pdb, spec.scaling.min_replicas) >= 1
        assert pdb["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow"
        deployment = workloads[env_name].one("Deployment", spec.name)
        assert pdb["spec"]["selector"] == deployment["spec"]["selector"]


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_pdb_per_tier_single_replica_moves_and_prod_keeps_a_quorum(workloads, environments, env_name):
    env = environments[env_name]
    for spec in env.services:
        pdb = workloads[env_name].one("PodDisruptionBudget", spec.name)["spec"]
        replicas = spec.scaling.min_replicas
        if replicas == 1:
            assert pdb.get("maxUnavailable") == 1 and "minAvailable" not in pdb
        if env.tier == "prod":
            assert pdb["minAvailable"] > replicas / 2


def _env(tier, min_replicas, max_replicas):
    extra = {} if tier == "local" else {"account": "111111111111", "region": "eu-west-1",
                                        "availability_zones": ("eu-west-1a", "eu-west-1b"),
                                        "alerts": {"emails": ("oncall@qa.example.com",)},
                                        "access": {"admin_role_arns": ("arn:aws:iam::111111111111:role/admin",)},
                                        "dns": {"hosted_zone_id": "Z0123456789ABCDEFGHIJ"},
                                        "gitops": {"repo_url": "https://github.com/x/y.git"}}
    service = presets.zacatl_example_backend(tier, image={"tag": "1.0.0"},
                                             database={"egress_cidrs": ("192.168.248.0/21",)},
                                             scaling={"min_replicas": min_replicas, "max_replicas": max_replicas})
    if tier == "prod":  # prod refuses an in-cluster database
        extra["database"] = {"kind": "atlas", "atlas": {"endpoint_service_name": "com.amazonaws.vpce.eu-west-1.vpce-svc-0123456789abcdef0"}}
    return presets.environment(tier, name="qa", domain="qa.example.com", services=(service,), **extra)


@pytest.mark.parametrize(("tier", "replicas", "expected"), [
    ("prod", 3, DisruptionBudget(min_available=2)),
    ("prod", 5, DisruptionBudget(min_available=3)),
    ("prod", 2, DisruptionBudget(max_unavailable=1)),
    ("staging", 2, DisruptionBudget(max_unavailable=1)),
    ("dev", 1, DisruptionBudget(max_unavailable=1)),
])
def test_default_budget_by_tier_and_replicas(tier, replicas, expected):
    env = _env(tier, replicas, replicas + 1)
    assert default_budget(env, env.services[0]) == expected
    validate_budget(env, env.services[0], expected)


def test_fails_when_min_available_blocks_every_eviction():
    env = _env("prod", 3, 6)
    with pytest.raises(ValueError, match=r"environment 'qa', service 'greetings-api'.*min_available \(3\).*"
                                         r"min_replicas \(3\).*allowed: 0 to 2"):
        validate_budget(env, env.services[0], DisruptionBudget(min_available=3))


def test_fails_when_max_unavailable_is_zero():
    env = _env("staging", 2, 4)
    with pytest.raises(ValueError, match=r"max_unavailable \(0\) would block every eviction.*allowed: 1 or more"):
        validate_budget(env, env.services[0], DisruptionBudget(max_unavailable=0))


def test_fails_when_both_or_neither_bound_is_given():
    env = _env("dev", 1, 2)
    with pytest.raises(ValueError, match="exactly one of min_available or max_unavailable"):
        validate_budget(env, env.services[0], DisruptionBudget(min_available=0, max_unavailable=1))
    with pytest.raises(ValueError, match="exactly one of min_available or max_unavailable"):
        validate_budget(env, env.services[0], DisruptionBudget())


def test_fails_when_zacatl_service_is_given_a_blocking_budget():
    env = _env("dev", 1, 2)
    chart = cdk8s.Chart(cdk8s.App(), "qa", namespace="zacatl-qa")
    with pytest.raises(ValueError, match=r"min_available \(1\) is not below scaling.min_replicas \(1\)"):
        ZacatlService(chart, "Service", env=env, spec=env.services[0], disruption_budget=DisruptionBudget(min_available=1))
