"""What the library must agree with outside itself, as data, each fact with its source and date.

Modules here import nothing from the rest of the package: config, naming, both layers and the
contract tests read them, so a fact is written once.

- ``zacatl``: what a Zacatl service reads and serves, and what its runtime image contains.
- ``eks_versions``: the Kubernetes versions Amazon EKS offers, with their support dates.
- ``kubernetes_features``: the Kubernetes version from which a Pod field the manifests use works.
- ``eks_pod_identity``: where the EKS Pod Identity agent answers.
- ``aws_endpoints``: the AWS APIs a service may declare (VPC interface endpoint names), why S3 needs an
  interface endpoint for a VPC-only policy, and what an interface endpoint costs.
- ``nodejs``: how the V8 heap limit is set and sized.
- ``reloader``: the Stakater Reloader annotation that rolls pods when their Secret changes.
- ``eks_addons.json``: EKS managed add-on versions per Kubernetes minor, each citing its source.
- ``eks_argocd_capability``: the EKS Argo CD capability's access entry, the access policy and IAM the stack
  adds to it, and what it requires of AppProjects.
- ``charts.json``: the pinned upstream Helm charts, their versions and the kinds each installs.
- ``cdk_feature_flags``: the AWS CDK feature flags the cloud layer is written against (data in
  ``cdk_feature_flags.json``; read by ``cloud.app.cloud_app``).
- ``container_images``: the pinned builder, runtime, MongoDB and Redis images of local development.
- ``kind``: the kind release of the local cluster: node image, config API, pod network.
- ``documentdb``: Amazon DocumentDB engine versions, TLS and connection options, its CA bundle, metrics.
- ``mongodb_driver``: the MongoDB Node driver Zacatl resolves and the connection-string options it reads.
"""


from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

_HERE = Path(__file__).resolve().parent


@cache
def load(name: str) -> Any:
    """The parsed JSON fact file ``facts/<name>.json``; raises FileNotFoundError naming it."""
    return json.loads((_HERE / f"{name}.json").read_text())
