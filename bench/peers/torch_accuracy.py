"""PyTorch peer of `npm run bench -- accuracy`: one model trained on our encoded split, scored on our test rows.

Run by bench/accuracy.ts with Debian's interpreter (/usr/bin/python3, where `python3-torch` installs). Everything
it reads was written by the benchmark into one folder (bench/accuracy-handoff.ts):

  meta.json                       {"fields": F, "totalRows": R, "rows": {"train": n, "valid": n, "test": n}}
  {split}.ids.i32                 [n, F] embedding rows (little-endian int32), split in train, valid, test
  {split}.values.f32              [n, F] the value each row is multiplied by
  {split}.labels.f32              [n] 0/1
  init.json + init/*.f32          (--init ours) our model's initial weights: {"tables": {name: [rows, dim]},
                                  "dense": {name: shape}}, one raw float32 file per weight
  order.i32                       (--order ours) [epochs, n_train] our batch order: epoch e trains rows
                                  order[e, 0:batch], order[e, batch:2 batch], ...

It prints one JSON line {"history": [...], "bestEpoch", "stoppedEarly", "seconds", ...} and writes the test
logits of the restored best epoch to --out (raw float32): the benchmark scores them with our own metric code.

Training, as sdk/train (fit.ts, step.ts, train-teacher.ts) does it:
- mean BCE on logits; the global gradient norm (dense parameters and the gathered embedding rows) clipped at 10;
- Adam in PyTorch's form (torch.optim.Adam: eps 1e-8 added to the bias-corrected sqrt(v)) on dense parameters;
- `--embedding-update lazy` (ours): each embedding row that a batch touches is updated by Adam with its own step
  count for the bias correction, with lambda * w (L2 1e-5) added to its gradient; untouched rows do not move;
  `--embedding-update dense` (FuxiCTR's form): the tables are ordinary parameters of the same torch.optim.Adam,
  lambda/2 * ||W||^2 of the whole tables is added to the loss and torch's clip_grad_norm_ clips every gradient;
- after every epoch the validation monitor AUC - logloss; an improvement must exceed 1e-4; otherwise the learning
  rate is multiplied by 0.1 (floor 1e-6), and after `patience` such epochs training stops; the best epoch's
  weights are restored.

`--check`: prints what it read of the hand-off (every id, value and label, as JSON) and exits; `--epochs 0`
scores the initial weights (the model-formula test).
"""

import argparse
import copy
import json
import math
import os
import sys
import time

import torch
from torch import nn

from ctr_net import MODELS, STRUCTURES, CtrNet, read_raw

SPLITS = ("train", "valid", "test")


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="the hand-off folder written by bench/accuracy-handoff.ts")
    p.add_argument("--check", action="store_true", help="print the hand-off as read and exit")
    p.add_argument("--model", choices=MODELS, default="DNN")
    p.add_argument("--dim", type=int, default=10)
    p.add_argument("--hidden", default="400,400,400")
    p.add_argument("--dropout", type=float, default=0.0)
    p.add_argument("--cross-layers", type=int, default=3, help="DCN, DCNv2")
    p.add_argument("--structure", choices=STRUCTURES, default="parallel", help="DCNv2 (DCN is parallel)")
    p.add_argument("--init-std", type=float, default=1e-4)
    p.add_argument("--l2", type=float, default=1e-5, help="embedding regulariser")
    p.add_argument("--batch", type=int, default=512)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--eps", type=float, default=1e-8)
    p.add_argument("--epochs", type=int, default=30)
    p.add_argument("--patience", type=int, default=2)
    p.add_argument("--min-delta", type=float, default=1e-4)
    p.add_argument("--lr-decay", type=float, default=0.1)
    p.add_argument("--min-lr", type=float, default=1e-6)
    p.add_argument("--clip-norm", type=float, default=10.0)
    p.add_argument("--embedding-update", choices=["lazy", "dense"], default="lazy")
    p.add_argument("--init", choices=["ours", "own"], default="ours", help="start from init.json, or draw torch's own")
    p.add_argument("--order", choices=["ours", "own"], default="ours", help="batches in order.i32, or torch.randperm")
    p.add_argument("--seed", type=int, default=2020)
    p.add_argument("--threads", type=int, default=1)
    p.add_argument("--out", help="file for the test logits (raw float32)")
    return p.parse_args()


def read_handoff(folder):
    with open(os.path.join(folder, "meta.json")) as f:
        meta = json.load(f)
    fields = meta["fields"]
    splits = {}
    for s in SPLITS:
        n = meta["rows"][s]
        splits[s] = {
            "ids": read_raw(os.path.join(folder, f"{s}.ids.i32"), torch.int32, n * fields).view(n, fields).long(),
            "values": read_raw(os.path.join(folder, f"{s}.values.f32"), torch.float32, n * fields).view(n, fields),
            "labels": read_raw(os.path.join(folder, f"{s}.labels.f32"), torch.float32, n),
        }
    return meta, splits


def read_init(folder):
    with open(os.path.join(folder, "init.json")) as f:
        spec = json.load(f)

    def load(kind, name, shape):
        count = math.prod(shape)
        return read_raw(os.path.join(folder, "init", f"{kind}-{name.replace('/', '_')}.f32"), torch.float32, count).view(*shape)

    tables = {name: load("table", name, shape) for name, shape in spec["tables"].items()}
    dense = {name: load("dense", name, shape) for name, shape in spec["dense"].items()}
    return tables, dense


def auc(labels, scores):
    """Exact AUC, ties counted one half (as sdk/metrics/auc.ts): the Mann-Whitney statistic over mid-ranks."""
    order = torch.argsort(scores, stable=True)
    s = scores[order].double()
    y = labels[order].double()
    n = s.numel()
    # Mid-ranks of tie groups (1-based).
    _, counts = torch.unique_consecutive(s, return_counts=True)
    ends = torch.cumsum(counts, 0)
    starts = ends - counts
    mid = (starts + ends + 1).double() / 2
    ranks = torch.repeat_interleave(mid, counts)
    pos = y.sum()
    neg = n - pos
    return float(((ranks * y).sum() - pos * (pos + 1) / 2) / (pos * neg))


def logloss(labels, logits):
    """Mean BCE of sigmoid(logits) in float32, clipped to [1e-7, 1 - 1e-7] (as sdk/metrics/logloss.ts)."""
    p = torch.sigmoid(logits.float()).double().clamp(1e-7, 1 - 1e-7)
    y = labels.double()
    return float(-(y * p.log() + (1 - y) * (1 - p).log()).mean())


class LazyAdamTable:
    """Ours' sparse update of one table (sdk/layers/embedding-table.ts): Adam on touched rows, per-row step counts."""

    def __init__(self, weight, l2, betas, eps):
        self.w = weight  # a plain tensor, updated in place
        self.m = torch.zeros_like(weight)
        self.v = torch.zeros_like(weight)
        self.steps = torch.zeros(weight.shape[0], dtype=torch.int64)
        self.l2 = l2
        self.beta1, self.beta2 = betas
        self.eps = eps

    def apply(self, ids, values, grad, lr, scale):
        """`grad`: the gradient w.r.t. the gathered rows times values, [B, F, dim]; `scale`: the clipping factor."""
        dim = self.w.shape[1]
        flat_ids = ids.reshape(-1)
        g_rows = (grad * values.unsqueeze(-1) * scale).reshape(-1, dim)
        rows, inverse = torch.unique(flat_ids, return_inverse=True)
        g = torch.zeros(rows.numel(), dim).index_add_(0, inverse, g_rows)
        w = self.w[rows]
        g = g + self.l2 * w
        self.steps[rows] += 1
        t = self.steps[rows].double()
        step_size = (lr / (1 - self.beta1 ** t)).float().unsqueeze(-1)
        sqrt_v_scale = (1 / torch.sqrt(1 - self.beta2 ** t)).float().unsqueeze(-1)
        m = self.m[rows].mul_(self.beta1).add_(g, alpha=1 - self.beta1)
        v = self.v[rows].mul_(self.beta2).addcmul_(g, g, value=1 - self.beta2)
        self.m[rows] = m
        self.v[rows] = v
        self.w[rows] = w - step_size * m / (v.sqrt() * sqrt_v_scale + self.eps)


def predict(net, split, batch=4096):
    net.eval()
    out = []
    with torch.no_grad():
        for lo in range(0, split["labels"].numel(), batch):
            out.append(net(split["ids"][lo : lo + batch], split["values"][lo : lo + batch]))
    net.train()
    return torch.cat(out) if out else torch.zeros(0)


def main():
    args = parse_args()
    meta, splits = read_handoff(args.data)
    if args.check:
        print(json.dumps({s: {k: t.tolist() for k, t in d.items()} for s, d in splits.items()}))
        return
    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    hidden = [int(h) for h in args.hidden.split(",") if h]
    net = CtrNet(args.model, meta["totalRows"], meta["fields"], args.dim, hidden, dropout=args.dropout, init_std=args.init_std, cross_layers=args.cross_layers, structure=args.structure)
    if args.init == "ours":
        net.load_ours(*read_init(args.data))
    train, valid, test = splits["train"], splits["valid"], splits["test"]
    n = train["labels"].numel()
    order = None
    if args.order == "ours" and args.epochs > 0:
        epochs_written = os.path.getsize(os.path.join(args.data, "order.i32")) // (4 * n)
        assert epochs_written >= args.epochs, f"order.i32 holds {epochs_written} epochs, {args.epochs} asked"
        order = read_raw(os.path.join(args.data, "order.i32"), torch.int32, epochs_written * n).view(epochs_written, n).long()

    betas = (0.9, 0.999)
    lazy = args.embedding_update == "lazy"
    table_modules = net.tables()
    table_ids = {id(t.weight) for t in table_modules}
    dense_params = [p for p in net.parameters() if id(p) not in table_ids]
    if lazy:
        for t in table_modules:
            t.weight.requires_grad_(False)
        tables = [LazyAdamTable(t.weight.data, args.l2, betas, args.eps) for t in table_modules]
        adam = torch.optim.Adam(dense_params, lr=args.lr, betas=betas, eps=args.eps)
    else:
        adam = torch.optim.Adam(list(net.parameters()), lr=args.lr, betas=betas, eps=args.eps)
    loss_fn = nn.BCEWithLogitsLoss()
    lr = args.lr

    def train_epoch(epoch):
        perm = order[epoch - 1] if order is not None else torch.randperm(n)
        total, count = 0.0, 0
        for lo in range(0, n, args.batch):
            idx = perm[lo : lo + args.batch]
            ids, values, labels = train["ids"][idx], train["values"][idx], train["labels"][idx]
            if lazy:
                v = values.unsqueeze(-1)
                leaves = [(t.weight[ids] * v).requires_grad_(True) for t in table_modules]
                loss = loss_fn(net.forward_gathered(leaves), labels)
                grads = torch.autograd.grad(loss, dense_params + leaves)
                norm = math.sqrt(sum(float(g.double().square().sum()) for g in grads))
                scale = args.clip_norm / norm if args.clip_norm > 0 and norm > args.clip_norm else 1.0
                for p, g in zip(dense_params, grads):
                    p.grad = g * scale if scale != 1.0 else g
                adam.step()
                for table, g in zip(tables, grads[len(dense_params) :]):
                    table.apply(ids, values, g, lr, scale)
            else:
                adam.zero_grad(set_to_none=True)
                loss = loss_fn(net(ids, values), labels)
                reg = sum(t.weight.square().sum() for t in table_modules) * (args.l2 / 2)
                (loss + reg).backward()
                if args.clip_norm > 0:
                    nn.utils.clip_grad_norm_(net.parameters(), args.clip_norm)
                adam.step()
            total += float(loss) * idx.numel()
            count += idx.numel()
        return total / max(1, count)

    history = []
    best, best_score, best_epoch, since_best, stopped_early = None, -math.inf, 0, 0, False
    started = time.perf_counter()
    for epoch in range(1, args.epochs + 1):
        t0 = time.perf_counter()
        train_loss = train_epoch(epoch)
        logits = predict(net, valid)
        m = {"auc": auc(valid["labels"], logits), "logloss": logloss(valid["labels"], logits)}
        score = m["auc"] - m["logloss"]
        history.append({"epoch": epoch, "trainLoss": train_loss, "learningRate": lr, "seconds": time.perf_counter() - t0, **m})
        print(f"  torch {args.model} epoch {epoch}/{args.epochs}: train loss {train_loss:.5f}, valid auc {m['auc']:.5f}, logloss {m['logloss']:.5f}", file=sys.stderr, flush=True)
        if score > best_score + args.min_delta:
            best_score, best_epoch, since_best = score, epoch, 0
            best = copy.deepcopy(net.state_dict())
            continue
        since_best += 1
        if since_best >= args.patience:
            stopped_early = True
            break
        lr = max(args.min_lr, lr * args.lr_decay)
        for group in adam.param_groups:
            group["lr"] = lr
    if best is not None:
        net.load_state_dict(best)
    test_logits = predict(net, test)
    if args.out:
        with open(args.out, "wb") as f:
            f.write(test_logits.float().numpy().tobytes())
    print(json.dumps({"history": history, "bestEpoch": best_epoch, "bestScore": best_score if best is not None else None, "stoppedEarly": stopped_early, "seconds": time.perf_counter() - started, "threads": torch.get_num_threads(), "torch": torch.__version__}), flush=True)


if __name__ == "__main__":
    main()
