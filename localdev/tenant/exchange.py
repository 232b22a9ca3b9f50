"""Placeholder until the exchange routes of the sandbox land."""


def add_routes(app, tenant) -> None:
    """Register this module's routes on the aiohttp app."""
