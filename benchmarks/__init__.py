"""Benchmarks: ratios against a floor measured in the same run (not timed tests)."""
