"""The AWS Load Balancer Controller's IAM policy: the upstream policy (v3.5.0), narrowed to one cluster.

Narrowed from ``docs/install/iam_policy.json`` of kubernetes-sigs/aws-load-balancer-controller at the
version the pinned chart runs (kept as ``tests/data/aws-load-balancer-controller-v3.5.0-iam_policy.json``;
``tests/contract/test_platform_contract.py`` proves every other action is here):
- WAF (classic and v2) and Shield calls are left out because the chart values switch those features off
  (``k8s/addons/load_balancer_controller.py``: ``enableWaf``/``enableWafv2``/``enableShield`` false);
  Cognito because no Ingress uses ``auth-type: cognito``;
- writes are scoped to resource ARNs of this account and region (upstream uses ``*``), new security
  groups to this VPC;
- every mutation of an existing load balancer, target group or security group requires the tag
  ``elbv2.k8s.aws/cluster`` to equal this cluster's name (upstream only requires the tag to exist),
  so the controller of one cluster cannot touch another cluster's load balancers.

The statements are written in IAM's JSON form and become one ``iam.PolicyDocument.from_json``: one
jsii round trip, not one per statement, and the stack's partition, region and account are read once
(162 round trips over the three committed stacks before, 57 after, with the acknowledgements batched).
"""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..policy import acknowledge_all

_TAG = "elbv2.k8s.aws/cluster"


def _allow(*, actions: list[str], resources: list[str], conditions: dict | None = None) -> dict:
    """An ``Allow`` statement in IAM's JSON form, as ``iam.PolicyStatement`` would render it."""
    statement: dict = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if conditions:
        statement["Condition"] = conditions
    return statement


def load_balancer_controller_policy(scope: Construct, id_: str, *, cluster_name: str, vpc_id: str) -> iam.Policy:
    """The inline policy of the controller's Pod Identity role for cluster ``cluster_name`` in VPC ``vpc_id``."""
    stack = cdk.Stack.of(scope)
    # Read once: each read is a round trip to the jsii kernel, and the policy names a dozen ARNs.
    partition, region, account = stack.partition, stack.region, stack.account

    def arn(service: str, resource: str) -> str:
        return f"arn:{partition}:{service}:{region}:{account}:{resource}"

    owned = {"StringEquals": {f"aws:ResourceTag/{_TAG}": cluster_name}}
    requested = {"StringEquals": {f"aws:RequestTag/{_TAG}": cluster_name}}
    elb_resources = [arn("elasticloadbalancing", r) for r in
                     ("targetgroup/*/*", "loadbalancer/net/*/*", "loadbalancer/app/*/*")]
    listener_resources = [arn("elasticloadbalancing", r) for r in
                          ("listener/net/*/*/*", "listener/app/*/*/*",
                           "listener-rule/net/*/*/*", "listener-rule/app/*/*/*")]
    security_groups = arn("ec2", "security-group/*")
    load_balancers = [arn("elasticloadbalancing", r) for r in ("loadbalancer/net/*/*", "loadbalancer/app/*/*")]
    target_groups = [arn("elasticloadbalancing", "targetgroup/*/*")]
    statements = [
        _allow(
            actions=["iam:CreateServiceLinkedRole"],
            resources=[f"arn:{partition}:iam::{account}:role/aws-service-role/"
                       "elasticloadbalancing.amazonaws.com/AWSServiceRoleForElasticLoadBalancing"],
            conditions={"StringEquals": {"iam:AWSServiceName": "elasticloadbalancing.amazonaws.com"}}),
        # Describe and Get calls support no resource-level permissions; they only read.
        _allow(resources=["*"], actions=[
            "ec2:DescribeAccountAttributes", "ec2:DescribeAddresses", "ec2:DescribeAvailabilityZones",
            "ec2:DescribeInternetGateways", "ec2:DescribeVpcs", "ec2:DescribeVpcPeeringConnections",
            "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups", "ec2:DescribeInstances",
            "ec2:DescribeNetworkInterfaces", "ec2:DescribeTags", "ec2:DescribeRouteTables",
            "ec2:GetSecurityGroupsForVpc", "ec2:DescribeIpamPools", "ec2:GetCoipPoolUsage", "ec2:DescribeCoipPools",
            "elasticloadbalancing:DescribeLoadBalancers", "elasticloadbalancing:DescribeLoadBalancerAttributes",
            "elasticloadbalancing:DescribeListeners", "elasticloadbalancing:DescribeListenerCertificates",
            "elasticloadbalancing:DescribeListenerAttributes", "elasticloadbalancing:DescribeSSLPolicies",
            "elasticloadbalancing:DescribeRules", "elasticloadbalancing:DescribeTargetGroups",
            "elasticloadbalancing:DescribeTargetGroupAttributes", "elasticloadbalancing:DescribeTargetHealth",
            "elasticloadbalancing:DescribeTags", "elasticloadbalancing:DescribeTrustStores",
            "elasticloadbalancing:DescribeCapacityReservation",
            "acm:ListCertificates", "acm:DescribeCertificate",
            "iam:ListServerCertificates", "iam:GetServerCertificate",
        ]),
        # Security groups for load balancers: only in this VPC, tagged with the cluster at creation.
        _allow(actions=["ec2:CreateSecurityGroup"],
                            resources=[security_groups, arn("ec2", f"vpc/{vpc_id}")]),
        _allow(
            actions=["ec2:CreateTags"], resources=[security_groups],
            conditions={"StringEquals": {"ec2:CreateAction": "CreateSecurityGroup",
                                         f"aws:RequestTag/{_TAG}": cluster_name}}),
        _allow(actions=["ec2:CreateTags", "ec2:DeleteTags"], resources=[security_groups],
                            conditions=owned),
        # Ingress rules on node security groups (so load balancers reach targets) and on its own groups.
        _allow(
            actions=["ec2:AuthorizeSecurityGroupIngress", "ec2:RevokeSecurityGroupIngress"],
            resources=[security_groups]),
        _allow(actions=["ec2:DeleteSecurityGroup"], resources=[security_groups], conditions=owned),
        _allow(
            actions=["elasticloadbalancing:CreateLoadBalancer", "elasticloadbalancing:CreateTargetGroup"],
            resources=[*load_balancers, *target_groups], conditions=requested),
        _allow(
            actions=["elasticloadbalancing:AddTags"], resources=elb_resources,
            conditions={"StringEquals": {
                "elasticloadbalancing:CreateAction": ["CreateTargetGroup", "CreateLoadBalancer"],
                f"aws:RequestTag/{_TAG}": cluster_name}}),
        _allow(
            actions=["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"],
            resources=elb_resources, conditions=owned),
        _allow(
            actions=["elasticloadbalancing:AddTags", "elasticloadbalancing:RemoveTags"], resources=listener_resources),
        _allow(resources=elb_resources, conditions=owned, actions=[
            "elasticloadbalancing:ModifyLoadBalancerAttributes", "elasticloadbalancing:SetIpAddressType",
            "elasticloadbalancing:SetSecurityGroups", "elasticloadbalancing:SetSubnets",
            "elasticloadbalancing:DeleteLoadBalancer", "elasticloadbalancing:ModifyTargetGroup",
            "elasticloadbalancing:ModifyTargetGroupAttributes", "elasticloadbalancing:DeleteTargetGroup",
            "elasticloadbalancing:ModifyCapacityReservation", "elasticloadbalancing:ModifyIpPools",
        ]),
        # Listeners and rules carry no tag condition upstream: they live under a load balancer it tagged.
        _allow(resources=[*load_balancers, *listener_resources], actions=[
            "elasticloadbalancing:CreateListener", "elasticloadbalancing:DeleteListener",
            "elasticloadbalancing:CreateRule", "elasticloadbalancing:DeleteRule",
            "elasticloadbalancing:ModifyListener", "elasticloadbalancing:ModifyListenerAttributes",
            "elasticloadbalancing:AddListenerCertificates", "elasticloadbalancing:RemoveListenerCertificates",
            "elasticloadbalancing:ModifyRule", "elasticloadbalancing:SetRulePriorities",
        ]),
        _allow(
            actions=["elasticloadbalancing:RegisterTargets", "elasticloadbalancing:DeregisterTargets"],
            resources=target_groups),
    ]
    # One document from plain dicts: one round trip to the jsii kernel instead of one per statement.
    policy = iam.Policy(scope, id_, document=iam.PolicyDocument.from_json(
        {"Version": "2012-10-17", "Statement": statements}))
    wildcards = {"IAM5[Resource::*]": "only the read-only Describe/Get/List statement uses '*': those EC2, ELB, ACM "
                                      "and IAM server certificate reads support no resource-level permissions"}
    for resource in [security_groups, *elb_resources, *listener_resources]:
        wildcards[f"IAM5[Resource::{resource}]"] = (
            "load balancer, target group, listener and security group names are chosen by the controller at run time; "
            "tagging and target registration are scoped to these resource types")
    acknowledge_all(policy, wildcards)
    return policy
