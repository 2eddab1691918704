"""Fields newer than Kubernetes 1.27 on objects built with cdk8s-plus-27.

The bundled 1.27 L1 classes serialize an object after its JSON patches are applied, and their
typed serializer drops every field 1.27 does not know (measured with cdk8s-plus-27 2.9.5:
``lifecycle.preStop.sleep`` disappears). ``RawFieldsOverlay`` takes the typed object's place in
the tree and applies its patches to the already-serialized JSON, so such fields reach the YAML.
"""

from __future__ import annotations

import cdk8s
from constructs import Construct


class RawFieldsOverlay(cdk8s.ApiObject):
    """Renders ``typed`` (taken out of the tree) with ``patches`` applied after its serializer.

    It becomes the default child of ``owner`` (same id as the typed object had), so
    ``cdk8s.ApiObject.of(owner)`` returns it: later ``add_json_patch`` calls land here and are
    applied last, raw, and labels or annotations added to its ``metadata`` are merged into the
    typed object's (so chart-wide or tool-added metadata is not lost).
    """

    def __init__(self, owner: Construct, *, patches: list[cdk8s.JsonPatch] | None = None) -> None:
        typed = cdk8s.ApiObject.of(owner)
        removed = owner.node.try_remove_child(typed.node.id)
        if not removed:
            raise ValueError(f"{owner.node.path}: its typed object {typed.node.id!r} could not be replaced")
        super().__init__(owner, typed.node.id, api_version=typed.api_version, kind=typed.kind,
                         metadata=cdk8s.ApiObjectMetadata(name=typed.name))
        self._typed = typed
        self._patches: list[cdk8s.JsonPatch] = list(patches or [])

    def add_json_patch(self, *ops: cdk8s.JsonPatch) -> None:
        self._patches.extend(ops)

    def to_json(self) -> object:
        rendered = self._typed.to_json()
        own = self.metadata.to_json()
        metadata = rendered.setdefault("metadata", {})
        for key in ("labels", "annotations"):
            if own.get(key):
                metadata[key] = {**metadata.get(key, {}), **own[key]}
        return cdk8s.JsonPatch.apply(rendered, *self._patches)
