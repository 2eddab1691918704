"""The EKS cluster of one environment (``aws_eks_v2``: native CloudFormation, no kubectl Lambda).

A hot path (docs/performance.md): the managed add-ons are ``CfnAddon`` L1s, each built in one call
with every property, where the ``eks_v2.Addon`` L2 needed its child looked up and one override per
property; acknowledgements go in one call per construct and attribute reads are done once (the
Cluster cost 127-130 jsii round trips a stack before, 78-84 after). The cluster and node group stay
L2s: they build the roles, security groups and kubectl provider a hand-written version would repeat.
"""

from __future__ import annotations

import json

import aws_cdk as cdk
from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks as eks_l1
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from constructs import Construct

from .. import facts, naming
from ..config import EnvironmentConfig
from ..policy import acknowledge, acknowledge_all, managed_policy_finding
from .identity import pod_identity_role
from .keys import customer_key

#: Every control-plane log type: audit and authenticator logs are what an incident review needs first.
CONTROL_PLANE_LOGS = [
    eks.ClusterLoggingTypes.API,
    eks.ClusterLoggingTypes.AUDIT,
    eks.ClusterLoggingTypes.AUTHENTICATOR,
    eks.ClusterLoggingTypes.CONTROLLER_MANAGER,
    eks.ClusterLoggingTypes.SCHEDULER,
]

#: Audit logs are kept long enough for a quarterly access review.
CONTROL_PLANE_LOG_RETENTION = logs.RetentionDays.THREE_MONTHS

#: EKS managed add-ons. ``metrics-server`` is an EKS community add-on (AWS validates its version
#: against the cluster's Kubernetes version; source: EKS user guide, "Community add-ons").
ADDONS = (
    "vpc-cni",
    "coredns",
    "kube-proxy",
    "eks-pod-identity-agent",
    "aws-ebs-csi-driver",
    "amazon-cloudwatch-observability",
    "metrics-server",
)
#: Add-ons that call AWS: the ServiceAccount the add-on creates and the AWS managed policy it needs.
#: The role is bound through the add-on's own Pod Identity association, not through the node role,
#: so other pods on the node cannot use these permissions.
ADDON_IDENTITIES = {
    "aws-ebs-csi-driver": ("ebs-csi-controller-sa", "service-role/AmazonEBSCSIDriverPolicy"),
    "amazon-cloudwatch-observability": ("cloudwatch-agent", "CloudWatchAgentServerPolicy"),
}
#: Add-ons whose pods need nodes to run: created after the node group so they become ACTIVE, not DEGRADED.
NEEDS_NODES = ("coredns", "aws-ebs-csi-driver", "amazon-cloudwatch-observability", "metrics-server")


def addon_version(name: str, kubernetes_version: str) -> str | None:
    """The pinned version of EKS add-on ``name`` for ``kubernetes_version`` from ``facts/eks_addons.json``.

    None when the fact file has no verified version for that minor: the stack then leaves
    ``AddonVersion`` unset and EKS installs its default for the cluster's version (the table says so).
    """
    return facts.load("eks_addons")["versions"][name].get(kubernetes_version)


def addon_configuration(name: str) -> dict[str, str] | None:
    """Configuration values of add-on ``name`` (``facts/eks_addons.json``), without the source note."""
    config = facts.load("eks_addons")["configuration"].get(name)
    return None if config is None else {k: v for k, v in config.items() if k != "source"}


def _kubectl_layer(scope: Construct) -> Construct:
    """kubectl and helm for the handler Lambda (kubectl 1.36: within one minor of every cluster 1.35-1.37)."""
    # Imported here: the layer's package is 36 MB of JSII assembly, loaded only when a cluster is built.
    from aws_cdk.lambda_layer_kubectl_v36 import KubectlV36Layer

    return KubectlV36Layer(scope, "KubectlLayer")


class Cluster(Construct):
    """EKS cluster ``naming.cluster_name(env)`` with a managed node group in the private subnets.

    - Kubernetes version: ``env.cluster.kubernetes_version`` (default: the newest EKS supports, 1.36).
    - API endpoint: private only; public as well only when ``env.cluster.public_endpoint_cidrs`` is
      non-empty, and then reachable from those CIDRs only.
    - Control-plane logging: all five log types, into ``/aws/eks/<cluster>/cluster`` encrypted with
      ``log_key`` and kept three months. Secrets: envelope-encrypted with a customer-managed
      KMS key (rotation on).
    - Access: EKS access entries only (API mode, no aws-auth ConfigMap). The creating role (the
      CloudFormation execution role of ``cdk deploy``) gets no standing access in any tier;
      ``env.access.admin_role_arns`` get ``AmazonEKSClusterAdminPolicy`` (cluster),
      ``deploy_role_arns`` ``AmazonEKSEditPolicy`` in the environment's and Argo CD's namespaces,
      ``viewer_role_arns`` ``AmazonEKSViewPolicy`` (cluster).
    - Nodes: one managed node group of ``env.cluster.node_instance_types``, sized by
      ``node_min``/``node_desired``/``node_max``, spot capacity when ``env.cluster.spot``.
    - Add-ons: see ``ADDONS``; ``addons`` maps each name to its ``CfnAddon``. Each is an EKS managed
      add-on, its version pinned per Kubernetes minor
      where ``facts/eks_addons.json`` has a verified one; vpc-cni enforces NetworkPolicies
      (``enableNetworkPolicy``), which the workload layer renders in every environment.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, vpc: ec2.IVpc,
                 log_key: kms.IKey) -> None:
        super().__init__(scope, id_)
        # EKS writes control-plane logs to this fixed name; creating it first gives the logs our key
        # and a retention (EKS would create it unencrypted by a customer key and keep logs forever).
        control_plane_logs = logs.LogGroup(
            self,
            "ControlPlaneLogs",
            log_group_name=f"/aws/eks/{naming.cluster_name(env)}/cluster",
            encryption_key=log_key,
            retention=CONTROL_PLANE_LOG_RETENTION,
            removal_policy=cdk.RemovalPolicy.RETAIN,
        )
        # Retained: deleting it would make every Kubernetes Secret of a restored cluster unreadable.
        self.secrets_key = customer_key(self, "SecretsKey", env=env, purpose="EKS secrets envelope encryption")
        cidrs = list(env.cluster.public_endpoint_cidrs)
        endpoint = eks.EndpointAccess.PUBLIC_AND_PRIVATE.only_from(*cidrs) if cidrs else eks.EndpointAccess.PRIVATE
        nodes = ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS)
        self.cluster = eks.Cluster(
            self,
            "Resource",
            cluster_name=naming.cluster_name(env),
            version=eks.KubernetesVersion.of(env.cluster.kubernetes_version),
            vpc=vpc,
            vpc_subnets=[nodes],
            endpoint_access=endpoint,
            cluster_logging=CONTROL_PLANE_LOGS,
            secrets_encryption_key=self.secrets_key,
            # Never the creating role: it is the CloudFormation execution role, which nobody should
            # hold standing cluster access through, and the property cannot change after creation.
            bootstrap_cluster_creator_admin_permissions=False,
            # The kubectl handler applies what CloudFormation cannot (the Argo CD chart and the root
            # Application). It runs in the private subnets, so it reaches a private-only endpoint too.
            kubectl_provider_options=eks.KubectlProviderOptions(
                # vpc.private_subnets are the PRIVATE_WITH_EGRESS ones: one read, where select_subnets
                # returned a struct that costs a jsii round trip per field.
                kubectl_layer=_kubectl_layer(self), private_subnets=vpc.private_subnets),
            # The node group below is explicit; no default capacity, no Auto Mode.
            default_capacity_type=eks.DefaultCapacityType.NODEGROUP,
            default_capacity=0,
        )
        self.cluster.node.default_child.node.add_dependency(control_plane_logs)
        self._harden_kubectl_provider(log_key)
        acknowledge(self.cluster.role, managed_policy_finding("AmazonEKSClusterPolicy"),
                    "the EKS service role needs AmazonEKSClusterPolicy, which AWS maintains as EKS gains features")
        self._grant_access(env)

        self.nodegroup = self.cluster.add_nodegroup_capacity(
            "Nodes",
            instance_types=[ec2.InstanceType(t) for t in env.cluster.node_instance_types],
            min_size=env.cluster.node_min,
            desired_size=env.cluster.node_desired,
            max_size=env.cluster.node_max,
            capacity_type=eks.CapacityType.SPOT if env.cluster.spot else eks.CapacityType.ON_DEMAND,
            ami_type=eks.NodegroupAmiType.AL2023_X86_64_STANDARD,
            subnets=nodes,
        )
        acknowledge_all(self.nodegroup.role, {
            managed_policy_finding(policy): f"EKS nodes need the AWS-maintained {policy}; EKS documents it as the node role's policy"
            for policy in ("AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly")})

        # Add-ons are L1s, each built in one call at the path the L2 ``eks.Addon`` used (so the logical
        # ids are unchanged): the L2 needed its child looked up and one override per property.
        cluster_name = self.cluster.cluster_name
        holders: dict[str, Construct] = {}
        self.addons: dict[str, eks_l1.CfnAddon] = {}
        for name in ADDONS:
            holder = holders[name] = Construct(self, f"Addon-{name}")
            configuration = addon_configuration(name)
            associations = None
            depends_on: list[Construct] = [self.nodegroup] if name in NEEDS_NODES else []
            if name in ADDON_IDENTITIES:
                service_account, policy = ADDON_IDENTITIES[name]
                role = pod_identity_role(self, f"Addon-{name}-role", env=env,
                                         description=f"EKS add-on {name}: {service_account}")
                role.add_managed_policy(iam.ManagedPolicy.from_aws_managed_policy_name(policy))
                acknowledge(role, managed_policy_finding(policy), f"the {name} add-on needs AWS's {policy.split('/')[-1]}, which "
                            "AWS updates with the add-on; it is bound only to the add-on's ServiceAccount")
                associations = [eks_l1.CfnAddon.PodIdentityAssociationProperty(
                    role_arn=role.role_arn, service_account=service_account)]
                depends_on.append(holders["eks-pod-identity-agent"])
            self.addons[name] = eks_l1.CfnAddon(
                holder, "Resource", addon_name=name, cluster_name=cluster_name,
                # EKS bootstraps self-managed vpc-cni, coredns and kube-proxy; the managed add-on takes them over.
                resolve_conflicts="OVERWRITE",
                addon_version=addon_version(name, env.cluster.kubernetes_version),
                configuration_values=json.dumps(configuration, sort_keys=True) if configuration else None,
                pod_identity_associations=associations,
            )
            if depends_on:
                holder.node.add_dependency(*depends_on)

    def _grant_access(self, env: EnvironmentConfig) -> None:
        """One access entry per configured role, each with its EKS access policy and scope."""
        def policy(name: str, namespaces: list[str] | None = None) -> eks.IAccessPolicy:
            scope = eks.AccessScopeType.NAMESPACE if namespaces else eks.AccessScopeType.CLUSTER
            return eks.AccessPolicy.from_access_policy_name(name, access_scope_type=scope, namespaces=namespaces)

        grants = (
            ("Admin", env.access.admin_role_arns, policy("AmazonEKSClusterAdminPolicy")),
            ("Deploy", env.access.deploy_role_arns,
             policy("AmazonEKSEditPolicy", [naming.namespace(env), naming.ARGOCD_NAMESPACE])),
            ("Viewer", env.access.viewer_role_arns, policy("AmazonEKSViewPolicy")),
        )
        for prefix, arns, access_policy in grants:
            for index, arn in enumerate(arns):
                self.cluster.grant_access(f"{prefix}{index}", arn, [access_policy])

    def _harden_kubectl_provider(self, log_key: kms.IKey) -> None:
        """The kubectl handler aws_eks_v2 builds: its logs get our key; the findings that stand, with why."""
        provider = self.cluster.node.find_child("KubectlProvider")
        key_arn = log_key.key_arn
        for child in provider.node.find_all():
            if isinstance(child, logs.CfnLogGroup):
                child.kms_key_id = key_arn
            elif isinstance(child, lambda_.CfnFunction):
                child.add_metadata("checkov", {"skip": [
                    {"id": "CKV_AWS_115", "comment": "deploy-time custom resource handler; CloudFormation calls it a few "
                                                     "times per deploy, a concurrency cap would only fail deploys"},
                    {"id": "CKV_AWS_116", "comment": "invoked synchronously by CloudFormation, which reports failures"},
                    {"id": "CKV_AWS_173", "comment": "its environment holds no secret: the framework's function ARN and "
                                                     "settings that CloudFormation shows anyway"},
                ]})
        reasons = {
            managed_policy_finding(policy): f"aws_eks_v2's kubectl handler and its provider framework need "
            f"{policy.split('/')[-1]} to log, run in the private subnets and pull the handler image; the CDK manages these roles"
            for policy in ("service-role/AWSLambdaBasicExecutionRole", "service-role/AWSLambdaVPCAccessExecutionRole",
                           "AmazonEC2ContainerRegistryReadOnly")}
        ecr_public = ('IAM4[Policy::{"Fn::If":["ClusterKubectlProviderHandlerHasEcrPublic78825EA1",{"Fn::Join":["",'
                      '["arn:",{"Ref":"AWS::Partition"},":iam::aws:policy/AmazonElasticContainerRegistryPublicReadOnly"]]},'
                      '{"Ref":"AWS::NoValue"}]}]')
        reasons[ecr_public] = ("attached by aws_eks_v2 only in partitions with ECR Public, so helm can pull OCI charts "
                               "from public.ecr.aws; read-only")
        reasons["L1"] = ("the handler's Python runtime is chosen by aws-cdk-lib's kubectl provider and moves with the "
                         "pinned aws-cdk-lib version, not set here")
        handler = cdk.Stack.of(self).get_logical_id(provider.node.find_child("Handler").node.default_child)
        reasons[f"IAM5[Resource::<{handler}.Arn>:*]"] = (
            "the provider framework invokes every version of the one kubectl handler function; the wildcard is that "
            "function's version suffix")
        acknowledge_all(provider, reasons)
