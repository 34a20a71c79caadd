#!/usr/bin/env python3
"""Generates docs/configuration.md, the reference of every `tidings serve` setting, from the code.

    python3 docs/generate-configuration.py            # rewrites docs/configuration.md
    python3 docs/generate-configuration.py --check    # exits 1, with a diff, when it is out of date (CI)

Where each part comes from:

- the flags, their help and their defaults: `tidings serve --experimental-dump-help`
  (swift-argument-parser's JSON description of the command), so a new flag is documented by
  adding it to ServeOptions with its help, "(default: …)" included;
- which settings are lists (comma-separated in the environment) and which are read from the
  environment only (no flag): the keys Sources/TidingsServer/Configuration/TidingsConfiguration.swift
  and Sources/tidings/ServeCommand.swift read; a key that is neither a flag nor described in
  ENVIRONMENT_ONLY below stops the generator;
- which variables are secrets: TidingsConfiguration+Environment.swift;
- the defaults are checked against what `tidings config check` reports on an empty
  environment: help text that says another default than the code stops the generator.

The binary is `--tidings PATH`, else `$(swift build --show-bin-path)/tidings` (built if needed).
"""
import argparse
import difflib
import json
import os
import pathlib
import re
import subprocess
import sys
import tempfile

ROOT = pathlib.Path(__file__).resolve().parent.parent
DOCUMENT = ROOT / "docs" / "configuration.md"
CONFIGURATION = ROOT / "Sources" / "TidingsServer" / "Configuration" / "TidingsConfiguration.swift"
ENVIRONMENT = ROOT / "Sources" / "TidingsServer" / "Configuration" / "TidingsConfiguration+Environment.swift"
SERVE_COMMAND = ROOT / "Sources" / "tidings" / "ServeCommand.swift"

# Settings read by key that have no flag: how to describe them (the key is also the name in a
# --config file; the variable is TIDINGS_<KEY>).
ENVIRONMENT_ONLY = {
    "store-password": ("—", "The PostgreSQL password itself (`--store-password-file` reads it from a file instead, and wins)."),
    "api-token": ("—", "The bearer token `/v1` requires, itself (`--api-token-file` reads it from a file instead, and wins). "
                       "Without one `/v1` is open, which `serve` allows on loopback only."),
    "twilio-api-key": ("each message's account SID with the first auth token",
                       "An API key (`SK…`) reconciliation signs in to Twilio's REST API with; needs `TIDINGS_TWILIO_API_SECRET`."),
    "twilio-api-secret": ("—", "The secret of `TIDINGS_TWILIO_API_KEY`."),
}


def env_name(key):
    return "TIDINGS_" + key.upper().replace("-", "_")


def find_binary(given):
    if given:
        return os.path.abspath(given)
    build = subprocess.run(["swift", "build", "--product", "tidings"], cwd=ROOT, capture_output=True, text=True)
    if build.returncode != 0:
        sys.exit(f"generate-configuration: swift build --product tidings failed:\n{build.stdout}{build.stderr}")
    bin_path = subprocess.run(["swift", "build", "--show-bin-path"], cwd=ROOT, check=True,
                              capture_output=True, text=True).stdout.strip()
    return os.path.join(bin_path, "tidings")


def clean_environment():
    return {name: value for name, value in os.environ.items() if not name.startswith("TIDINGS_")}


def dump_help(binary):
    output = subprocess.run([binary, "serve", "--experimental-dump-help"], check=True, capture_output=True,
                            text=True, env=clean_environment()).stdout
    return json.loads(output)["command"]


def effective_defaults(binary):
    """`tidings config check` on an empty environment, in a scratch folder: setting -> value."""
    with tempfile.TemporaryDirectory() as scratch:
        output = subprocess.run([binary, "config", "check"], check=True, capture_output=True, text=True,
                                cwd=scratch, env=clean_environment()).stdout
    values = {}
    for line in output.splitlines()[1:]:
        match = re.match(r"^\s+([a-z-]+)\s{2,}(.*)$", line)
        if match:
            values[match.group(1)] = match.group(2)
    return values


def accepts(binary, name, value):
    """Whether `tidings config check --NAME VALUE` takes the value."""
    with tempfile.TemporaryDirectory() as scratch:
        return subprocess.run([binary, "config", "check", f"--{name}", value], capture_output=True,
                              cwd=scratch, env=clean_environment()).returncode == 0


def seconds(text):
    """A duration as Tidings writes them (30m, 1800s, 1h30m), in seconds; None otherwise."""
    units = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
    parts = re.findall(r"(\d+(?:\.\d+)?)([smhdw])", text)
    if not parts or "".join(number + unit for number, unit in parts) != text:
        return None
    return sum(float(number) * units[unit] for number, unit in parts)


def keys_read():
    """Every configuration key the code reads, and those it reads as lists."""
    source = CONFIGURATION.read_text() + SERVE_COMMAND.read_text()
    keys = set(re.findall(r'forKey: "([a-z][a-z-]*)"', source))
    keys |= set(re.findall(r'\(config, "([a-z][a-z-]*)"', source))
    lists = set(re.findall(r'stringArray\(forKey: "([a-z][a-z-]*)"', source))
    return keys, lists


def secret_variables():
    source = ENVIRONMENT.read_text()
    specific = re.search(r"secretsSpecifier: \.specific\(\[(.*?)\]\)", source, re.S)
    names = set(re.findall(r'"(TIDINGS_[A-Z_]+)"', specific.group(1))) if specific else set()
    webhook = re.search(r'defaultWebhookSecretVariable = "(TIDINGS_[A-Z_]+)"', source)
    if "defaultWebhookSecretVariable" in (specific.group(1) if specific else "") and webhook:
        names.add(webhook.group(1))
    return names, webhook.group(1) if webhook else "TIDINGS_WEBHOOK_SECRET"


def cell(text):
    return text.replace("|", "\\|")


def generate(binary):
    command = dump_help(binary)
    defaults_in_effect = effective_defaults(binary)
    keys, lists = keys_read()
    secrets, webhook_variable = secret_variables()
    problems = []

    rows = []
    flags = set()
    for argument in command["arguments"]:
        name = argument["preferredName"]["name"]
        if name == "help" or argument["preferredName"]["kind"] != "long":
            continue
        flags.add(name)
        abstract = argument.get("abstract", "").strip()
        match = re.search(r"\s*\(default: (.*?)\)\s*$", abstract)
        meaning = abstract[:match.start()] if match else abstract
        is_flag = argument["kind"] == "flag"
        if is_flag:
            default = "off"
        elif match:
            # A value the flag takes back is shown as one (`30m`); words about it (off, keep) as words.
            value, _, remark = match.group(1).partition(", ")
            default = (f"`{value}`" if accepts(binary, name, value) else value) + (f", {remark}" if remark else "")
        else:  # what `tidings config check` says it is without the setting, in words
            default = defaults_in_effect.get(name, "—").strip("()")
        if match and name in defaults_in_effect:
            said, effective = match.group(1).split(",")[0].split()[0], defaults_in_effect[name].split()[0]
            if said != effective and (seconds(said) is None or seconds(said) != seconds(effective)):
                problems.append(f"--{name}: its help says (default: {match.group(1)}), "
                                f"but `tidings config check` shows {defaults_in_effect[name]!r}")
        flag = f"`--{name}`" + (" (repeatable)" if argument.get("isRepeating") else "")
        remarks = [remark for remark, applies in (("comma-separated", name in lists), ("secret", env_name(name) in secrets)) if applies]
        environment = f"`{env_name(name)}`" + (f" ({'; '.join(remarks)})" if remarks else "")
        rows.append(f"| {cell(flag)} | {cell(environment)} | {cell(default)} | {cell(meaning)} |")

    for key in sorted(keys - flags - set(ENVIRONMENT_ONLY)):
        problems.append(f"the code reads the setting {key!r}, which has no flag: describe it in ENVIRONMENT_ONLY "
                        f"in {pathlib.Path(__file__).name}")
    for key in sorted(set(ENVIRONMENT_ONLY) - keys):
        problems.append(f"ENVIRONMENT_ONLY describes {key!r}, which the code no longer reads")
    if problems:
        sys.exit("generate-configuration: " + "\n  ".join(["the reference would be wrong:"] + problems))

    only_rows = []
    for key, (default, meaning) in sorted(ENVIRONMENT_ONLY.items()):
        environment = f"`{env_name(key)}`" + (" (secret)" if env_name(key) in secrets else "")
        only_rows.append(f"| {environment} | `{key}` | {cell(default)} | {cell(meaning)} |")

    discussion = " ".join(command.get("discussion", "").split())
    discussion = re.sub(r"(TIDINGS_[A-Z_<>]+|--[a-z][a-z-]*)", r"`\1`", discussion)
    return "\n".join([
        "<!-- Generated by docs/generate-configuration.py from `tidings serve --experimental-dump-help` and the",
        "     configuration's source. Do not edit: change the flag's help in Sources/tidings/ServeOptions.swift",
        "     (or ENVIRONMENT_ONLY in the script), then run `python3 docs/generate-configuration.py`. -->",
        "",
        "# Configuration reference",
        "",
        "Every setting of `tidings serve`. From `tidings serve --help`:",
        "",
        f"> {discussion}",
        "",
        "The environment variable of a flag is `TIDINGS_` and its name in capitals, `-` as `_`; the key",
        "of a `--config` file (JSON, or YAML for `.yaml`/`.yml`) is the flag's name without `--`.",
        "A list (a repeatable flag, or one that takes several values) is comma-separated in the",
        "environment and a list in the file. `tidings config check` (the same flags) reads everything",
        "exactly as `serve` would and prints the settings in effect, secrets left out, or the problem.",
        "",
        "## Flags",
        "",
        "| flag | environment | default | meaning |",
        "|---|---|---|---|",
        *rows,
        "",
        "## Environment only",
        "",
        "These have no flag, to keep secrets out of command lines and shell history; a `--config` file",
        "may still name them by key.",
        "",
        "| environment | key | default | meaning |",
        "|---|---|---|---|",
        *only_rows,
        "",
        "## Webhook sink secrets",
        "",
        f"A webhook sink (`--sink 'webhook=URL'`) signs with the secret in `{webhook_variable}`, or in the",
        "variable its `;secret-env=VAR` option names (capital letters, digits and `_`): `whsec_` and the",
        "key in Base64, as the Standard Webhooks libraries expect, or any other text used as the key;",
        "comma-separated during a rotation (each delivery is signed with each). These variables are read",
        "with the other settings and never printed. See the README's \"Sinks\" and",
        "`examples/webhook_consumer.py`.",
        "",
        "## Traces (OpenTelemetry)",
        "",
        "`serve` exports traces over OTLP/HTTP when `OTEL_EXPORTER_OTLP_ENDPOINT` (or",
        "`OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`) names a collector, and not when `OTEL_SDK_DISABLED=true`",
        "or `OTEL_TRACES_EXPORTER=none`. The other standard `OTEL_*` variables apply as OpenTelemetry",
        "defines them; Tidings's own defaults differ in four: `OTEL_SERVICE_NAME` is `tidings`,",
        "`OTEL_EXPORTER_OTLP_PROTOCOL` `http/protobuf` (`http/json` also works; `grpc` is refused at",
        "start), `OTEL_EXPORTER_OTLP_TIMEOUT` 3 s and `OTEL_BSP_EXPORT_TIMEOUT` 5 s, so that a collector",
        "that is down holds a stopping server a few seconds at most. The spans: [tracing.md](tracing.md).",
        "",
        "## The other commands",
        "",
        "`tidings status`, `tail`, `stats`, `replay` and `reconcile` talk to a running server: `--server`",
        "(default `http://127.0.0.1:8080`) and `--api-token`, else `TIDINGS_API_TOKEN`. `tidings sign`",
        "signs with `--auth-token`, else the first of `TIDINGS_AUTH_TOKEN`. `tidings config check` and",
        "`tidings migrate` read the settings above.",
        "",
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tidings", help="the tidings binary (default: build it with SwiftPM)")
    parser.add_argument("--check", action="store_true", help="compare with docs/configuration.md instead of writing it")
    args = parser.parse_args()
    document = generate(find_binary(args.tidings))
    if args.check:
        current = DOCUMENT.read_text() if DOCUMENT.exists() else ""
        if current != document:
            sys.stdout.writelines(difflib.unified_diff(current.splitlines(True), document.splitlines(True),
                                                       "docs/configuration.md", "generated"))
            print("generate-configuration: docs/configuration.md is out of date: run python3 docs/generate-configuration.py",
                  file=sys.stderr)
            return 1
        print("generate-configuration: docs/configuration.md is up to date")
        return 0
    DOCUMENT.write_text(document)
    print(f"generate-configuration: wrote {DOCUMENT.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
