# Config loading and validation, shared by every rule file.
import os
from pathlib import Path

import yaml
from snakemake.utils import validate

validate(config, "../../odfa/schemas/config.schema.yaml")

if len(workflow.overwrite_configfiles) > 1:
    raise ValueError("pass one complete config file with --configfile, not several")
# Every `odfa` command reads the same file the workflow was started with, passed to the jobs as
# $ODFA_CONFIG. The path is not a param (moving a config file reruns nothing); the values that
# each job takes as params are (changing one reruns exactly the jobs that use it).
CONFIG_FILE = str(
    workflow.overwrite_configfiles[0] if workflow.overwrite_configfiles else "config/config.yaml"
)
os.environ.update(ODFA_CONFIG=str(Path(CONFIG_FILE).resolve()))
_file_config = yaml.safe_load(Path(CONFIG_FILE).read_text())
validate(_file_config, "../../odfa/schemas/config.schema.yaml")
if _file_config != config:
    raise ValueError(
        f"settings given with --config differ from {CONFIG_FILE}: the odfa commands read the "
        "config file, so put the change in a config file and pass it with --configfile"
    )


# Training jobs ask the scheduler for one GPU unless the config pins the CPU (on a machine
# without a GPU, "auto" trains on the CPU). Locally the resource only limits anything when
# given with `--resources gpu=N`.
TRAINING_GPUS = 0 if config["device"] == "cpu" else 1

# Input functions: the config values each run depends on (a change reruns exactly those runs).
def digits_settings(wildcards):
    """The config values a digits run of this method depends on (so changes rerun it)."""
    settings = {"device": config["device"], "digits": config["digits"]}
    if wildcards.method in ("dfa", "odfa"):
        settings["feedback"] = config["feedback"]
    if wildcards.method == "odfa":
        settings["optics"] = config["optics"]
    return settings


def dialogs_run_settings(wildcards):
    """The config values a run depends on (a change reruns exactly the runs it affects)."""
    unused = ("methods", "generation")  # the runs to make, and what evaluation does with them
    settings = {key: value for key, value in config["dialogs"].items() if key not in unused}
    settings["device"] = config["device"]
    if wildcards.run in ("dfa", "odfa"):
        settings["feedback"] = config["feedback"]
    if wildcards.run == "odfa":
        settings["optics"] = config["optics"]
    return settings


def climate_run_settings(wildcards):
    """The config values a run depends on (a change reruns exactly the runs it affects)."""
    settings = {
        "device": config["device"],
        "model": config["climate"]["models"][wildcards.model],
        "training": config["climate"]["training"][wildcards.model],
    }
    if wildcards.method in ("dfa", "odfa"):
        settings["feedback"] = config["feedback"]
    if wildcards.method == "odfa":
        settings["optics"] = config["optics"]
    return settings
