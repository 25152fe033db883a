"""Benchmarks, run by `make bench`; figures go into docs/benchmarks.md."""
