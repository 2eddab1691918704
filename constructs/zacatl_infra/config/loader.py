"""Loads every `environments/<name>.py` file into a validated EnvironmentConfig."""

from __future__ import annotations

import importlib.util
from pathlib import Path

from pydantic import ValidationError

from .environment import EnvironmentConfig
from .errors import ConfigError, from_validation_error


def _load_file(path: Path) -> EnvironmentConfig:
    env_name = path.stem
    spec = importlib.util.spec_from_file_location(f"zacatl_environments.{env_name}", path)
    if spec is None or spec.loader is None:
        raise ConfigError(env_name, [f"cannot import {path}"])
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ConfigError as err:
        raise ConfigError(env_name, err.problems) from None
    except ValidationError as err:
        raise from_validation_error(env_name, err) from None
    config = getattr(module, "ENVIRONMENT", None)
    if not isinstance(config, EnvironmentConfig):
        raise ConfigError(env_name, [f"{path} must define ENVIRONMENT = presets.environment(...)"])
    if config.name != env_name:
        raise ConfigError(env_name, [f"field name: {config.name!r} must match the file name {path.name!r}"])
    return config


def load_environments(directory: Path, only: list[str] | None = None) -> list[EnvironmentConfig]:
    """Every environment in ``directory`` (sorted by name), or only those named in ``only``.

    Raises ConfigError for the first invalid environment, before anything is synthesized.
    """
    files = sorted(p for p in directory.glob("*.py") if not p.name.startswith("_"))
    if only:
        known = {p.stem for p in files}
        unknown = sorted(set(only) - known)
        if unknown:
            raise ConfigError(unknown[0], [f"no file environments/{unknown[0]}.py (known: {sorted(known)})"])
        files = [p for p in files if p.stem in only]
    if not files:
        raise ConfigError("?", [f"no environment files in {directory}"])
    return [_load_file(p) for p in files]
