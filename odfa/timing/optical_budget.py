"""The frames and MODELLED optical time of a whole ODFA training of the dialogs GPT, counted
without training it: the projector of the config's sizes is built and shown one error row, and
the frames that row takes are multiplied by the rows of the training (window, context, epochs).
"""

from __future__ import annotations

import dataclasses
from typing import Any

import torch

from odfa.data.dialogs import window_count
from odfa.feedback.methods import FeedbackSettings, projection_shape
from odfa.feedback.points import inspect_points
from odfa.optics import OpticsSettings, build_optical_projector
from odfa.timing.workloads import gpt_workload


def error_rows_per_window(feedback: FeedbackSettings, context_length: int) -> int:
    """Projections one training window needs: one per token, or one for the whole window."""
    return context_length if feedback.error_rows == "token" else 1


def dialogs_optical_budget(config: dict[str, Any], n_tokens: int) -> dict[str, Any]:
    """Frames, MODELLED optical seconds and joules of training the dialogs GPT with ODFA on
    `n_tokens` training tokens for `dialogs.training.epochs` epochs, with the config's window
    stride; the projector is simulated (a real OPU shows the same frames)."""
    dialogs = config["dialogs"]
    work = gpt_workload(config, None, None, 1)
    feedback = FeedbackSettings.from_settings(config["feedback"])
    with torch.device("meta"):
        model = work.build_model()
    layout = inspect_points(
        model, model.feedback_points, work.inputs.to("meta"), rows=feedback.error_rows
    )
    n_features, n_outputs = projection_shape(layout, feedback)
    optics = OpticsSettings.from_settings(config["optics"])
    optics = dataclasses.replace(optics, backend="simulated", simulated=True, recovery="anchor")
    projector = build_optical_projector(n_features, n_outputs, optics)
    calibration = projector.frames_displayed
    projector(torch.randn(1, n_features, generator=torch.Generator().manual_seed(0)))
    frames_per_row = projector.frames_displayed - calibration
    context = dialogs["model"]["context_length"]
    windows = window_count(n_tokens, context, dialogs["window_stride"])
    rows = dialogs["training"]["epochs"] * windows * error_rows_per_window(feedback, context)
    frames = calibration + rows * frames_per_row
    device = projector.projection.device
    seconds = optics.timing.modelled_seconds(frames, device.n_outputs)
    return {
        "training_tokens": n_tokens,
        "windows": windows,
        "projected_rows": rows,
        "frames_per_row": frames_per_row,
        "optical_frames": frames,
        "dmd_pixels": device.n_inputs,
        "camera_pixels": device.n_outputs,
        "modelled_frame_rate_hz": optics.timing.frame_rate_hz(device.n_outputs),
        "modelled_optical_seconds": seconds,
        "modelled_optical_joules": optics.timing.modelled_joules(seconds),
    }
