#!/usr/bin/env python3
"""Fine-tunes the zoo's base model (SmolLM2-135M-Instruct, loaded from its GGUF) on chat answers.

One recipe for every student (scripts/zoo): a fine-tune in fp32 of the top 10 of the 30 decoder
blocks and the final norm (the embeddings, tied to the output layer, and the lower 20 blocks
frozen, which cuts the backward pass to a third on a shared 2-core machine), AdamW, learning rate 2e-4 with
10% linear warm-up then linear decay to 0, batch 8, 1 epoch, loss on the assistant's tokens only
(its answer and end-of-turn token), sequences cut at 160 tokens, gradient norm clipped at 1,
seed 15. Batches are made of examples of similar length (less padding) and visited in a
seeded random order. Without --data it only loads the model and saves it (the round trip,
the control for what loading, dequantising and converting alone change).

    zoo-train.py --gguf BASE.gguf --data TRAIN.jsonl --out HF_DIR --log LOG.json [--threads N]

TRAIN.jsonl: one {"messages": [{"role": "user", "content": ...}], "response": ...} per line.
Needs torch and transformers (the zoo's venv).
"""
import argparse
import json
import os
import random
import sys
import time

RECIPE = {
    "method": "fine-tune of the top 10 of 30 decoder blocks and the final norm, fp32 (embeddings/output layer and lower 20 blocks frozen)",
    "trainable_top_blocks": 10,
    "optimizer": "AdamW (torch default betas 0.9/0.999, eps 1e-8), weight decay 0",
    "learning_rate": 2e-4,
    "schedule": "linear warm-up over the first 10% of steps, then linear decay to 0",
    "batch_size": 8,
    "epochs": 1,
    "max_length": 160,
    "grad_clip_norm": 1.0,
    "loss": "next-token cross-entropy on the assistant's answer and end-of-turn token only",
}


def ids_of(x):
    if hasattr(x, "keys") and "input_ids" in x:
        x = x["input_ids"]
    return list(x)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--gguf", required=True)
    ap.add_argument("--data")
    ap.add_argument("--out", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--threads", type=int, default=os.cpu_count())
    ap.add_argument("--seed", type=int, default=15)
    ap.add_argument("--epochs", type=int, default=RECIPE["epochs"])
    args = ap.parse_args()

    import torch
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    rng = random.Random(args.seed)
    if not os.path.isfile(args.gguf):
        sys.exit(f"zoo-train: {args.gguf} does not exist (run scripts/local-models setup)")
    started = time.time()
    folder, name = os.path.split(os.path.abspath(args.gguf))
    tok = AutoTokenizer.from_pretrained(folder, gguf_file=name)
    model = AutoModelForCausalLM.from_pretrained(folder, gguf_file=name, dtype=torch.float32)
    # The weights are dequantised to fp32 on load, but transformers still marks the model as
    # "quantized with gguf" and refuses to save it: drop the marker (the tensors are plain fp32).
    model.hf_quantizer = None
    for attr in ("is_quantized", "quantization_method"):
        if hasattr(model, attr):
            try:
                setattr(model, attr, False if attr == "is_quantized" else None)
            except Exception:
                pass
    if hasattr(model.config, "quantization_config"):
        del model.config.quantization_config
    load_s = time.time() - started
    log = {"recipe": dict(RECIPE, epochs=args.epochs), "seed": args.seed, "threads": args.threads,
           "base_gguf": args.gguf, "data": args.data, "load_seconds": round(load_s, 1),
           "torch": torch.__version__, "transformers": __import__("transformers").__version__,
           "steps": []}
    print(f"loaded {args.gguf} in {load_s:.1f} s", flush=True)

    if args.data:
        examples = []
        with open(args.data, encoding="utf-8") as f:
            for n, line in enumerate(f, 1):
                row = json.loads(line)
                msgs = row["messages"]
                full = ids_of(tok.apply_chat_template(msgs + [{"role": "assistant", "content": row["response"]}],
                                                      tokenize=True))
                prompt = ids_of(tok.apply_chat_template(msgs, tokenize=True, add_generation_prompt=True))
                if full[:len(prompt)] != prompt:
                    sys.exit(f"zoo-train: {args.data}:{n}: the chat template does not extend the prompt; cannot mask it")
                full = full[:RECIPE["max_length"]]
                labels = [-100] * len(prompt) + full[len(prompt):]
                labels = labels[:len(full)]
                if any(l != -100 for l in labels[1:]):
                    examples.append((full, labels))
        examples.sort(key=lambda e: len(e[0]))
        bs = RECIPE["batch_size"]
        batches = [examples[i:i + bs] for i in range(0, len(examples), bs)]
        total_steps = len(batches) * args.epochs
        warm = max(1, int(0.1 * total_steps))
        for p in model.parameters():
            p.requires_grad_(False)
        blocks = model.model.layers
        for block in blocks[len(blocks) - RECIPE["trainable_top_blocks"]:]:
            for p in block.parameters():
                p.requires_grad_(True)
        for p in model.model.norm.parameters():
            p.requires_grad_(True)
        trainable = [p for p in model.parameters() if p.requires_grad]
        log["trainable_parameters"] = sum(p.numel() for p in trainable)
        log["total_parameters"] = sum(p.numel() for p in model.parameters())
        opt = torch.optim.AdamW(trainable, lr=RECIPE["learning_rate"], weight_decay=0.0)
        sched = torch.optim.lr_scheduler.LambdaLR(
            opt, lambda s: (s + 1) / warm if s < warm else max(0.0, (total_steps - s) / max(1, total_steps - warm)))
        pad = tok.pad_token_id if tok.pad_token_id is not None else tok.eos_token_id
        model.train()
        log.update(examples=len(examples), steps_total=total_steps)
        step, tokens, t0 = 0, 0, time.time()
        for epoch in range(args.epochs):
            order = list(range(len(batches)))
            rng.shuffle(order)
            for b in order:
                batch = batches[b]
                width = max(len(e[0]) for e in batch)
                ids = torch.full((len(batch), width), pad, dtype=torch.long)
                lab = torch.full((len(batch), width), -100, dtype=torch.long)
                att = torch.zeros((len(batch), width), dtype=torch.long)
                for i, (x, y) in enumerate(batch):
                    ids[i, :len(x)] = torch.tensor(x)
                    lab[i, :len(y)] = torch.tensor(y)
                    att[i, :len(x)] = 1
                out = model(input_ids=ids, attention_mask=att, labels=lab)
                out.loss.backward()
                torch.nn.utils.clip_grad_norm_(trainable, RECIPE["grad_clip_norm"])
                opt.step(); sched.step(); opt.zero_grad(set_to_none=True)
                step += 1
                tokens += int(att.sum())
                el = time.time() - t0
                log["steps"].append({"step": step, "epoch": epoch + 1, "loss": round(float(out.loss), 4),
                                     "tokens": tokens, "seconds": round(el, 1)})
                print(f"step {step}/{total_steps} epoch {epoch + 1} loss {float(out.loss):.4f} "
                      f"{tokens / el:.0f} tok/s", flush=True)
        log["train_seconds"] = round(time.time() - t0, 1)
        log["train_tokens"] = tokens
        log["tokens_per_second"] = round(tokens / max(1e-9, time.time() - t0), 1)
    model.eval()
    model.save_pretrained(args.out, safe_serialization=True)
    tok.save_pretrained(args.out)
    log["total_seconds"] = round(time.time() - started, 1)
    with open(args.log, "w", encoding="utf-8") as f:
        json.dump(log, f, indent=1)
    print(f"saved {args.out} in {log['total_seconds']} s", flush=True)


if __name__ == "__main__":
    main()
