#!/usr/bin/env python3
"""Checks for deploy/monitoring/ that promtool cannot do alone (run by .ci/monitoring-tests.sh).

    monitoring-check.py dashboard DASHBOARD.json OUT.rules.yaml
        Checks that the Grafana dashboard is importable as shared (a ${DS_PROMETHEUS} input that
        every panel, query and variable uses; schemaVersion; unique panel ids; panels within
        the 24-column grid, none overlapping another) and writes every PromQL expression in
        it, Grafana's variables replaced by values of the kind Grafana sends, as recording
        rules in OUT, for `promtool check rules` to parse.

    monitoring-check.py names METRICS.txt RULES.yaml DASHBOARD.json DOCS.md
        METRICS.txt is a real `GET /metrics` answer. Checks that
        - the metric families it declares are exactly those TidingsMetrics.swift names;
        - every metric name in the alerting rules and the dashboard is in it (`up` aside,
          which Prometheus makes), and the label values they match on exist;
        - docs/metrics.md names every family in it and every alert of the rules.

Exits non-zero, saying what is wrong, on the first kind of failure found.
"""
import json
import re
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SWIFT_METRICS = ROOT / "Sources/TidingsServer/Metrics/TidingsMetrics.swift"
SWIFT_STATUSES = ROOT / "Sources/TwilioWebhooks/MessageStatus.swift"

# Metrics Prometheus itself makes for every target.
PROMETHEUS_MADE = {"up"}

# What Grafana puts in place of its variables before it sends a query.
GRAFANA_VARIABLES = {
    "$__rate_interval": "2m",
    "$__interval": "30s",
    "$__range": "6h",
    "$topn": "10",
    "$job": ".*",
    "$instance": ".*",
}

PROMQL_WORDS = {
    "and", "or", "unless", "by", "without", "on", "ignoring", "group_left", "group_right",
    "bool", "offset", "inf", "nan", "atan2",
}


def fail(message: str) -> None:
    print(f"monitoring: {message}", file=sys.stderr)
    sys.exit(1)


def dashboard_expressions(dashboard: dict) -> list[tuple[str, str]]:
    """(where, expr) of every query of every panel, rows' nested panels included."""
    found = []

    def walk(panels):
        for panel in panels:
            walk(panel.get("panels", []))
            for target in panel.get("targets", []):
                found.append((f'panel {panel.get("id")} "{panel.get("title")}" {target.get("refId")}', target.get("expr", "")))

    walk(dashboard.get("panels", []))
    return found


def substitute(expr: str) -> str:
    for name in sorted(GRAFANA_VARIABLES, key=len, reverse=True):
        expr = expr.replace(name, GRAFANA_VARIABLES[name])
    return expr


def check_dashboard(path: str, out: str) -> None:
    try:
        dashboard = json.loads(Path(path).read_text())
    except json.JSONDecodeError as error:
        fail(f"{path} is not JSON: {error}")
    problems = []
    inputs = {i.get("name"): i for i in dashboard.get("__inputs", [])}
    ds = inputs.get("DS_PROMETHEUS")
    if not ds or ds.get("type") != "datasource" or ds.get("pluginId") != "prometheus":
        problems.append("no __inputs entry DS_PROMETHEUS of type datasource, pluginId prometheus")
    if not 36 <= dashboard.get("schemaVersion", 0) <= 41:
        problems.append(f'schemaVersion {dashboard.get("schemaVersion")} is not one Grafana 10–11 writes (36–41)')
    for key in ("title", "uid", "panels"):
        if not dashboard.get(key):
            problems.append(f"no {key}")
    if dashboard.get("id") is not None:
        problems.append("id must be null in a dashboard meant for import")

    wanted_ds = {"type": "prometheus", "uid": "${DS_PROMETHEUS}"}
    ids = []
    cells = {}

    def walk(panels):
        for panel in panels:
            ids.append(panel.get("id"))
            where = f'panel {panel.get("id")} "{panel.get("title")}"'
            grid = panel.get("gridPos", {})
            if not all(isinstance(grid.get(k), int) for k in ("h", "w", "x", "y")) or grid["x"] + grid["w"] > 24:
                problems.append(f"{where}: gridPos {grid} is not within the 24-column grid")
            else:
                for x in range(grid["x"], grid["x"] + grid["w"]):
                    for y in range(grid["y"], grid["y"] + grid["h"]):
                        if (x, y) in cells:
                            problems.append(f"{where} overlaps {cells[(x, y)]}")
                            break
                        cells[(x, y)] = where
                    else:
                        continue
                    break
            if panel.get("type") != "row":
                if panel.get("datasource") != wanted_ds:
                    problems.append(f'{where}: datasource {panel.get("datasource")}, not {wanted_ds}')
                if not panel.get("targets"):
                    problems.append(f"{where}: no query")
                for target in panel.get("targets", []):
                    if target.get("datasource") != wanted_ds:
                        problems.append(f'{where} {target.get("refId")}: datasource {target.get("datasource")}')
                    if not target.get("expr", "").strip():
                        problems.append(f'{where} {target.get("refId")}: no expr')
            walk(panel.get("panels", []))

    walk(dashboard.get("panels", []))
    if len(ids) != len(set(ids)) or None in ids:
        problems.append(f"panel ids are missing or repeated: {ids}")
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query" and variable.get("datasource") != wanted_ds:
            problems.append(f'variable {variable.get("name")}: datasource {variable.get("datasource")}')
    if problems:
        fail(f"{path}:\n  " + "\n  ".join(problems))

    rules = []
    for number, (where, expr) in enumerate(dashboard_expressions(dashboard), start=1):
        concrete = substitute(expr)
        if "$" in concrete:
            fail(f"{path}: {where}: a Grafana variable this check does not know: {expr}")
        rules.append({"record": f"dashboard:expression_{number}", "expr": concrete,
                      "labels": {"dashboard_query": where}})
    Path(out).write_text(yaml.safe_dump({"groups": [{"name": "grafana-dashboard", "rules": rules}]},
                                        sort_keys=False, width=1000))
    print(f"monitoring: {path} is well-formed; {len(rules)} expressions written to {out}")


def metric_names(expr: str) -> set[str]:
    """The metric names an expression selects (function names, keywords, label names and
    label values left out)."""
    text = re.sub(r'"(?:[^"\\]|\\.)*"', '""', expr)  # string literals
    text = re.sub(r"\{[^}]*\}", " ", text)  # label matchers
    text = re.sub(r"\[[^\]]*\]", " ", text)  # ranges
    text = re.sub(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)", " ", text)
    names = set()
    for match in re.finditer(r"(?<![\w.:])([A-Za-z_:][\w:]*)(?![\w:])(?!\s*\()", text):
        word = match.group(1)
        if word.lower() not in PROMQL_WORDS:
            names.add(word)
    return names


def selectors(expr: str):
    """(metric, [(label, op, value)]) of every `metric{…}` selector."""
    for match in re.finditer(r"([A-Za-z_:][\w:]*)\s*\{([^}]*)\}", expr):
        matchers = re.findall(r'(\w+)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"', match.group(2))
        yield match.group(1), matchers


def parse_exposition(text: str):
    families, samples = {}, {}
    for line in text.splitlines():
        if line.startswith("# TYPE "):
            _, _, name, kind = line.split(maxsplit=3)
            families[name] = kind
        elif line and not line.startswith("#"):
            match = re.match(r"([A-Za-z_:][\w:]*)(?:\{(.*)\})?\s", line)
            if match:
                labels = dict(re.findall(r'(\w+)="((?:[^"\\]|\\.)*)"', match.group(2) or ""))
                samples.setdefault(match.group(1), []).append(labels)
    return families, samples


def swift_metric_names() -> set[str]:
    source = SWIFT_METRICS.read_text()
    names = set()
    for name, unit in re.findall(r'name\("(\w+)"(?:,\s*unit:\s*"(\w*)")?', source):
        names.add("tidings_" + name + (f"_{unit}" if unit else ""))
    if not names:
        fail(f"found no metric names in {SWIFT_METRICS}: has the way it names them changed?")
    return names


def check_names(metrics_path: str, rules_path: str, dashboard_path: str, docs_path: str) -> None:
    families, samples = parse_exposition(Path(metrics_path).read_text())
    if not families:
        fail(f"{metrics_path} declares no metric family")

    swift = swift_metric_names()
    if swift != set(families):
        fail("the /metrics answer and TidingsMetrics.swift disagree:\n"
             f"  only in TidingsMetrics.swift: {sorted(swift - set(families))}\n"
             f"  only in /metrics: {sorted(set(families) - swift)}")

    statuses = set(re.findall(r'case \.\w+: "([a-z_]+)"', SWIFT_STATUSES.read_text())) | {"unknown"}
    if len(statuses) < 10:
        fail(f"could not read the message statuses from {SWIFT_STATUSES}: {sorted(statuses)}")

    rules = yaml.safe_load(Path(rules_path).read_text())
    expressions = [(f'rule {r.get("alert") or r.get("record")}', r["expr"])
                   for group in rules["groups"] for r in group["rules"]]
    alerts = [r["alert"] for group in rules["groups"] for r in group["rules"] if "alert" in r]
    dashboard = json.loads(Path(dashboard_path).read_text())
    expressions += [(where, substitute(expr)) for where, expr in dashboard_expressions(dashboard)]
    for variable in dashboard.get("templating", {}).get("list", []):
        if variable.get("type") == "query":
            query = variable.get("definition", "")
            inner = re.fullmatch(r"label_values\((.*),\s*\w+\)", query)
            expressions.append((f'variable {variable["name"]}', substitute(inner.group(1) if inner else query)))

    problems = []
    used = set()
    for where, expr in expressions:
        for name in metric_names(expr):
            used.add(name)
            if name in PROMETHEUS_MADE:
                continue
            if name not in samples:
                problems.append(f"{where}: {name} is not in the /metrics answer")
                continue
            family = re.sub(r"_(bucket|sum|count)$", "", name) if name not in families else name
            if families.get(family) is None:
                problems.append(f"{where}: {name} belongs to no family the /metrics answer declares")
        for metric, matchers in selectors(expr):
            for label, op, value in matchers:
                if op not in ("=", "=~") or label in ("job", "instance", "sink", "channel", "code", "le"):
                    continue
                values = value.split("|") if op == "=~" else [value]
                if op == "=~" and not all(re.fullmatch(r"\w+", v) for v in values):
                    continue
                if label == "status":
                    known = statuses
                elif metric in samples:
                    known = {s.get(label) for s in samples[metric]}
                else:
                    continue
                for v in values:
                    if v not in known:
                        problems.append(f'{where}: {metric}{{{label}="{v}"}} matches nothing: '
                                        f"{label} is one of {sorted(k for k in known if k)}")
    if problems:
        fail("metric names or label values that do not exist:\n  " + "\n  ".join(problems))

    docs = Path(docs_path).read_text()
    missing = [f for f in sorted(families) if f"`{f}`" not in docs]
    missing += [a for a in alerts if a not in docs]
    if missing:
        fail(f"{docs_path} does not name: {', '.join(missing)}")
    print(f"monitoring: {len(families)} metric families in /metrics match TidingsMetrics.swift and are all in "
          f"{docs_path}; the rules and the dashboard use {len(used)} metric names, all real; "
          f"every alert ({len(alerts)}) is in {docs_path}")


def main() -> None:
    if len(sys.argv) == 4 and sys.argv[1] == "dashboard":
        check_dashboard(sys.argv[2], sys.argv[3])
    elif len(sys.argv) == 6 and sys.argv[1] == "names":
        check_names(*sys.argv[2:])
    else:
        fail(__doc__)


if __name__ == "__main__":
    main()
