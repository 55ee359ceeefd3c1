"""Every registered plugin passes its kind's conformance checks (see dynamic_vision.testing)."""


from dynamic_vision.testing import parametrize_with_checks


@parametrize_with_checks("model")
def test_models(identifier, check):
    check(identifier)


@parametrize_with_checks("benchmark")
def test_benchmarks(identifier, check):
    check(identifier)


@parametrize_with_checks("metric")
def test_metrics(identifier, check):
    check(identifier)


@parametrize_with_checks("dataset")
def test_datasets(identifier, check):
    check(identifier)


@parametrize_with_checks("stimulus_set")
def test_stimulus_sets(identifier, check):
    check(identifier)
