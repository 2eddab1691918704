"""The environment's namespace."""

from __future__ import annotations

import cdk8s
import cdk8s_plus_27 as kplus
from constructs import Construct

from .. import naming
from ..config import EnvironmentConfig
from .labels import environment_labels


class EnvironmentNamespace(Construct):
    """The namespace every service of the environment runs in, named by ``naming.namespace``."""

    def __init__(self, scope: Construct, id_: str, *, env: EnvironmentConfig) -> None:
        super().__init__(scope, id_)
        self.resource = kplus.Namespace(
            self,
            "Resource",
            metadata=cdk8s.ApiObjectMetadata(name=naming.namespace(env), labels=environment_labels(env)),
        )
