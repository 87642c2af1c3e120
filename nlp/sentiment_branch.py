"""The sentiment branch of the shared MiniLM (torch): fine-tuned upper layers plus a head.

The base all-MiniLM-L6-v2 runs its lower ``k`` layers once; from there the embedding path goes
on through the frozen base layers ``k..5`` while the sentiment path goes through fine-tuned
copies of those layers and a small head. Only the branch (layers + head) is stored, in fp16.

Layers are run by :func:`layer_forward`, written against the stable BERT sub-module names
(``attention.self.query`` ...) with ``scaled_dot_product_attention``, so the same code works
across transformers versions and matches sentence-transformers within float noise.

The head classifies *spans*: a span is a weighted set of token positions of one row. The whole
text is the span of all its content tokens (no [CLS]/[SEP]); a clause is the span of its tokens,
pooled in context from the same forward pass, so scoring clauses costs no extra pass.
"""

from __future__ import annotations

import json
import logging
from pathlib import Path
from typing import Any

import torch
import torch.nn.functional as F
from torch import nn

from nlp.loading import quiet_model_load

logger = logging.getLogger(__name__)

LABELS = ("negative", "neutral", "positive")
WEIGHTS_FILE = "branch.safetensors"
CONFIG_FILE = "config.json"


def load_base(base_dir: str | Path) -> tuple[Any, Any]:
    """Load the tokenizer and the base BertModel (fp32, eval mode) from a model directory."""
    from transformers import AutoTokenizer, BertModel

    with quiet_model_load():
        tokenizer = AutoTokenizer.from_pretrained(str(base_dir))
        model: Any = BertModel.from_pretrained(str(base_dir), add_pooling_layer=False)
    model = model.float().eval()
    for param in model.parameters():
        param.requires_grad_(False)
    return tokenizer, model


def layer_forward(
    layer: nn.Module, hidden: torch.Tensor, key_mask: torch.Tensor, dropout: float = 0.0
) -> torch.Tensor:
    """Run one BERT layer; ``key_mask`` is a bool (batch, seq) mask of real tokens."""
    batch, seq, dim = hidden.shape
    attn: Any = layer.attention
    heads = attn.self.num_attention_heads
    head_dim = dim // heads

    def split(x: torch.Tensor) -> torch.Tensor:
        return x.view(batch, seq, heads, head_dim).transpose(1, 2)

    q = split(attn.self.query(hidden))
    k = split(attn.self.key(hidden))
    v = split(attn.self.value(hidden))
    context = F.scaled_dot_product_attention(
        q, k, v, attn_mask=key_mask[:, None, None, :], dropout_p=dropout
    )
    context = context.transpose(1, 2).reshape(batch, seq, dim)
    attended = attn.output(context, hidden)
    out: torch.Tensor = layer.output(layer.intermediate(attended), attended)  # type: ignore[operator]
    return out


def run_layers(
    layers: Any, hidden: torch.Tensor, key_mask: torch.Tensor, dropout: float = 0.0
) -> torch.Tensor:
    """Run a sequence of BERT layers."""
    for layer in layers:
        hidden = layer_forward(layer, hidden, key_mask, dropout)
    return hidden


def embed_tokens(base: Any, input_ids: torch.Tensor) -> torch.Tensor:
    """Return the base model's embedding-layer output."""
    out: torch.Tensor = base.embeddings(
        input_ids=input_ids, token_type_ids=torch.zeros_like(input_ids)
    )
    return out


def pool_spans(
    hidden: torch.Tensor, span_rows: torch.Tensor, span_masks: torch.Tensor
) -> torch.Tensor:
    """Mean-pool ``hidden[span_rows]`` over each span's (span, seq) 0/1 float mask."""
    weights = span_masks.to(hidden.dtype)
    summed = torch.einsum("pt,ptd->pd", weights, hidden[span_rows])
    return summed / weights.sum(dim=1, keepdim=True).clamp(min=1.0)


def _prune_ffn(state: dict[str, torch.Tensor], keep: int) -> dict[str, torch.Tensor]:
    """Keep the ``keep`` feed-forward neurons of a BERT layer state with the largest norms."""
    w_in, w_out = state["intermediate.dense.weight"], state["output.dense.weight"]
    if keep >= w_in.shape[0]:
        return state
    importance = w_in.norm(dim=1) * w_out.norm(dim=0)
    kept = torch.sort(torch.topk(importance, keep).indices).values
    pruned = dict(state)
    pruned["intermediate.dense.weight"] = w_in[kept].clone()
    pruned["intermediate.dense.bias"] = state["intermediate.dense.bias"][kept].clone()
    pruned["output.dense.weight"] = w_out[:, kept].clone()
    return pruned


class SentimentBranch(nn.Module):
    """Fine-tuned copies of the base's upper layers plus a span-classification head."""

    def __init__(
        self,
        bert_config: Any,
        n_layers: int,
        dropout: float = 0.1,
        intermediate_size: int | None = None,
    ) -> None:
        super().__init__()
        import copy

        from transformers.models.bert import modeling_bert

        layer_cls: Any = modeling_bert.BertLayer
        dim = int(bert_config.hidden_size)
        config = copy.deepcopy(bert_config)
        if intermediate_size is not None:
            config.intermediate_size = int(intermediate_size)
        self.intermediate_size = int(config.intermediate_size)
        self.layers = nn.ModuleList([layer_cls(config) for _ in range(n_layers)])
        self.dropout = dropout
        self.head = nn.Sequential(
            nn.Dropout(dropout),
            nn.Linear(dim, dim),
            nn.GELU(),
            nn.Dropout(dropout),
            nn.Linear(dim, len(LABELS)),
        )

    @classmethod
    def from_base(
        cls, base: Any, branch_layer: int, intermediate_size: int | None = None
    ) -> SentimentBranch:
        """Start the branch from the base's layers ``branch_layer..`` (a fresh head).

        With ``intermediate_size`` below the base's, each copied layer keeps only its most
        important feed-forward neurons (largest product of input-row and output-column norms):
        a structured pruning that makes the branch cheaper before it is fine-tuned.
        """
        n_total = len(base.encoder.layer)
        branch = cls(base.config, n_total - branch_layer, intermediate_size=intermediate_size)
        for i, layer in enumerate(branch.layers):
            state = base.encoder.layer[branch_layer + i].state_dict()
            layer.load_state_dict(_prune_ffn(state, branch.intermediate_size))
        return branch

    def forward(
        self,
        hidden: torch.Tensor,
        key_mask: torch.Tensor,
        span_rows: torch.Tensor,
        span_masks: torch.Tensor,
    ) -> torch.Tensor:
        """Return (spans, 3) logits for spans of the rows' layer-k hidden states."""
        drop = self.dropout if self.training else 0.0
        top = run_layers(self.layers, hidden, key_mask, drop)
        logits: torch.Tensor = self.head(pool_spans(top, span_rows, span_masks))
        return logits

    def save(self, out_dir: str | Path, meta: dict[str, Any]) -> None:
        """Write fp16 weights and a config (``meta`` plus the branch shape) to ``out_dir``."""
        from safetensors.torch import save_file

        out = Path(out_dir)
        out.mkdir(parents=True, exist_ok=True)
        state = {
            k: v.detach().to("cpu", torch.float16).contiguous()
            for k, v in self.state_dict().items()
        }
        save_file(state, str(out / WEIGHTS_FILE), metadata={"format": "pt"})
        config = {
            **meta,
            "n_layers": len(self.layers),
            "intermediate_size": self.intermediate_size,
            "labels": list(LABELS),
        }
        (out / CONFIG_FILE).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")

    @classmethod
    def load(
        cls, weights_dir: str | Path, bert_config: Any
    ) -> tuple[SentimentBranch, dict[str, Any]]:
        """Load a saved branch (as fp32, eval mode) and its config."""
        from safetensors.torch import load_file

        root = Path(weights_dir)
        config: dict[str, Any] = json.loads((root / CONFIG_FILE).read_text(encoding="utf-8"))
        branch = cls(
            bert_config,
            int(config["n_layers"]),
            intermediate_size=config.get("intermediate_size"),
        )
        state = load_file(str(root / WEIGHTS_FILE))
        branch.load_state_dict({k: v.float() for k, v in state.items()})
        branch.eval()
        for param in branch.parameters():
            param.requires_grad_(False)
        return branch, config
