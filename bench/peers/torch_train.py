"""PyTorch peer of `npm run bench -- train`: the same DNN / DeepFM trained on the same batches.

Started by bench/train.ts with Debian's interpreter (/usr/bin/python3, where `python3-torch` installs) and driven
over stdin/stdout, one JSON object per line, so that the benchmark can alternate timed rounds of ours and of this
peer in one run (noise from other processes then hits both sides alike):

  stdin   {"steps": K}          run K training steps
  stdout  {"seconds": s, "loss": l}

Before the first command it prints one line {"ready": true, "threads": T, "torch": version, ...} after building the
model and running the warm-up steps.

The data are raw little-endian files written by the benchmark: ids.i32 [rows, fields], values.f32 [rows, fields],
labels.f32 [rows]; batch b is rows [b * batch, (b + 1) * batch) modulo the number of whole batches — the order
ours walks them in.

Architecture: ctr_net.CtrNet (as sdk/models/dnn.ts and deepfm.ts), MLP hidden [400, 400, 400]. Loss: mean BCE on logits. Optimizer:
Adam lr 1e-3, betas (0.9, 0.999), eps 1e-7 (ours' defaults). `--embedding sparse`: nn.Embedding(sparse=True) with
SparseAdam (lazy updates of the touched rows, like ours) and Adam for the dense part; `--embedding dense`: plain
embeddings and one Adam over everything (what most PyTorch CTR code does).
"""

import argparse
import json
import sys
import time

import torch
from torch import nn

from ctr_net import CtrNet, read_raw


def parse_args():
    p = argparse.ArgumentParser()
    p.add_argument("--data", required=True, help="directory with ids.i32, values.f32, labels.f32")
    p.add_argument("--rows", type=int, required=True)
    p.add_argument("--fields", type=int, required=True)
    p.add_argument("--total-rows", type=int, required=True)
    p.add_argument("--dim", type=int, default=16)
    p.add_argument("--hidden", default="400,400,400")
    p.add_argument("--batch", type=int, default=1024)
    p.add_argument("--model", choices=["DNN", "DeepFM"], default="DNN")
    p.add_argument("--embedding", choices=["sparse", "dense"], default="sparse")
    p.add_argument("--threads", default="1", help="a number, or 'default' to keep torch's own setting")
    p.add_argument("--warmup", type=int, default=5)
    p.add_argument("--lr", type=float, default=1e-3)
    p.add_argument("--seed", type=int, default=1)
    return p.parse_args()


def main():
    args = parse_args()
    if args.threads != "default":
        torch.set_num_threads(int(args.threads))
    torch.manual_seed(args.seed)
    rows, fields = args.rows, args.fields
    ids = read_raw(f"{args.data}/ids.i32", torch.int32, rows * fields).view(rows, fields).long()
    values = read_raw(f"{args.data}/values.f32", torch.float32, rows * fields).view(rows, fields)
    labels = read_raw(f"{args.data}/labels.f32", torch.float32, rows)
    hidden = [int(h) for h in args.hidden.split(",") if h]
    sparse = args.embedding == "sparse"
    net = CtrNet(args.model, args.total_rows, fields, args.dim, hidden, sparse)
    adam = dict(lr=args.lr, betas=(0.9, 0.999), eps=1e-7)
    tables = [t.weight for t in net.tables()]
    if sparse:
        table_ids = {id(p) for p in tables}
        dense_params = [p for p in net.parameters() if id(p) not in table_ids]
        optimizers = [torch.optim.SparseAdam(tables, **adam), torch.optim.Adam(dense_params, **adam)]
    else:
        optimizers = [torch.optim.Adam(net.parameters(), **adam)]
    loss_fn = nn.BCEWithLogitsLoss()
    batches = rows // args.batch
    step = 0

    def train(k):
        nonlocal step
        loss = None
        for _ in range(k):
            lo = (step % batches) * args.batch
            hi = lo + args.batch
            step += 1
            for o in optimizers:
                o.zero_grad(set_to_none=True)
            loss = loss_fn(net(ids[lo:hi], values[lo:hi]), labels[lo:hi])
            loss.backward()
            for o in optimizers:
                o.step()
        return float(loss) if loss is not None else float("nan")

    train(args.warmup)
    print(json.dumps({"ready": True, "threads": torch.get_num_threads(), "torch": torch.__version__, "blas": blas_name()}), flush=True)
    for line in sys.stdin:
        line = line.strip()
        if not line:
            continue
        command = json.loads(line)
        if "steps" not in command:
            break
        t0 = time.perf_counter()
        loss = train(int(command["steps"]))
        print(json.dumps({"seconds": time.perf_counter() - t0, "loss": loss}), flush=True)


def blas_name():
    """The BLAS library the process has mapped (Debian's torch links libblas.so.3, an alternatives link)."""
    try:
        with open("/proc/self/maps") as f:
            libs = {line.split()[-1] for line in f if "blas" in line.lower() and "/" in line}
        return ",".join(sorted(libs)) or "unknown"
    except OSError:
        return "unknown"


if __name__ == "__main__":
    main()
