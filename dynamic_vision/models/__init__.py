"""Built-in models plugins: one folder each, with a registration-only __init__.py."""
