import random

import click

from dice_roller import __version__


@click.command()
@click.option("--dice", default="3d6", show_default=True, help="Dice to roll, as NdM.")
@click.option("--seed", default=7, show_default=True, type=int, help="Seed, for repeatable rolls.")
@click.version_option(__version__, prog_name="roll")
def main(dice: str, seed: int) -> None:
    """Roll some dice and print the total."""
    count, sides = (int(part) for part in dice.lower().split("d"))
    rng = random.Random(seed)
    rolls = [rng.randint(1, sides) for _ in range(count)]
    click.echo(f"{dice}: {' + '.join(map(str, rolls))} = {sum(rolls)}")
