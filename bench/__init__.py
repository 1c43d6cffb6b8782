"""The speed benchmark of issue 3: `make bench` / `python -m bench.run`."""
