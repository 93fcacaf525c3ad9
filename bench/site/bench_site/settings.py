"""Production's settings (prep.settings, read from the environment) with the benchmark's URLconf."""

from prep.settings import *  # noqa: F403

ROOT_URLCONF = "bench_site.urls"
