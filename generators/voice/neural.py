"""The neural voice: any transformers text-to-speech model, with EmoVoice-style free-text emotion control.

EmoVoice's promise is "say it like this" in free text. Here the words resolve to an EmotionSpec (conditioning/) and
its ProsodyStyle (Murray & Arnott, FACTS §3); the model speaks each sentence with whatever emotion controls it has
(neural_controls.py: VITS rate and noise, Bark/Dia non-verbal cues), and the prosody transform
(prosody_transform.py) then moves the speech by the rest of the style — pitch, range, contour, tempo, loudness,
voice quality — so intensity, blends and arcs work the same on every engine, even one with no emotion input.

Steps of `synthesize`: 1. clean the text and split it into sentences, each with its spec (an arc is stretched over
them, sentences.py); 2. load the pipeline (cached per model, device, dtype); 3. per sentence: native controls →
speak (torch seeded with seed + sentence index, so a request is reproducible on one machine) → trim the model's
leading and trailing silence → transform; 4. join with pauses of SENTENCE_PAUSE_MS × the style's pause_scale.
The `prosody_transform` option (default on) turns step 3's transform off, leaving the model's own output.
"""

from __future__ import annotations

import time

import numpy as np
import torch
from tqdm.auto import tqdm

from conditioning.arc import EmotionArc
from conditioning.artifact import Artifact, package_version, provenance
from conditioning.errors import StudioError
from conditioning.prompt_fragments import speech_description
from conditioning.prosody_style import prosody_style
from conditioning.spec import EmotionSpec
from generators.media.wav import write_wav
from generators.request import GenerationRequest, check_output
from generators.voice import spectral_envelope
from generators.voice.neural_controls import cue_text, describe_controls, native_controls, residual_style
from generators.voice.neural_loading import load_pipeline
from generators.voice.prosody_transform import effects, transform
from generators.voice.sentences import clean_text, join_with_pauses, sentence_specs, split_sentences

SUFFIXES = (".wav",)
OPTIONS = ("model", "device", "dtype", "prosody_transform", "speaker_embedding")
BACKEND = "neural"
SENTENCE_PAUSE_MS, END_PAD_MS = 350.0, 100.0
TRIM_DB, TRIM_MARGIN_S = 45.0, 0.02


def trim(samples: np.ndarray, sr: int) -> np.ndarray:
    """Drop leading and trailing stretches more than TRIM_DB under the peak (keeping TRIM_MARGIN_S), so the pauses
    between sentences are ours to set."""
    if len(samples) == 0 or not np.any(samples):
        return samples
    loud = np.flatnonzero(np.abs(samples) > np.abs(samples).max() * 10 ** (-TRIM_DB / 20))
    margin = round(TRIM_MARGIN_S * sr)
    return samples[max(0, loud[0] - margin) : loud[-1] + margin + 1]


def speak(pipe, text: str, controls: dict, seed: int) -> tuple[np.ndarray, int]:
    """One sentence through the pipeline with the model's native controls; (mono float32, sample rate). A sentence
    the model cannot spell (digits or a script outside its alphabet leave VITS nothing to say) is one clear error."""
    model = pipe.model
    saved = {name: getattr(model, name) for name in controls["attributes"]}
    try:
        for name, value in controls["attributes"].items():
            setattr(model, name, value)
        torch.manual_seed(seed)
        out = pipe(text, forward_params=dict(controls["forward_params"]))
    except torch.OutOfMemoryError:
        raise StudioError("The voice model ran out of device memory; use --device cpu or a smaller model.") from None
    except (RuntimeError, ValueError, IndexError) as exc:
        raise StudioError(
            f"The voice model could not speak {text[:60]!r} ({str(exc).splitlines()[0][:120]}); write digits and "
            "symbols as words, or choose a model for this language."
        ) from None
    finally:
        for name, value in saved.items():
            setattr(model, name, value)
    audio = np.asarray(out["audio"], dtype=np.float32)
    audio = audio.mean(axis=0) if audio.ndim > 1 else audio
    return np.nan_to_num(audio), int(out["sampling_rate"])


def load_speaker(value):
    """The `speaker_embedding` option: a list of floats or a .npy file (no pickle)."""
    if value is None or not isinstance(value, str):
        return value
    try:
        return np.load(value, allow_pickle=False).astype(np.float32)
    except (OSError, ValueError) as exc:
        raise StudioError(f"Cannot read the speaker embedding {value!r} ({exc}); give a .npy of 512 floats.") from None


def synthesize(
    text: str,
    emotion: EmotionSpec | EmotionArc,
    model: str,
    seed: int = 0,
    device: str | None = None,
    dtype: str | None = None,
    shaped: bool = True,
    speaker_embedding=None,
) -> tuple[np.ndarray, int, list[dict]]:
    """Speech of `text` in the voice of `emotion`: (float32 mono in [−1, 1], sample rate, one record per sentence)."""
    sentences = split_sentences(clean_text(text))
    timed = sentence_specs([offset for offset, _ in sentences], emotion)
    pipe, _, _ = load_pipeline(model, device, dtype)
    model_type = pipe.model.config.model_type
    speaker = load_speaker(speaker_embedding)
    parts, pauses, rows, previous_cue, rate = [], [], [], None, None
    progress = tqdm(list(zip(sentences, timed)), desc="speaking", unit="sentence", disable=None, leave=False)
    for index, ((_, sentence), (t, spec)) in enumerate(progress):
        style = prosody_style(spec)
        controls = native_controls(pipe.model, spec, style, speaker)
        spoken, previous_cue = cue_text(model_type, sentence, spec, previous_cue)
        start = time.perf_counter()
        audio, rate = speak(pipe, spoken, controls, (seed + index) % 2**32)
        synth_s = time.perf_counter() - start
        audio = trim(audio, rate)
        rest = residual_style(style, controls)
        if shaped:
            audio = transform(audio, rate, rest, seed=seed + index)
        parts.append(audio)
        pauses.append(SENTENCE_PAUSE_MS * style.pause_scale if index < len(sentences) - 1 else END_PAD_MS)
        rows.append(
            {
                "t": round(t, 3),
                "text": sentence,
                "spoken": spoken,
                "prosody": style.to_dict(),
                "description": speech_description(spec, style),
                "native": describe_controls(controls),
                "transform": effects(rest) if shaped else None,
                "synth_s": round(synth_s, 4),
            }
        )
    samples = np.clip(join_with_pauses(parts, pauses, rate), -1.0, 1.0).astype(np.float32)
    return samples, rate, rows


def generate(request: GenerationRequest) -> Artifact:
    """Check the output, speak and shape the sentences, write a 16-bit WAV and its sidecar atomically."""
    out = check_output(request.out, SUFFIXES)
    options = request.options
    shaped = bool(options.get("prosody_transform", True))
    pipe, device, dtype = load_pipeline(options.get("model"), options.get("device"), options.get("dtype"))
    start = time.perf_counter()
    samples, rate, rows = synthesize(
        request.text,
        request.arc if request.arc is not None else request.spec,
        options.get("model"),
        seed=request.seed,
        device=options.get("device"),
        dtype=options.get("dtype"),
        shaped=shaped,
        speaker_embedding=options.get("speaker_embedding"),
    )
    total_s = time.perf_counter() - start
    write_wav(out, samples, rate)
    style = prosody_style(request.spec)
    record = provenance(
        request=request.to_record(),
        modality="voice",
        spec=request.spec.to_dict(),
        arc=request.arc.to_dict() if request.arc is not None else None,
        styles={"prosody": style.to_dict(), "sentences": [{"t": r["t"], "prosody": r["prosody"]} for r in rows]},
        backend=BACKEND,
        model=options.get("model"),
        seed=request.seed,
        parameters={
            "model_type": pipe.model.config.model_type,
            "device": str(device),
            "dtype": str(dtype).removeprefix("torch."),
            "prosody_transform": shaped,
            "spectral_envelope": spectral_envelope.record() if shaped else None,
            "description": speech_description(request.spec, style),
            "sentences": [{k: r[k] for k in ("text", "spoken", "description", "native", "transform")} for r in rows],
            "sample_rate": rate,
            "duration_s": round(len(samples) / rate, 3),
            "text": request.text,
            "transformers": package_version("transformers"),
        },
        timings={"synth_s": round(sum(r["synth_s"] for r in rows), 4), "total_s": round(total_s, 4)},
    )
    artifact = Artifact(path=out, modality="voice", provenance=record)
    artifact.write_sidecar()
    return artifact
