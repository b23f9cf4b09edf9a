"""Mutants of real and generated activity files, for the fuzzing harness (`bench/fuzz.py`).

Random bytes are refused by the first check a reader makes (a FIT header, an XML declaration),
so they never reach the parts that go wrong. These mutators know each format's structure:

- FIT files are split into their chained files and messages; a mutation changes a field's
  value, base type or size, a definition's field count, architecture or message number, a record
  header, a compressed timestamp or developer fields, or truncates, duplicates or splices
  messages. Both CRCs are then computed again, so the mutant passes the CRC check and reaches
  the deep parser (a few keep their stale CRC, for the check itself).
- GPX and TCX are mutated as text: numbers and times turned extreme or odd, elements dropped,
  duplicated or renamed, nesting broken, other encodings, DOCTYPEs and entities.
- gzip and zip wrap mutants, and their own headers, sizes, methods, names and nesting are
  mutated in turn.

Case k of seed s is built from `random.Random(f"{s}/{k}")` alone, so any case can be rebuilt on
its own (`make_case`). Seeds are the files in tests/data and small files written by the factories
in tests/formats, made once per process.
"""

from __future__ import annotations

import gzip
import io
import math
import random
import re
import struct
import sys
import warnings
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache, lru_cache
from pathlib import Path
from typing import Literal

TESTS = Path(__file__).resolve().parents[1]
DATA = TESTS / "data"
sys.path.insert(0, str(TESTS / "formats"))

import activity_factory as af  # noqa: E402  (test helpers, found through the path above)
import fit_factory as ff  # noqa: E402
import raw_fit as rf  # noqa: E402
from fit_tool.endian import Endian  # noqa: E402

# Generated seeds start on a day the harness's plan has a session, so FIT laps meet the
# planned workout's steps (`importing.planned_step_directions`).
PLAN_START = datetime(2026, 3, 1, tzinfo=UTC).date()
SEED_START = datetime(2026, 3, 2, 7, 0, tzinfo=UTC)
# Our choice: what one mutation may add, so that a case stays a fraction of a second and a
# run of 100,000 stays within an hour; the caps themselves are tested in test_hostile_files.
MAX_GROWTH_BYTES = 2**20


@dataclass(frozen=True)
class Seed:
    name: str  # a file name: its extension says the format
    data: bytes


@dataclass(frozen=True)
class Case:
    """One input: a file name (its extension picks the reader) and its bytes."""

    index: int
    kind: str  # "fit", "gpx", "tcx", "gz" or "zip": what was mutated
    name: str
    data: bytes
    mutations: tuple[str, ...]
    direction: str | None  # what the import is told the activity's direction is


@cache
def seeds() -> dict[str, tuple[Seed, ...]]:
    """The seed files by format: tests/data, then generated files with what real ones lack
    (developer fields, big-endian messages, compressed timestamps, chained files)."""
    found: dict[str, list[Seed]] = {"fit": [], "gpx": [], "tcx": []}
    for path in sorted(DATA.iterdir()):
        kind = path.suffix.lstrip(".")
        if kind in found:
            found[kind].append(Seed(path.name, path.read_bytes()))
    samples = ff.run_samples(40, SEED_START)
    few = ff.run_samples(12, SEED_START)
    t0 = rf.fit_time(SEED_START)
    found["fit"] += [
        Seed("sdk-developer.fit", ff.sdk_activity(90, start=SEED_START, lap_every_s=30)),
        Seed("sdk-plain.fit", ff.sdk_activity(30, start=SEED_START, developer_fields=False)),
        Seed(
            "tool-big-compressed.fit",
            ff.fit_tool_activity(samples, endian=Endian.BIG, compressed=True, anchor_every=9),
        ),
        Seed("tool-little.fit", ff.fit_tool_activity(few)),
        Seed(
            "raw-float64.fit",
            rf.activity(
                SEED_START,
                [(t0 + i, float(i * 3), 1000 + i) for i in range(8)],
                record_fields=[(253, rf.UINT32), (5, rf.FLOAT64), (0, rf.SINT32)],
            ),
        ),
        Seed(
            "raw-chained.fit",
            rf.activity(SEED_START, [(t0, 0, 120), (t0 + 1, 300, 121)])
            + rf.activity(SEED_START, [(t0 + 2, 600, 122)], [[t0 + 2, t0, 2000, 600, 1]]),
        ),
    ]
    found["gpx"].append(Seed("factory.gpx", af.gpx_activity(30, SEED_START, segments=2)))
    found["tcx"].append(Seed("factory.tcx", af.tcx_activity(30, SEED_START, lap_every_s=10)))
    return {kind: tuple(files) for kind, files in found.items()}


def make_case(seed: int, index: int) -> Case:
    """Case `index` of a run with `seed`: the same bytes every time (given the same seeds)."""
    rng = random.Random(f"{seed}/{index}")
    kind = rng.choices(["fit", "gpx", "tcx", "gz", "zip"], weights=[40, 17, 13, 12, 18])[0]
    direction = rng.choice([None, None, "backward", "forward"])
    applied: list[str] = []
    if kind == "gz":
        name, data = _gzip_case(rng, applied)
    elif kind == "zip":
        name, data = "case.zip", _zip_case(rng, applied)
    else:
        name, data = f"case.{kind}", mutant(rng, kind, applied)
    if rng.random() < 0.03:  # a file of one format named as another
        name = rng.choice(["case.fit", "case.gpx", "case.tcx", "case.fit.gz", "case.zip"])
        applied.append(f"named {name}")
    return Case(index, kind, name, data, tuple(applied), direction)


def mutant(rng: random.Random, kind: str, applied: list[str]) -> bytes:
    """A seed of this format with 0 to 4 mutations (no mutation: the seed, a duplicate)."""
    seed = _pick_seed(rng, kind)
    count = rng.choices([0, 1, 2, 3, 4], weights=[4, 40, 28, 16, 12])[0]
    applied.append(seed.name)
    if kind == "fit":
        return mutate_fit(rng, seed.data, count, applied)
    return mutate_xml(rng, seed.data, kind, count, applied)


def _pick_seed(rng: random.Random, kind: str) -> Seed:
    """Small seeds more often than large ones: a case of a small file is quicker, and what a
    mutation breaks rarely depends on how many records follow it."""
    files = seeds()[kind]
    weights = [1 / math.sqrt(max(len(s.data), 1000)) for s in files]
    return rng.choices(files, weights=weights)[0]


# --- FIT --------------------------------------------------------------------------------------


@dataclass
class FitPart:
    """One file of a FIT chain: its header as written, its messages (each with its header
    byte), and what the serializer should leave wrong on purpose."""

    header: bytearray
    messages: list[bytes]
    data_size: int | None = None  # a size the header declares instead of the real one
    stale_header_crc: bool = False
    stale_file_crc: bool = False


@dataclass
class FitMutant:
    parts: list[FitPart]
    trailing: bytes = b""  # bytes after the last file
    donor: list[FitPart] = field(default_factory=list)  # another seed's messages, to splice


@dataclass(frozen=True)
class Layout:
    """A definition message as the decoder reads it: what each of its data messages holds."""

    big_endian: bool
    mesg_num: int
    fields: tuple[tuple[int, int, int], ...]  # (number, size, base type)
    developer: tuple[tuple[int, int, int], ...]  # (number, size, developer index)

    @property
    def size(self) -> int:
        return sum(f[1] for f in self.fields) + sum(f[1] for f in self.developer)

    def offset(self, index: int) -> int:
        """Where field `index` starts in a data message's content."""
        return sum(f[1] for f in self.fields[:index])


def split_fit(data: bytes) -> list[FitPart] | None:
    """The chained files and messages of a FIT file; None when it cannot be walked."""
    parts: list[FitPart] = []
    pos = 0
    while pos < len(data):
        size = data[pos]
        if size not in (12, 14) or pos + size > len(data):
            return None
        data_size = int.from_bytes(data[pos + 4 : pos + 8], "little")
        start, end = pos + size, pos + size + data_size
        if end + 2 > len(data):
            return None
        messages = _split_messages(data, start, end)
        if messages is None:
            return None
        parts.append(FitPart(bytearray(data[pos:start]), messages))
        pos = end + 2
    return parts or None


def _split_messages(data: bytes, pos: int, end: int) -> list[bytes] | None:
    sizes: dict[int, int] = {}
    messages: list[bytes] = []
    while pos < end:
        header = data[pos]
        if header & 0x80:
            length = sizes.get((header >> 5) & 0x03)
        elif header & 0x40:
            if pos + 6 > end:
                return None
            count = data[pos + 5]
            after = pos + 6 + 3 * count
            size = sum(data[pos + 7 : after : 3])
            if header & 0x20 and after < end:
                size += sum(data[after + 2 : after + 1 + 3 * data[after] : 3])
                after += 1 + 3 * data[after]
            sizes[header & 0x0F] = size
            length = after - pos - 1
        else:
            length = sizes.get(header & 0x0F)
        if length is None or pos + 1 + length > end:
            return None
        messages.append(data[pos : pos + 1 + length])
        pos += 1 + length
    return messages


@lru_cache(maxsize=8192)
def parse_layout(message: bytes) -> Layout | None:
    """The definition in `message` (its header byte first), or None if it is cut short."""
    if len(message) < 6:
        return None
    big = message[2] == 1
    count = message[5]
    fields = tuple(
        (message[i], message[i + 1], message[i + 2] & 0x1F)
        for i in range(6, min(6 + 3 * count, len(message) - 2), 3)
    )
    developer: tuple[tuple[int, int, int], ...] = ()
    after = 6 + 3 * count
    if message[0] & 0x20 and after < len(message):
        developer = tuple(
            (message[i], message[i + 1], message[i + 2])
            for i in range(after + 1, min(after + 1 + 3 * message[after], len(message) - 2), 3)
        )
    mesg_num = int.from_bytes(message[3:5], "big" if big else "little")
    return Layout(big, mesg_num, fields, developer)


def layouts(part: FitPart) -> list[Layout | None]:
    """For each message, the definition in force for it (its own for a definition)."""
    local: dict[int, Layout | None] = {}
    found: list[Layout | None] = []
    for message in part.messages:
        header = message[0]
        if header & 0x80:
            found.append(local.get((header >> 5) & 0x03))
        elif header & 0x40:
            local[header & 0x0F] = parse_layout(message)
            found.append(local[header & 0x0F])
        else:
            found.append(local.get(header & 0x0F))
    return found


def join_fit(mutant: FitMutant) -> bytes:
    """The file again, with its data sizes and both CRCs made right (unless marked stale)."""
    out = bytearray()
    for part in mutant.parts:
        body = b"".join(part.messages)
        header = bytearray(part.header)
        if len(header) >= 8:
            size = len(body) if part.data_size is None else part.data_size
            struct.pack_into("<I", header, 4, size & 0xFFFF_FFFF)
        if len(header) == 14 and not part.stale_header_crc:
            struct.pack_into("<H", header, 12, rf.crc(bytes(header[:12])))
        content = bytes(header) + body
        crc = rf.crc(content)
        if part.stale_file_crc:
            crc ^= 0x5A5A
        out += content + struct.pack("<H", crc)
    return bytes(out + mutant.trailing)


def mutate_fit(rng: random.Random, data: bytes, count: int, applied: list[str]) -> bytes:
    parts = split_fit(data)
    if parts is None:  # a seed broken on purpose: bytes, then
        return _flip_bytes(rng, data, count, applied)
    donor = split_fit(_pick_seed(rng, "fit").data) or []
    mutant = FitMutant(parts, donor=donor)
    for _ in range(count):
        name, mutation = rng.choices(FIT_MUTATIONS, weights=[w for _, _, w in FIT_MUTATIONS_W])[0]
        part = rng.choice(mutant.parts) if mutant.parts else None
        if part is None:
            break
        mutation(rng, mutant, part)
        applied.append(name)
    return join_fit(mutant)


def _flip_bytes(rng: random.Random, data: bytes, count: int, applied: list[str]) -> bytes:
    out = bytearray(data)
    for _ in range(count):
        if out:
            out[rng.randrange(len(out))] = rng.randrange(256)
    applied.append(f"{count} bytes changed")
    return bytes(out)


_KEPT_MESSAGES = (0, 12, 18, 19, 20)  # the messages the decoder reads: file_id … record
_FIELD_NUMBERS = (253, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 16, 17, 25, 39, 53, 71, 73, 78, 254)


def _data_messages(part: FitPart, wanted: Callable[[Layout], bool]) -> list[tuple[int, Layout]]:
    return [
        (at, layout)
        for at, layout in enumerate(layouts(part))
        if layout is not None and not is_definition(part.messages[at][0]) and wanted(layout)
    ]


def _definitions(part: FitPart) -> list[int]:
    return [at for at, message in enumerate(part.messages) if is_definition(message[0])]


def is_definition(header: int) -> bool:
    """A definition message's header (bit 6 of a normal header; in a compressed-timestamp
    header that bit is part of the local type)."""
    return not header & 0x80 and bool(header & 0x40)


def _extreme(rng: random.Random, size: int, base: int, big: bool) -> bytes:
    """A value at an edge of the field's type (or anything at all) in its byte order."""
    if size == 0:
        return b""
    order: Literal["big", "little"] = "big" if big else "little"
    choices: list[bytes] = [
        bytes(size),
        b"\xff" * size,
        (2 ** (8 * size - 1) - 1).to_bytes(size, order),
        (2 ** (8 * size - 1)).to_bytes(size, order),
        (2 ** (8 * size - 1) + 1).to_bytes(size, order),
        (1).to_bytes(size, order),
        bytes(rng.randrange(256) for _ in range(size)),
    ]
    if size in (4, 8):
        code = (">" if big else "<") + ("f" if size == 4 else "d")
        for number in (math.nan, math.inf, -math.inf, 3.0e38, -1e-45, 1e308):
            try:
                choices.append(struct.pack(code, number))
            except OverflowError:
                choices.append(struct.pack(code, math.inf))
    return rng.choice(choices)


def fit_field_value(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """A field of one data message (or of many: a run of records) set to an extreme value."""
    kept = rng.random() < 0.8
    found = _data_messages(
        part, lambda d: bool(d.fields) and (not kept or d.mesg_num in _KEPT_MESSAGES)
    )
    if not found:
        return
    at, layout = rng.choice(found)
    index = rng.randrange(len(layout.fields))
    number, size, base = layout.fields[index]
    offset = 1 + layout.offset(index)
    value = _extreme(rng, size, base, layout.big_endian)
    if number == 253 and size == 4 and rng.random() < 0.5:
        current = int.from_bytes(
            part.messages[at][offset : offset + 4], "big" if layout.big_endian else "little"
        )
        jump = rng.choice([-1, -32, 31, 3600, -86400, 2**31, 20 * 365 * 86400, -current])
        value = ((current + jump) % 2**32).to_bytes(4, "big" if layout.big_endian else "little")
    targets = [at]
    if rng.random() < 0.2:  # the same value in every message of this definition
        targets = [a for a, d in found if d is layout or d == layout]
    for target in targets:
        message = part.messages[target]
        part.messages[target] = message[:offset] + value + message[offset + size :]


def fit_base_type(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """A field definition given another base type (any of FIT's, or none of them)."""
    definition = _pick_definition(rng, part, with_fields=True)
    if definition is None:
        return
    at, layout = definition
    index = rng.randrange(len(layout.fields))
    base = rng.choice(
        [
            *range(0x11),
            0x84,
            0x85,
            0x86,
            0x88,
            0x89,
            0x8B,
            0x8C,
            0x8E,
            0x8F,
            0x90,
            rng.randrange(256),
        ]
    )
    _set_def_byte(part, at, 6 + 3 * index + 2, base)


def _pick_definition(
    rng: random.Random, part: FitPart, *, with_fields: bool
) -> tuple[int, Layout] | None:
    found = []
    definitions = _definitions(part)
    for at in rng.sample(definitions, min(len(definitions), 16)):
        layout = parse_layout(part.messages[at])
        if layout is not None and (layout.fields or not with_fields):
            found.append((at, layout))
    if not found:
        return None
    kept = [d for d in found if d[1].mesg_num in _KEPT_MESSAGES]
    return rng.choice(kept if kept and rng.random() < 0.8 else found)


def _set_def_byte(part: FitPart, at: int, offset: int, value: int) -> None:
    message = bytearray(part.messages[at])
    if offset < len(message):
        message[offset] = value
        part.messages[at] = bytes(message)


def _users(part: FitPart, at: int) -> list[int]:
    """The data messages that use the definition at `at`, until its local type is redefined."""
    local = part.messages[at][0] & 0x0F
    found = []
    for index in range(at + 1, len(part.messages)):
        header = part.messages[index][0]
        if header & 0x80:
            if (header >> 5) & 0x03 == local:
                found.append(index)
        elif header & 0x40:
            if header & 0x0F == local:
                break
        elif header & 0x0F == local:
            found.append(index)
    return found


def _resize_users(part: FitPart, at: int, offset: int, old: int, new: bytes) -> None:
    """Replace `old` bytes at `offset` of each data message of a definition with `new`."""
    for index in _users(part, at):
        message = part.messages[index]
        part.messages[index] = message[: 1 + offset] + new + message[1 + offset + old :]


def fit_field_size(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """A field declared another size: its data messages follow (or, sometimes, do not)."""
    definition = _pick_definition(rng, part, with_fields=True)
    if definition is None:
        return
    at, layout = definition
    index = rng.randrange(len(layout.fields))
    old = layout.fields[index][1]
    new = rng.choice([0, 1, 2, 3, 4, 5, 7, 8, 9, 16, 64, 255])
    _set_def_byte(part, at, 6 + 3 * index + 1, new)
    if rng.random() < 0.8:
        _resize_users(
            part, at, layout.offset(index), old, bytes(rng.randrange(256) for _ in range(new))
        )


def fit_field_count(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """A field added to or taken from a definition, with its data messages; or only the
    count byte changed, so the definition's length no longer matches its fields."""
    definition = _pick_definition(rng, part, with_fields=False)
    if definition is None:
        return
    at, layout = definition
    message = bytearray(part.messages[at])
    choice = rng.random()
    if choice < 0.45:
        size = rng.choice([1, 2, 4, 8, 3])
        base = rng.choice([0x00, 0x02, 0x84, 0x86, 0x85, 0x88, 0x89, 0x07, 0x8F])
        triple = bytes([rng.choice(_FIELD_NUMBERS), size, base])
        place = 6 + 3 * rng.randint(0, len(layout.fields))
        message[5] = (message[5] + 1) & 0xFF
        message[place:place] = triple
        part.messages[at] = bytes(message)
        offset = layout.offset((place - 6) // 3)
        _resize_users(part, at, offset, 0, _extreme(rng, size, base & 0x1F, layout.big_endian))
    elif choice < 0.85 and layout.fields:
        index = rng.randrange(len(layout.fields))
        size = layout.fields[index][1]
        del message[6 + 3 * index : 9 + 3 * index]
        message[5] -= 1
        part.messages[at] = bytes(message)
        _resize_users(part, at, layout.offset(index), size, b"")
    else:
        message[5] = rng.choice([0, 255, max(message[5] - 1, 0), (message[5] + 1) & 0xFF])
        part.messages[at] = bytes(message)


def fit_architecture(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """A definition's byte order flipped (its messages' numbers then read the other way),
    or an architecture byte that is neither."""
    definition = _pick_definition(rng, part, with_fields=False)
    if definition is not None:
        at, layout = definition
        _set_def_byte(part, at, 2, rng.choice([0, 1, 1 - int(layout.big_endian), 2, 0x80, 0xFF]))


def fit_message_number(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """A definition's global message number changed: a lap read as records, and so on."""
    definition = _pick_definition(rng, part, with_fields=False)
    if definition is not None:
        at, layout = definition
        number = rng.choice(
            [*_KEPT_MESSAGES, 21, 23, 49, 206, 207, 0xFF00, 0xFFFF, rng.randrange(65536)]
        )
        message = bytearray(part.messages[at])
        message[3:5] = number.to_bytes(2, "big" if layout.big_endian else "little")
        part.messages[at] = bytes(message)


def fit_record_header(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """A message header byte changed: another local type, or another kind of message."""
    if not part.messages:
        return
    at = rng.randrange(len(part.messages))
    header = part.messages[at][0]
    new = rng.choice(
        [
            header ^ 0x40,  # data <-> definition
            header ^ 0x20,  # developer flag (reserved on a data message)
            (header & 0xF0) | rng.randrange(16),  # another local type
            0x80 | (header & 0x03) << 5 | rng.randrange(32),  # compressed timestamp
            rng.randrange(256),
        ]
    )
    part.messages[at] = bytes([new]) + part.messages[at][1:]


def fit_compressed_timestamp(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """Data messages of local types 0–3 given compressed-timestamp headers (or their 5-bit
    time offsets changed), anywhere: before any full time, in long runs, out of order."""
    found = [
        at
        for at, message in enumerate(part.messages)
        if not is_definition(message[0]) and (message[0] & 0x80 or message[0] & 0x0F < 4)
    ]
    if not found:
        return
    start = rng.randrange(len(found))
    run = found[start : start + rng.choice([1, 3, 40, 1000])]
    offset = rng.randrange(32)
    step = rng.choice([0, 1, 1, 7, 31])
    for k, at in enumerate(run):
        header = part.messages[at][0]
        local = (header >> 5) & 0x03 if header & 0x80 else header & 0x03
        part.messages[at] = (
            bytes([0x80 | local << 5 | (offset + k * step) & 0x1F]) + part.messages[at][1:]
        )


def fit_developer_fields(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """Developer fields added to a definition (with their bytes in its messages, or not), or
    the sizes and count of its developer fields changed."""
    definition = _pick_definition(rng, part, with_fields=False)
    if definition is None:
        return
    at, layout = definition
    message = bytearray(part.messages[at])
    after = 6 + 3 * message[5]
    if message[0] & 0x20 and after < len(message):
        where = rng.choice(["count", "size"])
        if where == "count":
            message[after] = rng.choice([0, 255, (message[after] + 1) & 0xFF])
        elif layout.developer:
            k = rng.randrange(len(layout.developer))
            message[after + 1 + 3 * k + 1] = rng.choice([0, 1, 255, rng.randrange(256)])
        part.messages[at] = bytes(message)
        return
    fields = [
        (rng.randrange(4), rng.choice([1, 2, 4, 16, 255]), rng.randrange(3))
        for _ in range(rng.choice([1, 2, 5]))
    ]
    message[0] |= 0x20
    message[after:after] = bytes([len(fields)]) + b"".join(bytes(f) for f in fields)
    part.messages[at] = bytes(message)
    if rng.random() < 0.85:
        extra = bytes(rng.randrange(256) for _ in range(sum(f[1] for f in fields)))
        _resize_users(part, at, layout.size, 0, extra)


def fit_truncate(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """Messages cut off the end or taken out (a definition: its messages lose their local
    type), or the last message cut short."""
    if not part.messages:
        return
    choice = rng.random()
    if choice < 0.4:
        del part.messages[rng.randrange(len(part.messages)) :]
    elif choice < 0.8:
        del part.messages[rng.randrange(len(part.messages))]
    else:
        last = part.messages[-1]
        part.messages[-1] = last[: max(1, rng.randrange(len(last)))]


def fit_duplicate(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """A message (or a few) repeated up to thousands of times in place."""
    if not part.messages:
        return
    at = rng.randrange(len(part.messages))
    chunk = part.messages[at : at + rng.choice([1, 1, 2, 5, 30])]
    size = sum(len(m) for m in chunk) or 1
    times = min(rng.choice([2, 10, 100, 1000, 20000]), MAX_GROWTH_BYTES // size)
    part.messages[at:at] = chunk * times


def fit_splice(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """Messages of another seed (from one of its definitions on) put in the middle of this
    one, or two of this file's messages swapped."""
    donor = [m for p in mutant.donor for m in p.messages]
    if donor and rng.random() < 0.7:
        starts = [i for i, m in enumerate(donor) if is_definition(m[0])] or [0]
        start = rng.choice(starts)
        piece = donor[start : start + rng.choice([2, 10, 200])]
        at = rng.randint(0, len(part.messages))
        part.messages[at:at] = piece
    elif len(part.messages) > 1:
        a, b = rng.randrange(len(part.messages)), rng.randrange(len(part.messages))
        part.messages[a], part.messages[b] = part.messages[b], part.messages[a]


def fit_file_header(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """The file header: 12 or 14 bytes, versions, signature, a declared size that is not the
    real one, a header CRC left stale or zero (zero means "not computed")."""
    choice = rng.randrange(7)
    if choice == 0:
        part.header = part.header[:12] if len(part.header) == 14 else part.header + b"\0\0"
        part.header[0] = len(part.header)
    elif choice == 1:
        part.header[1] = rng.choice([0x10, 0x20, 0x21, 0xFF, 0])
        part.header[2:4] = rng.randrange(65536).to_bytes(2, "little")
    elif choice == 2:
        part.header[8:12] = rng.choice([b".FIT", b".fit", b"FIT.", b"\0\0\0\0"])
    elif choice == 3:
        real = sum(len(m) for m in part.messages)
        part.data_size = max(0, real + rng.choice([-1, 1, -7, 100, -real, 2**31]))
    elif choice == 4:
        part.header[0] = rng.choice([0, 1, 12, 14, 13, 255])
    elif choice == 5 and len(part.header) == 14:
        part.stale_header_crc = True
        part.header[12:14] = rng.choice([b"\0\0", b"\xff\xff"])
    else:
        part.stale_file_crc = rng.random() < 0.5
        part.stale_header_crc = not part.stale_file_crc


def fit_chain(rng: random.Random, mutant: FitMutant, part: FitPart) -> None:
    """Files chained after this one: another seed, copies of this one (past the cap of 100
    files too), an empty one, or bytes that are not a FIT file."""
    choice = rng.randrange(4)
    if choice == 0 and mutant.donor:
        mutant.parts += [FitPart(bytearray(p.header), list(p.messages)) for p in mutant.donor]
    elif choice == 1:
        copies = rng.choice([1, 5, 100, 120])
        size = sum(len(m) for m in part.messages) + 16
        copies = min(copies, MAX_GROWTH_BYTES // size)
        mutant.parts += [
            FitPart(bytearray(part.header), list(part.messages)) for _ in range(copies)
        ]
    elif choice == 2:
        mutant.parts.append(FitPart(bytearray(part.header), []))
    else:
        mutant.trailing = rng.choice([b"\0", b"\x0e", b"\x0e\x10", bytes(13), b"garbage after"])


FIT_MUTATIONS_W: list[tuple[str, Callable[[random.Random, FitMutant, FitPart], None], int]] = [
    ("fit field value", fit_field_value, 22),
    ("fit base type", fit_base_type, 8),
    ("fit field size", fit_field_size, 8),
    ("fit field count", fit_field_count, 8),
    ("fit architecture", fit_architecture, 4),
    ("fit message number", fit_message_number, 6),
    ("fit record header", fit_record_header, 6),
    ("fit compressed timestamp", fit_compressed_timestamp, 8),
    ("fit developer fields", fit_developer_fields, 6),
    ("fit truncate", fit_truncate, 6),
    ("fit duplicate", fit_duplicate, 6),
    ("fit splice", fit_splice, 6),
    ("fit file header", fit_file_header, 4),
    ("fit chain", fit_chain, 3),
]
FIT_MUTATIONS = [(name, mutation) for name, mutation, _ in FIT_MUTATIONS_W]


# --- GPX and TCX ------------------------------------------------------------------------------

_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?")
_CLOSE = re.compile(r"</[^>]+>")
_ATTRIBUTE = re.compile(r'\s(lat|lon|StartTime|Sport)="[^"]*"')
_TIME = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d+)?(?:Z|[+-]\d\d:\d\d)?")
_ODD_NUMBERS = (
    "NaN",
    "nan",
    "inf",
    "-inf",
    "Infinity",
    "1e308",
    "-1e308",
    "1e999",
    "-0",
    "0",
    "-1",
    "99999999999999999999999",
    "4294967296",
    "1_000",
    "٣٫٥",
    "0x1F",
    "",
    " ",
    "1e-320",
    "+.5",
    "1,5",
    "9" * 400,
    "45.0.1",
    "−3",
)
_ODD_TIMES = (
    "0000-01-01T00:00:00Z",
    "9999-12-31T23:59:59Z",
    "10000-01-01T00:00:00Z",
    "1969-12-31T23:59:59Z",
    "2026-02-30T07:00:00Z",
    "2026-03-02T24:00:00Z",
    "2026-03-02T23:59:60Z",
    "2026-03-02T07:00:00",
    "2026-03-02T07:00:00+25:00",
    "2026-03-02T07:00:00.1234567890123Z",
    "2026-03-02",
    "",
    "2026-03-02T07:00:00ZZ",
    "1989-12-31T00:00:00Z",
    "2106-02-07T06:28:16Z",
    "now",
    "2036-02-07T06:28:16Z",
    "2026-W10-1T07:00:00Z",
    "+002026-03-02T07:00:00Z",
)
_TAGS = {
    "gpx": (
        "trkpt",
        "trkseg",
        "trk",
        "time",
        "ele",
        "extensions",
        "hr",
        "cad",
        "type",
        "metadata",
        "speed",
        "gpx",
        "TrackPointExtension",
        "name",
    ),
    "tcx": (
        "Lap",
        "Trackpoint",
        "Track",
        "Time",
        "Activity",
        "Activities",
        "DistanceMeters",
        "TotalTimeSeconds",
        "HeartRateBpm",
        "Value",
        "Position",
        "LatitudeDegrees",
        "LongitudeDegrees",
        "AltitudeMeters",
        "Calories",
        "Extensions",
        "Speed",
        "RunCadence",
    ),
}
_BILLION_LAUGHS = (
    '<!DOCTYPE lolz [<!ENTITY lol "lol">'
    + "".join(
        f'<!ENTITY lol{i} "{("&lol" + str(i - 1) + ";") * 10 if i > 1 else "&lol;" * 10}">'
        for i in range(1, 10)
    )
    + "]>\n"
)
_XXE = '<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>\n'


def mutate_xml(rng: random.Random, data: bytes, kind: str, count: int, applied: list[str]) -> bytes:
    text = data.decode("utf-8", errors="replace")
    for _ in range(count):
        name, mutation = rng.choices(XML_MUTATIONS, weights=[w for _, _, w in XML_MUTATIONS_W])[0]
        text = mutation(rng, text, kind)
        applied.append(name)
    if rng.random() < 0.12:
        encoded, how = _encode(rng, text)
        applied.append(how)
        return encoded
    return text.encode("utf-8", errors="surrogatepass")


def _span(rng: random.Random, text: str, tag: str) -> tuple[int, int] | None:
    """Where an element of this local name, found from a random place, starts and ends (at
    its first closing tag)."""
    opening = re.compile(rf"<(?:[\w.-]+:)?{tag}(?=[\s/>])")
    start = opening.search(text, rng.randrange(len(text) + 1)) or opening.search(text)
    if start is None:
        return None
    close = text.find(">", start.end())
    if close < 0:
        return None
    if text[close - 1] == "/":
        return start.start(), close + 1
    end = re.compile(rf"</(?:[\w.-]+:)?{tag}\s*>").search(text, close)
    return None if end is None else (start.start(), end.end())


def _pick_span(rng: random.Random, text: str, kind: str) -> tuple[int, int] | None:
    tags = list(_TAGS[kind])
    rng.shuffle(tags)
    for tag in tags[:4]:
        span = _span(rng, text, tag)
        if span is not None:
            return span
    return None


def _some(
    rng: random.Random, pattern: re.Pattern[str], text: str, count: int
) -> list[re.Match[str]]:
    """Up to `count` matches of `pattern` found from random places, in file order, apart."""
    found: dict[int, re.Match[str]] = {}
    for _ in range(count):
        match = pattern.search(text, rng.randrange(len(text) + 1)) or pattern.search(text)
        if match is not None:
            found[match.start()] = match
    chosen, end = [], -1
    for start in sorted(found):
        if start >= end:
            chosen.append(found[start])
            end = found[start].end()
    return chosen


def xml_number(rng: random.Random, text: str, kind: str) -> str:
    """Numbers (values and attributes) turned extreme, not numbers at all, or very long."""
    chosen = _some(rng, _NUMBER, text, rng.choice([1, 1, 3, 50]))
    odd = rng.choice(_ODD_NUMBERS)
    pieces, last = [], 0
    for match in chosen:
        pieces += [
            text[last : match.start()],
            odd if rng.random() < 0.7 else rng.choice(_ODD_NUMBERS),
        ]
        last = match.end()
    return "".join([*pieces, text[last:]])


def xml_time(rng: random.Random, text: str, kind: str) -> str:
    """Times turned into ones no recording has, or ones no parser reads."""
    chosen = _some(rng, _TIME, text, rng.choice([1, 2, 20]))
    odd = rng.choice(_ODD_TIMES)
    pieces, last = [], 0
    for match in chosen:
        pieces += [text[last : match.start()], odd]
        last = match.end()
    if rng.random() < 0.2 and len(chosen) > 1:  # two points' times swapped: out of order
        a, b = chosen[0], chosen[-1]
        return text.replace(a.group(), "\0").replace(b.group(), a.group()).replace("\0", b.group())
    return "".join([*pieces, text[last:]])


def xml_drop(rng: random.Random, text: str, kind: str) -> str:
    """An element taken out whole (a time, a position, a lap, the track)."""
    span = _pick_span(rng, text, kind)
    return text if span is None else text[: span[0]] + text[span[1] :]


def xml_duplicate(rng: random.Random, text: str, kind: str) -> str:
    """An element repeated in place, up to thousands of times."""
    span = _pick_span(rng, text, kind)
    if span is None:
        return text
    piece = text[span[0] : span[1]]
    times = min(rng.choice([2, 10, 300, 5000]), MAX_GROWTH_BYTES // max(len(piece), 1))
    return text[: span[1]] + piece * times + text[span[1] :]


def xml_rename(rng: random.Random, text: str, kind: str) -> str:
    """Every element of one name renamed to another of the format's (a point becomes a
    segment) or to a name it does not have."""
    old = rng.choice(_TAGS[kind])
    new = rng.choice([*_TAGS["gpx"], *_TAGS["tcx"], "x", "trkPt", "ns9:" + old])
    return re.sub(rf"(</?(?:[\w.-]+:)?){old}(?=[\s/>])", rf"\g<1>{new}", text)


def xml_nesting(rng: random.Random, text: str, kind: str) -> str:
    """Nesting broken: a closing tag lost or out of place, an element never closed, elements
    nested hundreds deep, or the file cut off."""
    choice = rng.randrange(5)
    if choice == 0:
        closes = _some(rng, _CLOSE, text, 1)
        if closes:
            gone = closes[0]
            return text[: gone.start()] + text[gone.end() :]
    elif choice == 1:
        at = rng.randrange(len(text) + 1)
        return text[:at] + "<unclosed>" + text[at:]
    elif choice == 2:
        span = _pick_span(rng, text, kind)
        if span is not None:
            depth = rng.choice([100, 255, 257, 2000])
            return (
                text[: span[0]]
                + "<e>" * depth
                + text[span[0] : span[1]]
                + "</e>" * depth
                + text[span[1] :]
            )
    elif choice == 3:
        return text[: rng.randrange(len(text) + 1)]
    span = _pick_span(rng, text, kind)
    if span is not None:  # an element moved somewhere else
        piece = text[span[0] : span[1]]
        rest = text[: span[0]] + text[span[1] :]
        at = rng.randrange(len(rest) + 1)
        return rest[:at] + piece + rest[at:]
    return text


def xml_entities(rng: random.Random, text: str, kind: str) -> str:
    """DOCTYPEs (billion laughs, external entities, one hidden past 64 KiB or after the root
    opens), entity and character references, CDATA and processing instructions."""
    root = text.find("<" + ("gpx" if kind == "gpx" else "TrainingCenterDatabase"))
    root = max(root, 0)
    choice = rng.randrange(7)
    if choice == 0:
        return (
            text[:root] + _BILLION_LAUGHS + text[root:].replace("</trkseg>", "&lol9;</trkseg>", 1)
        )
    if choice == 1:
        return text[:root] + _XXE + text[root:].replace("<name>", "<name>&xxe;", 1)
    if choice == 2:
        return text[:root] + "<!--" + "x" * 70_000 + "-->" + _XXE + text[root:]
    if choice == 3:
        inside = text.find(">", root) + 1
        return text[:inside] + _XXE + text[inside:]
    if choice == 4:
        reference = rng.choice(
            ["&undefined;", "&#0;", "&#xFFFFFFFF;", "&#x1F600;", "&amp;", "&#55296;"]
        )
        matches = _some(rng, _NUMBER, text, 1)
        if matches:
            at = matches[0].start()
            return text[:at] + reference + text[at:]
    if choice == 5:
        matches = _some(rng, _NUMBER, text, 1)
        if matches:
            match = matches[0]
            return text[: match.start()] + f"<![CDATA[{match.group()}]]>" + text[match.end() :]
    at = text.find(">", root) + 1
    return text[:at] + "<?pi data?><!-- c -->" + text[at:]


def xml_namespace(rng: random.Random, text: str, kind: str) -> str:
    """The format's namespace changed, taken away, or given a prefix."""
    uri = re.search(r'xmlns="([^"]*)"', text)
    if uri is None:
        return text
    choice = rng.randrange(3)
    if choice == 0:
        return text.replace(uri.group(0), 'xmlns="http://example.com/other"', 1)
    if choice == 1:
        return text.replace(uri.group(0), "", 1)
    return text.replace(uri.group(0), f'xmlns:p="{uri.group(1)}"', 1)


def xml_attribute(rng: random.Random, text: str, kind: str) -> str:
    """Attributes lost, given twice, or a megabyte long."""
    attributes = _some(rng, _ATTRIBUTE, text, 1)
    if not attributes:
        return text
    match = attributes[0]
    choice = rng.randrange(3)
    if choice == 0:
        return text[: match.start()] + text[match.end() :]
    if choice == 1:
        return text[: match.end()] + match.group() + text[match.end() :]
    long = f' {match.group(1)}="{"1" * rng.choice([1000, 2**20])}"'
    return text[: match.start()] + long + text[match.end() :]


def xml_names(rng: random.Random, text: str, kind: str) -> str:
    """Many elements: over a thousand different names, or a hundred thousand empty ones."""
    span = _pick_span(rng, text, kind)
    at = span[1] if span is not None else len(text) // 2
    if rng.random() < 0.5:
        block = "".join(f"<n{i}/>" for i in range(rng.choice([999, 1001, 3000])))
    else:
        block = "<a/>" * rng.choice([1000, 100_000])
    return text[:at] + block + text[at:]


def xml_splice(rng: random.Random, text: str, kind: str) -> str:
    """A piece of another seed (GPX or TCX) put somewhere in this one."""
    other = _pick_seed(rng, rng.choice(["gpx", "tcx"])).data.decode("utf-8", errors="replace")
    start = rng.randrange(len(other))
    piece = other[start : start + rng.choice([100, 2000, 20000])]
    at = rng.randrange(len(text) + 1)
    return text[:at] + piece + text[at:]


def _encode(rng: random.Random, text: str) -> tuple[bytes, str]:
    """The document in another encoding, declared or not, or with bytes no encoding has."""
    choice = rng.randrange(8)
    if choice == 0:
        return text.encode("utf-16", errors="surrogatepass"), "utf-16 with BOM"
    if choice == 1:
        return text.encode("utf-16-be", errors="surrogatepass"), "utf-16-be without BOM"
    if choice == 2:
        return text.encode("utf-32", errors="surrogatepass"), "utf-32"
    if choice == 3:
        return b"\xef\xbb\xbf" + text.encode("utf-8", errors="surrogatepass"), "utf-8 BOM"
    data = text.encode("utf-8", errors="surrogatepass")
    if choice == 4:
        data = data.replace(b'encoding="UTF-8"', b'encoding="ISO-8859-1"').replace(
            b"encoding='UTF-8'", b"encoding='x-unknown'"
        )
        return data.replace(b"<trk>", "<trk><name>ü€</name>".encode(), 1), "mis-declared encoding"
    if choice == 5:
        at = rng.randrange(len(data) + 1)
        return data[:at] + rng.choice([b"\xff\xfe", b"\xc3", b"\xed\xa0\x80", b"\0"]) + data[
            at:
        ], "bad bytes"
    if choice == 6:
        return text.encode("latin-1", errors="replace"), "latin-1 undeclared"
    return data.replace(b"?>", b' standalone="maybe"?>', 1), "odd declaration"


XML_MUTATIONS_W: list[tuple[str, Callable[[random.Random, str, str], str], int]] = [
    ("xml number", xml_number, 22),
    ("xml time", xml_time, 14),
    ("xml drop", xml_drop, 10),
    ("xml duplicate", xml_duplicate, 8),
    ("xml rename", xml_rename, 6),
    ("xml nesting", xml_nesting, 10),
    ("xml entities", xml_entities, 8),
    ("xml namespace", xml_namespace, 4),
    ("xml attribute", xml_attribute, 6),
    ("xml names", xml_names, 3),
    ("xml splice", xml_splice, 4),
]
XML_MUTATIONS = [(name, mutation) for name, mutation, _ in XML_MUTATIONS_W]


# --- gzip and zip -----------------------------------------------------------------------------


def _inner(rng: random.Random, applied: list[str]) -> tuple[str, bytes]:
    kind = rng.choices(["fit", "gpx", "tcx"], weights=[5, 3, 2])[0]
    return kind, mutant(rng, kind, applied)


def _gzip_case(rng: random.Random, applied: list[str]) -> tuple[str, bytes]:
    """A gzipped mutant, with its gzip header, trailer or members mutated in turn; now and
    then a bomb (zeros that expand past the ratio or the size cap)."""
    kind, inner = _inner(rng, applied)
    name = f"case.{kind}.gz"
    if rng.random() < 0.03:
        size = rng.choices([2 * 2**20, 8 * 2**20, 101 * 2**20], weights=[10, 8, 1])[0]
        applied.append(f"gzip bomb {size}")
        return name, gzip.compress(inner + bytes(size), compresslevel=1, mtime=0)
    data = bytearray(gzip.compress(inner, compresslevel=rng.choice([1, 6, 9]), mtime=0))
    if rng.random() < 0.5:
        return name, bytes(data)
    choice = rng.randrange(7)
    applied.append(f"gzip {choice}")
    if choice == 0:
        data[3] |= rng.choice([0x02, 0x04, 0x08, 0x10, 0xE0])  # flags without their fields
    elif choice == 1:
        data[2] = rng.choice([0, 7, 9, 255])  # compression method
    elif choice == 2:
        del data[rng.randrange(len(data)) :]
    elif choice == 3:
        at = len(data) - rng.choice([8, 4])  # the CRC-32 or the size in the trailer
        data[at] ^= 0xFF
    elif choice == 4:
        data += gzip.compress(_inner(rng, applied)[1], mtime=0)  # a second member
    elif choice == 5:
        data += rng.choice([bytes(10), b"\x1f\x8b", b"trailing garbage"])
    else:
        at = rng.randrange(10, len(data))
        data[at] = rng.randrange(256)
    return name, bytes(data)


_MEMBER_NAMES = (
    "activities/{i}.{kind}",
    "activities/{i}.{kind}.gz",
    "../{i}.{kind}",
    "/abs/{i}.{kind}",
    "C:{i}.{kind}",
    "__MACOSX/._{i}.{kind}",
    ".hidden{i}.{kind}",
    "photos/{i}.jpg",
    "nested{i}.zip",
    "ü{i}.{kind}",
    "x{long}{i}.{kind}",
    "dir\\{i}.{kind}",
    "{i}.{KIND}",
    "same.{kind}",
)
# bzip2 and LZMA are slow to write: used for small members only (what is read is the same).
_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED, zipfile.ZIP_BZIP2, zipfile.ZIP_LZMA)


def _zip_case(rng: random.Random, applied: list[str], depth: int = 0) -> bytes:
    """A zip of mutants under odd names, methods and nesting, whose headers, sizes and
    directory are then mutated in turn."""
    count = rng.choices([1, 2, 3, 6, 12, 300], weights=[30, 20, 15, 10, 5, 1])[0]
    buffer = io.BytesIO()
    with warnings.catch_warnings(), zipfile.ZipFile(buffer, "w", compresslevel=1) as archive:
        warnings.simplefilter("ignore")  # a name given twice, on purpose
        for i in range(count):
            template = (
                rng.choice(_MEMBER_NAMES) if count < 300 or rng.random() < 0.02 else "p/{i}.jpg"
            )
            kind = rng.choices(["fit", "gpx", "tcx"], weights=[5, 3, 2])[0]
            name = template.format(i=i, kind=kind, KIND=kind.upper(), long="x" * 300)
            if name.endswith(".zip"):
                content = (
                    _zip_case(rng, applied, depth + 1) if depth < 2 else b"PK\x05\x06" + bytes(18)
                )
            elif name.endswith(".jpg"):
                content = b"\xff\xd8\xff" + bytes(20)
            else:
                content = mutant(rng, kind, applied)
                if name.endswith(".gz"):
                    content = gzip.compress(content, mtime=0)
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = rng.choice(_METHODS if len(content) < 2**16 else _METHODS[:2])
            with archive.open(info, "w", force_zip64=rng.random() < 0.05) as member:
                member.write(content)
    data = bytearray(buffer.getvalue())
    for _ in range(rng.choice([0, 0, 1, 1, 2, 3])):
        data = _mutate_zip_bytes(rng, data, applied)
    return bytes(data)


# (signature, offsets of the fields worth changing and their widths)
_ZIP_FIELDS = {
    b"PK\x03\x04": ((4, 2), (6, 2), (8, 2), (14, 4), (18, 4), (22, 4), (26, 2), (28, 2)),
    b"PK\x01\x02": (
        (6, 2),
        (8, 2),
        (10, 2),
        (16, 4),
        (20, 4),
        (24, 4),
        (28, 2),
        (30, 2),
        (32, 2),
        (42, 4),
    ),
    b"PK\x05\x06": ((8, 2), (10, 2), (12, 4), (16, 4), (20, 2)),
}


def _mutate_zip_bytes(rng: random.Random, data: bytearray, applied: list[str]) -> bytearray:
    choice = rng.randrange(10)
    if choice < 7:
        signature = rng.choice(list(_ZIP_FIELDS))
        places = [m.start() for m in re.finditer(re.escape(signature), data)]
        if not places:
            return data
        at = rng.choice(places)
        offset, width = rng.choice(_ZIP_FIELDS[signature])
        if at + offset + width > len(data):
            return data
        value = rng.choice(
            [0, 1, 8, 12, 14, 99, 2 ** (8 * width) - 1, rng.randrange(2 ** (8 * width))]
        )
        data[at + offset : at + offset + width] = value.to_bytes(width, "little")
        applied.append(f"zip field {signature[2:].hex()}+{offset}={value}")
    elif choice == 7:
        del data[rng.randrange(len(data)) :]
        applied.append("zip truncated")
    elif choice == 8:
        data[0:0] = bytes(rng.choice([1, 100, 5000]))
        applied.append("zip prefixed")
    else:
        data += rng.choice([b"PK\x05\x06" + bytes(18), bytes(100), b"PK"])
        applied.append("zip suffixed")
    return data
