"""A way into a private-only API endpoint that opens no inbound port: an SSM Session Manager host."""

from __future__ import annotations

from aws_cdk import aws_ec2 as ec2
from aws_cdk import aws_eks_v2 as eks
from aws_cdk import aws_iam as iam
from constructs import Construct

from ..config import EnvironmentConfig
from ..policy import acknowledge, managed_policy_finding
from .keys import customer_key

#: Smallest burstable Graviton size: the host only runs kubectl and the AWS CLI for one operator at a time.
INSTANCE_TYPE = "t4g.micro"


class SessionManagerHost(Construct):
    """One instance in a private subnet, reachable only through SSM Session Manager (no SSH, no inbound
    rule, no public address), allowed to reach the cluster's API endpoint on 443.

    The instance role has ``AmazonSSMManagedInstanceCore`` and no cluster access: an operator forwards a
    local port to the endpoint through it (``AWS-StartPortForwardingSessionToRemoteHost``) and runs
    kubectl on their own machine as one of ``access.admin_role_arns`` (docs/platform.md).
    IMDSv2 only, root volume encrypted with a key of its own (rotation on), detailed monitoring,
    termination protection.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, vpc: ec2.IVpc,
                 cluster: eks.Cluster) -> None:
        super().__init__(scope, id_)
        volume_key = customer_key(self, "VolumeKey", env=env, purpose="Session Manager host volume encryption")
        role = iam.Role(self, "Role", description=f"SSM Session Manager host of {env.name}; no cluster access",
                        assumed_by=iam.ServicePrincipal("ec2.amazonaws.com"),
                        managed_policies=[iam.ManagedPolicy.from_aws_managed_policy_name("AmazonSSMManagedInstanceCore")])
        acknowledge(role, managed_policy_finding("AmazonSSMManagedInstanceCore"),
                    "Session Manager's own AWS-maintained policy for managed instances; it grants no cluster access")
        self.instance = ec2.Instance(
            self, "Resource", vpc=vpc, vpc_subnets=ec2.SubnetSelection(subnet_type=ec2.SubnetType.PRIVATE_WITH_EGRESS),
            instance_type=ec2.InstanceType(INSTANCE_TYPE),
            machine_image=ec2.MachineImage.latest_amazon_linux2023(cpu_type=ec2.AmazonLinuxCpuType.ARM_64),
            role=role, require_imdsv2=True, detailed_monitoring=True, disable_api_termination=True,
            ebs_optimized=True, associate_public_ip_address=False,
            # No inbound rule at all: Session Manager connects out from the instance.
            allow_all_outbound=True,
            block_devices=[ec2.BlockDevice(device_name="/dev/xvda", volume=ec2.BlockDeviceVolume.ebs(
                8, encrypted=True, kms_key=volume_key, volume_type=ec2.EbsDeviceVolumeType.GP3))],
        )
        cluster.connections.allow_default_port_from(self.instance, "kubectl from the Session Manager host")
