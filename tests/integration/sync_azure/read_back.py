#!/usr/bin/env python3
"""Reads back, with Azure's own Python SDK, what certplane pushed to the Key Vault test
server (tests/support/key_vault_server), so the integration tests check the push with an
independent client:

  read_back.py show NAME            JSON: the latest version's id, version, tags, leaf
                                    DER SHA-256, the versions, and the secret view's
                                    content type with the SHA-256 of the key's and the
                                    leaf's SubjectPublicKeyInfo
  read_back.py missing NAME         exits 0 and prints ResourceNotFoundError when
                                    get_certificate fails with it
  read_back.py soft-delete NAME     begin_delete_certificate (no purge)
  read_back.py import-foreign NAME PEM_FILE   imports a PEM (key + certificates) without
                                    certplane's tags, as someone else would

Environment: KV_URL (the vault and authority origin), KV_TENANT, KV_CLIENT_ID,
KV_CLIENT_SECRET, KV_CA_FILE (the test CA the server's certificate chains to).
"""
import base64
import hashlib
import json
import os
import sys

os.environ["REQUESTS_CA_BUNDLE"] = os.environ["KV_CA_FILE"]
os.environ["SSL_CERT_FILE"] = os.environ["KV_CA_FILE"]

from azure.core.exceptions import ResourceNotFoundError  # noqa: E402
from azure.identity import ClientSecretCredential  # noqa: E402
from azure.keyvault.certificates import CertificateClient, CertificatePolicy  # noqa: E402
from azure.keyvault.secrets import SecretClient  # noqa: E402
from cryptography import x509  # noqa: E402
from cryptography.hazmat.primitives import serialization  # noqa: E402
from cryptography.hazmat.primitives.serialization import pkcs12  # noqa: E402


def clients():
    url = os.environ["KV_URL"]
    credential = ClientSecretCredential(os.environ["KV_TENANT"], os.environ["KV_CLIENT_ID"],
                                        os.environ["KV_CLIENT_SECRET"], authority=url,
                                        disable_instance_discovery=True)
    # The challenge names vault.azure.net, which a loopback vault URL does not match.
    return (CertificateClient(url, credential, verify_challenge_resource=False),
            SecretClient(url, credential, verify_challenge_resource=False))


def spki_sha256(public_key):
    der = public_key.public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    return hashlib.sha256(der).hexdigest()


def show(name):
    certs, secrets = clients()
    cert = certs.get_certificate(name)
    versions = [p.version for p in certs.list_properties_of_certificate_versions(name)]
    secret = secrets.get_secret(name)
    if secret.properties.content_type == "application/x-pkcs12":
        key, leaf, _ = pkcs12.load_key_and_certificates(base64.b64decode(secret.value), None)
    else:
        data = secret.value.encode()
        key = serialization.load_pem_private_key(data, None)
        leaf = x509.load_pem_x509_certificates(data)[0]
    print(json.dumps({
        "id": cert.id,
        "version": cert.properties.version,
        "tags": cert.properties.tags or {},
        "cer_sha256": hashlib.sha256(bytes(cert.cer)).hexdigest(),
        "serial_hex": format(x509.load_der_x509_certificate(bytes(cert.cer)).serial_number, "x"),
        "versions": versions,
        "secret_content_type": secret.properties.content_type,
        "secret_key_spki_sha256": spki_sha256(key.public_key()),
        "secret_leaf_spki_sha256": spki_sha256(leaf.public_key()),
    }))


def missing(name):
    certs, _ = clients()
    try:
        certs.get_certificate(name)
    except ResourceNotFoundError:
        print("ResourceNotFoundError")
        return 0
    print("the certificate is still there")
    return 1


def soft_delete(name):
    certs, _ = clients()
    certs.begin_delete_certificate(name).wait()
    print("deleted")


def import_foreign(name, pem_file):
    certs, _ = clients()
    with open(pem_file, "rb") as f:
        certs.import_certificate(name, f.read(), policy=CertificatePolicy(content_type="application/x-pem-file"),
                                 tags={"owner": "someone-else"})
    print("imported")


def main():
    command, name = sys.argv[1], sys.argv[2]
    if command == "show":
        return show(name)
    if command == "missing":
        return missing(name)
    if command == "soft-delete":
        return soft_delete(name)
    if command == "import-foreign":
        return import_foreign(name, sys.argv[3])
    print(f"unknown command {command}", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main() or 0)
