"""The Ingress of a service: an ALB in AWS environments, ingress-nginx on a laptop.

A plain ``cdk8s.ApiObject`` (why: ``raw_fields``), so it can route to the service's plain Service.
"""

from __future__ import annotations

import json

import cdk8s
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig, ServiceSpec
from .labels import service_labels
from .platform import ALB_INGRESS_CLASS, ALB_SSL_POLICY, NGINX_INGRESS_CLASS
from .raw_fields import PlainApiObject, reference, sorted_fields


def alb_annotations(env: EnvironmentConfig, spec: ServiceSpec) -> dict[str, str]:
    """AWS Load Balancer Controller settings.

    - internet-facing, target-type ip: the ALB sends straight to pod IPs (no NodePort hop, and the
      readiness gate of each pod decides when it gets traffic);
    - HTTPS on 443 with HTTP 80 only to redirect; the certificate is discovered from the TLS host;
    - one ALB per environment (``group.name``), shared by all its services;
    - health check on the readiness path, so the ALB agrees with Kubernetes on which pods serve.
    """
    return {
        "alb.ingress.kubernetes.io/scheme": "internet-facing",
        "alb.ingress.kubernetes.io/target-type": "ip",
        "alb.ingress.kubernetes.io/listen-ports": json.dumps([{"HTTP": 80}, {"HTTPS": 443}]),
        "alb.ingress.kubernetes.io/ssl-redirect": "443",
        "alb.ingress.kubernetes.io/ssl-policy": ALB_SSL_POLICY,
        "alb.ingress.kubernetes.io/group.name": naming.namespace(env),
        "alb.ingress.kubernetes.io/backend-protocol": "HTTP",
        "alb.ingress.kubernetes.io/healthcheck-path": spec.health.readiness_path,
        "alb.ingress.kubernetes.io/healthcheck-port": "traffic-port",
        "alb.ingress.kubernetes.io/success-codes": "200",
    }


class ServiceIngress(Construct):
    """Routes ``https://naming.host(env, spec)<ingress_path>`` to the service's port 80.

    ``local`` uses class ``nginx`` and plain HTTP (no certificate on a laptop). ``service``: the
    Service to route to, a ``cdk8s.ApiObject`` or a cdk8s-plus Service (``raw_fields.reference``).
    """

    def __init__(
        self, scope: Construct, id_: str, *, env: EnvironmentConfig, spec: ServiceSpec, service: cdk8s.ApiObject
    ) -> None:
        super().__init__(scope, id_)
        if spec.ingress_path is None:
            raise ValueError(
                f"environment {env.name!r}, service {spec.name!r}: an Ingress needs ingress_path "
                "(got None, which means the service is not exposed)"
            )
        host = naming.host(env, spec)
        self.resource = PlainApiObject(
            self, "Resource", api_version="networking.k8s.io/v1", kind="Ingress",
            metadata=cdk8s.ApiObjectMetadata(
                name=spec.name,
                labels=service_labels(env, spec),
                annotations={} if env.is_local else alb_annotations(env, spec),
            ),
            fields={"spec": sorted_fields({
                "ingressClassName": NGINX_INGRESS_CLASS if env.is_local else ALB_INGRESS_CLASS,
                "rules": [{"host": host, "http": {"paths": [{
                    "backend": {"service": {"name": reference(service)["name"], "port": {"number": 80}}},
                    "path": spec.ingress_path,
                    "pathType": "Prefix",
                }]}}],
                "tls": None if env.is_local else [{"hosts": [host]}],
            })},
        )
