"""Models: declarations (specs), the model zoo, weights, brain-model commitments, layer
selection, hand-made feature models and the activation-extraction engine."""
