"""The evaluator itself, on hand-written policies whose outcome the Kubernetes documentation states
(kubernetes.io/docs/concepts/services-networking/network-policies/): a wrong evaluator would make
the reachability tests pass for the wrong reason."""

from __future__ import annotations

from .reachability import External, Pod, allowed, selects

A = Pod("shop", {"app": "a"})
B = Pod("shop", {"app": "b"})
OTHER = Pod("other", {"app": "a"})


def _policy(name, selector, types, ingress=None, egress=None, namespace="shop"):
    spec = {"podSelector": selector, "policyTypes": types}
    if ingress is not None:
        spec["ingress"] = ingress
    if egress is not None:
        spec["egress"] = egress
    return {"metadata": {"name": name, "namespace": namespace}, "spec": spec}


DENY_ALL = _policy("deny", {}, ["Ingress", "Egress"])


def test_no_policy_allows_everything():
    assert allowed([], A, B, 80)


def test_default_deny_isolates_both_directions():
    assert not allowed([DENY_ALL], A, B, 80)
    assert not allowed([DENY_ALL], A, External("203.0.113.1"), 443)
    assert allowed([DENY_ALL], OTHER, Pod("other", {"app": "b"}), 80), "another namespace is not isolated"


def test_both_egress_of_the_source_and_ingress_of_the_destination_must_allow():
    egress_only = _policy("a-out", {"matchLabels": {"app": "a"}}, ["Egress"],
                          egress=[{"to": [{"podSelector": {"matchLabels": {"app": "b"}}}]}])
    ingress_only = _policy("b-in", {"matchLabels": {"app": "b"}}, ["Ingress"],
                           ingress=[{"from": [{"podSelector": {"matchLabels": {"app": "a"}}}]}])
    assert not allowed([DENY_ALL, egress_only], A, B, 80)
    assert not allowed([DENY_ALL, ingress_only], A, B, 80)
    assert allowed([DENY_ALL, egress_only, ingress_only], A, B, 80)


def test_policies_add_up_and_a_selected_pod_with_no_rule_is_denied():
    empty = _policy("b-none", {"matchLabels": {"app": "b"}}, ["Ingress"], ingress=[])
    opens = _policy("b-open", {"matchLabels": {"app": "b"}}, ["Ingress"], ingress=[{}])
    assert not allowed([empty], A, B, 80)
    assert allowed([empty, opens], A, B, 80), "a second policy adds to the first"


def test_pod_selector_alone_means_the_policys_namespace():
    ingress = _policy("b-in", {"matchLabels": {"app": "b"}}, ["Ingress"],
                      ingress=[{"from": [{"podSelector": {"matchLabels": {"app": "a"}}}]}])
    assert allowed([ingress], A, B, 80)
    assert not allowed([ingress], OTHER, B, 80), "same labels in another namespace do not match"


def test_namespace_and_pod_selector_in_one_peer_are_anded():
    peer = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "other"}},
            "podSelector": {"matchLabels": {"app": "a"}}}
    ingress = _policy("b-in", {"matchLabels": {"app": "b"}}, ["Ingress"], ingress=[{"from": [peer]}])
    assert allowed([ingress], OTHER, B, 80)
    assert not allowed([ingress], Pod("other", {"app": "z"}), B, 80)
    assert not allowed([ingress], A, B, 80)


def test_ip_block_honours_except_and_never_matches_a_pod_without_an_address():
    egress = _policy("a-out", {"matchLabels": {"app": "a"}}, ["Egress"],
                     egress=[{"to": [{"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.1.0/24"]}}]}])
    assert allowed([egress], A, External("10.0.0.5"), 80)
    assert not allowed([egress], A, External("10.0.1.5"), 80)
    assert not allowed([egress], A, B, 80), "a pod is matched by labels, not by the VPC range"


def test_ports_default_to_tcp_and_end_port_makes_a_range():
    egress = _policy("a-out", {"matchLabels": {"app": "a"}}, ["Egress"],
                     egress=[{"ports": [{"port": 53}, {"port": 8000, "endPort": 8010, "protocol": "TCP"}]}])
    assert allowed([egress], A, External("10.0.0.5"), 53, "TCP")
    assert not allowed([egress], A, External("10.0.0.5"), 53, "UDP")
    assert allowed([egress], A, External("10.0.0.5"), 8005)
    assert not allowed([egress], A, External("10.0.0.5"), 8011)


def test_absent_policy_types_mean_ingress_plus_egress_when_present():
    ingress_policy = {"metadata": {"name": "x", "namespace": "shop"}, "spec": {"podSelector": {}}}
    assert not allowed([ingress_policy], A, B, 80)
    assert allowed([ingress_policy], A, External("203.0.113.1"), 80), "egress is not isolated"


def test_label_selector_expressions():
    assert selects({}, {"app": "a"})
    assert selects({"matchExpressions": [{"key": "app", "operator": "In", "values": ["a", "b"]}]}, {"app": "a"})
    assert not selects({"matchExpressions": [{"key": "app", "operator": "NotIn", "values": ["a"]}]}, {"app": "a"})
    assert selects({"matchExpressions": [{"key": "tier", "operator": "DoesNotExist"}]}, {"app": "a"})
    assert not selects({"matchExpressions": [{"key": "tier", "operator": "Exists"}]}, {"app": "a"})
