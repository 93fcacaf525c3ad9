"""runner/assets.py's Django for the ORM exercises: the wheels pinned to what the server runs and
checked, served as one archive of bytecode without what the browser never reads."""

import hashlib
import io
import json
import tomllib
import zipfile
from importlib import metadata

import pytest
from django.conf import settings

from runner import assets
from runner.assets import WHEELS, Wheel, download_wheel, site_packages


def _wheel(files: dict[str, bytes]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in files.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_the_wheels_are_the_django_the_app_pins_and_the_dependencies_installed_with_it():
    pyproject = tomllib.loads((settings.BASE_DIR / "pyproject.toml").read_text())
    pinned = next(d for d in pyproject["project"]["dependencies"] if d.startswith("Django=="))
    versions = {wheel.name.split("-")[0]: wheel.name.split("-")[1] for wheel in WHEELS}

    assert f"Django=={versions['django']}" == pinned
    for name in ("django", "asgiref", "sqlparse"):
        assert versions[name] == metadata.version(name), name
    for wheel in WHEELS:
        assert wheel.name.endswith("-py3-none-any.whl")  # pure Python: it runs in Pyodide
        assert wheel.url.startswith("https://files.pythonhosted.org/packages/")
        assert wheel.url.endswith("/" + wheel.name)
        assert len(wheel.sha256) == 64


def _bytecode(modules: dict[str, bytes]) -> zipfile.ZipFile:
    """A runner/django_bytecode.zip built from these sources (the "bytecode" is a stand-in)."""
    manifest = {name: hashlib.sha256(source).hexdigest() for name, source in modules.items()}
    files = {name + "c": b"PYC:" + source for name, source in modules.items()}
    return zipfile.ZipFile(io.BytesIO(_wheel({**files, "manifest.json": json.dumps(manifest)})))


def test_the_archive_leaves_out_translations_and_static_files():
    kept = {
        "django/conf/locale/fr/formats.py": b"DATE_FORMAT = 'j F Y'\n",
        "django/contrib/admin/templates/admin/base.html": b"<html></html>",
        "django-5.2.19.dist-info/METADATA": b"Name: Django",
    }
    left_out = {
        "django/conf/locale/fr/LC_MESSAGES/django.mo": b"\x00" * 10,
        "django/contrib/auth/locale/de/LC_MESSAGES/django.po": b"msgid ''",
        "django/contrib/admin/static/admin/css/base.css": b"body {}",
    }
    other = {"sqlparse/__init__.py": b"__version__ = '0.6.1'\n"}

    archive = zipfile.ZipFile(
        io.BytesIO(site_packages([_wheel({**kept, **left_out}), _wheel(other)]))
    )

    assert archive.namelist() == [*kept, *other]
    for name, content in {**kept, **other}.items():
        assert archive.read(name) == content


def test_a_module_is_served_as_bytecode_only_when_compiled_from_its_very_source():
    sources = {"django/__init__.py": b"VERSION = (5, 2)\n", "django/db.py": b"x = 1\n"}
    bytecode = _bytecode({**sources, "django/db.py": b"x = 2\n"})  # compiled from another db.py

    archive = zipfile.ZipFile(io.BytesIO(site_packages([_wheel(sources)], bytecode)))

    assert archive.namelist() == ["django/__init__.pyc", "django/db.py"]
    assert archive.read("django/__init__.pyc") == b"PYC:VERSION = (5, 2)\n"
    assert archive.read("django/db.py") == b"x = 1\n"


def test_the_committed_bytecode_covers_every_module_of_the_pinned_wheels():
    """Fails when a wheel's version changes without `make assets`: rebuild the bytecode."""
    assert assets.DJANGO_ARCHIVE.is_file(), "run make install"
    archive = zipfile.ZipFile(assets.DJANGO_ARCHIVE)
    sources = [name for name in archive.namelist() if name.endswith(".py")]

    assert sources == [], f"{len(sources)} modules without bytecode, e.g. {sources[:3]}"
    assert len([name for name in archive.namelist() if name.endswith(".pyc")]) > 800


class _Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_download_is_kept_only_when_its_sha256_is_the_pinned_one(monkeypatch, tmp_path):
    data = _wheel({"pkg/__init__.py": b""})
    monkeypatch.setattr(assets, "DOWNLOADS_DIR", tmp_path)
    monkeypatch.setattr(assets.urllib.request, "urlopen", lambda url, timeout: _Response(data))
    good = Wheel(
        "pkg-1.0-py3-none-any.whl", "https://example.test/pkg", hashlib.sha256(data).hexdigest()
    )
    bad = Wheel("pkg-2.0-py3-none-any.whl", good.url, "0" * 64)

    assert download_wheel(good) == data
    with pytest.raises(RuntimeError, match="has SHA-256 .*, expected 0{64}: not installed"):
        download_wheel(bad)
    assert [path.name for path in tmp_path.iterdir()] == [good.name]


def test_a_kept_download_is_checked_again_before_it_is_used(monkeypatch, tmp_path):
    monkeypatch.setattr(assets, "DOWNLOADS_DIR", tmp_path)
    (tmp_path / "pkg-1.0-py3-none-any.whl").write_bytes(b"changed on disk")
    wheel = Wheel("pkg-1.0-py3-none-any.whl", "https://example.test/pkg", "0" * 64)

    with pytest.raises(RuntimeError, match="expected 0{64}: not installed"):
        download_wheel(wheel)
