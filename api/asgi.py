"""ASGI entry point for uvicorn (``voc serve``): the app for the environment's settings."""

from __future__ import annotations

from api.app import create_app
from voc.config import get_settings

app = create_app(get_settings())
