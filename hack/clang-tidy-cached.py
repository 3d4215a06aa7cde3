#!/usr/bin/env python3
"""Runs clang-tidy over C++ files, skipping each file that was clean last time and whose
inputs have not changed since.

usage: clang-tidy-cached.py --build DIR --cache DIR [--config FILE] [--jobs N]
                            [--clang-tidy EXE] [--clang EXE] FILE...

DIR (--build) holds compile_commands.json; each FILE must have an entry there, and is
checked with that entry's flags and the checks of FILE (--config; the repository's
.clang-tidy by default). Findings are
printed as clang-tidy prints them; the exit status is 1 when any file has one (or could
not be checked), else 0.

Why a cache: clang-tidy parses each file as a compiler would, 2 to 14 s a file here, so
the whole tree costs minutes on two cores every run. A file is skipped when a record
says it was clean with the same clang-tidy, the same checks and options, the same flags and the
same content of every file it includes (the list `clang -M` gives: the file, project
headers, system headers). That is ccache's "direct mode" applied to lint: any change to
any input, a header included three levels down or a Debian package's header, reruns
the file. Only clean results are recorded: a file with findings is always checked
again, so a finding can never be hidden by the cache.

The records name repository files by their path from the repository root, so a clone
in another folder (CI's) reuses them.
"""
import argparse
import concurrent.futures
import hashlib
import json
import os
import shlex
import subprocess
import sys
import threading

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def sha256_text(text):
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


class FileHashes:
    """The SHA-256 of each file's content, read once per run (thousands of headers are
    shared between files)."""

    def __init__(self):
        self._known = {}
        self._lock = threading.Lock()

    def __call__(self, path):
        with self._lock:
            if path in self._known:
                return self._known[path]
        try:
            with open(path, "rb") as f:
                digest = hashlib.sha256(f.read()).hexdigest()
        except OSError:
            digest = "missing"
        with self._lock:
            self._known[path] = digest
        return digest


def portable(path):
    """A path as the records store it: from the repository root when inside it."""
    path = os.path.normpath(path)
    if path == REPO or path.startswith(REPO + os.sep):
        return "@repo/" + os.path.relpath(path, REPO)
    return path


def local(path):
    return os.path.join(REPO, path[len("@repo/"):]) if path.startswith("@repo/") else path


def compile_entries(build_dir):
    with open(os.path.join(build_dir, "compile_commands.json"), encoding="utf-8") as f:
        entries = json.load(f)
    by_file = {}
    for entry in entries:
        args = entry.get("arguments") or shlex.split(entry["command"])
        path = os.path.normpath(os.path.join(entry["directory"], entry["file"]))
        by_file[path] = (entry["directory"], args)
    return by_file


def preprocessor_flags(args, source):
    """The compile command's flags without the compiler, the source and the output: what
    decides how the file parses."""
    flags, skip = [], False
    for arg in args[1:]:
        if skip:
            skip = False
        elif arg in ("-o", "-MF", "-MT", "-MQ"):
            skip = True
        elif arg in ("-c", "-MD", "-MMD") or os.path.normpath(arg) == source:
            continue
        else:
            flags.append(arg)
    return flags


def dependencies(clang, directory, flags, source):
    """Every file the source includes, as `clang -M` lists them (itself first)."""
    out = subprocess.run([clang, "-M", "-MT", "x", *flags, source], cwd=directory, capture_output=True,
                         text=True, check=False)
    if out.returncode != 0:
        return None
    words = out.stdout.replace("\\\n", " ").split()[1:]  # after "x:"
    return [os.path.normpath(os.path.join(directory, w)) for w in words]


class Checker:
    def __init__(self, options):
        self.options = options
        self.entries = compile_entries(options.build)
        self.hashes = FileHashes()
        version = subprocess.run([options.clang_tidy, "--version"], capture_output=True, text=True,
                                 check=True).stdout
        # The configuration as clang-tidy parsed it, so editing a comment in it keeps the
        # records, and a change to a check or an option drops them all.
        config = subprocess.run([options.clang_tidy, "--config-file=" + options.config, "--dump-config"],
                                capture_output=True, text=True, check=True).stdout
        self.salt = version + "\0" + config
        os.makedirs(options.cache, exist_ok=True)

    def record_path(self, source, flags):
        portable_flags = [f.replace(REPO, "@repo") for f in flags]
        key = sha256_text(self.salt + "\0" + portable(source) + "\0" + "\0".join(portable_flags))
        return os.path.join(self.options.cache, key + ".json")

    def still_clean(self, record_path):
        try:
            with open(record_path, encoding="utf-8") as f:
                record = json.load(f)
        except (OSError, ValueError):
            return False
        return all(self.hashes(local(path)) == digest for path, digest in record["inputs"].items())

    def check(self, source):
        """(finding text or "", whether it came from the cache)."""
        if source not in self.entries:
            return f"{portable(source)}: not in {self.options.build}/compile_commands.json, so not checked\n", False
        directory, args = self.entries[source]
        flags = preprocessor_flags(args, source)
        record_path = self.record_path(source, flags)
        if self.still_clean(record_path):
            return "", True
        # Inputs are hashed before the run, so an edit made while clang-tidy reads the
        # file leaves a record that no longer matches, never a stale clean one.
        deps = dependencies(self.options.clang, directory, flags, source)
        inputs = {portable(d): self.hashes(d) for d in deps} if deps else None
        result = subprocess.run(
            [self.options.clang_tidy, "--quiet", "-p", self.options.build, "--config-file=" + self.options.config,
             # The build's compiler is g++: its own warning flags mean nothing to clang.
             "--extra-arg=-Wno-unknown-warning-option", source],
            cwd=REPO, capture_output=True, text=True, check=False)
        # clang-tidy counts the warnings it suppressed in system headers on stderr.
        noise = [line for line in result.stderr.splitlines() if not line.endswith(" generated.")]
        text = result.stdout + "".join(line + "\n" for line in noise)
        if result.returncode != 0 or result.stdout.strip():
            return text or f"{portable(source)}: clang-tidy exited {result.returncode}\n", False
        if inputs is not None:
            tmp = record_path + f".{os.getpid()}.{threading.get_ident()}"
            with open(tmp, "w", encoding="utf-8") as f:
                json.dump({"file": portable(source), "inputs": inputs}, f)
            os.replace(tmp, record_path)
        return "", False


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--build", required=True)
    parser.add_argument("--cache", required=True)
    parser.add_argument("--config", default=os.path.join(REPO, ".clang-tidy"))
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--clang-tidy", default="clang-tidy-14")
    parser.add_argument("--clang", default="clang++-14")
    parser.add_argument("files", nargs="+")
    options = parser.parse_args()
    checker = Checker(options)
    sources = [os.path.normpath(os.path.abspath(f)) for f in options.files]
    failed = cached = 0
    with concurrent.futures.ThreadPoolExecutor(max_workers=options.jobs) as pool:
        for finding, from_cache in pool.map(checker.check, sources):
            cached += from_cache
            if finding:
                failed += 1
                sys.stdout.write(finding)
                sys.stdout.flush()
    print(f"clang-tidy: {len(sources)} files, {cached} unchanged since a clean check, "
          f"{failed} with findings", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
