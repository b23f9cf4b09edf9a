"""Finding activity files: single files, folders, gzip files and zip archives (bulk exports).

Paths on disk go through `walk`; an upload (a web form, an API call) goes through
`walk_upload`, given as bytes or a binary file object with its name, with the same limits and
refusals and without writing the upload to a temporary file.

A Strava bulk export is a zip with `activities/123.fit.gz`, `activities/124.gpx`, … beside
CSV files and photos; a Garmin export keeps its FIT files in zips inside the zip. So folders
and archives are walked for names ending in .fit, .gpx or .tcx (each may also end in .gz),
other members are passed over, and one level of zip inside a zip is opened.

Nothing is ever extracted to disk: each file's bytes are read into memory one at a time, under
limits that make a decompression bomb fail fast and cheaply:
- a file (after decompression) may hold at most `MAX_FILE_BYTES`;
- a member larger than `RATIO_CHECK_FROM_BYTES` may expand at most `MAX_RATIO` times;
- an archive may expand to at most `MAX_ARCHIVE_BYTES` in all (nested zips included);
- the sizes a zip declares are checked first, and reads stop at the cap whatever they declare.
A member whose name climbs out of the archive (`../x.fit`, `/etc/x.fit`) is refused, as is an
encrypted one, and so is one zipfile cannot read (damaged data in any compression, offsets that
point before the file, an unsupported zip version). A path that is not a regular file (a FIFO
would block the import forever, a device never ends) is refused; a folder is walked without
following links out of it. A refused file is reported with its reason; the walk goes on.
"""

from __future__ import annotations

import gzip
import io
import lzma
import os
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from typing import IO, cast

# Our reasoning: a 24-hour 1 Hz GPX with heart rate and cadence is about 25 MB; 100 MiB leaves
# room for denser recorders while keeping one file's memory use small.
MAX_FILE_BYTES = 100 * 2**20
# Our reasoning: GPX and TCX text deflates about 10–30×, FIT 3–6×; a bomb expands 1 000× or more.
MAX_RATIO = 200
RATIO_CHECK_FROM_BYTES = 2**20  # a small file cannot hurt, however well it compresses
# Our reasoning: a decade of daily runs exported as GPX is a few GiB uncompressed.
MAX_ARCHIVE_BYTES = 16 * 2**30
MAX_MEMBERS = 200_000
MAX_NESTED_ZIP_BYTES = 4 * 2**30  # a zip inside a zip is spooled to a temporary file
SPOOL_IN_MEMORY_BYTES = 64 * 2**20
CHUNK_BYTES = 2**20
# Our reasoning: a zip must be seekable to be read; an upload that comes as a stream that cannot
# seek is read into memory first, so it is capped at what one request may hold in memory. Web
# frameworks hand over uploads as seekable (spooled) files, which are read in place, uncapped.
MAX_UNSEEKABLE_ZIP_BYTES = 256 * 2**20

# What zipfile raises for an archive or member it cannot read, by way of its decompressors
# (zlib, bz2's OSError, lzma) and of seeks that a damaged offset makes negative (ValueError from
# an in-memory file, OSError from a real one); "zip file version 9.9" is NotImplementedError.
_ZIP_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    lzma.LZMAError,
    EOFError,
    OSError,
    ValueError,
    NotImplementedError,
)

FORMATS = ("fit", "gpx", "tcx")
ARCHIVE_HELP = "a .fit, .gpx or .tcx file (each may be gzipped: .fit.gz), a folder or a .zip"


@dataclass(frozen=True)
class FoundFile:
    """One activity file found: its bytes (decompressed), or why it could not be read."""

    path: str  # for people: a file path, or `export.zip!activities/1.fit.gz`
    format: str | None  # "fit", "gpx" or "tcx"
    data: bytes | None
    reason: str | None = None  # set when data is None


class _Refused(Exception):
    """Internal: this file cannot be read; the message says why."""


def activity_format(name: str) -> str | None:
    """'fit', 'gpx' or 'tcx' from a file name (also `.fit.gz`); None for anything else."""
    lower = name.lower().removesuffix(".gz")
    for extension in FORMATS:
        if lower.endswith("." + extension):
            return extension
    return None


def _is_zip_name(name: str) -> bool:
    return name.lower().endswith(".zip")


def count_files(paths: Iterable[str | os.PathLike[str]]) -> int:
    """How many files `walk` will report, cheaply (names only; a nested zip counts as one)."""
    total = 0
    for path in _expand(paths):
        if _is_zip_name(path.name) and path.is_file():
            try:
                with zipfile.ZipFile(path) as archive:
                    total += sum(
                        1 for info in archive.infolist() if _wanted(info.filename) is not None
                    )
            except _ZIP_ERRORS:
                total += 1
        else:
            total += 1
    return total


def walk(paths: Iterable[str | os.PathLike[str]]) -> Iterator[FoundFile]:
    """Every activity file under `paths`, read one at a time, or the reason it was refused."""
    for path in _expand(paths):
        if _is_zip_name(path.name):
            yield from _walk_zip_file(path)
        else:
            yield _read_file(path)


# An upload: its bytes, or a binary file object (read from where it stands, never closed here).
Upload = bytes | bytearray | memoryview | IO[bytes]


def walk_upload(name: str, upload: Upload) -> Iterator[FoundFile]:
    """The activity files in one upload, read one at a time, or the reason each was refused.

    `name` is the upload's file name, which says what it is as on disk: a .fit, .gpx or .tcx
    file (each may end in .gz) or a .zip archive; it also labels what is found, as a path does
    (`export.zip!activities/1.fit.gz`). The caps and refusals are those of `walk`. A file
    object that can seek is read in place; one that cannot is read through once (a zip that
    cannot seek is read into memory first, up to `MAX_UNSEEKABLE_ZIP_BYTES`).
    """
    if _is_zip_name(name):
        yield from _walk_zip_upload(name, upload)
    else:
        yield _read_upload(name, upload)


def count_upload(name: str, upload: Upload) -> int:
    """How many files `walk_upload` will report, cheaply (names only; a nested zip counts as one).

    A zip given as a stream that cannot seek cannot be looked into without reading it: 1.
    """
    if not _is_zip_name(name):
        return 1
    if not isinstance(upload, bytes | bytearray | memoryview) and not upload.seekable():
        return 1
    file = _in_memory(upload) if isinstance(upload, bytes | bytearray | memoryview) else upload
    start = file.tell()
    try:
        with zipfile.ZipFile(file) as archive:
            return sum(1 for info in archive.infolist() if _wanted(info.filename) is not None)
    except _ZIP_ERRORS:
        return 1
    finally:
        file.seek(start)


def _in_memory(data: bytes | bytearray | memoryview) -> IO[bytes]:
    return io.BytesIO(data)


def _read_upload(name: str, upload: Upload) -> FoundFile:
    kind = activity_format(name)
    if kind is None:
        return FoundFile(name, None, None, f"not an activity file: give {ARCHIVE_HELP}")
    try:
        if isinstance(upload, bytes | bytearray | memoryview):
            data = _read_activity(_in_memory(upload), name, len(upload))
        else:
            data = _read_activity(upload, name, None)
    except OSError as error:
        return FoundFile(name, kind, None, f"cannot read it: {error.strerror or error}")
    except _Refused as error:
        return FoundFile(name, kind, None, str(error))
    return FoundFile(name, kind, data)


def _expand(paths: Iterable[str | os.PathLike[str]]) -> Iterator[Path]:
    """Files as given; folders walked (sorted, hidden entries skipped) for activity files."""
    for given in paths:
        path = Path(given)
        if path.is_dir():
            yield from _walk_folder(path)
        else:
            yield path


def _walk_folder(folder: Path) -> Iterator[Path]:
    """The activity files and zips in a folder, sorted, never leaving it.

    A folder given is the one to read: a link inside it to a file or folder elsewhere (another
    person's files, /etc) is not followed, while a link to a file within the folder is.
    """
    root = folder.resolve()
    found: list[Path] = []
    for where, folders, files in os.walk(folder):
        folders[:] = [name for name in folders if not name.startswith(".")]
        for name in files:
            path = Path(where, name)
            if name.startswith(".") or not (activity_format(name) or _is_zip_name(name)):
                continue
            if path.is_file() and path.resolve().is_relative_to(root):
                found.append(path)
    return iter(sorted(found))


def _open_regular(path: Path) -> IO[bytes]:
    """Open a regular file for reading; refuse anything else before it can block the walk.

    Opening without blocking and then asking the open file what it is leaves no gap between
    the check and the read (a FIFO opened plainly would wait forever for a writer).
    """
    descriptor = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))
    if not stat.S_ISREG(os.fstat(descriptor).st_mode):
        os.close(descriptor)
        raise _Refused("not a regular file (a FIFO, device or socket); refused")
    return os.fdopen(descriptor, "rb")


def _read_file(path: Path) -> FoundFile:
    name = str(path)
    kind = activity_format(path.name)
    if kind is None:
        return FoundFile(name, None, None, f"not an activity file: give {ARCHIVE_HELP}")
    try:
        with _open_regular(path) as file:
            data = _read_activity(file, path.name, os.fstat(file.fileno()).st_size)
    except FileNotFoundError:
        return FoundFile(name, kind, None, "no such file")
    except IsADirectoryError:
        return FoundFile(name, kind, None, "a folder named like a file: not read")
    except OSError as error:
        return FoundFile(name, kind, None, f"cannot read it: {error.strerror or error}")
    except _Refused as error:
        return FoundFile(name, kind, None, str(error))
    return FoundFile(name, kind, data)


def _read_activity(file: IO[bytes], name: str, compressed_bytes: int | None) -> bytes:
    """One activity file's content, gunzipped when its name ends in .gz, under the caps."""
    if name.lower().endswith(".gz"):
        return _gunzip(file, compressed_bytes)
    return _read_capped(file, "the file")


def _read_capped(file: IO[bytes], what: str) -> bytes:
    data = _read_up_to(file, MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise _Refused(f"{what} is larger than {_size(MAX_FILE_BYTES)}; refused")
    return data


def _read_up_to(file: IO[bytes], limit: int) -> bytes:
    """At most `limit` bytes, to the end of the stream: a raw stream may return fewer per read."""
    chunks: list[bytes] = []
    remaining = limit
    while remaining > 0 and (chunk := file.read(remaining)):
        chunks.append(chunk)
        remaining -= len(chunk)
    return b"".join(chunks)


def _gunzip(file: IO[bytes], compressed_bytes: int | None) -> bytes:
    """Decompress a gzip stream, stopping at the size cap instead of filling memory.

    `compressed_bytes` is the gzip file's size; None (a stream of unknown length) counts the
    bytes as they are read, which comes to the same once the stream has been read to its end.
    """
    counted = _CountingReader(file)
    try:
        with gzip.GzipFile(fileobj=cast(IO[bytes], counted), mode="rb") as unzipped:
            data = _read_capped(cast(IO[bytes], unzipped), "the gzip content")
    except (gzip.BadGzipFile, EOFError, zlib.error) as error:
        raise _Refused(f"damaged gzip data: {error}") from None
    _check_ratio(len(data), counted.count if compressed_bytes is None else compressed_bytes)
    return data


class _CountingReader:
    """A read-only view of a binary stream that counts the bytes read through it."""

    def __init__(self, file: IO[bytes]) -> None:
        self.file = file
        self.count = 0

    def read(self, size: int = -1) -> bytes:
        data = self.file.read(size)
        self.count += len(data)
        return data


def _check_ratio(size: int, compressed: int) -> None:
    if size > RATIO_CHECK_FROM_BYTES and size > MAX_RATIO * max(compressed, 1):
        raise _Refused(
            f"expands {size / max(compressed, 1):,.0f} times ({_size(compressed)} to "
            f"{_size(size)}): a decompression bomb, refused"
        )


def _size(n: int) -> str:
    for unit, scale in (("GiB", 2**30), ("MiB", 2**20), ("KiB", 2**10)):
        if n >= scale:
            return f"{n / scale:,.1f} {unit}"
    return f"{n} bytes"


# --- zip archives -----------------------------------------------------------------------------


def _walk_zip_file(path: Path) -> Iterator[FoundFile]:
    try:
        file = _open_regular(path)
    except FileNotFoundError:
        yield FoundFile(str(path), None, None, "no such file")
        return
    except _Refused as error:
        yield FoundFile(str(path), None, None, str(error))
        return
    except OSError as error:
        yield FoundFile(str(path), None, None, f"cannot read it: {error.strerror or error}")
        return
    with file:
        try:
            archive = zipfile.ZipFile(file)
        except _ZIP_ERRORS as error:
            yield FoundFile(str(path), None, None, f"not a readable zip archive: {error}")
            return
        with archive:
            yield from _walk_zip(archive, str(path), nested=False, budget=[MAX_ARCHIVE_BYTES])


def _walk_zip_upload(name: str, upload: Upload) -> Iterator[FoundFile]:
    try:
        archive = zipfile.ZipFile(_seekable(upload))
    except _Refused as error:
        yield FoundFile(name, None, None, str(error))
        return
    except _ZIP_ERRORS as error:
        yield FoundFile(name, None, None, f"not a readable zip archive: {error}")
        return
    with archive:
        yield from _walk_zip(archive, name, nested=False, budget=[MAX_ARCHIVE_BYTES])


def _seekable(upload: Upload) -> IO[bytes]:
    """The upload as a file zipfile can seek in: itself when it can, else its bytes in memory."""
    if isinstance(upload, bytes | bytearray | memoryview):
        return _in_memory(upload)
    if upload.seekable():
        return upload
    data = _read_up_to(upload, MAX_UNSEEKABLE_ZIP_BYTES + 1)
    if len(data) > MAX_UNSEEKABLE_ZIP_BYTES:
        raise _Refused(
            f"a zip sent as a stream may hold at most {_size(MAX_UNSEEKABLE_ZIP_BYTES)}; "
            "send a larger one as a file"
        )
    return _in_memory(data)


def _wanted(name: str) -> str | None:
    """'activity' or 'zip' for members worth opening; None for the rest (photos, CSV, …)."""
    base = PurePosixPath(name.replace("\\", "/")).name
    if name.endswith("/") or base.startswith(".") or "__MACOSX" in name:
        return None
    if activity_format(base):
        return "activity"
    return "zip" if _is_zip_name(base) else None


def _walk_zip(
    archive: zipfile.ZipFile, label: str, *, nested: bool, budget: list[int]
) -> Iterator[FoundFile]:
    """The activity files in an open zip; `budget` is the archive's remaining expansion."""
    members = [info for info in archive.infolist() if _wanted(info.filename)]
    if len(members) > MAX_MEMBERS:
        yield FoundFile(label, None, None, f"more than {MAX_MEMBERS:,} files in the archive")
        return
    for info in members:
        shown = f"{label}!{info.filename}"
        kind = _wanted(info.filename)
        try:
            _check_member(info, budget)
            if kind == "zip":
                if nested:
                    raise _Refused("a zip inside a zip inside a zip is not opened")
                yield from _walk_nested_zip(archive, info, shown, budget)
                continue
            data = _read_member(archive, info)
        except _Refused as error:
            yield FoundFile(shown, activity_format(info.filename), None, str(error))
            continue
        yield FoundFile(shown, activity_format(info.filename), data)


def _check_member(info: zipfile.ZipInfo, budget: list[int]) -> None:
    """Refuse a member on its name and declared sizes before reading a byte of it."""
    name = info.filename.replace("\\", "/")
    parts = PurePosixPath(name).parts
    if name.startswith("/") or ".." in parts or (len(name) > 1 and name[1] == ":"):
        raise _Refused("unsafe member name (it points outside the archive); refused")
    if info.flag_bits & 0x1:
        raise _Refused("the member is encrypted")
    limit = MAX_NESTED_ZIP_BYTES if _is_zip_name(name) else MAX_FILE_BYTES
    if info.file_size > limit:
        raise _Refused(f"declares {_size(info.file_size)}, more than {_size(limit)}; refused")
    _check_ratio(info.file_size, info.compress_size)
    budget[0] -= info.file_size
    if budget[0] < 0:
        raise _Refused(
            f"the archive expands to more than {_size(MAX_ARCHIVE_BYTES)} in all; refused"
        )


def _read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        with archive.open(info) as member:
            if info.filename.lower().endswith(".gz"):
                return _gunzip(member, info.file_size)
            data = _read_capped(member, "the member")
    except _ZIP_ERRORS as error:
        raise _Refused(f"damaged zip member: {error}") from None
    _check_ratio(len(data), info.compress_size)
    return data


def _walk_nested_zip(
    archive: zipfile.ZipFile, info: zipfile.ZipInfo, shown: str, budget: list[int]
) -> Iterator[FoundFile]:
    """A zip inside the zip (Garmin's export): spooled to a temporary file, then walked."""
    with tempfile.SpooledTemporaryFile(max_size=SPOOL_IN_MEMORY_BYTES) as spool:
        try:
            with archive.open(info) as member:
                copied = _copy_capped(member, spool, MAX_NESTED_ZIP_BYTES)
            _check_ratio(copied, info.compress_size)
            spool.seek(0)
            inner = zipfile.ZipFile(spool)
        except _ZIP_ERRORS as error:
            raise _Refused(f"damaged zip inside the archive: {error}") from None
        with inner:
            yield from _walk_zip(inner, shown, nested=True, budget=budget)


def _copy_capped(source: IO[bytes], target: IO[bytes], limit: int) -> int:
    copied = 0
    while chunk := source.read(CHUNK_BYTES):
        copied += len(chunk)
        if copied > limit:
            raise _Refused(f"the zip inside is larger than {_size(limit)}; refused")
        target.write(chunk)
    return copied
