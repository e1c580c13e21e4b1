"""Benchmarks of the provider against the usual design and against its targets; see README.md."""
