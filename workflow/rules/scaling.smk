# Study 3: training time vs width and depth of an FCNN for BP, DFA and ODFA (random dummy data).

SCALING_RESULTS = [
    "results/scaling/timings.csv",
    "results/figures/fig4a.png",
    "results/figures/fig4b.png",
    "results/figures/fig4c.png",
]


rule scaling_sweep:
    output:
        report(
            "results/scaling/timings.csv",
            caption="../report/timings.rst",
            category="Study 3: scaling",
        ),
    params:
        settings=settings_of("scaling_sweep"),
        code=code_of("scaling_sweep"),
    log:
        "results/logs/scaling/sweep.log",
    # Timings need the machine to themselves. Snakemake caps threads at the cores it was given
    # (--cores), so locally the sweep claims them all; on SLURM it asks for an exclusive node and
    # resources.scaling_sweep.cpus_per_task CPUs.
    threads: 1024
    resources:
        **config["resources"]["scaling_sweep"],
        gpu=TRAINING_GPUS,
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa scaling run --config \"$ODFA_CONFIG\" --out {output} > {log} 2>&1"


rule scaling_figures:
    input:
        timings=rules.scaling_sweep.output[0],
    output:
        fig4a=report(
            "results/figures/fig4a.png", caption="../report/fig4a.rst", category="Study 3: scaling"
        ),
        fig4b=report(
            "results/figures/fig4b.png", caption="../report/fig4b.rst", category="Study 3: scaling"
        ),
        fig4c=report(
            "results/figures/fig4c.png", caption="../report/fig4c.rst", category="Study 3: scaling"
        ),
    params:
        settings=settings_of("scaling_figures"),
        code=code_of("scaling_figures"),
        out_dir=subpath(output.fig4a, parent=True),
    log:
        "results/logs/scaling/figures.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        "odfa scaling plot --timings {input.timings} --out-dir {params.out_dir} > {log} 2>&1"
