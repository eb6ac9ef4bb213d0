# Study 1: a GPT-like Transformer on the Cornell Movie-Dialogs Corpus (BP, BP*, DFA, ODFA, SHLW).

DIALOGS_RUNS = config["dialogs"]["methods"]
DIALOGS_CORPUS = "data/raw/dialogs/cornell_movie_dialogs_corpus.zip"
DIALOGS_DATA = "data/processed/dialogs"
DIALOGS_RESULTS = [
    "results/dialogs/metrics.csv",
    "results/figures/fig2c.png",
    "results/figures/fig2d.png",
    "results/figures/fig2d.txt",
    "results/figures/fig2e.png",
]


rule dialogs_fetch:
    output:
        DIALOGS_CORPUS,
    params:
        source=config["dialogs"]["source"],
        sample=config["dialogs"]["sample"],
    log:
        "results/logs/dialogs/fetch.log",
    resources:
        runtime=60,
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa dialogs fetch --config \"$ODFA_CONFIG\" --out {output} > {log} 2>&1"


rule dialogs_prepare:
    input:
        DIALOGS_CORPUS,
    output:
        tokenizer=f"{DIALOGS_DATA}/tokenizer.model",
        train=f"{DIALOGS_DATA}/train.npy",
        validation=f"{DIALOGS_DATA}/validation.npy",
        report=f"{DIALOGS_DATA}/report.json",
    params:
        tokenizer=config["dialogs"]["tokenizer"],
        validation_fraction=config["dialogs"]["validation_fraction"],
        split_seed=config["dialogs"]["split_seed"],
        out_dir=subpath(output.report, parent=True),
    log:
        "results/logs/dialogs/prepare.log",
    resources:
        **config["resources"]["dialogs_prepare"],
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa dialogs prepare --config \"$ODFA_CONFIG\" --corpus {input}"
        " --out {params.out_dir} > {log} 2>&1"


rule dialogs_train:
    input:
        rules.dialogs_prepare.output,
    output:
        metrics="results/dialogs/runs/{run}/metrics.json",
        log_csv="results/dialogs/runs/{run}/log.csv",
        model="results/dialogs/runs/{run}/model.pt",
    params:
        settings=dialogs_run_settings,
        data=lambda wildcards, input: Path(input[0]).parent,
        run_dir=subpath(output.metrics, parent=True),
    log:
        "results/logs/dialogs/train-{run}.log",
    wildcard_constraints:
        run="bp|bp_star|dfa|odfa|shallow",
    threads: 1
    resources:
        **config["resources"]["dialogs_train"],
        gpu=TRAINING_GPUS,
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa dialogs train --config \"$ODFA_CONFIG\" --run {wildcards.run}"
        " --data {params.data} --out {params.run_dir} > {log} 2>&1"


rule dialogs_evaluate:
    input:
        model="results/dialogs/runs/{run}/model.pt",
        tokenizer=rules.dialogs_prepare.output.tokenizer,
    output:
        samples="results/dialogs/runs/{run}/samples.json",
        attention="results/dialogs/runs/{run}/attention.npz",
    params:
        generation=config["dialogs"]["generation"],
        data=subpath(input.tokenizer, parent=True),
        run_dir=subpath(input.model, parent=True),
    log:
        "results/logs/dialogs/evaluate-{run}.log",
    wildcard_constraints:
        run="bp|bp_star|dfa|odfa|shallow",
    resources:
        **config["resources"]["dialogs_evaluate"],
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa dialogs evaluate --config \"$ODFA_CONFIG\" --run {wildcards.run}"
        " --data {params.data} --run-dir {params.run_dir} > {log} 2>&1"


rule dialogs_summary:
    input:
        expand("results/dialogs/runs/{run}/metrics.json", run=DIALOGS_RUNS),
    output:
        report("results/dialogs/metrics.csv", caption="../report/dialogs_metrics.rst", category="Study 1: dialogues"),
    params:
        runs=DIALOGS_RUNS,
    log:
        "results/logs/dialogs/summary.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa dialogs summarise --config \"$ODFA_CONFIG\" --runs results/dialogs/runs"
        " --out {output} > {log} 2>&1"


rule dialogs_figures:
    input:
        expand(
            "results/dialogs/runs/{run}/{product}",
            run=DIALOGS_RUNS,
            product=["log.csv", "samples.json", "attention.npz"],
        ),
    output:
        fig2c=report("results/figures/fig2c.png", caption="../report/fig2c.rst", category="Study 1: dialogues"),
        fig2d=report("results/figures/fig2d.png", caption="../report/fig2d.rst", category="Study 1: dialogues"),
        fig2d_text="results/figures/fig2d.txt",
        fig2e=report("results/figures/fig2e.png", caption="../report/fig2e.rst", category="Study 1: dialogues"),
    params:
        runs=DIALOGS_RUNS,
    log:
        "results/logs/dialogs/figures.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa dialogs plot --config \"$ODFA_CONFIG\" --runs results/dialogs/runs"
        " --out-dir results/figures > {log} 2>&1"
