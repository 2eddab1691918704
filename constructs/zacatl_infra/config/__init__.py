"""The typed environment model: validated once, frozen, passed down to both layers."""

from . import presets
from .environment import (
    NEWEST_EKS_VERSION,
    OLDEST_KUBERNETES_VERSION,
    AlertSettings,
    BackupSettings,
    ClusterSettings,
    EnvironmentConfig,
    NetworkSettings,
    RegistrySettings,
    Tier,
)
from .errors import ConfigError, ConfigReport
from .loader import load_environments
from .service import (
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
    "AlertSettings",
    "BackupSettings",
    "ClusterSettings",
    "ConfigError",
    "ConfigReport",
    "DatabaseSpec",
    "EnvironmentConfig",
    "HealthProbes",
    "ImageRef",
    "InternetEgress",
    "NetworkSettings",
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
