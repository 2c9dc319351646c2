import sys

import click

from pfcount import __version__, count_words


@click.command()
@click.version_option(__version__)
@click.argument("files", nargs=-1, type=click.File("r"))
def main(files) -> None:
    """Print the number of words in FILES (or stdin)."""
    sources = files or [sys.stdin]
    total = sum(count_words(f.read()) for f in sources)
    click.echo(f"{total} words")
