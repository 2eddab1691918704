"""Where the EKS Pod Identity agent answers a pod's credential requests.

The agent runs on every node (host network) and listens on a link-local address per IP family, on
port 80 (the SDKs read ``AWS_CONTAINER_CREDENTIALS_FULL_URI=http://169.254.170.23/v1/credentials``,
which EKS injects). Source: EKS user guide, "Set up the Amazon EKS Pod Identity Agent"
(Considerations) and "Understand how EKS Pod Identity works", read 2026-11-29.
"""

from __future__ import annotations

from datetime import date

from .source import Source

AGENT_IPV4 = "169.254.170.23"
AGENT_IPV6 = "fd00:ec2::23"
AGENT_PORT = 80
SOURCE = Source("https://docs.aws.amazon.com/eks/latest/userguide/pod-id-agent-setup.html", date(2026, 11, 29))
