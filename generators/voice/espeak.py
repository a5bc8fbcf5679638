"""The embedded voice backend: eSpeak NG, driven in-process, speaking with the spec's `ProsodyStyle`.

Each sentence is one SSML `<prosody rate pitch range volume>` from the style of its moment (an arc is stretched over
the text: sentence i speaks the arc at start + span · offset_i / offset_last, so the last sentence reaches the last
key), with the contour shaped inside it (rising / falling: the last words raised / lowered; abrupt: the stressed, long
words louder than the rest). Sentences are spoken one by one, trimmed, and joined by pauses of SENTENCE_PAUSE_MS ×
pause_scale; speaking them separately also lets each take its own voice variant, which eSpeak's SSML cannot switch
mid-document. eSpeak is deterministic per session (see espeak_library); the seed drives its breath-noise generator.
Sentence splitting and arc placement are shared with the neural voices (sentences.py).

Option `prosody_transform`: eSpeak speaks every sentence in its neutral voice and prosody_transform.py shapes it
instead — the path every neural voice takes, so the two can be compared on one engine. The SSML path stays the
default: eSpeak's own prosody is free of resynthesis artefacts.

ProsodyStyle → eSpeak, with the constants measured on espeak-ng 1.52's default English voice (median F0 of voiced
frames over a three-sentence passage):
- rate:     wpm = 175 × rate (80–450), sent as a percentage of the neutral 175.
- pitch:    eSpeak's 0–100 scale moves the median F0 by ≈ 1 semitone per 6 units around 50; widening the range also
            lifts the median by ≈ 0.04 st per range unit, which the pitch value subtracts so pitch_shift stays the
            shift actually heard: pitch = 50 + 6 × (pitch_shift − 0.04 × (range − 50)).
- range:    50 × pitch_range² (50 is neutral; eSpeak's unit moves the heard excursion less than linearly).
- volume:   NEUTRAL_VOLUME × 10^((loudness_db + variant gain) / 20), at most 200; eSpeak's volume is linear in
            amplitude. Neutral sits at 60, not 100, so the loud styles (+4–6 dB, stressed words higher still) stay
            under full scale but for rare peaks, which eSpeak's own limiter softens.
- pauses:   a word gap of (pause_scale − 1) × 150 ms when pause_scale is above 1, and the pause after each sentence.
- quality:  a male variant from espeak-ng-data/voices/!v per voice quality (VARIANTS); a modal style with strong
            tremor or breathiness is promoted to trembling / breathy. Each variant's gain cancels its own loudness
            (measured RMS against the default voice), so loudness_db stays the loudness heard.
"""

from __future__ import annotations

import re
import statistics
import time
from xml.sax.saxutils import escape

import numpy as np

from conditioning.arc import EmotionArc
from conditioning.artifact import Artifact, provenance
from conditioning.errors import StudioError
from conditioning.prosody_style import ProsodyStyle, contour_gain, prosody_style
from conditioning.spec import EmotionSpec
from generators.media.wav import write_wav
from generators.request import GenerationRequest, check_output
from generators.voice import espeak_library as lib
from generators.voice import spectral_envelope
from generators.voice.prosody_transform import NEUTRAL, effects, transform
from generators.voice.sentences import clean_text, join_with_pauses, sentence_specs, split_sentences

SUFFIXES = (".wav",)
OPTIONS = ("language", "prosody_transform")  # no model, steps or LoRA: those belong to model backends
SAMPLE_RATE = lib.SAMPLE_RATE
BACKEND = "espeak"
NEUTRAL_RATE_WPM = 175
NEUTRAL_VOLUME = 60
PITCH_UNITS_PER_SEMITONE = 6.0
RANGE_LIFT_ST_PER_UNIT = 0.04
RANGE_EXPONENT = 2.0  # eSpeak widens the heard F0 range less than its unit suggests: measured, 50 × 0.76 moved sad
# +1.6 st wider (the falling contour outweighed it); squaring lets a narrow style come out narrow
WORDGAP_MS_PER_PAUSE = 150.0  # extra gap between words per unit of pause_scale above 1
SENTENCE_PAUSE_MS = 350.0  # eSpeak's own pause after a full stop at 175 wpm
END_PAD_MS = 100.0
CONTOUR_ST = 3.0  # rising / falling: semitones on the last words, × pitch_range
STRESS_DB = 4.0  # abrupt: dB between stressed and other words, × pitch_range
TREMOR_MIN, BREATHY_MIN = 0.5, 0.5
VARIANTS = {
    "modal": ("", 0.0),
    "tense": ("Mr serious", -5.5),  # flat tone curve, lowered F3: the flattest spectral slope of the male variants
    "bright": ("john", -5.1),  # flat tone curve
    "resonant": ("m7", -1.1),  # strong low formant, weak high ones: the steepest slope, a chest voice
    "trembling": ("grandpa", -0.2),  # pitch flutter 20
    "creaky": ("croak", 0.5),  # pitch flutter and a lowered first formant
    "breathy": ("klatt", 6.9),  # Klatt glottal source: lower harmonics-to-noise ratio than the default
    "whisper": ("whisper", 3.9),  # voicing 17 %, breath noise on the formants
}
"""voice quality → (eSpeak variant, gain in dB that brings its RMS to the default voice's)."""
LANGUAGE = re.compile(r"[A-Za-z]{2,3}(?:[-_][A-Za-z0-9]{1,8})*")


def voice_quality(style: ProsodyStyle) -> str:
    """The style's quality; a plain (modal) voice with strong tremor or breathiness takes that quality instead."""
    if style.voice_quality == "modal" and style.tremor >= TREMOR_MIN:
        return "trembling"
    if style.voice_quality == "modal" and style.breathiness >= BREATHY_MIN:
        return "breathy"
    return style.voice_quality


def espeak_parameters(style: ProsodyStyle) -> dict:
    """The eSpeak values for one style (see the module docstring for each conversion)."""
    quality = voice_quality(style)
    variant, gain_db = VARIANTS[quality]
    span = min(99, max(0, round(50 * style.pitch_range**RANGE_EXPONENT)))
    pitch = 50 + PITCH_UNITS_PER_SEMITONE * (style.pitch_shift - RANGE_LIFT_ST_PER_UNIT * (span - 50))
    wpm = min(450, max(80, NEUTRAL_RATE_WPM * style.rate))
    volume = NEUTRAL_VOLUME * 10 ** ((style.loudness_db + gain_db) / 20)
    return {
        "rate_percent": round(100 * wpm / NEUTRAL_RATE_WPM),
        "pitch": min(99, max(0, round(pitch))),
        "range": span,
        "volume": min(200, max(0, round(volume))),
        "wordgap": max(0, round((style.pause_scale - 1) * WORDGAP_MS_PER_PAUSE / 10)),  # eSpeak counts 10 ms units
        "pause_ms": round(SENTENCE_PAUSE_MS * style.pause_scale),
        "voice_quality": quality,
        "variant": variant,
        "contour": style.contour,
        "contour_gain": contour_gain(style),
    }


def letters(word: str) -> int:
    return sum(ch.isalpha() for ch in word)


def shaped_words(words: list[str], params: dict) -> str:
    """The sentence's words as SSML, with the contour's inner <prosody> (absolute values, never relative: eSpeak
    reads '+2st' as a percentage of its 0–100 scale, not of the frequency)."""
    gain = params["contour_gain"]
    if params["contour"] in ("rising", "falling") and len(words) > 1:
        tail = min(4, max(1, round(len(words) / 3)))
        sign = 1 if params["contour"] == "rising" else -1
        pitch = params["pitch"] + sign * PITCH_UNITS_PER_SEMITONE * CONTOUR_ST * gain
        inner = f'<prosody pitch="{min(99, max(0, round(pitch)))}">{escape(" ".join(words[-tail:]))}</prosody>'
        return f"{escape(' '.join(words[:-tail]))} {inner}"
    if params["contour"] == "abrupt":
        floor = max(4, statistics.median(letters(w) for w in words))
        loud = min(200, round(params["volume"] * 10 ** (STRESS_DB * gain / 40)))
        runs, current = [], None  # consecutive stressed words share one tag: fewer tags, fewer micro-pauses
        for word in words:
            stressed = letters(word) >= floor
            if current is None or current[0] != stressed:
                current = (stressed, [])
                runs.append(current)
            current[1].append(escape(word))
        return " ".join(
            f'<prosody volume="{loud}">{" ".join(ws)}</prosody>' if stressed else " ".join(ws) for stressed, ws in runs
        )
    return escape(" ".join(words))


def sentence_ssml(sentence: str, params: dict) -> str:
    """One <speak> document; for an abrupt contour the unstressed words sit half the contrast below the volume and
    the stressed ones half above, so the sentence keeps the style's loudness on average."""
    volume = params["volume"]
    if params["contour"] == "abrupt":
        volume = round(volume * 10 ** (-STRESS_DB * params["contour_gain"] / 40))
    attrs = f'rate="{params["rate_percent"]}%" pitch="{params["pitch"]}" range="{params["range"]}" volume="{volume}"'
    return f"<speak><prosody {attrs}>{shaped_words(sentence.split(), params)}</prosody></speak>"


def plan(text: str, emotion: EmotionSpec | EmotionArc) -> list[dict]:
    """Per sentence: its time, text, prosody style, eSpeak parameters and SSML — everything the audio depends on."""
    sentences = split_sentences(clean_text(text))
    timed = sentence_specs([offset for offset, _ in sentences], emotion)
    rows = []
    for (_, sentence), (t, spec) in zip(sentences, timed):
        style = prosody_style(spec)
        params = espeak_parameters(style)
        ssml = sentence_ssml(sentence, params)
        rows.append({"t": round(t, 3), "text": sentence, "prosody": style.to_dict(), "espeak": params, "ssml": ssml})
    return rows


def unknown_language(language) -> StudioError:
    return StudioError(
        f"Unknown language {language!r} for eSpeak NG; use 'en' (or another code such as 'en-us', 'fr')."
    )


def check_language(language) -> str:
    """Only a language code may reach eSpeak's voice lookup (no '+variant', no paths)."""
    if not isinstance(language, str) or not LANGUAGE.fullmatch(language):
        raise unknown_language(language)
    return language


def trim(samples: np.ndarray) -> np.ndarray:
    """Drop eSpeak's leading and trailing silence (its end-of-sentence pause), so pauses are ours to set."""
    loud = np.flatnonzero(np.abs(samples) > 8)
    return samples[loud[0] : loud[-1] + 1] if len(loud) else samples[:0]


def speak_rows(rows: list[dict], language: str, seed: int = 0) -> list[np.ndarray]:
    """Speak the planned sentences in one fresh eSpeak session; int16 samples per sentence, trimmed."""
    parts = []
    with lib.session(seed) as session:
        if not session.set_voice(check_language(language)):
            raise unknown_language(language)
        for row in rows:
            params = row["espeak"]
            voice = f"{language}+{params['variant']}" if params["variant"] else language
            if not session.set_voice(voice):
                raise RuntimeError(f"eSpeak NG has no voice variant {voice!r}; reinstall espeakng-loader.")
            for parameter, value in ((lib.RATE, NEUTRAL_RATE_WPM), (lib.PITCH, 50), (lib.RANGE, 50)):
                session.set_parameter(parameter, value)
            session.set_parameter(lib.VOLUME, NEUTRAL_VOLUME)
            session.set_parameter(lib.WORDGAP, params["wordgap"])
            parts.append(trim(session.speak(row["ssml"], ssml=True)))
    return parts


def render(rows: list[dict], language: str, seed: int = 0) -> np.ndarray:
    """The planned sentences spoken with eSpeak's own prosody and people's spectral envelope of each sentence's
    emotion (spectral_envelope.py), int16, with the planned pauses between them."""
    pauses = [row["espeak"]["pause_ms"] for row in rows[:-1]] + [END_PAD_MS]
    parts = [
        with_envelope(part, (row.get("prosody") or {}).get("envelope", ()))
        for part, row in zip(speak_rows(rows, language, seed), rows)
    ]
    return join_with_pauses(parts, pauses, SAMPLE_RATE)


def with_envelope(part: np.ndarray, weights) -> np.ndarray:
    """One int16 sentence through spectral_envelope.apply (the shaped path gets it inside the transform)."""
    if not weights:
        return part
    shaped = spectral_envelope.apply(part.astype(np.float64), SAMPLE_RATE, tuple(map(tuple, weights)))
    return np.clip(np.round(shaped), -32768, 32767).astype(np.int16)


def neutral_rows(rows: list[dict]) -> list[dict]:
    """The same sentences planned for a neutral eSpeak voice, each keeping its emotion's style for the transform."""
    params = espeak_parameters(NEUTRAL)
    return [{**row, "espeak": params, "ssml": sentence_ssml(row["text"], params)} for row in rows]


def render_shaped(rows: list[dict], language: str, seed: int = 0) -> np.ndarray:
    """eSpeak speaks each sentence neutrally and the prosody transform gives it its style (the same shaping every
    voice backend gets); float32 with the style's pauses."""
    styles = [ProsodyStyle(**row["prosody"]) for row in rows]
    parts = speak_rows(neutral_rows(rows), language, seed)
    shaped = [
        transform(part / 32768.0, SAMPLE_RATE, style, seed + i) for i, (part, style) in enumerate(zip(parts, styles))
    ]
    pauses = [SENTENCE_PAUSE_MS * style.pause_scale for style in styles[:-1]] + [END_PAD_MS]
    return join_with_pauses(shaped, pauses, SAMPLE_RATE)


def synthesize(
    text: str, emotion: EmotionSpec | EmotionArc, language: str = "en", seed: int = 0, shaped: bool = False
) -> tuple[np.ndarray, int]:
    """Speech of `text` in the voice of `emotion` (a spec, or an arc over the sentences): (float32 mono in [−1, 1],
    sample rate). shaped: a neutral eSpeak voice moved by the prosody transform instead of eSpeak's own prosody.
    No file; for code that needs the samples (prosody transforms, video narration)."""
    rows = plan(text, emotion)
    if shaped:
        return render_shaped(rows, language, seed), SAMPLE_RATE
    return render(rows, language, seed).astype(np.float32) / 32768.0, SAMPLE_RATE


def generate(request: GenerationRequest) -> Artifact:
    """Check the output, plan and speak the sentences, write a 16-bit WAV and its sidecar atomically."""
    out = check_output(request.out, SUFFIXES)
    language = check_language(request.options.get("language") or "en")
    start = time.perf_counter()
    rows = plan(request.text, request.arc if request.arc is not None else request.spec)
    shaped = bool(request.options.get("prosody_transform"))
    samples = render_shaped(rows, language, request.seed) if shaped else render(rows, language, request.seed)
    rows = neutral_rows(rows) if shaped else rows
    synth_s = time.perf_counter() - start
    write_wav(out, samples, SAMPLE_RATE)
    record = provenance(
        request=request.to_record(),
        modality="voice",
        spec=request.spec.to_dict(),
        arc=request.arc.to_dict() if request.arc is not None else None,
        styles={
            "prosody": prosody_style(request.spec).to_dict(),
            "sentences": [{"t": row["t"], "prosody": row["prosody"]} for row in rows],
        },
        backend=BACKEND,
        model=f"espeak-ng {lib.version()}",
        seed=request.seed,
        parameters={
            "language": language,
            "ssml": True,
            "prosody_transform": [effects(ProsodyStyle(**row["prosody"])) for row in rows] if shaped else None,
            "spectral_envelope": spectral_envelope.record(),
            "sentences": [{key: row[key] for key in ("text", "espeak", "ssml")} for row in rows],
            "sample_rate": SAMPLE_RATE,
            "duration_s": round(len(samples) / SAMPLE_RATE, 3),
            "espeak": {"neutral_rate_wpm": NEUTRAL_RATE_WPM, "neutral_volume": NEUTRAL_VOLUME},
            "text": request.text,
        },
        timings={"synth_s": round(synth_s, 4)},
    )
    artifact = Artifact(path=out, modality="voice", provenance=record)
    artifact.write_sidecar()
    return artifact
