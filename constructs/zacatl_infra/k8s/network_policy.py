"""Network policies: the namespace denies everything, each service opens only what it needs.

Namespace-wide (``NamespaceNetworkPolicies``, in ``00-namespace.yaml``): deny all ingress and
egress, then allow every pod DNS to the cluster's CoreDNS. Per service (``ServiceNetworkPolicy``):
ingress to the service port from the load balancer's subnets (or the laptop's ingress controller),
from Prometheus and from the services that declare it as an upstream; egress to the database, to
each upstream, to the internet when the service opts in with a reason, and to the Pod Identity
agent and AWS APIs when it has an AWS role. Anything else is dropped.
"""

from __future__ import annotations

import ipaddress

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig, ServiceSpec
from ..config.service import NON_INTERNET_IPV4
from ..facts import eks_pod_identity
from .labels import environment_labels, selector_labels, service_labels
from .platform import DNS_NAMESPACE, DNS_POD_LABELS, DNS_PORT, INGRESS_NGINX_NAMESPACE, MONITORING_NAMESPACE


#: HTTPS, the port of every AWS API endpoint.
AWS_API_PORT = 443


def _ip_block(scope: Construct, id_: str, cidr: str, except_: tuple[str, ...] = ()) -> kplus.NetworkPolicyIpBlock:
    if ipaddress.ip_network(cidr).version == 6:
        return kplus.NetworkPolicyIpBlock.ipv6(scope, id_, cidr, except_=list(except_) or None)
    return kplus.NetworkPolicyIpBlock.ipv4(scope, id_, cidr, except_=list(except_) or None)


def _public_internet(scope: Construct, id_: str) -> kplus.NetworkPolicyIpBlock:
    """Every IPv4 address but the private, carrier-grade NAT and link-local ranges: the narrowest
    NetworkPolicy can say "the internet" (it matches addresses, never host names)."""
    return _ip_block(scope, id_, "0.0.0.0/0", NON_INTERNET_IPV4)


def callers(env: EnvironmentConfig, spec: ServiceSpec) -> tuple[ServiceSpec, ...]:
    """The services of ``env`` that list ``spec`` among their upstreams, in environment order."""
    return tuple(s for s in env.services if any(u.is_service and u.name == spec.name for u in s.upstreams))


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

    Ingress on the container port:
    - from the load balancer, when the service has an ``ingress_path``: the public subnets
      (``naming.public_subnet_cidrs``) in AWS, where the internet-facing ALB's addresses are and
      from which it sends to pod IPs (target-type ip); the ``ingress-nginx`` namespace in ``local``;
    - from Prometheus (namespace ``monitoring``);
    - from the pods of every service that lists this one in ``upstreams`` (``callers``).
    Egress:
    - ``spec.database.egress_cidrs`` on the database port;
    - each upstream: another service's pods on its container port, or an external range on its port;
    - ``spec.internet_egress``: the public internet (``_public_internet``) on its ports;
    - ``spec.needs_aws_role`` (cloud tiers): the EKS Pod Identity agent (IPv4 and IPv6 link-local
      addresses, port 80), and AWS APIs on 443: the VPC range, where the interface endpoints (STS,
      ECR) answer, and the public internet, where the other regional endpoints and the S3 gateway
      endpoint's prefixes are (AWS publishes thousands of changing ranges: no policy can list them).
    An empty ``egress_cidrs`` allows no database traffic at all (the config refuses it).
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
                self.resource.add_ingress_rule(
                    kplus.Namespaces.select(self, "IngressController", names=[INGRESS_NGINX_NAMESPACE]), [port])
            for i, cidr in enumerate(naming.public_subnet_cidrs(env)):
                self.resource.add_ingress_rule(_ip_block(self, f"LoadBalancerSubnet{i}", cidr), [port])
        self.resource.add_ingress_rule(
            kplus.Namespaces.select(self, "Prometheus", names=[MONITORING_NAMESPACE]), [port]
        )
        for caller in callers(env, spec):
            self.resource.add_ingress_rule(
                kplus.Pods.select(self, f"Caller-{caller.name}", labels=selector_labels(caller)), [port])

        if spec.database:
            for i, cidr in enumerate(spec.database.egress_cidrs):
                self.resource.add_egress_rule(
                    _ip_block(self, f"Database{i}", cidr), [kplus.NetworkPolicyPort.tcp(spec.database.port)]
                )
        for upstream in spec.upstreams:
            if upstream.is_service:
                callee = env.service(upstream.name)
                self.resource.add_egress_rule(
                    kplus.Pods.select(self, f"Upstream-{upstream.name}", labels=selector_labels(callee)),
                    [kplus.NetworkPolicyPort.tcp(callee.container_port)],
                )
            else:
                assert upstream.cidr is not None and upstream.port is not None  # ensured by Upstream
                self.resource.add_egress_rule(
                    _ip_block(self, f"Upstream-{upstream.name}", upstream.cidr),
                    [kplus.NetworkPolicyPort.tcp(upstream.port)],
                )
        if spec.internet_egress is not None:
            self.resource.add_egress_rule(
                _public_internet(self, "Internet"), [kplus.NetworkPolicyPort.tcp(p) for p in spec.internet_egress.ports]
            )
        if spec.needs_aws_role and not env.is_local:
            agent = [kplus.NetworkPolicyPort.tcp(eks_pod_identity.AGENT_PORT)]
            self.resource.add_egress_rule(_ip_block(self, "PodIdentityAgentV4", f"{eks_pod_identity.AGENT_IPV4}/32"), agent)
            self.resource.add_egress_rule(_ip_block(self, "PodIdentityAgentV6", f"{eks_pod_identity.AGENT_IPV6}/128"), agent)
            https = [kplus.NetworkPolicyPort.tcp(AWS_API_PORT)]
            self.resource.add_egress_rule(_ip_block(self, "AwsEndpointsInVpc", env.network.vpc_cidr), https)
            self.resource.add_egress_rule(_public_internet(self, "AwsPublicEndpoints"), https)
