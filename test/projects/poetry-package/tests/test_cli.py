from click.testing import CliRunner

from dice_roller.cli import main


def test_default_roll_is_repeatable():
    first = CliRunner().invoke(main, [])
    second = CliRunner().invoke(main, [])
    assert first.output == second.output
