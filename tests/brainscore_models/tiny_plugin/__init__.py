from brainscore_vision import model_registry
from brainscore_vision.model_helpers.brain_transformation import ModelCommitment
from .model import get_model, get_layers

model_registry['tiny-net'] = lambda: ModelCommitment(
    identifier='tiny-net', activations_model=get_model('tiny-net'),
    layers=get_layers('tiny-net'))

# the same network with its layers committed to regions up front
model_registry['tiny-net-committed'] = lambda: ModelCommitment(
    identifier='tiny-net-committed', activations_model=get_model('tiny-net-committed'),
    layers=get_layers('tiny-net-committed'), region_layer_map={'V1': 'relu1', 'MT': 'pool'})

# committed through region_layer_map/tiny-net-json.json
model_registry['tiny-net-json'] = lambda: ModelCommitment(
    identifier='tiny-net-json', activations_model=get_model('tiny-net-json'),
    layers=get_layers('tiny-net-json'))
