# odfa workflow: download -> prepare -> train -> evaluate -> figures.
# Run `snakemake --cores 8 all`; choose another config with `--configfile config/paper.yaml`.
configfile: "config/config.yaml"


include: "workflow/rules/common.smk"
include: "workflow/rules/digits.smk"
include: "workflow/rules/dialogs.smk"
include: "workflow/rules/climate.smk"
include: "workflow/rules/scaling.smk"


rule all:
    input:
        DIGITS_RESULTS,
        DIALOGS_RESULTS,
        CLIMATE_RESULTS,
        SCALING_RESULTS,
