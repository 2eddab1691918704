"""A small, pure evaluator of NetworkPolicy objects, following the Kubernetes API's semantics.

Semantics (kubernetes.io/docs/concepts/services-networking/network-policies/, networking.k8s.io/v1
NetworkPolicySpec reference, read 2026-11-29):
- a pod is isolated for a direction when at least one policy in its namespace selects it
  (``podSelector``) and lists that direction in ``policyTypes`` (absent ``policyTypes``: Ingress,
  plus Egress when the policy has an ``egress`` section); a pod not isolated for a direction allows
  all traffic in it;
- an isolated pod allows a connection when any rule of any policy selecting it for that direction
  allows it: policies and rules are additive (a union), never subtractive;
- a rule allows a connection when one of its peers matches (no ``from``/``to``: every peer) and one
  of its ports matches (no ``ports``: every port; a port without ``protocol`` is TCP; ``endPort``
  makes a range);
- a peer with only ``podSelector`` means pods of the policy's own namespace; with
  ``namespaceSelector`` (alone: every pod there), pods of the matching namespaces; an ``ipBlock``
  matches addresses in ``cidr`` and not in any ``except``;
- a connection from A to B needs both A's egress and B's ingress to allow it; traffic from or to
  something that is not a pod is judged on the pod's side only.
Pods are matched by ipBlock only through an explicitly given address: how ipBlock treats pod IPs is
left to the implementation by the API, so a rule that must reach a pod has to select it by labels.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Pod:
    """A pod: its namespace, labels, the labels of its namespace, and (optionally) its address."""

    namespace: str
    labels: Mapping[str, str]
    namespace_labels: Mapping[str, str] = field(default_factory=dict)
    ip: str | None = None

    def __post_init__(self) -> None:
        # Every namespace carries this label (automatic since Kubernetes 1.22).
        labels = {"kubernetes.io/metadata.name": self.namespace, **self.namespace_labels}
        object.__setattr__(self, "namespace_labels", labels)


@dataclass(frozen=True)
class External:
    """Anything that is not a pod, known by its address: a load balancer, a database, the internet."""

    ip: str


Endpoint = Pod | External


def selects(selector: Mapping | None, labels: Mapping[str, str]) -> bool:
    """A LabelSelector: ``matchLabels`` and ``matchExpressions`` all hold; ``{}`` selects everything."""
    if selector is None:
        return False
    if any(labels.get(k) != v for k, v in (selector.get("matchLabels") or {}).items()):
        return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        present = key in labels
        if operator == "In" and not (present and labels[key] in values):
            return False
        if operator == "NotIn" and present and labels[key] in values:
            return False
        if operator == "Exists" and not present:
            return False
        if operator == "DoesNotExist" and present:
            return False
    return True


def _ip_in_block(ip: str | None, block: Mapping) -> bool:
    if ip is None:
        return False
    address = ipaddress.ip_address(ip)
    network = ipaddress.ip_network(block["cidr"])
    if address.version != network.version or address not in network:
        return False
    return not any(address in ipaddress.ip_network(e) for e in block.get("except") or []
                   if ipaddress.ip_network(e).version == address.version)


def _peer_matches(peer: Mapping, policy_namespace: str, endpoint: Endpoint) -> bool:
    if "ipBlock" in peer:
        return _ip_in_block(endpoint.ip, peer["ipBlock"])
    if not isinstance(endpoint, Pod):
        return False
    namespace_selector = peer.get("namespaceSelector")
    if namespace_selector is None:
        in_namespace = endpoint.namespace == policy_namespace
    else:
        in_namespace = selects(namespace_selector, endpoint.namespace_labels)
    pod_selector = peer.get("podSelector")
    return in_namespace and (pod_selector is None or selects(pod_selector, endpoint.labels))


def _port_matches(ports: Iterable[Mapping] | None, port: int, protocol: str) -> bool:
    if not ports:
        return True
    for item in ports:
        if item.get("protocol", "TCP") != protocol:
            continue
        if "port" not in item:
            return True
        if isinstance(item["port"], str):
            raise ValueError(f"named port {item['port']!r}: this evaluator takes port numbers only")
        if item["port"] == port or item["port"] <= port <= item.get("endPort", item["port"]):
            return True
    return False


def policy_types(policy: Mapping) -> set[str]:
    spec = policy["spec"]
    if "policyTypes" in spec:
        return set(spec["policyTypes"])
    return {"Ingress"} | ({"Egress"} if "egress" in spec else set())


def _direction_allows(policies: Iterable[Mapping], subject: Endpoint, direction: str, other: Endpoint,
                      port: int, protocol: str) -> bool:
    if not isinstance(subject, Pod):
        return True
    rules_key, peers_key = ("egress", "to") if direction == "Egress" else ("ingress", "from")
    isolated = False
    for policy in policies:
        namespace = policy["metadata"]["namespace"]
        if namespace != subject.namespace or direction not in policy_types(policy):
            continue
        if not selects(policy["spec"]["podSelector"], subject.labels):
            continue
        isolated = True
        for rule in policy["spec"].get(rules_key) or []:
            peers = rule.get(peers_key)
            if (not peers or any(_peer_matches(p, namespace, other) for p in peers)) and \
                    _port_matches(rule.get("ports"), port, protocol):
                return True
    return not isolated


def allowed(policies: Iterable[Mapping], source: Endpoint, destination: Endpoint, port: int,
            protocol: str = "TCP") -> bool:
    """True when ``source`` may open a ``protocol`` connection to ``destination`` on ``port``."""
    policies = list(policies)
    return (_direction_allows(policies, source, "Egress", destination, port, protocol)
            and _direction_allows(policies, destination, "Ingress", source, port, protocol))
