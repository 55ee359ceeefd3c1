"""Statistics the metrics and benchmarks stand on: linear models, cross-validation splits,
correlations, noise ceilings, RSA arithmetic and inference (bootstrap, permutation tests)."""
