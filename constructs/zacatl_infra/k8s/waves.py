"""The Argo CD sync annotations an object of the workload layer gets from its kind and group.

``charts.environment_app`` applies them to every object of every chart (``charts._order``); the
library's own objects of those kinds carry them from construction, so that pass has nothing to add
to them and costs no jsii round trip for them (docs/performance.md, phase 3).
"""

from __future__ import annotations

from .. import sync

#: Kinds served by CRDs an add-on installs in the same sync: Argo CD skips their dry run (it would fail
#: with "no matches for kind") and applies them in their wave, after the operator is healthy.
CUSTOM_RESOURCE_GROUPS = ("external-secrets.io", "monitoring.coreos.com")


def sync_annotations(api_version: str, kind: str) -> dict[str, str]:
    """Namespaces in the first wave (``sync.NAMESPACES``); custom resources of ``CUSTOM_RESOURCE_GROUPS``
    skip the dry run; nothing for the rest."""
    if kind == "Namespace":
        return {sync.WAVE_ANNOTATION: str(sync.NAMESPACES)}
    if api_version.split("/")[0] in CUSTOM_RESOURCE_GROUPS:
        return {sync.SYNC_OPTIONS_ANNOTATION: sync.SKIP_DRY_RUN}
    return {}
