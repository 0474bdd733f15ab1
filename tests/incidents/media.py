"""Files to upload as evidence in tests, made here (no fixtures on disk)."""

from __future__ import annotations

import io
from pathlib import Path

from PIL import ExifTags, Image

CAMERA_MAKER = "MarcaDeCamaraSecreta"
GPS_LATITUDE = (15.0, 28.0, 1.9)


def jpeg_with_gps(width: int = 64, height: int = 48) -> bytes:
    """A JPEG whose EXIF names a camera and a place (GPS), as phones write them."""
    image = Image.new("RGB", (width, height), (180, 40, 40))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = CAMERA_MAKER
    exif[ExifTags.Base.Orientation] = 1
    exif.get_ifd(ExifTags.IFD.GPSInfo).update(
        {
            ExifTags.GPS.GPSLatitudeRef: "S",
            ExifTags.GPS.GPSLatitude: GPS_LATITUDE,
            ExifTags.GPS.GPSLongitudeRef: "W",
            ExifTags.GPS.GPSLongitude: (70.0, 9.0, 29.5),
        }
    )
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif, comment=b"comentario " + CAMERA_MAKER.encode())
    return out.getvalue()


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGBA", (10, 10), (0, 0, 255, 128)).save(out, format="PNG")
    return out.getvalue()


def pdf() -> bytes:
    return b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def mp4(size: int = 4096) -> bytes:
    """The start of an MP4 (an ``ftyp`` box) followed by filler bytes."""
    head = b"\x00\x00\x00\x18ftypisom\x00\x00\x02\x00isomiso2"
    return (head + bytes(range(256)) * (size // 256 + 1))[:size]


def write(path: Path, data: bytes) -> Path:
    path.write_bytes(data)
    return path
