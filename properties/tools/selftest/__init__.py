"""Self-measurement (contract 2.6): plant defects into a spec's layer and see which the properties catch."""
