"""kind (Kubernetes IN Docker), the laptop cluster of the ``local`` environment.

Read from github.com/kubernetes-sigs/kind at tag v0.32.0 (commit cda67ef8588f, 2026-06-02) on
2026-11-29: the version (``pkg/cmd/kind/version/version.go``), the default node image with its
digest (``pkg/apis/config/defaults/image.go``), the config API version
(``site/content/docs/user/configuration.md``) and the default CNI, kindnetd, which enforces
NetworkPolicy through kube-network-policies (``images/kindnetd/cmd/kindnetd/main.go``), so the
``local`` manifests' default-deny policies apply on the laptop as they do on EKS.
The pod network 10.244.0.0/16 is kind's default ``networking.podSubnet`` (same docs page).
"""

from __future__ import annotations

from datetime import date

from .container_images import PinnedImage
from .source import Source

VERSION = "v0.32.0"
SOURCE = Source("kubernetes-sigs/kind", date(2026, 11, 29), f"{VERSION} (cda67ef8588f)")
CONFIG_API_VERSION = "kind.x-k8s.io/v1alpha4"
CONFIG_KIND = "Cluster"
#: The node image kind v0.32.0 was released with; other minors are in that release's notes.
NODE_IMAGE = PinnedImage("kindest/node", "v1.36.1",
                         "sha256:3489c7674813ba5d8b1a9977baea8a6e553784dab7b84759d1014dbd78f7ebd5", SOURCE)
POD_SUBNET = "10.244.0.0/16"
ENFORCES_NETWORK_POLICY = True
#: kubectl context name kind writes for a cluster: ``kind-<cluster name>``.
CONTEXT_PREFIX = "kind-"


def node_minor() -> str:
    """``'1.36'`` for ``NODE_IMAGE``: the Kubernetes minor the node image runs."""
    return ".".join(NODE_IMAGE.tag.lstrip("v").split(".")[:2])
