"""The environment's namespace enforces the restricted Pod Security Standard."""

from __future__ import annotations

import pytest

from zacatl_infra import naming

from ..conftest import ENVIRONMENT_NAMES


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_namespace_enforces_audits_and_warns_restricted(workloads, environments, env_name):
    env = environments[env_name]
    labels = workloads[env_name].one("Namespace", naming.namespace(env))["metadata"]["labels"]
    for mode in ("enforce", "audit", "warn"):
        assert labels[f"pod-security.kubernetes.io/{mode}"] == "restricted"
        assert labels[f"pod-security.kubernetes.io/{mode}-version"] == f"v{env.cluster.kubernetes_version}"


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_every_namespaced_object_lives_in_the_environment_namespace(workloads, environments, env_name):
    namespace = naming.namespace(environments[env_name])
    for obj in workloads[env_name].objects:
        # Argo CD reads Applications and AppProjects only from its own namespace.
        if obj["kind"] in ("Application", "AppProject"):
            assert obj["metadata"]["namespace"] == naming.ARGOCD_NAMESPACE
        elif obj["kind"] not in ("Namespace", "StorageClass"):  # cluster-scoped kinds
            assert obj["metadata"].get("namespace") == namespace, f"{obj['kind']}/{obj['metadata']['name']}"


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_cloud_namespaces_get_load_balancer_readiness_gates(workloads, environments, env_name):
    env = environments[env_name]
    labels = workloads[env_name].one("Namespace", naming.namespace(env))["metadata"]["labels"]
    # AWS Load Balancer Controller docs, "Pod readiness gate": the webhook injects gates in labeled namespaces.
    expected = None if env.is_local else "enabled"
    assert labels.get("elbv2.k8s.aws/pod-readiness-gate-inject") == expected
    if not env.is_local:
        assert any(i["metadata"]["annotations"].get("alb.ingress.kubernetes.io/target-type") == "ip"
                   for i in workloads[env_name].find("Ingress")), "readiness gates need target-type ip"
