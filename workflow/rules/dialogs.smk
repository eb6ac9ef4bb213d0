# Study 1: a GPT-like Transformer on the Cornell Movie-Dialogs Corpus (BP, BP*, DFA, ODFA, SHLW).

DIALOGS_METHODS = config["dialogs"]["methods"]
DIALOGS_CORPUS = "data/raw/dialogs/cornell_movie_dialogs_corpus.zip"
DIALOGS_DATA = "data/processed/dialogs"
DIALOGS_RUNS = "results/dialogs/runs"
DIALOGS_REPLICATE = f"{DIALOGS_RUNS}/{{run}}/{REPLICATE}"
DIALOGS_REPLICATES = range(config["dialogs"]["replicates"])
# Figs. 2d and 2e show the samples and attention of replicate 0 of each run.
DIALOGS_SHOWN = f"{DIALOGS_RUNS}/{{run}}/{replicate_name(0)}"
# The models every run keeps during training (for the samples of Fig. 2d).
DIALOGS_MILESTONES = [
    f"milestones/{milestone_file_name(fraction)}" for fraction in config["dialogs"]["milestones"]
]
# What `rule all` asks of this study.
RESULTS += [
    "results/dialogs/metrics.csv",
    "results/dialogs/replicates.csv",
    "results/dialogs/comparisons.csv",
    "results/figures/fig2c.png",
    "results/figures/fig2d.png",
    "results/figures/fig2d.txt",
    "results/figures/fig2e.png",
]
localrules:
    dialogs_fetch,
    dialogs_summarise,
    dialogs_plot,


rule dialogs_fetch:
    output:
        DIALOGS_CORPUS,
    params:
        settings=settings_of("dialogs_fetch"),
        code=code_of("dialogs_fetch"),
    log:
        "results/logs/dialogs/fetch.log",
    resources:
        runtime=60,
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "dialogs_fetch",
            out="{output}",
        )


rule dialogs_prepare:
    input:
        corpus=DIALOGS_CORPUS,
    output:
        tokenizer=f"{DIALOGS_DATA}/tokenizer.model",
        train=f"{DIALOGS_DATA}/train.npy",
        validation=f"{DIALOGS_DATA}/validation.npy",
        report=f"{DIALOGS_DATA}/report.json",
    params:
        settings=settings_of("dialogs_prepare"),
        code=code_of("dialogs_prepare"),
        out_dir=subpath(output.report, parent=True),
    log:
        "results/logs/dialogs/prepare.log",
    resources:
        **config["resources"]["dialogs_prepare"],
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "dialogs_prepare",
            corpus="{input.corpus}",
            out="{params.out_dir}",
        )


rule dialogs_train:
    input:
        data=rules.dialogs_prepare.output,
    output:
        metrics=f"{DIALOGS_REPLICATE}/metrics.json",
        log_csv=f"{DIALOGS_REPLICATE}/log.csv",
        model=f"{DIALOGS_REPLICATE}/model.pt",
        milestones=[f"{DIALOGS_REPLICATE}/{milestone}" for milestone in DIALOGS_MILESTONES],
    params:
        settings=settings_of("dialogs_train"),
        code=code_of("dialogs_train"),
        data=lambda wildcards, input: Path(input.data[0]).parent,
        run_dir=subpath(output.metrics, parent=True),
    log:
        "results/logs/dialogs/train-{run}-{replicate}.log",
    threads: config["threads"]
    resources:
        **config["resources"]["dialogs_train"],
        gpu=TRAINING_GPUS,
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "dialogs_train",
            run="{wildcards.run}",
            replicate="{wildcards.replicate}",
            data="{params.data}",
            out="{params.run_dir}",
        )


rule dialogs_evaluate:
    input:
        model=f"{DIALOGS_SHOWN}/model.pt",
        milestones=[f"{DIALOGS_SHOWN}/{milestone}" for milestone in DIALOGS_MILESTONES],
        tokenizer=rules.dialogs_prepare.output.tokenizer,
        report=rules.dialogs_prepare.output.report,
    output:
        samples=f"{DIALOGS_SHOWN}/samples.json",
        attention=f"{DIALOGS_SHOWN}/attention.npz",
    params:
        settings=settings_of("dialogs_evaluate"),
        code=code_of("dialogs_evaluate"),
        data=subpath(input.tokenizer, parent=True),
        run_dir=subpath(input.model, parent=True),
    log:
        "results/logs/dialogs/evaluate-{run}.log",
    threads: config["threads"]
    resources:
        **config["resources"]["dialogs_evaluate"],
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "dialogs_evaluate",
            run="{wildcards.run}",
            data="{params.data}",
            run_dir="{params.run_dir}",
        )


rule dialogs_summarise:
    input:
        metrics=expand(
            f"{DIALOGS_REPLICATE}/metrics.json", run=DIALOGS_METHODS, replicate=DIALOGS_REPLICATES
        ),
    output:
        summary=in_report("results/dialogs/metrics.csv", "dialogs_metrics", "dialogs", "tables"),
        headline="results/dialogs/metrics.json",
        replicates=in_report(
            "results/dialogs/replicates.csv", "dialogs_replicates", "dialogs", "tables"
        ),
        comparisons=in_report("results/dialogs/comparisons.csv", "dialogs_comparisons", "dialogs", "tables"),
    params:
        settings=settings_of("dialogs_summarise"),
        code=code_of("dialogs_summarise"),
        runs=runs_folder("metrics"),
    log:
        "results/logs/dialogs/summary.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "dialogs_summarise",
            runs="{params.runs}",
            replicates="{output.replicates}",
            metrics="{output.summary}",
            headline="{output.headline}",
            comparisons="{output.comparisons}",
        )


rule dialogs_plot:
    input:
        logs=expand(
            f"{DIALOGS_REPLICATE}/log.csv", run=DIALOGS_METHODS, replicate=DIALOGS_REPLICATES
        ),
        shown=expand(
            f"{DIALOGS_SHOWN}/{{product}}",
            run=DIALOGS_METHODS,
            product=["samples.json", "attention.npz"],
        ),
    output:
        fig2c=in_report("results/figures/fig2c.png", "fig2c", "dialogs", "figures"),
        fig2d=in_report("results/figures/fig2d.png", "fig2d", "dialogs", "figures"),
        fig2d_text="results/figures/fig2d.txt",
        fig2e=in_report("results/figures/fig2e.png", "fig2e", "dialogs", "figures"),
    params:
        settings=settings_of("dialogs_plot"),
        code=code_of("dialogs_plot"),
        runs=runs_folder("logs"),
    log:
        "results/logs/dialogs/figures.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "dialogs_plot",
            runs="{params.runs}",
            fig2c="{output.fig2c}",
            fig2d="{output.fig2d}",
            fig2d_text="{output.fig2d_text}",
            fig2e="{output.fig2e}",
        )
