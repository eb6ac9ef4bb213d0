"""Measured time of training steps: step timing, workloads, FLOP counts and the benchmarks."""
