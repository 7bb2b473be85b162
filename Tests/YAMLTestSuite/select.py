#!/usr/bin/env python3
"""Selects the yaml-test-suite cases that fall in the YAML subset compose files use.

Usage: select.py SUITE_DIR [--out cases.txt] [--why]

SUITE_DIR is a checkout of the suite's data release (one directory per case, holding in.yaml, test.event,
in.json and/or error; cases with subtests have numbered subdirectories, e.g. VJP3/00). Writes the selected
case ids with their expected outcome ("json" or "error") to --out (default: cases.txt next to this script);
--why prints every excluded case with the first rule that excluded it.

The selection rule (the first rule that matches excludes the case):
  directive      the suite tags the case `directive`, or a line of in.yaml starts with `%` and a letter
                 (`%YAML`, `%TAG`, reserved directives).
  tag            a tag other than the core-schema ones the reader resolves (!!str !!int !!float !!bool !!null
                 !!seq !!map, verbatim or shorthand) and the non-specific `!`. Valid cases: any other tag in
                 test.event. Error cases (whose test.event stops at the error): the same on the partial events,
                 and in.yaml text with a `!` at the start of a token that is none of those tags.
  explicit-key   the suite tags the case `explicit-key`, or in.yaml has a `?` indicator: a `?` followed by a
                 blank or the line end that starts a line (after indentation and `- ` entries) or follows `[{,`.
  complex-key    the suite tags the case `complex-key`, or test.event has a mapping key that is a collection
                 (or an alias of one).
  multi-document test.event (partial for error cases) opens more than one document: the reader reads a single
                 document, as compose files are.
  no-json        a valid case without in.json (its value has no JSON form), so nothing to compare.
Everything else is selected: valid cases must load to in.json, error cases must be rejected.
"""

import os
import re
import sys

CORE_TAGS = {"tag:yaml.org,2002:" + name for name in ("str", "int", "float", "bool", "null", "seq", "map")}
SUPPORTED_EVENT_TAGS = CORE_TAGS | {"!"}
# A `!` starting a token in in.yaml, and the tag text that follows it.
TAG_IN_TEXT = re.compile(r"(?:^|(?<=[ \t\[{,]))!(\S*)", re.MULTILINE)
SUPPORTED_TEXT_TAG = re.compile(
    r"^(?:!(?:str|int|float|bool|null|seq|map)|<tag:yaml\.org,2002:(?:str|int|float|bool|null|seq|map)>|)"
    r"(?=$|[,\]}])"
)
EXPLICIT_KEY = re.compile(r"(?:^[ \t]*(?:-[ \t]+)*|[\[{,][ \t]*)\?(?=[ \t]|$)", re.MULTILINE)
DIRECTIVE = re.compile(r"^%[A-Za-z]", re.MULTILINE)


def read(path):
    with open(path, "rb") as handle:
        return handle.read().decode("utf-8", errors="replace")


def suite_tags(suite):
    """Case id -> the suite's tags for it (from SUITE_DIR/tags/<tag>/<id>)."""
    tags = {}
    root = os.path.join(suite, "tags")
    for tag in os.listdir(root):
        for case in os.listdir(os.path.join(root, tag)):
            tags.setdefault(case, set()).add(tag)
    return tags


def case_dirs(suite):
    """(case id, directory) for every case, subtests as ID/NN."""
    for name in sorted(os.listdir(suite)):
        path = os.path.join(suite, name)
        if name in ("tags", "name") or not os.path.isdir(path):
            continue
        if os.path.exists(os.path.join(path, "in.yaml")):
            yield name, path
        else:
            for sub in sorted(os.listdir(path)):
                if os.path.exists(os.path.join(path, sub, "in.yaml")):
                    yield name + "/" + sub, os.path.join(path, sub)


def parse_event(line):
    """(kind, properties {anchor, tag, alias}) of one test.event line."""
    kind, _, rest = line.partition(" ")
    props = {}
    if kind == "=ALI":
        props["alias"] = rest[1:]
        return kind, props
    if kind in ("+MAP", "+SEQ") and rest[:2] in ("{}", "[]"):
        rest = rest[3:]
    while rest:
        if kind == "=VAL" and rest[0] in ":'\"|>":
            break
        if rest[0] == "&":
            anchor, _, rest = rest.partition(" ")
            props["anchor"] = anchor[1:]
        elif rest[0] == "<":
            end = rest.index(">", 1)
            props["tag"] = rest[1:end]
            rest = rest[end + 2 :]
        else:
            break
    return kind, props


def event_facts(events):
    """Tags used, documents opened, and whether some mapping key is a collection."""
    tags = set()
    documents = 0
    complex_key = False
    collection_anchors = set()
    # One frame per open collection: [is mapping, entries seen]; an even count in a mapping means a key comes.
    stack = []
    for line in events.splitlines():
        if not line:
            continue
        kind, props = parse_event(line)
        if "tag" in props:
            tags.add(props["tag"])
        if kind == "+DOC":
            documents += 1
        is_key = bool(stack) and stack[-1][0] and stack[-1][1] % 2 == 0
        if kind in ("+MAP", "+SEQ"):
            if is_key:
                complex_key = True
            if "anchor" in props:
                collection_anchors.add(props["anchor"])
            stack.append([kind == "+MAP", 0])
            continue
        if kind in ("-MAP", "-SEQ"):
            stack.pop()
        elif kind == "=ALI" and is_key and props["alias"] in collection_anchors:
            complex_key = True
        elif kind != "=VAL" and kind != "=ALI":
            continue
        if stack:
            stack[-1][1] += 1
    return tags, documents, complex_key


def exclusion(case_id, path, tags_of):
    """The first rule that excludes the case, or None."""
    text = read(os.path.join(path, "in.yaml"))
    events = read(os.path.join(path, "test.event")) if os.path.exists(os.path.join(path, "test.event")) else ""
    is_error = os.path.exists(os.path.join(path, "error"))
    suite = tags_of.get(case_id.split("/")[0], set())
    used_tags, documents, complex_key = event_facts(events)
    if "directive" in suite or DIRECTIVE.search(text):
        return "directive"
    if used_tags - SUPPORTED_EVENT_TAGS:
        return "tag"
    if is_error and any(not SUPPORTED_TEXT_TAG.match(m.group(1)) for m in TAG_IN_TEXT.finditer(text)):
        return "tag"
    if "explicit-key" in suite or EXPLICIT_KEY.search(text):
        return "explicit-key"
    if "complex-key" in suite or complex_key:
        return "complex-key"
    if documents > 1:
        return "multi-document"
    if not is_error and not os.path.exists(os.path.join(path, "in.json")):
        return "no-json"
    return None


def main(argv):
    if len(argv) < 2 or argv[1].startswith("-"):
        sys.exit(__doc__)
    suite = argv[1]
    out = os.path.join(os.path.dirname(os.path.abspath(__file__)), "cases.txt")
    if "--out" in argv:
        out = argv[argv.index("--out") + 1]
    tags_of = suite_tags(suite)
    selected = []
    excluded = {}
    for case_id, path in case_dirs(suite):
        reason = exclusion(case_id, path, tags_of)
        if reason is None:
            selected.append((case_id, "error" if os.path.exists(os.path.join(path, "error")) else "json"))
        else:
            excluded.setdefault(reason, []).append(case_id)
            if "--why" in argv:
                print(f"excluded {case_id}: {reason}")
    with open(out, "w") as handle:
        handle.write("# Generated by select.py from the yaml-test-suite data release; see README.md.\n")
        handle.write("# <case id> <expected: json | error>\n")
        for case_id, expected in selected:
            handle.write(f"{case_id} {expected}\n")
    errors = sum(1 for _, expected in selected if expected == "error")
    summary = ", ".join(f"{reason} {len(ids)}" for reason, ids in sorted(excluded.items()))
    print(f"selected {len(selected)} cases ({errors} error cases); excluded: {summary}", file=sys.stderr)


if __name__ == "__main__":
    main(sys.argv)
