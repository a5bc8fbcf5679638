"""Every option a generation takes, declared once: name, kind, range, help, which modalities, where it may come from.

The CLI flags of `studio generate`, the manifest's option keys and their types, the registry's check of a backend's
options and the app's widgets are all derived from `CATALOGUE`; a backend's `OPTIONS` tuple names the entries it
takes. This module imports nothing heavy, so building the CLI parser from it stays fast (no torch).

Adding an option: declare it here, name it in the backend's `OPTIONS`, read it in the backend (`value_of`) and test
it; the flag, the manifest key, the API check and the widget follow (tests/test_option_declarations.py checks).
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass

from conditioning.errors import StudioError, brief
from generators.request import parse_size

MODALITIES = ("image", "video", "voice")
KINDS = ("int", "float", "size", "text", "path", "flag", "switch", "loras", "compile")
"""int/float: a number in [low, high]; size: WIDTHxHEIGHT (or one side, or a pair); text: a string; path: a string
naming a file or folder; flag: on when given; switch: on/off/unset (`--x` / `--no-x`); loras: NAME=PATH[@WEIGHT] strings
(repeatable) or a {name: "PATH[@WEIGHT]"} mapping, checked by `lora_blend.lora_entries`; compile: a flag that may also name a torch.compile mode."""


@dataclass(frozen=True)
class Option:
    """One option. `scope` "generate" is an argument of `generate()` itself (size, fps …), "backend" one a backend
    names in its `OPTIONS`. `manifest` False keeps it out of a manifest row's options; `cli_only` / `no_cli` say why
    the app or the CLI deliberately has no widget / flag for it."""

    name: str
    kind: str
    help: str
    title: str = ""
    modalities: tuple[str, ...] = MODALITIES
    low: float | None = None
    high: float | None = None
    above: bool = False
    """True when `low` itself is refused (a value must be greater than it)."""
    choices: tuple[str, ...] = ()
    """The values it is known to take, for help and widgets; the backend checks them with its own message."""
    default: object = None
    """The CLI's default where one is fixed (best_of 1); None leaves it to generate() and the backend."""
    metavar: str | None = None
    scope: str = "backend"
    manifest: bool = True
    cli_only: str = ""
    no_cli: str = ""

    @property
    def flag(self) -> str:
        return "--" + self.name.replace("_", "-")

    def check(self, value):
        """The value if its type and range fit the declaration, else one StudioError naming it and what fits."""
        if self.kind in ("int", "float"):
            return self._check_number(value)
        if self.kind == "size":
            parse_size(value)
            return value
        if self.kind in ("text", "path"):
            if not isinstance(value, (str, os.PathLike)):
                raise StudioError(
                    f"{self.flag} {brief(value)} must be text, e.g. {self.flag} {self.metavar or 'VALUE'}."
                )
        elif self.kind in ("flag", "switch"):
            if not isinstance(value, bool):
                raise StudioError(f"{self.flag} {brief(value)} must be true or false.")
        elif self.kind == "compile":
            if not isinstance(value, (bool, str)):
                raise StudioError(f"{self.flag} {brief(value)} must be true, false or a torch.compile mode.")
        elif self.kind == "loras":
            from generators.lora_blend import lora_entries  # the syntax only: no file is opened here

            lora_entries(value)
        return value

    def _check_number(self, value):
        whole = self.kind == "int"
        try:
            number = float(value)
        except (TypeError, ValueError, OverflowError):
            number = math.nan
        fits = (
            not isinstance(value, (bool, str))
            and math.isfinite(number)
            and (not whole or number.is_integer())
            and (self.low is None or (number > self.low if self.above else number >= self.low))
            and (self.high is None or number <= self.high)
        )
        if not fits:
            raise StudioError(f"{self.flag} {brief(value)} must be {self.describe_range()}.")
        return int(number) if whole else number

    def describe_range(self) -> str:
        what = "a whole number" if self.kind == "int" else "a number"
        if self.low is not None and self.high is not None and not self.above:
            return f"{what} from {self.low:g} to {self.high:g}"
        parts = []
        if self.low is not None:
            parts.append(f"{'greater than' if self.above else 'at least'} {self.low:g}")
        if self.high is not None:
            parts.append(f"at most {self.high:g}")
        return f"{what} {' and '.join(parts)}".strip()


COMPILE_MODES = ("default", "reduce-overhead", "max-autotune", "max-autotune-no-cudagraphs")
NOT_FROM_A_MANIFEST = "a manifest row may not carry it"

CATALOGUE: tuple[Option, ...] = (
    # generate()'s own arguments: every backend gets them through the request
    Option("size", "size", "WIDTHxHEIGHT (image default 512x512, video 256x256)", "Size", ("image", "video"),
           metavar="WxH", scope="generate"),
    Option("duration", "float", "seconds of video (default 4, or the arc's length)", "Seconds", ("video",),
           low=0, above=True, high=600, scope="generate"),
    Option("fps", "int", "video frame rate (default 24)", "FPS", ("video",), low=1, high=60, scope="generate"),
    Option("taxonomy", "text", "label the spec in this taxonomy (recorded in provenance)", "Taxonomy", scope="generate",
           cli_only="the app labels through its Compose page's taxonomy picker"),
    Option("best_of", "int", "make N candidates, keep the one a recognizer finds closest to the emotion", "Best of N",
           low=1, high=64, default=1, metavar="N", scope="generate"),
    Option("recognizer", "text", "recognizer for --best-of (default: the modality's feature recognizer)", "Recognizer",
           scope="generate", cli_only="the app's best-of uses each modality's default recognizer"),
    # backend options, in the order the app shows them
    Option("format", "text", "output file type (.png; .mp4 or .gif; .wav)", "Format",
           no_cli="the CLI takes the format from --out's suffix",
           cli_only="the app writes each modality's first format"),
    Option("model", "path", "local folder or hub id of the model", "Model (local folder or hub id)", manifest=False),
    Option("references", "path", "XTTS: folder of per-emotion reference clips (neutral.wav, angry.wav …)",
           "Reference voices (folder with neutral.wav, angry.wav, …)", ("voice",)),
    Option("steps", "int", "denoising steps", "Steps (0 = the model's default)", ("image", "video"), low=1, high=1000),
    Option("guidance", "float", "classifier-free guidance scale", "Guidance (0 = default)", ("image", "video"),
           low=0, high=100),
    Option("negative", "text", "extra negative prompt", "Negative prompt", ("image", "video")),
    Option(
        "lora",
        "loras",
        "LoRA (repeatable): NAME an emotion label (awe) follows the emotion blend, @WEIGHT scaling it; any other NAME "
        "(watercolor) is a style LoRA at WEIGHT (default 1, -2 to 2); PATH a .safetensors file (diffusers or "
        "kohya/ComfyUI keys) or a save_lora_weights folder",
        "LoRAs (NAME=PATH[@WEIGHT], comma-separated)",
        ("image", "video"),
        metavar="NAME=PATH[@WEIGHT]",
    ),
    Option("init", "text", "img2img start: 'procedural' or an image path", "Start image ('procedural' or a path)",
           ("image",)),
    Option("strength", "float", "img2img strength (0-1)", "img2img strength (0 = default)", ("image",),
           low=0.01, high=1),
    Option("vad_adapter", "path", "continuous VAD adapter (.safetensors)", "VAD adapter (.safetensors)", ("image",)),
    Option("device", "text", "cuda, cuda:1, mps or cpu (default: best available)", "Device",
           choices=("cpu", "cuda", "mps"), manifest=False),
    Option("dtype", "text", "float32, float16 or bfloat16 (default: by device)", "Dtype",
           choices=("float32", "float16", "bfloat16")),
    Option("offload", "flag", "CPU offload to save GPU memory", "CPU offload", ("image", "video")),
    Option("compile", "compile", "torch.compile the UNet/transformer (optional mode: default, reduce-overhead, "
           "max-autotune, max-autotune-no-cudagraphs); the first call pays the compilation",
           "Compile the model (torch.compile)", ("image", "video"), choices=COMPILE_MODES, metavar="MODE"),
    Option("channels_last", "flag", "UNet and VAE in channels-last memory format", "Channels-last memory format",
           ("image", "video")),
    Option("vae_tiling", "flag", "decode through the VAE in tiles (large sizes)", "Decode in tiles", ("image",)),
    Option("frames", "int", "video frames (Wan: 4k+1)", "Frames (0 = from the seconds)", ("video",), low=1),
    Option("flow_shift", "float", "Wan scheduler flow shift (default: 3.0 up to 480p, 5.0 above)",
           "Flow shift (0 = by size)", ("video",), low=0, above=True),
    Option("i2v_from", "text", "image-to-video start: procedural, diffusion or an image path",
           "Image-to-video start (procedural, diffusion or a path)", ("video",)),
    Option("image_model", "path", "Wan --i2v-from diffusion: the image model to make the still with",
           "Image model for the still", ("video",)),
    Option("image_steps", "int", "Wan --i2v-from diffusion: steps for the still", "Steps for the still (0 = default)",
           ("video",), low=1, high=1000),
    Option("voice", "text", "narrate the video with these words", "Narration (optional)", ("video",)),
    Option("language", "text", "voice language for eSpeak (default en)", "Language", ("video", "voice")),
    Option("prosody_transform", "switch", "shape the speech with the emotion prosody transform (voice; default on "
           "for neural)", "Shape prosody after synthesis", ("voice",)),
    Option("speaker_embedding", "path", "SpeechT5: speaker embedding (.npy)", "Speaker embedding (.npy)", ("voice",)),
    Option("plain", "flag", "no emotion prompt composition (raw model behaviour)", "Plain prompt (no emotion words)",
           ("image", "video")),
    Option("allow_pickle", "flag", "allow .bin/.ckpt weights (runs pickled code)", "Allow pickled weights",
           ("image", "video"), manifest=False,
           cli_only="loading pickled weights runs their code: a choice made at the keyboard, per command"),
)  # fmt: skip

BY_NAME: dict[str, Option] = {option.name: option for option in CATALOGUE}
GENERATE_OPTIONS = tuple(o.name for o in CATALOGUE if o.scope == "generate")
BACKEND_OPTIONS = tuple(o.name for o in CATALOGUE if o.scope == "backend")
EVERY_BACKEND = ("format",)
DIFFUSERS_OPTIONS = (
    "model",
    "lora",
    "steps",
    "guidance",
    "negative",
    "device",
    "dtype",
    "offload",
    "compile",
    "channels_last",
    "plain",
    "allow_pickle",
)
"""What every backend built on a diffusers pipeline (diffusion, Wan) takes: the model and its LoRAs, sampling,
placement, speed flags and raw mode; each adds its own to these."""
"""Options every backend takes without naming them (the output suffix)."""


def option(name: str) -> Option:
    """The declaration of `name`; an undeclared name is a programming error in a backend's OPTIONS."""
    if name not in BY_NAME:
        raise KeyError(f"option {name!r} is not declared in generators/options.py")
    return BY_NAME[name]


def value_of(options: dict, name: str):
    """A backend's read of one of its options: the checked value, or None when it was not given."""
    value = options.get(name)
    return None if value is None else option(name).check(value)
