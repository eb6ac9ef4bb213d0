# Config loading and validation, shared by every rule file.
from pathlib import Path

import yaml
from snakemake.utils import validate

validate(config, "../../odfa/schemas/config.schema.yaml")

if len(workflow.overwrite_configfiles) > 1:
    raise ValueError("pass one complete config file with --configfile, not several")
# Every `odfa` command reads the same file the workflow was started with.
CONFIG_FILE = str(
    workflow.overwrite_configfiles[0] if workflow.overwrite_configfiles else "config/config.yaml"
)
_file_config = yaml.safe_load(Path(CONFIG_FILE).read_text())
validate(_file_config, "../../odfa/schemas/config.schema.yaml")
if _file_config != config:
    raise ValueError(
        f"settings given with --config differ from {CONFIG_FILE}: the odfa commands read the "
        "config file, so put the change in a config file and pass it with --configfile"
    )
