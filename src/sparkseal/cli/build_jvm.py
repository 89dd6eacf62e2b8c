"""``sparkseal build-jvm``: compile the JVM component (needs a JDK 17)."""

from __future__ import annotations

import click

from sparkseal.jvm import build, jar_path


@click.command("build-jvm")
@click.option("--force", is_flag=True, help="Rebuild even if the jar is up to date.")
def build_jvm(force: bool) -> None:
    """Compile sparkseal's Java module against the installed pyspark's jars.

    A source checkout builds the jar on first use anyway; run this in a setup
    step so that the first job does not pay for it, or before building a wheel.
    """
    path = build() if force else jar_path()
    click.echo(f"sparkseal JVM component: {path}")
