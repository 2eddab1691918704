"""Small readers over a synthesized template dict, shared by the cloud behaviour tests."""

from __future__ import annotations


def resources(template: dict, type_: str) -> dict[str, dict]:
    """Logical id -> resource, for every resource of ``type_``."""
    return {k: r for k, r in template["Resources"].items() if r["Type"] == type_}


def one(template: dict, type_: str, **properties: object) -> tuple[str, dict]:
    """The one resource of ``type_`` whose properties include ``properties``."""
    found = [(k, r) for k, r in resources(template, type_).items()
             if all(r.get("Properties", {}).get(p) == v for p, v in properties.items())]
    assert len(found) == 1, f"expected one {type_} with {properties}, found {len(found)}"
    return found[0]


def ref_or_arn(logical_id: str) -> list[dict]:
    """The two ways a template points at a resource: Ref and GetAtt Arn."""
    return [{"Ref": logical_id}, {"Fn::GetAtt": [logical_id, "Arn"]}]


def pod_identity_associations(template: dict) -> dict[tuple[str, str], dict]:
    """(namespace, ServiceAccount) -> properties of every EKS Pod Identity association."""
    return {(r["Properties"]["Namespace"], r["Properties"]["ServiceAccount"]): r["Properties"]
            for r in resources(template, "AWS::EKS::PodIdentityAssociation").values()}
