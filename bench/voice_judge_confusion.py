"""The speech judge's confusion matrix for the EmoVoice-7 emotions on three sentences, Piper vs eSpeak (issue 15's
acceptance). The judge is the learned one (eval/recognizers/speech_judge.py, trained on RAVDESS's acted speech,
never on our voices): its 8 RAVDESS emotions fold into EmoVoice-7 (calm counts as neutral) and the most probable
one is the verdict. The heuristic speech_features judge, read as the nearest EmoVoice-7 label to its VAD estimate,
is printed beside it for comparison. Chance is 1/7.

PYTHONPATH=. python bench/voice_judge_confusion.py"""

from __future__ import annotations

from conditioning import resolve
from conditioning.taxonomies import get_taxonomy
from conditioning.taxonomy_mapping import soft_distribution
from eval.recognizers import speech_features, speech_judge
from generators.voice import espeak, piper

SENTENCES = (
    "I never thought I would see you here again.",
    "The train leaves at nine tomorrow morning.",
    "Tell me what happened in the kitchen last night.",
)
EMOVOICE_OF_RAVDESS = {
    "neutral": "neutral",
    "calm": "neutral",
    "happy": "happy",
    "sad": "sad",
    "angry": "angry",
    "fearful": "fearful",
    "disgust": "disgusted",
    "surprised": "surprised",
}


def speak(backend: str, text: str, emotion: str):
    if backend == "piper":
        x, sr, _ = piper.synthesize(text, resolve(emotion))
        return x, sr
    return espeak.synthesize(text, resolve(emotion))


def learned_verdict(x, sr) -> str:
    attributes = speech_judge.recognize_signal(x, sr).attributes
    votes: dict[str, float] = {}
    for ravdess, emovoice in EMOVOICE_OF_RAVDESS.items():
        votes[emovoice] = votes.get(emovoice, 0.0) + float(attributes.get(f"p_{ravdess}", 0.0))
    return max(votes, key=votes.get)


def heuristic_verdict(x, sr) -> str:
    guess = soft_distribution(speech_features.recognize_signal(x, sr).vad, "emovoice7")
    return max(guess, key=lambda kv: kv[1])[0]


def main() -> None:
    labels = get_taxonomy("emovoice7").labels
    for backend in ("piper", "espeak"):
        clips = {(e, t): speak(backend, t, e) for e in labels for t in SENTENCES}
        for judge, verdict in (("speech_judge (learned)", learned_verdict), ("speech_features", heuristic_verdict)):
            matrix = {e: dict.fromkeys(labels, 0) for e in labels}
            for (emotion, _), (x, sr) in clips.items():
                matrix[emotion][verdict(x, sr)] += 1
            hits, n = sum(matrix[e][e] for e in labels), len(clips)
            print(f"\n{backend}, judged by {judge}: top-1 {hits}/{n} = {hits / n:.2f} (chance {1 / len(labels):.2f});"
                  " rows intended, columns judged")  # fmt: skip
            print(" " * 10 + " ".join(f"{label[:5]:>5}" for label in labels))
            for emotion in labels:
                print(f"{emotion:>10}" + " ".join(f"{matrix[emotion][label]:5d}" for label in labels))


if __name__ == "__main__":
    main()
