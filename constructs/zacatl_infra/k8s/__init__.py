"""The Kubernetes layer: cdk8s constructs that render one folder of manifests per environment."""
