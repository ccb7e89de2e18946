#!/usr/bin/env python3
"""GPU proxy for Know2Vec's query cost: times a ResNet18 of the featurizer's architecture
(PyTorch, random weights - timing only) on 224x224 inputs, on the CPU and on CUDA, at the batch
sizes a query uses, plus a 2-layer class tower. The service's featurizer is this architecture in
ONNX Runtime; the C# CUDA path cannot be carried to the GPU machine (its native provider alone is
larger than what travels), so this is the stand-in measurement.

Usage: python3 tools/gpu-bench/resnet18_proxy.py [--out results.json]
"""
import argparse
import json
import platform
import time

import torch
import torch.nn as nn


class Block(nn.Module):
    def __init__(self, cin, cout, stride):
        super().__init__()
        self.c1 = nn.Conv2d(cin, cout, 3, stride, 1, bias=False)
        self.b1 = nn.BatchNorm2d(cout)
        self.c2 = nn.Conv2d(cout, cout, 3, 1, 1, bias=False)
        self.b2 = nn.BatchNorm2d(cout)
        self.down = None if stride == 1 and cin == cout else nn.Sequential(
            nn.Conv2d(cin, cout, 1, stride, bias=False), nn.BatchNorm2d(cout))

    def forward(self, x):
        y = torch.relu(self.b1(self.c1(x)))
        y = self.b2(self.c2(y))
        return torch.relu(y + (x if self.down is None else self.down(x)))


def resnet18():
    layers = [nn.Conv2d(3, 64, 7, 2, 3, bias=False), nn.BatchNorm2d(64), nn.ReLU(), nn.MaxPool2d(3, 2, 1)]
    cin = 64
    for cout, stride in ((64, 1), (128, 2), (256, 2), (512, 2)):
        layers += [Block(cin, cout, stride), Block(cout, cout, 1)]
        cin = cout
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    return nn.Sequential(*layers).eval()


def time_it(fn, sync, repeats):
    fn()
    sync()  # warm-up (cuDNN autotune, allocator)
    times = []
    for _ in range(repeats):
        t = time.perf_counter()
        fn()
        sync()
        times.append((time.perf_counter() - t) * 1000)
    times.sort()
    return times[len(times) // 2]


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--out", default="resnet18_proxy.json")
    args = ap.parse_args()
    torch.manual_seed(0)
    out = {"torch": torch.__version__, "python": platform.python_version(), "cuda": torch.cuda.is_available(),
           "cpuThreads": torch.get_num_threads(), "results": []}
    devices = ["cpu"] + (["cuda"] if torch.cuda.is_available() else [])
    if torch.cuda.is_available():
        out["gpu"] = torch.cuda.get_device_name(0)
        torch.backends.cudnn.benchmark = True
    tower = nn.Sequential(nn.Linear(1536, 128), nn.ReLU(), nn.Linear(128, 512)).eval()
    for device in devices:
        model = resnet18().to(device)
        t = tower.to(device)
        sync = torch.cuda.synchronize if device == "cuda" else (lambda: None)
        for batch in (1, 8, 40, 256):
            if device == "cpu" and batch > 40:
                continue
            x = torch.randn(batch, 3, 224, 224, device=device)
            with torch.no_grad():
                ms = time_it(lambda: model(x), sync, 5 if device == "cpu" else 30)
            out["results"].append({"device": device, "what": "resnet18", "batch": batch, "ms": round(ms, 3),
                                   "msPerImage": round(ms / batch, 4)})
            print(out["results"][-1], flush=True)
        for fp16 in ([True] if device == "cuda" else []):
            x = torch.randn(40, 3, 224, 224, device=device).half()
            m16 = resnet18().to(device).half()
            with torch.no_grad():
                ms = time_it(lambda: m16(x), sync, 30)
            out["results"].append({"device": device, "what": "resnet18-fp16", "batch": 40, "ms": round(ms, 3),
                                   "msPerImage": round(ms / 40, 4)})
            print(out["results"][-1], flush=True)
        c = torch.randn(5, 1536, device=device)
        with torch.no_grad():
            ms = time_it(lambda: t(c), sync, 50)
        out["results"].append({"device": device, "what": "class-tower (5 classes)", "batch": 5, "ms": round(ms, 4)})
        print(out["results"][-1], flush=True)
    with open(args.out, "w") as f:
        json.dump(out, f, indent=1)


if __name__ == "__main__":
    main()
