"""Data-parallel training on torch.distributed: what each process of a `torchrun` launch does.

Started by `torchrun --nproc-per-node N odfa <study> train ...`, every process (rank) joins one
process group (gloo on CPU, NCCL on GPUs, one GPU per rank), holds the whole model, trains on
its contiguous share of every global batch and averages gradients through
DistributedDataParallel. Started without torchrun, there is one rank and nothing changes.
"""

from __future__ import annotations

import os
from typing import Any

import torch
import torch.distributed as dist
from torch import nn
from torch.nn.parallel import DistributedDataParallel


def world_size() -> int:
    """The number of processes training together (torchrun's WORLD_SIZE; 1 without it)."""
    return dist.get_world_size() if dist.is_initialized() else int(os.environ.get("WORLD_SIZE", 1))


def rank() -> int:
    """This process's index among them (0 alone)."""
    return dist.get_rank() if dist.is_initialized() else int(os.environ.get("RANK", 0))


def is_main() -> bool:
    """Whether this process writes the outputs (rank 0)."""
    return rank() == 0


def start(device: torch.device) -> torch.device:
    """Join the process group torchrun describes, if any; return this rank's device (its own
    GPU, `LOCAL_RANK`, when `device` is CUDA)."""
    if world_size() == 1:
        return device
    if device.type == "cuda":
        device = torch.device("cuda", int(os.environ.get("LOCAL_RANK", 0)))
        torch.cuda.set_device(device)
    if not dist.is_initialized():
        dist.init_process_group("nccl" if device.type == "cuda" else "gloo")
    return device


def shard(batch: torch.Tensor) -> torch.Tensor:
    """This rank's contiguous share of a global batch (shares differ by one at most)."""
    return torch.tensor_split(batch, world_size())[rank()]


def wrap(model: nn.Module, device: torch.device) -> nn.Module:
    """`model` in DistributedDataParallel when several ranks train (gradients averaged over
    ranks in the backward pass), else `model` itself."""
    if world_size() == 1:
        return model
    return DistributedDataParallel(
        model, device_ids=[device.index] if device.type == "cuda" else None
    )


def unwrap(model: nn.Module) -> nn.Module:
    """The model inside a DistributedDataParallel wrapper (or `model`)."""
    return model.module if isinstance(model, DistributedDataParallel) else model


def sum_over_ranks(values: dict[str, float], device: torch.device) -> dict[str, float]:
    """Each value summed over the ranks (the values themselves with one rank)."""
    if world_size() == 1 or not values:
        return dict(values)
    tensor = torch.tensor(list(values.values()), dtype=torch.float64, device=device)
    dist.all_reduce(tensor)
    return dict(zip(values, tensor.tolist(), strict=True))


def gather(value: Any) -> list[Any]:
    """Every rank's `value`, in rank order (a list of one alone)."""
    if world_size() == 1:
        return [value]
    values: list[Any] = [None] * world_size()
    dist.all_gather_object(values, value)
    return values


def barrier() -> None:
    """Wait for every rank (nothing alone)."""
    if world_size() > 1:
        dist.barrier()
