#!/usr/bin/env python3
"""Writes the Azure Key Vault sync's parser corpus: corpus/malformed/ (inputs every
parser must refuse) and corpus/seeds/ (well-formed answers that start the libFuzzer
runs).

    tests/fuzz/sync_azure/make_corpus.py          # rewrites both folders

The parsers (parsers.h) are ParseTokenResponse (a 200 from Entra ID's token endpoint),
ParseCertificateBundle (Key Vault's CertificateBundle and DeletedCertificateBundle),
KeyVaultError (Key Vault's error object) and ParseBearerChallenge (a WWW-Authenticate
value). Seeds follow the shapes of Microsoft's REST reference examples. Every malformed
input is one named mutation of a seed, so each file's name says what is wrong with it;
each must be refused by all four parsers, so none is both a JSON object with an
"error" object and anything else. Deterministic: re-running writes the same bytes.
"""
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
MALFORMED = os.path.join(HERE, "corpus", "malformed")
SEEDS = os.path.join(HERE, "corpus", "seeds")

VAULT = "https://shop.vault.azure.net"
VERSION = "db1497bc514347d4a2a2f1f0d1c2a0ad"
TENANT = "72f988bf-86f1-41af-91ab-2d7cd011db47"

TOKEN = {"token_type": "Bearer", "expires_in": 3599, "ext_expires_in": 3599,
         "access_token": "eyJ0eXAiOiJKV1QiLCJhbGciOiJSUzI1NiJ9.eyJhdWQiOiJodHRwczovL3ZhdWx0LmF6dXJlLm5ldCJ9.c2ln"}
BUNDLE = {
    "id": f"{VAULT}/certificates/web/{VERSION}",
    "kid": f"{VAULT}/keys/web/{VERSION}",
    "sid": f"{VAULT}/secrets/web/{VERSION}",
    "x5t": "fLi3U52HunIVNXubkEnf8tP6Wbo",
    "cer": "MIIBszCCAVmgAwIBAgIUQ2VydHBsYW5lIGZ1enogc2VlZDAKBggqhkjOPQQDAjA=",
    "attributes": {"enabled": True, "nbf": 1430344421, "exp": 2208988799, "created": 1501003963,
                   "updated": 1501003963, "recoveryLevel": "Recoverable+Purgeable", "recoverableDays": 90},
    "policy": {"id": f"{VAULT}/certificates/web/policy",
               "key_props": {"exportable": True, "kty": "EC", "crv": "P-256", "reuse_key": False},
               "secret_props": {"contentType": "application/x-pkcs12"}},
    "tags": {"certplane.io/certificate-uid": "0b7d7c1e-5d0a-4c47-9d7e-3f1f6c1e2a11", "certplane.io/certificate": "shop/web"},
}
DELETED = dict(BUNDLE, recoveryId=f"{VAULT}/deletedcertificates/web", deletedDate=1501004000,
               scheduledPurgeDate=1508780000)
CONFLICT = {"error": {"code": "Conflict", "message": "Certificate web is currently in a deleted but recoverable "
                      "state, and its name cannot be reused; in this state, the certificate can only be recovered "
                      "or purged."}}
FORBIDDEN = {"error": {"code": "Forbidden", "message": "The user, group or application does not have certificates "
                       "import permission on key vault 'shop'.", "innererror": {"code": "AccessDenied"}}}
CHALLENGE_RESOURCE = f'Bearer authorization="https://login.microsoftonline.com/{TENANT}", resource="https://vault.azure.net"'
CHALLENGE_SCOPE = f'Bearer authorization="https://login.microsoftonline.com/{TENANT}/", scope="https://vault.azure.net/.default"'


def dump(obj):
    return json.dumps(obj, separators=(",", ":"))


def without(obj, key):
    return {k: v for k, v in obj.items() if k != key}


def seeds():
    return {
        "token.json": dump(TOKEN),
        "token-expires-in-string.json": dump(dict(TOKEN, expires_in="3599")),
        "bundle.json": json.dumps(BUNDLE, indent=2),
        "deleted-bundle.json": dump(DELETED),
        "error-conflict.json": dump(CONFLICT),
        "error-forbidden-inner.json": dump(FORBIDDEN),
        "challenge-resource.txt": CHALLENGE_RESOURCE,
        "challenge-scope.txt": CHALLENGE_SCOPE,
        # The tenant is the last path segment before the query (a fuzzer-found case).
        "challenge-query-after-tenant.txt": f'Bearer authorization="https://login.microsoftonline.com/{TENANT}'
                                            f'?authorization=x/y", resource="https://vault.azure.net"',
    }


def malformed():
    bundle = dump(BUNDLE)
    token = dump(TOKEN)
    return {
        "empty": "",
        "whitespace": " \r\n\t ",
        "nul-bytes": "\0\0\0\0",
        "html-gateway-page": "<html><body><h1>502 Bad Gateway</h1></body></html>",
        "json-null": "null",
        "json-array": dump([TOKEN]),
        "json-string": dump("access_token"),
        "json-number": "3599",
        "truncated-bundle": bundle[: len(bundle) // 2],
        "truncated-token": token[:-1],
        "comment-in-json": "/* x */" + token,
        "bundle-without-id": dump(without(BUNDLE, "id")),
        "bundle-id-number": dump(dict(BUNDLE, id=12)),
        "bundle-id-without-version": dump(dict(BUNDLE, id=f"{VAULT}/certificates/web")),
        "bundle-id-empty-version": dump(dict(BUNDLE, id=f"{VAULT}/certificates/web/")),
        "bundle-id-extra-segment": dump(dict(BUNDLE, id=f"{VAULT}/certificates/web/{VERSION}/x")),
        "bundle-id-secret": dump(dict(BUNDLE, id=f"{VAULT}/secrets/web/{VERSION}")),
        "bundle-tags-list": dump(dict(BUNDLE, tags=["certplane.io/certificate-uid"])),
        "bundle-tag-number": dump(dict(BUNDLE, tags={"certplane.io/certificate-uid": 7})),
        "bundle-tag-object": dump(dict(BUNDLE, tags={"certplane.io/certificate-uid": {"uid": "x"}})),
        "token-without-access-token": dump(without(TOKEN, "access_token")),
        "token-empty-access-token": dump(dict(TOKEN, access_token="")),
        "token-access-token-number": dump(dict(TOKEN, access_token=5)),
        "token-without-expires-in": dump(without(TOKEN, "expires_in")),
        "token-expires-in-negative": dump(dict(TOKEN, expires_in=-1)),
        "token-expires-in-huge": dump(dict(TOKEN, expires_in=1e300)),
        "token-expires-in-word": dump(dict(TOKEN, expires_in="soon")),
        "token-expires-in-overlong-string": dump(dict(TOKEN, expires_in="9" * 40)),
        "token-error-is-string": dump({"error": "invalid_client", "error_description": "AADSTS7000215"}),
        "error-without-code": dump({"error": {"message": "no code"}}),
        "error-code-number": dump({"error": {"code": 409, "message": "x"}}),
        "error-is-list": dump({"error": [CONFLICT["error"]]}),
        "challenge-basic": 'Basic realm="shop.vault.azure.net"',
        "challenge-unterminated-quote": 'Bearer authorization="https://login.microsoftonline.com/' + TENANT,
        "challenge-parameter-without-value": "Bearer authorization",
        "challenge-missing-comma": 'Bearer authorization="a" resource="b"',
        "challenge-dangling-escape": 'Bearer authorization="https://a/\\',
        "challenge-no-scheme": '="https://login.microsoftonline.com/x"',
    }


def write(folder, files):
    shutil.rmtree(folder, ignore_errors=True)
    os.makedirs(folder)
    for name, text in files.items():
        with open(os.path.join(folder, name), "wb") as f:
            f.write(text.encode("utf-8", "surrogatepass"))


def main():
    write(SEEDS, seeds())
    write(MALFORMED, malformed())
    print(f"wrote {len(seeds())} seeds and {len(malformed())} malformed inputs under {os.path.join(HERE, 'corpus')}")


if __name__ == "__main__":
    main()
