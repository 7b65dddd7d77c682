"""riskcli: which risks of being sent back to Russia a person faces, and why."""

__version__ = "0.1.0"
