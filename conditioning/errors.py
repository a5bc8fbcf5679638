"""The one exception type for errors a user can cause (bad label, VAD out of range, missing weights, bad row).

It lives in the lowest layer so every layer can raise it; `studio` re-exports it. Its message is one sentence that
names the bad value and the fix; the CLI prints it on one line and exits non-zero.
"""

import reprlib


class StudioError(ValueError):
    """A problem with the user's input or setup, explained in one sentence."""


_BRIEF = reprlib.Repr()
_BRIEF.maxstring = _BRIEF.maxother = 80
_BRIEF.maxlist = _BRIEF.maxtuple = _BRIEF.maxdict = 8
_BRIEF.maxlevel = 3


def brief(value) -> str:
    """`repr(value)` cut to about 80 characters, so a message names a 1 MB input without repeating it."""
    return _BRIEF.repr(value)
