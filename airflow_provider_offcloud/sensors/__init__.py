"""Sensors of the Offcloud provider."""
