"""Network policies: the namespace denies everything, each service opens only what it needs.

Namespace-wide (``NamespaceNetworkPolicies``, in ``00-namespace.yaml``): deny all ingress and
egress, then allow every pod DNS to the cluster's CoreDNS. Per service (``ServiceNetworkPolicy``):
ingress to the service port from the load balancer's subnets (or the laptop's ingress controller),
from Prometheus and from the services that declare it as an upstream; egress to the database, to
each upstream, to the internet when the service opts in with a reason, and to the Pod Identity
agent and the VPC endpoints of its AWS APIs when it has an AWS role. Anything else is dropped.

Every policy is a plain ``cdk8s.ApiObject`` with a dict body rather than cdk8s-plus-27's
``NetworkPolicy`` (STYLE.md's default): plus builds a construct per peer and port, and took 14 jsii
round trips for a service's policy where this takes 4 (docs/performance.md, "Phase 2"), 4-5 for
each namespace-wide one where this takes 3 (phase 3), with the same YAML (why in ``raw_fields``).
``workload_policy`` is the shape the platform's jobs and database use.
"""

from __future__ import annotations

from typing import Any

import cdk8s
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig, ServiceSpec
from ..config.service import NON_INTERNET_IPV4
from ..facts import aws_endpoints, eks_pod_identity
from .labels import environment_labels, selector_labels, service_labels
from .platform import DNS_NAMESPACE, DNS_POD_LABELS, DNS_PORT, INGRESS_NGINX_NAMESPACE, MONITORING_NAMESPACE
from .raw_fields import PlainApiObject, sorted_fields


#: HTTPS, the port of every AWS API endpoint.
AWS_API_PORT = aws_endpoints.PORT
API_VERSION = "networking.k8s.io/v1"
KIND = "NetworkPolicy"


def callers(env: EnvironmentConfig, spec: ServiceSpec) -> tuple[ServiceSpec, ...]:
    """The services of ``env`` that list ``spec`` among their upstreams, in environment order."""
    return tuple(s for s in env.services if any(u.is_service and u.name == spec.name for u in s.upstreams))


class NamespaceNetworkPolicies(Construct):
    """``default-deny`` (all ingress and egress of every pod) and ``allow-dns`` (egress to CoreDNS on 53)."""

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        namespace = naming.namespace(env)
        labels = environment_labels(env)
        self.default_deny = PlainApiObject(
            self, "DefaultDeny", api_version=API_VERSION, kind=KIND,
            metadata=cdk8s.ApiObjectMetadata(name="default-deny", namespace=namespace, labels=labels),
            # No rule in either direction: every pod's traffic is denied until another policy allows it.
            fields={"spec": {"podSelector": {}, "policyTypes": ["Egress", "Ingress"]}},
        )
        dns = sorted_fields({"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": DNS_NAMESPACE}},
                             "podSelector": {"matchLabels": DNS_POD_LABELS}})
        self.allow_dns = PlainApiObject(
            self, "AllowDns", api_version=API_VERSION, kind=KIND,
            metadata=cdk8s.ApiObjectMetadata(name="allow-dns", namespace=namespace, labels=labels),
            fields={"spec": {
                # DNS falls back to TCP for answers above 512 bytes; both are needed.
                "egress": [{"ports": [{"port": DNS_PORT, "protocol": "UDP"}, tcp(DNS_PORT)], "to": [dns]}],
                "podSelector": {},
                "policyTypes": ["Egress"],
            }},
        )


def workload_policy(scope: Construct, id_: str, *, name: str, labels: dict[str, str], egress: list[dict[str, Any]],
                    namespace: str | None = None, annotations: dict[str, str] | None = None) -> PlainApiObject:
    """NetworkPolicy ``name`` of the pods labelled ``app.kubernetes.io/name: name``: no ingress at
    all, egress only by the ``egress`` rules (``{"to": [peer], "ports": [...]}``, see ``tcp``,
    ``ip_block``, ``public_internet``). ``namespace``: Default: the chart's."""
    return PlainApiObject(
        scope, id_, api_version=API_VERSION, kind=KIND,
        metadata=cdk8s.ApiObjectMetadata(name=name, namespace=namespace, labels=labels, annotations=annotations),
        fields={"spec": sorted_fields({
            "podSelector": {"matchLabels": {"app.kubernetes.io/name": name}},
            "policyTypes": ["Egress", "Ingress"],
            "egress": egress or None,
        })},
    )


class ServiceNetworkPolicy(Construct):
    """What one service's pods may receive and send, on top of the namespace's default deny.

    Ingress on the container port:
    - from the load balancer, when the service has an ``ingress_path``: the public subnets
      (``naming.public_subnet_cidrs``) in AWS, where the internet-facing ALB's addresses are and
      from which it sends to pod IPs (target-type ip); the ``ingress-nginx`` namespace in ``local``;
    - from Prometheus (namespace ``monitoring``);
    - from the pods of every service that lists this one in ``upstreams`` (``callers``).
    Egress:
    - the database (``database.database_egress``): the in-cluster MongoDB pods, or the Atlas
      PrivateLink endpoint's subnets, plus any ``spec.database.egress_cidrs`` on the database port;
    - each upstream: another service's pods on its container port, or an external range on its port;
    - ``spec.internet_egress``: the public internet (``public_internet``) on its ports;
    - ``spec.needs_aws_role`` (cloud tiers): the EKS Pod Identity agent (IPv4 and IPv6 link-local
      addresses, port 80), and the VPC range on 443, where the interface endpoints of
      ``spec.aws_apis`` answer (``naming.aws_api_endpoints``; private DNS points the SDK's regional
      host names there). S3 too goes through an interface endpoint: the gateway endpoint's
      destinations are S3's public, changing ranges, which no ipBlock can follow
      (``facts.aws_endpoints``). The public internet on 443 only with ``spec.aws_apis_over_internet``.
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, spec: ServiceSpec) -> None:
        super().__init__(scope, id_)
        ingress: list[dict[str, Any]] = []
        egress: list[dict[str, Any]] = []

        def allow_from(peer: dict[str, Any]) -> None:
            ingress.append({"from": [peer], "ports": [tcp(spec.container_port)]})

        def allow_to(peer: dict[str, Any], *ports: int) -> None:
            egress.append({"to": [peer], "ports": [tcp(p) for p in ports]})

        if spec.ingress_path is not None:
            if env.is_local:
                allow_from(_namespace_peer(INGRESS_NGINX_NAMESPACE))
            for cidr in naming.public_subnet_cidrs(env):
                allow_from(ip_block(cidr))
        allow_from(_namespace_peer(MONITORING_NAMESPACE))
        for caller in callers(env, spec):
            allow_from(_pod_peer(caller))

        if spec.database:
            from .database import database_egress_rules

            egress.extend(database_egress_rules(env, spec))
        for upstream in spec.upstreams:
            if upstream.is_service:
                callee = env.service(upstream.name)
                allow_to(_pod_peer(callee), callee.container_port)
            else:
                assert upstream.cidr is not None and upstream.port is not None  # ensured by Upstream
                allow_to(ip_block(upstream.cidr), upstream.port)
        if spec.internet_egress is not None:
            allow_to(public_internet(), *spec.internet_egress.ports)
        if spec.needs_aws_role and not env.is_local:
            allow_to(ip_block(f"{eks_pod_identity.AGENT_IPV4}/32"), eks_pod_identity.AGENT_PORT)
            allow_to(ip_block(f"{eks_pod_identity.AGENT_IPV6}/128"), eks_pod_identity.AGENT_PORT)
            allow_to(ip_block(env.network.vpc_cidr), AWS_API_PORT)
            if spec.aws_apis_over_internet is not None:
                allow_to(public_internet(), AWS_API_PORT)

        self.resource = PlainApiObject(
            self, "Resource", api_version=API_VERSION, kind=KIND,
            metadata=cdk8s.ApiObjectMetadata(name=spec.name, labels=service_labels(env, spec)),
            fields={"spec": sorted_fields({
                "podSelector": {"matchLabels": selector_labels(spec)},
                # Both directions are listed: what no rule allows is denied, also with no rule at all.
                "policyTypes": ["Egress", "Ingress"],
                "ingress": ingress or None,
                "egress": egress or None,
            })},
        )


def tcp(port: int) -> dict[str, Any]:
    """A NetworkPolicy port: ``port`` over TCP."""
    return {"port": port, "protocol": "TCP"}


def ip_block(cidr: str, except_: tuple[str, ...] = ()) -> dict[str, Any]:
    """A NetworkPolicy peer: the addresses of ``cidr`` (IPv4 or IPv6) but those of ``except_``."""
    return {"ipBlock": {"cidr": cidr, "except": list(except_) or None}}


def public_internet() -> dict[str, Any]:
    """Every IPv4 address but the private, carrier-grade NAT and link-local ranges: the narrowest
    NetworkPolicy can say "the internet" (it matches addresses, never host names)."""
    return ip_block("0.0.0.0/0", NON_INTERNET_IPV4)


def _namespace_peer(namespace: str) -> dict[str, Any]:
    """Every pod of ``namespace``, by the name label the API server sets on each namespace."""
    return {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": namespace}}, "podSelector": {}}


def _pod_peer(service: ServiceSpec) -> dict[str, Any]:
    """The pods of ``service``, in the same namespace."""
    return {"podSelector": {"matchLabels": selector_labels(service)}}
