"""Settings of the monitoring add-on (kube-prometheus-stack): how long metrics are kept and on how much disk."""

from __future__ import annotations

from pydantic import Field

from ._base import FrozenModel


class MonitoringSettings(FrozenModel):
    """Prometheus and Alertmanager of a cloud environment (``k8s/addons/monitoring.py``).

    Each field left at None takes the tier's default from ``k8s.addons.monitoring.TIER_DEFAULTS``
    (dev 3 days on 20 GiB, staging 7 days on 50 GiB, prod 15 days on 100 GiB). ``local`` renders no
    add-ons, so these settings do nothing there.
    """

    #: Days Prometheus keeps samples. Default: the tier's (see above). Longer history belongs in a
    #: remote store, not on one volume: at most 90 days.
    retention_days: int | None = Field(default=None, ge=1, le=90, description="Prometheus retention in days")
    #: Size of Prometheus's volume in GiB. Prometheus also stops at 85 % of it (``retentionSize``), so a
    #: busy cluster loses old samples rather than filling the disk. Default: the tier's (see above).
    storage_gib: int | None = Field(default=None, ge=10, le=2000, description="Prometheus volume size in GiB")
