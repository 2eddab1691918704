"""Kubernetes objects rendered from plain dicts: a ``cdk8s.ApiObject`` and one JSON patch per field.

Why not cdk8s-plus-27 (STYLE.md prefers it): on the per-service hot path it costs far more than
the objects need. Measured with tests/profile_synth.py (cdk8s 2.70.115, cdk8s-plus-27 2.9.5,
Python 3.11, 2 shared cores): one ``ZacatlService`` through plus took 92 jsii round trips to the
Node kernel on average over the committed environments, and 30 with plain objects; the CPU time
(Python and Node) of each additional service's Kubernetes objects fell from 43-55 ms to 16-27 ms
(docs/performance.md, "Phase 2"). The bundled 1.27 L1 classes (``cdk8s_plus_27.k8s.Kube*``) were
measured too: about twice a plain object's Python CPU per object (typed structs are checked in
Python), one more round trip per quantity or int-or-string value, and their 1.27 serializer
silently drops fields newer than 1.27 (``lifecycle.preStop.sleep``, measured), which then needed
an overlay.

Since phase 3 (docs/performance.md) every object of the workload layer is one: the platform's
database, backup, restore, migration, namespace, secrets and add-on objects too, so synth loads
neither cdk8s-plus-27 nor the generated External Secrets bindings.

A plain ``ApiObject`` has no typed serializer: every field reaches the YAML as written. Two
things the generated and plus classes did, the caller now owns: field names are Kubernetes'
camelCase, and values are final strings (``"250m"``, ``"64Mi"``). ``cdk8s.ApiObject.of(obj)``
still returns the object, so ``add_json_patch`` and ``metadata.add_label`` work as before.
"""

from __future__ import annotations

from typing import Any

import cdk8s
from constructs import Construct


def sorted_fields(value: Any) -> Any:
    """``value`` with every mapping's keys sorted and None values left out, recursively.

    That is what ``cdk8s.ApiObject`` does to the props it is constructed with (cdk8s 2.70.115,
    ``lib/_util.js`` ``sanitizeValue``) before it applies JSON patches; fields added after this
    call keep their insertion order, as patched fields did. Used so a rewritten construct renders
    byte for byte what its cdk8s-plus predecessor rendered.
    """
    if isinstance(value, dict):
        return {key: sorted_fields(value[key]) for key in sorted(value) if value[key] is not None}
    if isinstance(value, list):
        return [sorted_fields(item) for item in value]
    return value


def sorted_with(fields: dict[str, Any], **finished: Any) -> dict[str, Any]:
    """``sorted_fields(fields)`` with the ``finished`` values added in key order, their insides left
    as they are (a pod spec whose hardening keys come after its sorted keys, for instance)."""
    return dict(sorted({**sorted_fields(fields), **finished}.items()))


class PlainApiObject(cdk8s.ApiObject):
    """A ``cdk8s.ApiObject`` whose top-level ``fields`` (``spec``, ``data``, ...) are written as given.

    ``metadata`` gets the chart's namespace and labels as any ApiObject's does. ``fields`` are
    added by JSON patches, in their order, after ``apiVersion``, ``kind`` and ``metadata``; more
    can be added later with ``add_fields``. jsii round trips: one to create, one per field, one to
    attach the patches. ``reference`` (apiVersion, kind, name) is kept on the Python side, so a
    ``scaleTargetRef`` or an Ingress backend costs no round trip to read it.
    """

    def __init__(
        self, scope: Construct, id_: str, *, api_version: str, kind: str, metadata: cdk8s.ApiObjectMetadata,
        fields: dict[str, Any] | None = None,
    ) -> None:
        super().__init__(scope, id_, api_version=api_version, kind=kind, metadata=metadata)
        #: apiVersion and kind, read without a round trip (``group_version_kind``).
        self.gvk = (api_version, kind)
        #: The annotations ``metadata`` had (later ones are added in the kernel, not here).
        self.created_annotations: dict[str, str] = dict(metadata.annotations or {})
        self._reference = {"apiVersion": api_version, "kind": kind, "name": metadata.name} if metadata.name else None
        if fields:
            self.add_fields(fields)

    def add_fields(self, fields: dict[str, Any]) -> None:
        """Adds top-level ``fields`` to the rendered manifest, as they are, in their order."""
        self.add_json_patch(*(cdk8s.JsonPatch.add(f"/{key}", value) for key, value in fields.items()))


def group_version_kind(obj: cdk8s.ApiObject) -> tuple[str, str]:
    """``(apiVersion, kind)`` of ``obj``: from the Python side for a ``PlainApiObject``, else two
    round trips to the kernel."""
    if isinstance(obj, PlainApiObject):
        return obj.gvk
    return obj.api_version, obj.kind


def reference(obj: cdk8s.ApiObject | Any) -> dict[str, str]:
    """``{"apiVersion", "kind", "name"}`` of ``obj``: a ``PlainApiObject`` or anything with
    ``api_version``, ``kind`` and ``name`` (a ``cdk8s.ApiObject``, a cdk8s-plus resource)."""
    if isinstance(obj, PlainApiObject) and obj._reference is not None:
        return dict(obj._reference)
    return {"apiVersion": obj.api_version, "kind": obj.kind, "name": obj.name}
