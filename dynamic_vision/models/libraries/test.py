"""The library providers are registered by prefix, lazily: registering imports no library."""

import dynamic_vision as dv


def test_providers_are_registered_lazily():
    providers = dv.model_registry.providers()
    assert set(providers) >= {"timm/", "torchvision/", "transformers/"}
    for prefix, provider in providers.items():
        if prefix in ("timm/", "torchvision/", "transformers/"):
            assert isinstance(provider.target, str) and ":" in provider.target
            assert provider.origin == "dynamic_vision.models.libraries" and provider.description
    assert providers["transformers/"].requires == {"transformers": "dynamic-vision[transformers]"}
