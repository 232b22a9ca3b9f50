"""The sandbox tenant: one Microsoft 365 tenant (Graph, Entra, Exchange admin API, Management
Activity API) on one port, for local runs and tests. `python -m localdev.tenant --port P [--scenario FILE]`."""
