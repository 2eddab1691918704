"""The Kubernetes versions Amazon EKS offers, with their release and end-of-support dates (UTC).

A version can be chosen for a new cluster from its EKS release until its end of extended support
(standard support: 14 months, then 12 months of extended support; see the EKS user guide's
"Understand the Kubernetes version lifecycle on EKS"). ``OFFERED`` is what EKS offered on
``AS_OF``; ``ClusterSettings.kubernetes_version`` accepts exactly those, and the schema check of
``make test`` validates the manifests against each of them. Refresh this table when EKS releases
or retires a version (``tests/contract/test_facts.py`` fails once it is older than six months).

Sources:
- 1.29 to 1.34: awsdocs/amazon-eks-user-guide:latest/ug/versioning/kubernetes-versions.adoc,
  commit 013856044148 ("Amazon EKS Kubernetes release calendar").
- 1.35 and 1.36: the same page as published on docs.aws.amazon.com
  (eks/latest/userguide/kubernetes-versions.html), read in the weekly mirror
  crowecawcaw/aws-docs-history:docs/eks/latest/userguide/kubernetes-versions.md, commit
  0db028cb14fe (taken after 2026-09-02). It lists 1.34-1.36 in standard and 1.31-1.33 in extended
  support. (1.35's EKS release is 2026-01-27 there; an earlier read of endoflife.date said 01-28.)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .source import Source

#: The day the table was last checked against its sources.
AS_OF = date(2026, 11, 29)

_CALENDAR = Source("awsdocs/amazon-eks-user-guide:latest/ug/versioning/kubernetes-versions.adoc", AS_OF,
                   "013856044148d6eeed4723027a45aa2180536bcb")
_MIRROR = Source("crowecawcaw/aws-docs-history:docs/eks/latest/userguide/kubernetes-versions.md"
                 " (mirror of docs.aws.amazon.com/eks/latest/userguide/kubernetes-versions.html)", AS_OF,
                 "0db028cb14fead0a2665aba9972f0bad7153fe33")


@dataclass(frozen=True)
class EksVersion:
    """One Kubernetes minor on EKS. A date of None was not published in the sources read."""

    version: str
    eks_release: date | None
    end_of_standard_support: date | None
    end_of_extended_support: date | None
    source: Source

    @property
    def minor(self) -> int:
        return int(self.version.split(".")[1])

    def offered_on(self, day: date) -> bool:
        """True when a new cluster can run this version on ``day`` (standard or extended support)."""
        released = self.eks_release is None or self.eks_release <= day
        return released and (self.end_of_extended_support is None or day < self.end_of_extended_support)


TABLE: tuple[EksVersion, ...] = (
    EksVersion("1.29", date(2024, 1, 23), date(2025, 3, 23), date(2026, 3, 23), _CALENDAR),
    EksVersion("1.30", date(2024, 5, 23), date(2025, 7, 23), date(2026, 7, 23), _CALENDAR),
    EksVersion("1.31", date(2024, 9, 26), date(2025, 11, 26), date(2026, 11, 26), _CALENDAR),
    EksVersion("1.32", date(2025, 1, 23), date(2026, 3, 23), date(2027, 3, 23), _CALENDAR),
    EksVersion("1.33", date(2025, 5, 29), date(2026, 7, 29), date(2027, 7, 29), _CALENDAR),
    EksVersion("1.34", date(2025, 10, 2), date(2026, 12, 2), date(2027, 12, 2), _CALENDAR),
    EksVersion("1.35", date(2026, 1, 27), date(2027, 3, 27), date(2028, 3, 27), _MIRROR),
    EksVersion("1.36", date(2026, 6, 2), date(2027, 8, 2), date(2028, 8, 2), _MIRROR),
)

#: Versions a new EKS cluster could run on AS_OF, oldest first.
OFFERED: tuple[str, ...] = tuple(v.version for v in sorted(TABLE, key=lambda v: v.minor) if v.offered_on(AS_OF))
OLDEST = OFFERED[0]
NEWEST = OFFERED[-1]


def minor(version: str) -> int:
    """'1.33' -> 33. Raises ValueError for anything that is not '1.<minor>'."""
    major, _, rest = version.partition(".")
    if major != "1" or not rest.isdigit():
        raise ValueError(f"{version!r} is not a Kubernetes minor version such as '1.33'")
    return int(rest)
