"""The configuration reference: every field described, and the committed schema and docs fresh."""

from __future__ import annotations

import json

from zacatl_infra.config import reference

from ..conftest import ROOT


def _models(schema: dict) -> dict[str, dict]:
    return {"EnvironmentConfig": schema, **schema["$defs"]}


def test_every_field_of_every_model_has_a_description():
    undescribed = [f"{model}.{field}" for model, body in _models(reference.json_schema()).items()
                   for field, prop in body.get("properties", {}).items() if len(prop.get("description", "")) < 10]
    assert not undescribed, f"add Field(description=...) to {undescribed}"


def test_committed_schema_is_fresh():
    committed = json.loads((ROOT / reference.SCHEMA_FILE).read_text())
    assert committed == reference.json_schema(), \
        "docs/configuration.schema.json is stale: run `.venv/bin/python -m zacatl_infra.config.reference`"


def test_committed_reference_is_fresh():
    assert (ROOT / reference.MARKDOWN_FILE).read_text() == reference.markdown(), \
        "docs/configuration.md is stale: run `.venv/bin/python -m zacatl_infra.config.reference`"


def test_reference_lists_every_field_and_every_prod_invariant():
    text = reference.markdown()
    for model, body in _models(reference.json_schema()).items():
        assert f"## {model}" in text
        for field in body.get("properties", {}):
            assert f"| `{field}` |" in text, f"{model}.{field}"
    from zacatl_infra.config.prod_rules import PROD_RULES

    for rule in PROD_RULES:
        assert f"| `{rule.rule}` |" in text


def test_schema_accepts_every_committed_environment_and_refuses_a_bad_one(environments):
    # The exported schema describes what the model accepts: an editor or CI check using it agrees.
    import jsonschema

    schema = reference.json_schema()
    validator = jsonschema.Draft202012Validator(schema)
    for env in environments.values():
        errors = [e.message for e in validator.iter_errors(env.model_dump(mode="json"))]
        assert not errors, (env.name, errors)
    broken = environments["prod"].model_dump(mode="json") | {"region": "eu-west-9"}
    broken["services"][0]["resources"]["memory_limit"] = "1GB"
    assert len(list(validator.iter_errors(broken))) == 2
