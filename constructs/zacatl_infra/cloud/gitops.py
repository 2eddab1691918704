"""Argo CD, installed by the stack, and the root Application that syncs ``dist/<env>/`` (app of apps).

Two installs, chosen by ``env.gitops.install``:
- ``helm``: the upstream argo-cd chart (``facts/charts.json``, exact version) through ``aws_eks_v2``'s
  Helm support, which runs ``helm upgrade --install`` in the cluster's kubectl handler;
- ``capability``: the EKS managed Argo CD (``AWS::EKS::Capability`` type ``ARGOCD``); AWS runs and
  upgrades it, people sign in through IAM Identity Center (``env.gitops.identity_center``). EKS gives
  the capability's role an access entry whose baseline policies do not let it deploy
  (``facts.eks_argocd_capability``); the stack associates cluster admin with that entry through a
  custom resource, so no step is left by hand.
Either way the root Application is applied by the kubectl handler after Argo CD exists.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_logs as logs
from aws_cdk import custom_resources as cr
from constructs import Construct

from .. import facts, naming
from ..facts import eks_argocd_capability as capability_facts
from ..policy import acknowledge, managed_policy_finding
from ..sync import SKIP_DRY_RUN, sync_policy
from ..config import EnvironmentConfig

#: Lua health check for Argo CD Applications: an Application is as healthy as its own status says.
APPLICATION_HEALTH = """hs = {}
hs.status = "Progressing"
hs.message = ""
if obj.status ~= nil and obj.status.health ~= nil then
  hs.status = obj.status.health.status
  if obj.status.health.message ~= nil then
    hs.message = obj.status.health.message
  end
end
return hs
"""


def root_application(env: EnvironmentConfig) -> dict[str, Any]:
    """The root Application of ``env``: ``gitops.repo_url`` at ``gitops.revision``, path ``dist/<env>``."""
    return {
        "apiVersion": "argoproj.io/v1alpha1",
        "kind": "Application",
        "metadata": {"name": naming.root_application(env), "namespace": naming.ARGOCD_NAMESPACE},
        "spec": {
            # The AppProjects are themselves in dist/<env>/: the root lives in the project every install has.
            "project": "default",
            "source": {"repoURL": env.gitops.repo_url, "targetRevision": env.gitops.revision,
                       "path": naming.gitops_path(env), "directory": {"recurse": False}},
            "destination": {"name": naming.ARGOCD_IN_CLUSTER, "namespace": naming.ARGOCD_NAMESPACE},
            # Custom resources whose CRD arrives in the same sync (the add-ons' charts) fail Argo CD's dry run
            # otherwise; the sync waves in dist/<env>/ order the apply itself.
            "syncPolicy": sync_policy(env, extra_options=(SKIP_DRY_RUN,)),
        },
    }


def local_cluster_secret(cluster_arn: str) -> dict[str, Any]:
    """Argo CD cluster Secret that registers the capability's own cluster as ``naming.ARGOCD_IN_CLUSTER``.

    The EKS capability identifies clusters by ARN, not by ``kubernetes.default.svc`` (EKS user guide,
    "Register target clusters"). It holds no credential: the capability authenticates with its IAM role.
    """
    return {
        "apiVersion": "v1", "kind": "Secret",
        "metadata": {"name": naming.ARGOCD_IN_CLUSTER, "namespace": naming.ARGOCD_NAMESPACE,
                     "labels": {"argocd.argoproj.io/secret-type": "cluster"}},
        "stringData": {"name": naming.ARGOCD_IN_CLUSTER, "server": cluster_arn},
    }


class GitOps(Construct):
    """Argo CD in namespace ``argocd`` of ``cluster`` and the root Application of ``env``.

    ``cluster`` must have a kubectl provider (``kubectl_provider_options``): the root Application is a
    Kubernetes object, which CloudFormation cannot create natively.

    ``log_key``: the KMS key of the environment's log groups; with the capability install it encrypts the
    log group of the function that associates the capability's access policy. Default: none, that log
    group then uses CloudWatch Logs' own encryption.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, cluster: eks.Cluster,
                 log_key: kms.IKey | None = None) -> None:
        super().__init__(scope, id_)
        self._log_key = log_key
        chart = facts.load("charts")["charts"]["argo-cd"]
        self.install: Construct
        #: The IAM role of the EKS Argo CD capability (capability install only).
        self.capability_role: iam.Role | None = None
        if env.gitops.install == "helm":
            self.install = eks.HelmChart(
                self, "ArgoCd", cluster=cluster, chart=chart["chart"], repository=chart["repo_url"],
                version=chart["version"], namespace=naming.ARGOCD_NAMESPACE, release="argocd",
                create_namespace=True, wait=True, atomic=True,
                # A first install pulls images for about eight pods; the default 5 minutes is tight on new nodes.
                timeout=cdk.Duration.minutes(15),
                values={
                    # CRDs stay when the release is removed: deleting them would delete every Application.
                    "crds": {"install": True, "keep": True},
                    # No SSO is configured for the chart install: people use the initial admin secret or
                    # `argocd login --core` through their EKS access entry; Dex would only run idle.
                    "dex": {"enabled": False},
                    # Argo CD 1.8+ reports no health for Applications, so a sync wave of Applications would not
                    # wait for the add-on before it; this restores it (Argo CD docs, "Sync Phases and Waves").
                    "configs": {"cm": {"resource.customizations.health.argoproj.io_Application": APPLICATION_HEALTH}},
                },
            )
        else:
            self.install = self._capability(env, cluster)
        self.root = cluster.add_manifest("RootApplication", root_application(env))
        self.root.node.add_dependency(self.install)
        #: The custom resource that gives the capability's role cluster access (capability install only).
        self.capability_access: cr.AwsCustomResource | None = None
        if env.gitops.install == "capability":
            # The capability does not register the cluster it runs in; Applications name it "in-cluster".
            registration = cluster.add_manifest("InClusterRegistration", local_cluster_secret(cluster.cluster_arn))
            registration.node.add_dependency(self.install)
            self.root.node.add_dependency(registration)
            self.capability_access = self._associate_capability_access(cluster)
            # Argo CD sees the root only once it may act on the cluster: no first sync fails on RBAC.
            self.root.node.add_dependency(self.capability_access)

    def _capability(self, env: EnvironmentConfig, cluster: eks.Cluster) -> eks.CfnCapability:
        idc = env.gitops.identity_center
        assert idc is not None  # the config refuses install 'capability' without it
        role = self.capability_role = iam.Role(
            self, "CapabilityRole", description=f"EKS Argo CD capability of {naming.cluster_name(env)}",
            assumed_by=iam.ServicePrincipal("capabilities.eks.amazonaws.com").with_conditions(
                {"StringEquals": {"aws:SourceAccount": env.account}}))
        role.assume_role_policy.add_statements(iam.PolicyStatement(
            actions=["sts:TagSession"], principals=[iam.ServicePrincipal("capabilities.eks.amazonaws.com")]))
        mappings = [{"role": "ADMIN", "identities": [{"id": g, "type": "SSO_GROUP"} for g in idc.admin_group_ids]}]
        if idc.viewer_group_ids:
            mappings.append({"role": "VIEWER",
                             "identities": [{"id": g, "type": "SSO_GROUP"} for g in idc.viewer_group_ids]})
        capability = eks.CfnCapability(
            self, "ArgoCd", capability_name="argocd", cluster_name=cluster.cluster_name, type="ARGOCD",
            role_arn=role.role_arn,
            # The only value CloudFormation accepts: Applications keep running if the capability is removed.
            delete_propagation_policy="RETAIN",
            configuration={"argoCd": {
                "namespace": naming.ARGOCD_NAMESPACE,
                "awsIdc": {"idcInstanceArn": idc.instance_arn, "idcRegion": idc.region},
                "rbacRoleMappings": mappings,
            }})
        return capability

    def _associate_capability_access(self, cluster: eks.Cluster) -> cr.AwsCustomResource:
        """Associates ``facts.eks_argocd_capability.CAPABILITY_ACCESS_POLICY`` (cluster scope) with the access entry EKS made.

        CloudFormation has no resource for an association alone, and an ``AWS::EKS::AccessEntry`` for the
        same role would collide with the entry EKS creates with the capability; so a custom resource calls
        AssociateAccessPolicy on create and update and DisassociateAccessPolicy on delete. It runs after the
        capability (whose creation creates the entry) and is deleted before it.
        """
        stack = cdk.Stack.of(self)
        role = self.capability_role
        assert role is not None  # set by _capability, which runs first
        policy_arn = capability_facts.access_policy_arn(capability_facts.CAPABILITY_ACCESS_POLICY, cdk.Aws.PARTITION)
        entry = {"clusterName": cluster.cluster_name, "principalArn": role.role_arn}
        associate = cr.AwsSdkCall(
            service="EKS", action="AssociateAccessPolicy",
            parameters={**entry, "policyArn": policy_arn,
                        "accessScope": {"type": capability_facts.CAPABILITY_ACCESS_SCOPE}},
            # One association per cluster and role: a new role (the capability replaced) is a new resource,
            # and CloudFormation then deletes the old one, which disassociates the old role.
            physical_resource_id=cr.PhysicalResourceId.of(
                cdk.Fn.join("/", [cluster.cluster_name, role.role_arn])))
        access = cr.AwsCustomResource(
            self, "CapabilityAccess", on_create=associate, on_update=associate,
            on_delete=cr.AwsSdkCall(
                service="EKS", action="DisassociateAccessPolicy", parameters={**entry, "policyArn": policy_arn},
                # Deleting the capability may remove its access entry first; then there is nothing to undo.
                ignore_error_codes_matching="ResourceNotFoundException"),
            install_latest_aws_sdk=False,  # the runtime's bundled SDK has both calls: no npm download at deploy
            policy=cr.AwsCustomResourcePolicy.from_statements([iam.PolicyStatement(
                actions=[capability_facts.ASSOCIATE_ACTION, capability_facts.DISASSOCIATE_ACTION],
                resources=[capability_facts.role_access_entry_arn(
                    partition=stack.partition, region=stack.region, account=stack.account,
                    cluster_name=cluster.cluster_name, role_name=role.role_name)],
                conditions={"StringEquals": {capability_facts.POLICY_ARN_KEY: policy_arn}},
            )]),
        )
        access.node.add_dependency(self.install)
        self._harden_custom_resource(access, cluster, role)
        return access

    def _harden_custom_resource(self, access: cr.AwsCustomResource, cluster: eks.Cluster, role: iam.Role) -> None:
        """The AwsCustomResource function the CDK builds: its log group gets the log key; the findings that
        stand, with why, next to it."""
        stack = cdk.Stack.of(self)
        # cdk-nag prints the resource with each reference as <LogicalId>.
        entry = capability_facts.role_access_entry_arn(
            partition=stack.partition, region=stack.region, account=stack.account,
            cluster_name=f"<{self._logical_id(cluster)}>", role_name=f"<{self._logical_id(role)}>")
        acknowledge(access, f"IAM5[Resource::{entry}]",
                    "the last segment of an access entry ARN is a UUID EKS assigns when the capability creates the "
                    "entry; the rest names this cluster and this role, and the statement allows only the one policy")
        # One function per stack, shared by every AwsCustomResource (a SingletonFunction named after this UUID);
        # find_child fails the synth if a CDK release moves it, instead of leaving it unhardened.
        function = stack.node.find_child(f"AWS{cr.AwsCustomResource.PROVIDER_FUNCTION_UUID.replace('-', '')}")
        acknowledge(function, managed_policy_finding("service-role/AWSLambdaBasicExecutionRole"),
                    "the CDK's AwsCustomResource function needs only to write its own logs; the CDK manages this role")
        for child in function.node.find_all():
            if isinstance(child, logs.CfnLogGroup) and self._log_key is not None:
                child.kms_key_id = self._log_key.key_arn
            elif isinstance(child, logs.CfnLogGroup):
                child.add_metadata("checkov", {"skip": [{"id": "CKV_AWS_158", "comment": (
                    "no log key was given; the function logs only the cluster name, the role ARN and the policy "
                    "ARN, which CloudFormation shows anyway")}]})
        function.node.default_child.add_metadata("checkov", {"skip": [
            {"id": "CKV_AWS_115", "comment": "deploy-time custom resource handler, invoked a few times per deploy"},
            {"id": "CKV_AWS_116", "comment": "invoked synchronously by CloudFormation, which reports failures"},
            {"id": "CKV_AWS_117", "comment": "calls only the public EKS API; nothing in the VPC to reach"},
        ]})

    def _logical_id(self, construct: Construct) -> str:
        """The logical id of ``construct``'s CloudFormation resource."""
        stack = cdk.Stack.of(self)
        return stack.resolve(stack.get_logical_id(construct.node.default_child))
