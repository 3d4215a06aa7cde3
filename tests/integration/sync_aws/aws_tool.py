#!/usr/bin/env python3
"""boto3 as an independent AWS client for the sync_aws integration tests, against a
moto server. Every command prints one JSON document on stdout.

    aws_tool.py ENDPOINT setup
        With moto's first unauthenticated calls (the server runs with
        INITIAL_NO_AUTH_ACTION_COUNT=SETUP_CALLS): an IAM user, a policy allowing ACM,
        Secrets Manager and KMS, an access key, and a KMS key. Prints
        {"access_key_id", "secret_access_key", "kms_key_id", "kms_key_arn"}.
    aws_tool.py ENDPOINT acm-get ARN           get_certificate + describe + tags
    aws_tool.py ENDPOINT acm-count             how many certificates the account holds
    aws_tool.py ENDPOINT sm-get NAME           get_secret_value + describe_secret
    aws_tool.py ENDPOINT sm-create NAME VALUE  a secret certplane did not create (no tags)
    aws_tool.py ENDPOINT sm-schedule-delete NAME

Every command but setup signs with the credentials in AWS_ACCESS_KEY_ID and
AWS_SECRET_ACCESS_KEY (the user setup made). An AWS error prints {"error": code}.
"""
import json
import sys

import boto3
import botocore.exceptions

REGION = "us-east-1"
SETUP_CALLS = 5  # keep equal to the calls setup() makes (kSetupCalls in the test)

POLICY = {
    "Version": "2012-10-17",
    "Statement": [{"Effect": "Allow", "Action": ["acm:*", "secretsmanager:*", "kms:*"], "Resource": "*"}],
}


def client(endpoint, service, **kwargs):
    return boto3.client(service, region_name=REGION, endpoint_url=endpoint, **kwargs)


def setup(endpoint):
    anonymous = {"aws_access_key_id": "AKIAIOSFODNN7EXAMPLE", "aws_secret_access_key": "setup"}
    iam = client(endpoint, "iam", **anonymous)
    iam.create_user(UserName="certplane")  # 1
    policy = iam.create_policy(PolicyName="certplane-sync", PolicyDocument=json.dumps(POLICY))  # 2
    iam.attach_user_policy(UserName="certplane", PolicyArn=policy["Policy"]["Arn"])  # 3
    key = iam.create_access_key(UserName="certplane")["AccessKey"]  # 4
    kms = client(endpoint, "kms", **anonymous).create_key(Description="certplane sync test")  # 5
    return {
        "access_key_id": key["AccessKeyId"],
        "secret_access_key": key["SecretAccessKey"],
        "kms_key_id": kms["KeyMetadata"]["KeyId"],
        "kms_key_arn": kms["KeyMetadata"]["Arn"],
    }


def serial_hex(serial):
    """AWS writes the serial as colon-separated hex, moto as a decimal number."""
    if ":" in serial or any(c in "abcdefABCDEF" for c in serial):
        return serial.replace(":", "").lower().lstrip("0")
    return format(int(serial), "x") if serial else ""


def acm_get(endpoint, arn):
    acm = client(endpoint, "acm")
    got = acm.get_certificate(CertificateArn=arn)
    described = acm.describe_certificate(CertificateArn=arn)["Certificate"]
    tags = acm.list_tags_for_certificate(CertificateArn=arn).get("Tags", [])
    return {
        "certificate": got.get("Certificate", ""),
        "chain": got.get("CertificateChain", ""),
        "serial_hex": serial_hex(described.get("Serial", "")),
        "key_algorithm": described.get("KeyAlgorithm", ""),
        "type": described.get("Type", ""),
        "tags": {t["Key"]: t.get("Value", "") for t in tags},
    }


def acm_count(endpoint):
    acm = client(endpoint, "acm")
    types = ["RSA_1024", "RSA_2048", "RSA_3072", "RSA_4096", "EC_prime256v1", "EC_secp384r1", "EC_secp521r1"]
    listed = acm.list_certificates(Includes={"keyTypes": types})["CertificateSummaryList"]
    return {"count": len(listed), "arns": [c["CertificateArn"] for c in listed]}


def sm_get(endpoint, name):
    sm = client(endpoint, "secretsmanager")
    described = sm.describe_secret(SecretId=name)
    value = sm.get_secret_value(SecretId=name)
    return {
        "arn": described["ARN"],
        "kms_key_id": described.get("KmsKeyId", ""),
        "tags": {t["Key"]: t.get("Value", "") for t in described.get("Tags", [])},
        "deleted": "DeletedDate" in described,
        "version_id": value["VersionId"],
        "value": json.loads(value["SecretString"]),
    }


def main():
    endpoint, command, args = sys.argv[1], sys.argv[2], sys.argv[3:]
    try:
        if command == "setup":
            out = setup(endpoint)
        elif command == "acm-get":
            out = acm_get(endpoint, args[0])
        elif command == "acm-count":
            out = acm_count(endpoint)
        elif command == "sm-get":
            out = sm_get(endpoint, args[0])
        elif command == "sm-create":
            out = {"arn": client(endpoint, "secretsmanager").create_secret(Name=args[0], SecretString=args[1])["ARN"]}
        elif command == "sm-schedule-delete":
            client(endpoint, "secretsmanager").delete_secret(SecretId=args[0], RecoveryWindowInDays=7)
            out = {}
        else:
            sys.exit(f"unknown command {command}")
    except botocore.exceptions.ClientError as e:
        out = {"error": e.response["Error"]["Code"]}
    json.dump(out, sys.stdout)


if __name__ == "__main__":
    main()
