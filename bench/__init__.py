"""Benchmark scripts: each module exposes `main()` and prints its figures (`make bench` runs them all)."""
