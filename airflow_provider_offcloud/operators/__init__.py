"""Operators of the Offcloud provider."""
