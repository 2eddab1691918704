"""zacatl-infra: typed constructs that run Zacatl microservices in production on Kubernetes and AWS.

The package face only re-exports; see `config`, `naming`, `cloud`, `k8s`, `policy` and `synth`.

Re-exports resolve on first use (PEP 562 module ``__getattr__``): ``import zacatl_infra.config``
must not pay for loading aws-cdk-lib, cdk8s and their jsii kernel (about 1 s), so a config error is
reported before any construct library is imported, and the workload-only path never loads the
AWS layer.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ._lazy import module_getattr

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


__getattr__ = module_getattr(__name__, _EXPORTS)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
