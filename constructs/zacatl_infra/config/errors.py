"""Configuration errors that name the environment, the field, the value and what would be valid."""

from __future__ import annotations

from pydantic import ValidationError


class ConfigError(ValueError):
    """An environment's settings cannot work. Raised before anything is synthesized or written."""

    def __init__(self, environment: str, problems: list[str]) -> None:
        self.environment = environment
        self.problems = problems
        lines = "\n".join(f"  - {p}" for p in problems)
        super().__init__(f"environment {environment!r} is invalid:\n{lines}")


def _location(loc: tuple[object, ...]) -> str:
    path = ""
    for part in loc:
        if isinstance(part, int):
            path += f"[{part}]"
        else:
            path += f".{part}" if path else str(part)
    return path or "(environment)"


def from_validation_error(environment: str, error: ValidationError, prefix: str = "") -> ConfigError:
    """Turns pydantic's error list into one ConfigError with a line per invalid field."""
    problems = []
    for item in error.errors(include_url=False):
        field = _location(tuple(item["loc"]))
        if prefix:
            field = f"{prefix}.{field}" if field != "(environment)" else prefix
        message = item["msg"].removeprefix("Value error, ")
        received = item.get("input")
        shown = "" if isinstance(received, (dict, list, tuple)) or received is None else f" (got {received!r})"
        problems.append(f"field {field}: {message}{shown}")
    return ConfigError(environment, problems)
