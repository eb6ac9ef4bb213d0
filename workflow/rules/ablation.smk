# What the optics cost: each study's ODFA run with one optics setting changed at a time.

ABLATION = config["ablation"]
ABLATION_RUNS = "results/ablation/runs"
ABLATION_REPLICATE = f"{ABLATION_RUNS}/{{study}}/{{variant}}/{REPLICATE}"
ABLATION_DIGITS = ABLATION_REPLICATE.replace("{study}", "digits")
ABLATION_DIALOGS = ABLATION_REPLICATE.replace("{study}", "dialogs")
ABLATION_VARIANTS = variant_names(ABLATION)
# What `rule all` asks of this study.
RESULTS += (
    [
        "results/ablation/metrics.csv",
        "results/ablation/replicates.csv",
        "results/figures/ablation.png",
    ]
    if ABLATION["studies"] and ABLATION_VARIANTS
    else []
)
localrules:
    ablation_summarise,
    ablation_plot,


rule ablation_digits:
    input:
        data=rules.digits_prepare.output[0],
    output:
        metrics=f"{ABLATION_DIGITS}/metrics.json",
        log_csv=f"{ABLATION_DIGITS}/log.csv",
        model=f"{ABLATION_DIGITS}/model.pt",
    params:
        settings=settings_of("ablation_digits"),
        code=code_of("ablation_digits"),
        run_dir=subpath(output.metrics, parent=True),
    log:
        "results/logs/ablation/digits-{variant}-{replicate}.log",
    threads: config["threads"]
    resources:
        **config["resources"]["digits_train"],
        gpu=TRAINING_GPUS,
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "ablation_digits",
            variant="{wildcards.variant}",
            replicate="{wildcards.replicate}",
            data="{input.data}",
            out="{params.run_dir}",
        )


rule ablation_dialogs:
    input:
        data=rules.dialogs_prepare.output,
    output:
        metrics=f"{ABLATION_DIALOGS}/metrics.json",
        log_csv=f"{ABLATION_DIALOGS}/log.csv",
        model=f"{ABLATION_DIALOGS}/model.pt",
    params:
        settings=settings_of("ablation_dialogs"),
        code=code_of("ablation_dialogs"),
        data=lambda wildcards, input: Path(input.data[0]).parent,
        run_dir=subpath(output.metrics, parent=True),
    log:
        "results/logs/ablation/dialogs-{variant}-{replicate}.log",
    threads: config["threads"]
    resources:
        **config["resources"]["dialogs_train"],
        gpu=TRAINING_GPUS,
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "ablation_dialogs",
            variant="{wildcards.variant}",
            replicate="{wildcards.replicate}",
            data="{params.data}",
            out="{params.run_dir}",
        )


rule ablation_summarise:
    input:
        metrics=expand(
            f"{ABLATION_REPLICATE}/metrics.json",
            study=ABLATION["studies"],
            variant=ABLATION_VARIANTS,
            replicate=range(ABLATION["replicates"]),
        ),
    output:
        summary=in_report("results/ablation/metrics.csv", "ablation_metrics", "ablation", "tables"),
        headline="results/ablation/metrics.json",
        replicates=in_report(
            "results/ablation/replicates.csv", "ablation_replicates", "ablation", "tables"
        ),
    params:
        settings=settings_of("ablation_summarise"),
        code=code_of("ablation_summarise"),
        runs=lambda wildcards, input: str(Path(input.metrics[0]).parents[3]),
    log:
        "results/logs/ablation/summary.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "ablation_summarise",
            runs="{params.runs}",
            replicates="{output.replicates}",
            metrics="{output.summary}",
            headline="{output.headline}",
        )


rule ablation_plot:
    input:
        table=rules.ablation_summarise.output.summary,
        references=[
            {
                "digits": rules.digits_summarise.output.summary,
                "dialogs": rules.dialogs_summarise.output.summary,
            }[study]
            for study in ABLATION["studies"]
            # a resized dialogs ablation has no reference among the study's runs
            if not (study == "dialogs" and resizes_dialogs(ABLATION))
        ],
    output:
        in_report("results/figures/ablation.png", "ablation", "ablation", "figures"),
    params:
        settings=settings_of("ablation_plot"),
        code=code_of("ablation_plot"),
    log:
        "results/logs/ablation/figure.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "ablation_plot",
            table="{input.table}",
            references="{input.references}",
            out="{output}",
        )
