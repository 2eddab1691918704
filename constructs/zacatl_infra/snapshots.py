"""Snapshot files of a repository's output, for that repository's own tests (no test library needed).

One text file per environment and layer in the snapshot folder: ``k8s-<env>.yaml`` (the manifests
as rendered, file by file) and ``cloud-<env>.json`` (the CloudFormation template minus what changes
without meaning: asset hashes and CDK metadata). Review every diff: a changed construct id replaces
a cloud resource, a changed selector breaks a rolling update.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from pathlib import Path

from typing import TYPE_CHECKING

from . import naming
from .config import load_environments
from .synth import Project, render_workloads, synth_cloud

if TYPE_CHECKING:
    from .k8s.service import ZacatlService

_ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")


def normalised_template(template: dict) -> str:
    """``template`` as sorted, indented JSON without ``AWS::CDK::Metadata``, resource ``Metadata``
    and asset hashes (64 hex characters, replaced by ``<asset-hash>``)."""
    resources = {
        logical_id: {k: v for k, v in resource.items() if k != "Metadata"}
        for logical_id, resource in template.get("Resources", {}).items()
        if resource["Type"] != "AWS::CDK::Metadata"
    }
    cleaned = {**template, "Resources": resources}
    if "CDKMetadataAvailable" in template.get("Conditions", {}):
        cleaned.pop("Conditions")
    return _ASSET_HASH.sub("<asset-hash>", json.dumps(cleaned, indent=1, sort_keys=True)) + "\n"


def render(root: Path, *, service_class: type[ZacatlService] | None = None) -> dict[str, str]:
    """Snapshot file name -> content for every environment in ``root/environments``, both layers.

    ``service_class``: the ``ZacatlService`` subclass the repository renders with. Default: ``ZacatlService``.
    """
    envs = load_environments(root / "environments")
    rendered: dict[str, str] = {}
    with tempfile.TemporaryDirectory() as tmp:
        assembly = synth_cloud(envs, Path(tmp) / "cdk.out", context=Project(root).cdk_context())
        render_workloads(envs, Path(tmp) / "dist", service_class=service_class)
        for env in envs:
            files = sorted((Path(tmp) / "dist" / env.name).glob("*.yaml"))
            rendered[f"k8s-{env.name}.yaml"] = "".join(f"# --- {p.name}\n{p.read_text()}" for p in files)
            if not env.is_local:
                template = assembly.get_stack_by_name(naming.stack_name(env)).template
                rendered[f"cloud-{env.name}.json"] = normalised_template(template)
    return rendered


def compare(root: Path, snapshot_dir: Path, *, service_class: type[ZacatlService] | None = None,
            update: bool | None = None) -> list[str]:
    """Names of the snapshot files that differ from a fresh render of ``root``; empty when all match.

    ``update``: rewrite every snapshot instead of comparing. Default: when ``ZACATL_UPDATE_SNAPSHOTS=1``.
    A missing snapshot is recorded (the first run passes, as Jest does) except under CI (``CI`` set),
    where it counts as a difference; snapshot files of environments that are gone are removed.
    """
    update = os.environ.get("ZACATL_UPDATE_SNAPSHOTS") == "1" if update is None else update
    snapshot_dir.mkdir(parents=True, exist_ok=True)
    rendered = render(root, service_class=service_class)
    differ = []
    for name, text in rendered.items():
        path = snapshot_dir / name
        if update or (not path.exists() and not os.environ.get("CI")):
            path.write_text(text)
        elif not path.exists() or path.read_text() != text:
            differ.append(name)
    if update:
        for stale in snapshot_dir.glob("*-*.*"):
            if stale.name not in rendered:
                stale.unlink()
    return differ
