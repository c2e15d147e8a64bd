"""Pipeline files: TOML that names each stage and its settings. The file is the record."""
from __future__ import annotations

import copy
import tomllib
from pathlib import Path

from kilvoice.errors import KilvoiceError

STAGE_ORDER = ("ingest", "redact", "segment", "embed", "topics", "map", "report")

DEFAULTS: dict = {
    "project": {"name": "kilvoice", "store": ".kilvoice/default", "output": "reports/default", "seed": 42},
    "inputs": {"paths": []},
    "ingest": {"stage": "kilvoice.ingest.files.v1"},
    # a pipeline file that leaves a section out gets what the main job uses
    # (pipelines/big-conversation.toml); the resolved file is in every run's manifest.json
    "redact": {"stage": "kilvoice.redact.spacy_uk.v2"},
    "segment": {"stage": "kilvoice.segment.sentences.v6"},
    "embed": {"stage": "kilvoice.embed.auto.v3"},
    "topics": {"stage": "kilvoice.topics.bertopic.v2", "labeller": "phrases12", "group_catch_alls": False,
               "stance": "cues.v5"},
    "map": {"stage": "kilvoice.map.learned.v4", "frameworks": ["keep-it-local"]},
    "report": {"stage": "kilvoice.report.standard.v2"},
    # what a safeguarding flag withholds from the analysis: only the flagged statement (the rest of
    # the note is analysed but never quoted) or, for councils whose policy says so, the whole note
    "safeguarding": {"withhold": "statement"},
    # where the per-note stages (redact, segment) run: "auto" (a process per core for large runs),
    # "local", "processes" or "dask" (address = "tcp://host:8786", or "local" for a LocalCluster);
    # jobs = 0 means every core. The results are the same whichever runs them.
    "executor": {"kind": "auto", "jobs": 0},
}
WITHHOLD = ("statement", "conversation")


def _merge(base: dict, over: dict) -> dict:
    out = copy.deepcopy(base)
    for key, value in over.items():
        if isinstance(value, dict) and isinstance(out.get(key), dict):
            out[key] = _merge(out[key], value)
        else:
            out[key] = value
    return out


def _check_executor(path: Path, ex: dict) -> None:
    from kilvoice.executors import KINDS

    problem = None
    if set(ex) - {"kind", "jobs", "address"}:
        problem = "[executor] takes kind, jobs and address"
    elif ex.get("kind") not in KINDS:
        problem = f"[executor] kind must be one of {', '.join(KINDS)}"
    elif not isinstance(ex.get("jobs"), int) or isinstance(ex.get("jobs"), bool) or ex["jobs"] < 0:
        problem = "[executor] jobs must be a whole number (0: every core)"
    elif ex["kind"] == "dask" and not isinstance(ex.get("address"), str):
        problem = '[executor] kind = "dask" needs address = "tcp://host:8786" (or "local" for a LocalCluster)'
    if problem:
        raise KilvoiceError("K103", path=path, problem=problem)


def load_pipeline(path: str | Path) -> dict:
    """Read a pipeline file, fill defaults and resolve relative paths against the
    file's repository root (the folder above ``pipelines/``) or its own folder."""
    path = Path(path)
    if not path.is_file():
        raise KilvoiceError("K104", path=path)
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (tomllib.TOMLDecodeError, UnicodeDecodeError) as exc:
        raise KilvoiceError("K102", path=path, problem=exc) from None
    unknown = set(data) - set(DEFAULTS)
    if unknown:
        raise KilvoiceError(
            "K103", path=path,
            problem=f"unknown section(s) {', '.join(sorted(unknown))}; allowed: {', '.join(DEFAULTS)}",
        )
    config = _merge(DEFAULTS, data)
    for section in STAGE_ORDER:
        if not isinstance(config[section].get("stage"), str):
            raise KilvoiceError("K103", path=path, problem=f"[{section}] needs a 'stage' name")
    if config["safeguarding"].get("withhold") not in WITHHOLD or set(config["safeguarding"]) - {"withhold"}:
        raise KilvoiceError("K103", path=path, problem="[safeguarding] takes one setting, withhold = "
                            "\"statement\" (the default) or \"conversation\"")
    _check_executor(path, config["executor"])
    if not isinstance(config["inputs"].get("paths"), list):
        raise KilvoiceError("K103", path=path, problem="[inputs] paths must be a list of files or folders")
    root = path.resolve().parent
    if root.name == "pipelines":
        root = root.parent
    config["_root"] = str(root)
    config["_path"] = str(path)
    return config


def resolve(config: dict, value: str) -> Path:
    p = Path(value)
    return p if p.is_absolute() else Path(config["_root"]) / p


def stage_settings(config: dict, section: str) -> tuple[str, dict]:
    settings = dict(config[section])
    name = settings.pop("stage")
    return name, settings
