"""Fixtures for the app tests."""
