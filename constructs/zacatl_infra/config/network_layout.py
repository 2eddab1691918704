"""How the VPC range is split into subnets, so the model refuses a range the subnets do not fit in.

Per pinned zone the cloud layer creates one public ``/24`` (NAT gateways, load balancers) and one
private ``/19`` for the nodes (the VPC CNI gives every pod a VPC address). aws-cdk-lib allocates
them in order, public subnets of every zone first, each block aligned to its own size
(``NetworkBuilder.addSubnets`` and ``CidrBlock`` in aws-cdk-lib 2.275.0 ``aws-ec2/lib/network-util``):
in a ``/16`` the three public ``/24`` blocks take ``10.0.0.0``-``10.0.2.255`` and the first node ``/19``
starts at ``10.0.32.0``. ``allocate`` repeats that walk, so a range that fails here is the range the
CDK would refuse with "exceeds remaining space" (``tests/cloud/test_network.py`` proves both agree).
"""

from __future__ import annotations

import ipaddress

#: Prefix length of each public subnet: NAT gateways and load balancers need few addresses.
PUBLIC_SUBNET_PREFIX = 24
#: Prefix length of each private node subnet: 8,187 usable addresses for nodes and their pods.
NODE_SUBNET_PREFIX = 19
#: AWS accepts VPC ranges from /16 to /28 (Amazon VPC user guide, "VPC CIDR blocks").
VPC_PREFIXES = range(16, 29)


def allocate(vpc_cidr: str, zones: int) -> list[ipaddress.IPv4Network] | None:
    """The subnets the CDK would create for ``zones`` zones in ``vpc_cidr``, public ones first;
    None when they do not fit."""
    network = ipaddress.ip_network(vpc_cidr)
    next_address = int(network.network_address)
    last_address = int(network.broadcast_address)
    subnets = []
    for prefix in [PUBLIC_SUBNET_PREFIX] * zones + [NODE_SUBNET_PREFIX] * zones:
        size = 2 ** (32 - prefix)
        if next_address + size - 1 > last_address:
            return None
        # The block that holds the last address of an unaligned request: the next aligned block.
        end = next_address + size - 1
        start = end - end % size
        subnets.append(ipaddress.ip_network((start, prefix)))
        next_address = start + size
    return subnets


def largest_prefix_that_fits(zones: int) -> int:
    """The smallest VPC (largest prefix length) that holds the subnets of ``zones`` zones."""
    fitting = [p for p in VPC_PREFIXES if allocate(f"10.0.0.0/{p}", zones) is not None]
    return max(fitting)
