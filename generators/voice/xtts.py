"""Coqui XTTS (the `TTS` package, extra `coqui`): a cloned voice that borrows its emotion from a reference clip.

XTTS has no emotion input; it copies the delivery of the clip it clones. So the user gives a folder of clips of one
speaker, one per emotion (REFERENCE_NAMES: EmoVoice-DB's angry / happy / sad / surprised / disgusted / fearful /
neutral, or the Ekman words), and each sentence clones the clip of its leading Ekman emotion (neutral when that one
is missing). XTTS's `speed` takes the tempo; the prosody transform then applies what the clip does not already
carry: the style minus the reference emotion's own style (`relative_style`), so intensity and blends still move
the voice — a 30 % sad blend on a neutral clip is shaped by the transform alone.

`TTS.api.TTS.tts()` (the in-memory twin of `tts_to_file`) is used per sentence because the transform and the arc
need the samples. The package needs torchaudio, whose wheels pin one torch version; none matches torch 2.13 here
(FACTS §7), so it is imported lazily, and this module loads (and its pure parts are tested) without it.
"""

from __future__ import annotations

import dataclasses
import functools
import time
from pathlib import Path

import numpy as np

from conditioning import resolve
from conditioning.arc import EmotionArc
from conditioning.artifact import Artifact, package_version, provenance
from conditioning.errors import StudioError
from conditioning.prosody_style import ProsodyStyle, prosody_style
from conditioning.spec import EmotionSpec
from generators.media.wav import write_wav
from generators.request import GenerationRequest, check_output
from generators.voice import spectral_envelope
from generators.voice.prosody_transform import BREATH_NEUTRAL, NEUTRAL, effects, transform
from generators.voice.sentences import clean_text, join_with_pauses, sentence_specs, split_sentences

SUFFIXES = (".wav",)
OPTIONS = ("model", "device", "language", "references", "prosody_transform")
BACKEND = "xtts"
DEFAULT_MODEL = "tts_models/multilingual/multi-dataset/xtts_v2"
SENTENCE_PAUSE_MS, END_PAD_MS = 350.0, 100.0
SPEED_RANGE = (0.5, 2.0)
REFERENCE_NAMES = {
    "anger": ("angry", "anger"),
    "happiness": ("happy", "happiness", "joy"),
    "sadness": ("sad", "sadness"),
    "surprise": ("surprised", "surprise"),
    "disgust": ("disgusted", "disgust"),
    "fear": ("fearful", "fear"),
    "neutral": ("neutral",),
}
AUDIO_SUFFIXES = (".wav", ".flac", ".mp3", ".ogg")
NOT_INSTALLED = (
    "The xtts backend needs coqui-tts: pip install 'emotion-studio[coqui]' (it needs torchaudio, which has no build "
    "for torch 2.13; install it in an environment with a torch that torchaudio supports)."
)


def reference_clips(folder) -> dict[str, Path]:
    """Ekman emotion → clip in `folder`, by file name (angry.wav, happy.wav, …, neutral.wav)."""
    if not folder:
        raise StudioError("XTTS clones a reference voice: give references=DIR with neutral.wav (and angry.wav, …).")
    folder = Path(folder).expanduser()
    if not folder.is_dir():
        raise StudioError(f"The references folder {str(folder)!r} does not exist; give a folder of emotion clips.")
    files = {p.stem.lower(): p for p in sorted(folder.iterdir()) if p.suffix.lower() in AUDIO_SUFFIXES}
    clips = {emotion: files[n] for emotion, names in REFERENCE_NAMES.items() for n in names if n in files}
    if "neutral" not in clips:
        found = ", ".join(sorted(files)) or "no audio files"
        raise StudioError(f"The references folder {folder} needs a neutral.wav to fall back on (found: {found}).")
    return clips


def choose_reference(spec: EmotionSpec, clips: dict[str, Path]) -> str:
    """The leading Ekman emotion of the spec when there is a clip for it, else neutral."""
    ranked = sorted(spec.distribution("ekman7"), key=lambda item: -item[1])
    return ranked[0][0] if ranked[0][0] in clips else "neutral"


@functools.cache
def reference_style(emotion: str) -> ProsodyStyle:
    """The style a clip of `emotion` is assumed to carry: the studio's style for that emotion word; a neutral clip
    is the baseline itself, as an engine's plain output is for the other backends."""
    return NEUTRAL if emotion == "neutral" else prosody_style(resolve(emotion))


def relative_style(style: ProsodyStyle, reference: ProsodyStyle) -> ProsodyStyle:
    """What is left to do after cloning a clip that already speaks `reference`: differences in semitones and dB,
    ratios of range and rate, the quality and contour only where they differ, breath and tremor only above it."""
    return ProsodyStyle(
        pitch_shift=style.pitch_shift - reference.pitch_shift,
        pitch_range=style.pitch_range / reference.pitch_range,
        rate=style.rate / reference.rate,
        loudness_db=style.loudness_db - reference.loudness_db,
        pause_scale=style.pause_scale,
        breathiness=BREATH_NEUTRAL + max(0.0, style.breathiness - reference.breathiness),
        tremor=max(0.0, style.tremor - reference.tremor),
        voice_quality="modal" if style.voice_quality == reference.voice_quality else style.voice_quality,
        contour="level" if style.contour == reference.contour else style.contour,
    )


@functools.lru_cache(maxsize=1)
def load(model: str, device: str):
    """The TTS object for a coqui model name or a local folder (config.json + checkpoint), on `device`."""
    try:
        from TTS.api import TTS
    except ImportError:
        raise StudioError(NOT_INSTALLED) from None
    folder = Path(model).expanduser()
    try:
        if folder.is_dir():
            tts = TTS(model_path=str(folder), config_path=str(folder / "config.json"), progress_bar=False)
        else:
            tts = TTS(model_name=model, progress_bar=False)
    except (OSError, ValueError, KeyError) as exc:
        raise StudioError(
            f"XTTS model {model!r} is not available here ({exc}); fetch it once with network "
            f"(COQUI_TOS_AGREED=1 python -c \"from TTS.api import TTS; TTS('{DEFAULT_MODEL}')\") or give a local "
            "folder with config.json and the checkpoint."
        ) from None
    return tts.to(device)


def synthesize(
    text,
    emotion: EmotionSpec | EmotionArc,
    references,
    model=DEFAULT_MODEL,
    language="en",
    seed=0,
    device="cpu",
    shaped=True,
) -> tuple[np.ndarray, int, list[dict]]:
    """(float32 mono, sample rate, one record per sentence): each sentence cloned from its emotion's clip."""
    clips = reference_clips(references)
    sentences = split_sentences(clean_text(text))
    timed = sentence_specs([offset for offset, _ in sentences], emotion)
    tts = load(model or DEFAULT_MODEL, device or "cpu")
    rate = int(tts.synthesizer.output_sample_rate)
    parts, pauses, rows = [], [], []
    import torch  # present wherever TTS imported

    for index, ((_, sentence), (t, spec)) in enumerate(zip(sentences, timed)):
        style = prosody_style(spec)
        reference = choose_reference(spec, clips)
        rest = relative_style(style, reference_style(reference))
        speed = min(SPEED_RANGE[1], max(SPEED_RANGE[0], rest.rate))
        torch.manual_seed((seed + index) % 2**32)
        audio = np.asarray(
            tts.tts(
                text=sentence, speaker_wav=str(clips[reference]), language=language, speed=speed, split_sentences=False
            ),
            dtype=np.float32,
        )
        rest = dataclasses.replace(rest, rate=rest.rate / speed)
        parts.append(transform(audio, rate, rest, seed=seed + index) if shaped else audio)
        pauses.append(SENTENCE_PAUSE_MS * style.pause_scale if index < len(sentences) - 1 else END_PAD_MS)
        rows.append(
            {
                "t": round(t, 3),
                "text": sentence,
                "reference": clips[reference].name,
                "speed": speed,
                "prosody": style.to_dict(),
                "transform": effects(rest) if shaped else None,
            }
        )
    return np.clip(join_with_pauses(parts, pauses, rate), -1, 1).astype(np.float32), rate, rows


def generate(request: GenerationRequest) -> Artifact:
    """Check the output, clone and shape each sentence, write a 16-bit WAV and its sidecar atomically."""
    out = check_output(request.out, SUFFIXES)
    options = request.options
    shaped = bool(options.get("prosody_transform", True))
    start = time.perf_counter()
    samples, rate, rows = synthesize(
        request.text,
        request.arc if request.arc is not None else request.spec,
        options.get("references"),
        model=options.get("model") or DEFAULT_MODEL,
        language=options.get("language") or "en",
        seed=request.seed,
        device=options.get("device") or "cpu",
        shaped=shaped,
    )
    synth_s = time.perf_counter() - start
    write_wav(out, samples, rate)
    record = provenance(
        request=request.to_record(),
        modality="voice",
        spec=request.spec.to_dict(),
        arc=request.arc.to_dict() if request.arc is not None else None,
        styles={"prosody": prosody_style(request.spec).to_dict(), "sentences": [r["prosody"] for r in rows]},
        backend=BACKEND,
        model=options.get("model") or DEFAULT_MODEL,
        seed=request.seed,
        parameters={
            "language": options.get("language") or "en",
            "prosody_transform": shaped,
            "spectral_envelope": spectral_envelope.record() if shaped else None,
            "sample_rate": rate,
            "sentences": rows,
            "text": request.text,
            "coqui-tts": package_version("coqui-tts"),
        },
        timings={"synth_s": round(synth_s, 4)},
    )
    artifact = Artifact(path=out, modality="voice", provenance=record)
    artifact.write_sidecar()
    return artifact
