"""The benchmark's own Django site: production's settings and URLs, plus the signed-in floor.

bench/run.py serves every tree it measures (the working tree, and the baseline commit in
baseline mode) with DJANGO_SETTINGS_MODULE=bench_site.settings and this folder's parent on
PYTHONPATH after the tree's own root, so the floor is the same code on both sides and the
product's URLconf is left alone.
"""
