"""Benchmarks: scripts that print their figures (docs/benchmarks.md). Nothing imports them."""
