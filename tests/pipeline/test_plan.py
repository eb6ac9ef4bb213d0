"""A dry run's jobs, read from what Snakemake prints."""

from __future__ import annotations

from odfa.pipeline.plan import PlannedJob, dry_run_jobs

PRINTED = """Building DAG of jobs...
Job stats:
job      count
-----  -------
total        2

rule dialogs_evaluate:
    input: results/runs/bp/model.pt, data/tokenizer.model
    output: results/runs/bp/samples.json, results/runs/bp/attention.npz
    log: results/logs/evaluate-bp.log
    jobid: 34
    wildcards: run=bp
    resources: tmpdir=/tmp, runtime=30
Shell command: odfa dialogs evaluate --run bp > results/logs/evaluate-bp.log 2>&1

localrule all:
    input: results/runs/bp/samples.json
    jobid: 0
This was a dry-run (flag -n). The order of jobs does not reflect the order of execution.
"""


def test_each_job_block_gives_its_rule_wildcards_files_and_command():
    assert dry_run_jobs(PRINTED) == [
        PlannedJob(
            rule="dialogs_evaluate",
            wildcards={"run": "bp"},
            inputs=("results/runs/bp/model.pt", "data/tokenizer.model"),
            outputs=("results/runs/bp/samples.json", "results/runs/bp/attention.npz"),
            log=("results/logs/evaluate-bp.log",),
            shell="odfa dialogs evaluate --run bp > results/logs/evaluate-bp.log 2>&1",
        )
    ]
    assert dry_run_jobs(PRINTED)[0].name == "dialogs_evaluate-bp"
