"""The studies: each turns a validated config into trained runs, metrics and figures."""
