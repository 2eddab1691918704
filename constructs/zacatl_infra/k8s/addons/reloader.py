"""Stakater Reloader: restarts a Deployment when a Secret or ConfigMap it is annotated for changes, so a
value rotated in Secrets Manager (copied by External Secrets) reaches the pods. Calls no AWS API."""

from __future__ import annotations

from ...config import EnvironmentConfig
from .addon import AddOn


def addon(env: EnvironmentConfig) -> AddOn:
    """Chart ``reloader`` (stakater) in namespace ``reloader``, watching every namespace."""
    return AddOn(name="reloader", chart_key="reloader", namespace="reloader",
                 values={"reloader": {"watchGlobally": True}})
