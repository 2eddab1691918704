"""Argo CD installed by the stack (pinned chart or EKS capability) and the root Application per environment."""

from __future__ import annotations

import json

import pytest

from zacatl_infra import facts, naming
from zacatl_infra.cloud.gitops import root_application
from zacatl_infra.config import presets

from ..conftest import CLOUD_ENVIRONMENT_NAMES
from .helpers import resources


def _manifest(template: dict) -> list[dict]:
    (manifest,) = resources(template, "Custom::AWSCDK-EKS-KubernetesResource").values()
    return json.loads(manifest["Properties"]["Manifest"])


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_helm_install_pins_the_argo_cd_chart(env_name, templates, environments):
    assert environments[env_name].gitops.install == "helm"
    (release,) = resources(templates[env_name], "Custom::AWSCDK-EKS-HelmChart").values()
    chart = facts.load("charts")["charts"]["argo-cd"]
    props = release["Properties"]
    assert (props["Chart"], props["Repository"], props["Version"]) == (chart["chart"], chart["repo_url"], chart["version"])
    assert props["Namespace"] == naming.ARGOCD_NAMESPACE
    values = json.loads(props["Values"])
    assert values["crds"] == {"install": True, "keep": True}
    assert "argoproj.io_Application" in next(iter(values["configs"]["cm"]))


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_root_application_syncs_the_environments_dist_folder_after_argo_cd(env_name, templates, environments):
    env = environments[env_name]
    template = templates[env_name]
    (app,) = _manifest(template)
    assert app["kind"] == "Application" and app["metadata"]["name"] == naming.root_application(env)
    assert app["spec"]["destination"] == {"name": naming.ARGOCD_IN_CLUSTER, "namespace": naming.ARGOCD_NAMESPACE}
    assert app["spec"]["source"] == {"repoURL": env.gitops.repo_url, "targetRevision": env.gitops.revision,
                                     "path": f"dist/{env.name}", "directory": {"recurse": False}}
    (manifest_id,) = resources(template, "Custom::AWSCDK-EKS-KubernetesResource")
    (release_id,) = resources(template, "Custom::AWSCDK-EKS-HelmChart")
    assert release_id in template["Resources"][manifest_id]["DependsOn"]


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_prod_syncs_by_hand_and_other_tiers_automatically(env_name, environments):
    env = environments[env_name]
    policy = root_application(env)["spec"]["syncPolicy"]
    assert ("automated" in policy) is (env.tier != "prod")
    if env.tier != "prod":
        assert policy["automated"] == {"prune": True, "selfHeal": True}
    assert policy["retry"]["limit"] > 0 and policy["retry"]["backoff"]["factor"] > 1
    assert "SkipDryRunOnMissingResource=true" in policy["syncOptions"]


def test_capability_install_creates_the_eks_argo_cd_capability(environments, project):
    from aws_cdk import App
    from aws_cdk.assertions import Template

    from zacatl_infra.cloud.stack import EnvironmentStack

    base = environments["staging"]
    idc = {"instance_arn": "arn:aws:sso:::instance/ssoins-1234567890abcdef", "region": "eu-west-1",
           "admin_group_ids": ("11111111-2222-3333-4444-555555555555",)}
    env = presets.environment("staging", **{**base.model_dump(exclude={"tier"}),
                                            "gitops": {**base.gitops.model_dump(), "install": "capability",
                                                       "identity_center": idc}})
    template = Template.from_stack(EnvironmentStack(App(context=project.cdk_context()), "capability", env=env)).to_json()
    (capability,) = resources(template, "AWS::EKS::Capability").values()
    props = capability["Properties"]
    assert props["Type"] == "ARGOCD" and props["DeletePropagationPolicy"] == "RETAIN"
    argo = props["Configuration"]["ArgoCd"]
    assert argo["Namespace"] == naming.ARGOCD_NAMESPACE
    assert argo["AwsIdc"] == {"IdcInstanceArn": idc["instance_arn"], "IdcRegion": "eu-west-1"}
    assert argo["RbacRoleMappings"] == [{"Role": "ADMIN", "Identities": [{"Id": idc["admin_group_ids"][0], "Type": "SSO_GROUP"}]}]
    assert not resources(template, "Custom::AWSCDK-EKS-HelmChart")
    def parse(manifest) -> dict:
        # A manifest with a token (the cluster ARN) is an Fn::Join; stand a marker in for each reference.
        if isinstance(manifest, dict):
            separator, parts = manifest["Fn::Join"]
            manifest = separator.join(p if isinstance(p, str) else "REF" for p in parts)
        return json.loads(manifest)[0]

    manifests = {k: parse(m["Properties"]["Manifest"])
                 for k, m in resources(template, "Custom::AWSCDK-EKS-KubernetesResource").items()}
    (secret_id,) = [k for k, m in manifests.items() if m["kind"] == "Secret"]
    (root_id,) = [k for k, m in manifests.items() if m["kind"] == "Application"]
    # EKS user guide, "Register target clusters": the capability registers no cluster by itself and
    # knows clusters by ARN; the Applications address it by the name the chart install also uses.
    secret = manifests[secret_id]
    assert secret["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "cluster"
    assert secret["stringData"]["name"] == naming.ARGOCD_IN_CLUSTER
    assert secret["stringData"]["server"] == "REF"
    assert "Fn::GetAtt" in json.dumps(template["Resources"][secret_id]["Properties"]["Manifest"])
    assert secret_id in template["Resources"][root_id]["DependsOn"]
