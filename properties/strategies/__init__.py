"""Input strategies: shapes at real scale, special values, bad input types, and the drawn
cases the properties check.  Above ``core``; knows nothing of specs beyond what it is handed."""
