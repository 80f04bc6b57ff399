"""Policy defaults of the compute API (nova's rule names), one module per resource."""
