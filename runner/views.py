import hashlib
import json
from pathlib import Path

from csp.decorators import csp_exempt
from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.templatetags.static import static
from django.views.decorators.http import require_safe

from runner.assets import DJANGO_ARCHIVE, DJANGO_URL_PATH, PYODIDE_DIR, PYODIDE_VERSION

WORKER_SOURCE = Path(__file__).with_name("worker.js")
BROWSER_DIR = Path(__file__).with_name("browser")
LARGE_FILES = ("pyodide.asm.wasm", "python_stdlib.zip")


def _size(path: Path) -> int:
    return path.stat().st_size if path.is_file() else 0


def snapshot_key() -> str:
    """What the worker's snapshots of Python (worker.js, "Snapshots") were made from: Pyodide,
    the worker, the Python files it runs and Django's archive. A change of any starts afresh."""
    digest = hashlib.sha256(f"{PYODIDE_VERSION} {DJANGO_URL_PATH}".encode())
    for path in (WORKER_SOURCE, *sorted(BROWSER_DIR.glob("*.py"))):
        digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def worker_policy(*, pyodide_url: str, harness_url: str, django_url: str) -> str:
    """The worker's own Content-Security-Policy: it may load Pyodide (and compile its
    WebAssembly), fetch the harness and orm.py beside it, and Django's archive for the ORM
    exercises, and reach nothing else. CSP paths need a full origin ('self' takes no path), so
    the URLs are absolute."""
    harness_folder = harness_url.rsplit("/", 1)[0] + "/"
    return "; ".join(
        [
            "default-src 'none'",
            f"script-src {pyodide_url} 'wasm-unsafe-eval'",
            f"connect-src {pyodide_url} {harness_folder} {django_url}",
        ]
    )


@require_safe
@csp_exempt()
def worker_script(request: HttpRequest) -> HttpResponse:
    """The runner's worker script, with where to find Pyodide and the harness, and its policy.

    Served by a view, not as a static file: WhiteNoise answers before django-csp runs, and a
    worker obeys the policy of its own script's response, which must name this site's origin.
    """
    # A folder has no entry in the static files manifest: build its URL from STATIC_URL.
    pyodide_url = request.build_absolute_uri(f"{settings.STATIC_URL}pyodide/{PYODIDE_VERSION}/")
    harness_url = request.build_absolute_uri(static("runner/harness.py"))
    django_url = request.build_absolute_uri(f"{settings.STATIC_URL}{DJANGO_URL_PATH}")
    config = {
        "pyodideUrl": pyodide_url,
        "harnessUrl": harness_url,
        # SQL questions' runner, beside the harness (so within the policy's connect-src).
        "sqlUrl": request.build_absolute_uri(static("runner/sql.py")),
        # Uncompressed sizes, to show how far along the download is (0 if unknown).
        "sizes": {name: _size(PYODIDE_DIR / name) for name in LARGE_FILES},
        "snapshotKey": snapshot_key(),
        # The ORM exercises' runtime, loaded on the first card that needs it.
        "django": {
            "archive": {
                "url": django_url + DJANGO_ARCHIVE.name,
                "size": _size(DJANGO_ARCHIVE),
            },
            "ormUrl": request.build_absolute_uri(static("runner/orm.py")),
        },
    }
    source = f"const CONFIG = {json.dumps(config)};\n" + WORKER_SOURCE.read_text(encoding="utf-8")
    response = HttpResponse(source, content_type="text/javascript; charset=utf-8")
    response["Content-Security-Policy"] = worker_policy(
        pyodide_url=pyodide_url, harness_url=harness_url, django_url=django_url
    )
    # Small, and it must change with a deployment: the browser asks again each page load.
    response["Cache-Control"] = "no-cache"
    return response
