"""External Secrets Operator: copies Secrets Manager values into Kubernetes Secrets (SecretStore,
ExternalSecret). Its controller calls AWS as ``naming.EXTERNAL_SECRETS_SERVICE_ACCOUNT`` (Pod Identity)."""

from __future__ import annotations

from ... import naming
from ...config import EnvironmentConfig
from .addon import AddOn


def addon(env: EnvironmentConfig) -> AddOn:
    """Chart ``external-secrets`` (facts/charts.json); CRDs installed by the chart (``installCRDs``)."""
    namespace, account = naming.EXTERNAL_SECRETS_SERVICE_ACCOUNT
    return AddOn(
        name="external-secrets", chart_key="external-secrets", namespace=namespace,
        service_account=naming.EXTERNAL_SECRETS_SERVICE_ACCOUNT,
        values={"installCRDs": True, "serviceAccount": {"create": True, "name": account}},
    )
