"""Stakater Reloader: rolls a Deployment when a Secret it names changes.

Put on the Deployment's own metadata (not the pod template), the annotation lists the Secrets whose
change triggers a rolling restart (comma-separated). Reloader itself is a platform add-on (an Argo CD
Application of its pinned chart). Source: github.com/stakater/Reloader README ("How to use Reloader",
Secret), read 2026-11-29.
"""

from __future__ import annotations

from datetime import date

from .source import Source

SECRET_RELOAD_ANNOTATION = "secret.reloader.stakater.com/reload"
SOURCE = Source("stakater/Reloader:README.md", date(2026, 11, 29))
