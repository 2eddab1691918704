"""IAM roles bound to ServiceAccounts through EKS Pod Identity, and the services' Secrets Manager secrets.

A hot path (one role per identity, per environment; docs/performance.md): the trust principal is
built once per account and shared, what the grants read from other constructs is read once
(``_References``), and the associations are L1s. The roles stay ``iam.Role`` L2s because
``WorkloadIdentities.roles`` hands them to service owners to add grants to. 175 jsii round trips a
stack before, 75 after, for the same template.
"""

from __future__ import annotations

import functools

import aws_cdk as cdk
from aws_cdk import aws_eks as eks_l1
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from aws_cdk import aws_kms as kms
from aws_cdk import aws_s3 as s3
from aws_cdk import aws_secretsmanager as secretsmanager
from aws_cdk import aws_sns as sns
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from ..naming import WorkloadIdentity
from ..policy import acknowledge, arn_reference
from .keys import customer_key
from .lb_controller import load_balancer_controller_policy


@functools.cache
def pod_identity_principal(account: str) -> iam.IPrincipal:
    """The EKS Pod Identity agent of ``account``, allowed to tag sessions (which it does).

    Built once per account and shared by every role that trusts it: a principal is an immutable
    value, and building one costs three jsii round trips (service principal, its condition, the
    session-tags wrapper), once per role before (docs/performance.md).
    """
    return iam.SessionTagsPrincipal(iam.ServicePrincipal("pods.eks.amazonaws.com").with_conditions(
        {"StringEquals": {"aws:SourceAccount": account}}))


def pod_identity_role(scope: Construct, id_: str, *, env: EnvironmentConfig, role_name: str | None = None,
                      description: str) -> iam.Role:
    """A role only the EKS Pod Identity agent of this account can assume (with session tags, which it sets)."""
    return iam.Role(scope, id_, role_name=role_name, description=description,
                    assumed_by=pod_identity_principal(env.account))


class ServiceSecrets(Construct):
    """One Secrets Manager secret per service with secret values (``spec.all_secrets``), named
    ``naming.secret_id(env, spec)``, read by External Secrets.

    The template holds no value: each secret starts as a generated placeholder JSON key and the
    service's owners put the real keys (for example ``mongodb-uri``) in with the console or CLI.
    KMS-encrypted with a customer-managed key (rotation on); kept when the stack is deleted.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        self.key = customer_key(self, "Key", env=env, purpose="service secrets encryption")
        self.secrets: dict[str, secretsmanager.Secret] = {}
        for spec in env.services:
            if not spec.all_secrets:
                # Nothing to hold: the workload layer renders no ExternalSecret for it either.
                continue
            secret = secretsmanager.Secret(
                self,
                spec.name,
                secret_name=naming.secret_id(env, spec),
                description=f"secret values of service {spec.name} in {env.name} (JSON keys, see ServiceSpec.secrets)",
                encryption_key=self.key,
                generate_secret_string=secretsmanager.SecretStringGenerator(
                    secret_string_template="{}", generate_string_key="placeholder", exclude_punctuation=True),
                removal_policy=cdk.RemovalPolicy.RETAIN,
            )
            acknowledge(secret, "SMG4", "values are credentials of external systems (MongoDB Atlas); their "
                        "owners rotate them there and update the secret, there is no rotation Lambda to run")
            self.secrets[spec.name] = secret


class WorkloadIdentities(Construct):
    """One IAM role and Pod Identity association per ``naming.workload_identities(env)`` entry.

    Least privilege by purpose; nothing is granted to a ServiceAccount that is not in that list:
    - ``database-backup``: put objects under ``naming.BACKUP_KEY_PREFIX`` of the backup bucket (no
      read, no list, no delete) and use its key;
    - ``database-restore``: get objects under that prefix (no write, no list, no delete) and decrypt them;
    - ``external-secrets``: read (GetSecretValue, DescribeSecret) only the services' own secrets;
    - ``load-balancer-controller``: the controller's documented permissions, tag-scoped where AWS allows;
    - ``alertmanager``: ``sns:Publish`` to the alarm topic only, and the topic key's data-key calls made
      through SNS (an encrypted topic needs both from its publishers);
    - ``service``: an empty role for a spec with ``needs_aws_role``; its owners attach grants to
      ``roles[<service account>]``.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, cluster: eks.ICluster,
                 backup_bucket: s3.IBucket, backup_key: kms.IKey,
                 secrets: dict[str, secretsmanager.ISecret], alarm_topic: sns.ITopic) -> None:
        super().__init__(scope, id_)
        self.roles: dict[str, iam.Role] = {}
        refs = _References(scope=self, cluster=cluster, backup_bucket=backup_bucket, backup_key=backup_key,
                           alarm_topic=alarm_topic)
        for identity in naming.workload_identities(env):
            role = pod_identity_role(self, identity.role_name, env=env, role_name=identity.role_name,
                                     description=f"{identity.purpose}: {identity.namespace}/{identity.service_account}")
            self._grant(identity, role, env=env, cluster=cluster, refs=refs, secrets=secrets)
            eks_l1.CfnPodIdentityAssociation(
                self,
                f"{identity.role_name}-association",
                cluster_name=refs.cluster_name,
                namespace=identity.namespace,
                service_account=identity.service_account,
                role_arn=role.role_arn,
            )
            self.roles[identity.service_account] = role

    @staticmethod
    def _grant(identity: WorkloadIdentity, role: iam.Role, *, env: EnvironmentConfig, cluster: eks.ICluster,
               refs: _References, secrets: dict[str, secretsmanager.ISecret]) -> None:
        if identity.purpose == "database-backup":
            role.add_to_policy(iam.PolicyStatement(
                actions=["s3:PutObject", "s3:AbortMultipartUpload"],
                resources=[refs.dumps],
            ))
            # SSE-KMS uploads need a data key; multipart uploads also decrypt it to finish the object.
            role.add_to_policy(iam.PolicyStatement(
                actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[refs.backup_key_arn]))
            acknowledge(role, refs.dumps_finding,
                        "the backup job writes new, dated object keys; the wildcard is scoped to the dump "
                        "prefix of that one bucket and to PutObject")
        elif identity.purpose == "database-restore":
            # Read dumps (the restore job downloads one) and decrypt them; no list, no write, no delete.
            role.add_to_policy(iam.PolicyStatement(
                actions=["s3:GetObject"], resources=[refs.dumps]))
            role.add_to_policy(iam.PolicyStatement(actions=["kms:Decrypt"], resources=[refs.backup_key_arn]))
            acknowledge(role, refs.dumps_finding,
                        "the restore job reads the one dump an operator names; the wildcard is scoped to the dump "
                        "prefix of that one bucket and to GetObject")
        elif identity.purpose == "external-secrets":
            for secret in secrets.values():
                # GetSecretValue and DescribeSecret on the secret's exact ARN, kms:Decrypt via Secrets Manager only.
                secret.grant_read(role)
        elif identity.purpose == "load-balancer-controller":
            role.attach_inline_policy(load_balancer_controller_policy(
                role, "Policy", cluster_name=refs.cluster_name, vpc_id=cluster.vpc.vpc_id))
        elif identity.purpose == "external-dns":
            # The calls of external-dns's AWS provider (kubernetes-sigs/external-dns docs/tutorials/aws.md;
            # the EKS user guide's "Community add-ons" reduces them to the same three), on this zone only.
            zone = f"arn:{refs.partition}:route53:::hostedzone/{env.dns.hosted_zone_id}"
            role.add_to_policy(iam.PolicyStatement(
                actions=["route53:ChangeResourceRecordSets", "route53:ListResourceRecordSets",
                         "route53:ListTagsForResource"], resources=[zone]))
            role.add_to_policy(iam.PolicyStatement(actions=["route53:ListHostedZones"], resources=["*"]))
            acknowledge(role, "IAM5[Resource::*]", "route53:ListHostedZones supports no resource-level "
                        "permissions; record changes are limited to the environment's one hosted zone")
        elif identity.purpose == "cluster-autoscaler":
            # The AWS provider's documented permissions (kubernetes/autoscaler
            # cluster-autoscaler/cloudprovider/aws/README.md, "IAM Policy"): reads everywhere, and scaling
            # only groups tagged as this cluster's (EKS tags managed node group ASGs with
            # k8s.io/cluster-autoscaler/<cluster> = owned).
            role.add_to_policy(iam.PolicyStatement(resources=["*"], actions=[
                "autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances",
                "autoscaling:DescribeLaunchConfigurations", "autoscaling:DescribeScalingActivities",
                "ec2:DescribeImages", "ec2:DescribeInstanceTypes",
                "ec2:DescribeLaunchTemplateVersions", "ec2:GetInstanceTypesFromInstanceRequirements",
                "eks:DescribeNodegroup"]))
            role.add_to_policy(iam.PolicyStatement(
                resources=["*"],
                actions=["autoscaling:SetDesiredCapacity", "autoscaling:TerminateInstanceInAutoScalingGroup"],
                conditions={"StringEquals": {
                    f"aws:ResourceTag/k8s.io/cluster-autoscaler/{naming.cluster_name(env)}": "owned"}}))
            acknowledge(role, "IAM5[Resource::*]", "the Describe calls support no resource-level permissions; "
                        "scaling is conditioned on the node groups' cluster-autoscaler ownership tag")
        elif identity.purpose == "alertmanager":
            # Publish on the one topic; SNS server-side encryption needs the publisher to be allowed
            # kms:GenerateDataKey and kms:Decrypt on the topic's key (SNS developer guide, "Encryption at
            # rest", key management), limited here to calls SNS makes for it in this region.
            role.add_to_policy(iam.PolicyStatement(actions=["sns:Publish"], resources=[refs.alarm_topic.topic_arn]))
            topic_key = refs.alarm_topic.master_key
            if topic_key is not None:
                role.add_to_policy(iam.PolicyStatement(
                    actions=["kms:GenerateDataKey", "kms:Decrypt"], resources=[topic_key.key_arn],
                    conditions={"StringEquals": {"kms:ViaService": f"sns.{env.region}.amazonaws.com"}}))
        # "service": nothing here; a service that needs AWS gets grants from its owners, explicitly.


class _References:
    """What the grants read from other constructs, each read on first use and once: a read is a
    jsii round trip, and several roles name the same bucket, key and cluster."""

    def __init__(self, *, scope: Construct, cluster: eks.ICluster, backup_bucket: s3.IBucket, backup_key: kms.IKey,
                 alarm_topic: sns.ITopic) -> None:
        self._scope, self._cluster, self._bucket, self._key = scope, cluster, backup_bucket, backup_key
        self.alarm_topic = alarm_topic

    @functools.cached_property
    def cluster_name(self) -> str:
        return self._cluster.cluster_name

    @functools.cached_property
    def partition(self) -> str:
        return cdk.Stack.of(self._scope).partition

    @functools.cached_property
    def dumps(self) -> str:
        """ARN pattern of every dump in the backup bucket (``naming.BACKUP_KEY_PREFIX``)."""
        return self._bucket.arn_for_objects(f"{naming.BACKUP_KEY_PREFIX}*")

    @functools.cached_property
    def dumps_finding(self) -> str:
        """The AwsSolutions-IAM5 finding of a statement on ``dumps``."""
        return f"IAM5[Resource::{arn_reference(self._bucket)}/{naming.BACKUP_KEY_PREFIX}*]"

    @functools.cached_property
    def backup_key_arn(self) -> str:
        return self._key.key_arn
