"""Judge a folder's voice clips voice by voice: the clips whose provenance names the same voice (backend and voice,
e.g. piper:en_US-joe-medium or espeak:espeak-ng 1.52/en) form a set, and a set of at least speaker_norm.MIN_GROUP
clips is judged together by the speaker-normalised speech judge (speech_judge.recognize_group), which agreed with
people better across speakers than the plain head. Everything else — a smaller set, an edited recording (its speaker
is not named), another judge, or no speaker-normalised head installed — goes to the plain judge clip by clip.

The report's folder scoring wraps its voice judge once: `callables["voice"] = by_voice(callables["voice"], artifacts)`,
and shows `with_set_card(card, artifacts)` as the voice judge's card, so a report whose clips the normalised head
judged quotes that head's agreement with people, not the plain head's.
"""

from __future__ import annotations

import threading
from collections import defaultdict
from collections.abc import Callable, Mapping
from pathlib import Path

from conditioning.artifact import Artifact
from conditioning.errors import StudioError
from eval.recognition import Recognition
from eval.recognizers import speech_features, speech_judge
from eval.recognizers.speaker_norm import MIN_GROUP


def voice_of(artifact: Artifact) -> str | None:
    """'backend:voice' from a voice artifact's provenance; None when it names no voice (an edited recording)."""
    record = artifact.provenance
    params = record.get("parameters") or {}
    voice = params.get("voice")
    if isinstance(voice, dict) and voice.get("voice"):
        name = voice["voice"]
    elif record.get("model"):
        name = f"{record['model']}/{params['language']}" if params.get("language") else record["model"]
    else:
        return None
    return f"{record.get('backend')}:{name}"


def voice_sets(artifacts: Mapping[Path, Artifact]) -> dict[str, list[Path]]:
    """The voice files grouped by voice, only the sets large enough for speaker normalisation."""
    sets = defaultdict(list)
    for path, artifact in artifacts.items():
        voice = voice_of(artifact) if artifact.modality == "voice" else None
        if voice:
            sets[voice].append(Path(path))
    return {voice: sorted(paths) for voice, paths in sets.items() if len(paths) >= MIN_GROUP}


def judged_as_sets(recognize: Callable, artifacts: Mapping[Path, Artifact]) -> dict[str, list[Path]]:
    """The voice sets `by_voice` hands to the speaker-normalised head (none unless `recognize` is the default speech
    judge and that head is installed)."""
    if recognize is not speech_judge.recognize or not speech_judge.SPEAKER_NORM_HEAD_PATH.is_file():
        return {}
    return voice_sets(artifacts)


def with_set_card(card: dict, recognize: Callable, artifacts: Mapping[Path, Artifact]) -> dict:
    """The voice judge's card as a report should show it: when sets of one voice go to the speaker-normalised head,
    that head's card, naming the sets, with the plain head's card kept under "single_clips" for the rest."""
    sets = judged_as_sets(recognize, artifacts)
    if not sets:
        return card
    normalised = speech_judge.card(str(speech_judge.SPEAKER_NORM_HEAD_PATH))
    where = ", ".join(f"{voice} ({len(paths)} clips)" for voice, paths in sorted(sets.items()))
    return {
        **normalised,
        "applies_to": f"sets of at least {MIN_GROUP} clips of one voice: {where}",
        "single_clips": card,
    }


def by_voice(recognize: Callable, artifacts: Mapping[Path, Artifact]) -> Callable[[Path], Recognition]:
    """`recognize`, except that with the default speech judge the clips of each large-enough voice set are judged
    together (the first call for a set judges all of it; thread-safe, so the report's pool may call it)."""
    sets = judged_as_sets(recognize, artifacts)
    if not sets:
        return recognize
    member = {path: voice for voice, paths in sets.items() for path in paths}
    locks = {voice: threading.Lock() for voice in sets}
    judged: dict[str, dict[Path, Recognition]] = {}

    def judge_set(voice: str) -> dict[Path, Recognition]:
        readable = {}
        for path in sets[voice]:
            try:
                readable[path] = speech_features.load_audio(path)
            except StudioError:
                continue  # judged (and reported) on its own below
        if len(readable) < MIN_GROUP:
            return {}
        return dict(zip(readable, speech_judge.recognize_group(readable.values())))

    def recognize_in_set(path: Path) -> Recognition:
        voice = member.get(Path(path))
        if voice is None:
            return recognize(path)
        with locks[voice]:
            if voice not in judged:
                judged[voice] = judge_set(voice)
        return judged[voice].get(Path(path)) or recognize(path)

    return recognize_in_set
