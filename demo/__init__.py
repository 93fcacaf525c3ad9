"""Demo data: the demo logins of a local first run (`manage.py create_demo_accounts`) and the
benchmark's generated data (`manage.py seed_demo`). No models, no URLs."""
