"""What each value a benchmark reports means: printed beside it in the table, in the command's
help, and checked against the benchmark's keys by a test. Light: the `odfa` command reads it
without importing torch."""

from __future__ import annotations

import textwrap

# The sizes of a timed workload (those of its model are listed, the others absent).
SIZES = {
    "width": "hidden width (FCNN) or embedding width (GPT, ViT)",
    "depth": "hidden layers (FCNN) or blocks (GPT, ViT)",
    "batch": "samples per step",
    "outputs": "output width: the error's width, which the feedback projects",
    "heads": "attention heads per block",
    "context": "tokens per sequence (GPT)",
    "vocabulary": "token vocabulary (GPT)",
    "tokens": "tokens per sample: patches of a map (ViT)",
    "inputs": "input features (climate FCNN)",
    "hidden": "hidden units in all (climate FCNN)",
}

STEP = {
    "model": "the network timed",
    **SIZES,
    "device": "where it ran",
    "repeats": "timed rounds (each round runs one step of every method)",
    "bp_measured_s_per_sample": "BP: measured seconds of a training step per sample (median)",
    "dfa_measured_s_per_sample": "DFA: measured seconds of a training step per sample (median)",
    "odfa_measured_digital_s_per_sample": "ODFA: MEASURED digital seconds per sample (the "
    "simulated optics included), never the optical time",
    "odfa_modelled_optical_s_per_sample": "ODFA: MODELLED optical seconds per sample (frames / "
    "frame rate), never measured, never added to the measured time",
    "bp_flops_per_step": "BP: floating-point operations of one step (torch's FlopCounterMode)",
    "dfa_flops_per_step": "DFA: floating-point operations of one step",
    "odfa_digital_flops_per_step": "ODFA: floating-point operations of its digital part",
    "dfa_over_bp": "DFA's time / BP's (median over rounds of the paired ratio): below 1, DFA is "
    "faster",
    "flop_dfa_over_bp": "DFA's FLOPs / BP's: the time ratio if time followed arithmetic",
    "over_limit": "dfa_over_bp / flop_dfa_over_bp: 1 means DFA saves exactly the arithmetic it "
    "skips; above 1, overhead remains",
    "odfa_over_bp": "ODFA's measured digital time / BP's (paired median); optical time excluded",
    "note": "what the ratios compare",
}

OPU = {
    "precision": "number format of the simulated transmission matrix",
    "batch": "binary frames per call",
    "inputs": "DMD pixels per frame",
    "outputs": "camera pixels",
    "repeats": "timed calls per measurement (median reported)",
    "torch_threads": "CPU threads torch used",
    "lightonml_s": "seconds of lightonml's simulated OPU for the batch",
    "odfa_s": "seconds of odfa's dense simulated OPU (ideal camera) for the batch",
    "arithmetic_limit_s": "seconds of the bare matrix product it needs (frames @ [Re | Im] of T)",
    "speedup_vs_lightonml": "lightonml_s / odfa_s: above 1, odfa's simulation is faster",
    "over_arithmetic_limit": "odfa_s / arithmetic_limit_s: 1 means nothing but the product costs",
    "big_outputs": "camera pixels of the streamed case (T never held whole)",
    "big_projection_s": "seconds of one streamed projection of the batch to big_outputs pixels",
    "big_peak_increase_bytes": "the streamed projection's increase of the process's peak memory",
    "peak_rss_bytes": "the process's peak memory after it",
    "dense_t_bytes_would_be": "bytes a dense complex64 T of that size would take",
    "anchored_lit_pixels": "lit pixels per ternarised error frame of the anchored case",
    "anchored_frames_path_s": "seconds of ODFA's anchored projection as 2 x batch frames",
    "anchored_linear_path_s": "seconds of the same intensities from the lit rows of T (the "
    "path training uses)",
    "anchored_sparse_limit_s": "seconds of the sparse product alone: what the intensities must "
    "at least cost",
    "anchored_speedup": "anchored_frames_path_s / anchored_linear_path_s",
    "anchored_over_sparse_limit": "anchored_linear_path_s / anchored_sparse_limit_s: 1 means "
    "nothing but the sparse product costs",
}

PAPER = {
    "model": "the study's network at the paper's sizes",
    "method": "training method",
    **SIZES,
    "device": "the GPU",
    "parameters": "parameters of the model",
    "peak_memory_bytes": "peak GPU memory of the steps",
    "step_seconds": "measured seconds of one AdamW step (median)",
    "paper_steps": "steps the paper's training takes (epochs x batches)",
    "projected_training_hours": "paper_steps x step_seconds: PROJECTED, not measured",
    "skipped": "why nothing was measured",
}


# The derived values (ratios, and the paper check's projection) each benchmark's help explains.
RATIOS = {
    "step": (STEP, ("dfa_over_bp", "flop_dfa_over_bp", "over_limit", "odfa_over_bp")),
    "opu": (
        OPU,
        (
            "speedup_vs_lightonml",
            "over_arithmetic_limit",
            "anchored_speedup",
            "anchored_over_sparse_limit",
        ),
    ),
    "paper": (PAPER, ("projected_training_hours",)),
}


def ratio_help(benchmark: str) -> str:
    """What the derived values of `benchmark` mean, one per line, for its help."""
    meanings, keys = RATIOS[benchmark]
    lines = [
        textwrap.fill(f"{key}: {meanings[key]}", 88, initial_indent="  ", subsequent_indent="    ")
        for key in keys
    ]
    return "\n".join(["What its derived values mean:", *lines])
