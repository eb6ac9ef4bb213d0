# The reproduction scorecard: every quantitative claim of the study, published against reproduced.

# What `rule all` asks of this study.
RESULTS += ["results/reproduction.csv"]
localrules:
    pipeline_scorecard,


rule pipeline_scorecard:
    input:
        dialogs=rules.dialogs_summarise.output,
        climate=rules.climate_summarise.output,
        scaling=rules.scaling_sweep.output,
        scaling_tables=rules.scaling_summarise.output,
        projections=rules.scaling_projections.output,
    output:
        in_report("results/reproduction.csv", "reproduction", "scorecard", "tables"),
    params:
        settings=settings_of("pipeline_scorecard"),
        code=code_of("pipeline_scorecard"),
        paper=lambda wildcards: sha256_of(PAPER_CONFIG),
        results=subpath(output[0], parent=True),
    log:
        "results/logs/reproduction.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "pipeline_scorecard",
            paper='"$ODFA_PAPER_CONFIG"',
            results="{params.results}",
            out="{output}",
        )
