import functools

import torch
from torch import nn

from brainscore_vision.model_helpers.activations.pytorch import PytorchWrapper
from brainscore_vision.model_helpers.activations.pytorch import load_preprocess_images


class TinyNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, kernel_size=5, stride=2, padding=2)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(8, 16, kernel_size=3, stride=2, padding=1)
        self.relu2 = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.linear = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(self.relu2(self.conv2(self.relu1(self.conv1(x)))))
        return self.linear(torch.flatten(x, 1))


def get_model(name):
    assert name in ('tiny-net', 'tiny-net-committed', 'tiny-net-json')
    torch.manual_seed(7)  # the "trained" weights of this example
    model = TinyNet()
    preprocessing = functools.partial(load_preprocess_images, image_size=16)
    wrapper = PytorchWrapper(identifier=name, model=model, preprocessing=preprocessing)
    wrapper.image_size = 16
    return wrapper


def get_layers(name):
    assert name in ('tiny-net', 'tiny-net-committed', 'tiny-net-json')
    return ['relu1', 'pool']


def get_bibtex(model_identifier):
    return """@misc{tinyplugin2026,
  title={A tiny network written as a Brain-Score model plugin},
  year={2026}
}"""


if __name__ == '__main__':
    from brainscore_vision.model_helpers.check_submission import check_models
    check_models.check_base_models(__name__)
