# The reproduction scorecard: every quantitative claim of the study, published against reproduced.

# What `rule all` asks of this study.
RESULTS += ["results/reproduction.csv"]
localrules:
    reproduction,


rule reproduction:
    input:
        dialogs=rules.dialogs_summary.output,
        climate=rules.climate_summary.output,
        scaling=rules.scaling_sweep.output,
        scaling_tables=rules.scaling_summary.output,
        projections=rules.scaling_projections.output,
    output:
        report(
            "results/reproduction.csv",
            caption="../report/reproduction.rst",
            category="Reproduction scorecard",
        ),
    params:
        settings=settings_of("reproduction"),
        code=code_of("reproduction"),
        paper=lambda wildcards: sha256_of(PAPER_CONFIG),
        results=subpath(output[0], parent=True),
    log:
        "results/logs/reproduction.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "reproduction",
            paper='"$ODFA_PAPER_CONFIG"',
            results="{params.results}",
            out="{output}",
        )
