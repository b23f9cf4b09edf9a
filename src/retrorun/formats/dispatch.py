"""From a file's bytes to an `Activity`: the one place that picks the FIT, GPX or TCX reader.

The format comes from the file name (`archive.activity_format`), as it does when files are
found; each reader refuses what it cannot read, and every refusal becomes an `ImportRejected`
saying what was wrong, so the importer has one kind of error to report per file.
"""

from __future__ import annotations

from retrorun.errors import InvalidInput
from retrorun.formats.activity import Activity, ImportRejected, from_fit
from retrorun.formats.archive import FoundFile, walk_upload
from retrorun.formats.fit import decode_fit
from retrorun.formats.gpx import parse_gpx
from retrorun.formats.tcx import parse_tcx


def parse_activity(found: FoundFile) -> Activity:
    """The found file's bytes as an `Activity`; any problem is an `ImportRejected` saying what."""
    if found.data is None:
        raise ImportRejected(found.reason or "the file could not be read")
    try:
        if found.format == "fit":
            return from_fit(decode_fit(found.data))
        if found.format == "gpx":
            return parse_gpx(found.data)
        if found.format == "tcx":
            return parse_tcx(found.data)
    except InvalidInput as error:  # FitDecodeError, ImportRejected: damaged or not an activity
        raise ImportRejected(str(error)) from None
    raise ImportRejected("not a FIT, GPX or TCX file")


def parse_bytes(name: str, data: bytes) -> Activity:
    """One activity file, given as its name and bytes (gzipped when the name ends in .gz).

    The bytes go through the same caps as a file on disk (`archive.walk_upload`); a zip
    archive holds many files, so it is refused here (`walk_upload` reads one file by file).
    """
    if name.lower().endswith(".zip"):
        raise ImportRejected(f"{name}: a zip archive holds many files; give one activity file")
    (found,) = walk_upload(name, data)
    return parse_activity(found)
