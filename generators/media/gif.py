"""An animated GIF from RGB frames, looping, through Pillow. The caller writes to a temporary path (`atomic_path`)."""

from __future__ import annotations

from PIL import Image


def write_gif(path, frames, fps: int) -> None:
    images = [Image.fromarray(frame) for frame in frames]
    images[0].save(path, format="GIF", save_all=True, append_images=images[1:], duration=int(1000 / fps), loop=0)
