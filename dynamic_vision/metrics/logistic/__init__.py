"""Decoding accuracy with multinomial logistic regression."""

from dynamic_vision.metric_kinds.spec import MetricSpec, register_metric

register_metric(MetricSpec(
    "logistic", version=1, family="decoding", input_kind="labels", ceiling="none (chance level in detail)",
    extra={"procedure": "standardise; multinomial logistic regression, C by 3-fold inner CV; "
              "5 stratified outer folds; accuracy",
           "engine": "scikit-learn LogisticRegressionCV"}),
    "dynamic_vision.metrics.logistic.metric:build")
