"""Representational similarity analysis (RDM correlation)."""

from dynamic_vision.core.registry import metric_registry

metric_registry.register(
    "rsa", "dynamic_vision.metrics.rsa.rsa:build",
    version=1, family="representational",
    procedure="RDM (1 - Pearson r) per representation, Spearman r of upper triangles",
    options="distance: correlation|euclidean; comparison: spearman|kendall_tau_a|pearson",
    splits="10 random 90% stimulus subsets", ceiling="rsa_ceiling",
    reference="scipy pdist/spearmanr",
)
