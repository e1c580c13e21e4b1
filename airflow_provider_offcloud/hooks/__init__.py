"""Hooks of the Offcloud provider."""
