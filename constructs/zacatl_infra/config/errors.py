"""Configuration errors that name the environment, the field, the value and what would be valid."""

from __future__ import annotations

import difflib
import typing
from collections.abc import Sequence

from pydantic import BaseModel, ValidationError


class ConfigError(ValueError):
    """An environment's settings cannot work. Raised before anything is synthesized or written.

    ``environment``: the environment's name, or None for settings built outside an environment
    (``presets.service(...)`` on its own; the loader then names the file's environment).
    ``problems``: one line per problem, each naming its field and what is allowed.
    """

    def __init__(self, environment: str | None, problems: list[str]) -> None:
        self.environment = environment
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        subject = f"environment {environment!r} is" if environment is not None else "settings are"
        super().__init__(f"{subject} invalid:\n{lines}")


class ConfigReport(ConfigError):
    """Every invalid environment of one run, each with all its problems (raised by the loader).

    ``errors``: one ConfigError per invalid environment, in file order; cross-environment problems
    come last under the pseudo-environment ``(all environments)``.
    """

    def __init__(self, errors: Sequence[ConfigError]) -> None:
        self.errors = list(errors)
        self.environment = ", ".join(str(e.environment) for e in self.errors)
        self.problems = [f"{e.environment}: {p}" for e in self.errors for p in e.problems]
        count = len(self.errors)
        heading = "" if count == 1 else f"{count} environments are invalid:\n"
        ValueError.__init__(self, heading + "\n".join(str(e) for e in self.errors))


def _location(loc: tuple[object, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(environment)"


def _model_at(model: type[BaseModel] | None, loc: tuple[object, ...]) -> type[BaseModel] | None:
    """The model class that owns the last part of ``loc``, following nested fields, tuples and unions."""
    for part in loc:
        if model is None:
            return None
        if isinstance(part, int):
            continue
        field = model.model_fields.get(str(part))
        if field is None:
            return None
        model = _first_model(field.annotation)
    return model


def _first_model(annotation: object) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _first_model(arg)
        if found is not None:
            return found
    return None


def _did_you_mean(model: type[BaseModel] | None, loc: tuple[object, ...]) -> str:
    owner = _model_at(model, loc[:-1])
    if owner is None or not loc:
        return ""
    # A whole word of a field first ('port' is the end of 'container_port'), then the closest spelling.
    near = [f for f in owner.model_fields if str(loc[-1]) in f.split("_")]
    near = near or difflib.get_close_matches(str(loc[-1]), list(owner.model_fields), n=1, cutoff=0.5)
    # A setting written one level too high ('vpc_cidr' for 'network.vpc_cidr').
    near = near or [f"{name}.{loc[-1]}" for name, field in owner.model_fields.items()
                    if (nested := _first_model(field.annotation)) and str(loc[-1]) in nested.model_fields]
    known = ", ".join(owner.model_fields)
    return f"; did you mean {near[0]!r}? (fields: {known})" if near else f" (fields: {known})"


def from_validation_error(environment: str | None, error: ValidationError, prefix: str = "",
                          model: type[BaseModel] | None = None) -> ConfigError:
    """Turns pydantic's error list into one ConfigError with a line per invalid field.

    ``model``: the validated model class, used to suggest the nearest field name for an unknown one.
    A model-level validator reports several problems as lines, each starting ``field <path>:`` where
    it knows the field.
    """
    problems = []
    for item in error.errors(include_url=False):
        loc = tuple(item["loc"])
        field = _location(loc)
        if prefix:
            field = f"{prefix}.{field}" if field != "(environment)" else prefix
        message = item["msg"].removeprefix("Value error, ")
        if item["type"] == "extra_forbidden":
            message = f"unknown field{_did_you_mean(model, loc)}"
        received = item.get("input")
        shown = "" if isinstance(received, (dict, list, tuple, BaseModel)) or received is None else f" (got {received!r})"
        lines = message.split("\n")
        if len(lines) > 1 or lines[0].startswith("field "):
            for line in lines:
                if line.startswith("field ") and prefix:
                    line = f"field {prefix}.{line.removeprefix('field ')}"
                problems.append(line if line.startswith("field ") else f"field {field}: {line}")
        else:
            problems.append(f"field {field}: {message}{shown}")
    return ConfigError(environment, problems)
