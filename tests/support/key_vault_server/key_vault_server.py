#!/usr/bin/env python3
"""A Key Vault test server: follows the REST reference, is not Azure.

It serves, over HTTPS on 127.0.0.1, the certificate routes of the Azure Key Vault REST
API (api-version 7.4; any api-version given is accepted, since the Python SDK sends its
newest) as Microsoft's published reference describes them, the secret view of
certificates, and the token endpoint of an Entra ID-like authority, so that certplane's
Key Vault destination and Azure's own Python SDK (azure-identity,
azure-keyvault-certificates, azure-keyvault-secrets) can both talk to it:

  key_vault_server.py --port 0 --cert tls.crt --key tls.key --tenant TENANT \\
      --client-id ID --client-secret SECRET [--client-assertion JWT] \\
      [--purge-protection] [--ttl-seconds 600]

The first line printed is "listening on https://127.0.0.1:<port>" (the kernel's port
when --port is 0). Requests are logged to stderr, never their bodies or tokens. It exits
by itself after --ttl-seconds, so a killed test leaves nothing listening.

Authority (on the same origin):
  GET  /{tenant}/v2.0/.well-known/openid-configuration    what MSAL reads first
  POST /{tenant}/oauth2/v2.0/token   client_credentials with client_secret, or
       client_assertion (jwt-bearer) equal to --client-assertion; Entra's error JSON
       (invalid_client AADSTS7000215 / AADSTS700027, unauthorized_client AADSTS700016,
       invalid_scope AADSTS70011, tenant not found AADSTS90002) otherwise.
Key Vault (a bearer token the authority issued, else 401 with the challenge):
  POST   /certificates/{name}/import           PKCS#12 (with pwd) or PEM (PKCS#8 key)
  GET    /certificates                         list (latest of each)
  GET    /certificates/{name}[/{version}]      bundle: id, kid, sid, x5t, cer, attributes,
                                               policy, tags
  GET    /certificates/{name}/versions         list versions
  GET    /certificates/{name}/policy
  DELETE /certificates/{name}                  soft delete
  GET    /deletedcertificates[/{name}]
  DELETE /deletedcertificates/{name}           purge (403 with --purge-protection)
  POST   /deletedcertificates/{name}/recover
  GET    /secrets/{name}[/{version}]           the key and certificates in the imported
                                               content type (PKCS#12 without a password,
                                               base64; or PEM text), as the service does
Importing a name that is soft-deleted answers 409 Conflict with the service's message.
Needs the `cryptography` package (the test tools' venv has it).
"""

import argparse
import base64
import hashlib
import json
import os
import re
import secrets
import ssl
import sys
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import pkcs12

NAME = re.compile(r"^[0-9a-zA-Z-]{1,127}$")
JWT_BEARER = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
TOKEN_LIFETIME = 3599
MAX_TAGS = 15


class ApiError(Exception):
    def __init__(self, status, code, message, headers=None):
        super().__init__(message)
        self.status, self.code, self.message, self.headers = status, code, message, headers or {}


def not_found(name, deleted=False):
    if deleted:
        return ApiError(404, "CertificateNotFound", f"Deleted Certificate not found: {name}")
    return ApiError(404, "CertificateNotFound",
                    f"A certificate with (name/id) {name} was not found in this key vault. If you recently deleted "
                    "this certificate you may be able to recover it using the correct recovery command. For help "
                    "resolving this issue, please see https://go.microsoft.com/fwlink/?linkid=2125182")


def b64url(data):
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unix(dt):
    return int(dt.timestamp())


class Version:
    """One imported version: what was sent, and what the service derives from it."""

    def __init__(self, key, leaf, chain, content_type, tags, key_props, enabled):
        self.id = uuid.uuid4().hex
        self.key, self.leaf, self.chain = key, leaf, chain
        self.content_type = content_type
        self.tags = dict(tags)
        self.key_props = key_props
        self.enabled = enabled
        self.created = int(time.time())

    def der(self):
        return self.leaf.public_bytes(serialization.Encoding.DER)

    def secret_value(self):
        if self.content_type == "application/x-pem-file":
            text = self.key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption())
            for cert in [self.leaf, *self.chain]:
                text += cert.public_bytes(serialization.Encoding.PEM)
            return text.decode()
        # The service exports PKCS#12 without a password.
        blob = pkcs12.serialize_key_and_certificates(None, self.key, self.leaf, self.chain or None,
                                                     serialization.NoEncryption())
        return base64.b64encode(blob).decode()


class Vault:
    def __init__(self, purge_protection):
        self.lock = threading.Lock()
        self.live = {}  # lower-case name -> (name, [Version]), oldest first
        self.deleted = {}  # lower-case name -> (name, [Version], deleted time)
        self.purge_protection = purge_protection

    def recovery_level(self):
        return "Recoverable" if self.purge_protection else "Recoverable+Purgeable"

    def attributes(self, v):
        return {
            "enabled": v.enabled,
            "nbf": unix(v.leaf.not_valid_before_utc),
            "exp": unix(v.leaf.not_valid_after_utc),
            "created": v.created,
            "updated": v.created,
            "recoveryLevel": self.recovery_level(),
            "recoverableDays": 90,
        }

    def policy(self, base, name, v):
        leaf = v.leaf
        x509_props = {
            "subject": leaf.subject.rfc4514_string(),
            "validity_months": max(1, round((leaf.not_valid_after_utc - leaf.not_valid_before_utc).days / 30)),
        }
        try:
            san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            sans = {}
            dns = san.get_values_for_type(x509.DNSName)
            if dns:
                sans["dns_names"] = dns
            emails = san.get_values_for_type(x509.RFC822Name)
            if emails:
                sans["emails"] = emails
            if sans:
                x509_props["sans"] = sans
        except x509.ExtensionNotFound:
            pass
        try:
            ekus = leaf.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
            x509_props["ekus"] = [eku.dotted_string for eku in ekus]
        except x509.ExtensionNotFound:
            pass
        return {
            "id": f"{base}/certificates/{name}/policy",
            "key_props": v.key_props,
            "secret_props": {"contentType": v.content_type},
            "x509_props": x509_props,
            "lifetime_actions": [{"trigger": {"lifetime_percentage": 80}, "action": {"action_type": "EmailContacts"}}],
            "issuer": {"name": "Unknown"},
            "attributes": {"enabled": True, "created": v.created, "updated": v.created},
        }

    def bundle(self, base, name, v, with_policy=True):
        out = {
            "id": f"{base}/certificates/{name}/{v.id}",
            "kid": f"{base}/keys/{name}/{v.id}",
            "sid": f"{base}/secrets/{name}/{v.id}",
            "x5t": b64url(hashlib.sha1(v.der()).digest()),
            "cer": base64.b64encode(v.der()).decode(),
            "attributes": self.attributes(v),
            "tags": v.tags,
        }
        if with_policy:
            out["policy"] = self.policy(base, name, v)
        return out

    def item(self, base, name, v, versioned):
        suffix = f"/{v.id}" if versioned else ""
        return {
            "id": f"{base}/certificates/{name}{suffix}",
            "x5t": b64url(hashlib.sha1(v.der()).digest()),
            "attributes": self.attributes(v),
            "tags": v.tags,
        }

    def deleted_bundle(self, base, name, v, when):
        out = self.bundle(base, name, v)
        out["recoveryId"] = f"{base}/deletedcertificates/{name}"
        out["deletedDate"] = int(when)
        out["scheduledPurgeDate"] = int(when) + 90 * 86400
        return out


def parse_import(body):
    """The key, leaf and chain of an import body; ApiError 400 as the service words it."""
    value = body.get("value")
    if not isinstance(value, str) or not value:
        raise ApiError(400, "BadParameter", "Property value is required.")
    policy = body.get("policy") or {}
    content_type = ((policy.get("secret_props") or {}).get("contentType")) or "application/x-pkcs12"
    try:
        raw = base64.b64decode(value, validate=True)
    except ValueError:
        raise ApiError(400, "BadParameter", "Property value is not valid base64.")
    if content_type == "application/x-pem-file":
        text = raw.decode("ascii", errors="replace")
        key_block = re.search(r"-----BEGIN PRIVATE KEY-----.*?-----END PRIVATE KEY-----", text, re.S)
        if not key_block:
            raise ApiError(400, "BadParameter",
                           "The specified PEM X.509 certificate content is in an unexpected format. Please check if "
                           "certificate is in valid PEM format.")
        try:
            key = serialization.load_pem_private_key(key_block.group(0).encode(), None)
            certs = x509.load_pem_x509_certificates(raw)
        except ValueError:
            raise ApiError(400, "BadParameter",
                           "The specified PEM X.509 certificate content can not be read. Please check if certificate "
                           "is in valid PEM format.")
    elif content_type == "application/x-pkcs12":
        pwd = body.get("pwd")
        try:
            key, leaf, extra = pkcs12.load_key_and_certificates(raw, pwd.encode() if pwd else None)
        except ValueError:
            raise ApiError(400, "BadParameter",
                           "The specified PKCS#12 X.509 certificate content can not be read. Please check if "
                           "certificate is in valid PKCS#12 format.")
        certs = ([leaf] if leaf else []) + list(extra)
    else:
        raise ApiError(400, "BadParameter", f"Unsupported content type: {content_type}")
    if key is None or not certs:
        raise ApiError(400, "BadParameter", "The certificate to import must contain a private key and a certificate.")
    public = key.public_key().public_bytes(serialization.Encoding.DER,
                                           serialization.PublicFormat.SubjectPublicKeyInfo)
    leaves = [c for c in certs if c.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo) == public]
    if not leaves:
        raise ApiError(400, "BadParameter", "Private key does not match the certificate.")
    leaf = leaves[0]
    chain = [c for c in certs if c is not leaf]
    if isinstance(key, rsa.RSAPrivateKey):
        actual = {"kty": "RSA", "key_size": key.key_size}
    elif isinstance(key, ec.EllipticCurvePrivateKey):
        actual = {"kty": "EC", "crv": {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}.get(
            key.curve.name, key.curve.name)}
    else:
        raise ApiError(400, "BadParameter", "Only RSA and EC keys are supported.")
    key_props = dict(policy.get("key_props") or {})
    for field, have in actual.items():
        wanted = key_props.get(field)
        if wanted is not None and wanted != have and not (field == "kty" and wanted == f"{have}-HSM"):
            raise ApiError(400, "BadParameter",
                           f"Property policy.key_props.{field} ({wanted}) does not match the imported key ({have}).")
    key_props.update(actual)
    key_props.setdefault("exportable", True)
    key_props.setdefault("reuse_key", False)
    tags = body.get("tags") or {}
    if not isinstance(tags, dict) or len(tags) > MAX_TAGS or any(
            not isinstance(v, str) or len(k) > 512 or len(v) > 256 for k, v in tags.items()):
        raise ApiError(400, "BadParameter", f"Tags must be at most {MAX_TAGS} string values.")
    enabled = (body.get("attributes") or {}).get("enabled", True)
    return Version(key, leaf, chain, content_type, tags, key_props, bool(enabled))


class Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self, address, options):
        super().__init__(address, Handler)
        self.options = options
        self.vault = Vault(options.purge_protection)
        self.tokens = {}  # access token -> expiry (unix seconds)
        self.tokens_lock = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "key-vault-test-server"

    def log_message(self, fmt, *args):
        sys.stderr.write("key_vault_server: %s\n" % (fmt % args))

    # ---- plumbing ----

    def base(self):
        return f"https://{self.headers.get('Host') or '127.0.0.1'}"

    def send_json(self, status, obj, headers=None):
        data = b"" if obj is None else json.dumps(obj).encode()
        self.send_response(status)
        if obj is not None:
            self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-ms-request-id", str(uuid.uuid4()))
        for k, v in (headers or {}).items():
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def read_body(self):
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def dispatch(self, method):
        parts = urlsplit(self.path)
        query = parse_qs(parts.query)
        path = [p for p in parts.path.split("/") if p]
        body = self.read_body()
        try:
            if len(path) >= 2 and path[1] in ("oauth2", "v2.0", ".well-known"):
                return self.authority(method, path, body)
            if not query.get("api-version"):
                raise ApiError(400, "BadParameter", "The 'api-version' query parameter is missing.")
            self.authenticate()
            return self.key_vault(method, path, body)
        except ApiError as e:
            self.send_json(e.status, {"error": {"code": e.code, "message": e.message}}, e.headers)

    def do_GET(self):
        self.dispatch("GET")

    def do_POST(self):
        self.dispatch("POST")

    def do_DELETE(self):
        self.dispatch("DELETE")

    def do_PUT(self):
        self.dispatch("PUT")

    def do_PATCH(self):
        self.dispatch("PATCH")

    # ---- the authority ----

    def oauth_error(self, status, error, aadsts, description):
        self.send_json(status, {
            "error": error,
            "error_description": f"AADSTS{aadsts}: {description}\r\nTrace ID: {uuid.uuid4()}\r\n"
                                 f"Correlation ID: {uuid.uuid4()}\r\nTimestamp: {time.strftime('%Y-%m-%d %H:%M:%SZ')}",
            "error_codes": [aadsts],
            "timestamp": time.strftime("%Y-%m-%d %H:%M:%SZ"),
            "trace_id": str(uuid.uuid4()),
            "correlation_id": str(uuid.uuid4()),
            "error_uri": f"{self.base()}/error?code={aadsts}",
        })

    def authority(self, method, path, body):
        opts = self.server.options
        tenant = path[0]
        rest = "/".join(path[1:])
        base = f"{self.base()}/{tenant}"
        if method == "GET" and rest in ("v2.0/.well-known/openid-configuration", ".well-known/openid-configuration"):
            if tenant != opts.tenant:
                return self.oauth_error(400, "invalid_tenant", 90002, f"Tenant '{tenant}' not found.")
            return self.send_json(200, {
                "token_endpoint": f"{base}/oauth2/v2.0/token",
                "token_endpoint_auth_methods_supported": ["client_secret_post", "private_key_jwt",
                                                          "client_secret_basic"],
                "jwks_uri": f"{base}/discovery/v2.0/keys",
                "response_modes_supported": ["query", "fragment", "form_post"],
                "subject_types_supported": ["pairwise"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "response_types_supported": ["code", "id_token", "code id_token", "id_token token"],
                "scopes_supported": ["openid", "profile", "email", "offline_access"],
                "issuer": f"{base}/v2.0",
                "request_uri_parameter_supported": False,
                "userinfo_endpoint": f"{self.base()}/oidc/userinfo",
                "authorization_endpoint": f"{base}/oauth2/v2.0/authorize",
                "device_authorization_endpoint": f"{base}/oauth2/v2.0/devicecode",
                "http_logout_supported": True,
                "frontchannel_logout_supported": True,
                "end_session_endpoint": f"{base}/oauth2/v2.0/logout",
                "claims_supported": ["sub", "iss", "aud", "exp", "iat", "nonce"],
                "kerberos_endpoint": f"{base}/kerberos",
                "tenant_region_scope": "EU",
                "cloud_instance_name": "microsoftonline.com",
                "cloud_graph_host_name": "graph.windows.net",
                "msgraph_host": "graph.microsoft.com",
                "rbac_url": "https://pas.windows.net",
            })
        if method != "POST" or rest != "oauth2/v2.0/token":
            raise ApiError(404, "NotFound", f"no route {method} /{'/'.join(path)} on the test authority")
        if tenant != opts.tenant:
            return self.oauth_error(400, "invalid_request", 90002,
                                    f"Tenant '{tenant}' not found. Check to make sure you have the correct tenant ID "
                                    "and are signing into the correct cloud.")
        form = {k: v[0] for k, v in parse_qs(body.decode(errors="replace")).items()}
        if form.get("grant_type") != "client_credentials":
            return self.oauth_error(400, "unsupported_grant_type", 70003,
                                    "The app requested an unsupported grant type.")
        client_id = form.get("client_id", "")
        if client_id != opts.client_id:
            return self.oauth_error(400, "unauthorized_client", 700016,
                                    f"Application with identifier '{client_id}' was not found in the directory "
                                    f"'{tenant}'.")
        if "client_assertion" in form:
            if form.get("client_assertion_type") != JWT_BEARER or not opts.client_assertion or \
                    form["client_assertion"] != opts.client_assertion:
                return self.oauth_error(401, "invalid_client", 700027,
                                        "Client assertion failed signature validation.")
        elif form.get("client_secret") is None or form.get("client_secret") != opts.client_secret:
            return self.oauth_error(401, "invalid_client", 7000215,
                                    "Invalid client secret provided. Ensure the secret being sent in the request is "
                                    f"the client secret value, not the client secret ID, for a secret added to app "
                                    f"'{client_id}'.")
        scope = form.get("scope", "")
        if scope != f"{opts.resource}/.default":
            return self.oauth_error(400, "invalid_scope", 70011,
                                    f"The provided request must include a 'scope' input parameter. The provided value "
                                    f"for the input parameter 'scope' is not valid. The scope {scope} is not valid.")
        token = secrets.token_urlsafe(32)
        with self.server.tokens_lock:
            self.server.tokens[token] = time.time() + TOKEN_LIFETIME
        self.send_json(200, {"token_type": "Bearer", "expires_in": TOKEN_LIFETIME, "ext_expires_in": TOKEN_LIFETIME,
                             "access_token": token})

    # ---- Key Vault ----

    def authenticate(self):
        opts = self.server.options
        challenge = (f'Bearer authorization="{self.base()}/{opts.tenant}", resource="{opts.resource}"')
        header = self.headers.get("Authorization") or ""
        if not header.startswith("Bearer "):
            raise ApiError(401, "Unauthorized", "AKV10000: Request is missing a Bearer or PoP token.",
                           {"WWW-Authenticate": challenge})
        with self.server.tokens_lock:
            expiry = self.server.tokens.get(header[len("Bearer "):])
        if expiry is None or expiry < time.time():
            raise ApiError(401, "Unauthorized", "AKV10022: Invalid audience or the token is not one this vault "
                           "accepts.", {"WWW-Authenticate": challenge})

    def key_vault(self, method, path, body):
        vault = self.server.vault
        base = self.base()
        try:
            payload = json.loads(body) if body else {}
        except ValueError:
            raise ApiError(400, "BadParameter", "The request body is not valid JSON.")
        if not path or path[0] not in ("certificates", "deletedcertificates", "secrets"):
            raise ApiError(404, "NotFound", f"no route {method} /{'/'.join(path)} on the test vault")
        collection, rest = path[0], path[1:]
        if rest and not NAME.match(rest[0]):
            raise ApiError(400, "BadParameter", f"Invalid certificate name: {rest[0]}. The name must match ^[0-9a-zA-Z-]+$")
        with vault.lock:
            if collection == "certificates":
                return self.certificates(method, rest, payload, vault, base)
            if collection == "deletedcertificates":
                return self.deleted(method, rest, vault, base)
            return self.secrets(method, rest, vault, base)

    def certificates(self, method, rest, payload, vault, base):
        if not rest:
            if method != "GET":
                raise ApiError(405, "BadParameter", "Method not allowed.")
            items = [vault.item(base, name, versions[-1], False) for name, versions in vault.live.values()]
            return self.send_json(200, {"value": items, "nextLink": None})
        key = rest[0].lower()
        if len(rest) == 2 and rest[1] == "import" and method == "POST":
            if key in vault.deleted:
                name = vault.deleted[key][0]
                raise ApiError(409, "Conflict",
                               f"Certificate {name} is currently in a deleted but recoverable state, and its name "
                               "cannot be reused; in this state, the certificate can only be recovered or purged.")
            version = parse_import(payload)
            name = vault.live[key][0] if key in vault.live else rest[0]
            vault.live.setdefault(key, (name, []))[1].append(version)
            return self.send_json(200, vault.bundle(base, name, version))
        if key not in vault.live:
            raise not_found(rest[0])
        name, versions = vault.live[key]
        if len(rest) == 1 and method == "GET":
            return self.send_json(200, vault.bundle(base, name, versions[-1]))
        if len(rest) == 1 and method == "DELETE":
            del vault.live[key]
            when = time.time()
            vault.deleted[key] = (name, versions, when)
            return self.send_json(200, vault.deleted_bundle(base, name, versions[-1], when))
        if len(rest) == 2 and rest[1] == "versions" and method == "GET":
            return self.send_json(200, {"value": [vault.item(base, name, v, True) for v in versions], "nextLink": None})
        if len(rest) == 2 and rest[1] == "policy" and method == "GET":
            return self.send_json(200, vault.policy(base, name, versions[-1]))
        if len(rest) == 2 and method == "GET":
            for v in versions:
                if v.id == rest[1]:
                    return self.send_json(200, vault.bundle(base, name, v))
            raise not_found(f"{name}/{rest[1]}")
        raise ApiError(405, "BadParameter", f"Method {method} is not allowed on /certificates/{'/'.join(rest)}.")

    def deleted(self, method, rest, vault, base):
        if not rest:
            items = []
            for name, versions, when in vault.deleted.values():
                item = vault.item(base, name, versions[-1], False)
                item.update({"recoveryId": f"{base}/deletedcertificates/{name}", "deletedDate": int(when),
                             "scheduledPurgeDate": int(when) + 90 * 86400})
                items.append(item)
            return self.send_json(200, {"value": items, "nextLink": None})
        key = rest[0].lower()
        if key not in vault.deleted:
            raise not_found(rest[0], deleted=True)
        name, versions, when = vault.deleted[key]
        if len(rest) == 1 and method == "GET":
            return self.send_json(200, vault.deleted_bundle(base, name, versions[-1], when))
        if len(rest) == 1 and method == "DELETE":
            if vault.purge_protection:
                raise ApiError(403, "Forbidden",
                               'Operation "purge" is not allowed because purge protection is enabled for this vault. '
                               "Key Vault service will automatically purge it after the retention period has passed."
                               f"\r\nVault: {base};location=local")
            del vault.deleted[key]
            return self.send_json(204, None)
        if len(rest) == 2 and rest[1] == "recover" and method == "POST":
            del vault.deleted[key]
            vault.live[key] = (name, versions)
            return self.send_json(200, vault.bundle(base, name, versions[-1]))
        raise ApiError(405, "BadParameter", f"Method {method} is not allowed on /deletedcertificates/{'/'.join(rest)}.")

    def secrets(self, method, rest, vault, base):
        if method != "GET" or not rest or len(rest) > 2:
            raise ApiError(405, "BadParameter", "Only GET /secrets/{name}[/{version}] is served here.")
        key = rest[0].lower()
        if key not in vault.live:
            raise ApiError(404, "SecretNotFound",
                           f"A secret with (name/id) {rest[0]} was not found in this key vault.")
        name, versions = vault.live[key]
        version = versions[-1]
        if len(rest) == 2:
            matching = [v for v in versions if v.id == rest[1]]
            if not matching:
                raise ApiError(404, "SecretNotFound",
                               f"A secret with (name/id) {name}/{rest[1]} was not found in this key vault.")
            version = matching[0]
        attributes = vault.attributes(version)
        return self.send_json(200, {
            "value": version.secret_value(),
            "contentType": version.content_type,
            "id": f"{base}/secrets/{name}/{version.id}",
            "managed": True,
            "attributes": attributes,
            "tags": version.tags,
            "kid": f"{base}/keys/{name}/{version.id}",
        })


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cert", required=True, help="PEM certificate (chain) the server presents")
    parser.add_argument("--key", required=True, help="PEM private key of --cert")
    parser.add_argument("--tenant", required=True)
    parser.add_argument("--client-id", required=True)
    parser.add_argument("--client-secret", default=None)
    parser.add_argument("--client-assertion", default=None, help="the one client_assertion accepted")
    parser.add_argument("--resource", default="https://vault.azure.net")
    parser.add_argument("--purge-protection", action="store_true")
    parser.add_argument("--ttl-seconds", type=float, default=600)
    options = parser.parse_args()

    server = Server(("127.0.0.1", options.port), options)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.minimum_version = ssl.TLSVersion.TLSv1_2
    context.load_cert_chain(options.cert, options.key)
    server.socket = context.wrap_socket(server.socket, server_side=True)

    def stop_after_ttl():
        time.sleep(options.ttl_seconds)
        sys.stderr.write(f"key_vault_server: --ttl-seconds {options.ttl_seconds} reached, exiting\n")
        os._exit(0)

    threading.Thread(target=stop_after_ttl, daemon=True).start()
    print(f"listening on https://127.0.0.1:{server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
