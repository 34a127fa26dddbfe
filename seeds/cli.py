"""``flask seed``: the report's data, and synthetic networks for scale."""

from __future__ import annotations

import click
from flask.cli import AppGroup

seed_cli = AppGroup("seed", help="Load the report's data or a synthetic network.", invoke_without_command=True)


@seed_cli.result_callback()
def _noop(*_args, **_kwargs) -> None:
    pass
