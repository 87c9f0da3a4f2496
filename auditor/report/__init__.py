"""Output formats built from the one Finding record: JSON records and the terminal summary."""
