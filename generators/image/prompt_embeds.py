"""Prompt embeddings through the pipeline's own `encode_prompt`, edited by the VAD adapter.

Only used when an adapter is given: otherwise the pipeline encodes the text itself, exactly as plain diffusers
would. The four families return different tuples (SD: 2, SDXL/SD3: 4 with pooled embeddings, FLUX: 3 with text
ids); they are turned into the keyword arguments each `__call__` takes. Only the sequence embeddings are edited
(as in EmotiCrafter); pooled and negative embeddings pass through unchanged.
"""

from __future__ import annotations

import inspect

from conditioning.errors import StudioError

NAMES = {
    2: ("prompt_embeds", "negative_prompt_embeds"),
    3: ("prompt_embeds", "pooled_prompt_embeds", None),  # FLUX: text ids are rebuilt by __call__
    4: ("prompt_embeds", "negative_prompt_embeds", "pooled_prompt_embeds", "negative_pooled_prompt_embeds"),
}


def encode(pipe, prompt: str, negative: str | None, device) -> dict:
    """`encode_prompt` with classifier-free guidance on (the negative is ignored when guidance is off)."""
    params = inspect.signature(pipe.encode_prompt).parameters
    kwargs = {"prompt": prompt, "device": device, "num_images_per_prompt": 1}
    if "do_classifier_free_guidance" in params:
        kwargs["do_classifier_free_guidance"] = True
    if "negative_prompt" in params:
        kwargs["negative_prompt"] = negative
    out = pipe.encode_prompt(**kwargs)
    if len(out) not in NAMES:
        raise StudioError(f"{type(pipe).__name__} encodes prompts in an unknown way; drop --vad-adapter.")
    return {name: value for name, value in zip(NAMES[len(out)], out) if name is not None and value is not None}


def adapted_embeds(pipe, prompt: str, negative: str | None, device, adapter, vad) -> dict:
    """Keyword arguments for the pipeline call: the encoded prompt with the adapter's edit applied."""
    embeds = encode(pipe, prompt, negative, device)
    width = embeds["prompt_embeds"].shape[-1]
    if adapter.config["embed_dim"] != width:
        raise StudioError(
            f"The VAD adapter was made for {adapter.config['embed_dim']}-wide prompt embeddings but "
            f"{type(pipe).__name__} uses {width}; use an adapter trained for this model."
        )
    embeds["prompt_embeds"] = adapter.apply(embeds["prompt_embeds"], vad)
    return embeds
