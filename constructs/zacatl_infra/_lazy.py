"""Re-exports that resolve on first use (PEP 562 module ``__getattr__``), for package faces whose
submodules load the construct libraries (aws-cdk-lib, cdk8s: about 1 s of jsii kernel start)."""

from __future__ import annotations

import importlib
import sys
from collections.abc import Callable


def module_getattr(package: str, exports: dict[str, str]) -> Callable[[str], object]:
    """A module ``__getattr__`` for ``package`` (its ``__name__``): ``exports`` maps a public name to
    the relative submodule defining it (``".config"``). The first look-up imports that submodule and
    stores the value in the package, so later look-ups skip the function. Raises AttributeError for a
    name not in ``exports``."""
    def __getattr__(name: str) -> object:
        try:
            module = exports[name]
        except KeyError:
            raise AttributeError(f"module {package!r} has no attribute {name!r}") from None
        value = getattr(importlib.import_module(module, package), name)
        setattr(sys.modules[package], name, value)
        return value

    return __getattr__
