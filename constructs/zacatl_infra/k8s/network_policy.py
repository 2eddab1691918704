"""Network policies: the namespace denies everything, each service opens only what it needs.

Namespace-wide (``NamespaceNetworkPolicies``, in ``00-namespace.yaml``): deny all ingress and
egress, then allow every pod DNS to the cluster's CoreDNS. Per service (``ServiceNetworkPolicy``):
ingress to the service port from the ingress controller and from Prometheus, egress to the
database CIDRs and to each upstream. Anything else is dropped.
"""

from __future__ import annotations

import ipaddress

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig, ServiceSpec
from .labels import environment_labels, selector_labels, service_labels
from .platform import DNS_NAMESPACE, DNS_POD_LABELS, DNS_PORT, INGRESS_NGINX_NAMESPACE, MONITORING_NAMESPACE


def _ip_block(scope: Construct, id_: str, cidr: str) -> kplus.NetworkPolicyIpBlock:
    if ipaddress.ip_network(cidr).version == 6:
        return kplus.NetworkPolicyIpBlock.ipv6(scope, id_, cidr)
    return kplus.NetworkPolicyIpBlock.ipv4(scope, id_, cidr)


class NamespaceNetworkPolicies(Construct):
    """``default-deny`` (all ingress and egress of every pod) and ``allow-dns`` (egress to CoreDNS on 53)."""

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        namespace = naming.namespace(env)
        labels = environment_labels(env)
        self.default_deny = kplus.NetworkPolicy(
            self,
            "DefaultDeny",
            metadata=cdk8s.ApiObjectMetadata(name="default-deny", namespace=namespace, labels=labels),
            selector=kplus.Pods.all(self, "AllPods"),
            ingress=kplus.NetworkPolicyTraffic(default=kplus.NetworkPolicyTrafficDefault.DENY),
            egress=kplus.NetworkPolicyTraffic(default=kplus.NetworkPolicyTrafficDefault.DENY),
        )
        dns = kplus.Pods.select(
            self, "CoreDns", labels=DNS_POD_LABELS,
            namespaces=kplus.Namespaces.select(self, "DnsNamespace", names=[DNS_NAMESPACE]),
        )
        self.allow_dns = kplus.NetworkPolicy(
            self,
            "AllowDns",
            metadata=cdk8s.ApiObjectMetadata(name="allow-dns", namespace=namespace, labels=labels),
            selector=kplus.Pods.all(self, "AllPodsDns"),
            # DNS falls back to TCP for answers above 512 bytes; both are needed.
            egress=kplus.NetworkPolicyTraffic(rules=[kplus.NetworkPolicyRule(
                peer=dns, ports=[kplus.NetworkPolicyPort.udp(DNS_PORT), kplus.NetworkPolicyPort.tcp(DNS_PORT)],
            )]),
        )


class ServiceNetworkPolicy(Construct):
    """What one service's pods may receive and send, on top of the namespace's default deny.

    Ingress on the container port: from the ingress controller when the service has an
    ``ingress_path`` (the VPC CIDR in AWS, because the ALB sends to pod IPs with target-type ip;
    the ``ingress-nginx`` namespace in ``local``), and from Prometheus in ``monitoring``.
    Egress: ``spec.database.egress_cidrs`` on the database port and each of ``spec.upstreams``.
    An empty ``egress_cidrs`` allows no database traffic at all: the pod starts, its readiness
    check fails while MongoDB is unreachable, and it never receives traffic (fail closed).
    """

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig, spec: ServiceSpec) -> None:
        super().__init__(scope, id_)
        port = kplus.NetworkPolicyPort.tcp(spec.container_port)
        self.resource = kplus.NetworkPolicy(
            self,
            "Resource",
            metadata=cdk8s.ApiObjectMetadata(name=spec.name, labels=service_labels(env, spec)),
            selector=kplus.Pods.select(self, "Pods", labels=selector_labels(spec)),
            ingress=kplus.NetworkPolicyTraffic(default=kplus.NetworkPolicyTrafficDefault.DENY),
            egress=kplus.NetworkPolicyTraffic(default=kplus.NetworkPolicyTrafficDefault.DENY),
        )
        if spec.ingress_path is not None:
            if env.is_local:
                controller: kplus.INetworkPolicyPeer = kplus.Namespaces.select(
                    self, "IngressController", names=[INGRESS_NGINX_NAMESPACE]
                )
            else:
                controller = _ip_block(self, "IngressController", env.network.vpc_cidr)
            self.resource.add_ingress_rule(controller, [port])
        self.resource.add_ingress_rule(
            kplus.Namespaces.select(self, "Prometheus", names=[MONITORING_NAMESPACE]), [port]
        )
        if spec.database:
            for i, cidr in enumerate(spec.database.egress_cidrs):
                self.resource.add_egress_rule(
                    _ip_block(self, f"Database{i}", cidr), [kplus.NetworkPolicyPort.tcp(spec.database.port)]
                )
        for upstream in spec.upstreams:
            self.resource.add_egress_rule(
                _ip_block(self, f"Upstream-{upstream.name}", upstream.cidr), [kplus.NetworkPolicyPort.tcp(upstream.port)]
            )
