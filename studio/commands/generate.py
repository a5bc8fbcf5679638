"""`studio generate image|video|voice --emotion "<label, VAD or text>" [--text …] [--seed N] [--size WxH]
[--duration S] [--out PATH] …` — one artifact (plus its provenance sidecar) per call."""

from __future__ import annotations

import argparse
import json

from studio.api import generate


def register(sub) -> None:
    parser = sub.add_parser("generate", help="generate an image, video or voice clip that carries an emotion")
    parser.add_argument("modality", choices=("image", "video", "voice"))
    parser.add_argument("--emotion", "-e", help="label, VAD point ('0.6,-0.3,0.1') or free text")
    parser.add_argument("--arc", help="emotion over time for video/voice, e.g. 'calm:0,dread:4'")
    parser.add_argument("--text", "-t", default="", help="subject hint (image/video) or the words to speak (voice)")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--size", help="WIDTHxHEIGHT (image default 512x512, video 256x256)")
    parser.add_argument("--duration", type=float, help="seconds of video (default 4, or the arc's length)")
    parser.add_argument("--fps", type=int, help="video frame rate (default 24)")
    parser.add_argument("--out", "-o", help="output file (.png; .mp4 or .gif; .wav)")
    parser.add_argument("--backend", help="backend name (default: the embedded one)")
    parser.add_argument("--language", help="voice language for eSpeak (default en)")
    parser.add_argument("--taxonomy", help="label the spec in this taxonomy (recorded in provenance)")
    parser.add_argument(
        "--best-of",
        type=int,
        default=1,
        metavar="N",
        help="make N candidates, keep the one a recognizer finds closest to the emotion",
    )
    parser.add_argument("--recognizer", help="recognizer for --best-of (default: the modality's feature recognizer)")
    parser.add_argument("--json", action="store_true", help="print the provenance record as JSON")
    models = parser.add_argument_group("model backends (diffusion, wan, neural)")
    models.add_argument("--model", help="local folder or hub id of the model")
    models.add_argument("--lora", action="append", metavar="NAME=PATH", help="emotion LoRA (repeatable)")
    models.add_argument("--steps", type=int, help="denoising steps")
    models.add_argument("--guidance", type=float, help="classifier-free guidance scale")
    models.add_argument("--negative", help="extra negative prompt")
    models.add_argument("--init", help="img2img start: 'procedural' or an image path")
    models.add_argument("--strength", type=float, help="img2img strength (0-1)")
    models.add_argument("--vad-adapter", help="continuous VAD adapter (.safetensors)")
    models.add_argument("--device", help="cuda, cuda:1, mps or cpu (default: best available)")
    models.add_argument("--dtype", help="float32, float16 or bfloat16 (default: by device)")
    models.add_argument("--offload", action="store_true", help="CPU offload to save GPU memory")
    models.add_argument(
        "--compile",
        nargs="?",
        const=True,
        metavar="MODE",
        help="torch.compile the UNet/transformer (optional mode: default, reduce-overhead, max-autotune, "
        "max-autotune-no-cudagraphs); the first call pays the compilation",
    )
    models.add_argument("--channels-last", action="store_true", help="UNet and VAE in channels-last memory format")
    models.add_argument("--vae-tiling", action="store_true", help="decode through the VAE in tiles (large sizes)")
    models.add_argument("--frames", type=int, help="video frames (Wan: 4k+1)")
    models.add_argument("--i2v-from", help="image-to-video start: procedural, diffusion or an image path")
    models.add_argument("--voice", help="narrate the video with these words")
    models.add_argument(
        "--prosody-transform",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="shape the speech with the emotion prosody transform (voice; default on for neural)",
    )
    models.add_argument("--references", help="XTTS: folder of per-emotion reference clips (neutral.wav, angry.wav …)")
    models.add_argument("--speaker-embedding", help="SpeechT5: speaker embedding (.npy)")
    models.add_argument("--image-model", help="Wan --i2v-from diffusion: the image model to make the still with")
    models.add_argument("--image-steps", type=int, help="Wan --i2v-from diffusion: steps for the still")
    models.add_argument("--plain", action="store_true", help="no emotion prompt composition (raw model behaviour)")
    models.add_argument("--allow-pickle", action="store_true", help="allow .bin/.ckpt weights (runs pickled code)")
    parser.set_defaults(run=run)


def run(args) -> int:
    names = (
        "language",
        "model",
        "lora",
        "steps",
        "guidance",
        "negative",
        "init",
        "strength",
        "vad_adapter",
        "device",
        "dtype",
        "compile",
        "frames",
        "i2v_from",
        "voice",
        "prosody_transform",
        "references",
        "speaker_embedding",
        "image_model",
        "image_steps",
    )
    options = {name: getattr(args, name) for name in names if getattr(args, name) is not None}
    for flag in ("offload", "channels_last", "vae_tiling", "plain", "allow_pickle"):
        if getattr(args, flag):
            options[flag] = True
    artifact = generate(
        args.modality,
        args.emotion,
        text=args.text,
        seed=args.seed,
        size=args.size,
        duration=args.duration,
        fps=args.fps,
        out=args.out,
        backend=args.backend,
        arc=args.arc,
        taxonomy=args.taxonomy,
        best_of=args.best_of,
        recognizer=args.recognizer,
        **options,
    )
    if args.json:
        print(json.dumps({"path": str(artifact.path), **artifact.provenance}, ensure_ascii=False))
    else:
        spec = artifact.provenance["spec"]
        v, a, d = spec["vad"]
        best = artifact.provenance.get("best_of")
        chosen = f", best of {best['n']}: score {max(s['score'] for s in best['scores']):.3f}" if best else ""
        print(
            f"{artifact.path}  ({artifact.modality}, V {v:+.2f} A {a:+.2f} D {d:+.2f}, "
            f"seed {artifact.provenance['seed']}{chosen})"
        )
    return 0
