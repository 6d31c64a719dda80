"""Column descriptions (schema), validated writes, all-or-nothing staging, and combining the cities' tables."""
