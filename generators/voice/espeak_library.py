"""The ctypes binding to the libespeak-ng that ships inside the `espeakng-loader` wheel; nothing studio-specific.

Why each session loads the library afresh and unloads it after: libespeak-ng keeps synthesis state in C statics that
no API call resets (the pitch-flutter phase, the output gain control, the echo buffer, its noise generator), so the
same text spoken twice in one process comes out with different samples and even different lengths. Loading,
initialising, speaking and unloading (dlclose) costs under a millisecond and makes every session start from the same
state, so the same request gives the same bytes — which the provenance sidecar promises. What stays for the process:
the resolved paths, the version string and one lock, because the library is a single global state machine.
"""

from __future__ import annotations

import contextlib
import ctypes
import functools
import threading
from collections.abc import Iterator

import numpy as np

SAMPLE_RATE = 22050
AUDIO_OUTPUT_SYNCHRONOUS = 2
RATE, VOLUME, PITCH, RANGE, WORDGAP = 1, 2, 3, 4, 7
"""espeak_PARAMETER: RATE words/min (80–450, 175 normal), VOLUME 0–200 (100 normal), PITCH and RANGE 0–100 (50
normal), WORDGAP extra pause between words in units of 10 ms."""
CHARS_UTF8, SSML = 0x1, 0x10
POS_CHARACTER = 1
EE_OK = 0

_SYNTH_CALLBACK = ctypes.CFUNCTYPE(ctypes.c_int, ctypes.POINTER(ctypes.c_short), ctypes.c_int, ctypes.c_void_p)
_LOCK = threading.Lock()


@functools.lru_cache(maxsize=1)
def paths() -> tuple[str, str]:
    """(shared library, espeak-ng-data folder) inside the installed wheel."""
    import espeakng_loader

    return espeakng_loader.get_library_path(), espeakng_loader.get_data_path()


def _load() -> ctypes.CDLL:
    lib = ctypes.CDLL(paths()[0], mode=ctypes.RTLD_LOCAL)
    lib.espeak_Initialize.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_char_p, ctypes.c_int]
    lib.espeak_SetSynthCallback.argtypes = [_SYNTH_CALLBACK]
    lib.espeak_SetVoiceByName.argtypes = [ctypes.c_char_p]
    lib.espeak_SetParameter.argtypes = [ctypes.c_int, ctypes.c_int, ctypes.c_int]
    lib.espeak_Synth.argtypes = [ctypes.c_char_p, ctypes.c_size_t, ctypes.c_uint, ctypes.c_int, ctypes.c_uint]
    lib.espeak_Synth.argtypes += [ctypes.c_uint, ctypes.c_void_p, ctypes.c_void_p]
    lib.espeak_Info.argtypes = [ctypes.c_void_p]
    lib.espeak_Info.restype = ctypes.c_char_p
    lib.espeak_ng_SetRandSeed.argtypes = [ctypes.c_long]
    return lib


def _unload(lib: ctypes.CDLL) -> None:
    import _ctypes

    close = getattr(_ctypes, "dlclose", None) or getattr(_ctypes, "FreeLibrary", None)
    if close is not None:
        close(lib._handle)


class Session:
    """One initialised library instance: choose a voice, set parameters, speak; samples arrive as int16."""

    def __init__(self, lib: ctypes.CDLL, chunks: list[bytes]):
        self._lib, self._chunks = lib, chunks

    def set_voice(self, name: str) -> bool:
        """False when eSpeak has no such voice or language (e.g. 'xx', 'en+nothing')."""
        return self._lib.espeak_SetVoiceByName(name.encode("utf-8")) == EE_OK

    def set_parameter(self, parameter: int, value: int) -> None:
        self._lib.espeak_SetParameter(parameter, int(value), 0)

    def speak(self, text: str, ssml: bool = False) -> np.ndarray:
        """Synthesize `text` (UTF-8; SSML when `ssml`) and return its samples; blocks until done."""
        self._chunks.clear()
        data = text.encode("utf-8") + b"\0"
        flags = CHARS_UTF8 | (SSML if ssml else 0)
        status = self._lib.espeak_Synth(data, len(data), 0, POS_CHARACTER, 0, flags, None, None)
        if status != EE_OK:
            raise RuntimeError(f"espeak_Synth failed with status {status}")
        return np.frombuffer(b"".join(self._chunks), dtype=np.int16)


@contextlib.contextmanager
def session(seed: int = 0) -> Iterator[Session]:
    """A fresh, initialised libespeak-ng for the duration of the block (one at a time per process)."""
    with _LOCK:
        lib = _load()
        chunks: list[bytes] = []

        @_SYNTH_CALLBACK
        def collect(wav, count, events):
            if count > 0:
                chunks.append(ctypes.string_at(wav, count * 2))
            return 0

        try:
            rate = lib.espeak_Initialize(AUDIO_OUTPUT_SYNCHRONOUS, 0, paths()[1].encode(), 0)
            if rate != SAMPLE_RATE:
                raise RuntimeError(f"espeak_Initialize returned {rate}, expected {SAMPLE_RATE} Hz")
            lib.espeak_SetSynthCallback(collect)
            lib.espeak_ng_SetRandSeed(seed % 2**31)  # drives the breath noise of breathy and whispered voices
            yield Session(lib, chunks)
        finally:
            lib.espeak_Terminate()
            _unload(lib)


@functools.lru_cache(maxsize=1)
def version() -> str:
    """The library's version, e.g. '1.52.0'."""
    with _LOCK:
        lib = _load()
        try:
            return lib.espeak_Info(None).decode()
        finally:
            _unload(lib)
