"""Wan's overlaps on the tiny pipelines: narration spoken on a thread while the clip denoises, and the encoding
deferred to a batch run's writer thread — each gives the bytes of the sequential path it replaces."""

import threading

import pytest
from tiny_wan import wan_i2v, wan_t2v  # noqa: F401  (session fixtures)

from conditioning import resolve
from conditioning.atomic import atomic_path
from conditioning.background_writes import background_writes
from generators.media.mp4 import write_mp4
from generators.request import GenerationRequest
from generators.video import wan
from generators.video.narration import mux_voice
from generators.video.wan_settings import read_settings

WORDS = "The tide goes out. It does not come back."


def request(model, out, emotion="sadness", **options):
    return GenerationRequest(
        spec=resolve(emotion),
        out=out,
        text="a storm at sea",
        seed=5,
        size=(32, 32),
        fps=8,
        options={"model": str(model), "steps": 2, "frames": 9, **options},
    )


def sequential(req) -> bytes:
    """What `wan.generate` did before the overlap: denoise, then encode, then speak and mux, one after another."""
    settings = read_settings(req, req.out)
    clip = wan.render(req, settings)
    with atomic_path(req.out) as tmp:
        write_mp4(tmp, clip.frames, settings.size, settings.fps)
        if settings.voice is not None:
            mux_voice(tmp, req.spec, *settings.voice[:1], settings.frames / settings.fps, settings.voice[1], req.seed)
    return req.out.read_bytes()


def test_narration_spoken_during_denoising_muxes_the_same_bytes(wan_t2v, tmp_path):  # noqa: F811
    overlapped = wan.generate(request(wan_t2v, tmp_path / "overlapped.mp4", voice=WORDS))
    assert overlapped.provenance["parameters"]["voice"]["trimmed"] is True
    assert overlapped.path.read_bytes() == sequential(request(wan_t2v, tmp_path / "sequential.mp4", voice=WORDS))


@pytest.mark.parametrize("options", [{}, {"voice": WORDS}], ids=["silent", "narrated"])
def test_encoding_on_the_writer_thread_keeps_the_bytes(wan_t2v, tmp_path, options):  # noqa: F811
    gate = threading.Event()
    with background_writes(workers=1) as writer:
        writer.submit(tmp_path / "gate", gate.wait)  # holds the only writer thread
        try:
            artifact = wan.generate(request(wan_t2v, tmp_path / "deferred.mp4", **options))
            assert not artifact.path.exists()  # generation is done; the encoding waits for the writer
            pending = writer.take(artifact.path)
        finally:
            gate.set()
        pending.result()
    assert artifact.sidecar.exists()
    assert artifact.path.read_bytes() == sequential(request(wan_t2v, tmp_path / "sequential.mp4", **options))


def test_a_diffusion_still_is_written_before_it_is_read_inside_background_writes(wan_i2v, tmp_path):  # noqa: F811
    """The I2V start still is read straight back, so it is never left to the batch runner's writer thread."""
    from tiny_diffusion import build_tiny_sd

    sd = build_tiny_sd(tmp_path / "sd")
    options = {"frames": 5, "i2v_from": "diffusion", "image_model": str(sd), "image_steps": 2}
    gate = threading.Event()
    with background_writes(workers=1) as writer:
        writer.submit(tmp_path / "gate", gate.wait)  # a still left to the writer would never be there to read
        try:
            artifact = wan.generate(request(wan_i2v, tmp_path / "d.mp4", **options))
        finally:
            gate.set()
        writer.take(artifact.path).result()
    assert artifact.provenance["parameters"]["start_image"]["source"] == "diffusion"
    assert (tmp_path / "d-still.png").exists() and (tmp_path / "d-still.json").exists()
