"""The twisted.web side: paste loading, filters, the router, faults, versions."""
