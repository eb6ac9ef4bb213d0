# Digits: an MLP trained with BP, DFA, ODFA and shallow on scikit-learn's bundled digits.

DIGITS_RUNS = "results/digits/runs"
DIGITS_RESULTS = ["results/digits/metrics.json", "results/figures/digits.png"]


rule digits_train:
    input:
        code=code_of("digits_train"),
    output:
        metrics=f"{DIGITS_RUNS}/{{method}}/metrics.json",
        log_csv=f"{DIGITS_RUNS}/{{method}}/log.csv",
        model=f"{DIGITS_RUNS}/{{method}}/model.pt",
    params:
        settings=settings_of("digits_train"),
        run_dir=subpath(output.metrics, parent=True),
    log:
        "results/logs/digits/train-{method}.log",
    threads: config["threads"]
    resources:
        **config["resources"]["digits_train"],
        gpu=TRAINING_GPUS,
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa digits train --config \"$ODFA_CONFIG\" --method {wildcards.method}"
        " --out {params.run_dir} > {log} 2>&1"


rule digits_summary:
    input:
        metrics=expand(f"{DIGITS_RUNS}/{{method}}/metrics.json", method=config["digits"]["methods"]),
        code=code_of("digits_summary"),
    output:
        "results/digits/metrics.json",
    params:
        settings=settings_of("digits_summary"),
        runs=lambda wildcards, input: Path(input[0]).parent.parent,
    log:
        "results/logs/digits/summary.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa digits summarise --config \"$ODFA_CONFIG\" --runs {params.runs} --out {output}"
        " > {log} 2>&1"


rule digits_figure:
    input:
        summary="results/digits/metrics.json",
        logs=expand(f"{DIGITS_RUNS}/{{method}}/log.csv", method=config["digits"]["methods"]),
        code=code_of("digits_figure"),
    output:
        report("results/figures/digits.png", caption="../report/digits.rst", category="Digits"),
    params:
        settings=settings_of("digits_figure"),
        runs=lambda wildcards, input: Path(input.logs[0]).parent.parent,
    log:
        "results/logs/digits/figure.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa digits plot --runs {params.runs} --summary {input.summary} --out {output}"
        " > {log} 2>&1"
