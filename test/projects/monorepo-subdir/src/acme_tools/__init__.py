import click


@click.group()
def cli():
    """Maintenance commands for the acme repository."""


@cli.command()
def services():
    """List the deployable services."""
    for name in ("api", "worker"):
        click.echo(name)
