"""Evidence files: what is accepted, how it is hashed, sealed and stripped.

Functions over bytes and file objects (no settings, no database), so that
the benchmark and the tests drive them directly:

- :func:`sniff` names a file's type from its first bytes; the name a phone
  gives a file and the type a browser claims are never trusted. A file is
  accepted only when its content is of an allowed type, that type fits the
  kind of evidence chosen, and its name ends as that type's files do.
- :func:`seal_stream` reads a file once, in chunks, computing its SHA-256 and
  writing it encrypted under the committee's data key ``DK``: a sequence of
  AES-256-GCM chunks, each bound (associated data) to the item, its index and
  whether it is the last, so that chunks cannot be reordered, dropped, moved
  to another item or cut off at the end without :func:`open_stream` noticing.
- :class:`ChunkReader` feeds :func:`open_stream`'s chunks back into
  :func:`seal_stream`: a rotation of the register key re-seals a file
  streamed, one chunk in memory.
- :func:`strip_image` decodes a photo with Pillow and writes a new image from
  its pixels only: no EXIF (GPS, camera, time), no XMP, no ICC profile, no
  comments. Other kinds get no working copy: stripping metadata from video,
  audio and PDF needs tools this project does not ship.
"""

from __future__ import annotations

import hashlib
import io
import struct
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

from PIL import Image, ImageOps, UnidentifiedImageError

from asamblea.incidents import crypto
from asamblea.incidents.codes import EvidenceKind as Kind
from asamblea.incidents.crypto import DataKey, DecryptionFailed

CHUNK_SIZE = 1024 * 1024
FILE_MAGIC = b"ASEV\x00\x01"
HEAD_SIZE = 64
# A photo is decoded in memory to strip it: bound the pixels (about 200 MB of RGB).
MAX_IMAGE_PIXELS = 64_000_000


@dataclass(frozen=True)
class FileType:
    media_type: str
    extensions: tuple[str, ...]
    kinds: tuple[str, ...]

    @property
    def is_image(self) -> bool:
        return self.media_type.startswith("image/")


JPEG = FileType("image/jpeg", ("jpg", "jpeg"), (Kind.PHOTO, Kind.DOCUMENT))
PNG = FileType("image/png", ("png",), (Kind.PHOTO, Kind.DOCUMENT))
WEBP = FileType("image/webp", ("webp",), (Kind.PHOTO,))
MP4 = FileType("video/mp4", ("mp4", "m4v"), (Kind.VIDEO,))
QUICKTIME = FileType("video/quicktime", ("mov",), (Kind.VIDEO,))
THREE_GP = FileType("video/3gpp", ("3gp",), (Kind.VIDEO,))
WEBM = FileType("video/webm", ("webm",), (Kind.VIDEO,))
MATROSKA = FileType("video/x-matroska", ("mkv",), (Kind.VIDEO,))
MP3 = FileType("audio/mpeg", ("mp3",), (Kind.AUDIO,))
M4A = FileType("audio/mp4", ("m4a",), (Kind.AUDIO,))
OGG = FileType("audio/ogg", ("ogg", "oga", "opus"), (Kind.AUDIO,))
WAV = FileType("audio/wav", ("wav",), (Kind.AUDIO,))
AMR = FileType("audio/amr", ("amr",), (Kind.AUDIO,))
PDF = FileType("application/pdf", ("pdf",), (Kind.DOCUMENT,))

ALLOWED = (JPEG, PNG, WEBP, MP4, QUICKTIME, THREE_GP, WEBM, MATROSKA, MP3, M4A, OGG, WAV, AMR, PDF)
BY_MEDIA_TYPE = {t.media_type: t for t in ALLOWED}


def _iso_media(head: bytes) -> FileType | None:
    """ISO base media files (MP4, MOV, 3GP, M4A): ``size 'ftyp' brand``."""
    if head[4:8] != b"ftyp":
        return None
    brand = head[8:12]
    if brand.startswith(b"M4A"):
        return M4A
    if brand == b"qt  ":
        return QUICKTIME
    if brand.startswith(b"3g"):
        return THREE_GP
    return MP4


def sniff(head: bytes) -> FileType | None:
    """The allowed type whose signature starts ``head`` (at least 12 bytes
    of the file), or None."""
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        return WEBP
    if head.startswith(b"RIFF") and head[8:12] == b"WAVE":
        return WAV
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\x1a\x45\xdf\xa3"):
        return WEBM if b"webm" in head[:HEAD_SIZE] else MATROSKA
    if head.startswith(b"OggS"):
        return OGG
    if head.startswith(b"#!AMR"):
        return AMR
    if head.startswith(b"ID3") or (len(head) > 1 and head[0] == 0xFF and head[1] & 0xE0 == 0xE0):
        return MP3
    return _iso_media(head)


def extension_of(filename: str) -> str:
    """The lower-cased extension of a file name ("" without one)."""
    name = filename.rsplit("/", 1)[-1].rsplit("\\", 1)[-1]
    if "." not in name:
        return ""
    return name.rsplit(".", 1)[-1].lower()[:8]


# --- sealing and opening ---------------------------------------------------------------


def _chunk_aad(base: bytes, index: int, last: bool) -> bytes:
    return base + b"|chunk|" + str(index).encode() + (b"|last" if last else b"|more")


class Chunked(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


@dataclass(frozen=True)
class Sealed:
    sha256: str
    size: int


def seal_stream(
    key: DataKey, source: Chunked, target: BinaryIO, *, aad: bytes, max_size: int
) -> Sealed:
    """Read ``source`` to its end once, writing ``FILE_MAGIC`` and then each
    chunk as ``length (4 bytes, big-endian) || encrypt(DK, chunk, aad|i|last)``
    to ``target``. Raises ``ValueError`` past ``max_size`` bytes (the caller
    has then written part of a file it must remove)."""
    digest = hashlib.sha256()
    size = 0
    target.write(FILE_MAGIC)
    index = 0
    current = source.read(CHUNK_SIZE)
    while True:
        following = source.read(CHUNK_SIZE) if current else b""
        last = not following
        size += len(current)
        if size > max_size:
            raise ValueError("file larger than allowed")
        digest.update(current)
        blob = crypto.encrypt(key, current, aad=_chunk_aad(aad, index, last))
        target.write(struct.pack(">I", len(blob)))
        target.write(blob)
        if last:
            break
        current = following
        index += 1
    return Sealed(sha256=digest.hexdigest(), size=size)


def open_stream(key: DataKey, source: BinaryIO, *, aad: bytes) -> Iterator[bytes]:
    """The plaintext chunks of a sealed file; ``DecryptionFailed`` if anything
    was changed, moved, reordered or cut off (raised when it is reached)."""
    if source.read(len(FILE_MAGIC)) != FILE_MAGIC:
        raise DecryptionFailed("not a sealed evidence file")
    index = 0
    while True:
        header = source.read(4)
        if len(header) != 4:
            raise DecryptionFailed("the sealed file ends early")
        (length,) = struct.unpack(">I", header)
        if length > CHUNK_SIZE + 64:
            raise DecryptionFailed("not a sealed evidence file")
        blob = source.read(length)
        try:
            plain = crypto.decrypt(key, blob, aad=_chunk_aad(aad, index, False))
            last = False
        except DecryptionFailed:
            plain = crypto.decrypt(key, blob, aad=_chunk_aad(aad, index, True))
            last = True
        yield plain
        if last:
            if source.read(1):
                raise DecryptionFailed("data after the last chunk")
            return
        index += 1


class ChunkReader:
    """A file-like ``read`` over an iterator of chunks (those of
    :func:`open_stream`), so that a file is sealed again under another key
    one chunk at a time."""

    def __init__(self, chunks: Iterator[bytes]) -> None:
        self._chunks = chunks
        self._buffer = b""

    def read(self, size: int = -1, /) -> bytes:
        while size < 0 or len(self._buffer) < size:
            piece = next(self._chunks, None)
            if piece is None:
                break
            self._buffer += piece
        if size < 0:
            size = len(self._buffer)
        out, self._buffer = self._buffer[:size], self._buffer[size:]
        return out


def seal_bytes(key: DataKey, data: bytes, *, aad: bytes) -> bytes:
    out = io.BytesIO()
    seal_stream(key, io.BytesIO(data), out, aad=aad, max_size=len(data))
    return out.getvalue()


def open_bytes(key: DataKey, blob: bytes, *, aad: bytes) -> bytes:
    return b"".join(open_stream(key, io.BytesIO(blob), aad=aad))


# --- metadata-free working copies --------------------------------------------------------


class NotAnImage(ValueError):
    """The file claims to be an image but does not decode as one."""


@dataclass(frozen=True)
class Derivative:
    data: bytes
    media_type: str
    extension: str


def check_image(source: BinaryIO) -> tuple[int, int]:
    """Decode the image fully (size bounded); ``NotAnImage`` otherwise."""
    try:
        with Image.open(source) as image:
            width, height = image.size
            if width * height > MAX_IMAGE_PIXELS:
                raise NotAnImage("too many pixels")
            image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise NotAnImage(str(exc)) from exc
    return width, height


def strip_image(source: BinaryIO) -> Derivative:
    """A new image made of the pixels only, turned upright as the camera's
    orientation tag said; JPEG, or PNG when the photo has transparency."""
    try:
        with Image.open(source) as image:
            if image.size[0] * image.size[1] > MAX_IMAGE_PIXELS:
                raise NotAnImage("too many pixels")
            upright = ImageOps.exif_transpose(image)
            has_alpha = upright.mode in ("RGBA", "LA", "PA") or "transparency" in upright.info
            mode = "RGBA" if has_alpha else "RGB"
            pixels = upright.convert(mode)
            # frombytes carries no info dict: nothing of the original's metadata.
            clean = Image.frombytes(mode, pixels.size, pixels.tobytes())
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as exc:
        raise NotAnImage(str(exc)) from exc
    out = io.BytesIO()
    if has_alpha:
        clean.save(out, format="PNG", optimize=False)
        return Derivative(out.getvalue(), "image/png", "png")
    clean.save(out, format="JPEG", quality=88)
    return Derivative(out.getvalue(), "image/jpeg", "jpg")


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
