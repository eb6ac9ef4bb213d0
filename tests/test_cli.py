"""The `odfa` command: subcommands run, user errors end with one clear line and status 2."""

from __future__ import annotations

import errno
import json
import re
from dataclasses import replace

import pytest
import yaml

from odfa.cli import main
from tests.conftest import DEFAULT_CONFIG, REPO


def test_config_check_accepts_the_default(capsys):
    assert main(["config", "check", "--config", str(REPO / "config" / "config.yaml")]) == 0
    assert "valid" in capsys.readouterr().out


def test_a_bad_config_exits_2_naming_the_key(tmp_path, capsys, digits_split):
    config = json.loads(json.dumps(DEFAULT_CONFIG))
    config["digits"]["training"]["batch_size"] = 0
    path = tmp_path / "bad.yaml"
    path.write_text(yaml.safe_dump(config))
    train = [
        "digits",
        "train",
        "--config",
        str(path),
        "--method",
        "bp",
        "--data",
        str(digits_split),
    ]
    assert main([*train, "--out", "x"]) == 2
    error = capsys.readouterr().err
    assert error.startswith("odfa: error:") and "digits.training.batch_size" in error
    assert not (tmp_path / "x").exists()


def test_a_corrupt_corpus_zip_exits_2_naming_it(tmp_path, capsys):
    corpus = tmp_path / "cornell_movie_dialogs_corpus.zip"
    corpus.write_bytes(b"PK\x03\x04 this is not a whole zip file")
    config = str(REPO / "config" / "config.yaml")
    out = tmp_path / "prepared"
    arguments = ["dialogs", "prepare", "--config", config, "--corpus", str(corpus)]
    assert main([*arguments, "--out", str(out)]) == 2
    assert str(corpus) in capsys.readouterr().err
    assert not out.exists() or not any(out.iterdir())


def test_a_truncated_climatebench_archive_exits_2_naming_it(tmp_path, capsys):
    from odfa.data.synthetic.climatebench import generate_sample_archives

    generate_sample_archives(tmp_path / "raw", n_lat=4, n_lon=6, seed=0, members=1)
    archive = tmp_path / "raw" / "test.tar.gz"
    archive.write_bytes(archive.read_bytes()[: archive.stat().st_size // 2])
    config = str(REPO / "config" / "config.yaml")
    out = tmp_path / "prepared"
    arguments = ["climate", "prepare", "--config", config, "--archives", str(tmp_path / "raw")]
    assert main([*arguments, "--out", str(out)]) == 2
    error = capsys.readouterr().err
    assert str(archive) in error and "corrupt or truncated" in error
    assert not (out / "train.nc").exists() and not (out / "test.nc").exists()


def test_a_missing_input_is_one_line_naming_it(tmp_path, capsys):
    arguments = ["climate", "score", "--run-dir", str(tmp_path / "run"), "--data", str(tmp_path)]
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.startswith("odfa: error: ") and error.count("\n") == 1
    assert str(tmp_path / "run" / "training.json") in error and "run the stage" in error


def test_an_output_folder_under_a_file_stops_in_one_line_before_training(
    tmp_path, capsys, digits_split
):
    (tmp_path / "file").write_text("")
    config = str(REPO / "config" / "config.yaml")
    out = str(tmp_path / "file" / "run")
    train = ["digits", "train", "--config", config, "--method", "bp", "--data", str(digits_split)]
    assert main([*train, "--out", out]) == 2
    error = capsys.readouterr().err
    assert error == f"odfa: error: {out}: cannot make this output folder (Not a directory)\n"


def test_a_full_disk_is_one_line_and_another_runtime_error_keeps_its_traceback(monkeypatch, capsys):
    from odfa import cli

    def writer_fails(cause: BaseException):
        def handler(args) -> None:
            raise RuntimeError("[enforce fail at inline_container.cc:672] write failed") from cause

        return handler

    check = cli.COMMANDS["config"][1]["check"]
    arguments = ["config", "check", "--config", "any.yaml"]
    full = OSError(errno.ENOSPC, "No space left on device")
    monkeypatch.setitem(cli.COMMANDS["config"][1], "check", replace(check, handler=writer_fails(
        full)))  # fmt: skip
    assert main(arguments) == 2
    error = capsys.readouterr().err
    assert error.startswith("odfa: error: no space left on device;") and error.count("\n") == 1
    monkeypatch.setitem(cli.COMMANDS["config"][1], "check", replace(check, handler=writer_fails(
        ValueError("a bug"))))  # fmt: skip
    with pytest.raises(RuntimeError, match="enforce fail"):
        main(arguments)


def test_a_bug_keeps_its_traceback_and_a_user_error_is_one_line(monkeypatch, capsys):
    from odfa import cli
    from odfa.errors import DataError

    def failing(error: Exception):
        def handler(args) -> None:
            raise error

        return handler

    check = cli.COMMANDS["config"][1]["check"]
    arguments = ["config", "check", "--config", "any.yaml"]
    monkeypatch.setitem(cli.COMMANDS["config"][1], "check", replace(check, handler=failing(
        ValueError("a bug"))))  # fmt: skip
    with pytest.raises(ValueError, match="a bug"):
        main(arguments)
    monkeypatch.setitem(cli.COMMANDS["config"][1], "check", replace(check, handler=failing(
        DataError("x.nc: bad data"))))  # fmt: skip
    assert main(arguments) == 2
    assert capsys.readouterr().err == "odfa: error: x.nc: bad data\n"


def test_every_declared_subcommand_parses_its_help(capsys):
    from odfa.cli import COMMANDS

    for group, (_, commands) in COMMANDS.items():
        for name in commands:
            with pytest.raises(SystemExit) as stopped:
                main([group, name, "--help"])
            assert stopped.value.code == 0
            assert capsys.readouterr().out.startswith(f"usage: odfa {group} {name}")


def test_every_command_has_an_example_that_parses_and_every_option_says_what_it_is(capsys):
    from odfa.cli import COMMANDS, build_parser

    parser = build_parser()
    for group, (_, commands) in COMMANDS.items():
        for name, command in commands.items():
            args = parser.parse_args([group, name, *command.example.split()])
            assert args.handler == command.handler, (group, name)
            for flag, keywords in command.options:
                assert keywords.get("help"), (group, name, flag)
            with pytest.raises(SystemExit):
                main([group, name, "--help"])
            assert f"example:\n  odfa {group} {name}" in capsys.readouterr().out


def test_the_version_and_each_default_are_shown(capsys):
    with pytest.raises(SystemExit) as stopped:
        main(["--version"])
    assert stopped.value.code == 0 and capsys.readouterr().out.startswith("odfa 0.")
    with pytest.raises(SystemExit):
        main(["dialogs", "train", "--help"])
    shown = " ".join(capsys.readouterr().out.split())
    assert "replicate index (seeds derive from it) (default: 0)" in shown
    assert "(default: None)" not in shown


def test_one_verb_per_act_and_one_way_to_pass_a_config():
    from odfa.cli import COMMANDS
    from odfa.pipeline.stages import STAGES

    actions = {action for _, commands in COMMANDS.values() for action in commands}
    assert not actions & {"summary", "figures", "figure", "run"}
    rule_files = [REPO / "Snakefile", *(REPO / "workflow" / "rules").glob("*.smk")]
    rules = {
        name for path in rule_files for name in re.findall(r"^rule (\w+):", path.read_text(), re.M)
    }
    assert rules - {"all"} == set(STAGES)  # each rule is its stage, named after its command
    assert {"digits_summarise", "dialogs_plot", "scaling_sweep", "pipeline_scorecard"} <= rules
    for _, commands in COMMANDS.values():
        for command in commands.values():
            assert all(flag.startswith("-") for flag, _ in command.options)
