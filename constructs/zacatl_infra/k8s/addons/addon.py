"""``AddOn``: one pinned upstream chart, where it runs and the values it gets."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ... import facts


@dataclass(frozen=True)
class AddOn:
    """A platform add-on installed by Argo CD from an upstream Helm chart.

    ``chart_key``: key in ``facts/charts.json`` (repository, chart name, exact version, kinds it installs).
    ``service_account``: (namespace, name) of the ServiceAccount the chart creates when the add-on calls
    AWS; the cloud layer binds its role by EKS Pod Identity (``naming.workload_identities``). None otherwise.
    ``manifests``: built-in objects the chart needs but does not make (a StorageClass for its volumes),
    rendered beside the Applications in the first sync wave. Default: none.
    """

    name: str
    chart_key: str
    namespace: str
    values: dict[str, Any] = field(default_factory=dict)
    service_account: tuple[str, str] | None = None
    manifests: tuple[dict[str, Any], ...] = ()

    @property
    def chart(self) -> dict[str, Any]:
        """The pinned chart's facts: ``repo_url``, ``chart``, ``version``, ``kinds``, ``source``."""
        return facts.load("charts")["charts"][self.chart_key]
