"""JSON schemas of the compute API's request bodies and queries, one module per resource."""
