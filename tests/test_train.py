"""The trainer: logging, checkpoints, exact resume, milestones and clear stops."""

from __future__ import annotations

import dataclasses
import hashlib

import pandas as pd
import pytest
import torch
import torch.nn.functional as F

from odfa.errors import ConfigError, DivergingLossError, NonFiniteLossError, OutputError
from odfa.feedback import build_method
from odfa.models import FCNN, FCNNConfig
from odfa.train import SET_ASIDE, SET_ASIDE_KEPT, TrainingConfig, mark_finished, train

CPU = torch.device("cpu")


def _data(samples: int = 64) -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(samples, 12, generator=generator)
    targets = (inputs[:, :5].argmax(dim=1)).long()  # learnable: the largest of the first five
    return inputs, targets


def _model() -> FCNN:
    torch.manual_seed(0)
    return FCNN(FCNNConfig(input_dim=12, hidden_dims=[16, 8], output_dim=5))


def _run(config, method_name: str, out_dir, training: TrainingConfig, **kwargs):
    model = _model()
    method = build_method(method_name, model, config, CPU, _data()[0][:2])
    result = train(
        model, method, _data(), F.cross_entropy, training, out_dir, CPU, progress=False, **kwargs
    )
    return model, result


def training_config(**settings) -> TrainingConfig:
    """Adam at 1e-3 for one epoch of batches of 32 unless `settings` say otherwise."""
    defaults = {"epochs": 1, "batch_size": 32, "optimizer": "adam", "learning_rate": 1e-3}
    return TrainingConfig.from_settings(defaults | settings)


TRAINING = training_config(epochs=6, batch_size=16, learning_rate=1e-2, checkpoint_every=5)


@pytest.mark.parametrize("method", ["bp", "dfa", "odfa", "shallow"])
def test_loss_decreases_and_outputs_are_written(tmp_path, config, method):
    _, result = _run(config, method, tmp_path, TRAINING)
    log = pd.read_csv(tmp_path / "log.csv")
    assert len(log) == result.steps == 24
    assert log["loss"].tail(4).mean() < log["loss"].head(4).mean()
    assert {"step", "epoch", "loss", "learning_rate", "step_seconds"} <= set(log.columns)
    assert (tmp_path / "model.pt").exists() and (tmp_path / "checkpoints" / "last.pt").exists()
    if method == "odfa":
        assert log["optical_frames"].is_monotonic_increasing
        assert log["modelled_optical_seconds"].iloc[-1] > 0


def test_alignment_is_logged_every_n_steps_for_dfa(tmp_path, config):
    training = training_config(epochs=2, batch_size=16, alignment_every=3)
    _, result = _run(config, "dfa", tmp_path, training)
    measured = result.log.dropna(subset=["alignment_hidden.0"])
    assert list(measured["step"]) == [3, 6]
    for point in ("hidden.0", "hidden.1"):
        assert measured[f"alignment_{point}"].abs().le(1.0).all()
        assert measured[f"sample_alignment_mean_{point}"].abs().le(1.0).all()
        assert measured[f"sample_alignment_std_{point}"].gt(0.0).all()
        growth = measured[f"weight_growth_{point}"]
        assert growth.gt(0.0).all() and not growth.eq(1.0).any()  # the weights have moved


class _Interrupt(Exception):
    pass


@pytest.mark.parametrize("method", ["bp", "odfa"])
def test_a_killed_run_resumes_to_the_same_result(tmp_path, config, method, capsys):
    uninterrupted, _ = _run(config, method, tmp_path / "whole", TRAINING)

    def crash_at_step_13(model):
        raise _Interrupt

    training = dataclasses.replace(TRAINING, eval_every=13)
    with pytest.raises(_Interrupt):
        _run(config, method, tmp_path / "resumed", training, evaluate=crash_at_step_13)
    assert torch.load(tmp_path / "resumed" / "checkpoints" / "last.pt")["step"] == 10
    capsys.readouterr()
    resumed, result = _run(config, method, tmp_path / "resumed", training)
    checkpoint = tmp_path / "resumed" / "checkpoints" / "last.pt"
    assert f"resuming from {checkpoint} at step 10 of 24 (fingerprint" in capsys.readouterr().err
    for expected, actual in zip(uninterrupted.parameters(), resumed.parameters(), strict=True):
        torch.testing.assert_close(actual, expected, rtol=0, atol=0)
    assert list(result.log["step"]) == list(range(1, 25))


def test_a_checkpoint_of_another_experiment_is_set_aside_and_training_starts_afresh(
    tmp_path, config, capsys
):
    _, first = _run(config, "bp", tmp_path / "run", TRAINING, identity={"data": "one"})
    capsys.readouterr()
    fresh, second = _run(config, "bp", tmp_path / "run", TRAINING, identity={"data": "two"})
    message = capsys.readouterr().err
    stale = tmp_path / "run" / SET_ASIDE / first.fingerprint
    assert f"set aside as {stale}" in message
    assert "resuming" not in message and second.fingerprint != first.fingerprint
    assert torch.load(stale / "last.pt", weights_only=False)["fingerprint"] == first.fingerprint
    assert list(second.log["step"]) == list(range(1, 25))  # every step trained again
    reference, _ = _run(config, "bp", tmp_path / "reference", TRAINING, identity={"data": "two"})
    for expected, actual in zip(reference.parameters(), fresh.parameters(), strict=True):
        torch.testing.assert_close(actual, expected, rtol=0, atol=0)


def test_an_experiment_that_comes_back_finds_its_set_aside_checkpoints(tmp_path, config, capsys):
    """A setting changed, then changed back: the first experiment's finished checkpoint is
    restored and resumed at its last step, so nothing trains again."""
    first_model, first = _run(config, "bp", tmp_path, TRAINING, identity={"data": "one"})
    mark_finished(tmp_path)
    _, second = _run(config, "bp", tmp_path, TRAINING, identity={"data": "two"})
    mark_finished(tmp_path)
    capsys.readouterr()
    back_model, back = _run(config, "bp", tmp_path, TRAINING, identity={"data": "one"})
    message = capsys.readouterr().err
    assert f"set aside in {tmp_path / SET_ASIDE / first.fingerprint}: restored" in message
    assert "at step 24 of 24" in message and back.fingerprint == first.fingerprint
    for expected, actual in zip(first_model.parameters(), back_model.parameters(), strict=True):
        torch.testing.assert_close(actual, expected, rtol=0, atol=0)
    assert [path.name for path in (tmp_path / SET_ASIDE).iterdir()] == [second.fingerprint]


def test_at_most_three_experiments_are_kept_set_aside(tmp_path, config):
    fingerprints = []
    for data in range(SET_ASIDE_KEPT + 2):
        _, result = _run(config, "bp", tmp_path, dataclasses.replace(TRAINING, epochs=1),
                         identity={"data": data})  # fmt: skip
        fingerprints.append(result.fingerprint)
    kept = {path.name for path in (tmp_path / SET_ASIDE).iterdir()}
    assert kept == set(fingerprints[-SET_ASIDE_KEPT - 1 : -1])  # the newest three set aside


def test_a_rerun_of_a_finished_run_trains_afresh(tmp_path, config, capsys):
    """A forced rerun (Snakemake's --forcerun, `dvc repro -f`) retrains from step 0."""
    first_model, _ = _run(config, "bp", tmp_path, TRAINING)
    mark_finished(tmp_path)
    capsys.readouterr()
    again_model, again = _run(config, "bp", tmp_path, TRAINING)
    message = capsys.readouterr().err
    assert "holds a finished run of this experiment: training afresh" in message
    assert "resuming" not in message and list(again.log["step"]) == list(range(1, 25))
    for expected, actual in zip(first_model.parameters(), again_model.parameters(), strict=True):
        torch.testing.assert_close(actual, expected, rtol=0, atol=0)


def test_a_run_killed_after_its_last_checkpoint_resumes_without_training(tmp_path, config, capsys):
    _, first = _run(config, "bp", tmp_path, TRAINING, identity={"data": "one"})
    for output in ("model.pt", "log.csv"):  # as Snakemake or DVC do before rerunning a job
        (tmp_path / output).unlink()
    capsys.readouterr()
    _, again = _run(config, "bp", tmp_path, TRAINING, identity={"data": "one"})
    assert "at step 24 of 24" in capsys.readouterr().err
    assert (tmp_path / "model.pt").exists() and again.fingerprint == first.fingerprint
    assert list(pd.read_csv(tmp_path / "log.csv")["step"]) == list(range(1, 25))


def test_a_non_finite_loss_stops_with_a_clear_error(tmp_path, config):
    def exploding_loss(output: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        return F.cross_entropy(output, target) * float("nan")

    model = _model()
    finite = "inputs and targets are finite: lower the learning rate"
    with pytest.raises(NonFiniteLossError, match=f"loss became nan at step 1.*{finite}"):
        train(
            model,
            build_method("bp", model, config, CPU),
            _data(),
            exploding_loss,
            TRAINING,
            tmp_path,
            CPU,
            progress=False,
        )
    assert not (tmp_path / "model.pt").exists()


def test_a_nan_in_the_data_is_blamed_on_the_data_not_the_learning_rate(tmp_path, config):
    inputs, targets = _data()
    inputs[3, 2] = float("nan")
    model = _model()
    with pytest.raises(NonFiniteLossError, match="inputs hold NaN or infinite values: the data"):
        train(
            model, build_method("bp", model, config, CPU), (inputs, targets), F.cross_entropy,
            TRAINING, tmp_path, CPU, progress=False,
        )  # fmt: skip


def test_an_output_folder_that_cannot_be_made_stops_before_the_first_step(tmp_path, config):
    (tmp_path / "file").write_text("")
    with pytest.raises(OutputError, match="cannot make this output folder"):
        _run(config, "bp", tmp_path / "file" / "run", TRAINING)


def test_a_diverging_loss_stops_with_a_clear_error(tmp_path, config):
    diverging = dataclasses.replace(TRAINING, optimizer="sgd", learning_rate=500.0)
    with pytest.raises(DivergingLossError, match="times the first step's") as stopped:
        _run(config, "bp", tmp_path, diverging)
    assert "Lower the learning rate" in str(stopped.value)
    assert not (tmp_path / "model.pt").exists()
    free = dataclasses.replace(diverging, divergence_factor=None)
    _run(config, "bp", tmp_path / "free", free)  # the check can be switched off
    assert (tmp_path / "free" / "model.pt").exists()


def test_milestone_checkpoints_at_fractions_of_training(tmp_path, config):
    training = dataclasses.replace(TRAINING, milestones=(0.0, 0.2, 1.0))
    _run(config, "bp", tmp_path, training)
    for folder in ("checkpoints", "milestones"):  # kept for resume, and published
        steps = {
            name: torch.load(tmp_path / folder / f"milestone-{name}.pt")["step"]
            for name in ("000", "020", "100")
        }
        assert steps == {"000": 0, "020": 5, "100": 24}


def test_the_same_config_gives_the_same_log(tmp_path, config):
    _, first = _run(config, "odfa", tmp_path / "a", TRAINING)
    _, second = _run(config, "odfa", tmp_path / "b", TRAINING)
    columns = ["loss", "optical_frames", "modelled_optical_seconds"]
    pd.testing.assert_frame_equal(first.log[columns], second.log[columns])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("optimizer", "rmsprop", "training: optimizer: 'rmsprop' is not one of"),
        ("epochs", 0, "training: epochs: 0 is less than the minimum of 1"),
        ("learning_rate", -1.0, "training: learning_rate: -1.0 is less than or equal to"),
        ("milestones", [1.5], r"training: milestones.0: 1.5 is greater than the maximum"),
        ("divergence_factor", 0.5, "training: divergence_factor: 0.5 is less than or equal"),
    ],
)
def test_bad_training_settings_are_named(field, value, message):
    with pytest.raises(ConfigError, match=message):
        training_config(**{field: value})


def test_alignment_is_logged_per_named_point_of_any_model(tmp_path, config):
    torch.manual_seed(0)
    model = torch.nn.Sequential(torch.nn.Linear(12, 8), torch.nn.Tanh(), torch.nn.Linear(8, 5))
    inputs, targets = _data()
    method = build_method("dfa", model, config, CPU, points=["0", "1"], example_inputs=inputs)
    training = training_config(epochs=2, batch_size=16, alignment_every=2)
    result = train(model, method, (inputs, targets), F.cross_entropy, training, tmp_path, CPU)
    measured = result.log.dropna(subset=["alignment_0"])
    assert list(measured["step"]) == [2, 4, 6, 8]
    assert measured["alignment_0"].abs().le(1.0).all()
    assert measured["alignment_1"].isna().all()  # a Tanh has no parameters to align


def test_odfa_logs_the_projection_fidelity_every_n_steps_and_keeps_the_last(tmp_path, config):
    config["optics"]["fidelity_every"] = 3
    model, inputs = _model(), _data()[0]
    method = build_method("odfa", model, config, CPU, inputs[:2])
    training = training_config(epochs=2, batch_size=16)
    result = train(model, method, _data(), F.cross_entropy, training, tmp_path, CPU)
    measured = result.log.dropna(subset=["projection_cosine"])
    assert list(measured["step"]) == [3, 6]
    assert measured["projection_cosine"].between(0.0, 1.0).all()
    assert method.summary_fields()["projection_cosine"] == measured["projection_cosine"].iloc[-1]


def _digest(tensors: dict[str, torch.Tensor]) -> str:
    """The sha256 of named tensors' names and bytes, in order."""
    digest = hashlib.sha256()
    for name, tensor in tensors.items():
        digest.update(name.encode())
        digest.update(tensor.numpy().tobytes())
    return digest.hexdigest()


def _golden_data() -> tuple[torch.Tensor, torch.Tensor]:
    generator = torch.Generator().manual_seed(0)
    inputs = torch.randn(24, 6, generator=generator, dtype=torch.float64)
    return inputs, inputs[:, :3].argmax(dim=1)


def _accuracy(model: torch.nn.Module) -> dict[str, float]:
    inputs, targets = _golden_data()
    return {"accuracy": (model(inputs).argmax(dim=1) == targets).double().mean().item()}


def _accuracy_until_call(count: int):
    """`_accuracy`, interrupted at its `count`th call (a run killed while evaluating)."""
    calls = iter(range(1, count + 1))

    def accuracy(model: torch.nn.Module) -> dict[str, float]:
        if next(calls) == count:
            raise _Interrupt
        return _accuracy(model)

    return accuracy


def _golden_run(config, out_dir, evaluate) -> tuple[FCNN, pd.DataFrame]:
    """DFA on a tiny FCNN in float64, measuring alignment, evaluating and checkpointing."""
    inputs, targets = _golden_data()
    torch.manual_seed(0)
    model = FCNN(FCNNConfig(input_dim=6, hidden_dims=[8, 4], output_dim=3)).double()
    method = build_method("dfa", model, config, CPU, inputs[:2])
    training = training_config(
        epochs=2, batch_size=8, learning_rate=1e-2, alignment_every=2, eval_every=3,
        checkpoint_every=2, grad_clip=1.0, warmup_steps=2, schedule="cosine",
    )  # fmt: skip
    result = train(
        model, method, (inputs, targets), F.cross_entropy, training, out_dir, CPU, evaluate,
        progress=False,
    )  # fmt: skip
    return model, result.log.drop(columns="step_seconds")


GOLDEN_LOSSES = [
    "1.1615136131716852",
    "1.2051142930355148",
    "1.0713361329702749",
    "1.0905330434881757",
    "1.1714282049923255",
    "1.1365189287908248",
]
GOLDEN_MODEL = "62df2d1a402474e3f608a777f3c53a9183f8f86e16e027a622174238607efc87"
GOLDEN_LOG = "527a8aa507247f2e02a6217d9f5be96d755125a6f1fa18881678fdec34433d11"
GOLDEN_CHECKPOINT_KEYS = [
    "fingerprint", "step", "rows", "model", "optimizer", "scheduler", "method_ranks",
    "method_totals", "rng", "cuda_rng", "initial_norms",
]  # fmt: skip


def test_a_tiny_run_and_its_resume_give_the_recorded_bits(tmp_path, config):
    """Every loss, logged value and weight bit as the trainer gave before it was split into
    named steps (float64 on one thread, so that no kernel's reduction order can differ)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    try:
        model, log = _golden_run(config, tmp_path / "whole", _accuracy)
        with pytest.raises(_Interrupt):  # at its second evaluation (step 6): resumes at step 4
            _golden_run(config, tmp_path / "resumed", _accuracy_until_call(2))
        resumed, resumed_log = _golden_run(config, tmp_path / "resumed", _accuracy)
    finally:
        torch.set_num_threads(threads)
    assert [repr(loss) for loss in log["loss"]] == GOLDEN_LOSSES
    assert _digest(model.state_dict()) == _digest(resumed.state_dict()) == GOLDEN_MODEL
    pd.testing.assert_frame_equal(resumed_log, log, check_exact=True)
    assert _digest({name: torch.tensor(log[name].to_numpy()) for name in log}) == GOLDEN_LOG
    checkpoint = torch.load(tmp_path / "whole" / "checkpoints" / "last.pt", weights_only=False)
    assert list(checkpoint) == GOLDEN_CHECKPOINT_KEYS
