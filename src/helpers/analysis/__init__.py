"""The two analyses (COVID stall and recovery; hubs and consultation): computation on the cleaned tables only."""
