"""The typed environment model: validated once, frozen, passed down to both layers."""

from . import presets
from .environment import (
    NEWEST_EKS_VERSION,
    OLDEST_KUBERNETES_VERSION,
    AccessSettings,
    AlertSettings,
    BackupSettings,
    ClusterSettings,
    DnsSettings,
    EnvironmentConfig,
    GitOpsSettings,
    IdentityCenterSettings,
    NetworkSettings,
    NodeAutoscalingSettings,
    RegistrySettings,
    Tier,
)
from .errors import ConfigError, ConfigReport
from .loader import load_environments
from .service import (
    AwsApisOverInternet,
    DatabaseSpec,
    HealthProbes,
    ImageRef,
    InternetEgress,
    Resources,
    Scaling,
    SecretRef,
    ServiceSpec,
    Upstream,
)
from .waivers import Waiver

__all__ = [
    "NEWEST_EKS_VERSION",
    "OLDEST_KUBERNETES_VERSION",
    "AccessSettings",
    "AlertSettings",
    "AwsApisOverInternet",
    "BackupSettings",
    "ClusterSettings",
    "ConfigError",
    "ConfigReport",
    "DatabaseSpec",
    "DnsSettings",
    "EnvironmentConfig",
    "GitOpsSettings",
    "HealthProbes",
    "IdentityCenterSettings",
    "ImageRef",
    "InternetEgress",
    "NetworkSettings",
    "NodeAutoscalingSettings",
    "RegistrySettings",
    "Resources",
    "Scaling",
    "SecretRef",
    "ServiceSpec",
    "Tier",
    "Upstream",
    "Waiver",
    "load_environments",
    "presets",
]
