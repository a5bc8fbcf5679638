"""The speech judge's confusion matrix for the EmoVoice-7 emotions on three sentences, Piper vs eSpeak (issue 15's
acceptance). The judge is the learned one (eval/recognizers/speech_judge.py, trained on RAVDESS's acted speech,
never on our voices): its 8 RAVDESS emotions fold into EmoVoice-7 (calm counts as neutral) and the most probable
one is the verdict. The heuristic speech_features judge, read as the nearest EmoVoice-7 label to its VAD estimate,
is printed beside it for comparison. Chance is 1/7. When the speaker-normalised head is installed, the 21 clips of
each backend are also judged as one set from one voice (speech_judge.recognize_group: features z-scored by the set);
that head was chosen on RAVDESS cross-validation alone, never on these figures.

The voices apply people's spectral envelopes measured on RAVDESS (generators/voice/spectral_envelope.py), the corpus
the judge learned from, so the shipped judge might partly check that the voices copied it. The held-out protocol
says how much: envelopes measured on actors 01–08 judged by a speaker-normalised head trained on actors 09–16 only,
and the other way round, each beside the same voices without envelopes. It needs ../shared/data/ravdess (features
cached in /tmp as for finetune.speech_judge; skip it with --no-held-out).

PYTHONPATH=. python bench/voice_judge_confusion.py [--no-held-out]"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

import numpy as np

from conditioning import resolve
from conditioning.taxonomies import get_taxonomy
from conditioning.taxonomy_mapping import soft_distribution
from eval.recognizers import speech_features, speech_judge
from generators.voice import espeak, piper, spectral_envelope

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


RAVDESS = Path(__file__).resolve().parents[2] / "shared" / "data" / "ravdess"
HALVES = (("1-8", "9-16"), ("9-16", "1-8"))


def held_out_protocol(labels) -> None:
    """Top-1 (of 21) of each backend judged by a head trained on the actors the envelopes did not come from."""
    from eval.recognizers.speaker_norm import normalise_by_speaker, normalise_group
    from eval.recognizers.speech_judge import signal_16k
    from eval.recognizers.speech_judge_features import SR, clip_features
    from finetune import speech_judge as judge_training
    from finetune import voice_envelopes

    rows = judge_training.read_labels(RAVDESS)
    features = judge_training.cached_features(RAVDESS, rows, Path("/tmp"), workers=2)
    actors = np.array([f"{int(r['actor']):02d}" for r in rows])
    emotions = np.array([r["emotion"] for r in rows])
    bands = features[:, voice_envelopes.band_columns()].astype(np.float64)
    print("\nheld-out protocol: envelopes from one half of RAVDESS's actors, judged by a speaker-normalised head"
          " trained on the other half (C = 0.03); top-1 of 21, chance 3")  # fmt: skip
    saved = spectral_envelope.ENVELOPES_PATH
    with tempfile.TemporaryDirectory() as tmp:
        try:
            for envelope_actors, judge_actors in HALVES:
                judged = np.isin(actors, sorted(voice_envelopes.parse_actors(judge_actors)))
                head = judge_training.fit(
                    normalise_by_speaker(features[judged], actors[judged]), emotions[judged], C=0.03
                )
                table = Path(tmp) / f"envelopes-{envelope_actors}.safetensors"
                chosen = voice_envelopes.parse_actors(envelope_actors)
                voice_envelopes.save_table(voice_envelopes.envelope_table(bands, rows, chosen), {}, table)
                for backend in ("piper", "espeak"):
                    hits = {}
                    for name, path in (("without", Path(tmp) / "none.safetensors"), ("with", table)):
                        spectral_envelope.ENVELOPES_PATH = path
                        clips = {(e, t): speak(backend, t, e) for e in labels for t in SENTENCES}
                        z = normalise_group(
                            np.stack([clip_features(signal_16k(x, sr), SR) for x, sr in clips.values()])
                        )
                        verdicts = judge_training.predict_proba(head, z).argmax(1)
                        hits[name] = sum(
                            EMOVOICE_OF_RAVDESS[judge_training.LABELS[v]] == e for (e, _), v in zip(clips, verdicts)
                        )
                    print(f"  envelopes from actors {envelope_actors:5s} judge trained on {judge_actors:5s} {backend:6s}:"
                          f" {hits['with']}/21 with envelopes, {hits['without']}/21 without")  # fmt: skip
        finally:
            spectral_envelope.ENVELOPES_PATH = saved


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
    if "--no-held-out" not in sys.argv and (RAVDESS / "labels.csv").is_file():
        held_out_protocol(labels)


if __name__ == "__main__":
    main()
