"""What prep/settings.py computes from a production environment, read in a fresh process (the
test process runs tests/settings.py)."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def production_settings(names: list[str], **environment: str) -> dict:
    """The named settings, with DEBUG, SECURE_* and REDIS_URL unset unless given here."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("DEBUG", "SECURE_", "REDIS_URL"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="prep.settings",
        SECRET_KEY="production-like-" + "k" * 50,
        ALLOWED_HOSTS="prep.example.com",
        **environment,
    )
    code = (
        "import django, json; django.setup(); from django.conf import settings; "
        f"print(json.dumps({{n: getattr(settings, n) for n in {names!r}}}))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout)
