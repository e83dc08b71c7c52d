"""The model tier's fixtures (``make_model``, ``journal_path``) for the reliability tests."""

from __future__ import annotations

from tests.model.conftest import journal_path, make_model

__all__ = ["journal_path", "make_model"]
