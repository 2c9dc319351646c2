# SPDX-FileCopyrightText: 2024-present Priya Raman <priya@example.com>
#
# SPDX-License-Identifier: MIT
import sys

if __name__ == "__main__":
    from wordfreq.cli import wordfreq

    sys.exit(wordfreq())
