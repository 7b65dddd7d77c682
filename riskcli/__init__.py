"""riskcli: which risks of being sent back to Russia a person faces, and why."""

from typing import Any


def __getattr__(name: str) -> Any:
    """``__version__``, read from the installed metadata when first asked for (``--version``):
    the version is written once, in pyproject.toml, and start-up does not pay for reading it."""
    if name != "__version__":
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    from importlib.metadata import PackageNotFoundError, version

    try:
        found = version("riskcli")
    except PackageNotFoundError:  # pragma: no cover - run from a source tree not installed
        found = "unknown"
    globals()["__version__"] = found
    return found
