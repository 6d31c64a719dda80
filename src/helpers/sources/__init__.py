"""The raw inputs: the manifest ``sources.csv``, the sheet reader (encodings, refusals), raw-line previews."""
