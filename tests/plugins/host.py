"""Fixtures for the host tests."""
