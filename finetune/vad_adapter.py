"""Train the continuous VAD adapter of the diffusion image backend (`generators.image.vad_adapter.VADAdapter`) with
the EmotiCrafter objective.

    python -m finetune.vad_adapter --model <id|folder> [--max-steps N] [--lr X] [--out DIR] [--resume latest]

Target (FACTS §4): neutral + α·(emotional − neutral) with α = 1.5 — the adapter, given the neutral prompt's
embeddings and the emotion's (V, A[, D]), must push them past the emotional rewrite's embeddings, so a plain prompt
plus a VAD point lands the emotion at least as strongly as spelling it out. Triples come from the anchor lexicon
(vad_triples.py); the frozen text encoder's embeddings are computed once. Output `<out>/vad_adapter.safetensors`,
loaded by `studio generate image --backend diffusion --vad-adapter <file>`.
"""

from __future__ import annotations

import argparse
import logging
import sys

import torch
from tqdm import tqdm

from conditioning import StudioError
from conditioning.atomic import atomic_path
from finetune.checkpoints import resume_from, save_checkpoint
from finetune.cli_common import add_common_flags, step_bar, write_config
from finetune.image_data import step_generator
from finetune.vad_triples import SUBJECTS, make_triples
from finetune.validation import log_line
from generators.image.vad_adapter import VADAdapter

log = logging.getLogger(__name__)
WEIGHT_NAME = "vad_adapter.safetensors"


def parse_args(argv):
    parser = argparse.ArgumentParser(prog="finetune.vad_adapter", description=__doc__.splitlines()[0])
    add_common_flags(parser, default_out="vad-adapter-output", default_steps=2000, default_lr=1e-4, data=False)
    parser.add_argument("--alpha", type=float, default=1.5, help="EmotiCrafter's target scale")
    parser.add_argument("--axes", type=int, choices=(2, 3), default=2, help="2: V, A (EmotiCrafter); 3: V, A, D")
    parser.add_argument("--width", type=int, default=256, help="adapter width")
    parser.add_argument("--batch-size", type=int, default=32)
    parser.add_argument("--checkpoint-every", type=int, default=500)
    parser.add_argument("--subjects", type=int, default=len(SUBJECTS), help="neutral subjects per word (≤ 6)")
    return parser.parse_args(argv)


@torch.no_grad()
def embed_triples(pipe, triples, batch: int = 64) -> tuple[torch.Tensor, torch.Tensor, torch.Tensor]:
    """(neutral embeds, emotional embeds, VAD) tensors, through the pipeline's own frozen text encoder(s)."""
    from finetune.image_lora import encode

    def run(texts):
        chunks = [texts[i : i + batch] for i in range(0, len(texts), batch)]
        bar = tqdm(chunks, desc="embedding triples", unit="batch", disable=None, leave=False)
        return torch.cat([encode(pipe, c, "cpu", 64)["encoder_hidden_states"] for c in bar]).float()

    vad = torch.tensor([t.vad for t in triples], dtype=torch.float32)
    return run([t.neutral for t in triples]), run([t.emotional for t in triples]), vad


def objective(adapter, neutral, emotional, vad, alpha: float) -> torch.Tensor:
    target = neutral + alpha * (emotional - neutral)
    return torch.nn.functional.mse_loss(adapter(neutral, vad[:, : adapter.config["axes"]]), target)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    logging.basicConfig(level=logging.INFO, format="%(message)s")
    try:
        train_adapter(args)
    except StudioError as exc:  # a bad model, a bad --resume, … : one sentence, exit 1
        print(f"finetune.vad_adapter: error: {exc}", file=sys.stderr)
        return 1
    return 0


def train_adapter(args) -> None:
    from accelerate import Accelerator

    from finetune.image_lora import finish_training, load_pipeline, multi_cpu

    pipe = load_pipeline(args.model)
    train_set, dev_set = make_triples(SUBJECTS[: max(1, args.subjects)])
    train, dev = embed_triples(pipe, train_set), embed_triples(pipe, dev_set)
    del pipe
    torch.manual_seed(args.seed)
    adapter = VADAdapter(embed_dim=train[0].shape[-1], axes=args.axes, width=args.width)
    optimizer = torch.optim.AdamW(adapter.parameters(), lr=args.lr, weight_decay=1e-2)
    accelerator = Accelerator(project_dir=str(args.out), cpu=multi_cpu())
    wrapped, optimizer = accelerator.prepare(adapter, optimizer)
    write_config(args.out, args)
    start = resume_from(accelerator, args.out, args.resume)
    device = accelerator.device
    train = [t.to(device) for t in train]
    for step in step_bar(accelerator, start, args.max_steps, desc="vad_adapter"):
        gen = step_generator(args.seed, step, accelerator.process_index)
        idx = torch.randint(0, len(train[2]), (args.batch_size,), generator=gen).to(device)
        loss = objective(wrapped, *(t[idx] for t in train), args.alpha)
        accelerator.backward(loss)
        optimizer.step()
        optimizer.zero_grad(set_to_none=True)
        done = step + 1
        record = {"step": done, "loss": round(accelerator.gather(loss.detach().reshape(1)).mean().item(), 6)}
        if done % 50 == 0 or done == args.max_steps:
            with torch.no_grad():
                unwrapped = accelerator.unwrap_model(wrapped)
                record["dev_loss"] = round(objective(unwrapped, *(t.to(device) for t in dev), args.alpha).item(), 6)
        if accelerator.is_main_process:
            log_line(args.out / "log.jsonl", record)
        if args.checkpoint_every and done % args.checkpoint_every == 0:
            save_checkpoint(accelerator, args.out, done)
    accelerator.wait_for_everyone()
    if accelerator.is_main_process:
        with atomic_path(args.out / WEIGHT_NAME) as tmp:
            accelerator.unwrap_model(wrapped).save(tmp)
        log.info("wrote %s", args.out / WEIGHT_NAME)
    finish_training(accelerator)


if __name__ == "__main__":
    raise SystemExit(main())
