"""Metric kinds: what metric plugins instantiate (regression, representational and behavioural
comparisons) and how they read their inputs."""
