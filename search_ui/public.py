"""What of a stored document the app shows: never a file path of the machine that indexed it.

Documents name their letter's file relative to the folder indexed (indexer.pipeline); an
index built before that stored absolute paths, which are shown by their file name only.
"""

from __future__ import annotations

import dataclasses
import ntpath
import posixpath

from mappings.schema import ItemDocument


def shown_source(source: str) -> str:
    """A stored `letter.source` as the app may show it."""
    if posixpath.isabs(source) or ntpath.isabs(source):
        return ntpath.basename(posixpath.basename(source))
    return source


def public_document(doc: ItemDocument) -> ItemDocument:
    """The document with its file named as shown_source says."""
    source = shown_source(doc.letter.source)
    if source == doc.letter.source:
        return doc
    return dataclasses.replace(doc, letter=dataclasses.replace(doc.letter, source=source))
