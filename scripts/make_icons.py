"""Draw the extension's toolbar icons (a magnifying lens over a page) as PNGs, stdlib only.

Run from the repository root: `python scripts/make_icons.py` writes extension/icons/icon{16,32,48,128}.png.
The PNGs are committed; rerun only when the drawing changes.
"""

from __future__ import annotations

import math
import struct
import zlib
from pathlib import Path

SIZES = (16, 32, 48, 128)
OUT = Path(__file__).resolve().parent.parent / "extension" / "icons"

PAGE = (255, 255, 255)
PAGE_EDGE = (203, 213, 225)
LINES = (148, 163, 184)
LENS = (79, 70, 229)  # indigo
GLASS = (224, 231, 255)
HANDLE = (245, 158, 11)  # amber


def shade(x: float, y: float) -> tuple[int, int, int, int]:
    """Colour at a point of the unit square (0..1, y down): the drawing, back to front."""
    color = (0, 0, 0, 0)
    # Page: a rounded rectangle with text lines.
    if 0.08 <= x <= 0.72 and 0.04 <= y <= 0.84:
        edge = min(x - 0.08, 0.72 - x, y - 0.04, 0.84 - y) < 0.035
        color = (*(PAGE_EDGE if edge else PAGE), 255)
        if not edge and 0.16 <= x <= 0.62 and any(abs(y - ly) < 0.025 for ly in (0.16, 0.27, 0.38)):
            color = (*LINES, 255)
    # Handle: a thick segment from the lens towards the bottom right.
    cx, cy, r = 0.48, 0.52, 0.27
    hx0, hy0, hx1, hy1 = cx + r * 0.72, cy + r * 0.72, 0.93, 0.95
    t = max(0.0, min(1.0, ((x - hx0) * (hx1 - hx0) + (y - hy0) * (hy1 - hy0)) / ((hx1 - hx0) ** 2 + (hy1 - hy0) ** 2)))
    if math.hypot(x - (hx0 + t * (hx1 - hx0)), y - (hy0 + t * (hy1 - hy0))) < 0.075:
        color = (*HANDLE, 255)
    # Lens: a ring with tinted glass.
    d = math.hypot(x - cx, y - cy)
    if d < r - 0.07:
        color = (*GLASS, 235)
    elif d < r:
        color = (*LENS, 255)
    return color


def render(size: int, samples: int = 4) -> bytes:
    """RGBA rows of the icon at `size` px, antialiased by supersampling."""
    rows = []
    for py in range(size):
        row = bytearray([0])  # PNG filter type 0 for this scanline
        for px in range(size):
            acc = [0, 0, 0, 0]
            for sy in range(samples):
                for sx in range(samples):
                    r, g, b, a = shade((px + (sx + 0.5) / samples) / size, (py + (sy + 0.5) / samples) / size)
                    acc[0] += r * a
                    acc[1] += g * a
                    acc[2] += b * a
                    acc[3] += a
            n = samples * samples
            alpha = acc[3] / n
            rgb = [round(c / acc[3]) if acc[3] else 0 for c in acc[:3]]
            row += bytes([*rgb, round(alpha)])
        rows.append(bytes(row))
    return b"".join(rows)


def png(size: int, raw: bytes) -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in SIZES:
        path = OUT / f"icon{size}.png"
        path.write_bytes(png(size, render(size)))
        print(f"wrote {path.relative_to(OUT.parent.parent)}")


if __name__ == "__main__":
    main()
