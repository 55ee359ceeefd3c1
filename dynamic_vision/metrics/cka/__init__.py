"""Centred kernel alignment: linear and debiased."""

from dynamic_vision.metric_kinds.spec import MetricSpec, register_metric

register_metric(MetricSpec(
    "cka", version=1, family="representational",
    extra={"procedure": "linear CKA (Kornblith et al., 2019)",
           "splits": "10 random 90% stimulus subsets",
           "reference": "direct HSIC formula"}),
    "dynamic_vision.metrics.cka.cka:build")
register_metric(MetricSpec(
    "cka-debiased", version=1, family="representational",
    extra={"procedure": "linear CKA with the unbiased HSIC estimator (Song et al., 2012)",
           "splits": "10 random 90% stimulus subsets",
           "reference": "direct HSIC formula"}),
    "dynamic_vision.metrics.cka.cka:build_debiased")
