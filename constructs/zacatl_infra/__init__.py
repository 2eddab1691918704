"""zacatl-infra: typed constructs that run Zacatl microservices in production on Kubernetes and AWS.

The package face only re-exports; see `config`, `naming`, `cloud`, `k8s`, `policy` and `synth`.
"""

from .cloud.registry import ServiceRepository
from .cloud.stack import EnvironmentStack
from .config import ConfigError, EnvironmentConfig, ServiceSpec, load_environments, presets
from .k8s.charts import environment_app
from .k8s.service import ZacatlService

__all__ = [
    "ConfigError",
    "EnvironmentConfig",
    "EnvironmentStack",
    "ServiceRepository",
    "ServiceSpec",
    "ZacatlService",
    "environment_app",
    "load_environments",
    "presets",
]
