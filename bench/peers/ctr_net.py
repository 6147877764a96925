"""The PyTorch models of the benchmark peers (torch_train.py, torch_accuracy.py), written as sdk/models writes them.

Every model gathers its rows from one [total_rows, dim] embedding of all fields (and, with a first-order part, a
[total_rows, 1] table), each row multiplied by its value:
- LR:     sum_f w[x_f] v_f + b
- FM:     LR + 1/2 sum_k [(sum_f e_fk)^2 - sum_f e_fk^2]                     (sdk/layers/fm.ts)
- DNN:    MLP(concat_f e_f): Linear -> ReLU -> Dropout per hidden layer, a linear output (sdk/layers/mlp.ts)
- DeepFM: LR + FM term + DNN, over the same embeddings                       (sdk/models/deepfm.ts)

Initialisation as ours: embeddings N(0, init_std^2), kernels Glorot (Xavier) uniform, biases zero. `load_ours`
replaces them with the weights of one of our models (raw float32 files, see torch_accuracy.py).
"""

import torch
from torch import nn

MODELS = ("LR", "FM", "DNN", "DeepFM")


def read_raw(path, dtype, count):
    """A raw little-endian file of `count` values of `dtype` as a 1-D tensor."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    t = torch.frombuffer(data, dtype=dtype) if data else torch.zeros(0, dtype=dtype)
    assert t.numel() == count, f"{path}: expected {count} values, got {t.numel()}"
    return t


class CtrNet(nn.Module):
    def __init__(self, model, total_rows, fields, dim, hidden, sparse=False, dropout=0.0, init_std=1e-4):
        super().__init__()
        assert model in MODELS, f"CtrNet: unknown model {model!r}; known: {', '.join(MODELS)}"
        self.model = model
        self.has_embedding = model != "LR"
        self.has_linear = model in ("LR", "FM", "DeepFM")
        self.has_mlp = model in ("DNN", "DeepFM")
        self.has_fm = model in ("FM", "DeepFM")
        self.dropout = dropout
        if self.has_embedding:
            self.embedding = nn.Embedding(total_rows, dim, sparse=sparse)
            nn.init.normal_(self.embedding.weight, std=init_std)
        if self.has_linear:
            self.linear = nn.Embedding(total_rows, 1, sparse=sparse)
            nn.init.normal_(self.linear.weight, std=init_std)
            self.bias = nn.Parameter(torch.zeros(1))
        if self.has_mlp:
            widths = [fields * dim] + list(hidden)
            self.hidden = nn.ModuleList(nn.Linear(a, b) for a, b in zip(widths, widths[1:]))
            self.output = nn.Linear(widths[-1], 1)
            for layer in [*self.hidden, self.output]:
                nn.init.xavier_uniform_(layer.weight)
                nn.init.zeros_(layer.bias)

    def tables(self):
        """The embedding tables in our order (sdk/models: the feature embedding first, then the first-order one)."""
        return ([self.embedding] if self.has_embedding else []) + ([self.linear] if self.has_linear else [])

    def forward(self, ids, values):
        v = values.unsqueeze(-1)
        return self.forward_gathered([t(ids) * v for t in self.tables()])

    def forward_gathered(self, gathered):
        """The logit from each table's rows times their values, [B, F, dim] per table in `tables()` order."""
        rest = list(gathered)
        e = rest.pop(0) if self.has_embedding else None
        w = rest.pop(0) if self.has_linear else None
        logit = 0
        if self.has_linear:
            logit = logit + w.sum(dim=(1, 2)) + self.bias
        if self.has_fm:
            logit = logit + 0.5 * (e.sum(1).square() - e.square().sum(1)).sum(1)
        if self.has_mlp:
            h = e.flatten(1)
            for layer in self.hidden:
                h = torch.relu(layer(h))
                if self.dropout > 0:
                    h = nn.functional.dropout(h, self.dropout, self.training)
            logit = logit + self.output(h).squeeze(-1)
        return logit

    def load_ours(self, tables, dense):
        """Our weights: `tables` {name: [rows, dim]}, `dense` {name: tensor} as sdk/layers names them (kernels [in, out])."""
        with torch.no_grad():
            if self.has_embedding:
                self.embedding.weight.copy_(tables.pop("embedding"))
            if self.has_linear:
                self.linear.weight.copy_(tables.pop("linear"))
                self.bias.copy_(dense.pop("linear/bias"))
            if self.has_mlp:
                named = [(f"mlp/dense_{i}", layer) for i, layer in enumerate(self.hidden)] + [("mlp/output", self.output)]
                for name, layer in named:
                    layer.weight.copy_(dense.pop(f"{name}/kernel").T)
                    layer.bias.copy_(dense.pop(f"{name}/bias"))
        left = list(tables) + list(dense)
        assert not left, f"load_ours: weights of ours that the {self.model} peer has no place for: {', '.join(left)}"
