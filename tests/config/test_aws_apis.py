"""`aws_apis` and `aws_apis_over_internet`: typed, checked against the endpoint facts, refused where
they cannot work; each refusal names the environment, the service and the field."""

from __future__ import annotations

import pytest

from zacatl_infra.facts import aws_endpoints

from .test_service_contract import _load, _refusal

ROLE = 'ingress_path=None, needs_aws_role=True'


def test_declared_apis_load_in_prod(tmp_path):
    env = _load(tmp_path, ledger=f'{ROLE}, aws_apis=("s3", "sqs", "sts")')
    assert env.service("ledger-api").aws_apis == ("s3", "sqs", "sts")


@pytest.mark.parametrize("api", ["sqs.fifo", "S3", "dynamodb", "storage"])
def test_fails_on_an_aws_api_without_a_known_interface_endpoint(tmp_path, api):
    message = _refusal(tmp_path, ledger=f'{ROLE}, aws_apis=("{api}",)')
    assert "services[ledger-api].aws_apis" in message, message
    assert f"{api!r} is not an AWS API with a VPC interface endpoint known here" in message
    # The message lists what is allowed: the facts file, not a copy.
    assert str(sorted(aws_endpoints.INTERFACE_ENDPOINT_APIS)) in message


def test_fails_on_an_api_listed_twice(tmp_path):
    message = _refusal(tmp_path, ledger=f'{ROLE}, aws_apis=("sqs", "sqs")')
    assert "AWS APIs ['sqs'] are listed twice" in message


def test_fails_on_aws_apis_without_a_role(tmp_path):
    message = _refusal(tmp_path, ledger='ingress_path=None, aws_apis=("sqs",)')
    assert "services[ledger-api]" in message
    assert "aws_apis and aws_apis_over_internet need needs_aws_role" in message


def test_fails_on_a_role_that_names_no_aws_api(tmp_path):
    # The old behaviour (a role opened the whole internet on 443) is gone: say what is called.
    message = _refusal(tmp_path, ledger=ROLE)
    assert "services[ledger-api]" in message
    assert "needs_aws_role: name the AWS APIs the service calls in aws_apis" in message


def test_fails_on_aws_apis_over_the_internet_without_a_reason_in_prod(tmp_path):
    message = _refusal(tmp_path, ledger=f'{ROLE}, aws_apis_over_internet={{}}')
    assert ("service 'ledger-api': field aws_apis_over_internet.reason: prod opens AWS APIs over the internet "
            "only with a written reason") in message


def test_aws_apis_over_the_internet_with_a_reason_is_accepted_in_prod(tmp_path):
    env = _load(tmp_path, ledger=f'{ROLE}, aws_apis_over_internet={{"reason": "Amazon Textract: no endpoint here"}}')
    assert env.service("ledger-api").aws_apis_over_internet.reason.startswith("Amazon Textract")


def test_aws_apis_over_the_internet_without_a_reason_is_accepted_outside_prod(tmp_path):
    env = _load(tmp_path, tier="staging", ledger=f'{ROLE}, aws_apis_over_internet={{}}')
    assert env.service("ledger-api").aws_apis_over_internet.reason is None


def test_fails_on_a_reason_that_says_nothing(tmp_path):
    message = _refusal(tmp_path, ledger=f'{ROLE}, aws_apis_over_internet={{"reason": "aws"}}')
    assert "'aws' is not a reason" in message
