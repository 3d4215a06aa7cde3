#!/usr/bin/env python3
"""Writes the OCSP request parser's corpus: corpus/malformed/ (inputs ParseOcspRequest
must refuse as malformedRequest) and corpus/seeds/ (well-formed requests that start the
libFuzzer runs).

    tests/fuzz/ocsp/make_corpus.py          # rewrites both folders

The requests come from the openssl CLI (`openssl ocsp -reqout`); every malformed input
is derived from them by a named mutation, so each file's name says what is wrong with
it. Keys are fresh on every run, so re-running changes the bytes but not the cases.
Needs python3 and openssl.
"""
import os
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


def der_len(n):
    if n < 0x80:
        return bytes([n])
    body = n.to_bytes((n.bit_length() + 7) // 8, "big")
    return bytes([0x80 | len(body)]) + body


def tlv(tag, content):
    return bytes([tag]) + der_len(len(content)) + content


def main():
    for d in (MALFORMED, SEEDS):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    with tempfile.TemporaryDirectory() as tmp:
        openssl("req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key",
                "-out", "ca.crt", "-subj", "/CN=Fuzz OCSP CA", "-days", "3650", cwd=tmp)
        openssl("x509", "-in", "ca.crt", "-outform", "DER", "-out", "ca.der", cwd=tmp)

        def request(name, *args):
            openssl("ocsp", "-issuer", "ca.crt", *args, "-reqout", name, cwd=tmp)
            return read(os.path.join(tmp, name))

        seeds = {
            "sha1-nonce.der": request("a", "-serial", "0x4f2a9c0d1e8b7a6c5d4e3f2a1b0c9d8e"),
            "sha1-no-nonce.der": request("b", "-serial", "0x01", "-no_nonce"),
            "sha256.der": request("c", "-sha256", "-serial", "0x7fffffffffffffffffffffffffffffff"),
            "sha512.der": request("d", "-sha512", "-serial", "0x1234", "-no_nonce"),
            "md5-unsupported-hash.der": request("e", "-md5", "-serial", "0x1234", "-no_nonce"),
            "three-certificates.der": request("f", "-serial", "0x01", "-serial", "0x02", "-serial", "0x03"),
        }
        for name, data in seeds.items():
            with open(os.path.join(SEEDS, name), "wb") as f:
                f.write(data)

        good = seeds["sha1-nonce.der"]
        plain = seeds["sha1-no-nonce.der"]
        many = request("g", "-no_nonce", *sum((["-serial", hex(i + 1)] for i in range(17)), []))
        bad = {}
        bad["empty"] = b""
        bad["one-byte"] = b"\x30"
        bad["text"] = b"this is not an OCSP request\n"
        bad["pem-of-a-request"] = b"-----BEGIN OCSP REQUEST-----\n" + good.hex().encode() + b"\n-----END OCSP REQUEST-----\n"
        bad["a-certificate"] = read(os.path.join(tmp, "ca.der"))
        bad["too-many-certificates"] = many
        bad["trailing-zero"] = good + b"\x00"
        bad["trailing-request"] = good + good
        bad["oversized"] = b"\x30\x82\x20\x01" + b"\x04" * 8193
        bad["outer-tag-set"] = b"\x31" + good[1:]
        bad["outer-tag-integer"] = b"\x02" + good[1:]
        bad["length-too-long"] = good[:1] + der_len(len(good) + 50)[-1:] + good[2:] if len(good) < 0x80 else \
            good[:2] + bytes([good[2] + 5]) + good[3:]
        bad["indefinite-length-unterminated"] = b"\x30\x80" + good[2:]
        bad["length-of-length-huge"] = b"\x30\x88\xff\xff\xff\xff\xff\xff\xff\xff"
        bad["empty-sequence"] = b"\x30\x00"
        bad["empty-tbs"] = tlv(0x30, tlv(0x30, b""))
        bad["empty-request-list"] = tlv(0x30, tlv(0x30, tlv(0x30, b"")))
        bad["nested-sequences"] = b"\x30\x80" * 2000
        bad["deep-definite-nesting"] = (lambda n: (lambda f: f(f, n))(lambda f, k: b"\x30\x00" if k == 0 else tlv(0x30, f(f, k - 1))))(60)
        for cut in (2, 5, 10, 20, 30, len(plain) // 2, len(plain) - 3, len(plain) - 1):
            bad["truncated-plain-at-%d" % cut] = plain[:cut]
        for cut in (len(good) - 1, len(good) - 10, len(good) - 20):
            bad["truncated-nonce-at-%d" % cut] = good[:cut]
        # Flip each byte of the header region, up to the hash OID (whose content bytes
        # flipped still make a well-formed request for an unknown hash).
        for i in range(2, 14):
            mutated = bytearray(plain)
            mutated[i] ^= 0xff
            bad["xor-ff-byte-%02d" % i] = bytes(mutated)
        # A negative serial: the serial INTEGER's first content octet with the top bit set.
        idx = plain.rfind(b"\x02\x01\x01")
        if idx >= 0:
            neg = bytearray(plain)
            neg[idx + 2] = 0xff
            bad["negative-serial"] = bytes(neg)
            zero_len = plain[:idx] + b"\x02\x00" + plain[idx + 3:]
            # Fix the enclosing lengths crudely: parsers must refuse either way.
            bad["zero-length-serial"] = zero_len
        bad["all-zero-4k"] = b"\x00" * 4096
        bad["all-ff-4k"] = b"\xff" * 4096
        for name, data in bad.items():
            with open(os.path.join(MALFORMED, name), "wb") as f:
                f.write(data)
    print("wrote %d seeds and %d malformed inputs" % (len(os.listdir(SEEDS)), len(os.listdir(MALFORMED))))


if __name__ == "__main__":
    main()
