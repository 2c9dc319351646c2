# SPDX-FileCopyrightText: 2024-present Priya Raman <priya@example.com>
#
# SPDX-License-Identifier: MIT
__version__ = "0.4.0"
