"""Cleaning, analysis and reporting helpers for the community-welfare plan sheets."""

from helpers.sources.cities import city_ids

CITIES: tuple[str, ...] = city_ids()
"""The registered cities (``lexicons/cities.csv``), in the order the project presents them."""

BY_CITY = "by_city"
"""Sub-folder of the processed directory holding each city's tables before they are combined."""
