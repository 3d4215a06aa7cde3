#!/usr/bin/env python3
"""Writes a one-layer container image as a docker-archive (what `docker save` writes
and `ctr images import` reads) from files on this machine, with no builder, daemon or
registry. hack/node uses it for the pause image and the node tests for a busybox image:
both are a static binary or two, for which a full image build would only add time.

  single-layer-image.py OUT.tar NAME:TAG --entrypoint '["/pause"]' \\
      --file /path/on/host:/pause [--symlink /bin/sh:/bin/busybox] [--dir /tmp]

The output is byte-for-byte the same for the same inputs (fixed times and owners), so
the image's digest only changes when its content does.
"""
import argparse
import hashlib
import io
import json
import os
import sys
import tarfile


def fixed(info, mode):
    info.mtime = 0
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mode = mode
    return info


def layer_tar(files, symlinks, dirs):
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w", format=tarfile.PAX_FORMAT) as tar:
        wanted = set(dirs)
        for dst in [d for _, d in files] + [d for d, _ in symlinks]:
            parent = os.path.dirname(dst.rstrip("/"))
            while parent not in ("", "/"):
                wanted.add(parent)
                parent = os.path.dirname(parent)
        for d in sorted(wanted):
            info = fixed(tarfile.TarInfo(d.lstrip("/")), 0o1777 if d == "/tmp" else 0o755)
            info.type = tarfile.DIRTYPE
            tar.addfile(info)
        for src, dst in sorted(files, key=lambda f: f[1]):
            with open(src, "rb") as f:
                data = f.read()
            info = fixed(tarfile.TarInfo(dst.lstrip("/")), 0o755 if os.access(src, os.X_OK) else 0o644)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
        for dst, target in sorted(symlinks):
            info = fixed(tarfile.TarInfo(dst.lstrip("/")), 0o777)
            info.type = tarfile.SYMTYPE
            info.linkname = target
            tar.addfile(info)
    return buf.getvalue()


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out")
    p.add_argument("reference", help="NAME:TAG the image is tagged with")
    p.add_argument("--entrypoint", required=True, help="JSON list")
    p.add_argument("--cmd", default="null", help="JSON list")
    p.add_argument("--file", action="append", default=[], help="HOST_PATH:IMAGE_PATH")
    p.add_argument("--symlink", action="append", default=[], help="IMAGE_PATH:TARGET")
    p.add_argument("--dir", action="append", default=[], help="IMAGE_PATH of an empty folder")
    p.add_argument("--user", default="", help="user the entrypoint runs as, e.g. 65535:65535")
    a = p.parse_args()
    if ":" not in a.reference.rsplit("/", 1)[-1]:
        sys.exit(f"single-layer-image: reference {a.reference!r} needs a :TAG")
    files = [tuple(f.split(":", 1)) for f in a.file]
    for src, _ in files:
        if not os.path.isfile(src):
            sys.exit(f"single-layer-image: {src} does not exist")
    symlinks = [tuple(s.split(":", 1)) for s in a.symlink]

    layer = layer_tar(files, symlinks, a.dir)
    diff_id = "sha256:" + hashlib.sha256(layer).hexdigest()
    config = {
        "architecture": "amd64",
        "os": "linux",
        "config": {"Entrypoint": json.loads(a.entrypoint), "Cmd": json.loads(a.cmd),
                   "User": a.user, "Env": ["PATH=/bin:/usr/bin:/sbin:/usr/sbin"]},
        "rootfs": {"type": "layers", "diff_ids": [diff_id]},
        "history": [{"created_by": "hack/single-layer-image.py"}],
    }
    config_bytes = json.dumps(config, sort_keys=True, separators=(",", ":")).encode()
    config_name = hashlib.sha256(config_bytes).hexdigest() + ".json"
    layer_name = diff_id[len("sha256:"):] + "/layer.tar"
    manifest = json.dumps([{"Config": config_name, "RepoTags": [a.reference], "Layers": [layer_name]}]).encode()

    tmp = a.out + ".partial"
    with tarfile.open(tmp, mode="w", format=tarfile.PAX_FORMAT) as tar:
        for name, data in ((config_name, config_bytes), (layer_name, layer), ("manifest.json", manifest)):
            info = fixed(tarfile.TarInfo(name), 0o644)
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    os.replace(tmp, a.out)


if __name__ == "__main__":
    main()
