"""Platform add-ons as Argo CD objects: one module per add-on, each an ``AddOn`` (chart, namespace,
values from the typed model and ``naming``), rendered by ``application.PlatformAddOns``."""

from __future__ import annotations

from ...config import EnvironmentConfig
from . import cluster_autoscaler, external_dns, external_secrets, load_balancer_controller, monitoring, reloader
from .addon import AddOn

_MODULES = (external_secrets, load_balancer_controller, external_dns, cluster_autoscaler, reloader, monitoring)


def platform_addons(env: EnvironmentConfig) -> tuple[AddOn, ...]:
    """The add-ons of ``env``: none for ``local`` (no AWS layer; see docs/platform.md), else every
    module's add-on that the environment enables (Cluster Autoscaler follows ``node_autoscaling.enabled``)."""
    if env.is_local:
        return ()
    return tuple(a for a in (m.addon(env) for m in _MODULES) if a is not None)


__all__ = ["AddOn", "platform_addons"]
