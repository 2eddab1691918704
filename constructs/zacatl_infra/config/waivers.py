"""Named, reasoned exceptions to the prod tier's invariants.

A prod environment cannot switch a safety default off by simply overriding it: the model refuses
the setting unless ``EnvironmentConfig.waivers`` names the rule and says why. A waiver that waives
nothing is refused too, so waivers never outlive the exception they were written for.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from ._base import FrozenModel

ProdRule = Literal[
    "min-replicas", "database-backups", "object-lock", "backup-retention",
    "on-demand-nodes", "nodes-per-zone", "nat-per-zone", "alarm-email",
]
"""The prod invariants by name; ``prod_rules.PROD_RULES`` says what each requires and why."""


class Waiver(FrozenModel):
    """Lets a prod environment break one named invariant, with the reason a reviewer reads."""

    rule: ProdRule = Field(description="The prod invariant this environment does not keep (see the prod "
                                       "invariants table in docs/configuration.md).")
    reason: str = Field(description="Why, for the reviewer and the next engineer: at least 20 characters, "
                                    "for example a ticket and the date the exception ends.")

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str) -> str:
        if len(value.strip()) < 20:
            raise ValueError(f"{value!r} is not a reason: say why the invariant does not hold and until when "
                             "(20 characters or more)")
        return value
