"""Puts Pyodide into static/pyodide/<version>/: the pinned npm package, checked by its SHA-256.

`make install` (and so `make run`, `make test` and CI) runs this; it does nothing when the files
are already there. Only the standard library is used, so it runs before anything is installed,
and Node is never needed: the package is a plain tarball on the npm registry.
"""

import hashlib
import io
import sys
import tarfile
import urllib.request
from pathlib import Path

PYODIDE_VERSION = "314.0.8"
PYODIDE_SHA256 = "9a52704e0ae5b07aaacb8e4fed9f1658e8024694a078695ea45ac79dee4cefcb"
PYODIDE_URL = f"https://registry.npmjs.org/pyodide/-/pyodide-{PYODIDE_VERSION}.tgz"
# What the worker loads; the rest of the package (types, demo consoles) is left out.
PYODIDE_FILES = (
    "pyodide.mjs",
    "pyodide.mjs.map",
    "pyodide.asm.mjs",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
    "pyodide-lock.json",
    "package.json",
    "README.md",
)
STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
PYODIDE_DIR = STATIC_DIR / "pyodide" / PYODIDE_VERSION


def pyodide_is_installed() -> bool:
    return all((PYODIDE_DIR / name).is_file() for name in PYODIDE_FILES)


def install_pyodide() -> None:
    """Download, check and unpack the pinned package (raises on a checksum mismatch)."""
    with urllib.request.urlopen(PYODIDE_URL, timeout=120) as response:
        data = response.read()
    digest = hashlib.sha256(data).hexdigest()
    if digest != PYODIDE_SHA256:
        raise RuntimeError(
            f"{PYODIDE_URL} has SHA-256 {digest}, expected {PYODIDE_SHA256}: not installed."
        )
    PYODIDE_DIR.mkdir(parents=True, exist_ok=True)
    with tarfile.open(fileobj=io.BytesIO(data), mode="r:gz") as archive:
        for name in PYODIDE_FILES:
            member = archive.extractfile(f"package/{name}")
            if member is None:
                raise RuntimeError(f"{name} is missing from the Pyodide package.")
            (PYODIDE_DIR / name).write_bytes(member.read())


def main() -> None:
    if pyodide_is_installed():
        return
    print(f"Fetching Pyodide {PYODIDE_VERSION} (6 MB) into {PYODIDE_DIR} ...", file=sys.stderr)
    install_pyodide()


if __name__ == "__main__":
    main()
