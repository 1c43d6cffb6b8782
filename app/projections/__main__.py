"""``python -m app.projections run|rebuild``: the same as ``gendan projections``."""

from __future__ import annotations

import argparse
import logging

from app.config import Settings
from app.projections.runner import rebuild_all, run_forever


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="python -m app.projections")
    parser.add_argument("command", choices=("run", "rebuild"))
    args = parser.parse_args(argv)
    logging.basicConfig(level=logging.INFO)
    settings = Settings()
    if args.command == "run":
        run_forever(settings)
    else:
        print(f"rebuilt the read models from {rebuild_all(settings)} events")


if __name__ == "__main__":
    main()
