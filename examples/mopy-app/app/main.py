"""A mopy-style project: a folder with main.py."""

import os

import click


@click.command()
def main() -> None:
    click.echo(f"{os.environ.get('GREETING')} (click {click.__name__})")


if __name__ == "__main__":
    main()
