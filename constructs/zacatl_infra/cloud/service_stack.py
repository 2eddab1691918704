"""`ServiceStack`: the cloud layer of one team's services in an existing platform environment."""

from __future__ import annotations

import aws_cdk as cdk
from aws_cdk import aws_eks as eks_l1
from aws_cdk import aws_iam as iam
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from .certificates import IngressCertificate
from .database import InClusterDatabaseSecret
from .identity import ServiceSecrets, pod_identity_role
from .registry import ServiceRepository

#: IAM role names are at most 64 characters (IAM quotas, "Role name": 64).
MAX_ROLE_NAME = 64


class ServiceStack(cdk.Stack):
    """Stack ``zacatl-<env>-<team>``: what ``env.team``'s services need in the platform's account.

    For each service of ``env``: its ECR repository (``naming.ecr_repository_name``), its Secrets
    Manager secret (``naming.secret_id``, when it has secret values) readable by the platform's
    External Secrets role, and, for a spec with ``needs_aws_role``, an IAM role bound to its
    ServiceAccount in the team's namespace (``naming.namespace``) through an EKS Pod Identity
    association. When a service has an ingress, one ACM certificate for the team's hosts
    (``naming.certificate_domains``), DNS-validated in the platform's zone ``env.dns.hosted_zone_id``.

    The platform is imported by the names ``naming`` derives, never looked up: the cluster by
    ``naming.cluster_name`` (the association needs only its name) and the External Secrets role by
    ``naming.external_secrets_role_name``. Nothing here needs the VPC, so it is not imported (that
    would need a lookup or a CloudFormation export the platform could then never change); the VPC
    endpoints of the team's ``aws_apis`` are the platform's, listed in its ``network.team_aws_apis``.

    Raises ValueError when ``env`` has no ``team`` (the platform itself deploys ``EnvironmentStack``),
    is ``local``, has a service whose database is backed up (the platform's backup bucket key has no
    name to import yet), or derives a role name longer than 64 characters.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        if env.team is None:
            raise ValueError(f"environment {env.name!r}: field team is not set; a ServiceStack belongs to a team "
                             "(the platform repository deploys EnvironmentStack)")
        if env.is_local:
            raise ValueError(f"environment {env.name!r}: tier 'local' has no cloud layer")
        backed_up = [s.name for s in env.services if s.database and s.database.backup]
        if backed_up:
            raise ValueError(f"environment {env.name!r}: services {backed_up} have database.backup on; a team's "
                             "ServiceStack cannot write to the platform's backup bucket yet, set backup off")
        super().__init__(
            scope,
            id_,
            stack_name=naming.stack_name(env),
            env=cdk.Environment(account=env.account, region=env.region),
            description=f"zacatl-infra cloud layer of team {env.team} in environment {env.name}",
            termination_protection=env.tier == "prod",
        )
        cdk.Tags.of(self).add("zacatl:environment", env.name)
        cdk.Tags.of(self).add("zacatl:team", env.team)
        cdk.Tags.of(self).add("zacatl:managed-by", "zacatl-infra")

        self.cluster_name = naming.cluster_name(env)
        external_secrets = iam.Role.from_role_name(
            self, "ExternalSecretsRole", naming.external_secrets_role_name(env), mutable=True)
        # The same secrets, key and defaults as the platform's services get, in the team's names.
        service_secrets = ServiceSecrets(self, "Secrets", env=env)
        self.secrets = dict(service_secrets.secrets)
        if naming.runs_in_cluster_database(env):
            # The team's own in-cluster MongoDB (k8s/database.py) reads its root user from here.
            self.secrets[naming.IN_CLUSTER_DATABASE] = InClusterDatabaseSecret(
                self, "DatabaseSecret", env=env, key=service_secrets.key).secret
        for secret in self.secrets.values():
            # The platform's External Secrets controller copies them into the team's namespace.
            secret.grant_read(external_secrets)
        self.repositories = {
            spec.name: ServiceRepository(self, f"Repository-{spec.name}", env=env, service=spec).repository
            for spec in env.services
        }

        # The team's public hosts get their own certificate, validated in the platform's hosted zone
        # (``env.dns``, by id: no lookup); the load balancer controller finds it by the TLS host.
        self.certificate = (IngressCertificate(self, "Certificate", env=env).certificate
                            if naming.certificate_domains(env) else None)

        self.roles: dict[str, iam.Role] = {}
        for identity in naming.workload_identities(env):
            if len(identity.role_name) > MAX_ROLE_NAME:
                raise ValueError(f"environment {env.name!r}: role name {identity.role_name!r} is "
                                 f"{len(identity.role_name)} characters, IAM allows {MAX_ROLE_NAME}; "
                                 "shorten the team or service name")
            role = pod_identity_role(self, identity.role_name, env=env, role_name=identity.role_name,
                                     description=f"{identity.purpose}: {identity.namespace}/{identity.service_account}")
            eks_l1.CfnPodIdentityAssociation(
                self, f"{identity.role_name}-association", cluster_name=self.cluster_name,
                namespace=identity.namespace, service_account=identity.service_account, role_arn=role.role_arn)
            self.roles[identity.service_account] = role

        for name, repository in self.repositories.items():
            cdk.CfnOutput(self, f"RepositoryUri-{name}", value=repository.repository_uri)
