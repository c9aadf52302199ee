"""Zip the browser extension for the web stores: manifest.json + extension/ and nothing else.

Usage (from anywhere): `python scripts/package_extension.py [--out DIR]`
-> DIR/paperlens-extension-<manifest version>.zip (default DIR: dist/). Prints the zip's path.
Files whose names start with "." or "_" and __pycache__ folders are left out (stores and Chrome reject them).
"""

from __future__ import annotations

import argparse
import json
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
# Fixed timestamp so the same sources always give the same zip bytes.
EPOCH = (2024, 1, 1, 0, 0, 0)


def extension_files(root: Path = ROOT) -> list[Path]:
    """The files that go into the package, relative to root, sorted: manifest.json first."""
    files = [Path("manifest.json")]
    for path in sorted((root / "extension").rglob("*")):
        rel = path.relative_to(root)
        if path.is_dir() or any(part.startswith((".", "_")) for part in rel.parts):
            continue
        files.append(rel)
    return files


def build(out_dir: Path, root: Path = ROOT) -> Path:
    """Write the zip; returns its path."""
    manifest = json.loads((root / "manifest.json").read_text(encoding="utf-8"))
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / f"paperlens-extension-{manifest['version']}.zip"
    with zipfile.ZipFile(target, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for rel in extension_files(root):
            info = zipfile.ZipInfo(rel.as_posix(), date_time=EPOCH)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zf.writestr(info, (root / rel).read_bytes())
    return target


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder (default: dist/)")
    args = parser.parse_args(argv)
    print(build(args.out))


if __name__ == "__main__":
    main()
