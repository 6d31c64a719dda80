"""Shared ground every layer stands on: text and number parsing, fiscal years, non-count rules, errors."""
