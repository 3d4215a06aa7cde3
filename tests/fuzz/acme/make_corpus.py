#!/usr/bin/env python3
"""Writes the ACME (JOSE) parser corpus: corpus/malformed/ (inputs every parser must
refuse) and corpus/seeds/ (well-formed inputs that start the libFuzzer runs).

    tests/fuzz/acme/make_corpus.py          # rewrites both folders

The parsers (parsers.h) are ParseJws + VerifyJws, Jwk::FromJson and
VerifyExternalAccountBinding. JWS seeds are signed by the openssl CLI: those with an
embedded "jwk" with fresh keys, those with a "kid" with the RFC 7515 appendix A.3 P-256
key, which parsers.cpp uses as the fixed account key. The EAB seed is MACed with the
fixed EAB parameters of parsers.cpp. Every malformed input is one named mutation of a
valid input, so each file's name says what is wrong with it. Keys are fresh on every
run, so re-running changes the bytes but not the cases. Needs python3 and openssl.
"""
import base64
import hashlib
import hmac
import json
import os
import shutil
import subprocess
import tempfile

HERE = os.path.dirname(os.path.abspath(__file__))
MALFORMED = os.path.join(HERE, "corpus", "malformed")
SEEDS = os.path.join(HERE, "corpus", "seeds")

# Keep in sync with parsers.cpp.
FIXED_X = "f83OJ3D2xF1Bg8vub9tLe1gHMzV76e8Tus9uPHvRVEU"
FIXED_Y = "x_FEzRu9m36HLN_tue659LNpXW6pCyStikYjKIWI5a0"
FIXED_D = "jpsQnnGQmL-YBIffH1136cspYG6-0iY7X1fCE9-E9LI"  # RFC 7515 A.3, public test key
FIXED_JWK = {"kty": "EC", "crv": "P-256", "x": FIXED_X, "y": FIXED_Y}
EAB_URL = "https://acme.example/acme/new-account"
EAB_KID = "fuzz-kid"
EAB_MAC_KEY = b"fuzz-eab-mac-key-0123456789abcdef"
URL = "https://acme.example/acme/new-order"
NONCE = "b25lLXRpbWUtbm9uY2UtZm9yLWZ1eno"


def b64(data):
    if isinstance(data, str):
        data = data.encode()
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64(text):
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def dump(obj):
    return json.dumps(obj, separators=(",", ":"))


def openssl(*args, cwd, stdin=None):
    return subprocess.run(["openssl", *args], cwd=cwd, input=stdin, check=True, stdout=subprocess.PIPE,
                          stderr=subprocess.DEVNULL).stdout


# ---- a minimal DER reader, enough for public keys and ECDSA signatures ----

def tlv(data, pos):
    """(tag, content_start, content_end) of the TLV at pos."""
    tag, first = data[pos], data[pos + 1]
    if first < 0x80:
        return tag, pos + 2, pos + 2 + first
    n = first & 0x7F
    length = int.from_bytes(data[pos + 2:pos + 2 + n], "big")
    return tag, pos + 2 + n, pos + 2 + n + length


def children(data, start, end):
    out = []
    while start < end:
        tag, cs, ce = tlv(data, start)
        out.append((tag, cs, ce))
        start = ce
    return out


def unsigned(data):
    return data.lstrip(b"\x00") or b"\x00"


class Key:
    """A fresh key made by the openssl CLI, or the fixed RFC 7515 A.3 key."""

    def __init__(self, kind, tmp, pem=None):
        self.kind = kind
        self.tmp = tmp
        self.path = os.path.join(tmp, kind + ".pem")
        if pem is None:
            if kind == "rsa":
                openssl("genpkey", "-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048", "-out", self.path, cwd=tmp)
            elif kind in ("p256", "p384"):
                curve = "P-256" if kind == "p256" else "P-384"
                openssl("genpkey", "-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:" + curve, "-out", self.path, cwd=tmp)
            else:
                openssl("genpkey", "-algorithm", "ED25519", "-out", self.path, cwd=tmp)
        else:
            with open(self.path, "wb") as f:
                f.write(pem)
        spki = openssl("pkey", "-in", self.path, "-pubout", "-outform", "DER", cwd=tmp)
        self.jwk = self._jwk(spki)

    def _jwk(self, spki):
        if self.kind == "ed25519":
            return {"kty": "OKP", "crv": "Ed25519", "x": b64(spki[-32:])}
        if self.kind in ("p256", "p384", "fixed"):
            size = 48 if self.kind == "p384" else 32
            point = spki[-(2 * size + 1):]
            return {"kty": "EC", "crv": "P-384" if self.kind == "p384" else "P-256",
                    "x": b64(point[1:1 + size]), "y": b64(point[1 + size:])}
        _, s, e = tlv(spki, 0)
        bit_string = children(spki, s, e)[1]
        _, rs, re_ = tlv(spki, bit_string[1] + 1)  # skip the unused-bits octet
        n, e_ = children(spki, rs, re_)
        return {"kty": "RSA", "n": b64(unsigned(spki[n[1]:n[2]])), "e": b64(unsigned(spki[e_[1]:e_[2]]))}

    @property
    def alg(self):
        return {"rsa": "RS256", "p256": "ES256", "fixed": "ES256", "p384": "ES384", "ed25519": "EdDSA"}[self.kind]

    def sign(self, data):
        src = os.path.join(self.tmp, "input")
        with open(src, "wb") as f:
            f.write(data)
        if self.kind == "ed25519":
            return openssl("pkeyutl", "-sign", "-rawin", "-inkey", self.path, "-in", src, cwd=self.tmp)
        digest = "-sha384" if self.kind == "p384" else "-sha256"
        sig = openssl("dgst", digest, "-sign", self.path, src, cwd=self.tmp)
        if self.kind == "rsa":
            return sig
        size = 48 if self.kind == "p384" else 32
        _, s, e = tlv(sig, 0)
        r, s_ = children(sig, s, e)
        return unsigned(sig[r[1]:r[2]]).rjust(size, b"\x00") + unsigned(sig[s_[1]:s_[2]]).rjust(size, b"\x00")


def fixed_key_pem():
    """The RFC 7515 A.3 key as SEC 1 PEM (ECPrivateKey with the P-256 OID and the point)."""
    d, x, y = unb64(FIXED_D), unb64(FIXED_X), unb64(FIXED_Y)
    der = (b"\x30\x77\x02\x01\x01\x04\x20" + d + b"\xa0\x0a\x06\x08\x2a\x86\x48\xce\x3d\x03\x01\x07" +
           b"\xa1\x44\x03\x42\x00\x04" + x + y)
    body = base64.b64encode(der).decode()
    return ("-----BEGIN EC PRIVATE KEY-----\n%s\n-----END EC PRIVATE KEY-----\n" % body).encode()


def jws(key, header, payload, embed=True):
    """A flattened JWS signed by `key`; header gets alg (and jwk or kid)."""
    h = {"alg": key.alg, "nonce": NONCE, "url": URL}
    if embed:
        h["jwk"] = key.jwk
    else:
        h["kid"] = "https://acme.example/acme/acct/1"
    h.update(header)
    protected = b64(dump(h))
    payload_b64 = b64(payload) if payload else ""
    signature = key.sign((protected + "." + payload_b64).encode())
    return {"protected": protected, "payload": payload_b64, "signature": b64(signature)}


def unsigned_jws(header, payload="{}", signature=b"s" * 64):
    return {"protected": b64(dump(header)), "payload": b64(payload), "signature": b64(signature)}


def eab(header, payload, mac_key=EAB_MAC_KEY):
    protected = b64(dump(header))
    payload_b64 = b64(payload)
    mac = hmac.new(mac_key, (protected + "." + payload_b64).encode(), hashlib.sha256).digest()
    return {"protected": protected, "payload": payload_b64, "signature": b64(mac)}


def main():
    for d in (MALFORMED, SEEDS):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    seeds, bad = {}, {}
    with tempfile.TemporaryDirectory() as tmp:
        keys = {k: Key(k, tmp) for k in ("rsa", "p256", "p384", "ed25519")}
        fixed = Key("fixed", tmp, fixed_key_pem())
        assert fixed.jwk == FIXED_JWK, fixed.jwk
        new_account = dump({"termsOfServiceAgreed": True, "contact": ["mailto:admin@example.org"]})

        # ---- seeds ----
        seeds["jws-jwk-rs256.json"] = dump(jws(keys["rsa"], {}, new_account))
        seeds["jws-jwk-es256.json"] = dump(jws(keys["p256"], {}, new_account))
        seeds["jws-jwk-es384.json"] = dump(jws(keys["p384"], {}, new_account))
        seeds["jws-jwk-eddsa.json"] = dump(jws(keys["ed25519"], {}, new_account))
        seeds["jws-kid-es256.json"] = dump(jws(fixed, {}, dump({"identifiers": [{"type": "dns", "value": "a.example"}]}),
                                               embed=False))
        seeds["jws-kid-post-as-get.json"] = dump(jws(fixed, {}, "", embed=False))
        seeds["jwk-rsa.json"] = dump(keys["rsa"].jwk)
        seeds["jwk-p256.json"] = dump(FIXED_JWK)
        seeds["jwk-p384.json"] = dump(keys["p384"].jwk)
        seeds["jwk-ed25519.json"] = dump(keys["ed25519"].jwk)
        seeds["eab-hs256.json"] = dump(eab({"alg": "HS256", "kid": EAB_KID, "url": EAB_URL}, dump(FIXED_JWK)))

        # ---- malformed: not a JWS at all ----
        good = jws(keys["p256"], {}, new_account)
        good_text = dump(good)
        bad["empty"] = ""
        bad["one-zero-byte"] = "\0"
        bad["plain-text"] = "hello"
        bad["compact-serialization"] = good["protected"] + "." + good["payload"] + "." + good["signature"]
        bad["json-array"] = "[" + good_text + "]"
        bad["json-string"] = json.dumps(good_text)
        bad["json-null"] = "null"
        bad["truncated-jws"] = good_text[:len(good_text) // 2]
        bad["trailing-garbage"] = good_text + "x"
        bad["body-over-64-kib"] = dump(dict(good, payload=b64("x" * 66000)))
        bad["nested-arrays-10000-deep"] = "[" * 10000 + "]" * 10000
        bad["nested-objects-5000-deep"] = '{"a":' * 5000 + "1" + "}" * 5000
        bad["invalid-utf8-in-string"] = b'{"protected":"\xff"}'
        bad["comment-in-json"] = good_text[:1] + "/* c */" + good_text[1:]

        # ---- malformed: the JWS object ----
        bad["jws-unprotected-header"] = dump(dict(good, header={"kid": "x"}))
        bad["jws-general-serialization"] = dump({"payload": good["payload"], "signatures": [
            {"protected": good["protected"], "signature": good["signature"]}]})
        bad["jws-extra-member"] = dump(dict(good, extra=1))
        bad["jws-duplicate-member"] = good_text[:-1] + ',"payload":""}'
        for member in ("protected", "payload", "signature"):
            bad["jws-without-" + member] = dump({k: v for k, v in good.items() if k != member})
        bad["jws-protected-object"] = dump(dict(good, protected={"alg": "ES256"}))
        bad["jws-protected-padded"] = dump(dict(good, protected=good["protected"] + "="))
        bad["jws-protected-with-space"] = dump(dict(good, protected=good["protected"][:8] + " " + good["protected"][8:]))
        bad["jws-protected-not-json"] = dump(dict(good, protected=b64("{alg:ES256}")))
        bad["jws-protected-array"] = dump(dict(good, protected=b64("[]")))
        bad["jws-protected-duplicate-alg"] = dump(dict(good, protected=b64(
            '{"alg":"ES256","alg":"none","nonce":"%s","url":"%s","kid":"k"}' % (NONCE, URL))))
        bad["jws-protected-nested-40-deep"] = dump(dict(good, protected=b64(
            '{"alg":"ES256","x":' + "[" * 40 + "]" * 40 + "}")))
        bad["jws-protected-invalid-utf8"] = dump(dict(good, protected=b64(b'{"alg":"ES256","url":"\xc3\x28"}')))
        bad["jws-payload-not-base64url"] = dump(dict(good, payload=good["payload"] + "=="))
        bad["jws-signature-not-base64url"] = dump(dict(good, signature="+" + good["signature"][1:]))
        bad["jws-signature-empty"] = dump(dict(good, signature=""))
        bad["jws-signature-number"] = dump(dict(good, signature=7))

        # ---- malformed: the protected header ----
        kid_header = {"alg": "ES256", "nonce": NONCE, "url": URL, "kid": "acct/1"}

        def header_case(name, **changes):
            h = dict(kid_header)
            for k, v in changes.items():
                if v is None:
                    h.pop(k, None)
                else:
                    h[k] = v
            bad["header-" + name] = dump(unsigned_jws(h))

        header_case("alg-none", alg="none")
        header_case("alg-hs256", alg="HS256")
        header_case("alg-es512", alg="ES512")
        header_case("alg-ps256", alg="PS256")
        header_case("alg-missing", alg=None)
        header_case("alg-number", alg=256)
        header_case("nonce-missing", nonce=None)
        header_case("nonce-empty", nonce="")
        header_case("nonce-not-base64url", nonce="abc+/==")
        header_case("url-missing", url=None)
        header_case("url-number", url=443)
        header_case("kid-and-jwk", jwk=FIXED_JWK)
        header_case("no-kid-no-jwk", kid=None)
        header_case("kid-empty", kid="")
        header_case("crit", crit=["exp"])
        header_case("b64-false", b64=False)
        header_case("jwk-with-private-d", kid=None, jwk=dict(FIXED_JWK, d=FIXED_D))
        header_case("jwk-rsa-1024", kid=None, jwk={"kty": "RSA", "n": b64(b"\xc1" + b"\x5a" * 126 + b"\x01"), "e": "AQAB"})
        header_case("jwk-off-curve", kid=None, jwk=dict(FIXED_JWK, y=FIXED_Y[:-1] + "4"))
        header_case("jwk-p521", kid=None, jwk=dict(FIXED_JWK, crv="P-521"))
        header_case("jwk-kty-oct", kid=None, jwk={"kty": "oct", "k": "AAAA"})
        header_case("jwk-x-31-bytes", kid=None, jwk=dict(FIXED_JWK, x=b64(unb64(FIXED_X)[1:])))
        header_case("jwk-string", kid=None, jwk="key")

        # ---- malformed: signatures that do not verify ----
        tampered = dict(good, payload=b64(dump({"termsOfServiceAgreed": False})))
        bad["verify-tampered-payload"] = dump(tampered)
        sig = bytearray(unb64(good["signature"]))
        sig[10] ^= 1
        bad["verify-tampered-signature"] = dump(dict(good, signature=b64(bytes(sig))))
        bad["verify-ecdsa-signature-65-bytes"] = dump(dict(good, signature=b64(unb64(good["signature"]) + b"\0")))
        es384_header = json.loads(unb64(good["protected"]))
        es384_header["alg"] = "ES384"
        bad["verify-es384-with-a-p256-jwk"] = dump(dict(good, protected=b64(dump(es384_header))))
        bad["verify-kid-signed-by-another-key"] = dump(jws(keys["p256"], {}, "{}", embed=False))
        rfc7515_a3 = {"protected": "eyJhbGciOiJFUzI1NiJ9",
                      "payload": "eyJpc3MiOiJqb2UiLA0KICJleHAiOjEzMDA4MTkzODAsDQogImh0dHA6Ly9leGFtcGxlLmNvbS9pc19yb290Ijp0cnVlfQ",
                      "signature": "DtEhU3ljbEg8L38VWAfUAqOyKAM6-Xx-F4GawxaepmXFCgfTjDxw5djxLa8ISlSApmWQxfKTUJqPP3-Kg6NU1Q"}
        bad["verify-rfc7515-a3-without-nonce"] = dump(rfc7515_a3)

        # ---- malformed: External Account Bindings ----
        eab_header = {"alg": "HS256", "kid": EAB_KID, "url": EAB_URL}
        bad["eab-alg-none"] = dump(eab(dict(eab_header, alg="none"), dump(FIXED_JWK)))
        bad["eab-with-nonce"] = dump(eab(dict(eab_header, nonce=NONCE), dump(FIXED_JWK)))
        bad["eab-other-kid"] = dump(eab(dict(eab_header, kid="other-kid"), dump(FIXED_JWK)))
        bad["eab-other-mac-key"] = dump(eab(eab_header, dump(FIXED_JWK), mac_key=b"another key"))
        bad["eab-other-url"] = dump(eab(dict(eab_header, url=URL), dump(FIXED_JWK)))
        bad["eab-other-account-key"] = dump(eab(eab_header, dump(keys["p256"].jwk)))
        bad["eab-payload-not-json"] = dump(eab(eab_header, "not json"))
        bad["eab-payload-private-key"] = dump(eab(eab_header, dump(dict(FIXED_JWK, d=FIXED_D))))

        # ---- malformed: JWKs on their own ----
        bad["jwk-private-ec"] = dump(dict(FIXED_JWK, d=FIXED_D))
        bad["jwk-rsa-1024"] = dump({"kty": "RSA", "n": b64(b"\xc1" + b"\x5a" * 126 + b"\x01"), "e": "AQAB"})
        bad["jwk-rsa-even-exponent"] = dump(dict(keys["rsa"].jwk, e=b64(b"\x01\x00\x00")))
        bad["jwk-rsa-leading-zero"] = dump(dict(keys["rsa"].jwk, n=b64(b"\0" + unb64(keys["rsa"].jwk["n"]))))
        bad["jwk-off-curve"] = dump(dict(FIXED_JWK, y=FIXED_Y[:-1] + "4"))
        bad["jwk-p521"] = dump(dict(FIXED_JWK, crv="P-521"))
        bad["jwk-ed448"] = dump({"kty": "OKP", "crv": "Ed448", "x": FIXED_X})
        bad["jwk-kty-number"] = dump(dict(FIXED_JWK, kty=1))

    for name, text in seeds.items():
        with open(os.path.join(SEEDS, name), "w") as f:
            f.write(text)
    for name, text in bad.items():
        with open(os.path.join(MALFORMED, name), "wb") as f:
            f.write(text.encode("utf-8", "surrogateescape") if isinstance(text, str) else text)
    print("make_corpus: %d seeds, %d malformed inputs" % (len(seeds), len(bad)))


if __name__ == "__main__":
    main()
