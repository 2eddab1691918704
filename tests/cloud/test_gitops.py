"""Argo CD installed by the stack (pinned chart or EKS capability) and the root Application per environment."""

from __future__ import annotations

import copy
import json
import os

import pytest

from zacatl_infra import facts, naming
from zacatl_infra.facts import eks_argocd_capability as capability_facts
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


def _capability_environment(environments):
    base = environments["staging"]
    return presets.environment("staging", **{**base.model_dump(exclude={"tier"}),
                                            "gitops": {**base.gitops.model_dump(), "install": "capability",
                                                       "identity_center": IDENTITY_CENTER}})


#: IAM Identity Center settings of the capability variant (no environment uses the capability install).
IDENTITY_CENTER = {"instance_arn": "arn:aws:sso:::instance/ssoins-1234567890abcdef", "region": "eu-west-1",
                   "admin_group_ids": ("11111111-2222-3333-4444-555555555555",)}


@pytest.fixture(scope="module")
def capability(environments, project, tmp_path_factory) -> dict:
    """The staging stack with the EKS Argo CD capability install, synthesized once with cdk-nag and the EKS rules.

    No environment of this repository chooses the capability, so the session synth never checks it:
    this fixture does, the way `cdk deploy` would (``add_policy_plugins`` fails the synth on any open finding).
    """
    import aws_cdk as cdk

    from zacatl_infra.cloud.stack import EnvironmentStack
    from zacatl_infra.policy import add_policy_plugins

    out = tmp_path_factory.mktemp("capability")
    env = _capability_environment(environments)
    app = cdk.App(context=project.cdk_context(), outdir=str(out))
    stack = EnvironmentStack(app, "capability", env=env)
    add_policy_plugins(app)
    app.synth()  # raises on an unacknowledged cdk-nag finding
    return {"env": env, "stack": stack, "dir": out,
            "template": json.loads((out / "capability.template.json").read_text()),
            "report": json.loads((out / "validation-report.json").read_text())}


def _text(value) -> str:
    """A template value as text: each reference becomes a marker (Ref X -> <X>, GetAtt X.Arn -> <X.Arn>)."""
    if isinstance(value, str):
        return value
    if "Ref" in value:
        return f"<{value['Ref']}>"
    if "Fn::GetAtt" in value:
        return "<{}.{}>".format(*value["Fn::GetAtt"])
    separator, parts = value["Fn::Join"]
    return separator.join(_text(p) for p in parts)


def test_capability_install_creates_the_eks_argo_cd_capability(capability):
    template = capability["template"]
    (capability_resource,) = resources(template, "AWS::EKS::Capability").values()
    props = capability_resource["Properties"]
    idc = IDENTITY_CENTER
    assert props["Type"] == "ARGOCD" and props["DeletePropagationPolicy"] == "RETAIN"
    argo = props["Configuration"]["ArgoCd"]
    assert argo["Namespace"] == naming.ARGOCD_NAMESPACE
    assert argo["AwsIdc"] == {"IdcInstanceArn": idc["instance_arn"], "IdcRegion": "eu-west-1"}
    assert argo["RbacRoleMappings"] == [{"Role": "ADMIN", "Identities": [{"Id": idc["admin_group_ids"][0], "Type": "SSO_GROUP"}]}]
    assert not resources(template, "Custom::AWSCDK-EKS-HelmChart")
    # A manifest with a token (the cluster ARN) is an Fn::Join; _text stands a marker in for each reference.
    manifests = {k: json.loads(_text(m["Properties"]["Manifest"]))[0]
                 for k, m in resources(template, "Custom::AWSCDK-EKS-KubernetesResource").items()}
    (secret_id,) = [k for k, m in manifests.items() if m["kind"] == "Secret"]
    (root_id,) = [k for k, m in manifests.items() if m["kind"] == "Application"]
    # EKS user guide, "Register target clusters": the capability registers no cluster by itself and
    # knows clusters by ARN; the Applications address it by the name the chart install also uses.
    secret = manifests[secret_id]
    assert secret["metadata"]["labels"]["argocd.argoproj.io/secret-type"] == "cluster"
    assert secret["stringData"]["name"] == naming.ARGOCD_IN_CLUSTER
    (cluster_id,) = resources(template, "AWS::EKS::Cluster")
    assert secret["stringData"]["server"] == f"<{cluster_id}.Arn>"
    assert "Fn::GetAtt" in json.dumps(template["Resources"][secret_id]["Properties"]["Manifest"])
    assert secret_id in template["Resources"][root_id]["DependsOn"]


def _capability_access(template: dict) -> tuple[str, dict, dict, dict]:
    """(logical id, properties, create call, delete call) of the custom resource that associates the access policy."""
    (access_id, access), = [(k, r) for k, r in resources(template, "Custom::AWS").items()
                            if "AssociateAccessPolicy" in json.dumps(r["Properties"]["Create"])]
    props = access["Properties"]
    return access_id, access, json.loads(_text(props["Create"])), json.loads(_text(props["Delete"]))


def test_capability_role_gets_cluster_admin_through_a_custom_resource_after_the_capability(capability):
    # EKS user guide, "Security considerations for EKS Capabilities" and "Register target clusters"
    # (facts/eks_argocd_capability.py): EKS creates the capability role's access entry with baseline
    # policies that do not let Argo CD deploy; deploying the add-ons' CRDs needs cluster admin.
    template = capability["template"]
    (capability_id, capability_resource), = resources(template, "AWS::EKS::Capability").items()
    (cluster_id,) = resources(template, "AWS::EKS::Cluster")
    role = capability_resource["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    access_id, access, create, delete = _capability_access(template)
    admin = f"arn:<AWS::Partition>:eks::aws:cluster-access-policy/{capability_facts.CAPABILITY_ACCESS_POLICY}"
    assert admin.endswith("/AmazonEKSClusterAdminPolicy")
    # AssociateAccessPolicy (EKS API reference): cluster name, the entry's principal ARN, policy ARN, scope.
    assert (create["service"], create["action"]) == ("EKS", "AssociateAccessPolicy")
    assert create["parameters"] == {"clusterName": f"<{cluster_id}>", "principalArn": f"<{role}.Arn>",
                                    "policyArn": admin, "accessScope": {"type": "cluster"}}
    assert json.loads(_text(access["Properties"]["Update"])) == create
    assert (delete["service"], delete["action"]) == ("EKS", "DisassociateAccessPolicy")
    assert delete["parameters"] == {"clusterName": f"<{cluster_id}>", "principalArn": f"<{role}.Arn>", "policyArn": admin}
    assert delete["ignoreErrorCodesMatching"] == "ResourceNotFoundException"
    # Only the policy the stack added is ever removed: EKS's baseline associations stay as EKS made them.
    assert not any(delete["parameters"]["policyArn"].endswith(f"/{p}") for p in capability_facts.BASELINE_POLICIES)
    # Created after the capability (which creates the entry), deleted before it; the root Application waits
    # for it, so Argo CD never tries a first sync without rights on the cluster.
    assert capability_id in access["DependsOn"]
    (root_id,) = [k for k, m in resources(template, "Custom::AWSCDK-EKS-KubernetesResource").items()
                  if '"kind":"Application"' in _text(m["Properties"]["Manifest"])]
    assert access_id in template["Resources"][root_id]["DependsOn"]


def test_capability_access_function_may_only_manage_that_policy_on_that_entry(capability):
    # Service Authorization Reference (facts/eks_argocd_capability.py): both actions act on an access-entry ARN
    # .../access-entry/<cluster>/<identity type>/<account>/<identity name>/<uuid>, conditioned by eks:policyArn.
    template, env = capability["template"], capability["env"]
    (cluster_id,) = resources(template, "AWS::EKS::Cluster")
    (capability_resource,) = resources(template, "AWS::EKS::Capability").values()
    role = capability_resource["Properties"]["RoleArn"]["Fn::GetAtt"][0]
    _, access, _, _ = _capability_access(template)
    function = template["Resources"][access["Properties"]["ServiceToken"]["Fn::GetAtt"][0]]
    function_role = function["Properties"]["Role"]["Fn::GetAtt"][0]
    policies = [p["Properties"] for p in resources(template, "AWS::IAM::Policy").values()
                if {"Ref": function_role} in p["Properties"]["Roles"]]
    statements = [s for p in policies for s in p["PolicyDocument"]["Statement"]]
    assert statements == [{
        "Action": [capability_facts.ASSOCIATE_ACTION, capability_facts.DISASSOCIATE_ACTION], "Effect": "Allow",
        "Resource": statements[0]["Resource"],
        "Condition": {"StringEquals": {capability_facts.POLICY_ARN_KEY: statements[0]["Condition"]["StringEquals"][capability_facts.POLICY_ARN_KEY]}},
    }]
    assert _text(statements[0]["Resource"]) == (
        f"arn:aws:eks:{env.region}:{env.account}:access-entry/<{cluster_id}>/role/{env.account}/<{role}>/*")
    assert _text(statements[0]["Condition"]["StringEquals"][capability_facts.POLICY_ARN_KEY]) == (
        "arn:<AWS::Partition>:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy")
    # Besides that statement the function may only write its own logs.
    assert [_text(a) for a in template["Resources"][function_role]["Properties"]["ManagedPolicyArns"]] == [
        "arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"]


def test_capability_stack_passes_cdk_nag_checkov_and_cfn_lint(capability):
    import subprocess

    from ..jobs import CFN_LINT, CHECKOV

    # cdk-nag: the synth above raised on any open finding; the acknowledgements made for the custom resource
    # name its wildcard (the entry's UUID) and its function's managed policy, nothing broader.
    (nag,) = [p for p in capability["report"]["pluginReports"] if p["pluginName"] == "AwsSolutions"]
    assert not nag["violations"]
    ours = {v["ruleName"] for v in nag["suppressedViolations"]
            if "CapabilityAccess" in v["acknowledgedAt"] or "AWS679f53fac002430cb0da5b7982bd2287" in v["acknowledgedAt"]}
    assert ours == {
        "AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]",
        next(r for r in ours if r.startswith("AwsSolutions-IAM5[Resource::arn:aws:eks:")),
    } and all(r.endswith("/*]") for r in ours if "IAM5" in r)
    template = capability["dir"] / "capability.template.json"
    folder = capability["dir"] / "checkov"
    folder.mkdir()
    (folder / template.name).write_text(template.read_text())
    # Both checkers at once: this is the only template of the capability install they see.
    checkov = subprocess.Popen([str(CHECKOV), "-d", str(folder), "--framework", "cloudformation", "--skip-download",
                                "--compact", "-o", "json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
                               env={**os.environ, "CKV_SKIP_PACKAGE_UPDATE_CHECK": "true"})
    lint = subprocess.run([str(CFN_LINT), "--format", "json", str(template)], capture_output=True, text=True, timeout=600)
    report = json.loads(checkov.communicate(timeout=600)[0])
    assert report["summary"]["passed"] > 0 and report["summary"]["parsing_errors"] == 0
    assert not report["results"]["failed_checks"], [(c["check_id"], c["resource"]) for c in report["results"]["failed_checks"]]
    assert lint.returncode & ~(2 | 4 | 8) == 0 and lint.stdout, lint.stderr
    errors = [f"{f['Rule']['Id']}: {f['Message']}" for f in json.loads(lint.stdout) if f["Level"] == "Error"]
    assert not errors, errors


def _stack_manifests(template: dict) -> list[dict]:
    """Every Kubernetes object the stack applies through the kubectl handler (references as markers)."""
    return [obj for m in resources(template, "Custom::AWSCDK-EKS-KubernetesResource").values()
            for obj in json.loads(_text(m["Properties"]["Manifest"]))]


def test_objects_the_stack_applies_are_valid_against_their_schemas(templates, capability):
    # The root Application and the in-cluster Secret are not in dist/<env>/, so the schema check of
    # dist/ does not see them: the Application against the vendored Argo CD CRD (strict), the Secret
    # against Kubernetes' own schema for every supported minor.
    from ..checks.test_kubernetes_schemas import CRDS, crd_schemas, validate_object

    crds = crd_schemas(CRDS)
    objects = [o for t in templates.values() for o in _stack_manifests(t)] + _stack_manifests(capability["template"])
    assert {o["kind"] for o in objects} == {"Application", "Secret"}
    for obj in objects:
        how, errors = validate_object(obj, crds)
        assert how == ("crd" if obj["kind"] == "Application" else "kubernetes") and not errors, (obj["kind"], errors)
    broken = copy.deepcopy(next(o for o in objects if o["kind"] == "Application"))
    broken["spec"]["source"]["targetRevsion"] = "main"
    assert validate_object(broken, crds)[1], "a misspelt Application field passed"
