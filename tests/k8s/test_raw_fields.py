"""Plain ApiObjects: fields newer than the 1.27 serializer reach the YAML, in cdk8s's key order."""

from __future__ import annotations

import cdk8s
import cdk8s_plus_27 as kplus
import yaml

from zacatl_infra.k8s.raw_fields import PlainApiObject, reference, sorted_fields

SLEEP = {"preStop": {"sleep": {"seconds": 10}}}


def _chart():
    app = cdk8s.App()
    return app, cdk8s.Chart(app, "c", namespace="ns", disable_resource_name_hashes=True)


def _rendered(app):
    (doc,) = [d for d in yaml.safe_load_all(app.synth_yaml()) if d]
    return doc


def test_the_typed_serializer_drops_the_sleep_action():
    # The fact plain objects exist for (cdk8s-plus-27 2.9.5, its bundled 1.27 L1 classes): a patch is
    # serialized afterwards and leaves an empty handler, which the API server would refuse.
    app, chart = _chart()
    deployment = kplus.Deployment(chart, "d", containers=[kplus.ContainerProps(image="x", port_number=8080)])
    cdk8s.ApiObject.of(deployment).add_json_patch(
        cdk8s.JsonPatch.add("/spec/template/spec/containers/0/lifecycle", SLEEP))
    assert _rendered(app)["spec"]["template"]["spec"]["containers"][0]["lifecycle"] == {"preStop": {}}


def test_a_plain_object_keeps_the_sleep_action_later_patches_and_metadata():
    app, chart = _chart()
    pod = {"containers": [{"name": "app", "image": "x", "lifecycle": SLEEP}]}
    obj = PlainApiObject(chart, "d", api_version="apps/v1", kind="Deployment",
                         metadata=cdk8s.ApiObjectMetadata(name="d", labels={"a": "1"}),
                         fields={"spec": {"template": {"spec": pod}}})
    # What docs/workloads.md tells a service repository to do still works on the plain object.
    assert cdk8s.ApiObject.of(obj) is obj
    obj.add_json_patch(cdk8s.JsonPatch.add("/spec/template/spec/enableServiceLinks", False))
    obj.metadata.add_annotation("example.com/wave", "2")
    obj.add_fields({"status": {}})
    doc = _rendered(app)
    assert list(doc) == ["apiVersion", "kind", "metadata", "spec", "status"]
    assert doc["spec"]["template"]["spec"]["containers"][0]["lifecycle"] == SLEEP
    assert doc["spec"]["template"]["spec"]["enableServiceLinks"] is False
    assert doc["metadata"] == {"annotations": {"example.com/wave": "2"}, "labels": {"a": "1"}, "name": "d",
                               "namespace": "ns"}


def test_sorted_fields_orders_like_cdk8s_and_drops_unset_values():
    # cdk8s 2.70.115 lib/_util.js sanitizeValue: keys sorted at every depth, null values left out,
    # list order kept.
    body = {"b": 1, "a": {"z": None, "y": [{"d": 1, "c": 2}], "x": 0}, "c": None}
    assert sorted_fields(body) == {"a": {"x": 0, "y": [{"c": 2, "d": 1}]}, "b": 1}
    assert [list(d) for d in (sorted_fields(body), sorted_fields(body)["a"])] == [["a", "b"], ["x", "y"]]
    # The same order cdk8s itself gives an object's props.
    from cdk8s_plus_27 import k8s

    app, chart = _chart()
    data = {"zeta": "1", "Alpha": "2", "beta": "3", "_x": "4"}
    k8s.KubeConfigMap(chart, "m", data=data)
    assert list(_rendered(app)["data"]) == list(sorted_fields(data)) != list(data)


def test_reference_of_plain_and_plus_objects():
    # What an HPA's scaleTargetRef and an Ingress backend are built from, for either kind of target.
    _, chart = _chart()
    plain = PlainApiObject(chart, "d", api_version="apps/v1", kind="Deployment",
                           metadata=cdk8s.ApiObjectMetadata(name="web"))
    plus = kplus.Deployment(chart, "p", containers=[kplus.ContainerProps(image="x")])
    assert reference(plain) == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "web"}
    assert reference(plus) == {"apiVersion": "apps/v1", "kind": "Deployment", "name": "c-p"}
