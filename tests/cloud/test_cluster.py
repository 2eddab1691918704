"""The EKS cluster: version, endpoint access per environment, logging, secrets encryption, nodes, add-ons."""

from __future__ import annotations

import json

import pytest
from aws_cdk.assertions import Template

from zacatl_infra import facts, naming
from zacatl_infra.cloud.cluster import ADDONS, ADDON_IDENTITIES

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from .helpers import one, resources


def _cluster(template: dict, env) -> dict:
    return one(template, "AWS::EKS::Cluster", Name=naming.cluster_name(env))[1]["Properties"]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_cluster_runs_the_configured_kubernetes_version(env_name, templates, environments):
    env = environments[env_name]
    assert _cluster(templates[env_name], env)["Version"] == env.cluster.kubernetes_version == "1.36"


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_endpoint_is_private_and_public_only_for_listed_cidrs(env_name, templates, environments):
    env = environments[env_name]
    vpc = _cluster(templates[env_name], env)["ResourcesVpcConfig"]
    assert vpc["EndpointPrivateAccess"] is True
    if env.cluster.public_endpoint_cidrs:
        assert vpc["EndpointPublicAccess"] is True
        assert vpc["PublicAccessCidrs"] == list(env.cluster.public_endpoint_cidrs)
    else:
        assert vpc["EndpointPublicAccess"] is False
        assert "PublicAccessCidrs" not in vpc


def test_prod_endpoint_is_private_only(templates, environments):
    assert _cluster(templates["prod"], environments["prod"])["ResourcesVpcConfig"]["EndpointPublicAccess"] is False


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_control_plane_logs_every_type(env_name, templates, environments):
    logging = _cluster(templates[env_name], environments[env_name])["Logging"]["ClusterLogging"]["EnabledTypes"]
    assert {t["Type"] for t in logging} == {"api", "audit", "authenticator", "controllerManager", "scheduler"}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_secrets_are_envelope_encrypted_with_a_rotating_customer_key(env_name, templates, environments):
    template = templates[env_name]
    (config,) = _cluster(template, environments[env_name])["EncryptionConfig"]
    assert config["Resources"] == ["secrets"]
    key_id = config["Provider"]["KeyArn"]["Fn::GetAtt"][0]
    assert template["Resources"][key_id]["Properties"]["EnableKeyRotation"] is True


def _policy_name(policy: dict) -> str:
    # The ARN is joined with the partition: its last literal part names the access policy.
    return json.dumps(policy["PolicyArn"]).rsplit("cluster-access-policy/", 1)[1].split('"')[0]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_the_creating_role_gets_no_standing_access(env_name, templates, environments):
    env = environments[env_name]
    # Create-only on a named cluster: false from the first deploy, so adding admins later never replaces it.
    assert _cluster(templates[env_name], env)["AccessConfig"] == {
        "AuthenticationMode": "API", "BootstrapClusterCreatorAdminPermissions": False}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_access_entries_give_each_configured_role_its_access_policy(env_name, templates, environments):
    env = environments[env_name]
    entries = [e["Properties"] for e in resources(templates[env_name], "AWS::EKS::AccessEntry").values()]
    access = env.access
    # The kubectl handler's role (a role of this stack, referenced, never a literal ARN) has the only other entry.
    configured = {e["PrincipalArn"]: e for e in entries if isinstance(e["PrincipalArn"], str)}
    assert len(entries) - len(configured) == 1
    assert set(configured) == {*access.admin_role_arns, *access.deploy_role_arns, *access.viewer_role_arns}
    expected = {**{a: ("AmazonEKSClusterAdminPolicy", {"Type": "cluster"}) for a in access.admin_role_arns},
                **{a: ("AmazonEKSEditPolicy", {"Type": "namespace",
                                               "Namespaces": [naming.namespace(env), naming.ARGOCD_NAMESPACE]})
                   for a in access.deploy_role_arns},
                **{a: ("AmazonEKSViewPolicy", {"Type": "cluster"}) for a in access.viewer_role_arns}}
    for arn, (name, scope) in expected.items():
        (policy,) = configured[arn]["AccessPolicies"]
        assert (_policy_name(policy), policy["AccessScope"]) == (name, scope), arn


def test_every_cloud_environment_names_an_administrator(environments):
    assert all(e.access.admin_role_arns for e in environments.values() if not e.is_local)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_managed_node_group_follows_cluster_settings(env_name, templates, environments):
    settings = environments[env_name].cluster
    Template.from_json(templates[env_name]).has_resource_properties("AWS::EKS::Nodegroup", {
        "CapacityType": "SPOT" if settings.spot else "ON_DEMAND",
        "InstanceTypes": list(settings.node_instance_types),
        "ScalingConfig": {"MinSize": settings.node_min, "DesiredSize": settings.node_desired,
                          "MaxSize": settings.node_max},
        "AmiType": "AL2023_x86_64_STANDARD",
    })


def test_dev_uses_spot_and_prod_on_demand(templates):
    assert one(templates["dev"], "AWS::EKS::Nodegroup")[1]["Properties"]["CapacityType"] == "SPOT"
    assert one(templates["prod"], "AWS::EKS::Nodegroup")[1]["Properties"]["CapacityType"] == "ON_DEMAND"


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_managed_addons_are_installed_and_aws_callers_get_pod_identities(env_name, templates):
    addons = {a["Properties"]["AddonName"]: a for a in resources(templates[env_name], "AWS::EKS::Addon").values()}
    assert set(addons) == set(ADDONS)
    for name, (service_account, _) in ADDON_IDENTITIES.items():
        (association,) = addons[name]["Properties"]["PodIdentityAssociations"]
        assert association["ServiceAccount"] == service_account
    assert all(a["Properties"]["ResolveConflicts"] == "OVERWRITE" for a in addons.values())


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_addon_versions_follow_the_facts_table_for_the_clusters_minor(env_name, templates, environments):
    minor = environments[env_name].cluster.kubernetes_version
    addons = {a["Properties"]["AddonName"]: a["Properties"] for a in resources(templates[env_name], "AWS::EKS::Addon").values()}
    table = facts.load("eks_addons")["versions"]
    for name, properties in addons.items():
        pinned = table[name].get(minor)
        # Unverified (null) means EKS's default for the minor, and the table says so; never a stale guess.
        assert properties.get("AddonVersion") == pinned, name
        if pinned:
            assert pinned.startswith("v") and "eksbuild" in pinned


def test_facts_table_pins_verified_versions_for_older_minors():
    table = facts.load("eks_addons")
    assert table["versions"]["vpc-cni"]["1.33"] == "v1.20.1-eksbuild.3"
    assert all(name in table["sources"] for name in table["versions"])
    assert set(table["versions"]) == set(ADDONS)


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_vpc_cni_enforces_network_policies(env_name, templates):
    (cni,) = [a["Properties"] for a in resources(templates[env_name], "AWS::EKS::Addon").values()
              if a["Properties"]["AddonName"] == "vpc-cni"]
    # EKS user guide: the add-on's configuration key enableNetworkPolicy takes the string "true".
    assert json.loads(cni["ConfigurationValues"]) == {"enableNetworkPolicy": "true"}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_kubectl_handler_runs_in_the_private_subnets_and_logs_encrypted(env_name, templates):
    template = templates[env_name]
    functions = resources(template, "AWS::Lambda::Function")
    handler = next(f for k, f in functions.items() if k.startswith("ClusterKubectlProviderHandler"))
    private = {k for k, r in resources(template, "AWS::EC2::Subnet").items()
               if not r["Properties"].get("MapPublicIpOnLaunch", False) and "nodes" in k.lower()}
    # A private-only endpoint (prod) is reachable only from inside the VPC.
    assert {s["Ref"] for s in handler["Properties"]["VpcConfig"]["SubnetIds"]} == private
    for key, group in resources(template, "AWS::Logs::LogGroup").items():
        if key.startswith("ClusterKubectlProvider"):
            assert "KmsKeyId" in group["Properties"], key


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_control_plane_log_group_exists_before_the_cluster_encrypted_and_bounded(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    group_id, group = one(template, "AWS::Logs::LogGroup", LogGroupName=f"/aws/eks/{naming.cluster_name(env)}/cluster")
    assert "KmsKeyId" in group["Properties"] and group["Properties"]["RetentionInDays"] == 90
    cluster_id, cluster = one(template, "AWS::EKS::Cluster", Name=naming.cluster_name(env))
    assert group_id in cluster["DependsOn"]
