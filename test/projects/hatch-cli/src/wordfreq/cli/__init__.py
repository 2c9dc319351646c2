# SPDX-FileCopyrightText: 2024-present Priya Raman <priya@example.com>
#
# SPDX-License-Identifier: MIT
import re
from collections import Counter

import click

from wordfreq.__about__ import __version__

SAMPLE = "the quick brown fox jumps over the lazy dog and the dog sleeps"


@click.command(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(version=__version__, prog_name="wordfreq")
@click.option("--top", default=3, show_default=True, help="How many words to show.")
@click.argument("text", required=False)
def wordfreq(top: int, text: str | None):
    """Print the TOP most frequent words of TEXT (a sample sentence by default)."""
    words = re.findall(r"[a-z']+", (text or SAMPLE).lower())
    for word, count in Counter(words).most_common(top):
        click.echo(f"{count:3d} {word}")
