"""runner/assets.py's wheels for the ORM exercises: pinned to what the server runs, checked, and
served without what the browser never reads."""

import hashlib
import io
import tomllib
import zipfile
from importlib import metadata

import pytest
from django.conf import settings

from runner import assets
from runner.assets import WHEELS, Wheel, download_wheel, served_copy


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


def test_the_served_copy_leaves_out_translations_and_static_files_and_its_record_says_so():
    kept = {
        "django/__init__.py": b"VERSION = (5, 2)\n",
        "django/conf/locale/fr/formats.py": b"DATE_FORMAT = 'j F Y'\n",
        "django/contrib/admin/templates/admin/base.html": b"<html></html>",
    }
    left_out = {
        "django/conf/locale/fr/LC_MESSAGES/django.mo": b"\x00" * 10,
        "django/contrib/auth/locale/de/LC_MESSAGES/django.po": b"msgid ''",
        "django/contrib/admin/static/admin/css/base.css": b"body {}",
    }
    names = [*kept, *left_out, "django-5.2.19.dist-info/RECORD"]
    record = "".join(f"{name},sha256=x,1\n" for name in names).encode()
    original = _wheel({**kept, **left_out, "django-5.2.19.dist-info/RECORD": record})

    copy = zipfile.ZipFile(io.BytesIO(served_copy(original)))

    assert copy.namelist() == [*kept, "django-5.2.19.dist-info/RECORD"]
    for name, content in kept.items():
        assert copy.read(name) == content
    listed = [line.split(",")[0] for line in copy.read(copy.namelist()[-1]).decode().splitlines()]
    assert listed == [*kept, "django-5.2.19.dist-info/RECORD"]


def test_a_wheel_with_nothing_to_leave_out_is_served_byte_for_byte():
    original = _wheel({"sqlparse/__init__.py": b"__version__ = '0.6.1'\n"})

    assert served_copy(original) == original


class _Response(io.BytesIO):
    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return False


def test_a_download_is_kept_only_when_its_sha256_is_the_pinned_one(monkeypatch):
    data = _wheel({"pkg/__init__.py": b""})
    monkeypatch.setattr(assets.urllib.request, "urlopen", lambda url, timeout: _Response(data))
    good = Wheel(
        "pkg-1.0-py3-none-any.whl", "https://example.test/pkg", hashlib.sha256(data).hexdigest()
    )
    bad = Wheel(good.name, good.url, "0" * 64)

    assert download_wheel(good) == data
    with pytest.raises(RuntimeError, match="has SHA-256 .*, expected 0{64}: not installed"):
        download_wheel(bad)
