"""The PyTorch models of the benchmark peers (torch_train.py, torch_accuracy.py), written as sdk/models writes them.

Every model gathers its rows from one [total_rows, dim] embedding of all fields (and, with a first-order part, a
[total_rows, 1] table), each row multiplied by its value; x0 = concat_f e_f is the flat input of width d = F dim:
- LR:     sum_f w[x_f] v_f + b
- FM:     LR + 1/2 sum_k [(sum_f e_fk)^2 - sum_f e_fk^2]                     (sdk/layers/fm.ts)
- DNN:    MLP(x0): Linear -> ReLU -> Dropout per hidden layer, a linear output (sdk/layers/mlp.ts)
- DeepFM: LR + FM term + DNN, over the same embeddings                       (sdk/models/deepfm.ts)
- DCN:    fc([CrossNet(x0), MLP(x0)]), the MLP without its output layer; with no hidden units fc(CrossNet(x0))
          alone. Cross layer x_{l+1} = x0 (x_l . w_l) + b_l + x_l, w_l, b_l in R^d  (sdk/models/dcn.ts,
          sdk/layers/cross-network.ts)
- DCNv2:  the full-rank cross layer x_{l+1} = x0 * (W_l x_l + b_l) + x_l, W_l in R^{d x d}; `structure`
          "parallel" fc([CrossNetV2(x0), MLP(x0)]), "stacked" fc(MLP(CrossNetV2(x0))), "crossnet_only"
          fc(CrossNetV2(x0))                                                 (sdk/models/dcn-v2.ts,
          sdk/layers/cross-network-v2.ts)

Our DCN and DCNv2 against FuxiCTR's (model_zoo/DCN, model_zoo/DCNv2, layers/interactions/cross_net.py): the same
cross layers, concatenation order [cross, MLP] and single linear `fc`, but
- DCNv2 has one `hidden` list for its MLP (FuxiCTR: `stacked_dnn_hidden_units` and `parallel_dnn_hidden_units`),
  no "stacked_parallel" structure and no low-rank mixture of experts (FuxiCTR's `use_low_rank_mixture`,
  CrossNetMix); "parallel" and "stacked" need at least one hidden layer;
- kernels start Glorot uniform, FuxiCTR's Xavier normal (the same variance, fan_in + fan_out; for DCN's cross
  vector fan_in d, fan_out 1 either way);
- no batch norm here (ours has `batchNorm`, off by default; bench/accuracy.ts refuses it).

Initialisation as ours: embeddings N(0, init_std^2), kernels Glorot (Xavier) uniform, biases zero. `load_ours`
replaces them with the weights of one of our models (raw float32 files, see torch_accuracy.py).
"""

import torch
from torch import nn

MODELS = ("LR", "FM", "DNN", "DeepFM", "DCN", "DCNv2")
STRUCTURES = ("parallel", "stacked", "crossnet_only")


def read_raw(path, dtype, count):
    """A raw little-endian file of `count` values of `dtype` as a 1-D tensor."""
    with open(path, "rb") as f:
        data = bytearray(f.read())
    t = torch.frombuffer(data, dtype=dtype) if data else torch.zeros(0, dtype=dtype)
    assert t.numel() == count, f"{path}: expected {count} values, got {t.numel()}"
    return t


def glorot_linear(a, b, bias=True):
    """nn.Linear(a, b) as sdk/layers/dense.ts starts it: Glorot uniform kernel, zero bias (torch's default differs)."""
    layer = nn.Linear(a, b, bias=bias)
    nn.init.xavier_uniform_(layer.weight)
    if bias:
        nn.init.zeros_(layer.bias)
    return layer


def load_linear(layer, dense, name):
    """Our Dense `name` (kernel [in, out], bias [out]) into `layer` (weight [out, in])."""
    layer.weight.copy_(dense.pop(f"{name}/kernel").T)
    if layer.bias is not None:
        layer.bias.copy_(dense.pop(f"{name}/bias"))


class Mlp(nn.Module):
    """Linear -> ReLU -> Dropout per hidden layer, no output layer (sdk/layers/mlp.ts without batch norm)."""

    def __init__(self, in_dim, hidden, dropout):
        super().__init__()
        widths = [in_dim] + list(hidden)
        self.layers = nn.ModuleList(glorot_linear(a, b) for a, b in zip(widths, widths[1:]))
        self.dropout = dropout
        self.out_dim = widths[-1]

    def forward(self, h):
        for layer in self.layers:
            h = torch.relu(layer(h))
            if self.dropout > 0:
                h = nn.functional.dropout(h, self.dropout, self.training)
        return h

    def load_ours(self, dense, name):
        for i, layer in enumerate(self.layers):
            load_linear(layer, dense, f"{name}/dense_{i}")


class CrossNet(nn.Module):
    """DCN's cross network: x_{l+1} = x0 (x_l . w_l) + b_l + x_l (sdk/layers/cross-network.ts)."""

    def __init__(self, dim, num_layers):
        super().__init__()
        self.kernels = nn.ModuleList(glorot_linear(dim, 1, bias=False) for _ in range(num_layers))
        self.biases = nn.ParameterList(nn.Parameter(torch.zeros(dim)) for _ in range(num_layers))

    def forward(self, x0):
        x = x0
        for w, b in zip(self.kernels, self.biases):
            x = x0 * w(x) + b + x
        return x

    def load_ours(self, dense, name):
        for i, (w, b) in enumerate(zip(self.kernels, self.biases)):
            w.weight.copy_(dense.pop(f"{name}/layer_{i}/kernel").T)
            b.copy_(dense.pop(f"{name}/layer_{i}/bias"))


class CrossNetV2(nn.Module):
    """DCN-V2's full-rank cross network: x_{l+1} = x0 * (W_l x_l + b_l) + x_l (sdk/layers/cross-network-v2.ts)."""

    def __init__(self, dim, num_layers):
        super().__init__()
        self.layers = nn.ModuleList(glorot_linear(dim, dim) for _ in range(num_layers))

    def forward(self, x0):
        x = x0
        for layer in self.layers:
            x = x0 * layer(x) + x
        return x

    def load_ours(self, dense, name):
        for i, layer in enumerate(self.layers):
            load_linear(layer, dense, f"{name}/layer_{i}")


class CtrNet(nn.Module):
    def __init__(self, model, total_rows, fields, dim, hidden, sparse=False, dropout=0.0, init_std=1e-4, cross_layers=3, structure="parallel"):
        super().__init__()
        assert model in MODELS, f"CtrNet: unknown model {model!r}; known: {', '.join(MODELS)}"
        assert structure in STRUCTURES, f"CtrNet: unknown structure {structure!r}; known: {', '.join(STRUCTURES)}"
        self.model = model
        self.has_embedding = model != "LR"
        self.has_linear = model in ("LR", "FM", "DeepFM")
        self.has_fm = model in ("FM", "DeepFM")
        in_dim = fields * dim
        if model == "DCN":
            assert structure == "parallel", f"CtrNet: DCN is parallel only, got structure {structure!r}"
            structure = "parallel" if hidden else "crossnet_only"
        if model == "DCNv2":
            assert hidden or structure == "crossnet_only", f"CtrNet: DCNv2 {structure!r} needs at least one hidden layer"
        self.structure = structure if model in ("DCN", "DCNv2") else None
        if self.has_embedding:
            self.embedding = nn.Embedding(total_rows, dim, sparse=sparse)
            nn.init.normal_(self.embedding.weight, std=init_std)
        if self.has_linear:
            self.linear = nn.Embedding(total_rows, 1, sparse=sparse)
            nn.init.normal_(self.linear.weight, std=init_std)
            self.bias = nn.Parameter(torch.zeros(1))
        self.cross = CrossNet(in_dim, cross_layers) if model == "DCN" else CrossNetV2(in_dim, cross_layers) if model == "DCNv2" else None
        self.mlp = Mlp(in_dim, hidden, dropout) if model in ("DNN", "DeepFM") or self.structure in ("parallel", "stacked") else None
        # The logit layer: the MLP's output (ours `mlp/output`), or DCN's `fc` over what the structure gives it.
        if self.structure is None:
            self.output = glorot_linear(self.mlp.out_dim, 1) if self.mlp is not None else None
        else:
            final_dim = {"parallel": in_dim + (self.mlp.out_dim if self.mlp else 0), "stacked": self.mlp.out_dim if self.mlp else 0, "crossnet_only": in_dim}
            self.output = glorot_linear(final_dim[self.structure], 1)

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
        if self.structure is not None:
            x0 = e.flatten(1)
            final = self.cross(x0)
            if self.structure == "stacked":
                final = self.mlp(final)
            elif self.structure == "parallel":
                final = torch.cat([final, self.mlp(x0)], 1)
            logit = logit + self.output(final).squeeze(-1)
        elif self.mlp is not None:
            logit = logit + self.output(self.mlp(e.flatten(1))).squeeze(-1)
        return logit

    def load_ours(self, tables, dense):
        """Our weights: `tables` {name: [rows, dim]}, `dense` {name: tensor} as sdk/layers names them (kernels [in, out])."""
        with torch.no_grad():
            if self.has_embedding:
                self.embedding.weight.copy_(tables.pop("embedding"))
            if self.has_linear:
                self.linear.weight.copy_(tables.pop("linear"))
                self.bias.copy_(dense.pop("linear/bias"))
            if self.cross is not None:
                self.cross.load_ours(dense, "crossnet")
            if self.mlp is not None:
                self.mlp.load_ours(dense, "mlp")
            if self.output is not None:
                load_linear(self.output, dense, "mlp/output" if self.structure is None else "fc")
        left = list(tables) + list(dense)
        assert not left, f"load_ours: weights of ours that the {self.model} peer has no place for: {', '.join(left)}"
