"""Puts Python for the browser into static/: Pyodide, and the Django the ORM exercises need.

- Pyodide into static/pyodide/<version>/: the pinned npm package, checked by its SHA-256, with
  its standard library precompiled (runner/pyodide_stdlib.zip).
- Django (the release the app pins in pyproject.toml) and its pure-Python dependencies into
  static/runner-django/<served>/site-packages.zip: the wheels from PyPI, each checked by its
  SHA-256 (the checked downloads are kept in .cache/runner-wheels/), in one archive with their
  modules compiled for Pyodide's Python (runner/django_bytecode.zip). The runner's worker puts
  it on Python's path on the first ORM exercise (runner/browser/orm.py).

`make install` (and so `make run`, `make test` and CI) runs this; it does nothing when the files
are already there. Only the standard library is used, so it runs before anything is installed,
and Node is never needed: the package is a plain tarball on the npm registry.
"""

import hashlib
import io
import json
import re
import shutil
import sys
import tarfile
import urllib.request
import zipfile
from dataclasses import dataclass
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


@dataclass(frozen=True)
class Wheel:
    """A pure-Python wheel on PyPI, pinned by its SHA-256 (as PyPI lists it)."""

    name: str
    url: str
    sha256: str


# Django as pyproject.toml pins it, and asgiref and sqlparse at the versions installed with it.
# Keep them in step: tests/runner/test_assets.py checks the versions against this environment.
WHEELS = (
    Wheel(
        "django-5.2.19-py3-none-any.whl",
        "https://files.pythonhosted.org/packages/3c/fb/65b4e897d1268288a46457493d9aec6541be8be08e"
        "0093a93cc101c03ab2/django-5.2.19-py3-none-any.whl",
        "5965d974a5218a2b68a11dd1276434707f23886525c23f0598eccedaf4f4ca00",
    ),
    Wheel(
        "asgiref-3.13.0-py3-none-any.whl",
        "https://files.pythonhosted.org/packages/2e/b0/ec211e1f7966247cb6469158d856bac9aa4c2fe136"
        "21bd6a352e4f850453/asgiref-3.13.0-py3-none-any.whl",
        "f9596a2434512686473d50f96ff6207fbba49ae1a785dfac614df4aeb085674d",
    ),
    Wheel(
        "sqlparse-0.6.1-py3-none-any.whl",
        "https://files.pythonhosted.org/packages/df/ff/2fee788e82e75be8f210c65c5d103bf44c880e3769"
        "c884652a4cd911b8ba/sqlparse-0.6.1-py3-none-any.whl",
        "3be5a72d04c873d690d7c6dedd33d6fae2ef82759881ceec02fc2efd0cba564f",
    ),
)
DOWNLOADS_DIR = Path(__file__).resolve().parent.parent / ".cache" / "runner-wheels"
# What the browser never reads, left out of what is served: translations (the exercises run
# with USE_I18N off) and the contrib apps' static files, two thirds of Django's wheel.
LEFT_OUT = re.compile(r"/locale/[^/]+/LC_MESSAGES/|^django/contrib/[^/]+/static/")
# The wheels' modules compiled to bytecode by Pyodide's Python (unchecked hash-based .pyc files,
# each named as its module with a "c" added), built once by `make assets` (assets/bytecode.mjs)
# and committed. Its manifest.json holds the SHA-256 of each module's source: a module is served
# as bytecode only when its source is that one, and as source otherwise.
BYTECODE = Path(__file__).resolve().parent / "django_bytecode.zip"


def _served_name() -> str:
    """The folder the archive goes in, named after what makes it (the wheels, what is left out,
    the bytecode): its URL is cached for a year, so new contents get a new name."""
    digest = hashlib.sha256(LEFT_OUT.pattern.encode())
    for wheel in WHEELS:
        digest.update(wheel.sha256.encode())
    digest.update(BYTECODE.read_bytes() if BYTECODE.is_file() else b"")
    return digest.hexdigest()[:16]


# The wheels' contents in one zip archive that the worker puts on Python's path (zipimport, as
# Pyodide does with its standard library): nothing to unpack in the browser.
DJANGO_URL_PATH = f"runner-django/{_served_name()}/"
DJANGO_ARCHIVE = STATIC_DIR / DJANGO_URL_PATH / "site-packages.zip"


# Pyodide's standard library compiled to bytecode (built once by `make assets`, see
# assets/stdlib.mjs, and committed): served in place of the package's source-only zip, so that
# starting Python in a browser does not compile its modules first (make bench-runner measures it).
COMPILED_STDLIB = Path(__file__).resolve().parent / "pyodide_stdlib.zip"
STDLIB_NAME = "python_stdlib.zip"


def pyodide_is_installed() -> bool:
    if not all((PYODIDE_DIR / name).is_file() for name in PYODIDE_FILES):
        return False
    return (PYODIDE_DIR / STDLIB_NAME).read_bytes() == COMPILED_STDLIB.read_bytes()


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
    (PYODIDE_DIR / STDLIB_NAME).write_bytes(COMPILED_STDLIB.read_bytes())


def django_is_installed() -> bool:
    return DJANGO_ARCHIVE.is_file()


def _checked(wheel: Wheel, data: bytes) -> bytes:
    digest = hashlib.sha256(data).hexdigest()
    if digest != wheel.sha256:
        raise RuntimeError(
            f"{wheel.url} has SHA-256 {digest}, expected {wheel.sha256}: not installed."
        )
    return data


def download_wheel(wheel: Wheel) -> bytes:
    """The wheel from PyPI, or the copy downloaded before (raises on a checksum mismatch)."""
    kept = DOWNLOADS_DIR / wheel.name
    if kept.is_file():
        return _checked(wheel, kept.read_bytes())
    with urllib.request.urlopen(wheel.url, timeout=120) as response:
        data = _checked(wheel, response.read())
    _write_whole(kept, data)
    return data


def site_packages(wheels: list[bytes], bytecode: zipfile.ZipFile | None = None) -> bytes:
    """One zip archive holding the wheels' files but what LEFT_OUT names, each module as its
    bytecode from `bytecode` (module.pyc) when it was compiled from that very source."""
    built_from = json.loads(bytecode.read("manifest.json")) if bytecode else {}
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as served:
        for data in wheels:
            wheel = zipfile.ZipFile(io.BytesIO(data))
            for info in wheel.infolist():
                if LEFT_OUT.search(info.filename):
                    continue
                content = wheel.read(info)
                source_hash = built_from.get(info.filename)
                if source_hash and hashlib.sha256(content).hexdigest() == source_hash:
                    served.writestr(info.filename + "c", bytecode.read(info.filename + "c"))
                else:
                    served.writestr(info, content, compress_type=zipfile.ZIP_DEFLATED)
    return archive.getvalue()


def _write_whole(path: Path, data: bytes) -> None:
    """Written whole or not at all: a half-written file would look installed."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_suffix(".part")
    partial.write_bytes(data)
    partial.replace(path)


def install_django() -> None:
    bytecode = zipfile.ZipFile(BYTECODE) if BYTECODE.is_file() else None
    _write_whole(DJANGO_ARCHIVE, site_packages([download_wheel(w) for w in WHEELS], bytecode))
    # Archives served under an earlier name are no longer linked to.
    for folder in DJANGO_ARCHIVE.parent.parent.iterdir():
        if folder != DJANGO_ARCHIVE.parent:
            shutil.rmtree(folder)


def main() -> None:
    if not pyodide_is_installed():
        print(f"Fetching Pyodide {PYODIDE_VERSION} (6 MB) into {PYODIDE_DIR} ...", file=sys.stderr)
        install_pyodide()
    if not django_is_installed():
        print(f"Putting Django's wheels (8 MB) into {DJANGO_ARCHIVE} ...", file=sys.stderr)
        install_django()


if __name__ == "__main__":
    main()
