"""Every rendered object is valid: built-in kinds for each Kubernetes minor from 1.27 to the newest
EKS version (kubernetes-validate, strict), custom resources against their CRD's served schema."""

from __future__ import annotations

import copy
import functools
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType

import jsonschema
import kubernetes_validate
import kubernetes_validate.utils
import pytest
import yaml

from zacatl_infra.config import NEWEST_EKS_VERSION, OLDEST_KUBERNETES_VERSION

from ..conftest import ROOT, YamlLoader

# kubernetes-validate 1.37 re-reads and re-parses its JSON schema files (the _definitions.json of a
# version is several MB) on every validate() call and lists its schema folder each time: about 3 s
# over this project's objects x versions, 0.5 s with each file parsed once. The parsed schemas are
# only read (referencing.Resource.from_contents), so sharing them changes no result.
kubernetes_validate.utils.schema_contents = functools.cache(kubernetes_validate.utils.schema_contents)
kubernetes_validate.utils.all_versions = functools.cache(kubernetes_validate.utils.all_versions)

#: The CRDs of the custom resources this project renders, copied byte for byte from the upstream
#: release tags vendored in shared/crds (see tests/crds/README.md), so the check also runs where
#: shared/ is absent (GitHub Actions). test_vendored_crds_match_shared keeps the copy honest.
CRDS = ROOT / "tests" / "crds"
SHARED_CRDS = ROOT.parent / "shared" / "crds"


def _minor(version: str) -> int:
    return int(version.split(".")[1])


KUBERNETES_VERSIONS = [f"1.{m}" for m in range(_minor(OLDEST_KUBERNETES_VERSION), _minor(NEWEST_EKS_VERSION) + 1)]


def _strict(schema: dict) -> dict:
    """The schema with unknown fields rejected, as the API server's strict field validation does
    (structural schemas prune them silently otherwise)."""
    schema = copy.deepcopy(schema)

    def walk(node: object) -> None:
        if isinstance(node, dict):
            if ("properties" in node and "additionalProperties" not in node
                    and not node.get("x-kubernetes-preserve-unknown-fields")):
                node["additionalProperties"] = False
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(schema)
    # apiVersion, kind and metadata are checked by the API server, not by the CRD's schema.
    schema.setdefault("properties", {}).update({"metadata": {"type": "object"}})
    return schema


@functools.cache
def crd_schemas(crds_dir: Path) -> Mapping[tuple[str, str], dict]:
    """(apiVersion, kind) -> strict openAPIV3Schema of every served version of every vendored CRD.

    Read once per run (four modules validate custom resources; each read and strict copy took about
    0.5 s) and shared read-only."""
    if not crds_dir.is_dir():
        pytest.fail(f"{crds_dir} is missing: custom resources cannot be validated without the vendored CRDs "
                    "(expected tests/crds/<group>/<kind>.yaml)")
    schemas = {}
    for path in sorted(crds_dir.glob("*/*.yaml")):
        crd = yaml.load(path.read_text(), Loader=YamlLoader)
        for version in crd["spec"]["versions"]:
            if version.get("served"):
                key = (f"{crd['spec']['group']}/{version['name']}", crd["spec"]["names"]["kind"])
                schemas[key] = _strict(version["schema"]["openAPIV3Schema"])
    return MappingProxyType(schemas)


def validate_object(obj: dict, crds: Mapping[tuple[str, str], dict]) -> tuple[str, list[str]]:
    """Validates one object; returns which validator did it ("crd" or "kubernetes") and the errors."""
    key = (obj.get("apiVersion", ""), obj.get("kind", ""))
    if key in crds:
        validator = jsonschema.Draft7Validator(crds[key])
        return "crd", [f"{'/'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(obj)]
    errors = []
    for version in KUBERNETES_VERSIONS:
        try:
            kubernetes_validate.validate(obj, version, strict=True)
        except kubernetes_validate.ValidationError as err:
            errors.append(f"{version}: {'/'.join(map(str, err.path))}: {err.message}")
        except Exception as err:  # an unknown kind (a custom resource without its CRD) lands here
            errors.append(f"{version}: {type(err).__name__}: {err}")
    return "kubernetes", errors


@pytest.fixture(scope="module")
def crds() -> Mapping[tuple[str, str], dict]:
    return crd_schemas(CRDS)


@pytest.mark.check
def test_every_object_of_every_environment_is_valid(workloads, crds):
    failures, validated_by = [], {"crd": 0, "kubernetes": 0}
    total = 0
    for env_name, rendered in workloads.items():
        for obj in rendered.objects:
            total += 1
            how, errors = validate_object(obj, crds)
            validated_by[how] += 1
            failures += [f"{env_name} {obj['kind']}/{obj['metadata']['name']}: {e}" for e in errors]
    assert not failures, "\n".join(failures)
    assert validated_by["crd"] + validated_by["kubernetes"] == total
    print(f"validated {validated_by['kubernetes']} built-in objects x {len(KUBERNETES_VERSIONS)} versions "
          f"and {validated_by['crd']} custom resources")


@pytest.mark.check
def test_custom_resources_are_validated_against_their_crd(workloads, crds):
    for env_name, rendered in workloads.items():
        for obj in rendered.objects:
            if "." in obj["apiVersion"].split("/")[0] and not obj["apiVersion"].split("/")[0].endswith("k8s.io"):
                how, _ = validate_object(obj, crds)
                assert how == "crd", f"{env_name} {obj['kind']} was not checked against its CRD"
    assert any(validate_object(o, crds)[0] == "crd" for r in workloads.values() for o in r.objects)


@pytest.mark.check
def test_validation_catches_broken_objects(workloads, crds):
    deployment = copy.deepcopy(workloads["prod"].one("Deployment"))
    deployment["spec"]["template"]["spec"]["containers"][0]["imagePullPolicee"] = "Always"
    assert validate_object(deployment, crds)[1], "an unknown Deployment field passed strict validation"
    external_secret = copy.deepcopy(workloads["prod"].one("ExternalSecret"))
    external_secret["spec"]["secretStoreRef"]["kind"] = "Vault"
    assert validate_object(external_secret, crds)[1], "a wrong enum in an ExternalSecret passed"
    external_secret["spec"]["secretStoreRef"] = {"name": "x", "kind": "SecretStore", "nmae": "typo"}
    assert validate_object(external_secret, crds)[1], "an unknown ExternalSecret field passed"
    unknown = {"apiVersion": "example.com/v1", "kind": "Widget", "metadata": {"name": "w"}}
    how, errors = validate_object(unknown, crds)
    assert how == "kubernetes" and errors, "a custom resource without a CRD was silently accepted"


@pytest.mark.check
def test_vendored_crds_match_shared():
    copies = sorted(CRDS.glob("*/*.yaml"))
    assert copies, "no CRD copies under tests/crds"
    if not SHARED_CRDS.is_dir():
        pytest.skip("shared/crds is not next to the project here (GitHub Actions): nothing to compare with")
    for copy_ in copies:
        upstream = SHARED_CRDS / copy_.relative_to(CRDS)
        assert copy_.read_bytes() == upstream.read_bytes(), f"{copy_} differs from {upstream}"
