"""odfa: optical direct feedback alignment (ODFA) versus BP, digital DFA and shallow training."""

__version__ = "0.1.0"
