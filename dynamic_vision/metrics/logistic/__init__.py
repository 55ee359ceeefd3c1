"""Decoding accuracy with multinomial logistic regression."""

from dynamic_vision.core.registry import metric_registry

metric_registry.register(
    "logistic", "dynamic_vision.metrics.logistic.metric:build",
    version=1, family="decoding", input_kind="labels",
    procedure="standardise; multinomial logistic regression, C by 3-fold inner CV; "
              "5 stratified outer folds; accuracy",
    engine="scikit-learn LogisticRegressionCV", ceiling="none (chance level in detail)",
)
