#!/usr/bin/python3
"""Writes zoo-manifests/benchmark/README.md from the files build_zoo.py produced.

Called at the end of build_zoo.py; can be run alone:  /usr/bin/python3 tools/zoo-builder/summarize.py
"""
import collections
import json
import os
import sys

import numpy as np


def spread(values):
    v = np.asarray(values, dtype=float)
    return f"{v.min():.3f} / {np.median(v):.3f} / {v.max():.3f}"


def folder_size(path):
    return sum(os.path.getsize(os.path.join(d, f)) for d, _, fs in os.walk(path) for f in fs)


def summarize(out="zoo-manifests", build_seconds=None):
    bench = os.path.join(out, "benchmark")
    manifest = json.load(open(os.path.join(out, "benchmark.json")))
    demo = json.load(open(os.path.join(out, "demo.json")))
    tasks = json.load(open(os.path.join(bench, "tasks.json")))
    gt = json.load(open(os.path.join(bench, "ground-truth.json")))
    models = {m["id"]: m for m in manifest["models"]}
    fit = np.array(gt["fit"])
    mcol = {m: i for i, m in enumerate(gt["models"])}
    task_of_query = {q["id"]: q["task"] for q in tasks["queries"]}
    task_by_id = {t["id"]: t for t in tasks["tasks"]}

    lines = ["# Know2Vec benchmark zoo", "",
             "Built by `tools/zoo-builder/build_zoo.py` (see its README for the one rebuild command); "
             "this page is written by `tools/zoo-builder/summarize.py` from the files beside it.", ""]

    lines += ["## Tasks", "", "| dataset | meta-train tasks | meta-test tasks | classes per task | query sets |",
              "|---|---|---|---|---|"]
    for ds in tasks["datasets"]:
        ts = [t for t in tasks["tasks"] if t["dataset"] == ds["name"]]
        sizes = collections.Counter(len(t["classes"]) for t in ts)
        nq = sum(1 for q in tasks["queries"] if task_by_id[q["task"]]["dataset"] == ds["name"])
        lines.append(f"| {ds['name']} | {sum(t['split'] == 'meta-train' for t in ts)} | "
                     f"{sum(t['split'] == 'meta-test' for t in ts)} | "
                     + ", ".join(f"{k}: {sizes[k]}" for k in sorted(sizes)) + f" | {nq} |")
    lines += ["", "Every task has 4 labelled query sets (two with 5 and two with 10 images per class) drawn "
              "from a query pool that is disjoint from all training data, from the test images and from "
              "the probe pool. meta-test class subsets never occur in meta-train, and meta-test models "
              "are never used to train the alignment.", ""]

    lines += ["## Models", "", "| architecture | models | parameters (min / median / max) | "
              "own-task accuracy (min / median / max) |", "|---|---|---|---|"]
    fams = collections.defaultdict(list)
    for m in manifest["models"]:
        fams[m["architecture"]].append(m)
    for fam in sorted(fams):
        ms = fams[fam]
        lines.append(f"| {fam} | {len(ms)} | {spread([m['parameters'] for m in ms]).replace('.000', '')} | "
                     f"{spread([m['accuracy'] for m in ms])} |")
    lines += ["", "| training budget | models | own-task accuracy (min / median / max) |", "|---|---|---|"]
    budgets = collections.defaultdict(list)
    for m in manifest["models"]:
        budgets[m["trainedOn"]["budget"]].append(m["accuracy"])
    for b in ("strong", "medium", "weak"):
        if budgets[b]:
            lines.append(f"| {b} | {len(budgets[b])} | {spread(budgets[b])} |")
    lines += ["", f"All {len(models)} models: accuracy {spread([m['accuracy'] for m in models.values()])}. "
              "Budgets: strong = 400-800 images per class (digits: all ~84), 6-10 epochs, clean labels; "
              "medium = 60-150 per class, 4-8 epochs, 0-20% label noise; weak = 20-50 per class, "
              "3-5 epochs, 20-40% label noise. Accuracy is on the task's held-out test images.", ""]

    # Ground truth
    within, own_best, gap = [], 0, []
    for qi, qid in enumerate(gt["queries"]):
        t = task_by_id[task_of_query[qid]]
        own = [fit[qi, mcol[m]] for m in t["models"]]
        within.append(max(own) - min(own))
        best = fit[qi].max()
        if max(own) >= best - 1e-9:
            own_best += 1
        others = [fit[qi, j] for j, m in enumerate(gt["models"]) if m not in t["models"]]
        gap.append(max(own) - max(others))
    lines += ["## Ground truth", "", gt["metric"] + ".", "",
              f"- {len(gt['queries'])} query sets x {len(gt['models'])} models = {fit.size} fits; "
              f"fits range {fit.min():.3f} .. {fit.max():.3f}.",
              f"- Within a task (best minus worst of the task's own models, per query set): "
              f"min / median / max = {spread(within)}.",
              f"- A model of the query's own task has the best fit for {own_best} of {len(gt['queries'])} "
              f"query sets; its margin over the best other model (min / median / max) = {spread(gap)}. "
              "Negative margins are tasks where a model of an overlapping task (a superset of the "
              "classes, or a stronger model) transfers better than the task's own weak models.", ""]

    lines += ["## Files", "",
              "| file | what |", "|---|---|",
              "| `../benchmark.json` | manifest of every model (schema `../manifest.schema.json`) |",
              f"| `../demo.json` | the quick-start zoo: {len(demo['models'])} of the same models |",
              "| `models/*.onnx` | the classifiers: input float [N,1,28,28] in 0..1, output logits in label order |",
              "| `tasks.json` | datasets, image sets, tasks (with `split`: meta-train / meta-test), query sets |",
              "| `ground-truth.json` | `fit[query][model]`, rows in `queries` order, columns in `models` order |",
              "| `images/*.u8` | test and query images: raw uint8, N x 28 x 28 row-major, no header |",
              "| `../probe-pool/v1/` | 1,000 unlabelled probe images (same format) from the training splits |",
              "| `../samples/` | PNG samples per dataset and class (test split, unused elsewhere) |", ""]
    size_models = folder_size(os.path.join(bench, "models"))
    size_all = folder_size(out)
    lines += [f"Sizes: models {size_models / 1e6:.1f} MB; everything under zoo-manifests/ {size_all / 1e6:.1f} MB."]
    if build_seconds is not None:
        lines.append(f"Last build took {build_seconds / 60:.1f} minutes on a 2-core CPU.")
    lines += ["", "## Data and licences", ""]
    for ds in tasks["datasets"]:
        lines.append(f"- **{ds['name']}** ({ds['license']}): {ds['source']}.")
    lines += ["- The models were trained by the zoo builder and are released under MIT.", ""]
    with open(os.path.join(bench, "README.md"), "w") as f:
        f.write("\n".join(lines))


if __name__ == "__main__":
    summarize(*(sys.argv[1:2] or []))
