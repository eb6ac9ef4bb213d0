"""Every kind of user error is a UserError (one line from the CLI) and keeps its builtin kind."""

from __future__ import annotations

import pytest

from odfa import errors


@pytest.mark.parametrize(
    ("kind", "builtin"),
    [
        (errors.ConfigError, ValueError),
        (errors.DataError, ValueError),
        (errors.MissingInputError, FileNotFoundError),
        (errors.MissingPackageError, ImportError),
        (errors.HardwareError, RuntimeError),
        (errors.DownloadError, RuntimeError),
        (errors.NonFiniteLossError, RuntimeError),
        (errors.DivergingLossError, RuntimeError),
        (errors.OutputError, OSError),
    ],
)
def test_each_user_error_is_caught_as_one_and_as_its_builtin(kind, builtin):
    assert issubclass(kind, errors.UserError) and issubclass(kind, builtin)


def test_a_climatebench_format_error_is_a_data_error():
    from odfa.data.climatebench import ClimateBenchFormatError

    assert issubclass(ClimateBenchFormatError, errors.DataError)
