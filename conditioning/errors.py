"""The one exception type for errors a user can cause (bad label, VAD out of range, missing weights, bad row).

It lives in the lowest layer so every layer can raise it; `studio` re-exports it. Its message is one sentence that
names the bad value and the fix; the CLI prints it on one line and exits non-zero.
"""


class StudioError(ValueError):
    """A problem with the user's input or setup, explained in one sentence."""
