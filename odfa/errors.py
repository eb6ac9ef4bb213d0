"""Errors that mean the user's input or run went wrong: the `odfa` command reports them in one
line naming the culprit. Any other exception is a bug and keeps its traceback."""

from __future__ import annotations


class UserError(Exception):
    """Bad input or a run that cannot go on: the message says what and where."""


class ConfigError(UserError, ValueError):
    """A configuration value is missing, unknown or out of range."""


class DownloadError(UserError, RuntimeError):
    """A download failed, or a downloaded file is not what was expected."""


class TrainingStoppedError(UserError, RuntimeError):
    """Training stopped because its loss became non-finite or diverged."""


class NonFiniteLossError(TrainingStoppedError):
    """The loss became NaN or infinite: training stops instead of running on garbage."""


class DivergingLossError(TrainingStoppedError):
    """The loss grew far above where it started: the run is diverging."""


class DataError(UserError, ValueError):
    """An input data file is malformed or does not hold what the study needs."""


class MissingInputError(UserError, FileNotFoundError):
    """A file a stage reads is not there (an earlier stage has not run, or a wrong path)."""


class MissingPackageError(UserError, ImportError):
    """An optional package the config asks for is not installed."""


class HardwareError(UserError, RuntimeError):
    """The optical hardware the config asks for cannot be opened or driven."""


class OutputError(UserError, OSError):
    """An output cannot be written: its folder cannot be made or written in, or the disk is full."""
