"""Centred kernel alignment: linear and debiased."""

from dynamic_vision.core.registry import metric_registry

metric_registry.register(
    "cka", "dynamic_vision.metrics.cka.cka:build",
    version=1, family="representational", procedure="linear CKA (Kornblith et al., 2019)",
    splits="10 random 90% stimulus subsets", reference="direct HSIC formula",
)
metric_registry.register(
    "cka-debiased", "dynamic_vision.metrics.cka.cka:build_debiased",
    version=1, family="representational",
    procedure="linear CKA with the unbiased HSIC estimator (Song et al., 2012)",
    splits="10 random 90% stimulus subsets", reference="direct HSIC formula",
)
