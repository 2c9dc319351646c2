"""A greeter whose library is installed from a direct URL (a lock fixture)."""

import click
from pfhello import greet


@click.command()
@click.argument("name", default="world")
def main(name: str) -> None:
    click.echo(greet(name))
