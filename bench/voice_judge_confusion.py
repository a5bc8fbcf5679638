"""The speech judge's confusion matrix for the EmoVoice-7 emotions on three sentences, Piper vs eSpeak (issue 15's
acceptance). The judge is the learned one (eval/recognizers/speech_judge.py, trained on RAVDESS's acted speech,
never on our voices): its 8 RAVDESS emotions fold into EmoVoice-7 (calm counts as neutral) and the most probable
one is the verdict. The heuristic speech_features judge, read as the nearest EmoVoice-7 label to its VAD estimate,
is printed beside it for comparison. Chance is 1/7. When the speaker-normalised head is installed, the 21 clips of
each backend are also judged as one set from one voice (speech_judge.recognize_group: features z-scored by the set);
that head was chosen on RAVDESS cross-validation alone, never on these figures.

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


def emovoice_verdict(attributes: dict) -> str:
    votes: dict[str, float] = {}
    for ravdess, emovoice in EMOVOICE_OF_RAVDESS.items():
        votes[emovoice] = votes.get(emovoice, 0.0) + float(attributes.get(f"p_{ravdess}", 0.0))
    return max(votes, key=votes.get)


def learned_verdict(x, sr) -> str:
    return emovoice_verdict(speech_judge.recognize_signal(x, sr).attributes)


def heuristic_verdict(x, sr) -> str:
    guess = soft_distribution(speech_features.recognize_signal(x, sr).vad, "emovoice7")
    return max(guess, key=lambda kv: kv[1])[0]


def print_matrix(backend: str, judge: str, labels, intended: list[str], judged: list[str]) -> None:
    matrix = {e: dict.fromkeys(labels, 0) for e in labels}
    for emotion, verdict in zip(intended, judged):
        matrix[emotion][verdict] += 1
    hits, n = sum(matrix[e][e] for e in labels), len(intended)
    print(f"\n{backend}, judged by {judge}: top-1 {hits}/{n} = {hits / n:.2f} (chance {1 / len(labels):.2f});"
          " rows intended, columns judged")  # fmt: skip
    print(" " * 10 + " ".join(f"{label[:5]:>5}" for label in labels))
    for emotion in labels:
        print(f"{emotion:>10}" + " ".join(f"{matrix[emotion][label]:5d}" for label in labels))


def main() -> None:
    labels = get_taxonomy("emovoice7").labels
    for backend in ("piper", "espeak"):
        clips = {(e, t): speak(backend, t, e) for e in labels for t in SENTENCES}
        intended = [emotion for emotion, _ in clips]
        for judge, verdict in (("speech_judge (learned)", learned_verdict), ("speech_features", heuristic_verdict)):
            print_matrix(backend, judge, labels, intended, [verdict(x, sr) for x, sr in clips.values()])
        if speech_judge.SPEAKER_NORM_HEAD_PATH.is_file():
            group = speech_judge.recognize_group(clips.values())
            judge = f"speech_judge, speaker-normalised over the {len(group)} clips"
            print_matrix(backend, judge, labels, intended, [emovoice_verdict(r.attributes) for r in group])


if __name__ == "__main__":
    main()
