# Digits: an MLP trained with BP, DFA, ODFA and shallow on scikit-learn's bundled digits.

DIGITS_RESULTS = ["results/digits/metrics.json", "results/figures/digits.png"]


rule digits_train:
    output:
        metrics="results/digits/runs/{method}/metrics.json",
        log_csv="results/digits/runs/{method}/log.csv",
        model="results/digits/runs/{method}/model.pt",
    params:
        settings=digits_settings,
        run_dir=subpath(output.metrics, parent=True),
    log:
        "results/logs/digits/train-{method}.log",
    wildcard_constraints:
        method="bp|dfa|odfa|shallow",
    threads: 1
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
        expand("results/digits/runs/{method}/metrics.json", method=config["digits"]["methods"]),
    output:
        "results/digits/metrics.json",
    params:
        methods=config["digits"]["methods"],
    log:
        "results/logs/digits/summary.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa digits summarise --config \"$ODFA_CONFIG\" --runs results/digits/runs"
        " --out {output} > {log} 2>&1"


rule digits_figure:
    input:
        summary="results/digits/metrics.json",
        logs=expand("results/digits/runs/{method}/log.csv", method=config["digits"]["methods"]),
    output:
        report("results/figures/digits.png", caption="../report/digits.rst", category="Digits"),
    log:
        "results/logs/digits/figure.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa digits plot --runs results/digits/runs --summary {input.summary} --out {output}"
        " > {log} 2>&1"
