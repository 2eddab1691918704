"""Kubernetes versions from which Pod fields the manifests rely on work with default feature gates.

EKS enables upstream beta features that are on by default and all GA features, never alpha ones
(EKS user guide, "Amazon EKS version FAQs": "Which Kubernetes features are supported by Amazon EKS?").
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from .source import Source

READ_ON = date(2026, 11, 29)


@dataclass(frozen=True)
class Feature:
    """A Pod API field and the first minor in which it works without touching a feature gate."""

    field: str
    feature_gate: str
    enabled_by_default_since: str
    source: Source


#: ``lifecycle.preStop.sleep``: the kubelet waits itself, so the image needs no ``sleep`` binary.
#: Alpha 1.29, beta and on by default 1.30, GA 1.34.
SLEEP_ACTION = Feature(
    "containers[].lifecycle.preStop.sleep.seconds", "PodLifecycleSleepAction", "1.30",
    Source("https://github.com/kubernetes/enhancements/issues/3960 (KEP-3960 milestones)", READ_ON),
)

#: ``topologySpreadConstraints[].matchLabelKeys``: spread is computed per ReplicaSet (pod-template-hash),
#: so the old ReplicaSet's pods do not count while a rollout places the new ones. Beta, on by default, 1.27.
MATCH_LABEL_KEYS = Feature(
    "topologySpreadConstraints[].matchLabelKeys", "MatchLabelKeysInPodTopologySpread", "1.27",
    Source("https://github.com/kubernetes/enhancements/issues/3243 (KEP-3243 milestones)", READ_ON),
)

#: The Deployment controller labels every pod of a ReplicaSet with this key.
POD_TEMPLATE_HASH_LABEL = "pod-template-hash"
