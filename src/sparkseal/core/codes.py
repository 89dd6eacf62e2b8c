"""Stable codes (``SS`` + three digits) for every user-facing refusal, finding and check.

CI matches and suppresses by code, so a code never changes meaning once released.
Each code has a section in ``docs/codes.md`` (a test keeps the two in step).
Families: ``SS0xx`` sealing and keys, ``SS1xx`` secrets and Spark security conf,
``SS2xx`` column protection, ``SS3xx`` scan and unseal, ``SS4xx`` executors and the JVM,
``SS5xx`` readiness (``sparkseal doctor`` SS500-SS539, ``sparkseal lint``
SS540-SS589, the two tools' own errors SS590-SS599; rule sections in ``docs/rules.md``),
``SS6xx`` audit trail and lineage, ``SS7xx`` data contracts, ``SS8xx`` data quality.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Code:
    code: str
    title: str


CODES: dict[str, Code] = {}


def _register(code: str, title: str) -> Code:
    if code in CODES:
        raise ValueError(f"duplicate code {code}")
    CODES[code] = Code(code, title)
    return CODES[code]


def coded(code: str, message: str) -> str:
    """``message`` prefixed with its code, e.g. ``"SS401: ..."``; unknown codes are a bug."""
    if code not in CODES:
        raise KeyError(f"unregistered code {code}")
    return f"{code}: {message}"


# --- SS0xx: sealing and keys ---
_register("SS001", "the public key is missing or invalid")
_register("SS002", "the public key is a low-order point (every token would be readable)")
_register("SS003", "a sealing hook failed; a fixed placeholder was written instead")
_register("SS004", "PySpark or Spark internals sparkseal patches are missing or changed")
_register("SS005", "the policy is missing, unreadable or invalid")
_register("SS006", "a key file is missing, unreadable, malformed or of the wrong kind")
_register("SS007", "a sealed token could not be opened (unknown key, corrupted, truncated)")
_register("SS008", "a Spark setting conflicts with one sparkseal needs")
_register("SS009", "a SparkContext without sparkseal's settings was already running")
_register("SS010", "sparkseal submit: a spark-submit argument is malformed")
_register("SS011", "sparkseal submit: spark-submit was not found")

# --- SS4xx: executors and the JVM ---
_register("SS401", "an executor cannot prove that it seals, so it runs no task")
_register("SS402", "an executor was lost before it proved that it seals")
_register("SS403", "the live UI's store could not be fed sealed events")
_register("SS404", "the Spark Connect server does not seal with the policy's key")
_register("SS405", "the driver JVM cannot seal what it logs, so the session was stopped")
_register("SS406", "sparkseal's JVM classes are not on the driver's classpath")
_register("SS407", "sparkseal's JVM part is missing and cannot be built here")

# --- SS1xx: secrets and Spark security settings ---
_register("SS101", "the authentication secret did not reach the driver JVM's environment")
_register("SS102", "a standalone cluster's shared authentication secret is not configured")
_register("SS103", "an authentication secret was given where it would reach a command line")
_register("SS104", "refusing to write a key file through a symlink or over a leftover file")
_register("SS105", "verify --keep needs a new or empty directory of its own")

# --- SS2xx: column protection ---
_register("SS201", "a column secret cannot be read (environment variable unset, file unreadable)")
_register("SS202", "an env: column secret is set in Python but not in the driver JVM")
_register("SS203", "a column secret is shorter than 16 bytes")
_register("SS204", "a column secret is not an env: or file: reference the JVM can read")
_register("SS205", "the role may not unprotect columns")
_register("SS206", "unprotect needs protect.token_key")
_register("SS207", "a token domain is empty, too long or holds control characters")
_register("SS208", "a column rule the Spark Connect server does not serve")

# --- SS3xx: scan and unseal ---
_register("SS301", "scan found a plaintext sensitive value")
_register("SS302", "scan could not read a path; it was not scanned")
_register("SS303", "a compressed file does not decode; its raw bytes were scanned instead")
_register("SS304", "decompressed output passed the scan's size cap; the rest was not scanned")
_register("SS305", "a symlink is dangling or loops back; there is nothing behind it to scan")
_register("SS306", "not a regular file (FIFO, socket, device) inside a directory; skipped")
_register("SS307", "unseal --raw refused: standard output is a terminal")
_register("SS308", "a compressed stream ends early; decoded part and raw bytes scanned")
_register("SS309", "discover cannot tell the input's format or cannot read it")
_register("SS310", "verify: the JVM cipher is the JDK's AES (commons-crypto has no OpenSSL)")
_register("SS311", "verify: Python spill encryption is off")
_register("SS312", "verify: a verification workload did not run or fail as expected")
_register("SS313", "verify: a canary or the auth secret is readable on a surface")
_register("SS314", "verify: the verification job did not complete")

# --- SS7xx: data contracts ---
_register("SS701", "a contract file is missing or cannot be read")
_register("SS702", "a contract file is not valid YAML or JSON")
_register("SS703", "a contract does not follow the Open Data Contract Standard")
_register("SS704", "a contract's apiVersion or kind is not supported")
_register("SS705", "the contract has no schema object for the dataset, or several to choose from")
_register("SS706", "the data does not match its contract")
_register("SS707", "a column of the contract is missing from the data")
_register("SS708", "the data has a column the contract does not list")
_register("SS709", "a column's type differs from the contract's")
_register("SS710", "a required column holds nulls")
_register("SS711", "rows repeat a primary key")
_register("SS712", "a column classified PII has no protect rule in the policy")
_register("SS713", "a contract's physicalType is not a Spark SQL type")
_register("SS714", "contract diff found a breaking change")
_register("SS715", "contract infer cannot read its source or write its output")

# --- SS590-SS594: sparkseal doctor's own errors (its rules register in sparkseal.rules) ---
_register("SS590", "doctor: a spark-defaults.conf file cannot be read")
_register("SS591", "doctor: a --conf argument is not KEY=VALUE")
_register("SS592", "doctor: the policy cannot be loaded or applied")
_register("SS593", "doctor: the application's REST API cannot be reached or read")
_register("SS594", "doctor: --url serves no or several applications; --app is needed")

# --- SS597-SS599: sparkseal lint's own errors (SS595/SS596 are lint rules: files not checked) ---
_register("SS597", "lint: [tool.sparkseal.lint] in pyproject.toml is not valid")
_register("SS598", "lint: a PATH does not exist")
_register("SS599", "lint: --select/--ignore or the config names codes that are not lint rules")

# --- SS6xx: audit trail and lineage ---
_register("SS601", "the store cannot be opened or written")
_register("SS602", "the store's schema version is not the one this sparkseal reads")
_register("SS603", "an audit entry was modified, deleted, inserted or reordered")
_register("SS604", "the audit trail was truncated or rolled back below a checkpoint")
_register("SS605", "a checkpoint is not signed by the given key, or its signature fails")
_register("SS606", "a checkpoint is malformed or truncated")
_register("SS607", "an audit signing or verifier key file is missing or invalid")
_register("SS608", "an inclusion proof is malformed or does not verify")
_register("SS609", "no audit store given and none in the policy")
_register("SS610", "an audit entry is not a JSON object")
_register("SS611", "the store holds no audit trail")
_register("SS612", "the newest entries are not yet covered by a signed checkpoint")
_register("SS613", "there is no signed checkpoint to export or to prove against")
_register("SS614", "the store's cached tree state does not match its entries")
# recording (SS640-SS649)
_register("SS640", "the audit trail cannot be written, so the job (or unseal) does not start")
_register("SS641", "[audit] required = false: the job runs without an audit trail")
_register("SS642", "audit entries could not be written to the store during the job")
_register("SS643", "draining the audit listener's query records failed; retried")
# lineage (SS650-SS669)
_register("SS650", '[lineage] transport = "http" has no url, or not an http(s) one')
_register("SS651", "an OpenLineage transport failed; the event was dropped, the job goes on")
_register("SS652", "OpenLineage settings outside the policy (environment, openlineage.yml) ignored")
_register("SS653", "a lineage record from the listener lacks a key or has a wrong type")

# --- SS8xx: data quality ---
# gated write, checks and results (SS801-SS839)
_register("SS801", "an error-severity quality check failed; nothing was committed")
_register("SS802", "a warn-severity quality check failed; the write went on")
_register("SS803", "a quality check is invalid or cannot be evaluated against the data")
_register("SS804", "the gated write's target already exists, or its mode is not supported")
_register("SS805", "committing the staged quality-checked output failed; the staging is kept")
_register("SS806", "a checked streaming batch has no query id, or its output is another query's")
# sparkseal quality run (SS820-SS829)
_register("SS820", "the quality checks file is missing, not TOML, invalid or holds no checks")
_register("SS821", "sparkseal quality run cannot read its input, or cannot tell its format")
_register("SS822", "quality run: input, output and quarantine overlap, or --report is unusable")
# metric history and anomalies (SS840-SS859)
_register("SS840", "a quality metric is not a finite number (data values are never recorded)")
_register("SS841", "a quality dataset, run key or metric name is empty, too long or not one line")
_register("SS842", "a run key was recorded again with other metrics; the first recording is kept")
_register("SS843", "the store holds no quality history")
_register("SS844", "an anomaly strategy or [[quality.anomalies]] entry has invalid parameters")
_register("SS845", "a metric is anomalous against its history")
_register("SS846", "no quality store given and none in the policy")
_register("SS847", "the quality history has no runs of the dataset, or no values of the metric")

# --- SS93x-SS94x: run history, SLOs, rules and dashboards ---
_register("SS930", "a run record cannot be recorded (a name is no identifier, a naive time, ...)")
_register("SS931", "the store holds no run history")

# --- SS90x-SS91x: metrics ---
_register("SS900", "the Spark metrics listener is not reachable; Spark metrics keep last values")
_register("SS901", "pushing the metrics to the Pushgateway failed; the job goes on")
_register("SS902", "the metrics endpoint cannot listen on its host and port; the job goes on")
_register("SS903", "the run could not be read from or recorded in the run history")
_register("SS904", "a metrics call got an invalid direction, count, severity or freshness")
_register("SS932", "an [[slo]] entry is invalid (threshold vs kind, window, a name used twice)")
_register("SS933", "an [[slo]] entry has no job (no job = and no [metrics] job)")
_register("SS934", "no policy, or the policy has no [[slo]] entries")
_register("SS935", "an SLO's error budget is spent")
_register("SS936", "an SLO has no runs in its window; its budget is not judged")
_register("SS937", "no run history store given and none in the policy")
_register("SS938", "an output file (rules, dashboard) exists or cannot be written")

# --- SS92x: structured (JSON) logs ---
_register("SS920", "a driver log record could not be written as sealed JSON; a placeholder was")
_register("SS921", "a JVM log event could not be sealed in the JSON layout; a placeholder was")

# --- SS95x-SS96x: the run report (sparkseal report) ---
_register("SS950", "no event log at the given path, or none of the application in the directory")
_register("SS951", "the event log cannot be read: it does not decode or holds no Spark event")
_register("SS952", "the event log ends early (still being written, or cut): the report is partial")
_register("SS953", "lines of the event log that are not Spark events were skipped")
_register("SS954", "the run report needs plotly (the report extra)")
_register("SS955", "the report's output path is a directory, the event log, or cannot be written")
_register("SS956", "the quality history in --store cannot be read")
_register("SS957", "SLO results cannot be judged (policy, store or [[slo]] entries)")

# --- SS970-SS984: resilience preset and exactly-once sinks (docs/resilience.md) ---
_register("SS970", "a [resilience] setting is invalid (a threshold vs spark.task.maxFailures, ...)")
_register("SS971", "speculation is refused: the job declares a sink that is not idempotent")
_register("SS972", "a [resilience] setting does not apply on this master and was not set")
_register("SS975", "a sink's arguments are invalid (table, key columns, path, format)")
_register("SS976", "a batch could not be written to PostgreSQL; its transaction was rolled back")
_register("SS977", "a file batch could not be committed (rename failed, unsupported filesystem)")
_register("SS978", "the circuit breaker is open: the task fails fast, the service is not called")
_register("SS979", "a send to an external service failed after its retries (attempts or time cap)")
_register("SS980", "the PostgreSQL sink needs psycopg (the postgres extra)")

# --- SS985-SS999: fault injection (sparkseal chaos) and streaming setup ---
_register("SS985", "a fault spec does not parse or has invalid parameters")
_register("SS986", "the chaos job file cannot be loaded or defines no main(spark)")
_register("SS987", "a fault needs separate executor JVMs, not a local[...] master")
_register("SS988", "the faulted run failed or its output differs from the clean run's")
_register("SS989", "an injected fault did not happen")
_register("SS990", "records are not present exactly once (keys occur more than once)")
_register("SS991", "a streaming query has no checkpoint location")
_register("SS992", "a streaming checkpoint location is not durable")
_register("SS993", "a streaming trigger that loses guarantees or runs batches back to back")
_register("SS994", "a streaming output mode the sink does not support")
_register("SS995", "a foreachBatch function is not declared idempotent")
_register("SS996", "check_setup got neither a DataStreamWriter nor a StreamingQuery")
