"""Engage: bilingual engagement log, QR check-in, participatory budgeting and feedback."""
from .app import create_app

__all__ = ["create_app"]
