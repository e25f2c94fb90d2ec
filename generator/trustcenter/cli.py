"""The command line: parse arguments, call one core function, print findings, pick the exit code."""

from __future__ import annotations

import argparse
import gc
import json
import sys
from datetime import date
from pathlib import Path

from . import __version__, report
from .findings import ConfigError, TrustCenterError, error

EXIT_OK, EXIT_FINDINGS, EXIT_USAGE = 0, 1, 2
GC_THRESHOLDS = (50_000, 20, 50)


def main(argv: list[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    if not getattr(args, "command", None):
        parser.print_help()
        return EXIT_USAGE
    # Every command builds many small objects that live until it ends (artifacts, their parsed
    # front matter, pages); the default thresholds rescan them again and again as they pile up.
    gc.set_threshold(*GC_THRESHOLDS)
    try:
        return args.run(args)
    except ConfigError as exc:
        _print_findings(exc.findings, getattr(args, "format", "text"))
        return EXIT_USAGE
    except TrustCenterError as exc:
        _print_findings(exc.findings, getattr(args, "format", "text"))
        return EXIT_FINDINGS
    except KeyboardInterrupt:
        return 130


def _print_findings(findings, fmt: str) -> None:
    stream = sys.stdout if fmt in ("json", "github") else sys.stderr
    print(report.render(findings, fmt), file=stream)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="trustcenter",
        description="Build a static trust center from approved, versioned AI disclosures.",
        epilog="Exit codes: 0 ok, 1 blocking findings, 2 usage or configuration error.")
    parser.add_argument("--version", action="version", version=f"trustcenter {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    def command(name: str, help_text: str, run) -> argparse.ArgumentParser:
        sub = commands.add_parser(name, help=help_text, description=help_text)
        sub.set_defaults(run=run)
        return sub

    def root_option(sub: argparse.ArgumentParser) -> None:
        sub.add_argument("--root", type=Path, default=Path("."),
                         help="the trust-center repository (default: the current directory)")

    check = command("check", "Check every artifact's front matter, approvals and links.", _check)
    root_option(check)
    check.add_argument("--base", metavar="REF",
                       help="also check version discipline against a git revision (a pull request's target)")
    check.add_argument("--format", choices=report.FORMATS, default="text")

    review = command("review", "Report what changed since a base revision and what it still needs.", _review)
    root_option(review)
    review.add_argument("--base", required=True, metavar="REF", help="the revision to compare with")
    review.add_argument("--format", choices=["markdown", "json"], default="markdown")

    build = command("build", "Build the static site (only approved artifacts).", _build)
    root_option(build)
    build.add_argument("--out", type=Path, help="output directory (default: ROOT/site)")
    build.add_argument("--preview", action="store_true",
                       help="include drafts and artifacts in review, under a DRAFT banner")
    build.add_argument("--audience", choices=["public", "customer"], default="public")

    serve = command("serve", "Preview the site with live reload (drafts included).", _serve)
    root_option(serve)
    serve.add_argument("--dev-addr", default="127.0.0.1:8000", metavar="HOST:PORT")
    serve.add_argument("--audience", choices=["public", "customer"], default="public")
    serve.add_argument("--no-preview", dest="preview", action="store_false",
                       help="show only what a public build would show")

    approve = command("approve", "Record an approval of artifacts (or of site-config.yml) exactly as they now read.", _approve)
    approve.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    approve.add_argument("--role", required=True)
    approve.add_argument("--by", required=True, metavar='"Name <email>"')
    approve.add_argument("--date", type=_date, help="approval date (default: today)")
    root_option(approve)

    owners = command("codeowners", "Write .github/CODEOWNERS from the roles in site-config.yml.", _codeowners)
    root_option(owners)

    new = command("new", "Scaffold a valid draft artifact.", _new)
    new.add_argument("type", choices=_type_names(), metavar="TYPE",
                     help="one of: " + ", ".join(_type_names()))
    new.add_argument("id", metavar="ID")
    new.add_argument("--title")
    root_option(new)

    init = command("init", "Scaffold a new trust center.", _init)
    init.add_argument("dir", type=Path, metavar="DIR")

    importer = command("import", "Make draft artifacts from documents written for other tools.", None)
    kinds = importer.add_subparsers(dest="kind", metavar="KIND", required=True)
    hf_card = kinds.add_parser("hf-card", help="a Hugging Face model card (README.md) as a draft model card",
                               description="Import a Hugging Face model card (README.md, or the folder "
                               "holding it) as a draft model card, and report where each part went.")
    hf_card.set_defaults(run=_import_hf_card)
    hf_card.add_argument("path", type=Path, metavar="PATH")
    hf_card.add_argument("--id", help="the artifact id (default: from the model's name)")
    policy = kinds.add_parser("policy", help="policies in Markdown, with front matter, or from strongdm/comply",
                              description="Import policies (plain Markdown, Markdown with front matter, "
                              "or strongdm/comply policy files) as draft policies, and report where "
                              "each part went.")
    policy.set_defaults(run=_import_policies)
    policy.add_argument("paths", nargs="+", type=Path, metavar="PATH")
    policy.add_argument("--id", help="the artifact id, with one PATH (default: from the file name)")
    for sub in (hf_card, policy):
        root_option(sub)
        sub.add_argument("--format", choices=["text", "json"], default="text", help="the report's format")

    schema = command("schema", "Print the JSON Schema of an artifact type's front matter.", _schema)
    schema.add_argument("type", nargs="?", choices=_type_names(), metavar="TYPE",
                        help="one of: " + ", ".join(_type_names()) + " (default: all)")
    schema.add_argument("--write", type=Path, metavar="DIR",
                        help="write one TYPE.schema.json per type into DIR instead of printing")

    export = command("export", "Write the site as a plain MkDocs project.", _export)
    export.add_argument("dir", type=Path, metavar="DIR")
    root_option(export)
    export.add_argument("--audience", choices=["public", "customer"], default="public")
    return parser


def _type_names() -> list[str]:
    from .schema import ARTIFACT_TYPES
    return list(ARTIFACT_TYPES)


def _date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"'{text}' is not a date YYYY-MM-DD") from None


def _check(args) -> int:
    from .checks import run_checks
    from .clock import build_date
    from .config import load_config

    config = load_config(args.root)
    result = run_checks(args.root, config, build_date(), base=args.base)
    findings = result.findings
    publishable = sorted(key for key, state in result.states.items() if state.publishable)
    if args.format == "json":
        print(report.render(findings, "json", extra={
            "artifacts": {key: {"path": state.artifact.path, "version": str(state.artifact.meta.version),
                                "status": state.artifact.meta.status.value, "digest": state.digest,
                                "publishable": state.publishable,
                                "roles": {role: state.role_status(role) for role in state.required_roles}}
                          for key, state in sorted(result.states.items())}}))
    else:
        if findings:
            print(report.render(findings, args.format))
        if args.format == "text":
            counts = report.summary(findings)
            print(f"{len(result.states)} artifacts, {len(publishable)} publishable; "
                  f"{counts['error']} errors, {counts['warning']} warnings, {counts['info']} notes")
    return EXIT_FINDINGS if result.blocking else EXIT_OK


def _review(args) -> int:
    from .clock import build_date
    from .config import load_config
    from .review import review, to_json, to_markdown

    report = review(args.root, load_config(args.root), build_date(), args.base)
    print(to_json(report) if args.format == "json" else to_markdown(report))
    return EXIT_OK if report.ready else EXIT_FINDINGS


def _build(args) -> int:
    from .publish import AudienceName
    from .site import build

    out = args.out or args.root / "site"
    outcome = build(args.root, out, audience=AudienceName(args.audience), preview=args.preview)
    for finding in outcome.result.findings:
        if finding.severity.value == "warning" or finding.rule == "history-unavailable":
            print(finding, file=sys.stderr)
    print(f"built {outcome.pages} pages into {out}")
    return EXIT_OK


def _serve(args) -> int:
    from .publish import AudienceName
    from .site import serve

    serve(args.root, args.dev_addr, audience=AudienceName(args.audience), preview=args.preview)
    return EXIT_OK


def _approve(args) -> int:
    from .approve import approve, approve_config, is_config
    from .clock import build_date
    from .config import CONFIG_FILE, load_config

    config = load_config(args.root)
    for path in args.paths:
        if is_config(args.root, path):
            approved = approve_config(args.root, config, args.role, args.by, args.date or build_date())
            verb = "refreshed" if approved.replaced else "recorded"
            print(f"{CONFIG_FILE}: {verb} {args.role} approval of the configuration "
                  f"({approved.approval.digest[:19]}…)")
            continue
        outcome = approve(args.root, path, config, args.role, args.by, args.date or build_date())
        if outcome.name_replaced is not None:
            print(f"note: wrote '{outcome.approval.by}': site-config.yml names {outcome.approval.email} "
                  f"'{outcome.approval.name}', not '{outcome.name_replaced}'", file=sys.stderr)
        verb = "refreshed" if outcome.replaced else "recorded"
        print(f"{outcome.path}: {verb} {args.role} approval of version {outcome.approval.version} "
              f"({outcome.approval.digest[:19]}…)")
        if outcome.pending_roles:
            print(f"  still needs: {', '.join(outcome.pending_roles)}")
        if outcome.status.value not in ("approved", "retired"):
            print(f"  status is '{outcome.status.value}': set `status: approved` to publish it")
    return EXIT_OK


def _codeowners(args) -> int:
    from .codeowners import write_codeowners
    from .config import load_config

    path = write_codeowners(args.root, load_config(args.root))
    print(f"wrote {path}")
    return EXIT_OK


def _new(args) -> int:
    from .scaffold import new_artifact
    from .clock import build_date

    path = new_artifact(args.root, args.type, args.id, args.title, build_date())
    print(f"created {path}")
    return EXIT_OK


def _init(args) -> int:
    from .clock import build_date
    from .scaffold import init_trust_center

    init_trust_center(args.dir, build_date())
    print(f"created a trust center in {args.dir}; next: cd {args.dir} && trustcenter check")
    return EXIT_OK


def _import_hf_card(args) -> int:
    from .importers.hf_card import import_hf_card

    return _import(args, lambda today: [import_hf_card(args.path, args.id, today)])


def _import_policies(args) -> int:
    from .importers.policy import import_policies

    return _import(args, lambda today: import_policies(args.paths, args.id, today))


def _import(args, make_drafts) -> int:
    from .clock import build_date
    from .config import load_config
    from .importers import blocking, render, write_and_check

    config = load_config(args.root)
    today = build_date()
    drafts = make_drafts(today)
    write_and_check(args.root, config, drafts, today)
    print(render(drafts, args.format))
    return EXIT_FINDINGS if blocking(drafts) else EXIT_OK


def _schema(args) -> int:
    from .schema import ARTIFACT_TYPES, json_schema, write_json_schemas

    if args.write:
        try:
            written = write_json_schemas(args.write, [args.type] if args.type else list(ARTIFACT_TYPES))
        except OSError as exc:
            raise ConfigError([error(str(args.write), 1, "schema-unwritable",
                                     f"cannot write the schemas: {exc.strerror}")]) from None
        for path in written:
            print(f"wrote {path}")
        return EXIT_OK
    if args.type:
        print(json.dumps(json_schema(args.type), indent=2))
    else:
        print(json.dumps({name: json_schema(name) for name in ARTIFACT_TYPES}, indent=2))
    return EXIT_OK


def _export(args) -> int:
    from .publish import AudienceName
    from .site import export

    count = export(args.root, args.dir, audience=AudienceName(args.audience))
    print(f"exported {count} pages and mkdocs.yml into {args.dir}")
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
