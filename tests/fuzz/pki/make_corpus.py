#!/usr/bin/env python3
"""Writes the PKI parser corpus: corpus/malformed/ (inputs every parser must reject) and
corpus/seeds/ (well-formed inputs that start the libFuzzer runs).

    tests/fuzz/pki/make_corpus.py          # rewrites both folders

The valid artifacts come from the openssl CLI; every malformed input is derived from
them by a named mutation (truncation, a lying length, hostile nesting, a rule RFC 5280
forbids, ...), so each file's name says what is wrong with it. Keys are fresh on every
run, so re-running changes the bytes but not the cases. Needs python3 and openssl.
"""
import base64
import os
import random
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MALFORMED = os.path.join(HERE, "corpus", "malformed")
SEEDS = os.path.join(HERE, "corpus", "seeds")


def openssl(*args, cwd):
    subprocess.run(["openssl", *args], cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def read(path):
    with open(path, "rb") as f:
        return f.read()


def pem(label, der):
    body = base64.b64encode(der).decode()
    lines = [body[i:i + 64] for i in range(0, len(body), 64)]
    return ("-----BEGIN %s-----\n%s\n-----END %s-----\n" % (label, "\n".join(lines), label)).encode()


def pem_body(data):
    return b"".join(l for l in data.splitlines() if not l.startswith(b"-----"))


# ---- a minimal DER reader/writer, enough to edit certificates ----

def tlv(data, pos=0):
    """(tag, header_len, content_len) of the TLV at pos."""
    tag = data[pos]
    first = data[pos + 1]
    if first < 0x80:
        return tag, 2, first
    n = first & 0x7F
    return tag, 2 + n, int.from_bytes(data[pos + 2:pos + 2 + n], "big")


def children(data):
    out, pos = [], 0
    while pos < len(data):
        tag, hl, cl = tlv(data, pos)
        out.append(data[pos:pos + hl + cl])
        pos += hl + cl
    return out


def content(element):
    _, hl, cl = tlv(element)
    return element[hl:hl + cl]


def encode(tag, body):
    n = len(body)
    if n < 0x80:
        length = bytes([n])
    else:
        raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
        length = bytes([0x80 | len(raw)]) + raw
    return bytes([tag]) + length + body


def edit_tbs(cert, edit):
    """Re-encodes a certificate after edit(list of TBS fields) changed its TBS."""
    tbs, alg, sig = children(content(cert))
    fields = children(content(tbs))
    edit(fields)
    return encode(0x30, encode(0x30, b"".join(fields)) + alg + sig)


def main():
    for d in (MALFORMED, SEEDS):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    tmp = tempfile.mkdtemp()
    try:
        # Valid artifacts.
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-subj", "/CN=Fuzz CA", "-days", "30", "-out", "ca.pem",
                "-addext", "subjectAltName=DNS:ca.example,IP:10.0.0.1,URI:spiffe://x/y,email:a@b.example", cwd=tmp)
        openssl("x509", "-in", "ca.pem", "-outform", "DER", "-out", "cert.der", cwd=tmp)
        openssl("req", "-new", "-key", "ca.key", "-subj", "/CN=fuzz", "-addext", "subjectAltName=DNS:fuzz.example",
                "-outform", "DER", "-out", "csr.der", cwd=tmp)
        openssl("pkcs8", "-topk8", "-nocrypt", "-in", "ca.key", "-outform", "DER", "-out", "key.der", cwd=tmp)
        openssl("pkey", "-in", "ca.key", "-pubout", "-outform", "DER", "-out", "pub.der", cwd=tmp)
        # A CA database for `openssl ca -gencrl`: ca.cnf makes a v2 CRL with a CRL Number and
        # an AKI; ca-v1.cnf makes a bare v1 CRL.
        with open(os.path.join(tmp, "ca.cnf"), "w") as f:
            f.write("[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ncrlnumber=crlnumber\ndefault_md=sha256\n"
                    "default_crl_days=1\ncrl_extensions=ext\n[ext]\nauthorityKeyIdentifier=keyid\n")
        with open(os.path.join(tmp, "ca-v1.cnf"), "w") as f:
            f.write("[ca]\ndefault_ca=d\n[d]\ndatabase=index.txt\ndefault_md=sha256\ndefault_crl_days=1\n")
        open(os.path.join(tmp, "index.txt"), "w").close()
        with open(os.path.join(tmp, "crlnumber"), "w") as f:
            f.write("01\n")
        openssl("ca", "-config", "ca.cnf", "-gencrl", "-keyfile", "ca.key", "-cert", "ca.pem", "-out", "crl.pem", cwd=tmp)
        openssl("crl", "-in", "crl.pem", "-outform", "DER", "-out", "crl.der", cwd=tmp)
        openssl("pkcs12", "-export", "-in", "ca.pem", "-inkey", "ca.key", "-passout", "pass:fuzz", "-out", "p12.der",
                cwd=tmp)
        base = {name: read(os.path.join(tmp, name + ".der")) for name in ("cert", "csr", "crl", "key", "p12", "pub")}

        # Seeds: the valid artifacts, DER and PEM.
        labels = {"cert": "CERTIFICATE", "csr": "CERTIFICATE REQUEST", "crl": "X509 CRL", "key": "PRIVATE KEY",
                  "pub": "PUBLIC KEY"}
        for name, der in base.items():
            with open(os.path.join(SEEDS, name + ".der"), "wb") as f:
                f.write(der)
            if name in labels:
                with open(os.path.join(SEEDS, name + ".pem"), "wb") as f:
                    f.write(pem(labels[name], der))

        cases = {}

        # Truncations of every DER artifact.
        for name, der in base.items():
            cases["truncated-%s-to-1-byte.der" % name] = der[:1]
            cases["truncated-%s-to-header.der" % name] = der[:4]
            cases["truncated-%s-to-half.der" % name] = der[:len(der) // 2]
            cases["truncated-%s-by-1-byte.der" % name] = der[:-1]
        # Lying outer lengths and tags.
        for name in ("cert", "csr", "crl", "key", "p12"):
            der = base[name]
            _, hl, _ = tlv(der)
            cases["length-beyond-end-%s.der" % name] = der[:1] + bytes([0x84, 0x7F, 0xFF, 0xFF, 0xFF]) + der[hl:]
            cases["wrong-outer-tag-%s.der" % name] = bytes([0x31]) + der[1:]
            cases["trailing-garbage-%s.der" % name] = der + b"\x00\x00garbage"
        cases["set-where-sequence-expected-cert.der"] = bytes([0x31]) + base["cert"][1:]

        # Hostile DER.
        cases["empty"] = b""
        cases["one-zero-byte"] = b"\x00"
        cases["zeros-4k"] = b"\x00" * 4096
        cases["random-1k"] = random.Random(5280).randbytes(1024)
        cases["length-of-2gb.der"] = b"\x30\x84\x7f\xff\xff\xff" + b"\x00" * 16
        cases["length-of-64-bit.der"] = b"\x30\x88\xff\xff\xff\xff\xff\xff\xff\xff\x02\x01\x00"
        cases["indefinite-length-in-der.der"] = b"\x30\x80" + base["cert"][4:] + b"\x00\x00"
        cases["nested-sequences-10000-deep.der"] = b"\x30\x80" * 10000 + b"\x00\x00" * 10000
        cases["nested-definite-sequences-200-deep.der"] = _nest(200)
        cases["high-tag-number-form.der"] = b"\x1f\xff\xff\xff\xff\x7f\x00"
        cases["oid-with-huge-arc.der"] = b"\x30\x0d\x06\x0b\x2a" + b"\xff" * 9 + b"\x7f"
        cases["bit-string-with-9-unused-bits.der"] = b"\x30\x04\x03\x02\x09\x00"
        cases["integer-with-zero-length.der"] = b"\x30\x02\x02\x00"

        # Rules broken inside otherwise well-formed structures.
        cert = base["cert"]
        cases["cert-negative-serial.der"] = edit_tbs(cert, lambda f: f.__setitem__(1, b"\x02\x01\xfb"))
        cases["cert-serial-21-octets.der"] = edit_tbs(cert, lambda f: f.__setitem__(1, encode(0x02, b"\x01" * 21)))

        def duplicate_extension(fields):
            exts = fields[-1]  # [3] EXPLICIT Extensions
            seq = content(exts)
            items = children(content(seq))
            items.append(items[-1])
            fields[-1] = encode(0xA3, encode(0x30, b"".join(items)))

        cases["cert-duplicate-extension.der"] = edit_tbs(cert, duplicate_extension)

        def malformed_san(fields):
            items = children(content(content(fields[-1])))
            for i, ext in enumerate(items):
                if b"\x06\x03\x55\x1d\x11" in ext[:8]:
                    items[i] = encode(0x30, b"\x06\x03\x55\x1d\x11" + encode(0x04, b"\x30\x05\x82\x01"))
            fields[-1] = encode(0xA3, encode(0x30, b"".join(items)))

        cases["cert-malformed-san.der"] = edit_tbs(cert, malformed_san)
        cases["cert-bad-time.der"] = edit_tbs(
            cert, lambda f: f.__setitem__(4, encode(0x30, b"\x17\x0d" + b"991399999999Z" + b"\x17\x0d" + b"000000000000Z")))
        csr = bytearray(base["csr"])
        csr[-1] ^= 0x01
        cases["csr-bad-signature.der"] = bytes(csr)

        openssl("ca", "-config", "ca-v1.cnf", "-gencrl", "-keyfile", "ca.key", "-cert", "ca.pem", "-out", "crl-v1.pem",
                cwd=tmp)
        cases["crl-v1-without-crl-number.pem"] = read(os.path.join(tmp, "crl-v1.pem"))

        openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:1024", "-out", "rsa1024.pem", cwd=tmp)
        cases["key-rsa-1024.pem"] = read(os.path.join(tmp, "rsa1024.pem"))
        openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521", "-out", "p521.pem", cwd=tmp)
        cases["key-p521.pem"] = read(os.path.join(tmp, "p521.pem"))
        openssl("genpkey", "-algorithm", "ED448", "-out", "ed448.pem", cwd=tmp)
        cases["key-ed448.pem"] = read(os.path.join(tmp, "ed448.pem"))
        openssl("pkcs8", "-topk8", "-in", "ca.key", "-v2", "aes256", "-passout", "pass:x", "-out", "enc.pem", cwd=tmp)
        cases["key-encrypted-pkcs8.pem"] = read(os.path.join(tmp, "enc.pem"))
        openssl("pkcs12", "-export", "-in", "ca.pem", "-inkey", "ca.key", "-passout", "pass:other", "-out", "p12o.der",
                cwd=tmp)
        cases["p12-other-password.der"] = read(os.path.join(tmp, "p12o.der"))
        openssl("pkcs12", "-export", "-in", "ca.pem", "-inkey", "ca.key", "-passout", "pass:fuzz", "-nomac",
                "-out", "p12nomac.der", cwd=tmp)
        cases["p12-without-mac.der"] = read(os.path.join(tmp, "p12nomac.der"))

        # Malformed PEM.
        cert_pem = pem("CERTIFICATE", cert)
        cases["pem-no-end-line.pem"] = cert_pem.rsplit(b"-----END", 1)[0]
        cases["pem-mismatched-end-label.pem"] = cert_pem.replace(b"END CERTIFICATE", b"END X509 CRL")
        cases["pem-bad-base64.pem"] = cert_pem.replace(pem_body(cert_pem)[10:14], b"!!!!", 1)
        cases["pem-truncated-base64.pem"] = b"-----BEGIN CERTIFICATE-----\n" + pem_body(cert_pem)[:101] + \
            b"\n-----END CERTIFICATE-----\n"
        cases["pem-empty-block.pem"] = b"-----BEGIN CERTIFICATE-----\n-----END CERTIFICATE-----\n"
        cases["pem-proc-type-header.pem"] = cert_pem.replace(
            b"-----\n", b"-----\nProc-Type: 4,ENCRYPTED\nDEK-Info: AES-128-CBC,00000000000000000000000000000000\n\n", 1)
        cases["pem-nested-begin.pem"] = b"-----BEGIN CERTIFICATE-----\n" + cert_pem
        cases["pem-one-huge-line.pem"] = b"-----BEGIN CERTIFICATE-----\n" + b"A" * 100000 + b"\n-----END CERTIFICATE-----\n"
        cases["pem-wrong-label-for-everything.pem"] = pem("TRUSTED CERTIFICATE", cert)
        cases["pem-of-truncated-cert.pem"] = pem("CERTIFICATE", cert[: len(cert) // 2])
        cases["pem-of-truncated-csr.pem"] = pem("CERTIFICATE REQUEST", base["csr"][:-3])
        cases["pem-of-truncated-crl.pem"] = pem("X509 CRL", base["crl"][:-3])
        cases["pem-of-truncated-key.pem"] = pem("PRIVATE KEY", base["key"][:-3])
        cases["pem-of-garbage-as-rsa-key.pem"] = pem("RSA PRIVATE KEY", b"\x30\x03\x02\x01\x00")
        cases["pem-of-garbage-as-ec-key.pem"] = pem("EC PRIVATE KEY", b"\x30\x03\x02\x01\x01")
        cases["pem-nul-in-label.pem"] = b"-----BEGIN CERT\x00IFICATE-----\nMAA=\n-----END CERT\x00IFICATE-----\n"

        for name, data in sorted(cases.items()):
            with open(os.path.join(MALFORMED, name), "wb") as f:
                f.write(data)
        print("wrote %d malformed inputs and %d seeds" % (len(cases), len(os.listdir(SEEDS))))
    finally:
        shutil.rmtree(tmp)


def _nest(depth):
    out = b"\x05\x00"
    for _ in range(depth):
        out = encode(0x30, out)
    return out


if __name__ == "__main__":
    main()
