"""RawFieldsOverlay: fields newer than the 1.27 serializer reach the YAML, and nothing else is lost."""

from __future__ import annotations

import cdk8s
import cdk8s_plus_27 as kplus
import yaml

from zacatl_infra.k8s.raw_fields import RawFieldsOverlay

SLEEP = {"preStop": {"sleep": {"seconds": 10}}}


def _deployment():
    app = cdk8s.App()
    chart = cdk8s.Chart(app, "c", disable_resource_name_hashes=True)
    deployment = kplus.Deployment(chart, "d", containers=[kplus.ContainerProps(image="x", port_number=8080)])
    return app, deployment


def _rendered(app):
    (doc,) = [d for d in yaml.safe_load_all(app.synth_yaml()) if d]
    return doc


def test_the_typed_serializer_drops_the_sleep_action():
    # The fact the overlay exists for (cdk8s-plus-27 2.9.5): a plain patch is serialized afterwards
    # and leaves an empty handler, which the API server would refuse.
    app, deployment = _deployment()
    cdk8s.ApiObject.of(deployment).add_json_patch(
        cdk8s.JsonPatch.add("/spec/template/spec/containers/0/lifecycle", SLEEP))
    assert _rendered(app)["spec"]["template"]["spec"]["containers"][0]["lifecycle"] == {"preStop": {}}


def test_the_overlay_keeps_the_sleep_action_and_later_patches_and_metadata():
    app, deployment = _deployment()
    overlay = RawFieldsOverlay(deployment, patches=[
        cdk8s.JsonPatch.add("/spec/template/spec/containers/0/lifecycle", SLEEP)])
    assert cdk8s.ApiObject.of(deployment) is overlay
    cdk8s.ApiObject.of(deployment).add_json_patch(cdk8s.JsonPatch.add("/spec/template/spec/enableServiceLinks", False))
    cdk8s.ApiObject.of(deployment).metadata.add_annotation("example.com/wave", "2")
    doc = _rendered(app)
    pod = doc["spec"]["template"]["spec"]
    assert pod["containers"][0]["lifecycle"] == SLEEP
    assert pod["enableServiceLinks"] is False
    assert doc["metadata"]["annotations"]["example.com/wave"] == "2"
    assert doc["kind"] == "Deployment" and doc["metadata"]["name"] == "c-d"
