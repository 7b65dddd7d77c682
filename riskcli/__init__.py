"""riskcli: which risks of being sent back to Russia a person faces, and why."""

from importlib.metadata import PackageNotFoundError, version

try:  # the version is written once, in pyproject.toml
    __version__ = version("riskcli")
except PackageNotFoundError:  # pragma: no cover - run from a source tree that is not installed
    __version__ = "unknown"
