"""The environment's TLS certificate: ACM, DNS-validated in the hosted zone from config (no lookup)."""

from __future__ import annotations

from aws_cdk import aws_certificatemanager as acm
from aws_cdk import aws_route53 as route53
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig


class IngressCertificate(Construct):
    """One ACM certificate whose names are every Ingress host of ``env`` (``naming.certificate_domains``).

    Validated by DNS records CloudFormation writes into ``env.dns.hosted_zone_id`` (zone name
    ``env.dns.zone_name``, default ``env.domain``), so the deploy waits until ACM issues it. The AWS Load
    Balancer Controller finds it by the Ingress's TLS host (certificate discovery through
    ``acm:ListCertificates``), so no ARN is copied into the manifests. ACM renews it while the
    validation records stay in the zone.
    Raises ValueError when the environment exposes no host (nothing to certify).
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        domains = naming.certificate_domains(env)
        if not domains or env.dns.hosted_zone_id is None:
            raise ValueError(f"environment {env.name!r}: a certificate needs dns.hosted_zone_id and at least one "
                             f"service with an ingress_path (got zone {env.dns.hosted_zone_id!r}, hosts {list(domains)})")
        self.zone = route53.HostedZone.from_hosted_zone_attributes(
            self, "Zone", hosted_zone_id=env.dns.hosted_zone_id, zone_name=env.dns.zone_name or env.domain)
        self.certificate = acm.Certificate(
            self, "Resource", domain_name=domains[0], subject_alternative_names=list(domains[1:]) or None,
            validation=acm.CertificateValidation.from_dns(self.zone))
