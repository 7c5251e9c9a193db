"""API Gateway's integration backends, one module per integration type.

Lambda proxy (`lambda_proxy`), Lambda custom (`lambda_custom`), HTTP and HTTP_PROXY (`http`),
AWS service (`aws_service`) and MOCK (`mock`). Each takes what the integration request step
prepared (`exchange`) and gives back the endpoint's response; none knows the pipeline above it.
"""
