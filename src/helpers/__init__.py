"""Cleaning, analysis and reporting helpers for the community-welfare plan sheets."""

CITIES: tuple[str, ...] = ("yamagata", "yamaguchi", "ichinoseki", "shiroi")
"""The four cities, in the order the project presents them (north to south)."""

BY_CITY = "by_city"
"""Sub-folder of the processed directory holding each city's tables before they are combined."""
