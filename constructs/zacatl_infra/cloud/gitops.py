"""Argo CD, installed by the stack, and the root Application that syncs ``dist/<env>/`` (app of apps).

Two installs, chosen by ``env.gitops.install``:
- ``helm``: the upstream argo-cd chart (``facts/charts.json``, exact version) through ``aws_eks_v2``'s
  Helm support, which runs ``helm upgrade --install`` in the cluster's kubectl handler;
- ``capability``: the EKS managed Argo CD (``AWS::EKS::Capability`` type ``ARGOCD``); AWS runs and
  upgrades it, people sign in through IAM Identity Center (``env.gitops.identity_center``).
Either way the root Application is applied by the kubectl handler after Argo CD exists.
"""

from __future__ import annotations

from typing import Any

import aws_cdk as cdk
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from .. import facts, naming
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
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, cluster: eks.Cluster) -> None:
        super().__init__(scope, id_)
        chart = facts.load("charts")["charts"]["argo-cd"]
        self.install: Construct
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
        if env.gitops.install == "capability":
            # The capability does not register the cluster it runs in; Applications name it "in-cluster".
            registration = cluster.add_manifest("InClusterRegistration", local_cluster_secret(cluster.cluster_arn))
            registration.node.add_dependency(self.install)
            self.root.node.add_dependency(registration)

    def _capability(self, env: EnvironmentConfig, cluster: eks.Cluster) -> eks.CfnCapability:
        idc = env.gitops.identity_center
        assert idc is not None  # the config refuses install 'capability' without it
        role = iam.Role(
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
