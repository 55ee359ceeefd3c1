"""Representational similarity analysis (RDM correlation)."""

from dynamic_vision.metric_kinds.spec import MetricSpec, register_metric

register_metric(MetricSpec(
    "rsa", version=1, family="representational", ceiling="rsa_ceiling",
    extra={"procedure": "RDM (1 - Pearson r) per representation, Spearman r of upper triangles",
           "options": "distance: correlation|euclidean; comparison: spearman|kendall_tau_a|pearson",
           "splits": "10 random 90% stimulus subsets",
           "reference": "scipy pdist/spearmanr"}),
    "dynamic_vision.metrics.rsa.rsa:build")
