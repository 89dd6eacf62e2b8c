"""``sparkseal chaos run JOB.py --fault KIND[:ARGS]``: prove a job's output survives faults."""

from __future__ import annotations

import json
import os
import sys

import click

FAULT_HELP = """\b
Fault kinds (KIND[:name=value,...]):
  fail_first_attempt:share=0.5,seed=0   first attempt of a share of tasks raises
  slow_tasks:share=0.25,seconds=20,seed=0   first attempt stalls (for speculation)
  kill_executor:partition=0,delay=1     SIGKILL the executor running that task
  fail_executor:executor=1              every task on that executor fails (exclusion)
  failing_sink:calls=3,for_seconds=0    partition_writer sends fail (opens its breaker)
"""


@click.group()
def chaos() -> None:
    """Fault injection that proves a job's output is still exactly right."""


@chaos.command("run", epilog=FAULT_HELP)
@click.argument("job", type=click.Path(dir_okay=False))
@click.option("--fault", "faults", multiple=True, required=True, metavar="KIND[:ARGS]",
              help="A fault to inject (repeatable).")
@click.option("--master", default="local[2,3]", show_default=True,
              help="Spark master. Task retries need local[N,F] or a cluster; "
              "kill_executor/fail_executor need executor JVMs (local-cluster[2,1,1024]).")
@click.option("--conf", "confs", multiple=True, metavar="KEY=VALUE",
              help="Extra Spark conf (repeatable), e.g. spark.speculation=true.")
@click.option("--json", "as_json", is_flag=True, help="Print the report as JSON.")
def run(job: str, faults: tuple[str, ...], master: str, confs: tuple[str, ...],
        as_json: bool) -> None:
    """Run JOB.py clean, then with the faults, in one Spark application, and compare.

    JOB.py defines main(spark) -> DataFrame (its output, from the same inputs each call);
    optionally KEY (column or list) that must be unique, and sparkseal.chaos.point(df,
    name) calls where faults hit (default: the output). Outputs are compared by row count
    and an order-independent checksum; Spark's status store tells whether each fault
    happened.

    Exit codes: 0 every fault happened and the outputs are equal; 1 they differ, the
    faulted run failed, keys repeat, or a fault did not happen; 2 bad usage or job.
    """
    from sparkseal.chaos import load_job, parse, run_chaos
    from sparkseal.chaos.run import check_master

    parsed = [parse(f) for f in faults]
    check_master(parsed, master)
    main, key = load_job(job)
    extra = {}
    for item in confs:
        name, eq, value = item.partition("=")
        if not eq or not name:
            raise click.BadParameter("needs KEY=VALUE", param_hint="--conf")
        extra[name] = value
    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master(master).appName("sparkseal-chaos")
        .config("spark.ui.showConsoleProgress", "false")
    )
    if not (master == "local" or master.startswith("local[")):
        builder = builder.config("spark.task.maxFailures", "4")
    for name, value in extra.items():
        builder = builder.config(name, value)
    spark = builder.getOrCreate()
    try:
        report = run_chaos(spark, main, parsed, key=key)
    finally:
        spark.stop()
    if as_json:
        click.echo(json.dumps(report.to_dict(), indent=2))
    else:
        for spec, ok in report.happened.items():
            click.echo(f"fault {spec}: {'happened' if ok else 'DID NOT HAPPEN'}")
        o = report.observed
        if o is not None:
            click.echo(
                f"observed: {o.failed_attempts} failed attempts ({o.chaos_failures} injected), "
                f"{o.speculative_attempts} speculative, executors lost "
                f"{o.executors_removed or 'none'}, excluded {o.executors_excluded or 'none'}"
            )
        c, f = report.clean, report.faulted
        click.echo(f"clean:   {c.rows} rows, checksum {c.checksum}")
        click.echo(f"faulted: {f.rows} rows, checksum {f.checksum}" if f else
                   f"faulted: failed ({report.faulted_error})")
        for finding in report.findings:
            click.echo(finding)
        click.echo("OK: the output survived every fault" if report.ok else "FAILED")
    if not report.ok:
        sys.exit(1)

