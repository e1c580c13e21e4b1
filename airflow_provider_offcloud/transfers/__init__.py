"""Transfers of the Offcloud provider."""
