"""A stand-in for SLURM's commands, for testing the slurm profile on one machine.

Installed on PATH as `sbatch`, `squeue`, `sacct`, `sinfo`, `scontrol`, `srun` and `scancel`
(see `install`). `sbatch` records each submission and runs the job in the background; the
query commands answer in the formats of snakemake-executor-plugin-slurm's calls. State lives
in the directory named by $STUB_SLURM_STATE.
"""

from __future__ import annotations

import argparse
import fcntl
import json
import os
import signal
import subprocess
import sys
from pathlib import Path

COMMANDS = ("sbatch", "squeue", "sacct", "sinfo", "scontrol", "srun", "scancel")
PARTITIONS = ("cpu*", "gpu")  # the asterisk marks the default partition, as sinfo prints it


def install(bin_dir: Path, state_dir: Path) -> dict[str, str]:
    """Write one wrapper per SLURM command into bin_dir; return the environment to use them."""
    bin_dir.mkdir(parents=True, exist_ok=True)
    (state_dir / "jobs").mkdir(parents=True, exist_ok=True)
    for command in COMMANDS:
        wrapper = bin_dir / command
        wrapper.write_text(f'#!/bin/sh\nexec "{sys.executable}" "{__file__}" {command} "$@"\n')
        wrapper.chmod(0o755)
    path = f"{bin_dir}{os.pathsep}{Path(sys.executable).parent}{os.pathsep}{os.environ['PATH']}"
    return {"PATH": path, "STUB_SLURM_STATE": str(state_dir)}


def _records(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def submissions(state_dir: Path) -> list[dict]:
    """Every sbatch call recorded so far (its parsed options and job id), in submission order."""
    return _records(state_dir / "submissions.jsonl")


def job_steps(state_dir: Path) -> list[dict]:
    """Every srun call recorded so far: the job it ran in and its options."""
    return _records(state_dir / "srun.jsonl")


def _state() -> Path:
    return Path(os.environ["STUB_SLURM_STATE"])


def _job_file(job_id: str) -> Path:
    return _state() / "jobs" / f"{job_id}.json"


def _read_job(job_id: str) -> dict:
    return json.loads(_job_file(job_id).read_text())


def _write_job(job: dict) -> None:
    path = _job_file(job["id"])
    temporary = path.with_suffix(".tmp")
    temporary.write_text(json.dumps(job))
    temporary.replace(path)


def _jobs() -> list[dict]:
    return [json.loads(path.read_text()) for path in sorted((_state() / "jobs").glob("*.json"))]


def _sbatch_parser() -> argparse.ArgumentParser:
    """The sbatch options the plugin uses; any other option is an error, as for a real sbatch."""
    parser = argparse.ArgumentParser(prog="sbatch", allow_abbrev=False)
    parser.add_argument("--parsable", action="store_true")
    parser.add_argument("--job-name", required=True)
    parser.add_argument("--output", required=True)
    parser.add_argument("--export")
    parser.add_argument("--comment")
    parser.add_argument("-A", dest="account")
    parser.add_argument("-p", dest="partition")
    parser.add_argument("-t", dest="time")
    parser.add_argument("--mem", type=int)
    parser.add_argument("--mem-per-cpu", type=int)
    parser.add_argument("--ntasks", type=int)
    parser.add_argument("--cpus-per-task", type=int)
    parser.add_argument("--cpus-per-gpu", type=int)
    parser.add_argument("--gpus")
    parser.add_argument("--exclusive", action="store_true")
    parser.add_argument("-D", dest="workdir")
    parser.add_argument("--wrap")
    parser.add_argument("script", nargs="?")
    return parser


def sbatch(arguments: list[str]) -> int:
    """Record the submission, start the job in the background and print its id."""
    options = _sbatch_parser().parse_args(arguments)
    if (options.wrap is None) == (options.script is None):
        print("sbatch: error: give a script or --wrap", file=sys.stderr)
        return 1
    command = options.wrap if options.wrap is not None else Path(options.script).read_text()
    with open(_state() / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        job_id = str(len(list((_state() / "jobs").glob("*.json"))) + 1001)
        record = {"id": job_id, **vars(options)}
        with open(_state() / "submissions.jsonl", "a") as log:
            log.write(json.dumps(record) + "\n")
        _write_job({"id": job_id, "name": options.job_name, "state": "PENDING", "pid": None})
    runner = [sys.executable, __file__, "run-job", job_id, command, options.output]
    runner += [options.workdir or os.getcwd(), options.gpus or ""]
    subprocess.Popen(
        runner,
        start_new_session=True,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    print(job_id)
    return 0


def run_job(job_id: str, command: str, output: str, workdir: str, gpus: str) -> int:
    """Run a submitted job to its end, as a compute node would, and record how it ended."""
    job = _read_job(job_id)
    environment = os.environ | {"SLURM_JOB_ID": job_id}
    if gpus:
        environment["SLURM_GPUS"] = gpus  # the jobstep plugin passes --gpus to srun when set
    log_path = Path(output.replace("%j", job_id))
    with open(log_path, "w") as log:
        process = subprocess.Popen(
            ["sh", "-c", command], cwd=workdir, env=environment, stdout=log, stderr=log
        )
        _write_job(job | {"state": "RUNNING", "pid": process.pid})
        code = process.wait()
    state = "COMPLETED" if code == 0 else "CANCELLED" if code < 0 else "FAILED"
    _write_job(_read_job(job_id) | {"state": state})
    return 0


def _name_filter(arguments: list[str]) -> str | None:
    return arguments[arguments.index("--name") + 1] if "--name" in arguments else None


def job_states(arguments: list[str]) -> int:
    """`squeue`/`sacct` status queries: one `id|STATE` line per job of the run."""
    name = _name_filter(arguments)
    if name is None:
        return 0  # other sacct queries (accounts, failure reasons): nothing on record
    for job in _jobs():
        if job["name"] == name:
            print(f"{job['id']}|{job['state']}")
    return 0


def sinfo(arguments: list[str]) -> int:
    print("PARTITION", *PARTITIONS, sep="\n")
    return 0


def scontrol(arguments: list[str]) -> int:
    if arguments[:2] != ["show", "config"]:
        print(f"scontrol: unsupported in the stub: {arguments}", file=sys.stderr)
        return 1
    print("MaxArraySize            = 1001\nMinJobAge               = 300 sec")
    return 0


def srun(arguments: list[str]) -> int:
    """Run a job step in place: options come first, then the command."""
    command = arguments
    while command and command[0].startswith("-"):
        command = command[1:]
    with open(_state() / "srun.jsonl", "a") as log:
        step = {"job": os.environ.get("SLURM_JOB_ID"), "options": arguments[: -len(command)]}
        log.write(json.dumps(step) + "\n")
    os.execvp(command[0], command)


def scancel(arguments: list[str]) -> int:
    for job_id in (argument for argument in arguments if not argument.startswith("-")):
        job = _read_job(job_id.split("_")[0])
        if job["pid"] is not None and job["state"] == "RUNNING":
            os.kill(job["pid"], signal.SIGTERM)
    return 0


def main(arguments: list[str]) -> int:
    command, rest = arguments[0], arguments[1:]
    handlers = {
        "sbatch": sbatch,
        "squeue": job_states,
        "sacct": job_states,
        "sinfo": sinfo,
        "scontrol": scontrol,
        "srun": srun,
        "scancel": scancel,
    }
    if command == "run-job":
        return run_job(*rest)
    return handlers[command](rest)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
