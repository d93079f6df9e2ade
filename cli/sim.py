"""The ``consent-ledger sim`` command group: the science on the user's own files, no consent involved."""

import typer

sim_app = typer.Typer(
    help="Run the genomic and nanotherapy simulations on your own files (no chain, no consent).",
    no_args_is_help=True,
)
