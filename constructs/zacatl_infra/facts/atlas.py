"""MongoDB Atlas over AWS PrivateLink: what the interface endpoint must let through.

Atlas places each cluster behind a network load balancer in its own VPC and maps every node to a
port of the private endpoint; the range Atlas draws those ports from is 1024-65535, so the
endpoint's security group and the pods' egress must allow all of it (a 27017-only rule connects to
nothing). Source: MongoDB Atlas docs, "Set Up a Private Endpoint for a Dedicated Cluster", section
"Port Ranges Used for Private Endpoints", read 2026-11-29.
"""

from __future__ import annotations

from datetime import date

from .source import Source

PRIVATE_ENDPOINT_PORTS = (1024, 65535)
SOURCE = Source("https://www.mongodb.com/docs/atlas/security-private-endpoint/", date(2026, 11, 29))
