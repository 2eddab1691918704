"""Limits AWS and CloudWatch put on what the stack creates, each with its source (read 2026-11-29).

The config checks them before synth, so a deploy never finds them.
"""

from __future__ import annotations

from datetime import date

from .source import Source

_READ = date(2026, 11, 29)

#: CloudWatch: an alarm's period times its evaluation periods may not exceed one week.
ALARM_MAX_EVALUATION_SECONDS = 7 * 24 * 3600
ALARM_SOURCE = Source("https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/API_PutMetricAlarm.html"
                      " (EvaluationPeriods: period x evaluation periods <= 604,800 s)", _READ)

#: S3: bucket names are 3 to 63 characters.
BUCKET_NAME_MAX = 63
#: IAM: role names are at most 64 characters.
IAM_ROLE_NAME_MAX = 64
#: EKS: cluster names are at most 100 characters.
EKS_CLUSTER_NAME_MAX = 100
#: CloudFormation: stack names are at most 128 characters.
STACK_NAME_MAX = 128
#: ECR: repository names are at most 256 characters.
ECR_REPOSITORY_NAME_MAX = 256
#: Secrets Manager: secret names are at most 512 characters.
SECRET_NAME_MAX = 512
#: KMS: alias names (with the ``alias/`` prefix) are at most 256 characters.
KMS_ALIAS_MAX = 256
#: AWS Budgets: budget names are at most 100 characters.
BUDGET_NAME_MAX = 100
NAME_SOURCES = (
    Source("https://docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html", _READ),
    Source("https://docs.aws.amazon.com/IAM/latest/APIReference/API_CreateRole.html (RoleName)", _READ),
    Source("https://docs.aws.amazon.com/eks/latest/APIReference/API_CreateCluster.html (name)", _READ),
    Source("https://docs.aws.amazon.com/AWSCloudFormation/latest/APIReference/API_CreateStack.html (StackName)", _READ),
    Source("https://docs.aws.amazon.com/AmazonECR/latest/APIReference/API_CreateRepository.html (repositoryName)", _READ),
    Source("https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_CreateSecret.html (Name)", _READ),
    Source("https://docs.aws.amazon.com/kms/latest/APIReference/API_CreateAlias.html (AliasName)", _READ),
    Source("https://docs.aws.amazon.com/aws-cost-management/latest/APIReference/API_budgets_Budget.html (BudgetName)", _READ),
)

#: DNS (RFC 1035 section 2.3.4): a label is at most 63 octets, a name at most 253 characters as text.
DNS_LABEL_MAX = 63
DNS_NAME_MAX = 253
DNS_SOURCE = Source("https://www.rfc-editor.org/rfc/rfc1035#section-2.3.4", _READ)
