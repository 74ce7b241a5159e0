"""The one error type the letter parser raises.

Reading and parsing fail for many reasons (missing file, binary data, a PDF without a text
layer, a text that is not an IMR letter); callers handle them all the same way: report
`path: reason` and carry on with the next file. So there is exactly one exception type, and
its message always names the file and says what to do next.
"""

from __future__ import annotations


class LetterError(ValueError):
    """A file could not be read or is not an IMR Final Determination Letter."""

    def __init__(self, source: str, reason: str) -> None:
        super().__init__(source, reason)
        self.source = str(source)
        self.reason = reason

    def __str__(self) -> str:
        return f"{self.source}: {self.reason}"

    def __reduce__(self) -> tuple[type[LetterError], tuple[str, str]]:
        # Picklable with its two fields (multiprocessing workers send errors back).
        return (type(self), (self.source, self.reason))


__all__ = ["LetterError"]
