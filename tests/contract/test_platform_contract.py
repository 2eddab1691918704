"""Day-1 contract between dist/<env>/ and the environment's template: what the manifests rely on,
the template provides. Each test reads both real outputs (session fixtures)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from zacatl_infra.k8s.addons import platform_addons

from ..cloud.helpers import pod_identity_associations, resources
from ..conftest import CLOUD_ENVIRONMENT_NAMES

#: kubernetes-sigs/aws-load-balancer-controller docs/install/iam_policy.json at v3.5.0 (see tests/data/README.md).
LBC_POLICY = Path(__file__).resolve().parent.parent / "data" / "aws-load-balancer-controller-v3.5.0-iam_policy.json"


def _actions(statements: list[dict]) -> set[str]:
    found: set[str] = set()
    for statement in statements:
        action = statement["Action"]
        found |= {action} if isinstance(action, str) else set(action)
    return found


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_network_policies_are_enforced_where_they_are_rendered(env_name, workloads, templates):
    assert workloads[env_name].find("NetworkPolicy"), "the workload layer renders NetworkPolicies in every cloud tier"
    (cni,) = [a["Properties"] for a in resources(templates[env_name], "AWS::EKS::Addon").values()
              if a["Properties"]["AddonName"] == "vpc-cni"]
    # EKS user guide (eks-networking-add-ons): without enableNetworkPolicy "true" the policies are accepted, not enforced.
    assert json.loads(cni["ConfigurationValues"]).get("enableNetworkPolicy") == "true"


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_ingress_host_is_covered_by_a_dns_validated_certificate(env_name, workloads, templates, environments):
    certificates = [c["Properties"] for c in resources(templates[env_name], "AWS::CertificateManager::Certificate").values()]
    names = {n for c in certificates for n in [c["DomainName"], *c.get("SubjectAlternativeNames", [])]}
    hosts = {h for i in workloads[env_name].find("Ingress") for t in i["spec"].get("tls", []) for h in t["hosts"]}
    hosts |= {r["host"] for i in workloads[env_name].find("Ingress") for r in i["spec"]["rules"]}
    assert hosts and hosts <= names, f"hosts without a certificate: {hosts - names}"
    for certificate in certificates:
        assert certificate["ValidationMethod"] == "DNS"
        assert {o["HostedZoneId"] for o in certificate["DomainValidationOptions"]} == {
            environments[env_name].dns.hosted_zone_id}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_the_cloudformation_execution_role_has_no_standing_cluster_access(env_name, templates):
    template = templates[env_name]
    (cluster,) = resources(template, "AWS::EKS::Cluster").values()
    assert cluster["Properties"]["AccessConfig"]["BootstrapClusterCreatorAdminPermissions"] is False
    principals = json.dumps([e["Properties"]["PrincipalArn"] for e in resources(template, "AWS::EKS::AccessEntry").values()])
    # The CDK bootstrap's execution role (cdk-<qualifier>-cfn-exec-role-...) is never granted.
    assert "cfn-exec-role" not in principals and "${AWS::AccountId}:root" not in principals


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_addon_service_account_that_calls_aws_has_a_pod_identity(env_name, workloads, templates, environments):
    associations = pod_identity_associations(templates[env_name])
    addons = [a for a in platform_addons(environments[env_name]) if a.service_account]
    assert {a.name for a in addons} >= {"external-secrets", "aws-load-balancer-controller", "external-dns",
                                        "kube-prometheus-stack"}
    for addon in addons:
        assert addon.service_account in associations, addon.name
        app = workloads[env_name].one("Application", addon.name)
        # The chart must create the account under the bound name, in the bound namespace.
        assert app["spec"]["destination"]["namespace"] == addon.service_account[0]
        values = app["spec"]["source"]["helm"]["valuesObject"]
        # Where each chart takes its account: top level, under rbac (cluster-autoscaler), or per component
        # (kube-prometheus-stack: Alertmanager is the part that calls AWS).
        account = values.get("serviceAccount") or values.get("rbac", {}).get("serviceAccount") \
            or values["alertmanager"]["serviceAccount"]
        assert account == {"create": True, "name": addon.service_account[1]}, addon.name


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_load_balancer_controller_policy_covers_what_its_pinned_version_calls(env_name, workloads, templates):
    upstream = _actions(json.loads(LBC_POLICY.read_text())["Statement"])
    (role_id,) = [k for k, r in resources(templates[env_name], "AWS::IAM::Role").items()
                  if r["Properties"].get("RoleName", "").endswith("-lb-controller")]
    policies = [p["Properties"]["PolicyDocument"]["Statement"] for p in resources(templates[env_name], "AWS::IAM::Policy").values()
                if {"Ref": role_id} in p["Properties"].get("Roles", [])]
    granted = _actions([s for statements in policies for s in statements])
    values = workloads[env_name].one("Application", "aws-load-balancer-controller")["spec"]["source"]["helm"]["valuesObject"]
    excused = set()
    # Features the rendered values switch off need no permissions (controller flags --enable-waf, -wafv2, -shield).
    if values.get("enableWaf") is False:
        excused |= {a for a in upstream if a.startswith("waf-regional:")} | {"elasticloadbalancing:SetWebAcl"}
    if values.get("enableWafv2") is False:
        excused |= {a for a in upstream if a.startswith("wafv2:")}
    if values.get("enableShield") is False:
        excused |= {a for a in upstream if a.startswith("shield:")}
    # Cognito is called only for Ingresses with auth-type cognito.
    if not any(i["metadata"].get("annotations", {}).get("alb.ingress.kubernetes.io/auth-type") == "cognito"
               for i in workloads[env_name].find("Ingress")):
        excused |= {a for a in upstream if a.startswith("cognito-idp:")}
    assert upstream - excused - granted == set()
    assert granted <= upstream, f"granted beyond the upstream policy: {granted - upstream}"



def _not_admitted(objects: list[dict]) -> list[str]:
    """Applications the EKS Argo CD capability would not admit: outside its namespace, or in a custom
    AppProject whose spec.sourceNamespaces lacks that namespace (`default` includes it by itself).

    Source: EKS user guide, "Working with Argo CD Projects" (facts/eks_argocd_capability.py, PROJECTS).
    """
    from zacatl_infra import naming

    projects = {o["metadata"]["name"]: o for o in objects if o["kind"] == "AppProject"}
    problems = []
    for app in (o for o in objects if o["kind"] == "Application"):
        name, project = app["metadata"]["name"], app["spec"]["project"]
        if app["metadata"]["namespace"] != naming.ARGOCD_NAMESPACE:
            problems.append(f"{name} is not in {naming.ARGOCD_NAMESPACE}")
        elif project != "default" and naming.ARGOCD_NAMESPACE not in projects[project]["spec"].get("sourceNamespaces", []):
            problems.append(f"{name}: AppProject {project} does not admit Applications from {naming.ARGOCD_NAMESPACE}")
    return problems


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_application_is_admitted_by_its_project_under_the_eks_capability(env_name, workloads):
    objects = workloads[env_name].objects
    assert workloads[env_name].find("AppProject") and workloads[env_name].find("Application")
    assert _not_admitted(objects) == []


def test_the_admission_check_catches_a_project_without_source_namespaces(workloads):
    import copy

    objects = copy.deepcopy(workloads["dev"].objects)
    for project in (o for o in objects if o["kind"] == "AppProject"):
        del project["spec"]["sourceNamespaces"]
    assert any("does not admit" in p for p in _not_admitted(objects))
