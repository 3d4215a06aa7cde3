#!/usr/bin/env python3
"""Compares the direct links between certplane's libraries with docs/layering.md.

usage: check-layering.py DOT_FILE LAYERING_MD LIBRARY...

DOT_FILE is CMake's --graphviz output; LIBRARY... are the libraries to check (the ones
defined under src/, controller/ and plugin/). Every edge between two of them that the
build has must be an arrow of the mermaid graph in LAYERING_MD ("a --> b" or a dotted
"a -. label .-> b"), and every arrow must still be in the build. Prints one line per
finding and exits 1 when there is any.
"""
import re
import sys


def build_edges(dot_path, libraries):
    names, edges = {}, set()
    with open(dot_path, encoding="utf-8") as dot:
        for line in dot:
            node = re.match(r'\s*"(node\d+)" \[ label = "([^"]+)"', line)
            if node:
                names[node.group(1)] = node.group(2)
                continue
            edge = re.match(r'\s*"(node\d+)" -> "(node\d+)"', line)
            if edge:
                edges.add((edge.group(1), edge.group(2)))
    named = {(names.get(a), names.get(b)) for a, b in edges}
    return {(a, b) for a, b in named if a in libraries and b in libraries}


def drawn_edges(md_path):
    arrow = re.compile(r"^\s*(\w+)\s*(?:-->|-\..*?\.->)\s*(\w+)\s*$")
    edges, inside = set(), False
    with open(md_path, encoding="utf-8") as md:
        for line in md:
            if line.startswith("```"):
                inside = line.strip() == "```mermaid"
                continue
            match = arrow.match(line) if inside else None
            if match:
                edges.add((match.group(1), match.group(2)))
    return edges


def main():
    if len(sys.argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    libraries = set(sys.argv[3:])
    built = build_edges(sys.argv[1], libraries)
    drawn = drawn_edges(sys.argv[2])
    if not drawn:
        print(f"{sys.argv[2]}: no mermaid graph found")
        return 1
    findings = [f"{a} links {b}, which {sys.argv[2]} does not allow" for a, b in sorted(built - drawn)]
    findings += [f"{sys.argv[2]} draws {a} --> {b}, which the build no longer has" for a, b in sorted(drawn - built)]
    findings += [f"{name} is in {sys.argv[2]} but is not a library" for name in
                 sorted({n for e in drawn for n in e} - libraries)]
    for finding in findings:
        print(finding)
    print(f"layering: {len(built)} edges between {len(libraries)} libraries checked", file=sys.stderr)
    return 1 if findings else 0


if __name__ == "__main__":
    sys.exit(main())
