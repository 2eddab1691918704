"""One readable YAML snapshot per environment and layer.

Review every snapshot diff line by line: a changed construct id replaces a cloud resource, a
changed selector breaks a rolling update. Update with `make snapshots`.
"""

from __future__ import annotations

import re

import pytest
import yaml
from syrupy.extensions.single_file import SingleFileSnapshotExtension, WriteMode

from ..conftest import CLOUD_ENVIRONMENT_NAMES, ENVIRONMENT_NAMES, YamlDumper

_ASSET_HASH = re.compile(r"\b[0-9a-f]{64}\b")


class YamlSnapshot(SingleFileSnapshotExtension):
    """Stores the snapshot as a plain .yaml file, so its diff reads like the manifests."""

    file_extension = "yaml"
    _write_mode = WriteMode.TEXT

    def serialize(self, data, **kwargs) -> str:  # noqa: ANN001 - syrupy's signature
        return data

    @classmethod
    def get_snapshot_name(cls, *, test_location, index=0) -> str:  # noqa: ANN001 - syrupy's signature
        # Name files by layer and environment only ("k8s-prod.yaml"), not by test function and id.
        return str(index)


def normalise_template(template: dict) -> str:
    """The template as YAML, minus what changes without meaning: asset hashes and CDK metadata."""
    resources = {
        logical_id: {k: v for k, v in resource.items() if k != "Metadata"}
        for logical_id, resource in template.get("Resources", {}).items()
        if resource["Type"] != "AWS::CDK::Metadata"
    }
    cleaned = {**template, "Resources": resources}
    cleaned.pop("Conditions", None) if "CDKMetadataAvailable" in template.get("Conditions", {}) else None
    text = yaml.dump(cleaned, Dumper=YamlDumper, sort_keys=True, width=120)
    return _ASSET_HASH.sub("<asset-hash>", text)


@pytest.fixture
def yaml_snapshot(snapshot):
    return snapshot.use_extension(YamlSnapshot)


@pytest.mark.parametrize("env_name", ENVIRONMENT_NAMES)
def test_workload_manifests_match_snapshot(env_name, workloads, yaml_snapshot):
    rendered = workloads[env_name]
    text = "".join(f"# --- {name}\n{body}" for name, body in rendered.files.items())
    assert text == yaml_snapshot(name=f"k8s-{env_name}")


@pytest.mark.parametrize("env_name", CLOUD_ENVIRONMENT_NAMES)
def test_cloud_template_matches_snapshot(env_name, templates, yaml_snapshot):
    assert normalise_template(templates[env_name]) == yaml_snapshot(name=f"cloud-{env_name}")
