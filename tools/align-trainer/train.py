#!/usr/bin/python3
"""Trains the Know2Vec alignment: the model tower f_M and the query tower f_Q.

Input: a folder written by `dotnet run --project Evaluation -c Release -- export --out DIR`
(knowledge tensors, query-set features and ground-truth fits as raw float32 + index.json).
Output: an alignment folder the service loads (zoo-manifests/alignment/<version>/ by default):
  model-tower.onnx   input "classes" float [C, 3*D] -> output "embedding" float [C, D] (set mode)
  query-tower.onnx   input "classes" float [K, D]   -> output "embedding" float [K, D] (set mode)
  alignment.json     version, dimensions, training summary, the loss curve
  parity.json        fixed inputs and the PyTorch outputs for them (checked by a C# test)

Per-class inputs (both computed by the service in C#, so the graphs stay plain MatMul/ReLU/Reduce):
  model class c (reached classes only): [node_c, mean_j b_cj, mean_j b_jc]  (D each; boundary
  means over reached partners, zeros when the model reaches one class only)
  query class k: the mean feature of its samples (the prototype)
Set mode (default): each tower maps every class to a unit vector, residually on the zero-shot
view (unit node / prototype + an MLP whose last layer starts at zero), and a query scores a model
by matching their class sets, so training starts at the zero-shot ranking. Vector mode: per-class
MLP -> mean and max over classes -> linear -> one unit vector (cosine score). Both are invariant
to class order and take any class count. Losses: bidirectional hardest-negative hinge (TANS,
margin 0.2) + listwise (ListNet) cross-entropy against the ground-truth fits.

Usage: /usr/bin/python3 tools/align-trainer/train.py --data DIR [--out DIR] [--version NAME]
"""
import argparse
import json
import math
import os
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

SEED = 1234


# ----------------------------------------------------------------------------- data

def load_export(folder):
    index = json.load(open(os.path.join(folder, "index.json")))
    d = index["featurizer"]["dimension"]
    models, queries = [], []
    for m in index["models"]:
        c = m["classes"]
        k = np.fromfile(os.path.join(folder, m["file"]), dtype="<f4").reshape(c, c, d)
        models.append({**m, "input": model_classes(k, np.array(m["reached"], dtype=bool))})
    for q in index["queries"]:
        x = np.fromfile(os.path.join(folder, q["file"]), dtype="<f4").reshape(q["count"], d)
        queries.append({**q, "features": x, "classIndex": np.array(q["classIndex"])})
    fit = np.fromfile(os.path.join(folder, index["fit"]["file"]), dtype="<f4").reshape(len(queries), len(models))
    return index, models, queries, fit


def model_classes(k, reached):
    """[R, 3D] per reached class: node, mean boundary facing others, mean boundary others face it."""
    idx = np.flatnonzero(reached)
    rows = []
    for c in idx:
        others = [j for j in idx if j != c]
        out_b = k[c, others].mean(axis=0) if others else np.zeros(k.shape[2], np.float32)
        in_b = k[others, c].mean(axis=0) if others else np.zeros(k.shape[2], np.float32)
        rows.append(np.concatenate([k[c, c], out_b, in_b]))
    return np.stack(rows).astype(np.float32)


def query_classes(features, class_index, rng=None, keep=None):
    """[K, D] prototypes; with rng, each class keeps a random subset of its samples (augmentation)."""
    protos = []
    for c in range(class_index.max() + 1):
        x = features[class_index == c]
        if rng is not None and len(x) > 1:
            n = int(rng.integers(max(1, len(x) // 2), len(x) + 1)) if keep is None else keep
            x = x[rng.permutation(len(x))[:n]]
        protos.append(x.mean(axis=0))
    return np.stack(protos).astype(np.float32)


# ----------------------------------------------------------------------------- towers

class ClassTower(nn.Module):
    """Per-class network only: input [C, F] -> unit class embeddings [C, E = D]. Residual on the
    zero-shot view: e = normalise(unit(first D inputs) + MLP(standardised inputs)), the MLP's last
    layer starting at zero, so training starts exactly at the zero-shot class-set match and only
    moves where the ground truth says so. Scores are set matches (see set_scores)."""

    def __init__(self, in_dim, mean, std, hidden=256, out_dim=512, dropout=0.1):
        super().__init__()
        self.register_buffer("mean", torch.from_numpy(mean))
        self.register_buffer("std", torch.from_numpy(std))
        self.out_dim = out_dim
        self.net = nn.Sequential(nn.Dropout(dropout), nn.Linear(in_dim, hidden), nn.ReLU(), nn.Linear(hidden, out_dim))
        nn.init.zeros_(self.net[-1].weight)
        nn.init.zeros_(self.net[-1].bias)

    def forward(self, classes):
        base = classes[:, :self.out_dim]
        base = base / torch.sqrt((base * base).sum(dim=1, keepdim=True) + 1e-12)
        e = base + self.net((classes - self.mean) / self.std)
        return e / torch.sqrt((e * e).sum(dim=1, keepdim=True) + 1e-12)


def pad(sets):
    """List of [n_i, E] -> padded [N, max n, E] and mask [N, max n]."""
    n = max(x.shape[0] for x in sets)
    out = torch.zeros(len(sets), n, sets[0].shape[1])
    mask = torch.zeros(len(sets), n, dtype=torch.bool)
    for i, x in enumerate(sets):
        out[i, :len(x)] = x
        mask[i, :len(x)] = True
    return out, mask


def set_scores(q_classes, m_classes):
    """Symmetric best-match similarity between class-embedding sets: [q, m]."""
    q, qm = pad(q_classes)
    m, mm = pad(m_classes)
    sim = torch.einsum("ake,bce->abkc", q, m)  # [Q, M, K, C]
    neg = torch.tensor(-4.0)
    both = qm[:, None, :, None] & mm[None, :, None, :]
    sim = torch.where(both, sim, neg)
    q2m = sim.max(dim=3).values  # [Q, M, K]
    q2m = (q2m * qm[:, None, :]).sum(dim=2) / qm.sum(dim=1)[:, None]
    m2q = sim.max(dim=2).values  # [Q, M, C]
    m2q = (m2q * mm[None, :, :]).sum(dim=2) / mm.sum(dim=1)[None, :]
    return (q2m + m2q) / 2


class Tower(nn.Module):
    """Per-class MLP, mean+max pooling over classes, projection, L2 norm. Input [C, F] -> [E]."""

    def __init__(self, in_dim, mean, std, hidden=256, out_dim=128, dropout=0.1):
        super().__init__()
        self.register_buffer("mean", torch.from_numpy(mean))
        self.register_buffer("std", torch.from_numpy(std))
        self.per_class = nn.Sequential(nn.Linear(in_dim, hidden), nn.ReLU(), nn.Dropout(dropout),
                                       nn.Linear(hidden, hidden), nn.ReLU())
        self.head = nn.Linear(2 * hidden, out_dim)

    def forward(self, classes):
        h = self.per_class((classes - self.mean) / self.std)
        pooled = torch.cat([h.mean(dim=0), h.max(dim=0).values])
        e = self.head(pooled)
        return e / torch.sqrt((e * e).sum() + 1e-12)


# ----------------------------------------------------------------------------- training

def scores(q_emb, m_emb):
    return q_emb @ m_emb.T


def hinge_loss(s, fit, margin=0.2):
    """TANS-style bidirectional hardest negatives. Positive of query q: its best-fit model."""
    pos = fit.argmax(dim=1)
    s_pos = s[torch.arange(len(s)), pos]
    # query -> model: hardest model clearly worse than the best (fit gap > 0.02)
    neg_mask = fit < (fit.max(dim=1, keepdim=True).values - 0.02)
    s_neg = torch.where(neg_mask, s, torch.full_like(s, -4.0)).max(dim=1).values
    l_q = F.relu(margin - s_pos + s_neg)
    # model -> query: for the positive model, the hardest other query whose best model differs
    other = pos.unsqueeze(0) != pos.unsqueeze(1)  # [q, q']
    s_cols = s[:, pos].T  # [q, q'] = s(q', pos_q)
    s_neg_q = torch.where(other, s_cols, torch.full_like(s_cols, -4.0)).max(dim=1).values
    l_m = F.relu(margin - s_pos + s_neg_q)
    return (l_q + l_m).mean()


def listwise_loss(s, fit, tau_s=0.05, tau_fit=0.02):
    """ListNet: cross-entropy between softmax of the fits and softmax of the scores."""
    target = F.softmax(fit / tau_fit, dim=1)
    return -(target * F.log_softmax(s / tau_s, dim=1)).sum(dim=1).mean()


def rank_metrics(s, fit):
    """top1 (ties in fit count), mean regret@1 over queries; numpy arrays [q, m]."""
    top = s.argmax(axis=1)
    best = fit.max(axis=1)
    chosen = fit[np.arange(len(fit)), top]
    return float((chosen >= best - 1e-9).mean()), float((best - chosen).mean())


def weighted_tau(gt, score):
    """scipy.stats.weightedtau(gt, score, rank=None): hyperbolic weigher, ranking by gt."""
    from scipy.stats import weightedtau
    return float(weightedtau(gt, score, rank=None).correlation)


def zero_shot_scores(q_inputs, m_inputs, d):
    """The service's zero-shot ranking (class-set match of unit class vectors) for comparison."""
    def unit(x):
        return x / (np.linalg.norm(x, axis=1, keepdims=True) + 1e-12)
    s = np.zeros((len(q_inputs), len(m_inputs)))
    for i, q in enumerate(q_inputs):
        qv = unit(q)
        for j, m in enumerate(m_inputs):
            sim = qv @ unit(m[:, :d]).T
            s[i, j] = (sim.max(axis=1).mean() + sim.max(axis=0).mean()) / 2
    return s


def embed(tower, inputs):
    return torch.stack([tower(torch.from_numpy(x)) for x in inputs])


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--data", required=True, help="folder written by the Evaluation export command")
    ap.add_argument("--out", default="zoo-manifests/alignment/know2vec-v1")
    ap.add_argument("--version", default="know2vec-v1")
    ap.add_argument("--epochs", type=int, default=100, help="most epochs tried per fold")
    ap.add_argument("--folds", type=int, default=5, help="cross-validation folds over meta-train tasks")
    ap.add_argument("--hinge-weight", type=float, default=1.0)
    ap.add_argument("--listwise-weight", type=float, default=1.0)
    ap.add_argument("--embedding", type=int, default=128, help="vector mode only")
    ap.add_argument("--hidden", type=int, default=128)
    ap.add_argument("--lr", type=float, default=3e-4)
    ap.add_argument("--weight-decay", type=float, default=1e-2)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--mode", choices=["vector", "set"], default="set",
                    help="vector: one pooled vector per side; set: class embeddings matched as sets")
    args = ap.parse_args()

    t0 = time.time()
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)

    index, models, queries, fit = load_export(args.data)
    d = index["featurizer"]["dimension"]
    train_split = [i for i, m in enumerate(models) if m["split"] == "meta-train"]
    if not train_split:
        raise SystemExit("the export holds no meta-train models: export with --split meta-train")
    # Only meta-train ever trains or selects; a meta-test part of an --split all export is ignored.
    tasks = sorted({models[i]["task"] for i in train_split})
    order = np.random.default_rng(SEED).permutation(len(tasks))
    folds = [{tasks[j] for j in order[f::args.folds]} for f in range(args.folds)]

    # 1. Cross-validation over meta-train tasks picks the number of epochs (a single small
    #    validation split was too noisy to choose by).
    curves = []
    for f, held_out in enumerate(folds):
        print(f"fold {f + 1}/{args.folds}: {len(held_out)} held-out meta-train tasks", flush=True)
        _, _, curve, zero_shot = train_run(args, d, models, queries, fit, set(tasks) - held_out, held_out, args.epochs)
        curves.append((curve, zero_shot))
    mean = {k: np.mean([[c[k] for c in curve] for curve, _ in curves], axis=0) for k in ("valTop1", "valRegret", "valWeightedTau")}
    zero = {k: float(np.mean([z[k] for _, z in curves])) for k in ("valTop1", "valRegret", "valWeightedTau")}
    best_epoch = int(np.argmax(mean["valTop1"] + mean["valWeightedTau"])) + 1
    cv = {k: round(float(v[best_epoch - 1]), 4) for k, v in mean.items()}
    print(f"cross-validation: best at epoch {best_epoch}: top1 {cv['valTop1']:.3f} regret {cv['valRegret']:.3f} "
          f"wtau {cv['valWeightedTau']:.3f}  (zero-shot: top1 {zero['valTop1']:.3f} regret {zero['valRegret']:.3f} "
          f"wtau {zero['valWeightedTau']:.3f})", flush=True)

    # 2. Train on all of meta-train for that many epochs and export.
    f_m, f_q, curve, _ = train_run(args, d, models, queries, fit, set(tasks), set(), best_epoch)
    f_m.eval(), f_q.eval()
    os.makedirs(args.out, exist_ok=True)
    cv_curve = [{"epoch": e + 1, **{k: round(float(v[e]), 4) for k, v in mean.items()}} for e in range(len(mean["valTop1"]))]
    export(f_m, f_q, d, args, curve, cv_curve, best_epoch, cv, {k: round(v, 4) for k, v in zero.items()}, time.time() - t0)
    print(f"wrote {args.out} in {time.time() - t0:.0f}s", flush=True)


def train_run(args, d, models, queries, fit, train_tasks, val_tasks, epochs):
    """Trains fresh towers on train_tasks for `epochs` epochs; validates on val_tasks every epoch."""
    torch.manual_seed(SEED)
    rng = np.random.default_rng(SEED)
    m_tr = [i for i, m in enumerate(models) if m["split"] == "meta-train" and m["task"] in train_tasks]
    m_va = [i for i, m in enumerate(models) if m["split"] == "meta-train" and m["task"] in val_tasks]
    q_tr = [i for i, q in enumerate(queries) if q["split"] == "meta-train" and q["task"] in train_tasks]
    q_va = [i for i, q in enumerate(queries) if q["split"] == "meta-train" and q["task"] in val_tasks]

    m_in = np.concatenate([models[i]["input"] for i in m_tr])
    q_in = np.concatenate([query_classes(queries[i]["features"], queries[i]["classIndex"]) for i in q_tr])
    if args.mode == "vector":
        f_m = Tower(3 * d, m_in.mean(0), m_in.std(0) + 1e-3, args.hidden, args.embedding, args.dropout)
        f_q = Tower(d, q_in.mean(0), q_in.std(0) + 1e-3, args.hidden, args.embedding, args.dropout)
    else:
        f_m = ClassTower(3 * d, m_in.mean(0), m_in.std(0) + 1e-3, args.hidden, d, args.dropout)
        f_q = ClassTower(d, q_in.mean(0), q_in.std(0) + 1e-3, args.hidden, d, args.dropout)

    def score_matrix(q_inputs, m_inputs):
        if args.mode == "vector":
            return scores(embed(f_q, q_inputs), embed(f_m, m_inputs))
        return set_scores([f_q(torch.from_numpy(x)) for x in q_inputs], [f_m(torch.from_numpy(x)) for x in m_inputs])

    opt = torch.optim.AdamW(list(f_m.parameters()) + list(f_q.parameters()), lr=args.lr, weight_decay=args.weight_decay)
    fit_tr = torch.from_numpy(fit[np.ix_(q_tr, m_tr)])
    fit_va = fit[np.ix_(q_va, m_va)]
    m_tr_inputs = [models[i]["input"] for i in m_tr]
    m_va_inputs = [models[i]["input"] for i in m_va]
    q_va_inputs = [query_classes(queries[i]["features"], queries[i]["classIndex"]) for i in q_va]

    def metrics(s):
        top1, regret = rank_metrics(s, fit_va)
        wtau = float(np.mean([weighted_tau(fit_va[i], s[i]) for i in range(len(s))]))
        return {"valTop1": top1, "valRegret": regret, "valWeightedTau": wtau}

    zero_shot = metrics(zero_shot_scores(q_va_inputs, m_va_inputs, d)) if q_va else {}
    curve = []
    for epoch in range(1, epochs + 1):
        f_m.train(), f_q.train()
        q_inputs = [query_classes(queries[i]["features"], queries[i]["classIndex"], rng) for i in q_tr]
        s = score_matrix(q_inputs, m_tr_inputs)
        l_h = hinge_loss(s, fit_tr)
        l_l = listwise_loss(s, fit_tr)
        loss = args.hinge_weight * l_h + args.listwise_weight * l_l
        opt.zero_grad()
        loss.backward()
        opt.step()
        point = {"epoch": epoch, "loss": round(float(loss), 5), "hinge": round(float(l_h), 5), "listwise": round(float(l_l), 5)}
        if q_va:
            f_m.eval(), f_q.eval()
            with torch.no_grad():
                point.update(metrics(score_matrix(q_va_inputs, m_va_inputs).numpy()))
        curve.append(point)
        if epoch % 10 == 0 or epoch == 1 or epoch == epochs:
            shown = "  ".join(f"{k} {v:.3f}" for k, v in point.items() if k != "epoch")
            print(f"  epoch {epoch:4d}  {shown}", flush=True)
    return f_m, f_q, curve, zero_shot


def export(f_m, f_q, d, args, curve, cv_curve, best_epoch, cv, zero_shot, seconds):
    for name, tower, width in (("model-tower.onnx", f_m, 3 * d), ("query-tower.onnx", f_q, d)):
        torch.onnx.export(tower, torch.zeros(3, width), os.path.join(args.out, name),
                          input_names=["classes"], output_names=["embedding"],
                          dynamic_axes={"classes": {0: "classes"}}, opset_version=13)
    # Parity: fixed inputs (seeded) of different class counts and the PyTorch outputs for them.
    g = np.random.default_rng(7)
    cases = []
    with torch.no_grad():
        for kind, tower, width, counts in (("model", f_m, 3 * d, (1, 3, 5)), ("query", f_q, d, (2, 4))):
            for c in counts:
                x = np.abs(g.normal(0.5, 0.5, size=(c, width))).astype(np.float32)
                cases.append({"tower": kind, "input": x.round(6).tolist()})
    # Inputs were rounded for the file: recompute outputs from the rounded values.
    with torch.no_grad():
        for case in cases:
            tower = f_m if case["tower"] == "model" else f_q
            case["output"] = tower(torch.tensor(case["input"], dtype=torch.float32)).numpy().reshape(-1).tolist()
    json.dump({"tolerance": 1e-4, "cases": cases}, open(os.path.join(args.out, "parity.json"), "w"))
    json.dump({
        "version": args.version,
        "featurizerDimension": d,
        "mode": args.mode,
        "embeddingDimension": args.embedding if args.mode == "vector" else d,
        "output": "vector: one unit vector [E] per model/query, score = cosine; set: one unit vector per "
                  "class [C, E], score = mean of (each query class's best model-class cosine) and (each "
                  "model class's best query-class cosine)",
        "modelInput": "per reached class: [node, mean boundary facing other reached classes, mean boundary "
                      "other reached classes face it], float [C, 3*D]",
        "queryInput": "per query class: mean feature of its samples, float [K, D]",
        "training": {"seed": SEED, "folds": args.folds, "maxEpochs": args.epochs, "epochs": best_epoch,
                     "hingeWeight": args.hinge_weight, "listwiseWeight": args.listwise_weight,
                     "lr": args.lr, "weightDecay": args.weight_decay, "hidden": args.hidden, "dropout": args.dropout,
                     "crossValidation": {"atEpochs": cv, "zeroShot": zero_shot, "curve": cv_curve},
                     "seconds": round(seconds), "lossCurve": curve},
    }, open(os.path.join(args.out, "alignment.json"), "w"), indent=1)


if __name__ == "__main__":
    sys.exit(main())
