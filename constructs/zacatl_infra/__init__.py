"""zacatl-infra: typed constructs that run Zacatl microservices in production on Kubernetes and AWS.

The package face only re-exports; see `config`, `naming`, `cloud`, `k8s`, `policy` and `synth`.

Re-exports resolve on first use (PEP 562 module ``__getattr__``): ``import zacatl_infra.config``
must not pay for loading aws-cdk-lib, cdk8s and their jsii kernel (about 1 s), so a config error is
reported before any construct library is imported, and the workload-only path never loads the
AWS layer.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

#: Public name -> the submodule that defines it.
_EXPORTS = {
    "ConfigError": ".config",
    "EnvironmentConfig": ".config",
    "EnvironmentStack": ".cloud.stack",
    "ServiceRepository": ".cloud.registry",
    "ServiceSpec": ".config",
    "ServiceStack": ".cloud.service_stack",
    "ZacatlService": ".k8s.service",
    "cloud_app": ".cloud.app",
    "environment_app": ".k8s.charts",
    "load_environments": ".config",
    "presets": ".config",
}

__all__ = sorted(_EXPORTS)

if TYPE_CHECKING:  # editors and type checkers see the names eagerly
    from .cloud.app import cloud_app
    from .cloud.registry import ServiceRepository
    from .cloud.service_stack import ServiceStack
    from .cloud.stack import EnvironmentStack
    from .config import ConfigError, EnvironmentConfig, ServiceSpec, load_environments, presets
    from .k8s.charts import environment_app
    from .k8s.service import ZacatlService


def __getattr__(name: str) -> object:
    try:
        module = _EXPORTS[name]
    except KeyError:
        raise AttributeError(f"module 'zacatl_infra' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module, __name__), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
