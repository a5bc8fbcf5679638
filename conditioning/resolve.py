"""`resolve(anything) -> EmotionSpec`: the single door from what a user says to what the studio works with.

Accepted: a label in any taxonomy ("Angry", "mikels8:awe"), a VAD point ("0.6, -0.3, 0.1", "7,3,5 scale=1-9",
a list, or {"vad": [...], "scale": "0-1"}), free text ("joy tinged with fear"), a blend ("joy*0.7 + fear*0.3"),
or an EmotionSpec (returned as is). `resolve_arc` reads arcs ("calm:0,dread:4").
"""

from __future__ import annotations

import functools
import re
from collections.abc import Mapping, Sequence

from conditioning.arc import EmotionArc
from conditioning.errors import StudioError
from conditioning.lexicon import LexiconEntry, get_lexicon
from conditioning.spec import EmotionSpec, blend, categories_from
from conditioning.taxonomies import CANONICAL_TAXONOMY, TAXONOMIES, TAXONOMY_ALIASES, get_taxonomy
from conditioning.taxonomy_mapping import label_lemma, soft_distribution
from conditioning.text_resolution import read_text
from conditioning.vad import to_unit_vad

HEAD_SHARE_WITH_LEXICON = 0.5  # when the text names emotion words, the lexicon and the learned head share the say
NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:e[-+]?\d+)?|nan|inf"
VAD_PATTERN = re.compile(
    rf"^\s*[(\[]?\s*((?:{NUMBER})(?:\s*[,;\s]\s*(?:{NUMBER}))*)\s*[)\]]?\s*"
    r"(?:(?:scale\s*=?\s*|@\s*|on\s+(?:the\s+)?)(\S+?)(?:\s+scale)?)?\s*$",
    re.IGNORECASE,
)
WEIGHTED_PART = re.compile(
    rf"^\s*(?:(?P<pre>{NUMBER})\s*%?\s*\*?\s+|(?P<prestar>{NUMBER})\s*\*\s*)?(?P<body>.+?)"
    rf"(?:\s*[*×]\s*(?P<post>{NUMBER}))?\s*$",
    re.IGNORECASE,
)


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
        raise StudioError(f"{label!r} is not a {tax.title} label{hint}; choose from {', '.join(tax.labels)}.")
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
        categories = with_head_categories(text, categories, lexical=bool(components))
    return EmotionSpec(vad=reading.vad, intensity=reading.intensity, categories=categories, source=text)


def with_head_categories(text: str, categories: tuple, lexical: bool) -> tuple:
    """Mix in the GoEmotions head's reading (categories learned from people); unchanged without the head."""
    from conditioning.text_categories import canonical_distribution
    from conditioning.text_resolution import embed_one

    learned = canonical_distribution(embed_one(text))
    if learned is None:
        return categories
    share = (HEAD_SHARE_WITH_LEXICON if lexical else 1.0) * sum(p for _, p in learned)
    learned = [(label, p * share / max(sum(q for _, q in learned), 1e-9)) for label, p in learned]
    mass = {label: (1 - share) * p for label, p in categories}
    for label, p in learned:
        mass[label] = mass.get(label, 0.0) + p
    return tuple(sorted(mass.items(), key=lambda item: -item[1]))


def parse_vad_point(text: str, scale: str | None = None) -> EmotionSpec | None:
    """'0.6, -0.3, 0.1' or '7,3,5 scale=1-9' → its spec; None when the text is not a VAD point at all."""
    match = VAD_PATTERN.match(text)
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
        if weight < 0 or weight != weight:
            raise StudioError(f"Blend weight {raw!r} in {part.strip()!r} must be a non-negative number.")
        out.append((body, weight))
    return out


def _resolve_word(word: str) -> EmotionSpec:
    """A single word must be a known emotion word: one unknown word is a typo far more often than a description."""
    entry = get_lexicon().lookup(word)
    if entry is not None:
        return spec_from_entry(entry, source=word)
    suggestions = get_lexicon().closest(word)
    if suggestions:
        raise StudioError(f"Unknown emotion {word!r}; did you mean {', '.join(suggestions)}?")
    raise StudioError(
        f"Unknown emotion {word!r}; use a label such as joy, awe, fear or calm (see `studio taxonomies`), "
        "a VAD point like '0.6,-0.3,0.1', or describe the feeling in a phrase."
    )


def resolve(
    value, taxonomy: str | None = None, scale: str | None = None, use_encoder: bool | None = None
) -> EmotionSpec:
    """Turn a label, VAD point, free text, blend or spec into an EmotionSpec (labelled in `taxonomy` if given)."""
    spec = _resolve(value, scale, use_encoder)
    return spec.labelled(taxonomy) if taxonomy else spec


def _resolve(value, scale: str | None, use_encoder: bool | None) -> EmotionSpec:
    if isinstance(value, EmotionSpec):
        return value
    if isinstance(value, Mapping):
        return _resolve_mapping(value, scale, use_encoder)
    if isinstance(value, Sequence) and not isinstance(value, str):
        return spec_from_vad(list(value), scale or "-1-1")
    if not isinstance(value, str):
        raise StudioError(f"Cannot read an emotion from {type(value).__name__} {value!r}; give a label, VAD or text.")
    text = value.strip()
    if not text:
        raise StudioError("The emotion is empty; give a label (joy), a VAD point (0.6,-0.3,0.1) or a phrase.")
    spec = parse_vad_point(text, scale)
    if spec is not None:
        return spec
    parts = _split_blend(text)
    if parts:
        return blend([(_resolve(body, scale, use_encoder), w) for body, w in parts], source=text)
    prefix, sep, rest = text.partition(":")
    if sep and " " not in prefix and (prefix.lower() in TAXONOMIES or prefix.lower() in TAXONOMY_ALIASES):
        return spec_from_label(rest.strip(), prefix)
    if re.fullmatch(r"[A-Za-z][A-Za-z'-]*", text):
        return _resolve_word(text)
    return spec_from_text(text, use_encoder=use_encoder)


def _resolve_mapping(value: Mapping, scale: str | None, use_encoder: bool | None) -> EmotionSpec:
    if "vad" in value:
        return spec_from_vad(list(value["vad"]), value.get("scale", scale or "-1-1"), source=f"vad {value['vad']}")
    if "label" in value:
        if value.get("taxonomy"):
            return spec_from_label(str(value["label"]), str(value["taxonomy"]))
        return _resolve(str(value["label"]), scale, use_encoder)
    if "text" in value:
        return spec_from_text(str(value["text"]), use_encoder=use_encoder)
    if "blend" in value:
        parts = [(_resolve(p.get("emotion"), scale, use_encoder), float(p.get("weight", 1.0))) for p in value["blend"]]
        return blend(parts)
    if "intensity" in value and "categories" in value:
        return EmotionSpec.from_dict(value)
    raise StudioError(f"Cannot read an emotion from {dict(value)!r}; use a 'vad', 'label', 'text' or 'blend' key.")


def resolve_arc(value, interpolation: str = "smooth", use_encoder: bool | None = None) -> EmotionArc:
    """An arc from 'calm:0,dread:4' (emotion:seconds pairs), a list of {"t", "emotion"}, or an EmotionArc."""
    if isinstance(value, EmotionArc):
        return value
    if isinstance(value, Mapping):
        if value.get("keys") and "spec" in value["keys"][0]:
            return EmotionArc.from_dict(value)
        interpolation = value.get("interpolation", interpolation)
        value = value.get("keys", [])
    keys = []
    if isinstance(value, str):
        for item in [p for p in value.split(",") if p.strip()]:
            emotion, sep, time = item.rpartition(":")
            if not sep or not emotion.strip():
                raise StudioError(f"Arc key {item.strip()!r} needs the form emotion:seconds, e.g. 'calm:0,dread:4'.")
            try:
                seconds = float(time)
            except ValueError:
                raise StudioError(f"Arc key {item.strip()!r}: {time.strip()!r} is not a time in seconds.") from None
            keys.append((seconds, resolve(emotion.strip(), use_encoder=use_encoder)))
    elif isinstance(value, Sequence):
        for item in value:
            keys.append((float(item["t"]), resolve(item["emotion"], use_encoder=use_encoder)))
    else:
        raise StudioError(f"Cannot read an emotion arc from {value!r}; use 'calm:0,dread:4'.")
    return EmotionArc(keys=tuple(sorted(keys, key=lambda k: k[0])), interpolation=interpolation)
