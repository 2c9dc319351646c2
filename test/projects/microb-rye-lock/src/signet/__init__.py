import importlib.util
import os

import click
from itsdangerous import BadSignature, Signer


@click.command()
@click.argument("value")
def main(value: str) -> None:
    """Sign VALUE with SIGNET_KEY, then check the token round-trips."""
    signer = Signer(os.environ["SIGNET_KEY"], salt="signet.release")
    token = signer.sign(value).decode()
    click.echo(f"token: {token}")
    try:
        click.echo(f"verified: {signer.unsign(token).decode()}")
    except BadSignature:
        click.echo("verification failed")
    if importlib.util.find_spec("pytest"):
        click.echo("warning: dev dependencies are installed")
