"""`resolve(anything) -> EmotionSpec`: the single door from what a user says to what the studio works with.

Accepted: a label in any taxonomy ("Angry", "mikels8:awe"), a VAD point ("0.6, -0.3, 0.1", "7,3,5 scale=1-9",
a list, or {"vad": [...], "scale": "0-1"}), free text ("joy tinged with fear"), a blend ("joy*0.7 + fear*0.3"),
or an EmotionSpec (returned as is). `resolve_arc` reads arcs ("calm:0,dread:4").
"""

from __future__ import annotations

import contextlib
import contextvars
import functools
import re
from collections.abc import Iterator, Mapping, Sequence

from conditioning.arc import EmotionArc
from conditioning.errors import StudioError, brief
from conditioning.lexicon import LexiconEntry, get_lexicon, is_english_word
from conditioning.spec import EmotionSpec, blend, categories_from
from conditioning.taxonomies import CANONICAL_TAXONOMY, TAXONOMIES, TAXONOMY_ALIASES, get_taxonomy
from conditioning.taxonomy_mapping import label_lemma, soft_distribution
from conditioning.text_encoder import encoder_available
from conditioning.text_resolution import read_text
from conditioning.vad import to_unit_vad

MAX_EMOTION_CHARS = 2000  # a feeling in a few sentences; longer text is a pasted document (and slow to read)
MAX_BLEND_WEIGHT = 1e6  # weights are relative; a larger one is a typo, and 1e308 overflows the sum
HEAD_SHARE_WITH_LEXICON = 0.5  # when the text names emotion words, the lexicon and the learned head share the say
HEAD_TAXONOMY_SHARE = 0.6
"""In a taxonomy other than the canonical one (Ekman's, GoEmotions' own …), the category head's 28-label reading takes
this share of the distribution and the canonical categories (lexicon labels, VAD proximity) the rest. Chosen on
GoEmotions dev (single-label Ekman top-1 / macro-F1: 0.659 / 0.547 at 1, 0.652 / 0.553 at 0.6, 0.643 / 0.555 at 0.5)
together with the everyday phrase set (Ekman 0.60, 0.66, 0.68): the head, trained on Reddit where a third of
comments are neutral, alone reads everyday situations ("my baby took her first steps today") as neutral. Rechecked
when the encoder's LoRA learned GoEmotions too: 0.707 / 0.634 at 1, 0.702 / 0.634 at 0.6 (phrases 0.63, 0.68); kept."""
NUMBER = r"[-+]?(?:\d+(?:\.\d*)?|\.\d+)(?:e[-+]?\d+)?|nan|inf"  # unambiguous: no backtracking blow-up
VAD_PATTERN = re.compile(
    rf"^\s*[(\[]?\s*((?:{NUMBER})(?:\s*[,;\s]\s*(?:{NUMBER}))*)\s*[)\]]?\s*"
    r"(?:(?:scale\s*=?\s*|@\s*|on\s+(?:the\s+)?)(\S+?)(?:\s+scale)?)?\s*$",
    re.IGNORECASE,
)
TAXONOMY_LABEL = re.compile(r"(?P<prefix>[A-Za-z][\w-]*):\s*(?P<label>[A-Za-z][A-Za-z'-]*)")
"""'mikels8:awe' — a label in a named taxonomy (an unknown prefix is refused, not read as free text)."""
WEIGHTED_PART = re.compile(
    rf"^\s*(?:(?P<pre>{NUMBER})\s*%?\s*\*?\s+|(?P<prestar>{NUMBER})\s*\*\s*)?(?P<body>.+?)"
    rf"(?:\s*[*×]\s*(?P<post>{NUMBER}))?\s*$",
    re.IGNORECASE | re.DOTALL,  # a part may span lines ("joy\n+ calm")
)
EMOJI_WORDS = {
    "😡": "anger", "😠": "anger", "🤬": "rage", "😤": "frustration",
    "😢": "sadness", "😭": "sadness", "😞": "disappointment", "😔": "sadness", "💔": "heartbreak",
    "😱": "fear", "😨": "fear", "😰": "anxiety", "😟": "worry",
    "😂": "amusement", "🤣": "amusement", "😆": "amusement",
    "😊": "joy", "😀": "joy", "😃": "joy", "😄": "joy", "😁": "joy", "🥳": "excitement",
    "❤": "love", "😍": "love", "🥰": "love", "😘": "love",
    "🤢": "disgust", "🤮": "disgust", "😮": "surprise", "😲": "surprise", "😯": "surprise",
    "😌": "relief", "😴": "sleepiness", "😐": "neutral", "😑": "neutral", "🙂": "contentment",
}  # fmt: skip
"""Common emoji read as the emotion word their Unicode name gives (CLDR short names: 'pouting face' → anger,
'crying face' → sadness, 'face screaming in fear' → fear, 'face with tears of joy' → amusement, …)."""
LATIN_LETTER = re.compile(r"[A-Za-z]")


def words_for_emoji(text: str) -> str:
    """Emoji from EMOJI_WORDS replaced by their emotion words ('😡😡😡' → 'anger anger anger')."""
    if text.isascii():
        return text
    text = text.replace("\ufe0f", "")
    out = "".join(f" {EMOJI_WORDS[ch]} " if ch in EMOJI_WORDS else ch for ch in text)
    return re.sub(r"\s+", " ", out).strip() if out != text else text


def refuse_unread_text(text: str) -> None:
    """Text in another script (Japanese, Arabic), only symbols or unknown emoji, or whose words are all non-words:
    one sentence with near-misses, never a confident wrong reading. Numbers ("$1,900!") and initials ("P.S.") are
    language with little feeling in it: they are read, near neutral and with low confidence (people rated both in
    EmoBank)."""
    if not LATIN_LETTER.search(text):
        if any(ch.isalpha() for ch in text) or not any(ch.isdigit() for ch in text):
            raise StudioError(
                f"The studio reads English text; {brief(text)} has no English words — describe the feeling in "
                "English (e.g. 'very sad', 'furious'), or give a label or a VAD point."
            )
        return
    words = re.findall(r"[A-Za-z]+(?:'[A-Za-z]+)?", text)
    if all(len(w) < 3 for w in words) or any(is_english_word(w) is not False for w in words):
        return
    suggestions = [s for w in words for s in get_lexicon().closest(w, extra=emotion_labels())][:3]
    hint = f"; did you mean {', '.join(suggestions)}?" if suggestions else "; describe the feeling in English words."
    raise StudioError(f"No emotion words in {brief(text)}: it holds no English word{hint}")


_EVIDENCE: contextvars.ContextVar[list[float] | None] = contextvars.ContextVar("reading_evidence", default=None)


@contextlib.contextmanager
def collect_confidence() -> Iterator[list[float]]:
    """Within the block, every free-text reading appends its confidence (0–1) to the yielded list; `confidence_of`
    turns it into one number. Labels and VAD points add nothing: they are what the user said, confidence 1."""
    seen: list[float] = []
    token = _EVIDENCE.set(seen)
    try:
        yield seen
    finally:
        _EVIDENCE.reset(token)


def confidence_of(seen: list[float]) -> float:
    """One confidence for a resolved input: its weakest free-text reading, 1.0 when it had none."""
    return round(min(seen), 3) if seen else 1.0


@functools.cache
def emotion_labels() -> tuple[str, ...]:
    """Every label of every taxonomy, lower case (for near-miss suggestions)."""
    return tuple({label.lower() for name in TAXONOMIES for label in get_taxonomy(name).labels})


@functools.cache
def label_home(word: str) -> tuple[str, str] | None:
    """A (label, taxonomy) naming the same emotion as lexicon word `word`, canonical taxonomy first."""
    for name in [CANONICAL_TAXONOMY] + [n for n in TAXONOMIES if n != CANONICAL_TAXONOMY]:
        for label in get_taxonomy(name).labels:
            if label_lemma(label) == word:
                return label, name
    return None


def spec_from_entry(entry: LexiconEntry, source: str) -> EmotionSpec:
    """A bare emotion word as a spec: its lexicon VAD and default intensity."""
    home = label_home(entry.word)
    categories = categories_from(entry.vad, *home) if home else categories_from(entry.vad)
    return EmotionSpec(vad=entry.vad, intensity=entry.intensity, categories=categories, source=source)


def spec_from_vad(values: Sequence, scale: str = "-1-1", source: str | None = None) -> EmotionSpec:
    """A VAD point as a spec; intensity is its distance from neutral on the valence–arousal plane."""
    vad = to_unit_vad(values, scale)
    intensity = min(1.0, (vad[0] ** 2 + vad[1] ** 2) ** 0.5)
    return EmotionSpec(vad=vad, intensity=intensity, categories=categories_from(vad), source=source or str(values))


def spec_from_label(label: str, taxonomy: str) -> EmotionSpec:
    """A label of a named taxonomy ("mikels8:awe", "emovoice7:Angrily"); refuses labels the taxonomy lacks."""
    tax = get_taxonomy(taxonomy)
    wanted = label.strip().lower()
    entry = get_lexicon().lookup(wanted)
    matches = [known for known in tax.labels if known == wanted or (entry and label_lemma(known) == entry.word)]
    if not matches:
        if entry is not None:
            close = [k for k, _ in soft_distribution(entry.vad, tax.name, top=3)]
        else:
            close = [k for k in tax.labels if k in get_lexicon().closest(wanted, n=10) or k[:3] == wanted[:3]]
        hint = f" (closest: {', '.join(close)})" if close else ""
        raise StudioError(f"{brief(label)} is not a {tax.title} label{hint}; choose from {', '.join(tax.labels)}.")
    chosen = matches[0]
    entry = get_lexicon().entries[label_lemma(chosen)]
    return EmotionSpec(
        vad=entry.vad,
        intensity=entry.intensity,
        categories=categories_from(entry.vad, chosen, tax.name),
        source=f"{tax.name}:{label}",
        label=chosen,
        taxonomy=tax.name,
    )


def spec_from_text(text: str, use_encoder: bool | None = None) -> EmotionSpec:
    """Free text as a spec: VAD from `read_text`, categories mixed from the emotions it names."""
    reading = read_text(text, use_encoder=use_encoder)
    evidence = _EVIDENCE.get()
    if evidence is not None:
        evidence.append(reading.confidence)
    components = reading.components
    if components:
        mass: dict[str, float] = {}
        total = sum(c.weight for c in components)
        for component in components:
            home = None if component.negated else label_home(component.entry.word)
            dist = categories_from(component.vad, *home) if home else categories_from(component.vad)
            for label, p in dist:
                mass[label] = mass.get(label, 0.0) + p * component.weight / total
        categories = tuple(sorted(mass.items(), key=lambda item: -item[1]))
    else:
        categories = categories_from(reading.vad)
    if "encoder" in reading.method:
        # an emotion word with a label of its own leads; one without ("anxious", "heartbroken") has only a VAD
        # point, and VAD proximity names the wrong category more often than the head trained on people's labels
        named = any(not c.negated and label_home(c.entry.word) for c in components)
        feeling_named = any(not c.negated for c in components)
        categories, learned = with_head_categories(text, categories, lexical=named, feeling_named=feeling_named)
        return EmotionSpec(reading.vad, reading.intensity, categories, source=text, goemotions=learned)
    return EmotionSpec(vad=reading.vad, intensity=reading.intensity, categories=categories, source=text)


def with_head_categories(
    text: str, categories: tuple, lexical: bool, feeling_named: bool = False
) -> tuple[tuple, tuple]:
    """Mix in the GoEmotions head's reading (categories learned from people): (canonical categories, the head's
    28-label distribution scaled to its share, for `EmotionSpec.goemotions`); unchanged without the head.

    When the text names a feeling the lexicon knows (not negated), the head's 'neutral' is dropped: trained on Reddit
    comments, a third of them neutral, it calls short mood phrases neutral ("ecstatic and full of life": 0.62),
    which a named feeling contradicts."""
    from conditioning.text_categories import GOEMOTIONS_LABELS, canonical_distribution
    from conditioning.text_resolution import head_probabilities

    probabilities = head_probabilities(text)
    if probabilities is None:
        return categories, ()
    learned = canonical_distribution(probabilities)
    head_share = HEAD_SHARE_WITH_LEXICON if lexical else 1.0
    share = head_share * sum(p for _, p in learned)
    learned = [(label, p * share / max(sum(q for _, q in learned), 1e-9)) for label, p in learned]
    mass = {label: (1 - share) * p for label, p in categories}
    for label, p in learned:
        mass[label] = mass.get(label, 0.0) + p
    probabilities = probabilities.copy()  # the cached reading stays as the head gave it
    if feeling_named:
        probabilities[GOEMOTIONS_LABELS.index("neutral")] = 0.0
        probabilities /= max(probabilities.sum(), 1e-9)
    goemotions = sorted(
        ((k, head_share * HEAD_TAXONOMY_SHARE * float(p)) for k, p in zip(GOEMOTIONS_LABELS, probabilities)),
        key=lambda i: -i[1],
    )
    return tuple(sorted(mass.items(), key=lambda item: -item[1])), tuple((k, p) for k, p in goemotions if p >= 1e-4)


def parse_vad_point(text: str, scale: str | None = None) -> EmotionSpec | None:
    """'0.6, -0.3, 0.1' or '7,3,5 scale=1-9' → its spec; None when the text is not a VAD point at all."""
    match = VAD_PATTERN.match(re.sub(r"\s+", " ", text))  # one space per run: the pattern's \s* never compete
    if not match:
        return None
    numbers = [x for x in re.split(r"[,;\s]+", match.group(1).strip()) if x]
    stated = match.group(2) or scale or "-1-1"
    return spec_from_vad(numbers, stated, source=text)


def _split_blend(text: str) -> list[tuple[str, float]] | None:
    """'joy*0.7 + fear*0.3' or '70% joy + 30% fear' → [(part, weight)]; None when it is not a blend."""
    if "+" not in text:
        return None
    parts = [p for p in text.split("+") if p.strip()]
    if len(parts) < 2:
        return None
    out = []
    for part in parts:
        match = WEIGHTED_PART.match(part)
        body = match.group("body").strip()
        raw = match.group("pre") or match.group("prestar") or match.group("post")
        weight = float(raw) if raw else 1.0
        if raw and "%" in part:
            weight /= 100.0
        out.append((body, check_weight(weight, part.strip())))
    return out


def check_weight(weight, where: str) -> float:
    """A blend weight: a finite number from 0 to MAX_BLEND_WEIGHT (inf, nan and 1e308 would poison the mix)."""
    try:
        number = float(weight)
    except (TypeError, ValueError, OverflowError):
        number = float("nan")
    if isinstance(weight, bool) or not 0 <= number <= MAX_BLEND_WEIGHT:
        raise StudioError(
            f"Blend weight {brief(weight)} in {brief(where)} must be a number from 0 to "
            f"{MAX_BLEND_WEIGHT:g}; weights are relative, e.g. 'joy*0.7 + fear*0.3'."
        )
    return number


def _resolve_word(word: str, use_encoder: bool | None = None) -> EmotionSpec:
    """One word: an emotion label reads from the lexicon; any other English word ("eerie", "festive") is read by
    the sentence encoder and its heads; a non-word or typo is refused with its near-misses ("hapy" → happy)."""
    entry = get_lexicon().lookup(word)
    with_encoder = encoder_available() if use_encoder is None else use_encoder
    if entry is not None and (label_home(entry.word) or not with_encoder):
        return spec_from_entry(entry, source=word)
    if entry is not None or (with_encoder and is_english_word(word)):
        return spec_from_text(word, use_encoder=with_encoder)  # no label of its own: categories learned from people
    suggestions = get_lexicon().closest(word, extra=emotion_labels())
    if suggestions:
        raise StudioError(f"Unknown emotion {brief(word)}; did you mean {', '.join(suggestions)}?")
    raise StudioError(
        f"Unknown emotion {brief(word)}; use a label such as joy, awe, fear or calm (see `studio taxonomies`), "
        "a VAD point like '0.6,-0.3,0.1', or describe the feeling in a phrase."
    )


def resolve(
    value, taxonomy: str | None = None, scale: str | None = None, use_encoder: bool | None = None
) -> EmotionSpec:
    """Turn a label, VAD point, free text, blend or spec into an EmotionSpec (labelled in `taxonomy` if given)."""
    try:
        spec = _resolve(value, scale, use_encoder)
    except RecursionError:
        raise StudioError("The emotion is nested too deeply; a blend of blends needs only a few levels.") from None
    return spec.labelled(taxonomy) if taxonomy else spec


def _resolve(value, scale: str | None, use_encoder: bool | None) -> EmotionSpec:
    if isinstance(value, EmotionSpec):
        return value
    if isinstance(value, Mapping):
        return _resolve_mapping(value, scale, use_encoder)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return spec_from_vad(list(value), scale or "-1-1")
    if not isinstance(value, str):
        raise StudioError(
            f"Cannot read an emotion from {type(value).__name__} {brief(value)}; give a label, VAD or text."
        )
    text = value.strip()
    if not text:
        raise StudioError("The emotion is empty; give a label (joy), a VAD point (0.6,-0.3,0.1) or a phrase.")
    _check_text(text)
    text = words_for_emoji(text)
    spec = parse_vad_point(text, scale)
    if spec is not None:
        return spec
    _refuse_structured_text(text)
    parts = _split_blend(text)
    if parts:
        return blend([(_resolve(body, scale, use_encoder), w) for body, w in parts], source=text)
    prefix, sep, rest = text.partition(":")
    if sep and " " not in prefix and (prefix.lower() in TAXONOMIES or prefix.lower() in TAXONOMY_ALIASES):
        return spec_from_label(rest.strip(), prefix)
    if TAXONOMY_LABEL.fullmatch(text):
        raise StudioError(
            f"Unknown taxonomy {prefix[:40]!r} in {brief(text)}; known taxonomies are "
            f"{', '.join(TAXONOMIES)} (see `studio taxonomies`), or drop the prefix and give the label alone."
        )
    if re.fullmatch(r"[A-Za-z][A-Za-z'-]*", text):
        return _resolve_word(text, use_encoder)
    refuse_unread_text(text)
    return spec_from_text(text, use_encoder=use_encoder)


def _check_text(text: str) -> None:
    if len(text) > MAX_EMOTION_CHARS:
        raise StudioError(
            f"The emotion {brief(text)} is {len(text):,} characters; the limit is {MAX_EMOTION_CHARS:,}, so describe "
            "the feeling in a sentence or two."
        )
    if "\x00" in text:
        raise StudioError(f"The emotion {brief(text)} holds a NUL byte (\\x00); remove it.")


def _refuse_structured_text(text: str) -> None:
    """JSON, or 'vad' with numbers that are not a valid point, typed as an emotion string: never free text."""
    if (
        text[0] == "{"
        or (text[0] == "[" and re.search(r"\d", text))
        or re.search(r"\bvad\b\W*[-+.\d]", text, re.IGNORECASE)
    ):
        raise StudioError(
            f"The emotion {brief(text)} looks like a VAD point or JSON, not a phrase; write a VAD point as "
            "three numbers in [-1, 1] like '0.6,-0.3,0.1' (or '7,3,5 scale=1-9'), or pass {\"vad\": [...]} as an "
            "object, not a string."
        )


def _resolve_mapping(value: Mapping, scale: str | None, use_encoder: bool | None) -> EmotionSpec:
    if "vad" in value:
        point = value["vad"]
        if isinstance(point, str) or not isinstance(point, Sequence):
            raise StudioError(f"VAD {brief(point)} must be a list of 2 or 3 numbers, e.g. [0.6, -0.3, 0.1].")
        scale_name = value.get("scale", scale or "-1-1")
        if not isinstance(scale_name, str):
            raise StudioError(f"VAD scale {brief(scale_name)} must be a name such as '0-1' or '1-9'.")
        return spec_from_vad(list(point), scale_name, source=f"vad {brief(point)}")
    if "label" in value:
        if value.get("taxonomy"):
            return spec_from_label(str(value["label"]), str(value["taxonomy"]))
        return _resolve(str(value["label"]), scale, use_encoder)
    if "text" in value:
        text = str(value["text"]).strip()
        _check_text(text)
        text = words_for_emoji(text)
        refuse_unread_text(text)
        return spec_from_text(text, use_encoder=use_encoder)
    if "blend" in value:
        items = value["blend"]
        if isinstance(items, (str, Mapping)) or not isinstance(items, Sequence):
            items = [items]
        parts = []
        for part in items:
            if not isinstance(part, Mapping) or "emotion" not in part:
                raise StudioError(
                    f'Blend part {brief(part)} must be an object like {{"emotion": "joy", "weight": 0.7}}.'
                )
            weight = check_weight(part.get("weight", 1.0), str(part.get("emotion")))
            parts.append((_resolve(part["emotion"], scale, use_encoder), weight))
        return blend(parts)
    if "intensity" in value and "categories" in value:
        return EmotionSpec.from_dict(value)
    raise StudioError(f"Cannot read an emotion from {brief(dict(value))}; use a 'vad', 'label', 'text' or 'blend' key.")


def resolve_arc(
    value, interpolation: str = "smooth", use_encoder: bool | None = None, sort: bool = False
) -> EmotionArc:
    """An arc from 'calm:0,dread:4' (emotion:seconds pairs, in time order), a list of {"t", "emotion"}, or an
    EmotionArc. Keys out of time order are refused, not silently re-sorted ('calm:5,dread:1' is more likely a typo);
    `sort=True` is for a caller that shows each key's time beside it anyway (the app's arc table)."""
    if isinstance(value, EmotionArc):
        return value
    try:
        return _resolve_arc(value, interpolation, use_encoder, sort)
    except RecursionError:
        raise StudioError("The emotion arc is nested too deeply; give keys like 'calm:0,dread:4'.") from None


def _resolve_arc(value, interpolation: str, use_encoder: bool | None, sort: bool) -> EmotionArc:
    if isinstance(value, Mapping):
        keys = value.get("keys")
        if isinstance(keys, Sequence) and keys and isinstance(keys[0], Mapping) and "spec" in keys[0]:
            try:
                return EmotionArc.from_dict(value)
            except (KeyError, TypeError, ValueError, AttributeError) as exc:
                if isinstance(exc, StudioError):
                    raise
                raise StudioError('A recorded arc needs keys like {"t": 0, "spec": {…}}; re-record it.') from None
        interpolation = value.get("interpolation", interpolation)
        if not isinstance(interpolation, str):
            raise StudioError(f"Arc interpolation {brief(interpolation)} must be linear, smooth or step.")
        value = value.get("keys", [])
    keys = []
    if isinstance(value, str):
        for item in [p for p in value.split(",") if p.strip()]:
            emotion, sep, time = item.rpartition(":")
            if not sep or not emotion.strip():
                raise StudioError(
                    f"Arc key {brief(item.strip())} needs the form emotion:seconds, e.g. 'calm:0,dread:4'."
                )
            keys.append((_seconds(time, item), resolve(emotion.strip(), use_encoder=use_encoder)))
    elif isinstance(value, Sequence):
        for item in value:
            if not isinstance(item, Mapping) or "t" not in item or "emotion" not in item:
                raise StudioError(f'Arc key {brief(item)} must be an object like {{"t": 0, "emotion": "calm"}}.')
            keys.append((_seconds(item["t"], item), resolve(item["emotion"], use_encoder=use_encoder)))
    else:
        raise StudioError(f"Cannot read an emotion arc from {brief(value)}; use 'calm:0,dread:4'.")
    if sort:
        keys.sort(key=lambda key: key[0])
    times = [t for t, _ in keys]
    if times != sorted(times):
        raise StudioError(
            f"Arc keys must be in time order; got times {brief(times)} — write them earliest first, "
            "e.g. 'calm:0,dread:4'."
        )
    return EmotionArc(keys=tuple(keys), interpolation=interpolation)


def _seconds(value, item) -> float:
    """An arc key's time: a finite number of seconds (not true/false, not text)."""
    try:
        seconds = float(value) if not isinstance(value, bool) else float("nan")
    except (TypeError, ValueError, OverflowError):
        seconds = float("nan")
    if seconds != seconds:
        raise StudioError(f"Arc key {brief(item)}: {brief(value)} is not a time in seconds.")
    return seconds
