# Study 2: a ViT and an FCNN on ClimateBench, trained with BP, DFA and ODFA, scored on ssp245.

CLIMATE_ARCHIVES = "data/raw/climatebench"
CLIMATE_DATA = "data/processed/climatebench"
CLIMATE_RUNS_DIR = "results/climate/runs"
CLIMATE_RUNS = [
    climate_run_name(model, method) for model in CLIMATE_MODELS for method in config["climate"]["methods"]
]
CLIMATE_REPLICATE = f"{CLIMATE_RUNS_DIR}/{climate_run_name('{model}', '{method}')}/{REPLICATE}"
CLIMATE_REPLICATES = [
    f"{CLIMATE_RUNS_DIR}/{run}/{replicate_name(replicate)}"
    for run in CLIMATE_RUNS
    for replicate in range(config["climate"]["replicates"])
]
# Linear pattern scaling, the floor every emulator is compared with: one deterministic fit.
CLIMATE_BASELINE_RUN = f"{CLIMATE_RUNS_DIR}/{CLIMATE_BASELINE[0]}"
# What `rule all` asks of this study.
RESULTS += [
    "results/climate/metrics.csv",
    "results/climate/replicates.csv",
    "results/climate/comparisons.csv",
    "results/figures/fig3b.png",
    "results/figures/fig3c.png",
]
localrules:
    climate_fetch,
    climate_score,
    climate_baseline,
    climate_summarise,
    climate_plot,


rule climate_fetch:
    output:
        train_val=f"{CLIMATE_ARCHIVES}/train_val.tar.gz",
        test=f"{CLIMATE_ARCHIVES}/test.tar.gz",
    params:
        settings=settings_of("climate_fetch"),
        code=code_of("climate_fetch"),
        lock=lambda wildcards: sha256_of(CLIMATEBENCH_LOCK),
        out_dir=subpath(output.test, parent=True),
    log:
        "results/logs/climate/fetch.log",
    resources:
        runtime=120,
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "climate_fetch",
            out="{params.out_dir}",
            lock_file='"$ODFA_CLIMATEBENCH_LOCK"',
        )


rule climate_prepare:
    input:
        train_val=rules.climate_fetch.output.train_val,
        test=rules.climate_fetch.output.test,
    output:
        train=f"{CLIMATE_DATA}/train.nc",
        test=f"{CLIMATE_DATA}/test.nc",
        summary=f"{CLIMATE_DATA}/prepared.json",
    params:
        settings=settings_of("climate_prepare"),
        code=code_of("climate_prepare"),
        archives=subpath(input.test, parent=True),
        out_dir=subpath(output.summary, parent=True),
    log:
        "results/logs/climate/prepare.log",
    resources:
        **config["resources"]["climate_prepare"],
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "climate_prepare",
            archives="{params.archives}",
            out="{params.out_dir}",
        )


rule climate_train:
    input:
        train=rules.climate_prepare.output.train,
        test=rules.climate_prepare.output.test,
    output:
        training=f"{CLIMATE_REPLICATE}/training.json",
        log_csv=f"{CLIMATE_REPLICATE}/log.csv",
        predictions=f"{CLIMATE_REPLICATE}/predictions.nc",
        model=f"{CLIMATE_REPLICATE}/model.pt",
    params:
        settings=settings_of("climate_train"),
        code=code_of("climate_train"),
        data=subpath(input.train, parent=True),
        run_dir=subpath(output.training, parent=True),
    log:
        "results/logs/climate/train-{model}-{method}-{replicate}.log",
    threads: config["threads"]
    resources:
        **config["resources"]["climate_train"],
        gpu=TRAINING_GPUS,
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "climate_train",
            model="{wildcards.model}",
            method="{wildcards.method}",
            replicate="{wildcards.replicate}",
            data="{params.data}",
            out="{params.run_dir}",
        )


rule climate_score:
    input:
        training=rules.climate_train.output.training,
        predictions=rules.climate_train.output.predictions,
        test=rules.climate_prepare.output.test,
    output:
        f"{CLIMATE_REPLICATE}/metrics.json",
    params:
        settings=settings_of("climate_score"),
        code=code_of("climate_score"),
        data=subpath(input.test, parent=True),
        run_dir=subpath(input.training, parent=True),
    log:
        "results/logs/climate/score-{model}-{method}-{replicate}.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "climate_score",
            run_dir="{params.run_dir}",
            data="{params.data}",
        )


rule climate_baseline:
    input:
        train=rules.climate_prepare.output.train,
        test=rules.climate_prepare.output.test,
    output:
        predictions=f"{CLIMATE_BASELINE_RUN}/predictions.nc",
        training=f"{CLIMATE_BASELINE_RUN}/training.json",
        metrics=f"{CLIMATE_BASELINE_RUN}/metrics.json",
    params:
        settings=settings_of("climate_baseline"),
        code=code_of("climate_baseline"),
        data=subpath(input.train, parent=True),
        out_dir=subpath(output.metrics, parent=True),
    log:
        "results/logs/climate/baseline.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "climate_baseline",
            data="{params.data}",
            out="{params.out_dir}",
        )


rule climate_summarise:
    input:
        metrics=[f"{replicate}/metrics.json" for replicate in CLIMATE_REPLICATES],
        baseline=rules.climate_baseline.output.metrics,
    output:
        summary=in_report("results/climate/metrics.csv", "climate_metrics", "climate", "tables"),
        headline="results/climate/metrics.json",
        replicates=in_report(
            "results/climate/replicates.csv", "climate_replicates", "climate", "tables"
        ),
        comparisons=in_report("results/climate/comparisons.csv", "climate_comparisons", "climate", "tables"),
    params:
        settings=settings_of("climate_summarise"),
        code=code_of("climate_summarise"),
        runs=runs_folder("metrics"),
    log:
        "results/logs/climate/summary.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "climate_summarise",
            runs="{params.runs}",
            baseline="{input.baseline}",
            replicates="{output.replicates}",
            metrics="{output.summary}",
            headline="{output.headline}",
            comparisons="{output.comparisons}",
        )


rule climate_plot:
    input:
        metrics=rules.climate_summarise.output.summary,
        predictions=[f"{replicate}/predictions.nc" for replicate in CLIMATE_REPLICATES],
        test=rules.climate_prepare.output.test,
    output:
        fig3b=in_report("results/figures/fig3b.png", "fig3b", "climate", "figures"),
        fig3c=in_report("results/figures/fig3c.png", "fig3c", "climate", "figures"),
    params:
        settings=settings_of("climate_plot"),
        code=code_of("climate_plot"),
        runs=runs_folder("predictions"),
        data=subpath(input.test, parent=True),
    log:
        "results/logs/climate/figures.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "climate_plot",
            metrics="{input.metrics}",
            runs="{params.runs}",
            data="{params.data}",
            fig3b="{output.fig3b}",
            fig3c="{output.fig3c}",
        )
