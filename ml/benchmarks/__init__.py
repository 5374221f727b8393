"""Benchmarks of what a person experiences, beyond offline accuracy: ``cinegraph bench experience``."""
