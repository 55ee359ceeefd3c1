"""A base-model submission in the sample-model-submission layout: one tiny network."""

import functools

import torch
from torch import nn

from model_tools.activations.pytorch import PytorchWrapper
from model_tools.activations.pytorch import load_preprocess_images
from model_tools.check_submission import check_models


class TinyNet(nn.Module):
    def __init__(self):
        super(TinyNet, self).__init__()
        self.conv1 = nn.Conv2d(in_channels=3, out_channels=8, kernel_size=5, stride=2, padding=2)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(in_channels=8, out_channels=16, kernel_size=3, stride=2, padding=1)
        self.relu2 = nn.ReLU()
        self.pool = nn.AdaptiveAvgPool2d(2)
        self.linear = nn.Linear(64, 10)

    def forward(self, x):
        x = self.pool(self.relu2(self.conv2(self.relu1(self.conv1(x)))))
        return self.linear(torch.flatten(x, 1))


def get_model_list():
    # the names of the models in this submission
    return ['tiny-net']


def get_model(name):
    # the activations model: the network wrapped with its preprocessing
    assert name == 'tiny-net'
    torch.manual_seed(7)  # stands in for loading trained weights
    model = TinyNet()
    preprocessing = functools.partial(load_preprocess_images, image_size=16)
    wrapper = PytorchWrapper(identifier='tiny-net', model=model, preprocessing=preprocessing)
    wrapper.image_size = 16
    return wrapper


def get_layers(name):
    # candidate layers for the brain regions (each gives at least 25 features)
    assert name == 'tiny-net'
    return ['relu1', 'pool']


def get_bibtex(model_identifier):
    # no publication for this model
    return ''


if __name__ == '__main__':
    check_models.check_base_models(__name__)
