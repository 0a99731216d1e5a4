"""Organisations, staff users and their roles."""
