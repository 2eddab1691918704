"""AWS APIs a service may declare in ``ServiceSpec.aws_apis``, by VPC endpoint service name, and what
an interface endpoint costs.

``INTERFACE_ENDPOINT_APIS`` maps the last part of an endpoint service name
(``com.amazonaws.<region>.<name>``) to the API it serves. Every entry supports an *interface*
endpoint (AWS PrivateLink) with private DNS, so the SDK's default regional host name
(``sqs.<region>.amazonaws.com``) resolves to private addresses in the VPC and a NetworkPolicy can
allow it as the VPC range on 443. Names are the ones aws-cdk-lib's
``InterfaceVpcEndpointAwsService`` constants carry at the pinned release (tests check each one).
A name not listed here is refused: add it with its source once AWS documents an interface
endpoint with private DNS for it.

S3 is special. Its *gateway* endpoint (free) routes traffic to S3's public addresses through the
route tables, so a pod still connects to public S3 IPs that NetworkPolicy could only allow by
listing AWS's published S3 ranges for the region (``ip-ranges.json``, service ``S3``), ranges AWS
changes without notice to the cluster: a policy rendered at synth would go stale and drop uploads.
An S3 *interface* endpoint answers on VPC addresses instead; with private DNS for all resolvers
(``PrivateDnsOnlyForInboundResolverEndpoint: AllResolvers``; AWS selects "inbound only" by default
when a gateway endpoint exists, which keeps in-VPC names on the public addresses) the regional S3
names resolve to it. DynamoDB has the same gateway/interface split and is not listed until its
private DNS behaviour is checked here.

Sources (read 2026-11-29):
- AWS PrivateLink Guide, "AWS services that integrate with AWS PrivateLink"
  (docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html);
- aws/aws-cdk:packages/aws-cdk-lib/aws-ec2/lib/vpc-endpoint.ts at v2.275.0
  (``InterfaceVpcEndpointAwsService`` names, ``VpcEndpointPrivateDnsOnlyForInboundResolverEndpoint``);
- Amazon S3 User Guide, "AWS PrivateLink for Amazon S3" (awsdocs/amazon-s3-userguide:
  doc_source/privatelink-interface-endpoints.md): gateway endpoints use S3 public IP addresses and
  are not billed; interface endpoints use private VPC addresses and are billed; private DNS only
  for inbound endpoints is the default when a gateway endpoint exists;
- CloudFormation ``AWS::EC2::VPCEndpoint DnsOptionsSpecification`` (``AllResolvers``,
  ``OnlyInboundResolver``, ``NotSpecified``);
- aws.amazon.com/privatelink/pricing/ for the prices below.
"""

from __future__ import annotations

from datetime import date

from .source import Source

AS_OF = date(2026, 11, 29)
SOURCES = (
    Source("https://docs.aws.amazon.com/vpc/latest/privatelink/aws-services-privatelink-support.html", AS_OF),
    Source("aws/aws-cdk:packages/aws-cdk-lib/aws-ec2/lib/vpc-endpoint.ts", AS_OF, "v2.275.0"),
    Source("awsdocs/amazon-s3-userguide:doc_source/privatelink-interface-endpoints.md", AS_OF),
    Source("https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/"
           "aws-properties-ec2-vpcendpoint-dnsoptionsspecification.html", AS_OF),
)

INTERFACE_ENDPOINT_APIS: dict[str, str] = {
    "bedrock-runtime": "Amazon Bedrock runtime (InvokeModel)",
    "ecr.api": "Amazon ECR API",
    "ecr.dkr": "Amazon ECR Docker registry",
    "events": "Amazon EventBridge",
    "kinesis-streams": "Amazon Kinesis Data Streams",
    "kms": "AWS KMS",
    "lambda": "AWS Lambda",
    "logs": "Amazon CloudWatch Logs",
    "monitoring": "Amazon CloudWatch metrics",
    "s3": "Amazon S3 (interface endpoint; the gateway endpoint uses public addresses)",
    "secretsmanager": "AWS Secrets Manager",
    "sns": "Amazon SNS",
    "sqs": "Amazon SQS",
    "ssm": "AWS Systems Manager (Parameter Store)",
    "states": "AWS Step Functions",
    "sts": "AWS STS",
    "xray": "AWS X-Ray",
}

#: APIs that also have a gateway endpoint; their interface endpoint needs private DNS for all
#: resolvers, or in-VPC clients keep resolving the public addresses.
GATEWAY_TOO = frozenset({"s3"})

#: Port every AWS API endpoint answers on (HTTPS).
PORT = 443

#: Interface endpoint price, USD per endpoint per Availability Zone per hour, US East (N. Virginia);
#: partial hours bill as full hours. Other regions differ by a few tenths of a cent.
INTERFACE_ENDPOINT_HOUR_USD = 0.01
#: Data processed through interface endpoints, USD per GB, first PB a month in a region.
INTERFACE_ENDPOINT_GB_USD = 0.01
PRICE_SOURCES = (
    Source("https://aws.amazon.com/privatelink/pricing/", AS_OF),
    # The hourly table of the AWS page is rendered client-side; this analysis quotes the same rate.
    Source("https://awsnegotiations.com/privatelink-cost-analysis.html", AS_OF, "May 2026"),
)
