"""``sparkseal``: keys, unsealing and scanning from the command line.

Exit codes are the same for every command: 0 success, 1 the command's own
"found something" result (findings, tokens that did not open), 2 bad usage or
input that could not be read. No command prints a Python traceback for bad
input.
"""

from __future__ import annotations

import sys

import click

from sparkseal import __version__
from sparkseal.cli.audit import audit
from sparkseal.cli.build_jvm import build_jvm
from sparkseal.cli.chaos import chaos
from sparkseal.cli.connect_server import connect_server
from sparkseal.cli.contract import contract
from sparkseal.cli.dashboard import dashboard
from sparkseal.cli.discover import discover
from sparkseal.cli.doctor import doctor
from sparkseal.cli.keygen import keygen
from sparkseal.cli.lint import lint
from sparkseal.cli.pack import pack
from sparkseal.cli.quality import quality
from sparkseal.cli.report import report
from sparkseal.cli.rules import rules
from sparkseal.cli.scan import scan
from sparkseal.cli.slo import slo
from sparkseal.cli.submit import submit
from sparkseal.cli.unseal import unseal
from sparkseal.cli.verify import verify
from sparkseal.core.errors import SparkSealError


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="sparkseal")
def cli() -> None:
    """Keep sensitive data out of PySpark's logs, event logs and UI.

    \b
    Typical flow:
      sparkseal keygen --out keys/          # once: a key pair
      # jobs seal with keys/sparkseal.pub (sparkseal.harden / sparkseal.session)
      sparkseal scan /var/log/spark         # CI gate: exit 1 on plaintext findings
      sparkseal unseal --key keys/sparkseal.key driver.log   # authorized reading
      sparkseal discover data/customers.parquet --suggest    # PII columns -> [protect]
    """


cli.add_command(keygen)
cli.add_command(audit)
cli.add_command(unseal)
cli.add_command(scan)
cli.add_command(pack)
cli.add_command(submit)
cli.add_command(connect_server)
cli.add_command(build_jvm)
cli.add_command(verify)
cli.add_command(discover)
cli.add_command(contract)
cli.add_command(quality)
cli.add_command(report)
cli.add_command(slo)
cli.add_command(dashboard)
cli.add_command(lint)
cli.add_command(doctor)
cli.add_command(rules)
cli.add_command(chaos)


def main() -> None:
    try:
        cli.main(standalone_mode=False)
    except click.exceptions.Abort:
        click.echo("aborted", err=True)
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except SparkSealError as exc:
        click.echo(f"sparkseal: error: {exc}", err=True)
        sys.exit(2)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except BrokenPipeError:
        sys.exit(1)
    sys.exit(0)


if __name__ == "__main__":
    main()
