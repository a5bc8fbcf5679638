"""Neural voice judge: any transformers `audio-classification` model (wav2vec2, HuBERT, WavLM heads …).

Its labels are whatever the model was trained on; judged.py gives them meaning through `conditioning` (so
"生气/angry", "ang" and "anger" all land on anger). Audio is resampled here to the feature extractor's rate, because
the pipeline's own resampler needs torchaudio, which the studio does not require.
"""

from __future__ import annotations

import functools
from pathlib import Path

from conditioning import StudioError
from eval.recognition import Recognition
from eval.recognizers.judged import from_label_probs
from eval.recognizers.pitch import resample
from eval.recognizers.speech_features import load_audio

NAME = "speech_classifier"
REQUIRES = ("transformers", "torch")
OPTION = "model"
DEFAULT_MODEL = "superb/wav2vec2-base-superb-er"  # IEMOCAP 4-class head (neu, hap, ang, sad); any works


@functools.lru_cache(maxsize=2)
def load_pipeline(model: str, device: str = "cpu"):
    from transformers import pipeline

    try:
        return pipeline("audio-classification", model=model, device=device)
    except OSError as exc:
        raise StudioError(
            f"Audio-classification model {model!r} is not available here ({str(exc).splitlines()[0][:120]}); "
            f"download it on a machine with network and pass the folder: {NAME}=/path/to/model."
        ) from None


def label_probabilities(signal, sr: int, model: str, device: str = "cpu") -> dict:
    classify = load_pipeline(model, device)
    target = int(classify.feature_extractor.sampling_rate)
    audio = resample(signal, sr, target).astype("float32")
    scores = classify({"raw": audio, "sampling_rate": target}, top_k=classify.model.config.num_labels)
    return {item["label"]: float(item["score"]) for item in scores}


def recognize(path: Path, model: str | None = None, device: str = "cpu") -> Recognition:
    signal, sr = load_audio(Path(path))
    probs = label_probabilities(signal, sr, model or DEFAULT_MODEL, device)
    return from_label_probs(NAME, probs, attributes={"model": model or DEFAULT_MODEL})
