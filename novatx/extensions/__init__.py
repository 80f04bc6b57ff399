"""API extensions: the contracts, their loading, and every built-in resource."""
