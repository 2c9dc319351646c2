# SPDX-FileCopyrightText: 2024-present Priya Raman <priya@example.com>
#
# SPDX-License-Identifier: MIT
