#!/usr/bin/python3
"""Builds the Know2Vec benchmark zoo from real data, deterministically.

Trains small PyTorch classifiers on class subsets of Fashion-MNIST and sklearn's digits,
exports them with torch.onnx.export (the way zoos are made in the wild), and writes:

  zoo-manifests/benchmark.json              manifest of every model (schema: manifest.schema.json)
  zoo-manifests/demo.json                   the quick-start zoo: ~20 of the same models
  zoo-manifests/benchmark/models/*.onnx     the models
  zoo-manifests/benchmark/tasks.json        tasks (meta-train / meta-test), query sets, image sets
  zoo-manifests/benchmark/ground-truth.json fit(query set, model) for every pair
  zoo-manifests/benchmark/images/*.u8       test and query images (raw uint8, N x 28 x 28)
  zoo-manifests/probe-pool/v1/              ~1,000 unlabelled probe images for the indexer
  zoo-manifests/samples/<dataset>/<class>/  PNG samples for the README's curl example

Usage (from the repository root):  /usr/bin/python3 tools/zoo-builder/build_zoo.py
See tools/zoo-builder/README.md for the packages, the data and the timings.
"""
import argparse
import gzip
import hashlib
import json
import os
import struct
import sys
import time
import zlib

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F
from sklearn.linear_model import LogisticRegression

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from summarize import summarize  # noqa: E402  (sibling script)

BUILDER_VERSION = "1.0.0"
SEED = 20250101
ONNX_OPSET = 13
FASHION_DIR = "/usr/share/datasets/fashion-mnist"
DIGITS_CSV = "/usr/lib/python3/dist-packages/sklearn/datasets/data/digits.csv.gz"

FASHION_LABELS = ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat",
                  "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"]
DIGIT_LABELS = [str(d) for d in range(10)]

DATASETS = {
    "fashion-mnist": {
        "short": "fashion",
        "labels": FASHION_LABELS,
        "license": "MIT",
        "source": "Fashion-MNIST (Zalando Research), Debian package dataset-fashion-mnist; "
                  "train split 60,000 and test split 10,000 images, 28x28 grey, white-on-black",
        # Per class, taken from the dataset's *test* split after a seeded shuffle:
        "test_per_class": 200, "query_pool_per_class": 60, "samples_per_class": 10,
        "tasks": 36,
    },
    "digits": {
        "short": "digits",
        "labels": DIGIT_LABELS,
        "license": "CC-BY-4.0 (UCI Optical Recognition of Handwritten Digits), shipped in scikit-learn (BSD-3-Clause)",
        "source": "sklearn.datasets digits.csv.gz (python3-sklearn): 1,797 images, 8x8, values 0..16, "
                  "upscaled to 28x28 with bilinear interpolation (torch interpolate, align_corners=False)",
        # digits has no official split (~180 per class): split per class after a seeded shuffle.
        "test_per_class": 40, "query_pool_per_class": 40, "samples_per_class": 10,
        "tasks": 28,
    },
}

META_TEST_FRACTION = 0.25
QUERY_SETS = [("q5a", 5), ("q5b", 5), ("q10a", 10), ("q10b", 10)]
PROBES = {"fashion-mnist": 600, "digits": 400}

# Training budgets: quality must genuinely differ between models of one task.
BUDGETS = {
    "strong": {"samples": [400, 800], "epochs": [6, 10], "noise": [0.0]},
    "medium": {"samples": [60, 150], "epochs": [4, 8], "noise": [0.0, 0.2]},
    "weak": {"samples": [20, 50], "epochs": [3, 5], "noise": [0.2, 0.4]},
}
BUDGET_ORDER = ["strong", "weak", "medium"]
FAMILIES = ["mlp-small", "mlp-wide", "cnn-small", "cnn-deep"]


# ----------------------------------------------------------------------------- data

def read_idx(path):
    with gzip.open(path, "rb") as f:
        data = f.read()
    magic, = struct.unpack(">I", data[:4])
    ndim = magic & 0xFF
    dims = struct.unpack(">" + "I" * ndim, data[4:4 + 4 * ndim])
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def load_fashion():
    xtr = read_idx(os.path.join(FASHION_DIR, "train-images-idx3-ubyte.gz"))
    ytr = read_idx(os.path.join(FASHION_DIR, "train-labels-idx1-ubyte.gz")).astype(np.int64)
    xte = read_idx(os.path.join(FASHION_DIR, "t10k-images-idx3-ubyte.gz"))
    yte = read_idx(os.path.join(FASHION_DIR, "t10k-labels-idx1-ubyte.gz")).astype(np.int64)
    return xtr, ytr, xte, yte


def load_digits_28():
    """sklearn digits (8x8, 0..16) -> uint8 28x28 by bilinear upscaling."""
    with gzip.open(DIGITS_CSV, "rt") as f:
        raw = np.loadtxt(f, delimiter=",", dtype=np.float32)
    x8 = raw[:, :64].reshape(-1, 1, 8, 8) / 16.0
    y = raw[:, 64].astype(np.int64)
    x28 = F.interpolate(torch.from_numpy(x8), size=(28, 28), mode="bilinear", align_corners=False)
    x28 = np.clip(np.rint(x28.numpy()[:, 0] * 255.0), 0, 255).astype(np.uint8)
    return x28, y


def split_per_class(y, rng, counts):
    """Seeded per-class split of indices into consecutive parts of the given sizes (the
    last part, size None, takes the rest)."""
    parts = [[] for _ in counts]
    for c in range(10):
        idx = np.flatnonzero(y == c)
        idx = idx[rng.permutation(len(idx))]
        start = 0
        for p, n in enumerate(counts):
            stop = len(idx) if n is None else start + n
            if stop > len(idx):
                raise SystemExit(f"class {c}: not enough images for split {counts}")
            parts[p].append(idx[start:stop])
            start = stop
    return [np.concatenate(p) for p in parts]


def prepare_data(rng):
    """Returns per dataset: train (x, y), test (x, y), query pool (x, y), sample images."""
    out = {}
    xtr, ytr, xte, yte = load_fashion()
    cfg = DATASETS["fashion-mnist"]
    te, qp, sm = split_per_class(
        yte, rng, [cfg["test_per_class"], cfg["query_pool_per_class"], cfg["samples_per_class"]])
    out["fashion-mnist"] = {
        "train": (xtr, ytr, np.arange(len(ytr))),
        "test": (xte[te], yte[te], te), "query": (xte[qp], yte[qp], qp), "samples": (xte[sm], yte[sm], sm),
        "source_split": {"train": "train", "test": "test", "query": "test", "samples": "test"},
    }
    xd, yd = load_digits_28()
    cfg = DATASETS["digits"]
    te, qp, sm, tr = split_per_class(
        yd, rng, [cfg["test_per_class"], cfg["query_pool_per_class"], cfg["samples_per_class"], None])
    out["digits"] = {
        "train": (xd[tr], yd[tr], tr),
        "test": (xd[te], yd[te], te), "query": (xd[qp], yd[qp], qp), "samples": (xd[sm], yd[sm], sm),
        # One index space (the 1,797 images of digits.csv.gz) for every part.
        "source_split": {"train": "all", "test": "all", "query": "all", "samples": "all"},
    }
    return out


# ----------------------------------------------------------------------------- models

class MlpSmall(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 32), nn.ReLU(), nn.Linear(32, c))

    def forward(self, x):
        return self.net(x)


class MlpWide(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 80), nn.ReLU(), nn.Linear(80, 80),
                                 nn.ReLU(), nn.Linear(80, c))

    def forward(self, x):
        return self.net(x)


class CnnSmall(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.net = nn.Sequential(
            nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Flatten(), nn.Linear(16 * 7 * 7, c))

    def forward(self, x):
        return self.net(x)


class CnnDeep(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.features = nn.Sequential(
            nn.Conv2d(1, 16, 3, padding=1), nn.ReLU(),
            nn.Conv2d(16, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(16, 32, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
            nn.Conv2d(32, 32, 3, padding=1), nn.ReLU())
        self.head = nn.Linear(32, c)

    def forward(self, x):
        return self.head(self.features(x).mean(dim=(2, 3)))


# The global-average-pooled deep CNN learns slowly at 1e-3 and stays near chance on small budgets.
LEARNING_RATES = {"mlp-small": 1e-3, "mlp-wide": 1e-3, "cnn-small": 1e-3, "cnn-deep": 3e-3}
FAMILY_CLASSES = {"mlp-small": MlpSmall, "mlp-wide": MlpWide, "cnn-small": CnnSmall, "cnn-deep": CnnDeep}


def to_input(x_uint8):
    return torch.from_numpy(x_uint8.astype(np.float32) / 255.0).unsqueeze(1)


def train_model(family, classes, data, budget, seed):
    """Trains on the task's classes (labels in task order), with the given budget."""
    rng = np.random.default_rng(seed)
    torch.manual_seed(seed)
    xtr, ytr, _ = data["train"]
    idx = []
    for c in classes:
        pool = np.flatnonzero(ytr == c)
        idx.append(pool[rng.permutation(len(pool))[:budget["samples"]]])
    idx = np.concatenate(idx)
    x = to_input(xtr[idx])
    y = np.array([classes.index(int(v)) for v in ytr[idx]], dtype=np.int64)
    # Label noise: a share of labels replaced by another class of the task.
    flip = rng.random(len(y)) < budget["noise"]
    for i in np.flatnonzero(flip):
        y[i] = (y[i] + 1 + rng.integers(len(classes) - 1)) % len(classes)
    y = torch.from_numpy(y)
    model = FAMILY_CLASSES[family](len(classes))
    opt = torch.optim.Adam(model.parameters(), lr=LEARNING_RATES[family])
    g = torch.Generator().manual_seed(seed)
    model.train()
    for _ in range(budget["epochs"]):
        perm = torch.randperm(len(y), generator=g)
        for b in range(0, len(y), 32):
            sel = perm[b:b + 32]
            opt.zero_grad()
            F.cross_entropy(model(x[sel]), y[sel]).backward()
            opt.step()
    model.eval()
    return model, int(len(y))


def predict_softmax(model, x_uint8):
    with torch.no_grad():
        return torch.softmax(model(to_input(x_uint8)), dim=1).numpy()


def export_onnx(model, path):
    model.eval()
    dummy = torch.zeros(1, 1, 28, 28)
    torch.onnx.export(model, dummy, path, input_names=["input"], output_names=["logits"],
                      dynamic_axes={"input": {0: "batch"}, "logits": {0: "batch"}},
                      opset_version=ONNX_OPSET, do_constant_folding=True)


def sha256_of(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        h.update(f.read())
    return h.hexdigest()


# ----------------------------------------------------------------------------- tasks

def make_tasks(rng):
    tasks = []
    for name, cfg in DATASETS.items():
        seen = set()
        ds_tasks = []
        while len(ds_tasks) < cfg["tasks"]:
            k = int(rng.integers(2, 6))  # 2..5 classes
            classes = tuple(sorted(int(c) for c in rng.choice(10, size=k, replace=False)))
            if classes in seen:
                continue
            seen.add(classes)
            ds_tasks.append(classes)
        n_test = round(len(ds_tasks) * META_TEST_FRACTION)
        test_ids = set(rng.choice(len(ds_tasks), size=n_test, replace=False).tolist())
        for i, classes in enumerate(ds_tasks):
            tasks.append({
                "id": f"{cfg['short']}-" + "-".join(str(c) for c in classes),
                "dataset": name,
                "split": "meta-test" if i in test_ids else "meta-train",
                "classes": list(classes),
                "labels": [cfg["labels"][c] for c in classes],
            })
    return tasks


def pick_budget(rng, kind, data):
    b = BUDGETS[kind]
    samples = int(rng.choice(b["samples"]))
    # digits has ~90 training images per class: the strong budget takes all of them.
    per_class_available = int(np.bincount(data["train"][1]).min())
    return {"kind": kind, "samples": min(samples, per_class_available),
            "epochs": int(rng.choice(b["epochs"])), "noise": float(rng.choice(b["noise"]))}


# ----------------------------------------------------------------------------- output

def write_png(path, img):
    """Minimal 8-bit greyscale PNG writer (no imaging library needed)."""
    h, w = img.shape
    raw = b"".join(b"\x00" + img[r].tobytes() for r in range(h))

    def chunk(kind, payload):
        c = struct.pack(">I", len(payload)) + kind + payload
        return c + struct.pack(">I", zlib.crc32(kind + payload) & 0xFFFFFFFF)

    png = b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", w, h, 8, 0, 0, 0, 0))
    png += chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")
    with open(path, "wb") as f:
        f.write(png)


def slug(label):
    return "".join(ch if ch.isalnum() else "-" for ch in label.lower()).strip("-")


def write_json(path, obj, compact_lists=False):
    with open(path, "w") as f:
        if compact_lists:
            json.dump(obj, f, separators=(",", ":"))
        else:
            json.dump(obj, f, indent=2)
        f.write("\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--out", default="zoo-manifests", help="output folder (default: zoo-manifests)")
    args = ap.parse_args()
    t0 = time.time()
    # Determinism: fixed seeds, one thread (float reduction order), deterministic kernels.
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    rng = np.random.default_rng(SEED)

    out = args.out
    bench = os.path.join(out, "benchmark")
    os.makedirs(os.path.join(bench, "models"), exist_ok=True)
    os.makedirs(os.path.join(bench, "images"), exist_ok=True)

    print("loading data ...", flush=True)
    data = prepare_data(rng)
    tasks = make_tasks(rng)

    # Image sets (test and query pools), raw uint8 N x 28 x 28.
    image_sets = {}
    for name, d in data.items():
        for part in ("test", "query"):
            x, y, src = d[part]
            set_id = f"{name}-{part}"
            rel = f"images/{set_id}.u8"
            x.astype(np.uint8).tofile(os.path.join(bench, rel))
            image_sets[set_id] = {
                "file": rel, "count": int(len(x)), "height": 28, "width": 28,
                "sha256": sha256_of(os.path.join(bench, rel)),
                "labels": [int(v) for v in y],
                "source": {"dataset": name, "split": d["source_split"][part],
                           "indices": [int(v) for v in src]},
            }

    # Query sets: per task, labelled k-shot sets drawn from the query pool.
    queries = []
    for t in tasks:
        qx_labels = np.array(image_sets[f"{t['dataset']}-query"]["labels"])
        for qid, shots in QUERY_SETS:
            idx, lab = [], []
            for c in t["classes"]:
                pool = np.flatnonzero(qx_labels == c)
                chosen = np.sort(pool[rng.permutation(len(pool))[:shots]])
                idx += [int(v) for v in chosen]
                lab += [int(c)] * shots
            queries.append({"id": f"{t['id']}-{qid}", "task": t["id"], "split": t["split"],
                            "shots": shots, "imageSet": f"{t['dataset']}-query",
                            "indices": idx, "classes": lab})

    # Models.
    manifest_models = []
    model_outputs = {}  # id -> {set_id: softmax}
    n_models = sum(3 if i % 4 == 0 else 2 for i in range(len(tasks)))
    done = 0
    for ti, t in enumerate(tasks):
        d = data[t["dataset"]]
        t["models"] = []
        for j in range(3 if ti % 4 == 0 else 2):
            family = FAMILIES[(ti + j) % len(FAMILIES)]
            budget = pick_budget(rng, BUDGET_ORDER[j], d)
            seed = int(rng.integers(1, 2**31 - 1))
            model_id = f"{t['id']}-{family}-{'abc'[j]}"
            ts = time.time()
            model, n_train = train_model(family, t["classes"], d, budget, seed)
            rel = f"benchmark/models/{model_id}.onnx"
            path = os.path.join(out, rel)
            export_onnx(model, path)
            outputs = {s: predict_softmax(model, data[image_sets[s]["source"]["dataset"]][
                "test" if s.endswith("-test") else "query"][0]) for s in image_sets}
            model_outputs[model_id] = outputs
            te_labels = np.array(image_sets[f"{t['dataset']}-test"]["labels"])
            mask = np.isin(te_labels, t["classes"])
            pred = outputs[f"{t['dataset']}-test"][mask].argmax(axis=1)
            truth = np.array([t["classes"].index(int(v)) for v in te_labels[mask]])
            acc = float((pred == truth).mean())
            params = int(sum(p.numel() for p in model.parameters()))
            manifest_models.append({
                "id": model_id, "file": rel, "sha256": sha256_of(path),
                "architecture": family, "parameters": params,
                "input": {"shape": [1, 28, 28], "range": [0, 1], "layout": "NCHW",
                          "polarity": "light-on-dark"},
                "labels": list(t["labels"]),
                "tags": [t["dataset"]],
                "license": "MIT",
                "trainedOn": {"dataset": t["dataset"], "classes": list(t["classes"]),
                              "samplesPerClass": budget["samples"], "trainingSamples": n_train,
                              "epochs": budget["epochs"], "labelNoise": budget["noise"],
                              "budget": budget["kind"], "seed": seed, "task": t["id"]},
                "accuracy": round(acc, 4),
            })
            t["models"].append(model_id)
            done += 1
            print(f"[{done:3d}/{n_models}] {model_id:32s} params={params:6d} "
                  f"budget={budget['kind']:6s} acc={acc:.3f} ({time.time() - ts:.1f}s)", flush=True)

    # Ground truth: fit(query set, model) = accuracy, on the query task's held-out test images,
    # of a logistic-regression probe fitted on the model's softmax outputs for the query images.
    print("ground truth ...", flush=True)
    model_ids = [m["id"] for m in manifest_models]
    fit = np.zeros((len(queries), len(model_ids)), dtype=np.float64)
    task_by_id = {t["id"]: t for t in tasks}
    for qi, q in enumerate(queries):
        t = task_by_id[q["task"]]
        te_set = f"{t['dataset']}-test"
        te_labels = np.array(image_sets[te_set]["labels"])
        mask = np.isin(te_labels, t["classes"])
        for mi, mid in enumerate(model_ids):
            xq = model_outputs[mid][q["imageSet"]][q["indices"]]
            xt = model_outputs[mid][te_set][mask]
            clf = LogisticRegression(C=10.0, max_iter=2000)
            clf.fit(xq, q["classes"])
            fit[qi, mi] = clf.score(xt, te_labels[mask])
        if (qi + 1) % 32 == 0:
            print(f"  {qi + 1}/{len(queries)} query sets", flush=True)

    write_json(os.path.join(bench, "ground-truth.json"), {
        "version": BUILDER_VERSION,
        "metric": "accuracy on the query task's held-out test images of a logistic-regression probe "
                  "(sklearn LogisticRegression C=10, lbfgs) fitted on the model's softmax outputs "
                  "for the query set's images",
        "queries": [q["id"] for q in queries],
        "models": model_ids,
        "fit": [[round(float(v), 4) for v in row] for row in fit],
    }, compact_lists=True)

    write_json(os.path.join(bench, "tasks.json"), {
        "version": BUILDER_VERSION,
        "seed": SEED,
        "imageFormat": "raw uint8, no header, N x height x width row-major, 0 = background, "
                       "255 = ink (light-on-dark); divide by 255 for the models' 0..1 input",
        "datasets": [{"name": n, "labels": c["labels"], "license": c["license"], "source": c["source"]}
                     for n, c in DATASETS.items()],
        "splits": {"meta-train": "tasks (and their models and query sets) for training the alignment",
                   "meta-test": "held-out tasks: class subsets never in meta-train; their models are "
                                "never used to train the alignment"},
        "testSets": "a task's test images are the images of its dataset's '<dataset>-test' set whose "
                    "label is one of the task's classes",
        "imageSets": image_sets,
        "tasks": tasks,
        "queries": queries,
    })

    # Manifests.
    write_json(os.path.join(out, "benchmark.json"), {
        "$schema": "./manifest.schema.json",
        "name": "know2vec-benchmark",
        "version": BUILDER_VERSION,
        "description": f"{len(manifest_models)} classifiers trained on class subsets of Fashion-MNIST "
                       f"and sklearn digits ({len(tasks)} tasks); built by tools/zoo-builder.",
        "models": manifest_models,
    })
    demo_tasks = [t for t in tasks if t["dataset"] == "fashion-mnist"][:5] + \
                 [t for t in tasks if t["dataset"] == "digits"][:4]
    demo_ids = {m for t in demo_tasks for m in t["models"]}
    write_json(os.path.join(out, "demo.json"), {
        "$schema": "./manifest.schema.json",
        "name": "demo",
        "version": BUILDER_VERSION,
        "description": f"Quick-start zoo: the {len(demo_ids)} models of {len(demo_tasks)} benchmark tasks "
                       "(Fashion-MNIST and digits).",
        "models": [m for m in manifest_models if m["id"] in demo_ids],
    })

    # Probe pool: unlabelled images from the datasets' training splits (never test or query).
    probe_dir = os.path.join(out, "probe-pool", "v1")
    os.makedirs(probe_dir, exist_ok=True)
    probe_x, sources = [], []
    for name, n in PROBES.items():
        x, _, src = data[name]["train"]
        pick = np.sort(rng.choice(len(x), size=n, replace=False))
        probe_x.append(x[pick])
        sources.append({"dataset": name, "split": data[name]["source_split"]["train"], "count": n,
                        "indices": [int(src[i]) for i in pick]})
    probe_x = np.concatenate(probe_x).astype(np.uint8)
    probe_x.tofile(os.path.join(probe_dir, "images.u8"))
    write_json(os.path.join(probe_dir, "index.json"), {
        "version": "v1", "count": int(len(probe_x)), "height": 28, "width": 28,
        "file": "images.u8", "sha256": sha256_of(os.path.join(probe_dir, "images.u8")),
        "format": "raw uint8, no header, N x 28 x 28 row-major, light-on-dark; unlabelled",
        "sources": sources,
    })

    # Sample PNGs for the README.
    for name, d in data.items():
        x, y, _ = d["samples"]
        for c in range(10):
            folder = os.path.join(out, "samples", name, slug(DATASETS[name]["labels"][c]))
            os.makedirs(folder, exist_ok=True)
            for k, i in enumerate(np.flatnonzero(y == c)):
                write_png(os.path.join(folder, f"{k + 1:02d}.png"), x[i])

    summarize(out, time.time() - t0)
    print(f"done: {len(tasks)} tasks, {len(manifest_models)} models, {len(queries)} query sets "
          f"in {time.time() - t0:.0f}s", flush=True)


if __name__ == "__main__":
    sys.exit(main())
