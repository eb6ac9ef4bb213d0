# Digits: an MLP trained with BP, DFA, ODFA and shallow on scikit-learn's bundled digits.

DIGITS_SPLIT = "data/processed/digits/split.npz"
DIGITS_RUNS = "results/digits/runs"
DIGITS_REPLICATE = f"{DIGITS_RUNS}/{{method}}/{REPLICATE}"
DIGITS_REPLICATES = range(config["digits"]["replicates"])
# What `rule all` asks of this study.
RESULTS += [
    "results/digits/metrics.json",
    "results/digits/replicates.csv",
    "results/figures/digits.png",
]
localrules:
    digits_prepare,
    digits_summarise,
    digits_plot,


rule digits_prepare:
    output:
        DIGITS_SPLIT,
    params:
        settings=settings_of("digits_prepare"),
        code=code_of("digits_prepare"),
    log:
        "results/logs/digits/prepare.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "digits_prepare",
            out="{output}",
        )


rule digits_train:
    input:
        data=rules.digits_prepare.output[0],
    output:
        metrics=f"{DIGITS_REPLICATE}/metrics.json",
        log_csv=f"{DIGITS_REPLICATE}/log.csv",
        model=f"{DIGITS_REPLICATE}/model.pt",
    params:
        settings=settings_of("digits_train"),
        code=code_of("digits_train"),
        run_dir=subpath(output.metrics, parent=True),
    log:
        "results/logs/digits/train-{method}-{replicate}.log",
    threads: config["threads"]
    resources:
        **config["resources"]["digits_train"],
        gpu=TRAINING_GPUS,
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "digits_train",
            method="{wildcards.method}",
            replicate="{wildcards.replicate}",
            data="{input.data}",
            out="{params.run_dir}",
        )


rule digits_summarise:
    input:
        metrics=expand(
            f"{DIGITS_REPLICATE}/metrics.json",
            method=config["digits"]["methods"],
            replicate=DIGITS_REPLICATES,
        ),
    output:
        summary="results/digits/metrics.json",
        replicates=in_report("results/digits/replicates.csv", "digits_replicates", "digits", "tables"),
    params:
        settings=settings_of("digits_summarise"),
        code=code_of("digits_summarise"),
        runs=runs_folder("metrics"),
    log:
        "results/logs/digits/summary.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "digits_summarise",
            runs="{params.runs}",
            headline="{output.summary}",
            replicates="{output.replicates}",
        )


rule digits_plot:
    input:
        summary=rules.digits_summarise.output.summary,
        logs=expand(
            f"{DIGITS_REPLICATE}/log.csv",
            method=config["digits"]["methods"],
            replicate=DIGITS_REPLICATES,
        ),
    output:
        in_report("results/figures/digits.png", "digits", "digits", "figures"),
    params:
        settings=settings_of("digits_plot"),
        code=code_of("digits_plot"),
        runs=runs_folder("logs"),
    log:
        "results/logs/digits/figure.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "digits_plot",
            runs="{params.runs}",
            summary="{input.summary}",
            out="{output}",
        )
