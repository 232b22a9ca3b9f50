"""Fixtures for the gateways tests."""
