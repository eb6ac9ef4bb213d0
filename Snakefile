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


# Light jobs run where Snakemake runs (on a cluster: the login node), never as batch jobs:
# downloads (compute nodes often have no internet), scores, summaries and figures.
localrules:
    all,
    dialogs_fetch,
    climate_fetch,
    climate_score,
    climate_baseline,
    digits_summary,
    digits_figure,
    dialogs_summary,
    dialogs_figures,
    climate_summary,
    climate_figures,
    scaling_summary,
    scaling_figures,
    ablation_summary,
    ablation_figure,
    reproduction,


rule all:
    input:
        DIGITS_RESULTS,
        DIALOGS_RESULTS,
        CLIMATE_RESULTS,
        SCALING_RESULTS,
        ABLATION_RESULTS,
        REPRODUCTION_RESULTS,
