"""Both layers side by side: what the rendered manifests reference exists in the same environment's
template, and what the template grants is used by the manifests. Reads the real outputs of both
layers (session fixtures), not the naming functions, so a construct that builds a name by hand fails.
"""

from __future__ import annotations

import ipaddress

import pytest

from zacatl_infra import naming

from ..cloud.helpers import pod_identity_associations, resources
from ..conftest import CLOUD_ENVIRONMENT_NAMES


def _template_secret_names(template: dict) -> set[str]:
    return {r["Properties"]["Name"] for r in resources(template, "AWS::SecretsManager::Secret").values()}


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_external_secret_reads_a_secret_the_stack_creates(env_name, workloads, templates):
    secrets = _template_secret_names(templates[env_name])
    external = workloads[env_name].find("ExternalSecret")
    assert external, "a cloud environment pulls its secrets through ExternalSecret"
    for item in external:
        keys = {d["remoteRef"]["key"] for d in item["spec"].get("data", [])}
        assert keys and keys <= secrets, f"{item['metadata']['name']} reads {keys - secrets}, not in the template"


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_secret_the_stack_creates_is_read_by_an_external_secret(env_name, workloads, templates):
    read = {d["remoteRef"]["key"] for e in workloads[env_name].find("ExternalSecret") for d in e["spec"]["data"]}
    assert _template_secret_names(templates[env_name]) <= read


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_secret_store_region_is_the_stack_region(env_name, workloads, environments, cloud_dir):
    store = workloads[env_name].one("SecretStore")
    assert store["spec"]["provider"]["aws"]["region"] == environments[env_name].region
    manifest = (cloud_dir / "manifest.json").read_text()
    assert f"aws://{environments[env_name].account}/{environments[env_name].region}" in manifest


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_in_namespace_association_has_its_service_account(env_name, workloads, templates, environments):
    namespace = naming.namespace(environments[env_name])
    accounts = {(namespace, sa["metadata"]["name"]) for sa in workloads[env_name].find("ServiceAccount")}
    in_namespace = {a for a in pod_identity_associations(templates[env_name]) if a[0] == namespace}
    assert in_namespace, "the backup job's role must be bound in the environment namespace"
    assert in_namespace <= accounts, f"roles bound to missing ServiceAccounts: {in_namespace - accounts}"
    # Outside the namespace only the platform add-ons' accounts may hold a role; their charts create them.
    add_ons = {naming.EXTERNAL_SECRETS_SERVICE_ACCOUNT, naming.LOAD_BALANCER_CONTROLLER_SERVICE_ACCOUNT,
               naming.EXTERNAL_DNS_SERVICE_ACCOUNT, naming.CLUSTER_AUTOSCALER_SERVICE_ACCOUNT,
               naming.ALERTMANAGER_SERVICE_ACCOUNT}
    assert {a for a in pod_identity_associations(templates[env_name]) if a[0] != namespace} == add_ons


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_every_deployment_image_comes_from_a_repository_of_the_stack(env_name, workloads, templates, environments):
    env = environments[env_name]
    registry = f"{env.account}.dkr.ecr.{env.region}.amazonaws.com/"
    repositories = {r["Properties"]["RepositoryName"] for r in resources(templates[env_name], "AWS::ECR::Repository").values()}
    for deployment in workloads[env_name].find("Deployment"):
        for container in deployment["spec"]["template"]["spec"]["containers"]:
            image = container["image"]
            assert image.startswith(registry), f"{image} is not in this environment's registry"
            repository = image.removeprefix(registry).split("@")[0].split(":")[0]
            assert repository in repositories, f"{image}: no ECR repository {repository} in the template"


def _public_subnet_cidrs(template: dict) -> list[str]:
    """CidrBlock of every subnet the template tags as public (aws-cdk:subnet-type), in zone order."""
    public = [r["Properties"] for r in resources(template, "AWS::EC2::Subnet").values()
              if {"Key": "aws-cdk:subnet-type", "Value": "Public"} in r["Properties"].get("Tags", [])]
    return [p["CidrBlock"] for p in sorted(public, key=lambda p: p["AvailabilityZone"])]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_template_public_subnets_are_the_ranges_naming_derives(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    assert _public_subnet_cidrs(template) == list(naming.public_subnet_cidrs(env))
    # Set by hand over CDK's allocator: they must still sit inside the VPC and clear of every other subnet.
    subnets = [ipaddress.ip_network(r["Properties"]["CidrBlock"])
               for r in resources(template, "AWS::EC2::Subnet").values()]
    vpc = ipaddress.ip_network(env.network.vpc_cidr)
    assert all(s.subnet_of(vpc) for s in subnets)
    assert not [(a, b) for i, a in enumerate(subnets) for b in subnets[i + 1:] if a.overlaps(b)]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_ingress_network_policies_admit_only_the_public_subnets_the_stack_creates(env_name, workloads, templates):
    cidrs = {
        peer["ipBlock"]["cidr"]
        for policy in workloads[env_name].find("NetworkPolicy")
        for rule in policy["spec"].get("ingress", [])
        for peer in rule.get("from", [])
        if "ipBlock" in peer
    }
    # ALB target-type ip sends from the load balancer's addresses, which live in the public subnets;
    # the rest of the VPC (nodes, other pods) gets no way in through these rules.
    assert cidrs == set(_public_subnet_cidrs(templates[env_name]))
