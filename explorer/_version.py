"""The version of the project: the one source (pyproject reads it; `--version` prints it)."""

__version__ = "0.1.0"
