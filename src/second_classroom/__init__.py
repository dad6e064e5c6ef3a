"""second_classroom: the Second Classroom Transcript (第二课堂成绩单), event-sourced."""

import logging
from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("second-classroom")  # pyproject.toml's version, as installed
except PackageNotFoundError:  # a source tree on the path that was never installed
    __version__ = "0+unknown"

# A library adds no handler of its own: the application configures logging (the command
# line does, with --log-level); without that, nothing from here reaches stderr.
logging.getLogger(__name__).addHandler(logging.NullHandler())
