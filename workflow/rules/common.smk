# Config loading and validation, shared by every rule file; the settings and code of each stage.
import hashlib
import os
import sys
from collections.abc import Mapping
from pathlib import Path

import yaml
from snakemake.utils import update_config

from odfa.config import validate_config
from odfa.errors import ConfigError
from odfa.io import milestone_file_name, sha256_of, write_text
from odfa.replicates import replicate_name
from odfa.pipeline.stages import command_line, stage_code_digest, stage_settings
from odfa.registry import CLIMATE_BASELINE, CLIMATE_MODELS, DIALOGS_RUNS, METHODS, climate_run_name
from odfa.studies.ablation import SETTINGS as ABLATION_SETTINGS, resizes_dialogs, variant_names


def typed(value):
    """A --config value with its scalars typed: Snakemake reads nested ones as strings."""
    if isinstance(value, Mapping):
        return {key: typed(item) for key, item in value.items()}
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, str):
        for parse in (int, float):
            try:
                return parse(value)
            except ValueError:
                pass
        return {"true": True, "false": False, "null": None}.get(value.lower(), value)
    return value


# The effective config: config/config.yaml, merged with any --configfile files (each holding only
# what differs, like config/paper.yaml) and --config values, validated with the schema's
# defaults filled in. Every job reads this one file, named by its content and passed to jobs as
# $ODFA_CONFIG; the path is no param, the values each job takes as params are.
update_config(config, typed(workflow.config_settings.config))
_SOURCES = [f"{workflow.basedir}/config/config.yaml", *workflow.config_settings.configfiles]
try:  # the message `odfa config check` gives, in one line
    validate_config(config, source=" + ".join(
        [str(Path(path)) for path in _SOURCES] + ["--config"] * bool(workflow.config_settings.config)
    ))
except ConfigError as error:
    sys.exit(f"odfa: error: {error}")
_EFFECTIVE = yaml.safe_dump(config, sort_keys=True)
EFFECTIVE_CONFIG = Path(
    ".snakemake", "odfa", f"config-{hashlib.sha256(_EFFECTIVE.encode()).hexdigest()[:16]}.yaml"
).resolve()
if not EFFECTIVE_CONFIG.exists():
    write_text(EFFECTIVE_CONFIG, _EFFECTIVE)
os.environ.update(ODFA_CONFIG=str(EFFECTIVE_CONFIG))

# A dry run that is not --quiet says what the config's jobs are estimated to cost on a GPU.
_DRY_RUN, _QUIET = {"-n", "--dry-run", "--dryrun"}, {"-q", "--quiet"}
if workflow.is_main_process and _DRY_RUN & set(sys.argv) and not _QUIET & set(sys.argv):
    from odfa.pipeline.cost_notice import cost_notice

    print(cost_notice(config), file=sys.stderr)

# The committed digests of ClimateBench's real archives: checked by every fetch, written only by
# `odfa data lock`. Found beside the Snakefile wherever the workflow runs, passed to the fetch as
# $ODFA_CLIMATEBENCH_LOCK; its content digest is the fetch's param, so a change refetches and a
# moved project does not.
CLIMATEBENCH_LOCK = Path(workflow.basedir, "data", "climatebench.lock.json")
os.environ.update(ODFA_CLIMATEBENCH_LOCK=str(CLIMATEBENCH_LOCK))

# The paper's settings, layered over this run's config by the scorecard (claims counted at the
# paper's sizes, and whether each study ran at them); passed as $ODFA_PAPER_CONFIG like the lock.
PAPER_CONFIG = Path(workflow.basedir, "config", "paper.yaml")
os.environ.update(ODFA_PAPER_CONFIG=str(PAPER_CONFIG))

wildcard_constraints:
    method="|".join(METHODS),
    run="|".join(DIALOGS_RUNS),
    model="|".join(CLIMATE_MODELS),
    variant=f"({'|'.join(ABLATION_SETTINGS)})-[^/]+",
    replicate=r"\d+",

# The report's categories, one per study; a study run on generated sample data says so.
def _marked(category, sample):
    return f"{category} (GENERATED SAMPLE DATA, not the real data set)" if sample else category


_DIALOGS_SAMPLE = config["dialogs"]["source"] == "sample"
REPORT_CATEGORIES = {
    "digits": "Digits (scikit-learn's bundled digits)",
    "dialogs": _marked("Study 1: dialogues", _DIALOGS_SAMPLE),
    "climate": _marked("Study 2: ClimateBench", config["climate"]["source"] == "sample"),
    "scaling": "Study 3: training time",
    "ablation": _marked(
        "What the optics cost", _DIALOGS_SAMPLE and "dialogs" in config["ablation"]["studies"]
    ),
    "scorecard": "The paper, claim by claim",
}


def in_report(path, caption, study, kind):
    """`path` in the report: its caption (workflow/report/<caption>.rst), under its study's
    category and its kind (figures, tables, timings) as the subcategory."""
    return report(
        path, caption=f"../report/{caption}.rst", category=REPORT_CATEGORIES[study], subcategory=kind
    )


# The final products (the target `all`): each rule file adds its study's.
RESULTS = []

# The folder of one replicate inside a run's folder (its seeds derive from its index).
REPLICATE = replicate_name("{replicate}")


def runs_folder(name):
    """Params: the folder of a study's runs, from the input files `name` (<runs>/<run>/<replicate>/<file>)."""
    return lambda wildcards, input: str(Path(input[name][0]).parents[2])

# Training jobs ask the scheduler for `resources.training_gpus` GPUs unless the config pins the
# CPU (on a machine without a GPU, "auto" trains on the CPU); with more than one, the training
# command starts itself under torchrun. Locally the resource only limits anything when given
# with `--resources gpu=N`.
TRAINING_GPUS = 0 if config["device"] == "cpu" else config["resources"]["training_gpus"]


def settings_of(stage):
    """Params: the settings the jobs of `stage` read (a change reruns exactly those jobs)."""
    return lambda wildcards: stage_settings(config, stage, dict(wildcards.items()))


def code_of(stage):
    """Params: the digest of the code the jobs of `stage` run. A change of its behaviour reruns
    exactly those jobs; a comment, a docstring or a moved project reruns none."""
    return lambda wildcards: stage_code_digest(stage, dict(wildcards.items()))
