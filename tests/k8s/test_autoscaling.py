"""HorizontalPodAutoscaler: CPU and memory targets from the spec, reacts within two minutes."""

from __future__ import annotations

import pytest

from ..conftest import ENVIRONMENT_NAMES


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_hpa_exists_exactly_when_replicas_can_move(workloads, environments, env_name):
    for spec in environments[env_name].services:
        hpas = workloads[env_name].find("HorizontalPodAutoscaler", spec.name)
        assert len(hpas) == (1 if spec.scaling.min_replicas < spec.scaling.max_replicas else 0)


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_hpa_scales_on_cpu_and_memory_within_spec_bounds(workloads, environments, env_name):
    for spec in environments[env_name].services:
        for hpa in workloads[env_name].find("HorizontalPodAutoscaler", spec.name):
            assert hpa["apiVersion"] == "autoscaling/v2"
            assert hpa["spec"]["scaleTargetRef"] == {"apiVersion": "apps/v1", "kind": "Deployment", "name": spec.name}
            assert (hpa["spec"]["minReplicas"], hpa["spec"]["maxReplicas"]) == (
                spec.scaling.min_replicas, spec.scaling.max_replicas)
            targets = {m["resource"]["name"]: m["resource"]["target"]["averageUtilization"] for m in hpa["spec"]["metrics"]}
            assert targets == {"cpu": spec.scaling.target_cpu_percent, "memory": spec.scaling.target_memory_percent}


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_hpa_behavior_reacts_within_two_minutes_and_scales_down_slowly(workloads, environments, env_name):
    for spec in environments[env_name].services:
        for hpa in workloads[env_name].find("HorizontalPodAutoscaler", spec.name):
            up, down = hpa["spec"]["behavior"]["scaleUp"], hpa["spec"]["behavior"]["scaleDown"]
            assert 0 <= up["stabilizationWindowSeconds"] <= 60
            assert all(p["periodSeconds"] <= 60 for p in up["policies"])
            assert 240 <= down["stabilizationWindowSeconds"] <= 600
            assert down["policies"] and all(p["type"] == "Pods" and p["value"] == 1 for p in down["policies"])
