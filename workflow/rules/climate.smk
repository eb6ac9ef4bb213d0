# Study 2: a ViT and an FCNN on ClimateBench, trained with BP, DFA and ODFA, scored on ssp245.

CLIMATE_ARCHIVES = "data/raw/climatebench"
CLIMATE_DATA = "data/processed/climatebench"
CLIMATE_RUNS = expand("{model}-{method}", model=["vit", "fcnn"], method=config["climate"]["methods"])
CLIMATE_RESULTS = [
    "results/climate/metrics.csv",
    "results/figures/fig3b.png",
    "results/figures/fig3c.png",
]


rule climate_fetch:
    output:
        train_val=f"{CLIMATE_ARCHIVES}/train_val.tar.gz",
        test=f"{CLIMATE_ARCHIVES}/test.tar.gz",
    params:
        source=config["climate"]["source"],
        sample=config["climate"]["sample"],
        out_dir=subpath(output.test, parent=True),
    log:
        "results/logs/climate/fetch.log",
    resources:
        runtime=120,
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa climate fetch --config \"$ODFA_CONFIG\" --out {params.out_dir}"
        " --lock-file data/climatebench.lock.json > {log} 2>&1"


rule climate_prepare:
    input:
        rules.climate_fetch.output,
    output:
        train=f"{CLIMATE_DATA}/train.nc",
        test=f"{CLIMATE_DATA}/test.nc",
        summary=f"{CLIMATE_DATA}/prepared.json",
    params:
        grid=config["climate"]["grid"],
        window=config["climate"]["window"],
        variables=config["climate"]["variables"],
        archives=lambda wildcards, input: Path(input[0]).parent,
        out_dir=subpath(output.summary, parent=True),
    log:
        "results/logs/climate/prepare.log",
    resources:
        **config["resources"]["climate_prepare"],
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa climate prepare --config \"$ODFA_CONFIG\" --archives {params.archives}"
        " --out {params.out_dir} > {log} 2>&1"


rule climate_train:
    input:
        rules.climate_prepare.output.train,
        rules.climate_prepare.output.test,
    output:
        metrics="results/climate/runs/{model}-{method}/metrics.json",
        predictions="results/climate/runs/{model}-{method}/predictions.nc",
        model="results/climate/runs/{model}-{method}/model.pt",
    params:
        settings=climate_run_settings,
        data=lambda wildcards, input: Path(input[0]).parent,
        run_dir=subpath(output.metrics, parent=True),
    log:
        "results/logs/climate/train-{model}-{method}.log",
    wildcard_constraints:
        model="vit|fcnn",
        method="bp|dfa|odfa|shallow",
    threads: 1
    resources:
        **config["resources"]["climate_train"],
        gpu=TRAINING_GPUS,
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa climate train --config \"$ODFA_CONFIG\" --model {wildcards.model}"
        " --method {wildcards.method} --data {params.data} --out {params.run_dir} > {log} 2>&1"


rule climate_summary:
    input:
        expand("results/climate/runs/{run}/metrics.json", run=CLIMATE_RUNS),
    output:
        report(
            "results/climate/metrics.csv",
            caption="../report/climate_metrics.rst",
            category="Study 2: ClimateBench",
        ),
    params:
        methods=config["climate"]["methods"],
    log:
        "results/logs/climate/summary.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa climate summarise --config \"$ODFA_CONFIG\" --runs results/climate/runs"
        " --out {output} > {log} 2>&1"


rule climate_figures:
    input:
        metrics="results/climate/metrics.csv",
        predictions=expand("results/climate/runs/{run}/predictions.nc", run=CLIMATE_RUNS),
        test=rules.climate_prepare.output.test,
    output:
        fig3b=report(
            "results/figures/fig3b.png", caption="../report/fig3b.rst", category="Study 2: ClimateBench"
        ),
        fig3c=report(
            "results/figures/fig3c.png", caption="../report/fig3c.rst", category="Study 2: ClimateBench"
        ),
    params:
        data=subpath(input.test, parent=True),
    log:
        "results/logs/climate/figures.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa climate plot --metrics {input.metrics} --runs results/climate/runs"
        " --data {params.data} --out-dir results/figures > {log} 2>&1"
