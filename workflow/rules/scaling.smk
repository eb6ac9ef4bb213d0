# Study 3: training time vs width and depth of an FCNN for BP, DFA and ODFA (random dummy data).

# What `rule all` asks of this study.
RESULTS += [
    "results/scaling/timings.csv",
    "results/scaling/projections.csv",
    "results/scaling/crossover.csv",
    "results/scaling/growth.csv",
    "results/figures/fig4a.png",
    "results/figures/fig4b.png",
    "results/figures/fig4c.png",
    "results/figures/fig4d.png",
]
localrules:
    scaling_summarise,
    scaling_plot,


rule scaling_sweep:
    output:
        in_report("results/scaling/timings.csv", "timings", "scaling", "measured timings"),
    params:
        settings=settings_of("scaling_sweep"),
        code=code_of("scaling_sweep"),
    log:
        "results/logs/scaling/sweep.log",
    # Timings need the machine to themselves. Snakemake caps threads at the cores it was given
    # (--cores), so locally the sweep claims them all; on SLURM it asks for an exclusive node and
    # resources.scaling_sweep.cpus_per_task CPUs. It goes first (priority): run last, when the
    # studies' jobs have ended, its figures and the scorecard ran one job at a time after it.
    threads: 1024
    priority: 10
    resources:
        **config["resources"]["scaling_sweep"],
        gpu=TRAINING_GPUS,
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "scaling_sweep",
            out="{output}",
        )


rule scaling_projections:
    output:
        in_report("results/scaling/projections.csv", "projections", "scaling", "measured timings"),
    params:
        settings=settings_of("scaling_projections"),
        code=code_of("scaling_projections"),
    log:
        "results/logs/scaling/projections.log",
    # Timed like the sweep: the machine to itself, with the sweep's scheduler resources, first.
    threads: 1024
    priority: 10
    resources:
        **config["resources"]["scaling_sweep"],
        gpu=TRAINING_GPUS,
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "scaling_projections",
            out="{output}",
        )


rule scaling_summarise:
    input:
        timings=rules.scaling_sweep.output[0],
        projections=rules.scaling_projections.output[0],
    output:
        times=in_report("results/scaling/times.csv", "scaling_times", "scaling", "tables"),
        ratios=in_report("results/scaling/ratios.csv", "scaling_ratios", "scaling", "tables"),
        crossover=in_report("results/scaling/crossover.csv", "crossover", "scaling", "tables"),
        crossover_in_depth=in_report(
            "results/scaling/crossover_in_depth.csv", "crossover_in_depth", "scaling", "tables"
        ),
        growth=in_report("results/scaling/growth.csv", "growth", "scaling", "tables"),
        projection_ratios=in_report(
            "results/scaling/projection_ratios.csv", "projection_ratios", "scaling", "tables"
        ),
    params:
        settings=settings_of("scaling_summarise"),
        code=code_of("scaling_summarise"),
    log:
        "results/logs/scaling/summary.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "scaling_summarise",
            timings="{input.timings}",
            projections="{input.projections}",
            times="{output.times}",
            ratios="{output.ratios}",
            crossover="{output.crossover}",
            crossover_in_depth="{output.crossover_in_depth}",
            growth="{output.growth}",
            projection_ratios="{output.projection_ratios}",
        )


rule scaling_plot:
    input:
        timings=rules.scaling_sweep.output[0],
        projections=rules.scaling_projections.output[0],
        times=rules.scaling_summarise.output.times,
        ratios=rules.scaling_summarise.output.ratios,
        crossover=rules.scaling_summarise.output.crossover,
        crossover_in_depth=rules.scaling_summarise.output.crossover_in_depth,
        projection_ratios=rules.scaling_summarise.output.projection_ratios,
    output:
        fig4a=in_report("results/figures/fig4a.png", "fig4a", "scaling", "figures"),
        fig4b=in_report("results/figures/fig4b.png", "fig4b", "scaling", "figures"),
        fig4c=in_report("results/figures/fig4c.png", "fig4c", "scaling", "figures"),
        fig4d=in_report("results/figures/fig4d.png", "fig4d", "scaling", "figures"),
    params:
        settings=settings_of("scaling_plot"),
        code=code_of("scaling_plot"),
    log:
        "results/logs/scaling/figures.log",
    conda:
        "../envs/odfa.yaml"
    shell:
        command_line(
            "scaling_plot",
            timings="{input.timings}",
            times="{input.times}",
            ratios="{input.ratios}",
            crossover="{input.crossover}",
            crossover_in_depth="{input.crossover_in_depth}",
            projections="{input.projections}",
            projection_ratios="{input.projection_ratios}",
            fig4a="{output.fig4a}",
            fig4b="{output.fig4b}",
            fig4c="{output.fig4c}",
            fig4d="{output.fig4d}",
        )
