#!/usr/bin/env python3
"""Writes the AWS answer readers' corpus: corpus/seeds/ (well-formed answers, as AWS
documents them, that start the libFuzzer runs) and corpus/malformed/ (answers every
reader must refuse).

    tests/fuzz/sync_aws/make_corpus.py      # rewrites both folders

The readers (parsers.h) are the JSON error mapper, ACM's ImportCertificate /
ListCertificates / ListTagsForCertificate answers, Secrets Manager's DescribeSecret and
CreateSecret/PutSecretValue answers, and STS's AssumeRoleWithWebIdentity XML. Every
malformed input is one named mutation of a seed or a hostile shape, so each file's name
says what is wrong with it. The output is the same on every run. Needs python3.
"""
import json
import os
import shutil

HERE = os.path.dirname(os.path.abspath(__file__))
MALFORMED = os.path.join(HERE, "corpus", "malformed")
SEEDS = os.path.join(HERE, "corpus", "seeds")

PLANTED = "FUZZ-PLANTED-SECRET-KEY"  # keep in sync with parsers.cpp
ARN = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
SECRET_ARN = "arn:aws:secretsmanager:us-east-1:123456789012:secret:prod/shop/tls-AbCdEf"
UID_TAG = "certplane.io/certificate-uid"

STS = """<AssumeRoleWithWebIdentityResponse xmlns="https://sts.amazonaws.com/doc/2011-06-15/">
  <AssumeRoleWithWebIdentityResult>
    <SubjectFromWebIdentityToken>system:serviceaccount:certplane:controller</SubjectFromWebIdentityToken>
    <Audience>sts.amazonaws.com</Audience>
    <AssumedRoleUser>
      <Arn>arn:aws:sts::123456789012:assumed-role/certplane/certplane</Arn>
      <AssumedRoleId>AROACLKWSDQRAOEXAMPLE:certplane</AssumedRoleId>
    </AssumedRoleUser>
    <Credentials>
      <SessionToken>AQoDYXdzEE0a8ANXXXXXXXXNO1ewxE5TijQyp+IEXAMPLE&amp;</SessionToken>
      <SecretAccessKey>wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY</SecretAccessKey>
      <Expiration>2026-12-06T13:00:00Z</Expiration>
      <AccessKeyId>ASIAJEXAMPLEXEG2JICEA</AccessKeyId>
    </Credentials>
  </AssumeRoleWithWebIdentityResult>
  <ResponseMetadata><RequestId>ad4156e9-bce1-11e2-82e6-6b6efEXAMPLE</RequestId></ResponseMetadata>
</AssumeRoleWithWebIdentityResponse>
"""

SEED_VALUES = {
    "error-throttling.json": json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded " + PLANTED}),
    "error-not-found-namespaced.json": json.dumps(
        {"__type": "com.amazonaws.acm#ResourceNotFoundException", "Message": "Could not find certificate " + ARN}),
    "error-signature-xml.xml": "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n<ErrorResponse><Errors><Error>"
    "<Code>SignatureDoesNotMatch</Code><Message>The request signature we calculated does not match</Message>"
    "<Type>Sender</Type></Error></Errors></ErrorResponse>",
    "acm-import.json": json.dumps({"CertificateArn": ARN}),
    "acm-list.json": json.dumps({"CertificateSummaryList": [
        {"CertificateArn": ARN, "DomainName": "shop.example", "KeyAlgorithm": "EC_prime256v1"},
        {"CertificateArn": ARN.replace("1234", "9999"), "DomainName": "other.example"}],
        "NextToken": "eyJuZXh0IjoyfQ=="}),
    "acm-list-last-page.json": json.dumps({"CertificateSummaryList": []}),
    "acm-tags.json": json.dumps({"Tags": [{"Key": UID_TAG, "Value": "6f1c2a9e-0000-4000-8000-000000000001"},
                                          {"Key": "certplane.io/certificate", "Value": "shop/frontend"},
                                          {"Key": "empty"}]}),
    "sm-describe.json": json.dumps({"ARN": SECRET_ARN, "Name": "prod/shop/tls", "KmsKeyId": "alias/certs",
                                    "Tags": [{"Key": UID_TAG, "Value": "u"}], "VersionIdsToStages": {}}),
    "sm-describe-deleted.json": json.dumps({"ARN": SECRET_ARN, "Name": "prod/shop/tls", "DeletedDate": 1.7e9}),
    "sm-version.json": json.dumps({"ARN": SECRET_ARN, "Name": "prod/shop/tls",
                                   "VersionId": "a1b2c3d4-5678-5abc-9def-0123456789ab"}),
    "sts-credentials.xml": STS,
}

# Objects whose members all have the wrong types: refused by every JSON reader at once
# (and naming no error code, so the error mapper refuses them too).
WRONG_TYPES = {
    "CertificateArn": 1, "CertificateSummaryList": {"a": 1}, "Tags": "x", "ARN": ["a"], "VersionId": 2,
    "__type": 7, "Name": False, "KmsKeyId": {},
}


def malformed_inputs():
    out = {}
    # Truncated JSON answers: no longer JSON.
    for name, value in SEED_VALUES.items():
        if not name.endswith(".json"):
            continue
        base = name[:-5]
        for fraction in (0.25, 0.5, 0.9):
            out[f"truncated-{int(fraction * 100)}-{base}"] = value[: max(1, int(len(value) * fraction))]
    # STS answers cut before the last credential element closes.
    cut = STS.index("</AccessKeyId>")
    for fraction in (0.1, 0.5, 0.99):
        out[f"sts-truncated-{int(fraction * 100)}"] = STS[: int(cut * fraction)]
    out["sts-credentials-element-empty"] = STS.replace("ASIAJEXAMPLEXEG2JICEA", "").replace(
        "wJalrXUtnFEMI/K7MDENG/bPxRfiCYzEXAMPLEKEY", "")
    out["sts-markup-inside-elements"] = STS.replace("<AccessKeyId>", "<AccessKeyId><b/>").replace(
        "<SecretAccessKey>", "<SecretAccessKey><i>x</i>")
    out["sts-mismatched-close-tags"] = STS.replace("</AccessKeyId>", "</AccessKey>").replace(
        "</SecretAccessKey>", "</Secret>")
    # Found by fuzzing: a year the nanosecond system clock cannot hold overflowed (UBSan).
    for year in ("1013", "9999", "0000"):
        out[f"sts-expiration-year-{year}"] = STS.replace("2026-12-06", f"{year}-12-06")
    out["sts-expiration-not-a-date"] = STS.replace("2026-12-06T13:00:00Z", "tomorrow")
    out["xml-error-without-code"] = "<ErrorResponse><Error><Message>" + PLANTED + "</Message></Error></ErrorResponse>"
    out["xml-error-code-unterminated"] = "<ErrorResponse><Error><Code>Throttling"
    out["xml-billion-laughs"] = ('<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">'
                                 '<!ENTITY lol2 "&lol;&lol;&lol;&lol;">]><lolz>&lol2;</lolz>')
    out["xml-only-open-brackets"] = "<" * 2000
    # JSON that is not an object.
    for name, value in {"array": [], "array-of-answer": [{"CertificateArn": ARN}], "string": "ARN", "number": 200,
                        "null": None, "true": True}.items():
        out[f"json-{name}"] = json.dumps(value)
    # Objects with members of the wrong type.
    out["json-all-members-wrong-type"] = json.dumps(WRONG_TYPES)
    for key, bad in (("CertificateSummaryList", [1, 2]), ("CertificateSummaryList", [{"CertificateArn": 5}]),
                     ("Tags", [{"Value": "no key"}]), ("Tags", [{"Key": 1, "Value": "v"}]),
                     ("Tags", [{"Key": "k", "Value": 3}]), ("Tags", ["k=v"])):
        variant = dict(WRONG_TYPES)
        variant[key] = bad
        out[f"json-wrong-types-with-{key.lower()}-{len(out)}"] = json.dumps(variant)
    out["json-planted-secret-wrong-types"] = json.dumps(dict(WRONG_TYPES, message=PLANTED * 3))
    out["json-long-message-wrong-types"] = json.dumps(dict(WRONG_TYPES, message="\u00e9" * 3000))
    # Hostile bytes.
    out["json-invalid-utf8"] = b'{"CertificateArn": "\xff\xfe", "__type": "\xc3"}'
    out["json-nul-byte"] = b'{"CertificateArn"\x00: "a"}'
    out["json-bom-then-array"] = b"\xef\xbb\xbf[]"
    out["json-deep-nesting"] = "[" * 1000 + "]" * 1000
    out["json-unterminated-deep"] = '{"a":' * 500
    out["json-huge-number"] = "1" + "0" * 400
    out["json-duplicate-keys-wrong-types"] = ('{"CertificateArn": "a", "CertificateArn": 1, "Tags": "x", '
                                              '"CertificateSummaryList": 1, "ARN": 2}')
    out["json-comment"] = '{/* c */ "CertificateArn": "a"}'
    out["json-single-quotes"] = "{'CertificateArn': 'a'}"
    out["json-trailing-comma"] = '{"CertificateArn": "a",}'
    out["html-error-page"] = "<html><body><h1>502 Bad Gateway</h1></body></html>"
    out["plain-text"] = "Service Unavailable"
    out["whitespace-only"] = " \n\t "
    # Error codes that are no code: the message must still start with what is reported
    # (as an answer, the members of the wrong type make every reader refuse them).
    out["json-error-code-holds-secret"] = json.dumps(dict(WRONG_TYPES, __type="Denied" + PLANTED, message="m"))
    out["json-error-code-too-long"] = json.dumps(dict(WRONG_TYPES, __type="A" * 2000, message="m"))
    out["json-error-code-with-spaces"] = json.dumps(dict(WRONG_TYPES, __type="Not A Code: really", message="m"))
    out["xml-error-code-holds-secret"] = ("<ErrorResponse><Error><Code>" + PLANTED + "</Code><Message>m</Message>"
                                          "</Error></ErrorResponse>")
    return out


def write(folder, name, value):
    data = value.encode() if isinstance(value, str) else value
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def main():
    for d in (MALFORMED, SEEDS):
        shutil.rmtree(d, ignore_errors=True)
        os.makedirs(d)
    for name, value in SEED_VALUES.items():
        write(SEEDS, name, value)
    for name, value in malformed_inputs().items():
        write(MALFORMED, name, value)


if __name__ == "__main__":
    main()
