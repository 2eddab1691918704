"""Loads every `environments/<name>.py` file into a validated EnvironmentConfig, or reports them all.

One run reports every problem it can find before anything is synthesized: each invalid
environment with all its fields, an exception raised inside an environment file (with the file and
line), derived AWS names that would be too long, and problems between environments (two
environments claiming the same domain or host, or the same cluster in the same account and region).
"""

from __future__ import annotations

import difflib
import importlib.util
import traceback
from collections.abc import Callable
from pathlib import Path

from pydantic import ValidationError

from .environment import EnvironmentConfig
from .errors import ConfigError, ConfigReport, from_validation_error

#: Pseudo-environment name under which problems between environments are reported.
ACROSS = "(all environments)"


def _raised_at(err: BaseException, path: Path) -> str:
    """' (line N)' of the deepest frame in ``path``, or '' when the error did not pass through it."""
    lines = [f.lineno for f in traceback.extract_tb(err.__traceback__) if Path(f.filename) == path]
    return f" (line {lines[-1]})" if lines else ""


def _load_file(path: Path) -> EnvironmentConfig:
    env_name = path.stem
    where = f"environments/{path.name}"
    spec = importlib.util.spec_from_file_location(f"zacatl_environments.{env_name}", path)
    if spec is None or spec.loader is None:
        raise ConfigError(env_name, [f"cannot import {path}"])
    module = importlib.util.module_from_spec(spec)
    try:
        spec.loader.exec_module(module)
    except ConfigError as err:
        # presets.service(...) knows no environment; the file it was built in is the environment.
        raise ConfigError(env_name, err.problems) from None
    except ValidationError as err:
        raise from_validation_error(env_name, err) from None
    except Exception as err:  # noqa: BLE001 - any failure of user code in the file is reported, not raised
        raise ConfigError(env_name, [f"{where}{_raised_at(err, path)} raised {type(err).__name__}: {err}"]) from None
    config = getattr(module, "ENVIRONMENT", None)
    if not isinstance(config, EnvironmentConfig):
        raise ConfigError(env_name, [f"{where} must define ENVIRONMENT = presets.environment(...)"])
    if config.name != env_name:
        raise ConfigError(env_name, [f"field name: {config.name!r} must match the file name {path.name!r}"])
    return config


def _across(envs: list[EnvironmentConfig]) -> list[str]:
    """Problems between environments: shared domains or hosts, the same cluster twice."""
    from .. import naming  # noqa: PLC0415 - see _name_problems

    problems: list[str] = []
    seen: dict[object, str] = {}

    def claim(key: object, owner: str, describe: Callable[[str], str]) -> None:
        if key in seen:
            problems.append(describe(seen[key]))
        else:
            seen[key] = owner

    for env in envs:
        claim(("domain", env.domain), env.name, lambda other, env=env: (
            f"field domain: environments {other!r} and {env.name!r} both use {env.domain!r}; both load "
            "balancers would claim the same hosts: give each environment its own domain"))
        for spec in env.services:
            host = spec.public_host(env.domain)
            claim(("host", host), f"{env.name}/{spec.name}", lambda other, env=env, spec=spec, host=host: (
                f"field services[{spec.name}].host: {host!r} of environment {env.name!r} is already the host "
                f"of {other!r}; hosts must be unique across environments"))
        if not env.is_local:
            claim(("cluster", env.account, env.region, naming.cluster_name(env)), env.name,
                  lambda other, env=env: (
                      f"field name: environments {other!r} and {env.name!r} would both own cluster "
                      f"{naming.cluster_name(env)!r} in account {env.account} region {env.region}"))
    return problems


def _name_problems(env: EnvironmentConfig) -> list[str]:
    # naming sits above config (it reads the model); it is imported at call time because the loader
    # is where whole-environment checks run, before anything is synthesized.
    from .. import naming  # noqa: PLC0415

    return naming.name_length_problems(env)


def load_environments(directory: Path, only: list[str] | None = None) -> list[EnvironmentConfig]:
    """Every environment in ``directory`` (sorted by name), or only those named in ``only``.

    Raises ``ConfigReport`` (a ``ConfigError``) listing every invalid environment with all of its
    problems, and the problems between environments, before anything is synthesized.
    """
    files = sorted(p for p in directory.glob("*.py") if not p.name.startswith("_"))
    errors: list[ConfigError] = []
    if only:
        known = [p.stem for p in files]
        for name in sorted(set(only) - set(known)):
            near = difflib.get_close_matches(name, known, n=1)
            hint = f"; did you mean {near[0]!r}?" if near else ""
            errors.append(ConfigError(name, [f"no file environments/{name}.py (known: {known}){hint}"]))
        files = [p for p in files if p.stem in only]
    if not files and not errors:
        raise ConfigReport([ConfigError(ACROSS, [f"no environment files in {directory}"])])
    envs: list[EnvironmentConfig] = []
    for path in files:
        try:
            env = _load_file(path)
        except ConfigError as err:
            errors.append(err)
            continue
        problems = _name_problems(env)
        if problems:
            errors.append(ConfigError(env.name, problems))
        else:
            envs.append(env)
    across = _across(envs)
    if across:
        errors.append(ConfigError(ACROSS, across))
    if errors:
        raise ConfigReport(errors)
    return envs
