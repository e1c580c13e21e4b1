"""Triggers of the Offcloud provider."""
