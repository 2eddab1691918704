"""facts/eks_addons.json: every pinned EKS add-on version has the add-on's version format and names its source."""

from __future__ import annotations

import re
from datetime import date

import pytest

from zacatl_infra import facts
from zacatl_infra.facts import eks_versions

TABLE = facts.load("eks_addons")
#: EKS user guide, add-on pages ("Versions are specified as major-version.minor-version.patch-version-
#: eksbuild.build-number"); the managed add-on type carries no '-minimal' (that is the self-managed image tag).
EKSBUILD = re.compile(r"^v(\d+)\.(\d+)\.(\d+)-eksbuild\.(\d+)$")
PINNED = [(name, minor, version) for name, table in TABLE["versions"].items()
          for minor, version in table.items() if version is not None]


@pytest.mark.parametrize(("name", "minor", "version"), PINNED)
def test_every_pinned_version_has_the_eksbuild_format(name, minor, version):
    assert EKSBUILD.match(version), f"{name} {minor}: {version!r} is not vX.Y.Z-eksbuild.N"


@pytest.mark.parametrize(("name", "minor", "version"), [p for p in PINNED if p[0] == "kube-proxy"])
def test_kube_proxy_matches_the_clusters_minor(name, minor, version):
    # Kubernetes version skew policy (kube-proxy must not be newer than the API server) and the EKS
    # kube-proxy table, whose add-on version follows the cluster's minor: a row copied into the wrong
    # minor shows here.
    assert f"1.{EKSBUILD.match(version).group(2)}" == minor


@pytest.mark.parametrize(("name", "minor", "version"), PINNED)
def test_every_pinned_version_cites_a_dated_source(name, minor, version):
    key = TABLE["cited"][name].get(minor)
    assert key, f"{name} {minor} ({version}) names no source in 'cited'"
    source = TABLE["sources"][name][key]
    assert source["where"] and source["release"]
    assert date.fromisoformat(source["read_on"]) <= date.today()


def test_citations_point_only_at_pinned_versions():
    # A citation left behind after a version was unpinned would vouch for nothing.
    for name, cited in TABLE["cited"].items():
        assert set(cited) == {m for m, v in TABLE["versions"][name].items() if v is not None}, name


@pytest.mark.parametrize("name", sorted(TABLE["versions"]))
def test_every_offered_minor_is_pinned_or_the_gap_is_explained(name):
    # A minor EKS newly offers (facts/eks_versions.py) fails here until someone reads its add-on version.
    unpinned = [m for m in eks_versions.OFFERED if TABLE["versions"][name].get(m) is None]
    if unpinned:
        assert len(TABLE["unverified"].get(name, "")) > 40, (
            f"{name} has no verified version for {unpinned} and 'unverified' does not say why")
    else:
        assert name not in TABLE["unverified"], f"{name} is pinned for every offered minor: drop its 'unverified' note"


def test_the_three_core_add_ons_are_pinned_on_every_offered_minor():
    # The EKS user guide tables (mirror snapshot 0db028cb) cover 1.31 to 1.36.
    for name in ("vpc-cni", "coredns", "kube-proxy"):
        assert all(TABLE["versions"][name].get(m) for m in eks_versions.OFFERED), name


def test_the_checks_catch_a_malformed_or_misplaced_version():
    assert not EKSBUILD.match("v1.36.0-minimal-eksbuild.17")  # the self-managed image tag, not the add-on
    assert not EKSBUILD.match("1.22.4-eksbuild.3") and not EKSBUILD.match("latest")
    assert f"1.{EKSBUILD.match('v1.35.3-eksbuild.21').group(2)}" != "1.36"
