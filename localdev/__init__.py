"""Local tooling: the sandbox tenant, the local Functions host, Azurite and the demo. Never deployed."""
