"""The configuration reference: JSON Schema exported from the model and docs/configuration.md built from it.

``python -m zacatl_infra.config.reference [ROOT]`` writes ``docs/configuration.schema.json`` and
``docs/configuration.md`` under ROOT (default: the current folder); ``tests/config/test_reference.py``
fails when either is stale. Every field's description is its pydantic ``Field(description=...)``;
the per-tier defaults come from ``presets``, the prod invariants from ``prod_rules.PROD_RULES``.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any, get_args

from . import presets
from .environment import EnvironmentConfig, Tier
from .prod_rules import PROD_RULES

SCHEMA_FILE = Path("docs/configuration.schema.json")
MARKDOWN_FILE = Path("docs/configuration.md")
#: Where each model sits in an environment file, so tier defaults can be looked up by path.
_SECTIONS = {
    "EnvironmentConfig": ("environment", ()),
    "ClusterSettings": ("environment", ("cluster",)),
    "NetworkSettings": ("environment", ("network",)),
    "BackupSettings": ("environment", ("backups",)),
    "RegistrySettings": ("environment", ("registry",)),
    "AlertSettings": ("environment", ("alerts",)),
    "ServiceSpec": ("service", ()),
    "Scaling": ("service", ("scaling",)),
    "Resources": ("service", ("resources",)),
}


def json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of an environment, as pydantic exports it from the model."""
    schema = EnvironmentConfig.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    return schema


def _type(prop: dict[str, Any]) -> str:
    if "$ref" in prop:
        name = prop["$ref"].rsplit("/", 1)[-1]
        return f"[{name}](#{name.lower()})"
    if "enum" in prop and len(prop["enum"]) > 8:
        return f"one of {len(prop['enum'])} values (see the schema)"
    if "enum" in prop:
        return " or ".join(f"`{json.dumps(v)}`" for v in prop["enum"])
    if "const" in prop:
        return f"`{json.dumps(prop['const'])}`"
    if "anyOf" in prop:
        return " or ".join(_type(p) for p in prop["anyOf"])
    kind = prop.get("type", "any")
    if kind == "array":
        items = prop.get("items") or (prop.get("prefixItems") or [{}])[0]
        return f"list of {_type(items)}"
    if kind == "object" and "additionalProperties" in prop:
        return f"map of {_type(prop['additionalProperties'])}"
    return {"string": "string", "integer": "integer", "boolean": "boolean", "null": "none"}.get(kind, kind)


def _constraints(prop: dict[str, Any]) -> str:
    parts = []
    for key, text in (("minimum", ">= {}"), ("maximum", "<= {}"), ("exclusiveMinimum", "> {}"),
                      ("minLength", "at least {} characters"), ("maxLength", "at most {} characters"),
                      ("minItems", "at least {} items"), ("format", "format {}"), ("pattern", "matches `{}`")):
        if key == "pattern" and len(prop.get(key, "")) > 48:
            parts.append("a pattern (see the schema)")
        elif key in prop:
            parts.append(text.format(prop[key]))
    if isinstance(prop.get("items"), dict) and _constraints(prop["items"]):
        parts.append(f"each: {_constraints(prop['items'])}")
    for option in prop.get("anyOf", []):
        sub = _constraints(option)
        if sub:
            parts.append(sub)
    return ", ".join(parts)


def _tier_defaults(model: str, field: str) -> str:
    if model not in _SECTIONS:
        return ""
    kind, path = _SECTIONS[model]
    table = presets._ENVIRONMENT_DEFAULTS if kind == "environment" else presets._SERVICE_DEFAULTS
    found = []
    for tier in get_args(Tier):
        node: Any = table[tier]
        for part in (*path, field):
            node = node.get(part) if isinstance(node, dict) else None
        # A nested model's tier defaults are listed in its own table.
        if node is not None and not isinstance(node, dict):
            found.append(f"{tier}: `{json.dumps(node)}`")
    return "; ".join(found)


def _cell(text: str) -> str:
    return " ".join(str(text).split()).replace("|", "\\|")


def markdown(schema: dict[str, Any] | None = None) -> str:
    """docs/configuration.md: one table per model (field, type, default, tier defaults, rule, meaning)."""
    schema = schema or json_schema()
    models = {"EnvironmentConfig": schema, **schema.get("$defs", {})}
    lines = [
        "# Configuration reference",
        "",
        "Generated from the model by `python -m zacatl_infra.config.reference` (do not edit by hand;",
        "`make test` fails when this file or `configuration.schema.json` is stale). An environment file",
        "calls `presets.environment(tier, ...)`: the tier's defaults below apply, then the file's values.",
        "Every rule is checked when the environments load, before anything is written; see",
        "[validation](#validation).",
        "",
    ]
    for name in ["EnvironmentConfig", *sorted(n for n in models if n != "EnvironmentConfig")]:
        model = models[name]
        if "properties" not in model:
            continue
        lines += [f"## {name}", "", _cell(model.get("description", "")).split(". ")[0].rstrip(".") + ".", "",
                  "| field | type | default | tier defaults | rule | description |",
                  "|---|---|---|---|---|---|"]
        required = set(model.get("required", []))
        for field, prop in model["properties"].items():
            default = prop.get("default")
            default = ("required" if field in required else "see its table" if isinstance(default, dict)
                       else f"`{json.dumps(default)}`")
            lines.append(f"| `{field}` | {_cell(_type(prop))} | {_cell(default)} | {_cell(_tier_defaults(name, field))} "
                         f"| {_cell(_constraints(prop))} | {_cell(prop.get('description', ''))} |")
        lines.append("")
    lines += [
        "## Validation",
        "",
        "Beyond each field's own rule, the loader refuses (one report for every invalid environment,",
        "exit status 2, nothing written): settings that contradict each other inside an environment,",
        "AWS names derived from the settings that exceed AWS's limits (naming the field to shorten), and",
        "two environments sharing a domain, a host, or a cluster in one account and region.",
        "",
        "### Prod invariants",
        "",
        "A prod-tier environment keeps these unless `waivers` names the rule with a reason",
        "(`waivers=({\"rule\": \"min-replicas\", \"reason\": \"...\"},)`); a waiver that waives nothing is refused.",
        "",
        "| rule | requires | why |",
        "|---|---|---|",
        *[f"| `{r.rule}` | {_cell(r.requires)} | {_cell(r.why)} |" for r in PROD_RULES],
        "",
    ]
    return "\n".join(lines)


def write(root: Path) -> None:
    """Writes both generated files under ``root``."""
    schema = json_schema()
    (root / SCHEMA_FILE).write_text(json.dumps(schema, indent=2, sort_keys=True) + "\n")
    (root / MARKDOWN_FILE).write_text(markdown(schema))


if __name__ == "__main__":
    write(Path(sys.argv[1]) if len(sys.argv) > 1 else Path.cwd())
