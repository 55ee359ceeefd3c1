"""CPU forward passes channels-last vs contiguous (torch's default layout), as the engine runs them.

On CPU, :func:`dynamic_vision.modeling.activations.engine.extract_activations` runs
convolutional networks channels-last. This script times random-weight resnet18 (batches of
32 frames) and r3d_18 (batches of 4 clips of 16 frames) at the main job's 64 px both ways,
alternating the two layouts for ``--repeats`` rounds, and prints the best CPU milliseconds per
input of each, the ratio (contiguous / channels-last) and the largest output difference.

    python perf/channels_last.py                  # torch's default threads
    python perf/channels_last.py --threads 1 --size 112
"""

from __future__ import annotations

import argparse
import time

import torch
import torchvision


def _best_ms(model: torch.nn.Module, x: torch.Tensor, repeats: int) -> float:
    times = []
    with torch.inference_mode():
        model(x)
        for _ in range(repeats):
            start = time.process_time()
            model(x)
            times.append((time.process_time() - start) / len(x) * 1000.0)
    return min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--size", type=int, default=64)
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    cases = {
        "resnet18": (torchvision.models.resnet18, (32, 3, args.size, args.size),
                     torch.channels_last),
        "r3d_18": (torchvision.models.video.r3d_18, (4, 3, 16, args.size, args.size),
                   torch.channels_last_3d),
    }
    print(f"{args.size} px, {torch.get_num_threads()} threads, best of {args.repeats}")
    for name, (build, shape, layout) in cases.items():
        plain = build().eval()
        fast = build().eval()
        fast.load_state_dict(plain.state_dict())
        fast.to(memory_format=layout)
        x = torch.randn(shape)
        x_fast = x.contiguous(memory_format=layout)
        plain_ms = fast_ms = float("inf")
        for _ in range(args.repeats):
            plain_ms = min(plain_ms, _best_ms(plain, x, 1))
            fast_ms = min(fast_ms, _best_ms(fast, x_fast, 1))
        with torch.inference_mode():
            difference = (plain(x) - fast(x_fast)).abs().max().item()
        print(f"  {name:<9s} contiguous {plain_ms:8.1f} ms/input   channels-last "
              f"{fast_ms:8.1f} ms/input   ratio {plain_ms / fast_ms:4.2f}x   "
              f"max |difference| {difference:.1e}")


if __name__ == "__main__":
    main()
