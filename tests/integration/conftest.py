"""Fixtures of the integration tier."""

from __future__ import annotations

import pytest

from app.application import Gendan


@pytest.fixture
def gendan(fresh_settings):
    """The application on a new, migrated database of the ``store`` kind."""
    app = Gendan(fresh_settings)
    yield app
    app.close()
