"""Fixtures for the playbook tests."""
