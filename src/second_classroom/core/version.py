"""The installed version: for the command line, the HTTP API and ``__version__``."""

from importlib.metadata import PackageNotFoundError, version

try:
    VERSION = version("second-classroom")  # pyproject.toml's version, as installed
except PackageNotFoundError:  # a source tree on the path that was never installed
    VERSION = "0+unknown"
