"""The facts tables: sourced, dated, fresh enough, and agreeing with what the code accepts."""

from __future__ import annotations

from datetime import date

from zacatl_infra.config import NEWEST_EKS_VERSION, OLDEST_KUBERNETES_VERSION
from zacatl_infra.facts import eks_versions, kubernetes_features, zacatl

#: A table older than this is refreshed against its sources (EKS adds or retires a version about
#: every four months).
MAX_AGE_DAYS = 183


def test_eks_table_is_fresh():
    # Fails when the table ages: read the EKS release calendar again and update AS_OF.
    age = (date.today() - eks_versions.AS_OF).days
    assert age <= MAX_AGE_DAYS, f"facts/eks_versions.py was checked {age} days ago; refresh it"


def test_model_accepts_exactly_what_eks_offers():
    assert (OLDEST_KUBERNETES_VERSION, NEWEST_EKS_VERSION) == (eks_versions.OFFERED[0], eks_versions.OFFERED[-1])
    minors = [eks_versions.minor(v) for v in eks_versions.OFFERED]
    assert minors == list(range(minors[0], minors[-1] + 1)), "EKS offers consecutive minors"
    # 1.31's extended support ended 2026-11-26 (EKS release calendar): three days before AS_OF.
    assert "1.31" not in eks_versions.OFFERED and "1.32" in eks_versions.OFFERED


def test_every_offered_version_has_the_pod_fields_the_manifests_use():
    for feature in (kubernetes_features.SLEEP_ACTION, kubernetes_features.MATCH_LABEL_KEYS):
        assert eks_versions.minor(eks_versions.OLDEST) >= eks_versions.minor(feature.enabled_by_default_since), (
            f"{feature.field} needs {feature.enabled_by_default_since}; EKS still offers {eks_versions.OLDEST}")


def test_support_dates_are_ordered():
    for v in eks_versions.TABLE:
        dates = [d for d in (v.eks_release, v.end_of_standard_support, v.end_of_extended_support) if d]
        assert dates == sorted(dates), v.version
        assert v.source.where


def test_every_zacatl_fact_names_its_upstream_file_and_release():
    for variable in zacatl.VARIABLES:
        assert variable.source.where.startswith("sentzunhat/zacatl:")
        assert zacatl.RELEASE in (variable.source.release or "")
    assert zacatl.RUNTIME_IMAGE.source.where.endswith("examples/Dockerfile")
    assert zacatl.RUNTIME_IMAGE.executables == {"/nodejs/bin/node"} and not zacatl.RUNTIME_IMAGE.has_shell
