"""The EKS Argo CD capability: its cluster access (what EKS does by itself, what the stack adds, the IAM to
add it) and what it requires of AppProjects.

- ``CAPABILITY_ACCESS``: when an ``ARGOCD`` capability is created, EKS creates an access entry for the
  capability's IAM role on that cluster, with two baseline access policies for Argo CD's own operation
  (``BASELINE_POLICIES``: ``AmazonEKSArgoCDClusterPolicy`` cluster-wide, discovery and cluster-scoped
  objects; ``AmazonEKSArgoCDPolicy`` in the capability's namespace). They do not let Argo CD deploy
  into the cluster ("no Kubernetes RBAC permissions are granted by default"): deploying to the
  capability's own cluster needs another access policy on that entry. A cluster whose Applications
  install CRDs, cluster roles and webhooks (every add-on chart here does) needs
  ``AmazonEKSClusterAdminPolicy`` with cluster scope; the guide's narrower setup (``AmazonEKSEditPolicy``
  per namespace plus hand-written RBAC) cannot create CRDs. Sources: EKS user guide, "Register target
  clusters" (argocd-register-clusters: "Register the local cluster", "Access entry RBAC requirements")
  and "Security considerations for EKS Capabilities" (capabilities-security: "EKS access entries").
- ``ASSOCIATE_API``: ``AssociateAccessPolicy`` takes the cluster name, the principal ARN of the access
  entry, the policy ARN and an access scope (``type`` ``cluster`` or ``namespace``);
  ``DisassociateAccessPolicy`` takes the cluster name, the principal ARN and the policy ARN. Source:
  Amazon EKS API Reference, AssociateAccessPolicy and DisassociateAccessPolicy.
- ``IAM_REFERENCE``: the IAM actions ``eks:AssociateAccessPolicy`` and ``eks:DisassociateAccessPolicy``
  require resource type ``access-entry``, ARN
  ``arn:${Partition}:eks:${Region}:${Account}:access-entry/${ClusterName}/${IamIdentityType}/${IamIdentityAccountID}/${IamIdentityName}/${UUID}``,
  and accept the condition keys ``eks:policyArn`` and ``eks:accessScope``. Source: Service
  Authorization Reference, "Actions, resources, and condition keys for Amazon Elastic Kubernetes Service".
- ``PROJECTS``: with the capability, every AppProject other than ``default`` must list the namespaces its
  Applications live in under ``spec.sourceNamespaces``, the capability's own namespace included
  (open-source Argo CD does not require it for that namespace); Applications of a project that omits it
  fail to deploy. The capability watches only the one namespace it was configured with. Source: EKS user
  guide, "Working with Argo CD Projects" (argocd-projects, "Source namespaces") and "Configure Argo CD
  permissions" (argocd-permissions).
"""

from __future__ import annotations

from datetime import date

from .source import Source

#: The day these facts were read.
READ_ON = date(2026, 11, 29)

#: The user guide page, as mirrored weekly from docs.aws.amazon.com by crowecawcaw/aws-docs-history
#: (this snapshot's document history ends at 2026-09-02).
CAPABILITY_ACCESS = Source(
    "https://docs.aws.amazon.com/eks/latest/userguide/argocd-register-clusters.html "
    "(crowecawcaw/aws-docs-history:docs/eks/latest/userguide/argocd-register-clusters.md)",
    READ_ON, "0db028cb14fead0a2665aba9972f0bad7153fe33")
PROJECTS = Source(
    "https://docs.aws.amazon.com/eks/latest/userguide/argocd-projects.html "
    "(crowecawcaw/aws-docs-history:docs/eks/latest/userguide/argocd-projects.md)",
    READ_ON, "0db028cb14fead0a2665aba9972f0bad7153fe33")
CAPABILITY_SECURITY = Source(
    "https://docs.aws.amazon.com/eks/latest/userguide/capabilities-security.html "
    "(crowecawcaw/aws-docs-history:docs/eks/latest/userguide/capabilities-security.md)",
    READ_ON, "0db028cb14fead0a2665aba9972f0bad7153fe33")
ASSOCIATE_API = Source("https://docs.aws.amazon.com/eks/latest/APIReference/API_AssociateAccessPolicy.html", READ_ON)
IAM_REFERENCE = Source(
    "https://docs.aws.amazon.com/service-authorization/latest/reference/list_amazonelastickubernetesservice.html "
    "(crowecawcaw/aws-docs-history:docs/service-authorization/latest/reference/list_amazonelastickubernetesservice.md)",
    READ_ON, "204c96fd1180b2364bec31ca18daa3f36556cfe3")

#: The access policies EKS itself associates with the capability's entry (CAPABILITY_SECURITY); the stack
#: leaves them alone.
BASELINE_POLICIES = ("AmazonEKSArgoCDClusterPolicy", "AmazonEKSArgoCDPolicy")
#: The access policy the Argo CD capability's access entry needs on its own cluster (see CAPABILITY_ACCESS).
CAPABILITY_ACCESS_POLICY = "AmazonEKSClusterAdminPolicy"
#: Its access scope: cluster-wide, because the add-on charts install cluster-scoped objects.
CAPABILITY_ACCESS_SCOPE = "cluster"

#: IAM actions that add and remove an access policy on an access entry (IAM_REFERENCE).
ASSOCIATE_ACTION = "eks:AssociateAccessPolicy"
DISASSOCIATE_ACTION = "eks:DisassociateAccessPolicy"
#: Condition keys of both actions (IAM_REFERENCE): the policy ARN and the scope type in the request.
POLICY_ARN_KEY = "eks:policyArn"
ACCESS_SCOPE_KEY = "eks:accessScope"


def access_policy_arn(name: str, partition: str = "aws") -> str:
    """ARN of the EKS access policy ``name``: ``arn:<partition>:eks::aws:cluster-access-policy/<name>``."""
    return f"arn:{partition}:eks::aws:cluster-access-policy/{name}"


def role_access_entry_arn(*, partition: str, region: str, account: str, cluster_name: str, role_name: str) -> str:
    """ARN pattern of the access entry of IAM role ``role_name`` on ``cluster_name`` (IAM_REFERENCE).

    The last segment is a UUID EKS assigns when it creates the entry, unknown before deploy: ``*``.
    """
    return f"arn:{partition}:eks:{region}:{account}:access-entry/{cluster_name}/role/{account}/{role_name}/*"
