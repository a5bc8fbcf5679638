"""The speech judge's confusion matrix for the EmoVoice-7 emotions on three sentences, Piper vs eSpeak (issue 15's
acceptance). The judge is the best on this branch: the feature recognizer (eval/recognizers/speech_features.py),
whose VAD estimate is read as the nearest EmoVoice-7 label. Chance is 1/7.

PYTHONPATH=. python bench/voice_judge_confusion.py"""

from __future__ import annotations

from conditioning import resolve
from conditioning.taxonomies import get_taxonomy
from conditioning.taxonomy_mapping import soft_distribution
from eval.recognizers.speech_features import recognize_signal
from generators.voice import espeak, piper

SENTENCES = (
    "I never thought I would see you here again.",
    "The train leaves at nine tomorrow morning.",
    "Tell me what happened in the kitchen last night.",
)


def speak(backend: str, text: str, emotion: str):
    if backend == "piper":
        x, sr, _ = piper.synthesize(text, resolve(emotion))
        return x, sr
    return espeak.synthesize(text, resolve(emotion))


def main() -> None:
    labels = get_taxonomy("emovoice7").labels
    for backend in ("piper", "espeak"):
        matrix = {e: dict.fromkeys(labels, 0) for e in labels}
        for emotion in labels:
            for text in SENTENCES:
                guess = soft_distribution(recognize_signal(*speak(backend, text, emotion)).vad, "emovoice7")
                matrix[emotion][max(guess, key=lambda kv: kv[1])[0]] += 1
        hits = sum(matrix[e][e] for e in labels)
        print(f"\n{backend}: top-1 {hits}/{len(labels) * len(SENTENCES)} = {hits / (len(labels) * len(SENTENCES)):.2f}"
              f" (chance {1 / len(labels):.2f}); rows intended, columns judged")  # fmt: skip
        print(" " * 10 + " ".join(f"{label[:5]:>5}" for label in labels))
        for emotion in labels:
            print(f"{emotion:>10}" + " ".join(f"{matrix[emotion][label]:5d}" for label in labels))


if __name__ == "__main__":
    main()
