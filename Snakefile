# odfa workflow: download -> prepare -> train -> evaluate -> figures.
# Run `snakemake --cores 8 all`; layer another experiment over the default with
# `--configfile config/paper.yaml` or `--config 'dialogs={training: {learning_rate: 3.0e-4}}'`.
from snakemake.utils import min_version

min_version("9.0")


# The default, wherever the workflow runs (`--directory` too); --configfile files merge over it.
configfile: f"{workflow.basedir}/config/config.yaml"


report: "workflow/report/workflow.rst"


include: "workflow/rules/common.smk"
include: "workflow/rules/digits.smk"
include: "workflow/rules/dialogs.smk"
include: "workflow/rules/climate.smk"
include: "workflow/rules/scaling.smk"
include: "workflow/rules/ablation.smk"
include: "workflow/rules/reproduction.smk"


# Each rule file adds what `rule all` asks of its study to RESULTS, and names its light rules
# (downloads, scores, summaries, figures) `localrules`: on a cluster they run where Snakemake
# runs, never as batch jobs.
localrules:
    all,


rule all:
    input:
        RESULTS,
