"""The AWS layer: aws-cdk-lib constructs, one stack per cloud environment."""
