"""report.md: the numbers of an evaluation as plain Markdown tables (for a PR comment or a terminal)."""

from __future__ import annotations

from eval.recognizers.judge_card import card_line


def fmt(value, digits: int = 3) -> str:
    if value is None:
        return "–"
    if isinstance(value, (list, tuple)) and len(value) == 2:
        return f"[{fmt(value[0], digits)}, {fmt(value[1], digits)}]"
    return f"{value:.{digits}f}" if isinstance(value, float) else str(value)


COLUMNS = (
    ("n", lambda m: m["n"]),
    ("top-1", lambda m: m["top1"]),
    ("top-1 95% CI", lambda m: m["top1_ci"]),
    ("quadrant", lambda m: m["quadrant"]),
    ("valence sign", lambda m: m["valence_sign"]),
    ("arousal sign", lambda m: m["arousal_sign"]),
    ("VA MAE", lambda m: m["va_mae"]["mean"]),
    ("ρ valence", lambda m: m["spearman"]["valence"]),
    ("ρ arousal", lambda m: m["spearman"]["arousal"]),
    ("alignment", lambda m: m["alignment"]),
    ("alignment 95% CI", lambda m: m["alignment_ci"]),
    ("arc error", lambda m: m["arc_error"]),
)


def metrics_table(rows: list[tuple[str, dict]]) -> list[str]:
    lines = ["| group | " + " | ".join(name for name, _ in COLUMNS) + " |", "|---" * (len(COLUMNS) + 1) + "|"]
    for name, m in rows:
        lines.append(f"| {name} | " + " | ".join(fmt(get(m)) for _, get in COLUMNS) + " |")
    return lines


def render_markdown(result: dict) -> str:
    m = result["metrics"]
    rows = [("overall", m["overall"])]
    rows += [(f"modality {k}", v) for k, v in m["by_modality"].items()]
    rows += [(f"backend {k}", v) for k, v in m["by_backend"].items()]
    recognizers = ", ".join(f"{k}: {v}" for k, v in result["recognizers"].items())
    lines = [
        "# Emotion evaluation report",
        "",
        f"Folder `{result['folder']}` · taxonomy {result['taxonomy']} · recognizers {recognizers} · "
        f"{m['overall']['n']} evaluated, {len(result['skipped'])} skipped · {result['seconds']} s",
        "",
        "## Judges: how far to trust these scores",
        "",
        *[f"- **{modality}**: {card_line(card)}" for modality, card in (result.get("judges") or {}).items()],
        "",
        "## Metrics",
        "",
        *metrics_table(rows),
        "",
        "Top-1 compares the intended label with the recognized one in the taxonomy; quadrant and sign columns are "
        "EmoArt's binary valence/arousal labels; VA MAE is on the [−1, 1] scale; ρ is Spearman's rank correlation "
        "of intended vs recognized; alignment (0–1) blends VA closeness with the probability of the intended "
        "category; arc error is the mean VA distance per second for outputs that follow an emotion arc.",
        "",
        "## Confusion (rows intended, columns recognized)",
        "",
        "| | " + " | ".join(result["labels"]) + " |",
        "|---" * (len(result["labels"]) + 1) + "|",
    ]
    for label, row in zip(result["labels"], result["confusion"]):
        if any(row):
            lines.append(f"| {label} | " + " | ".join(str(c) if c else "·" for c in row) + " |")
    lines += ["", "## Skipped", ""]
    lines += [f"- `{s['file']}`: {s['reason']}" for s in result["skipped"]] or ["none"]
    return "\n".join(lines) + "\n"
